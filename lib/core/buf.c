/*
 * buf.c - bounded growable buffer.
 */
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_json.h"

void
ad_buf_init(struct ad_buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
ad_buf_free(struct ad_buf *b)
{
	ad_free(b->p);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

void
ad_buf_reset(struct ad_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static int
grow(struct ad_buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (need > b->max)
		return AD_ERR_LIMIT;
	if (need + 1 <= b->cap)
		return AD_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need + 1)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	p = ad_reallocarray(b->p, cap, 1);
	if (p == NULL)
		return AD_ERR_NOMEM;
	b->p = p;
	b->cap = cap;
	return AD_OK;
}

int
ad_buf_add(struct ad_buf *b, const void *data, size_t n)
{
	int r;

	if (n > b->max - b->len)
		return AD_ERR_LIMIT;
	if ((r = grow(b, b->len + n)) != AD_OK)
		return r;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return AD_OK;
}

int
ad_buf_addc(struct ad_buf *b, char c)
{
	return ad_buf_add(b, &c, 1);
}

int
ad_buf_adds(struct ad_buf *b, const char *s)
{
	return ad_buf_add(b, s, strlen(s));
}

int
ad_buf_addf(struct ad_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return AD_ERR_USAGE;
	if ((size_t)n > b->max - b->len)
		return AD_ERR_LIMIT;
	if ((r = grow(b, b->len + (size_t)n)) != AD_OK)
		return r;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return AD_OK;
}

int
ad_buf_add_printable(struct ad_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, l;
	int r;

	while (i < n) {
		unsigned c = p[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			l = 1;
		else if (c >= 0x80)
			l = ad_utf8_seq(p + i, n - i);	/* 0 if invalid */
		else
			l = 0;
		if (l > 0) {
			i += l;
			run += l;
			continue;
		}
		if (run && (r = ad_buf_add(b, p + i - run, run)) != AD_OK)
			return r;
		run = 0;
		if (c == '\\')
			r = ad_buf_add(b, "\\\\", 2);
		else
			r = ad_buf_addf(b, "\\x%02x", c);
		if (r != AD_OK)
			return r;
		i++;
	}
	if (run)
		return ad_buf_add(b, p + i - run, run);
	return AD_OK;
}

const char *
ad_buf_str(const struct ad_buf *b)
{
	return b->p ? b->p : "";
}

char *
ad_buf_take(struct ad_buf *b)
{
	char *p = b->p;

	if (p == NULL)
		p = ad_strndup("", 0);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

void
ad_fmt_cut(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (n == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(dst, n, fmt, ap);
	va_end(ap);
}

char *
ad_dec_u64(char *end, uint64_t v)
{
	do
		*--end = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return end;
}
