/*
 * mime.c - the few MIME encoders a plain-text report needs: base64 (the
 * X-ARF part), quoted-printable (a body with a line over 998 bytes),
 * RFC 2047 encoded words (non-ASCII header values) and the RFC 5322 date.
 * Hand-written because each is a dozen lines and output-only.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "abusedesk/ad_json.h"
#include "abusedesk/ad_report.h"
#include "report_int.h"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
mime_base64(struct ad_buf *b, const void *data, size_t n, size_t wrap)
{
	const unsigned char *p = data;
	size_t i, col = 0;
	char q[4];
	int r;

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = b64[v >> 18 & 63];
		q[1] = b64[v >> 12 & 63];
		q[2] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		if (wrap && col + 4 > wrap) {
			if ((r = ad_buf_add(b, "\r\n", 2)) != AD_OK)
				return r;
			col = 0;
		}
		if ((r = ad_buf_add(b, q, 4)) != AD_OK)
			return r;
		col += 4;
	}
	return AD_OK;
}

int
mime_crlf(struct ad_buf *b, const char *s, size_t n)
{
	const char *p = s, *end = s + n, *nl;
	int r;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if ((r = ad_buf_add(b, p, (size_t)(nl - p))) != AD_OK)
			return r;
		if (nl < end && (r = ad_buf_add(b, "\r\n", 2)) != AD_OK)
			return r;
		p = nl + 1;
	}
	return AD_OK;
}

size_t
mime_longest_line(const char *s, size_t n)
{
	const char *p = s, *end = s + n, *nl;
	size_t max = 0;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if ((size_t)(nl - p) > max)
			max = (size_t)(nl - p);
		p = nl + 1;
	}
	return max;
}

int
mime_qp(struct ad_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, col = 0;
	char enc[4];
	int r;

	for (i = 0; i < n; i++) {
		unsigned c = p[i];
		bool last = i + 1 == n || p[i + 1] == '\n';
		size_t w;

		if (c == '\n') {
			if ((r = ad_buf_add(b, "\r\n", 2)) != AD_OK)
				return r;
			col = 0;
			continue;
		}
		/* A blank before a line end would be lost in transport. */
		if ((c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && !last)) {
			enc[0] = (char)c;
			w = 1;
		} else {
			snprintf(enc, sizeof(enc), "=%02X", c);
			w = 3;
		}
		if (col + w > (last ? 76 : 75)) {
			if ((r = ad_buf_add(b, "=\r\n", 3)) != AD_OK)
				return r;
			col = 0;
		}
		if ((r = ad_buf_add(b, enc, w)) != AD_OK)
			return r;
		col += w;
	}
	return AD_OK;
}

static bool
ascii_only(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

int
mime_header(struct ad_buf *b, const char *name, const char *value)
{
	const char *p = value, *end = value + strlen(value);
	int r;

	if ((r = ad_buf_addf(b, "%s: ", name)) != AD_OK)
		return r;
	if (ascii_only(value)) {
		if ((r = ad_buf_adds(b, value)) != AD_OK)
			return r;
		return ad_buf_add(b, "\r\n", 2);
	}
	/* Encoded words of whole UTF-8 characters, 45 bytes (60 base64
	 * characters) each, so every folded line stays under 78. */
	while (p < end) {
		const char *q = p;
		size_t l;

		while (q < end) {
			l = ad_utf8_seq((const unsigned char *)q,
			    (size_t)(end - q));
			if (l == 0)
				l = 1;
			if ((size_t)(q + l - p) > 45)
				break;
			q += l;
		}
		if (q == p)
			q = p + 1;
		if ((r = ad_buf_adds(b, p == value ? "=?utf-8?B?" :
		    "\r\n =?utf-8?B?")) != AD_OK ||
		    (r = mime_base64(b, p, (size_t)(q - p), 0)) != AD_OK ||
		    (r = ad_buf_add(b, "?=", 2)) != AD_OK)
			return r;
		p = q;
	}
	return ad_buf_add(b, "\r\n", 2);
}

void
mime_date(int64_t t, char buf[40])
{
	static const char *const wd[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char *const mon[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(buf, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    wd[tm.tm_wday % 7], tm.tm_mday, mon[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int
mime_from(struct ad_buf *m, const char *name, const char *addr)
{
	struct ad_buf v;
	const char *p;
	int r;

	if (name[0] == '\0')
		return mime_header(m, "From", addr);
	for (p = name; *p && (unsigned char)*p < 0x80; p++)
		;
	if (*p != '\0') {
		/* mime_header would encode the whole value: the name alone. */
		if ((r = ad_buf_adds(m, "From: =?utf-8?B?")) != AD_OK ||
		    (r = mime_base64(m, name, strlen(name), 0)) != AD_OK)
			return r;
		return ad_buf_addf(m, "?=\r\n <%s>\r\n", addr);
	}
	ad_buf_init(&v, 4096);
	r = ad_buf_addc(&v, '"');
	for (p = name; *p && r == AD_OK; p++) {
		if (*p == '"' || *p == '\\')
			r = ad_buf_addc(&v, '\\');
		if (r == AD_OK)
			r = ad_buf_addc(&v, *p);
	}
	if (r == AD_OK && (r = ad_buf_addf(&v, "\" <%s>", addr)) == AD_OK)
		r = mime_header(m, "From", ad_buf_str(&v));
	ad_buf_free(&v);
	return r;
}

void
ad_report_date(int64_t t, char buf[40])
{
	mime_date(t, buf);
}
