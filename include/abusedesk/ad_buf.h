/*
 * ad_buf.h - a growable byte buffer with a hard maximum (after curl's dynbuf).
 *
 * Every buffer is given its maximum when it is created, so no input can make
 * it grow without bound; an append past the maximum fails with AD_ERR_LIMIT
 * and leaves the buffer as it was. The bytes are always NUL-terminated.
 */
#ifndef AD_BUF_H
#define AD_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_err.h"

struct ad_buf {
	char	*p;	/* NULL until the first append */
	size_t	 len;
	size_t	 cap;
	size_t	 max;	/* largest len allowed */
};

void	ad_buf_init(struct ad_buf *b, size_t max);
void	ad_buf_free(struct ad_buf *b);
/* Empties the buffer and keeps its memory. */
void	ad_buf_reset(struct ad_buf *b);
int	ad_buf_add(struct ad_buf *b, const void *data, size_t n) AD_WUR;
int	ad_buf_addc(struct ad_buf *b, char c) AD_WUR;
int	ad_buf_adds(struct ad_buf *b, const char *s) AD_WUR;
int	ad_buf_addf(struct ad_buf *b, const char *fmt, ...) AD_PRINTF(2, 3) AD_WUR;
/*
 * Appends untrusted text for a terminal: control characters, DEL and bytes
 * that are not valid UTF-8 become \xHH, a backslash becomes \\. Log lines
 * carry attacker text; printed raw they could rewrite the user's screen.
 */
int	ad_buf_add_printable(struct ad_buf *b, const char *s, size_t n) AD_WUR;
/* The text so far ("" when empty); borrowed until the next call on b. */
const char *ad_buf_str(const struct ad_buf *b);
/*
 * snprintf into a fixed field where cutting is the intended behaviour
 * (shown text, reasons): says so, and keeps the compiler's truncation
 * warnings for the places where cutting would be a bug.
 */
void	ad_fmt_cut(char *dst, size_t n, const char *fmt, ...) AD_PRINTF(3, 4);
/*
 * The decimal digits of v, written backwards to end in the bytes before
 * end (at most AD_DEC_MAX of them); returns where they start. Writers of
 * many numbers use it instead of printf.
 */
#define AD_DEC_MAX	20
char	*ad_dec_u64(char *end, uint64_t v);
/* Hands the bytes to the caller (free with ad_free) and resets b. */
char	*ad_buf_take(struct ad_buf *b);

#endif
