/*
 * ad_json.h - writing JSON Lines into an ad_buf.
 *
 * Output only: parsing JSON (journald exports, RDAP) goes through jansson.
 * Writing is hand-rolled because it is on the hot path of `parse --json` and
 * needs nothing but correct string escaping. Strings from logs are untrusted:
 * control characters are escaped and invalid UTF-8 becomes U+FFFD, so the
 * output is always valid JSON whatever the input.
 */
#ifndef AD_JSON_H
#define AD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_buf.h"

/* Appends "text" (quoted, escaped). */
int	ad_json_str(struct ad_buf *b, const char *s, size_t n) AD_WUR;
/* Appends a key: ,"key": (the comma unless first). *first is cleared. */
int	ad_json_key(struct ad_buf *b, bool *first, const char *key) AD_WUR;
/* Opens an object inside an array being written: ",{" or, first, "{". */
int	ad_json_item_open(struct ad_buf *b) AD_WUR;
/* Key plus value helpers; a NULL string is written as null. */
int	ad_json_kv_str(struct ad_buf *b, bool *first, const char *key,
	    const char *s) AD_WUR;
int	ad_json_kv_strn(struct ad_buf *b, bool *first, const char *key,
	    const char *s, size_t n) AD_WUR;
int	ad_json_kv_int(struct ad_buf *b, bool *first, const char *key,
	    int64_t v) AD_WUR;
int	ad_json_kv_bool(struct ad_buf *b, bool *first, const char *key,
	    bool v) AD_WUR;
int	ad_json_kv_null(struct ad_buf *b, bool *first, const char *key) AD_WUR;

/* True when [s, s+n) is valid UTF-8 (no overlongs, no surrogates). */
bool	ad_utf8_valid(const char *s, size_t n);
/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
size_t	ad_utf8_seq(const unsigned char *s, size_t n);

#endif
