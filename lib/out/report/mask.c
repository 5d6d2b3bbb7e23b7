/*
 * mask.c - the --public rendering: our own addresses (the configured own
 * networks and every target of the incident) lose their host part wherever
 * they appear, so a report can be shared without drawing a map of our
 * hosts. The network part stays, so the text still reads naturally and a
 * reader sees that the targets were different hosts of one network.
 */
#include <stdio.h>
#include <string.h>

#include "report_int.h"

bool
mask_hit(const struct mask_set *m, const struct ad_addr *a)
{
	size_t i;

	if (!m->on || a->af == 0)
		return false;
	for (i = 0; i < m->n_own; i++)
		if (ad_cidr_contains(&m->own[i], a))
			return true;
	for (i = 0; i < m->n_addrs; i++)
		if (ad_addr_equal(&m->addrs[i], a))
			return true;
	return false;
}

void
mask_format(const struct ad_addr *a, char buf[AD_ADDR_STRLEN])
{
	const uint8_t *b = a->b;

	if (a->af == 4)
		snprintf(buf, AD_ADDR_STRLEN, "%u.%u.%u.x", b[12], b[13], b[14]);
	else
		snprintf(buf, AD_ADDR_STRLEN, "%x:%x:%x:%x::x",
		    b[0] << 8 | b[1], b[2] << 8 | b[3], b[4] << 8 | b[5],
		    b[6] << 8 | b[7]);
}

void
mask_addr(const struct mask_set *m, const struct ad_addr *a,
    char buf[AD_ADDR_STRLEN])
{
	if (mask_hit(m, a))
		mask_format(a, buf);
	else
		ad_addr_format(a, buf);
}

static bool
word_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '.' || c == ':' || c == '_';
}

static bool
addr_start(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F') || c == ':';
}

int
mask_text(const struct mask_set *m, struct ad_buf *b, const char *s, size_t n)
{
	const char *p = s, *end = s + n, *run = s;
	char buf[AD_ADDR_STRLEN];
	struct ad_addr a;
	size_t l;
	int r;

	if (!m->on)
		return ad_buf_add(b, s, n);
	while (p < end) {
		/* An address starts at a word boundary and ends at one; ':'
		 * before it counts as one ("inside:192.0.2.1/139"). */
		if (!addr_start(*p) || (p > s && p[-1] != ':' &&
		    word_char(p[-1]))) {
			p++;
			continue;
		}
		l = ad_addr_scan(p, end, &a);
		if (l == 0) {
			p++;
			continue;
		}
		/* "192.0.2.10:22" ends at ':'; "1.2.3.4.5" is no address. */
		if (p + l < end && word_char(p[l]) &&
		    !(a.af == 4 && p[l] == ':')) {
			p += l;
			continue;
		}
		if (mask_hit(m, &a)) {
			mask_format(&a, buf);
			if ((r = ad_buf_add(b, run, (size_t)(p - run))) != AD_OK ||
			    (r = ad_buf_adds(b, buf)) != AD_OK)
				return r;
			run = p + l;
		}
		p += l;
	}
	return ad_buf_add(b, run, (size_t)(p - run));
}
