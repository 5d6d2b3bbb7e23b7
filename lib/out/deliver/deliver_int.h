/*
 * deliver_int.h - what the two transports of ad_deliver_send() share.
 *
 * deliver.c checks every argument and then hands over to one transport:
 * smtp.c (libcurl) or sendmail.c (a child process). Both fill the result
 * and return AD_OK (accepted) or AD_ERR_IO; argument errors never reach
 * them.
 */
#ifndef AD_DELIVER_INT_H
#define AD_DELIVER_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "abusedesk/ad_deliver.h"

#define AD_DELIVER_TIMEOUT_MS	60000	/* timeout_ms == 0 */

int	deliver_smtp(const struct ad_relay *relay, const char *from,
	    const char *const *rcpt, size_t n, const char *msg, size_t len,
	    struct ad_send_result *res, struct ad_diag *diag);
int	deliver_sendmail(const struct ad_relay *relay, const char *from,
	    const char *msg, size_t len, struct ad_send_result *res,
	    struct ad_diag *diag);

/* Appends [s, s+n) to res->detail, non-printable bytes as '?'; stops at
 * the end of a line when stop_at_eol. */
void	deliver_detail_add(struct ad_send_result *res, const char *s, size_t n,
	    bool stop_at_eol);
/* printf into res->detail (replacing it). */
void	deliver_detail(struct ad_send_result *res, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
