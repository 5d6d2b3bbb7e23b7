/*
 * ip.c - address and CIDR parsing from untrusted text, classification.
 *
 * Hand-written rather than inet_pton() because logs embed addresses in
 * running text ("from ::ffff:1.2.3.4:55990", "2001:db8::1%eth0 port") and
 * inet_pton needs an isolated, NUL-terminated token: we would copy every
 * candidate first, on the hot path. Formatting uses inet_ntop (RFC 5952).
 */
#include <arpa/inet.h>
#include <string.h>

#include "abusedesk/ad_ip.h"

static const uint8_t v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static inline bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline bool
is_word(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    c == '_' || c == '-';
}

/* A decimal digit's value, or more than 9: one compare a byte. */
static inline unsigned
digit_at(const char *q, const char *end)
{
	return q < end ? (unsigned)(unsigned char)*q - '0' : 10;
}

/* Dotted quad; up to three digits an octet, read as decimal. */
static size_t
scan4(const char *p, const char *end, uint8_t out[4])
{
	const char *q = p;
	unsigned v, d;
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0) {
			if (q >= end || *q != '.')
				return 0;
			q++;
		}
		/* Unrolled: this runs for every address of every hit. */
		if ((v = digit_at(q, end)) > 9)
			return 0;
		q++;
		if ((d = digit_at(q, end)) <= 9) {
			v = v * 10 + d;
			q++;
			if ((d = digit_at(q, end)) <= 9) {
				v = v * 10 + d;
				q++;
				if (digit_at(q, end) <= 9)
					return 0;	/* a fourth digit */
			}
		}
		if (v > 255)
			return 0;
		out[i] = (uint8_t)v;
	}
	return (size_t)(q - p);
}

static size_t
scan6(const char *p, const char *end, uint8_t out[16])
{
	uint16_t g[8];
	const char *q = p;
	int n = 0, dc = -1, i;

	if (end - q >= 2 && q[0] == ':' && q[1] == ':') {
		dc = 0;
		q += 2;
	}
	while (n < 8) {
		unsigned v = 0;
		int k = 0, h;

		while (q + k < end && k < 5 && (h = hexval((unsigned char)q[k])) >= 0) {
			v = (v << 4) | (unsigned)h;
			k++;
		}
		if (k == 0)
			break;
		if (q + k < end && q[k] == '.') {
			uint8_t v4[4];
			size_t l;

			if (n > 6 || (l = scan4(q, end, v4)) == 0)
				return 0;
			g[n++] = (uint16_t)(v4[0] << 8 | v4[1]);
			g[n++] = (uint16_t)(v4[2] << 8 | v4[3]);
			q += l;
			break;
		}
		if (k > 4)
			return 0;
		g[n++] = (uint16_t)v;
		q += k;
		if (q >= end || *q != ':')
			break;
		if (q + 1 < end && q[1] == ':') {
			if (dc >= 0)
				break;		/* a second "::" is not ours */
			dc = n;
			q += 2;
			continue;
		}
		if (q + 1 < end && hexval((unsigned char)q[1]) >= 0) {
			q++;
			continue;
		}
		break;		/* a trailing ':' belongs to the text */
	}
	if (dc < 0 && n != 8)
		return 0;
	if (dc >= 0 && n > 7)
		return 0;
	memset(out, 0, 16);
	if (dc < 0) {
		for (i = 0; i < 8; i++) {
			out[2 * i] = (uint8_t)(g[i] >> 8);
			out[2 * i + 1] = (uint8_t)g[i];
		}
	} else {
		int tail = n - dc;

		for (i = 0; i < dc; i++) {
			out[2 * i] = (uint8_t)(g[i] >> 8);
			out[2 * i + 1] = (uint8_t)g[i];
		}
		for (i = 0; i < tail; i++) {
			int o = 8 - tail + i;

			out[2 * o] = (uint8_t)(g[dc + i] >> 8);
			out[2 * o + 1] = (uint8_t)g[dc + i];
		}
	}
	return (size_t)(q - p);
}

