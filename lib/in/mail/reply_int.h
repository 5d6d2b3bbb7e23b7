/*
 * reply_int.h - what the files of lib/in/mail share (not public).
 */
#ifndef AD_REPLY_INT_H
#define AD_REPLY_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "abusedesk/ad_reply.h"

/*
 * Copies [s, s+n) into dst (capacity cap, always NUL-terminated) as valid
 * UTF-8 cut at a character boundary: control bytes become a space (or are
 * dropped with squeeze), invalid bytes become '?'; lower folds ASCII.
 * Returns the bytes written.
 */
size_t	reply_copy(char *dst, size_t cap, const char *s, size_t n,
	    bool lower, bool squeeze);

/* The fields of a message/delivery-status body (RFC 3464) into r->rcpt. */
void	reply_parse_dsn(struct ad_reply *r, const char *s, size_t n);
/* Adds a recipient (deduplicated); returns it, or NULL when full/invalid. */
struct ad_reply_rcpt *reply_add_rcpt(struct ad_reply *r, const char *addr,
	    size_t n);
/* A non-DSN bounce's recipients, status and diagnostic from its text. */
void	reply_scan_bounce_text(struct ad_reply *r);

/* ASCII case-insensitive search of needle in [h, h+n); NULL if absent. */
const char *reply_memcasemem(const char *h, size_t n, const char *needle);

#endif
