/*
 * json.c - JSON string escaping and key/value writers.
 */
#include <inttypes.h>
#include <string.h>

#include "abusedesk/ad_json.h"

size_t
ad_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;	/* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0;	/* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

bool
ad_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, l;

	/* ASCII 32 bytes a test, then 8: log lines are mostly ASCII. */
	while (n - i >= 32) {
		uint64_t w[4];

		memcpy(w, p + i, 32);
		if (((w[0] | w[1] | w[2] | w[3]) & UINT64_C(0x8080808080808080)) != 0)
			break;
		i += 32;
	}
	while (i < n) {
		if (n - i >= 8) {
			uint64_t w;

			memcpy(&w, p + i, 8);
			if ((w & UINT64_C(0x8080808080808080)) == 0) {
				i += 8;
				continue;
			}
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((l = ad_utf8_seq(p + i, n - i)) == 0)
			return false;
		i += l;
	}
	return true;
}

#define ONES	UINT64_C(0x0101010101010101)
#define HIGHS	UINT64_C(0x8080808080808080)

/*
 * True when none of w's 8 bytes needs a look: no control byte, quote,
 * backslash or non-ASCII byte. (A flagged word may hold none: the
 * subtraction's borrow can flag the byte after a real one; that only
 * sends it down the slow way.)
 */
static bool
plain8(uint64_t w)
{
	uint64_t q = w ^ (ONES * '"'), bs = w ^ (ONES * '\\');

	return ((((w - ONES * 0x20) & ~w) | ((q - ONES) & ~q) |
	    ((bs - ONES) & ~bs) | w) & HIGHS) == 0;
}

int
ad_json_str(struct ad_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, l;
	int r;

	if ((r = ad_buf_addc(b, '"')) != AD_OK)
		return r;
	while (i < n) {
		unsigned c = p[i];
		char esc[8];

		if (n - i >= 8) {
			uint64_t w;

			memcpy(&w, p + i, 8);
			if (plain8(w)) {
				i += 8;
				run += 8;
				continue;
			}
		}
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			run++;
			continue;
		}
		if (c >= 0x80 && (l = ad_utf8_seq(p + i, n - i)) > 0) {
			i += l;
			run += l;
			continue;
		}
		if (run && (r = ad_buf_add(b, p + i - run, run)) != AD_OK)
			return r;
		run = 0;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			r = ad_buf_add(b, esc, 2);
		} else if (c == '\n')
			r = ad_buf_add(b, "\\n", 2);
		else if (c == '\t')
			r = ad_buf_add(b, "\\t", 2);
		else if (c == '\r')
			r = ad_buf_add(b, "\\r", 2);
		else if (c < 0x20)
			r = ad_buf_addf(b, "\\u%04x", c);
		else
			r = ad_buf_add(b, "\\ufffd", 6);	/* invalid byte */
		if (r != AD_OK)
			return r;
		i++;
	}
	if (run && (r = ad_buf_add(b, p + i - run, run)) != AD_OK)
		return r;
	return ad_buf_addc(b, '"');
}

int
ad_json_item_open(struct ad_buf *b)
{
	int r;

	if (b->len > 0 && b->p[b->len - 1] != '[' &&
	    (r = ad_buf_addc(b, ',')) != AD_OK)
		return r;
	return ad_buf_addc(b, '{');
}

int
ad_json_key(struct ad_buf *b, bool *first, const char *key)
{
	int r;

	if (!*first && (r = ad_buf_addc(b, ',')) != AD_OK)
		return r;
	*first = false;
	if ((r = ad_json_str(b, key, strlen(key))) != AD_OK)
		return r;
	return ad_buf_addc(b, ':');
}

int
ad_json_kv_strn(struct ad_buf *b, bool *first, const char *key,
    const char *s, size_t n)
{
	int r;

	if ((r = ad_json_key(b, first, key)) != AD_OK)
		return r;
	if (s == NULL)
		return ad_buf_add(b, "null", 4);
	return ad_json_str(b, s, n);
}

int
ad_json_kv_str(struct ad_buf *b, bool *first, const char *key, const char *s)
{
	return ad_json_kv_strn(b, first, key, s, s ? strlen(s) : 0);
}

int
ad_json_kv_int(struct ad_buf *b, bool *first, const char *key, int64_t v)
{
	int r;

	char d[AD_DEC_MAX + 1], *q;

	if ((r = ad_json_key(b, first, key)) != AD_OK)
		return r;
	/* Digits by hand: a scan writes millions of these (sample lines). */
	q = ad_dec_u64(d + sizeof(d), v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--q = '-';
	return ad_buf_add(b, q, (size_t)(d + sizeof(d) - q));
}

int
ad_json_kv_bool(struct ad_buf *b, bool *first, const char *key, bool v)
{
	int r;

	if ((r = ad_json_key(b, first, key)) != AD_OK)
		return r;
	return ad_buf_adds(b, v ? "true" : "false");
}

int
ad_json_kv_null(struct ad_buf *b, bool *first, const char *key)
{
	int r;

	if ((r = ad_json_key(b, first, key)) != AD_OK)
		return r;
	return ad_buf_add(b, "null", 4);
}