size_t
ad_addr_scan(const char *p, const char *end, struct ad_addr *out)
{
	size_t l;
	const char *q;

	memset(out, 0, sizeof(*out));
	if (p >= end)
		return 0;
	l = scan4(p, end, out->b + 12);
	if (l > 0) {
		q = p + l;
		/* "1.2.3.4.example.com" or "1.2.3.45x" is a host name. */
		if (q < end && (is_word((unsigned char)*q) ||
		    (*q == '.' && q + 1 < end && is_word((unsigned char)q[1]))))
			return 0;
		memcpy(out->b, v4mapped_prefix, 12);
		out->af = 4;
		return l;
	}
	l = scan6(p, end, out->b);
	if (l == 0)
		return 0;
	q = p + l;
	if (q < end && *q == '%') {	/* zone id: meaningless off-host */
		q++;
		while (q < end && (is_word((unsigned char)*q) || *q == '.'))
			q++;
	} else if (q < end && (is_word((unsigned char)*q) || *q == '.'))
		return 0;
	out->af = memcmp(out->b, v4mapped_prefix, 12) == 0 ? 4 : 6;
	return (size_t)(q - p);
}

bool
ad_addr_parse(const char *s, size_t n, struct ad_addr *out)
{
	return ad_addr_scan(s, s + n, out) == n && n > 0;
}

char *
ad_addr_format(const struct ad_addr *a, char buf[AD_ADDR_STRLEN])
{
	if (a->af == 4) {
		/* By hand: glibc's inet_ntop goes through sprintf. */
		char *q = buf;
		int k;

		for (k = 12; k < 16; k++) {
			unsigned v = a->b[k];

			if (v >= 100)
				*q++ = (char)('0' + v / 100);
			if (v >= 10)
				*q++ = (char)('0' + v / 10 % 10);
			*q++ = (char)('0' + v % 10);
			*q++ = k < 15 ? '.' : '\0';
		}
	} else if (a->af == 6)
		inet_ntop(AF_INET6, a->b, buf, AD_ADDR_STRLEN);
	else
		buf[0] = '\0';
	return buf;
}

bool
ad_addr_equal(const struct ad_addr *a, const struct ad_addr *b)
{
	return a->af == b->af && memcmp(a->b, b->b, 16) == 0;
}

static void
mask_bits(uint8_t b[16], unsigned from)
{
	unsigned i;

	for (i = from; i < 128; i++)
		b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

bool
ad_cidr_parse(const char *s, size_t n, struct ad_cidr *out)
{
	const char *slash = memchr(s, '/', n);
	size_t al = slash ? (size_t)(slash - s) : n;
	unsigned max, pfx = 0;
	const char *q;

	memset(out, 0, sizeof(*out));
	if (!ad_addr_parse(s, al, &out->addr))
		return false;
	max = out->addr.af == 4 ? 32 : 128;
	if (slash == NULL) {
		out->prefix = (uint8_t)max;
		return true;
	}
	q = slash + 1;
	if (q == s + n)
		return false;
	for (; q < s + n; q++) {
		if (!is_digit((unsigned char)*q) || pfx > max)
			return false;
		pfx = pfx * 10 + (unsigned)(*q - '0');
	}
	if (pfx > max)
		return false;
	out->prefix = (uint8_t)pfx;
	mask_bits(out->addr.b, out->addr.af == 4 ? pfx + 96 : pfx);
	return true;
}

bool
ad_cidr_contains(const struct ad_cidr *c, const struct ad_addr *a)
{
	if (c->addr.af != a->af)
		return false;
	return ad_prefix_match(c->addr.b, c->addr.af == 4 ? c->prefix + 96u :
	    c->prefix, a->b);
}

struct special {
	uint8_t			 b[16];	/* network, IPv6 or IPv4-mapped */
	uint8_t			 bits;	/* prefix length over all 128 bits */
	enum ad_addr_class	 cls;
};

#define V4(a, b2, c, d, len, cls) \
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b2, c, d }, \
	  96 + (len), cls }
#define V6(h0, h1, h2, len, cls) \
	{ { (h0) >> 8, (h0) & 0xff, (h1) >> 8, (h1) & 0xff, (h2) >> 8, \
	    (h2) & 0xff }, len, cls }

/* IANA IPv4/IPv6 special-purpose address registries, most specific first. */
static const struct special specials[] = {
	V4(0, 0, 0, 0, 8, AD_ADDR_RESERVED),
	V4(10, 0, 0, 0, 8, AD_ADDR_PRIVATE),
	V4(100, 64, 0, 0, 10, AD_ADDR_SHARED),
	V4(127, 0, 0, 0, 8, AD_ADDR_LOOPBACK),
	V4(169, 254, 0, 0, 16, AD_ADDR_LINKLOCAL),
	V4(172, 16, 0, 0, 12, AD_ADDR_PRIVATE),
	V4(192, 0, 0, 0, 24, AD_ADDR_RESERVED),
	V4(192, 0, 2, 0, 24, AD_ADDR_DOCUMENTATION),
	V4(192, 88, 99, 0, 24, AD_ADDR_RESERVED),
	V4(192, 168, 0, 0, 16, AD_ADDR_PRIVATE),
	V4(198, 18, 0, 0, 15, AD_ADDR_RESERVED),
	V4(198, 51, 100, 0, 24, AD_ADDR_DOCUMENTATION),
	V4(203, 0, 113, 0, 24, AD_ADDR_DOCUMENTATION),
	V4(224, 0, 0, 0, 4, AD_ADDR_MULTICAST),
	V4(240, 0, 0, 0, 4, AD_ADDR_RESERVED),
	{ { 0 }, 128, AD_ADDR_RESERVED },				/* ::/128 */
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 128,
	  AD_ADDR_LOOPBACK },						/* ::1 */
	V6(0x0064, 0xff9b, 0x0001, 48, AD_ADDR_RESERVED),
	V6(0x0100, 0, 0, 64, AD_ADDR_RESERVED),
	V6(0x2001, 0x0db8, 0, 32, AD_ADDR_DOCUMENTATION),
	V6(0x2001, 0, 0, 23, AD_ADDR_RESERVED),
	V6(0x3fff, 0, 0, 20, AD_ADDR_DOCUMENTATION),
	V6(0xfc00, 0, 0, 7, AD_ADDR_PRIVATE),
	V6(0xfe80, 0, 0, 10, AD_ADDR_LINKLOCAL),
	V6(0xfec0, 0, 0, 10, AD_ADDR_RESERVED),
	V6(0xff00, 0, 0, 8, AD_ADDR_MULTICAST),
};

bool
ad_prefix_match(const uint8_t net[16], unsigned bits, const uint8_t a[16])
{
	unsigned full = bits / 8, rest = bits % 8;

	if (memcmp(net, a, full) != 0)
		return false;
	return rest == 0 ||
	    ((net[full] ^ a[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

enum ad_addr_class
ad_addr_classify(const struct ad_addr *a)
{
	size_t i;

	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
		/* IPv4 entries only match IPv4, IPv6 ones only IPv6. */
		if ((specials[i].bits >= 96 && specials[i].b[10] == 0xff) !=
		    (a->af == 4))
			continue;
		if (ad_prefix_match(specials[i].b, specials[i].bits, a->b))
			return specials[i].cls;
	}
	return AD_ADDR_PUBLIC;
}

const char *
ad_addr_class_name(enum ad_addr_class c)
{
	switch (c) {
	case AD_ADDR_PUBLIC:		return "public";
	case AD_ADDR_PRIVATE:		return "private";
	case AD_ADDR_SHARED:		return "shared (CGNAT)";
	case AD_ADDR_LOOPBACK:		return "loopback";
	case AD_ADDR_LINKLOCAL:		return "link-local";
	case AD_ADDR_DOCUMENTATION:	return "documentation";
	case AD_ADDR_MULTICAST:		return "multicast";
	case AD_ADDR_RESERVED:		return "reserved";
	}
	return "unknown";
}

int
ad_addr_cmp(const struct ad_addr *a, const struct ad_addr *b)
{
	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	return memcmp(a->b, b->b, 16);
}
