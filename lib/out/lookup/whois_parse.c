/*
 * whois_parse.c - one whois answer to struct ad_netinfo (ad_netinfo.h).
 *
 * Every registry speaks its own dialect of "key: value" text:
 *   RPSL      RIPE, APNIC, AFRINIC, LACNIC: objects separated by blank
 *             lines, the network first (inetnum/inet6num/aut-num), then the
 *             roles, persons, irt and organisation objects it names;
 *   ARIN      NetRange/CIDR/NetName ... then Org*, ReferralServer and the
 *             POCs; one such block per network when there are several;
 *   rwhois    "network:IP-Network:..." and "network:Abuse-Contact;I:HDL";
 *   KRNIC     "IPv4 Address       : a - b (/24)" (a Korean block first);
 *   JPNIC     "a. [Network Number]   133.1.0.0/16" (also its web gateway);
 *   TWNIC     "Netblock: 114.45.0.0/16" and indented contact lines.
 * Rather than a parser per dialect, every line is split once into key and
 * value (comments and bare lines kept apart), the answer is cut into one
 * block per network-defining line, and the keys of all dialects are looked
 * up by name. Keys of one dialect do not occur in another, so a mixed or
 * unknown answer still yields what it holds.
 *
 * The network reported is the most specific one in the answer (the smallest
 * range; ARIN lists the least specific first, so among equals the last
 * wins there). Its block gives the fields and the contacts, ranked as
 * ad_netinfo.h says. Every address goes through ad_email_valid(): no line
 * of the answer can put a CR, LF or space into a contact.
 *
 * Bounds: AD_WHOIS_INPUT_MAX bytes, LINES_MAX lines, NETS_MAX networks and
 * HANDLE_LOOKUPS handle resolutions; each lookup scans the lines once, so
 * the work is linear in the input.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_email.h"
#include "abusedesk/ad_ip.h"
#include "abusedesk/ad_netinfo.h"

#define LINES_MAX	100000
#define NETS_MAX	64
#define KEY_MAX		48	/* longer "keys" are text with a colon */
#define HANDLE_LOOKUPS	8

struct wline {
	const char	*raw;		/* the line without its end of line */
	size_t		 rawlen;
	const char	*key;		/* NULL: a comment, blank or bare line */
	size_t		 klen;
	const char	*val;		/* trimmed value, or the trimmed line */
	size_t		 vlen;
	bool		 comment;	/* starts with % or # */
	bool		 blank;
	size_t		 obj;		/* index of its object's first line */
};

struct wnet {
	size_t		 line;		/* the network-defining line */
	size_t		 fstart;	/* its fields start here */
	size_t		 bstart, bend;	/* its block of lines */
	struct ad_addr	 start, end;	/* af 0 for an aut-num */
	struct ad_cidr	 cidr;		/* written as a prefix */
	bool		 is_cidr;
	uint32_t	 asn_start, asn_end;
};

struct wp {
	const char	*server;
	struct ad_netinfo *ni;
	struct wline	*l;
	size_t		 n;
	struct wnet	 nets[NETS_MAX];
	size_t		 nn;
	bool		 rwhois;
	bool		 arin;		/* NetRange seen: last equal wins */
};

/* Case-insensitive equality of a counted key and a C string. */
static bool
keyis(const struct wline *l, const char *k)
{
	return l->key != NULL && strlen(k) == l->klen &&
	    strncasecmp(l->key, k, l->klen) == 0;
}

static bool
keyin(const struct wline *l, const char *const *keys)
{
	for (; *keys != NULL; keys++)
		if (keyis(l, *keys))
			return true;
	return false;
}

/* Case-insensitive search for needle in [s, s+n). */
static const char *
memcasemem(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	if (k == 0 || k > n)
		return NULL;
	for (i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, needle, k) == 0)
			return s + i;
	return NULL;
}

static bool
sp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' ||
	    c == '\0';
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && sp(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && sp((*s)[*n - 1]))
		(*n)--;
}

/* Copies [s, s+n) into dst[cap], control bytes as spaces; flags a cut. */
static void
setstr(struct ad_netinfo *ni, char *dst, size_t cap, const char *s, size_t n)
{
	trim(&s, &n);
	ad_netinfo_copy(ni, dst, cap, s, n);
}

static bool
keychar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == ' ' ||
	    c == '.' || c == ';' || c == '/' || c == '(' || c == ')';
}

/* Splits one line into key and value (see struct wline). */
static void
split(struct wp *w, struct wline *l)
{
	const char *p = l->raw, *end = l->raw + l->rawlen, *c, *k2;
	size_t i;

	l->key = NULL;
	l->klen = 0;
	while (p < end && sp(*p))
		p++;
	l->blank = p == end;
	l->comment = p < end && (*p == '%' || *p == '#');
	l->val = p;
	l->vlen = (size_t)(end - p);
	trim(&l->val, &l->vlen);
	if (l->blank || l->comment)
		return;

	/* JPNIC: "a. [Network Number]   value" or "[Last Update]  value". */
	if (end - p > 3 && p[0] >= 'a' && p[0] <= 'z' && p[1] == '.' &&
	    p[2] == ' ') {
		p += 3;
		while (p < end && *p == ' ')
			p++;
	}
	if (p < end && *p == '[') {
		c = memchr(p, ']', (size_t)(end - p));
		if (c != NULL && c - p - 1 <= KEY_MAX && c - p > 1) {
			for (i = 1; p + i < c && keychar((unsigned char)p[i]);
			    i++)
				;
			if (p + i == c) {
				l->key = p + 1;
				l->klen = (size_t)(c - p - 1);
				trim(&l->key, &l->klen);
				l->val = c + 1;
				l->vlen = (size_t)(end - c - 1);
				trim(&l->val, &l->vlen);
				if (l->klen == 0)
					l->key = NULL;
			}
		}
		return;
	}

	c = memchr(p, ':', (size_t)(end - p));
	if (c == NULL || c == p || c - p > KEY_MAX)
		return;
	for (i = 0; p + i < c; i++)
		if (!keychar((unsigned char)p[i]))
			return;
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	    (*p >= '0' && *p <= '9')))
		return;
	l->key = p;
	l->klen = (size_t)(c - p);
	trim(&l->key, &l->klen);
	l->val = c + 1;
	l->vlen = (size_t)(end - c - 1);

	/* rwhois: "network:Abuse-Contact;I:ABUSE2492-ARIN". */
	if (w->rwhois && l->vlen > 0 && !sp(*l->val) &&
	    (k2 = memchr(l->val, ':', l->vlen)) != NULL &&
	    k2 - l->val <= KEY_MAX) {
		const char *q;

		for (q = l->val; q < k2 && (keychar((unsigned char)*q)) &&
		    *q != ' '; q++)
			;
		if (q == k2 && k2 > l->val) {
			l->key = l->val;
			l->klen = (size_t)(k2 - l->val);
			q = memchr(l->key, ';', l->klen);
			if (q != NULL)
				l->klen = (size_t)(q - l->key);
			l->val = k2 + 1;
			l->vlen = (size_t)(end - k2 - 1);
		}
	}
	trim(&l->val, &l->vlen);
	if (l->klen == 0)
		l->key = NULL;
}

/*
 * A web gateway page: tags are dropped and the few entities JPNIC and
 * KRNIC use decoded, so what is left reads like their port 43 text.
 * Writes into out (at least n bytes); returns the new length.
 */
static size_t
strip_html(const char *s, size_t n, char *out)
{
	size_t i = 0, o = 0;
	static const struct {
		const char *ent;
		char c;
	} ents[] = {
		{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' },
		{ "&nbsp;", ' ' }, { "&quot;", '"' }, { "&#39;", '\'' },
	};

	bool unclosed = false;	/* no "</script" or "</style" left */

	while (i < n) {
		size_t k;

		if (s[i] == '<') {
			const char *e = memchr(s + i, '>', n - i);

			/* <script>/<style> bodies are not text either. Once
			 * no closing tag is left, none is searched for again:
			 * a page of unclosed <script> stays linear. */
			if (!unclosed && n - i > 7 &&
			    (strncasecmp(s + i, "<script", 7) == 0 ||
			    strncasecmp(s + i, "<style", 6) == 0)) {
				const char *t = memcasemem(s + i, n - i, "</");

				/* The answer is not NUL-terminated: compare
				 * only what is left of it. */
				while (t != NULL && !((size_t)(s + n - t) >= 8 &&
				    strncasecmp(t, "</script", 8) == 0) &&
				    !((size_t)(s + n - t) >= 7 &&
				    strncasecmp(t, "</style", 7) == 0))
					t = memcasemem(t + 2,
					    n - (size_t)(t + 2 - s), "</");
				if (t != NULL)
					e = memchr(t, '>', n - (size_t)(t - s));
				else
					unclosed = true;
			}
			if (e == NULL)
				break;
			i = (size_t)(e - s) + 1;
			continue;
		}
		if (s[i] == '&') {
			for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
				size_t el = strlen(ents[k].ent);

				if (n - i >= el &&
				    strncasecmp(s + i, ents[k].ent, el) == 0) {
					out[o++] = ents[k].c;
					i += el;
					break;
				}
			}
			if (k < sizeof(ents) / sizeof(ents[0]))
				continue;
		}
		out[o++] = s[i++];
	}
	return o;
}

static bool
looks_html(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (sp(s[i]) || s[i] == '\n'))
		i++;
	if (n - i < 5 || s[i] != '<')
		return false;
	return memcasemem(s + i, n - i > 512 ? 512 : n - i, "<html") != NULL ||
	    strncasecmp(s + i, "<!doctype", n - i < 9 ? n - i : 9) == 0;
}

/* Cuts buf into lines; returns false when out of memory. */
static bool
split_lines(struct wp *w, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	char sep = memchr(buf, '\n', len) != NULL ? '\n' : '\r';
	size_t cap = 0, obj = 0;
	bool inobj = false;

	w->rwhois = memcasemem(buf, len > 4096 ? 4096 : len, "%rwhois") != NULL
	    || memcasemem(buf, len, ":Class-Name:") != NULL;
	while (p < end) {
		const char *nl = memchr(p, sep, (size_t)(end - p));
		const char *e = nl != NULL ? nl : end;
		struct wline *l;

		if (w->n == LINES_MAX) {
			w->ni->flags |= AD_NI_TRUNCATED;
			break;
		}
		if (w->n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct wline *nlines;

			if (ncap > LINES_MAX)
				ncap = LINES_MAX;
			nlines = ad_reallocarray(w->l, ncap, sizeof(*w->l));
			if (nlines == NULL)
				return false;
			w->l = nlines;
			cap = ncap;
		}
		l = &w->l[w->n];
		l->raw = p;
		l->rawlen = (size_t)(e - p);
		/* CRLF, \r\r\n and stray CRs at the end. */
		while (l->rawlen > 0 && l->raw[l->rawlen - 1] == '\r')
			l->rawlen--;
		split(w, l);
		if (l->blank || l->comment)
			inobj = false;
		else if (!inobj) {
			inobj = true;
			obj = w->n;
		}
		l->obj = inobj ? obj : w->n;
		w->n++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return true;
}

/*
 * Dotted IPv4, possibly zero-padded (010.0.0.1) or abbreviated (192.168,
 * 200.57.128) with the missing octets zero. Returns the bytes read or 0.
 */
static size_t
scan_v4_loose(const char *s, size_t n, struct ad_addr *a, int *parts)
{
	unsigned v[4] = { 0, 0, 0, 0 };
	size_t i = 0;
	int k = 0;

	for (;;) {
		size_t d = 0;
		unsigned x = 0;

		while (i < n && s[i] >= '0' && s[i] <= '9' && d < 4) {
			x = x * 10 + (unsigned)(s[i] - '0');
			i++;
			d++;
		}
		if (d == 0 || d == 4 || x > 255)
			return 0;
		v[k++] = x;
		if (k == 4 || i >= n || s[i] != '.' || i + 1 >= n ||
		    s[i + 1] < '0' || s[i + 1] > '9')
			break;
		i++;
	}
	if (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
	    s[i] == ':'))
		return 0;
	memset(a, 0, sizeof(*a));
	a->af = 4;
	a->b[10] = a->b[11] = 0xff;
	a->b[12] = (uint8_t)v[0];
	a->b[13] = (uint8_t)v[1];
	a->b[14] = (uint8_t)v[2];
	a->b[15] = (uint8_t)v[3];
	*parts = k;
	return i;
}

/* An address at s: IPv6 (ad_addr_scan) or loose IPv4. Returns bytes read. */
static size_t
scan_addr(const char *s, size_t n, struct ad_addr *a, int *parts)
{
	size_t r;
	const char *colon = memchr(s, ':', n);
	const char *stop = s;

	while (stop < s + n && !sp(*stop) && *stop != '-' && *stop != '/' &&
	    *stop != '(')
		stop++;
	if (colon != NULL && colon < stop) {
		/* ad_addr_scan must not read the range's "-" or "/". */
		r = ad_addr_scan(s, stop, a);
		*parts = 8;
		return r == (size_t)(stop - s) ? r : 0;
	}
	return scan_v4_loose(s, (size_t)(stop - s), a, parts);
}

/* The block's end address for a cidr (host bits all ones). */
static void
cidr_last(const struct ad_cidr *c, struct ad_addr *last)
{
	unsigned width = c->addr.af == 4 ? 32 : 128, i;

	*last = c->addr;
	for (i = 0; i < width - c->prefix; i++)
		last->b[15 - i / 8] |= (uint8_t)(1u << (i % 8));
}

/*
 * Parses a network value: "a - b", "a-b", "a/len" (abbreviated and
 * zero-padded IPv4 too), a bare address; anything after ("(/16+/18)",
 * "AS5410") is ignored. Returns true and fills the net's range.
 */
static bool
parse_range(const char *s, size_t n, struct wnet *net)
{
	struct ad_addr a, b;
	const char *p = s, *end = s + n;
	size_t r;
	int parts, parts2;

	trim(&p, &n);
	end = p + n;
	if ((r = scan_addr(p, n, &a, &parts)) == 0)
		return false;
	p += r;
	if (p < end && *p == '/') {
		unsigned len = 0;
		size_t d = 0, width = a.af == 4 ? 32 : 128;

		p++;
		while (p < end && *p >= '0' && *p <= '9' && d < 4) {
			len = len * 10 + (unsigned)(*p - '0');
			p++;
			d++;
		}
		if (d == 0 || len > width)
			return false;
		/* An abbreviated prefix must name the octets it fixes. */
		if (a.af == 4 && (unsigned)parts * 8 < len && parts < 4)
			return false;
		/* "62.239.237.0/32 - 62.239.237.255/32": old RIPE RDAP. */
		while (p < end && sp(*p))
			p++;
		if (p < end && *p == '-') {
			const char *q = p + 1;

			while (q < end && sp(*q))
				q++;
			if ((r = scan_addr(q, (size_t)(end - q), &b, &parts2))
			    > 0 && b.af == a.af && parts2 >= 4) {
				net->start = a;
				net->end = b;
				return memcmp(a.b, b.b, 16) <= 0;
			}
		}
		net->cidr.addr = a;
		net->cidr.prefix = (uint8_t)len;
		/* Clear host bits: "192.168.1.7/16" means the /16. */
		{
			unsigned i, host = (unsigned)width - len;

			for (i = 0; i < host; i++)
				net->cidr.addr.b[15 - i / 8] &=
				    (uint8_t)~(1u << (i % 8));
		}
		net->is_cidr = true;
		net->start = net->cidr.addr;
		cidr_last(&net->cidr, &net->end);
		return true;
	}
	if (a.af == 4 && parts < 4)
		return false;
	while (p < end && sp(*p))
		p++;
	if (p < end && *p == '-') {
		p++;
		while (p < end && sp(*p))
			p++;
		if ((r = scan_addr(p, (size_t)(end - p), &b, &parts2)) == 0 ||
		    b.af != a.af || (b.af == 4 && parts2 < 4))
			return false;
		if (memcmp(a.b, b.b, 16) > 0)
			return false;
		net->start = a;
		net->end = b;
		return true;
	}
	net->start = net->end = a;
	return true;
}

/* "AS701", "701", "AS701 - AS705", "701 - 705". */
static bool
parse_asn(const char *s, size_t n, uint32_t *lo, uint32_t *hi)
{
	const char *p = s, *end;
	unsigned long long v[2] = { 0, 0 };
	int k;

	trim(&p, &n);
	end = p + n;
	for (k = 0; k < 2; k++) {
		size_t d = 0;

		if (end - p >= 2 && (p[0] == 'A' || p[0] == 'a') &&
		    (p[1] == 'S' || p[1] == 's'))
			p += 2;
		while (p < end && *p >= '0' && *p <= '9' && d < 11) {
			v[k] = v[k] * 10 + (unsigned)(*p - '0');
			p++;
			d++;
		}
		if (d == 0 || v[k] > UINT32_MAX)
			return false;
		while (p < end && sp(*p))
			p++;
		if (k == 0) {
			if (p >= end || *p != '-') {
				v[1] = v[0];
				break;
			}
			p++;
			while (p < end && sp(*p))
				p++;
		}
	}
	if (v[1] < v[0])
		return false;
	*lo = (uint32_t)v[0];
	*hi = (uint32_t)v[1];
	return true;
}

static const char *const net_keys[] = {
	"inetnum", "inet6num", "NetRange", "IP-Network", "IPv4 Address",
	"IPv6 Address", "Network Number", "Netblock", NULL,
};
static const char *const asn_keys[] = {
	"aut-num", "ASNumber", "AS Number", NULL,
};

/* Finds the network-defining lines and cuts the answer into blocks. */
static void
find_nets(struct wp *w)
{
	size_t i, pending = SIZE_MAX;

	for (i = 0; i < w->n; i++) {
		struct wline *l = &w->l[i];
		struct wnet net;

		if (l->comment && memcasemem(l->val, l->vlen,
		    "Information related to") != NULL) {
			pending = i;
			continue;
		}
		if (l->key == NULL)
			continue;
		memset(&net, 0, sizeof(net));
		if (keyin(l, net_keys)) {
			if (!parse_range(l->val, l->vlen, &net))
				continue;
		} else if (keyin(l, asn_keys)) {
			/* RPSL: an object's first line only (LACNIC's
			 * "aut-num: N/A" inside an inetnum is no network). */
			if (l->obj != i && !keyis(l, "ASNumber"))
				continue;
			if (!parse_asn(l->val, l->vlen, &net.asn_start,
			    &net.asn_end))
				continue;
		} else
			continue;
		if (w->nn == NETS_MAX) {
			w->ni->flags |= AD_NI_TRUNCATED;
			break;
		}
		if (keyis(l, "NetRange"))
			w->arin = true;
		net.line = i;
		/* TWNIC puts Netname above Netblock: the object's start. */
		net.fstart = l->obj;
		if (w->nn > 0 && w->nets[w->nn - 1].line >= net.fstart)
			net.fstart = i;
		net.bstart = pending != SIZE_MAX ? pending : net.fstart;
		pending = SIZE_MAX;
		if (w->nn > 0 && w->nets[w->nn - 1].bend > net.bstart)
			w->nets[w->nn - 1].bend = net.bstart;
		net.bend = w->n;
		w->nets[w->nn++] = net;
	}
	for (i = 0; i + 1 < w->nn; i++)
		if (w->nets[i].bend > w->nets[i + 1].bstart)
			w->nets[i].bend = w->nets[i + 1].bstart;
}

/* end - start as a 16-byte big-endian number. */
static void
range_size(const struct wnet *n, uint8_t out[16])
{
	int i, borrow = 0;

	for (i = 15; i >= 0; i--) {
		int d = n->end.b[i] - n->start.b[i] - borrow;

		borrow = d < 0;
		out[i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
}

static void
k_swap(size_t *a, size_t *b)
{
	size_t t = *a;

	*a = *b;
	*b = t;
}

/* The most specific network: smallest range, IP before AS. */
static struct wnet *
pick_net(struct wp *w)
{
	struct wnet *best = NULL;
	uint8_t bs[16], s[16];
	size_t i;

	for (i = 0; i < w->nn; i++) {
		struct wnet *n = &w->nets[i];
		int c;

		if (best == NULL) {
			best = n;
			range_size(n, bs);
			continue;
		}
		if (best->start.af == 0 && n->start.af != 0) {
			best = n;
			range_size(n, bs);
			continue;
		}
		if (n->start.af == 0)
			continue;
		range_size(n, s);
		c = memcmp(s, bs, 16);
		if (c < 0 || (c == 0 && w->arin)) {
			best = n;
			memcpy(bs, s, 16);
		}
	}
	return best;
}

/* The first line from `from` to `to` with one of keys; NULL if none. */
static const struct wline *
find_key(const struct wp *w, size_t from, size_t to, const char *const *keys)
{
	size_t i;

	for (i = from; i < to && i < w->n; i++)
		if (keyin(&w->l[i], keys) && w->l[i].vlen > 0)
			return &w->l[i];
	return NULL;
}

/*
 * Extracts the next mailbox-looking token from [*p, end): the bytes around
 * an '@' that a mailbox may hold. Returns true with [*s, *s+*n) set and
 * *p moved past it. The token is not validated yet.
 */
static bool
next_email(const char **p, const char *end, const char **s, size_t *n)
{
	const char *at, *a, *b;

	while (*p < end && (at = memchr(*p, '@', (size_t)(end - *p))) != NULL) {
		a = at;
		while (a > *p) {
			unsigned char c = (unsigned char)a[-1];

			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			    c == '-' || c == '+' || c == '%' || c == '=')
				a--;
			else
				break;
		}
		b = at + 1;
		while (b < end) {
			unsigned char c = (unsigned char)*b;

			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '.' || c == '-')
				b++;
			else
				break;
		}
		while (a < at && *a == '.')
			a++;
		while (b > at + 1 && b[-1] == '.')
			b--;
		*p = at + 1;
		if (a == at || b == at + 1)
			continue;
		*s = a;
		*n = (size_t)(b - a);
		*p = b;
		return true;
	}
	*p = end;
	return false;
}

/* "type: value" of the object holding line i, for evidence. */
static void
object_name(const struct wp *w, size_t i, char *buf, size_t cap)
{
	const struct wline *o = &w->l[w->l[i].obj];

	if (o->key != NULL && !o->comment)
		snprintf(buf, cap, "%.*s: %.*s", (int)(o->klen > 40 ? 40 :
		    o->klen), o->key, (int)(o->vlen > 80 ? 80 : o->vlen),
		    o->val);
	else
		snprintf(buf, cap, "%s", w->l[i].comment ? "comment" : "text");
}

/* Adds every valid, non-junk mailbox in line i with the confidence. */
static int
add_line_emails(struct wp *w, size_t i, enum ad_confidence conf,
    const char *object)
{
	const struct wline *l = &w->l[i];
	const char *p = l->val, *end = l->val + l->vlen, *s;
	char ev[AD_NI_TEXT_MAX], obj[AD_NI_NAME_MAX];
	size_t n;
	int added = 0;

	/* A control byte inside a line (a CR that did not end it, a NUL) is
	 * an attempt to smuggle a second address past us: none is taken. */
	for (n = 0; n < l->vlen; n++)
		if (((unsigned char)l->val[n] < 0x20 && l->val[n] != '\t') ||
		    l->val[n] == 0x7f) {
			w->ni->flags |= AD_NI_HOSTILE;
			return 0;
		}
	if (object == NULL) {
		object_name(w, i, obj, sizeof(obj));
		object = obj;
	}
	snprintf(ev, sizeof(ev), "%.*s", (int)(l->rawlen > sizeof(ev) - 1 ?
	    sizeof(ev) - 1 : l->rawlen), l->raw);
	while (next_email(&p, end, &s, &n)) {
		if (!ad_email_valid(s, n) || ad_email_junk(s, n))
			continue;
		added += ad_netinfo_add_contact(w->ni, s, n, conf, object, ev);
	}
	return added;
}

/* Keys whose mailboxes are the registry's bookkeeping, never contacts. */
static const char *const skip_keys[] = {
	"changed", "notify", "mnt-nfy", "upd-to", "irt-nfy", "ref-nfy",
	"Ref", "OrgAbuseRef", "OrgTechRef", "OrgNOCRef", "RAbuseRef",
	"RTechRef", "RNOCRef", "source", "auth", NULL,
};

/* True when line i's key names an abuse mailbox ("abuse-mailbox",
 * "OrgAbuseEmail", "RAbuseEmail", rwhois "Abuse-Contact", ...). */
static bool
abuse_key(const struct wline *l)
{
	return l->key != NULL && memcasemem(l->key, l->klen, "abuse") != NULL &&
	    !keyis(l, "abuse-c") && memcasemem(l->key, l->klen, "Ref") == NULL &&
	    memcasemem(l->key, l->klen, "Handle") == NULL &&
	    memcasemem(l->key, l->klen, "Name") == NULL &&
	    memcasemem(l->key, l->klen, "Phone") == NULL;
}

/* The object whose handle is [h, h+n): nic-hdl, or an irt/organisation
 * name on its first line. Returns its first line index or SIZE_MAX. */
static size_t
find_handle(const struct wp *w, const char *h, size_t n)
{
	static const char *const named[] = {
		"irt", "organisation", "mntner", "role", "person", NULL,
	};
	size_t i;

	for (i = 0; i < w->n; i++) {
		const struct wline *l = &w->l[i];

		if (l->vlen != n || strncasecmp(l->val, h, n) != 0)
			continue;
		if (keyis(l, "nic-hdl") || keyis(l, "nic-hdl-br") ||
		    (w->rwhois && keyis(l, "ID")) ||
		    (l->obj == i && keyin(l, named)))
			return l->obj;
	}
	return SIZE_MAX;
}

static void
add_handle(struct ad_netinfo *ni, const char *h, size_t n, const char *obj)
{
	size_t i;

	trim(&h, &n);
	if (n == 0 || n >= AD_NI_NAME_MAX)
		return;
	for (i = 0; i < ni->nhandles; i++)
		if (strlen(ni->abuse_handles[i].handle) == n &&
		    strncasecmp(ni->abuse_handles[i].handle, h, n) == 0)
			return;
	if (ni->nhandles == AD_NI_HANDLES_MAX) {
		ni->flags |= AD_NI_TRUNCATED;
		return;
	}
	setstr(ni, ni->abuse_handles[ni->nhandles].handle, AD_NI_NAME_MAX, h, n);
	snprintf(ni->abuse_handles[ni->nhandles].object, AD_NI_NAME_MAX, "%s",
	    obj);
	ni->nhandles++;
}

/*
 * Resolves an abuse handle (abuse-c, mnt-irt) within the answer: the
 * object's abuse-mailbox is HIGH (the registry's abuse contact), its
 * e-mail MEDIUM. Unresolved handles are left for the chain.
 */
static void
resolve_handle(struct wp *w, const struct wline *ref, int *lookups)
{
	size_t o, i;
	bool found = false;
	char obj[AD_NI_NAME_MAX];

	if (ref->vlen == 0 || (*lookups)++ >= HANDLE_LOOKUPS)
		return;
	o = find_handle(w, ref->val, ref->vlen);
	if (o == SIZE_MAX) {
		snprintf(obj, sizeof(obj), "%.*s", (int)ref->klen, ref->key);
		add_handle(w->ni, ref->val, ref->vlen, obj);
		return;
	}
	object_name(w, o, obj, sizeof(obj));
	for (i = o; i < w->n && w->l[i].obj == o; i++)
		if (keyis(&w->l[i], "abuse-mailbox")) {
			(void)add_line_emails(w, i, AD_CONF_HIGH, obj);
			found = true;
		}
	for (i = o; !found && i < w->n && w->l[i].obj == o; i++)
		if (keyis(&w->l[i], "e-mail") || keyis(&w->l[i], "email"))
			(void)add_line_emails(w, i, AD_CONF_MEDIUM, obj);
}

/* "% Abuse contact for 'RANGE' is 'EMAIL'" (RIPE, APNIC, AFRINIC). */
static bool
abuse_comment(const struct wline *l)
{
	return l->comment && memcasemem(l->val, l->vlen, "Abuse contact for")
	    != NULL && memcasemem(l->val, l->vlen, "' is '") != NULL;
}

/* True when the abuse comment's quoted range is the network's. */
static bool
comment_names(const struct wline *l, const struct wnet *net)
{
	const char *q = memchr(l->val, '\'', l->vlen), *e;
	struct wnet r;

	if (q == NULL || net->start.af == 0)
		return false;
	q++;
	e = memcasemem(q, l->vlen - (size_t)(q - l->val), "' is '");
	if (e == NULL)
		return false;
	memset(&r, 0, sizeof(r));
	return parse_range(q, (size_t)(e - q), &r) &&
	    ad_addr_equal(&r.start, &net->start) &&
	    ad_addr_equal(&r.end, &net->end);
}

static void
collect_contacts(struct wp *w, const struct wnet *net)
{
	size_t i, from = net->bstart, to = net->bend;
	bool declared = false, rabuse = false;
	int lookups = 0;

	/* 1. What the registry declares: the abuse comment of this block,
	 * or one anywhere that names this network's range. */
	for (i = 0; i < w->n; i++)
		if (abuse_comment(&w->l[i]) && ((i >= from && i < to) ||
		    comment_names(&w->l[i], net)) &&
		    add_line_emails(w, i, AD_CONF_HIGH, "abuse contact") > 0)
			declared = true;
	for (i = from; i < to; i++)
		if (keyis(&w->l[i], "RAbuseEmail"))
			rabuse = true;
	for (i = from; i < to; i++) {
		const struct wline *l = &w->l[i];
		enum ad_confidence c = AD_CONF_HIGH;

		if (!abuse_key(l))
			continue;
		if (keyis(l, "OrgAbuseEmail") && rabuse)
			c = AD_CONF_MEDIUM;	/* resource POC first */
		if (keyis(l, "abuse-mailbox") && declared)
			c = AD_CONF_MEDIUM;
		(void)add_line_emails(w, i, c, NULL);
		/* rwhois "Abuse-Contact;I:HANDLE": its contact object in the
		 * same answer, or the chain resolves it (often at ARIN). */
		if (w->rwhois && memchr(l->val, '@', l->vlen) == NULL &&
		    l->vlen > 0)
			resolve_handle(w, l, &lookups);
	}
	/* 2. Handles named as abuse contact, resolved in the same answer. */
	for (i = from; i < to; i++)
		if (keyis(&w->l[i], "abuse-c") || keyis(&w->l[i], "mnt-irt"))
			resolve_handle(w, &w->l[i], &lookups);
	/* 3. Anything else with a mailbox in the block: low confidence. */
	for (i = from; i < to; i++) {
		const struct wline *l = &w->l[i];

		if (l->comment || keyin(l, skip_keys) ||
		    memchr(l->val, '@', l->vlen) == NULL)
			continue;
		(void)add_line_emails(w, i, AD_CONF_LOW, NULL);
	}
}

/* Registries by whois server host; NIRs get their country. */
static const struct {
	const char	*host;
	const char	*name;
	const char	*country;
} registries[] = {
	{ "arin.net", "ARIN", NULL },
	{ "ripe.net", "RIPE NCC", NULL },
	{ "apnic.net", "APNIC", NULL },
	{ "lacnic.net", "LACNIC", NULL },
	{ "afrinic.net", "AFRINIC", NULL },
	{ "krnic", "KRNIC", "KR" },
	{ "kisa.or.kr", "KRNIC", "KR" },
	{ "nic.or.kr", "KRNIC", "KR" },
	{ "nic.ad.jp", "JPNIC", "JP" },
	{ "twnic", "TWNIC", "TW" },
	{ "nic.br", "registro.br", "BR" },
	{ "registro.br", "registro.br", "BR" },
	{ "cnnic", "CNNIC", "CN" },
};

static int
registry_index(const char *server)
{
	size_t i;

	if (server == NULL)
		return -1;
	for (i = 0; i < sizeof(registries) / sizeof(registries[0]); i++)
		if (memcasemem(server, strlen(server), registries[i].host))
			return (int)i;
	return -1;
}

/* The NIRs whose space APNIC's answers point to. */
static const struct {
	const char	*marker;
	const char	*host;
} nirs[] = {
	{ "KRNIC", "whois.krnic.net" },
	{ "JPNIC", "whois.nic.ad.jp" },
	{ "TWNIC", "whois.twnic.net" },
	{ "CNNIC", "whois.cnnic.cn" },
};

static void
set_referral(struct ad_netinfo *ni, enum ad_referral_kind kind,
    const char *host, size_t hlen, uint16_t port, const char *url,
    size_t ulen)
{
	memset(&ni->referral, 0, sizeof(ni->referral));
	ni->referral.kind = kind;
	setstr(ni, ni->referral.host, sizeof(ni->referral.host), host, hlen);
	ni->referral.port = port;
	setstr(ni, ni->referral.url, sizeof(ni->referral.url), url, ulen);
}

static bool
hostchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '-';
}

/*
 * A referral value: "whois://host[:port]", "rwhois://host:port[/...]",
 * "host[:port]". http(s) URLs are web pages, not referrals. Returns true
 * when it set one.
 */
static bool
parse_referral(struct ad_netinfo *ni, const char *v, size_t n)
{
	enum ad_referral_kind kind = AD_REF_WHOIS;
	const char *h, *end;
	size_t hl = 0;
	unsigned long port = 0;

	trim(&v, &n);
	end = v + n;
	h = v;
	if (n > 8 && strncasecmp(v, "whois://", 8) == 0)
		h = v + 8;
	else if (n > 9 && strncasecmp(v, "rwhois://", 9) == 0) {
		h = v + 9;
		kind = AD_REF_RWHOIS;
	} else if (memcasemem(v, n, "://") != NULL)
		return false;
	while (h + hl < end && hostchar(h[hl]))
		hl++;
	if (hl == 0 || memchr(h, '.', hl) == NULL)
		return false;
	if (h + hl < end && h[hl] == ':') {
		const char *p = h + hl + 1;

		while (p < end && *p >= '0' && *p <= '9' && port <= 65535)
			port = port * 10 + (unsigned long)(*p++ - '0');
		if (port == 0 || port > 65535)
			return false;
	}
	set_referral(ni, kind, h, hl, (uint16_t)port, v, n);
	return true;
}

/* True when host names the server that answered. */
static bool
same_server(const char *server, const char *host, size_t hl)
{
	size_t sl;

	if (server == NULL)
		return false;
	sl = strcspn(server, ":");
	return sl == hl && strncasecmp(server, host, hl) == 0;
}

static const char *const known_hosts[] = {
	"whois.arin.net", "whois.ripe.net", "whois.apnic.net",
	"whois.lacnic.net", "whois.afrinic.net", "whois.krnic.net",
	"whois.nic.ad.jp", "whois.twnic.net", "whois.nic.br",
	"whois.registro.br", "whois.cnnic.cn", NULL,
};

/*
 * The one registry whois host named in free text other than the answering
 * one. A stub that lists several (RIPE's NON-RIPE-NCC-MANAGED block names
 * every RIR) gives no referral: the registry tables decide then.
 */
static bool
mentioned_host(struct wp *w, size_t from, size_t to)
{
	const char *found = NULL;
	const char *const *h;
	size_t i;

	for (i = from; i < to; i++) {
		const struct wline *l = &w->l[i];

		for (h = known_hosts; *h != NULL; h++) {
			if (memcasemem(l->val, l->vlen, *h) == NULL ||
			    same_server(w->server, *h, strlen(*h)))
				continue;
			if (found != NULL && found != *h)
				return false;
			found = *h;
		}
	}
	if (found == NULL)
		return false;
	set_referral(w->ni, AD_REF_WHOIS, found, strlen(found), 0, "", 0);
	return true;
}

static void
find_referral(struct wp *w, const struct wnet *net, int reg)
{
	struct ad_netinfo *ni = w->ni;
	size_t i, from = net ? net->bstart : 0, to = net ? net->bend : w->n;
	const char *const resource[] = { "ResourceLink", NULL };

	/* ARIN: ReferralServer of the chosen (last, most specific) block. */
	for (i = from; i < to; i++)
		if (keyis(&w->l[i], "ReferralServer") &&
		    parse_referral(ni, w->l[i].val, w->l[i].vlen))
			return;
	for (i = from; i < to; i++)
		if (keyin(&w->l[i], resource) &&
		    parse_referral(ni, w->l[i].val, w->l[i].vlen) &&
		    !same_server(w->server, ni->referral.host,
		    strlen(ni->referral.host)))
			return;
	memset(&ni->referral, 0, sizeof(ni->referral));
	/* A ResourceLink to another registry's RDAP service. */
	for (i = from; i < to; i++) {
		const struct wline *l = &w->l[i];

		if (keyin(l, resource) && l->vlen > 8 &&
		    strncasecmp(l->val, "https://", 8) == 0 &&
		    memcasemem(l->val, l->vlen, "rdap") != NULL) {
			set_referral(ni, AD_REF_RDAP, "", 0, 0, l->val, l->vlen);
			return;
		}
	}

	/* LACNIC's joint whois: "% Brazilian resource: whois.registro.br". */
	for (i = 0; i < w->n; i++) {
		const struct wline *l = &w->l[i];
		const char *r = l->comment ? memcasemem(l->val, l->vlen,
		    "resource:") : NULL;
		const char *h;
		size_t hl = 0;

		if (r == NULL)
			continue;
		h = r + 9;
		while (h < l->val + l->vlen && sp(*h))
			h++;
		while (h + hl < l->val + l->vlen && hostchar(h[hl]))
			hl++;
		if (hl > 0 && memchr(h, '.', hl) != NULL &&
		    !same_server(w->server, h, hl) &&
		    (net == NULL || ad_netinfo_best(ni) == NULL ||
		    ni->nhandles > 0)) {
			set_referral(ni, AD_REF_WHOIS, h, hl, 0, "", 0);
			return;
		}
	}

	/* APNIC: space a national registry manages, when APNIC's answer
	 * names no usable abuse desk (only the NIR's catch-all). */
	if (reg >= 0 && strcmp(registries[reg].name, "APNIC") == 0 &&
	    (ad_netinfo_best(ni) == NULL ||
	    ad_netinfo_best(ni)->confidence == AD_CONF_LOW)) {
		static const char *const marked[] = {
			"source", "mnt-irt", "mnt-lower", "mnt-by", "netname",
			"irt", "mnt-routes", NULL,
		};
		size_t k;

		for (i = 0; i < w->n; i++) {
			if (!keyin(&w->l[i], marked))
				continue;
			for (k = 0; k < sizeof(nirs) / sizeof(nirs[0]); k++)
				if (memcasemem(w->l[i].val, w->l[i].vlen,
				    nirs[k].marker) != NULL) {
					set_referral(ni, AD_REF_WHOIS,
					    nirs[k].host, strlen(nirs[k].host),
					    0, "", 0);
					return;
				}
		}
	}

	/* A stub that points elsewhere in prose ("via WHOIS.APNIC.NET"). */
	if (ni->flags & AD_NI_NO_DATA)
		(void)mentioned_host(w, 0, w->n);
	/* rwhois "%referral rwhois://..." only when nothing was found. */
	if (net == NULL && ni->referral.kind == AD_REF_NONE)
		for (i = 0; i < w->n; i++) {
			const struct wline *l = &w->l[i];
			const char *r;

			if (l->comment && (r = memcasemem(l->val, l->vlen,
			    "referral ")) != NULL && parse_referral(ni, r + 9,
			    l->vlen - (size_t)(r + 9 - l->val)))
				return;
		}
}

static const char *const ratelimit_text[] = {
	"%ERROR:201", "rate limit", "query limit", "too many queries",
	"quota exceeded",
	"excessive querying", "exceeded the maximum", "limit exceeded",
	"queries exceeded", "temporarily denied", "try again later",
	"access denied", NULL,
};
static const char *const notfound_text[] = {
	"%ERROR:101", "no entries found", "no match", "not found",
	"no data found", "does not exist", NULL,
};
/* Said by a notice anywhere, or by the chosen network's own lines. */
static const char *const nodata_notice[] = {
	"not allocated to", "not allocated by", "not fully allocated to",
	"not managed by", "not registered in the", "not administered by",
	"is not managed", "not set up in this registry",
	"allocated by another", NULL,
};
static const char *const nodata_text[] = {
	"not allocated to", "not allocated by", "not fully allocated to",
	"not managed by", "not registered in the", "transferred to",
	"not administered by", "is not managed", "not set up in this registry",
	"NON-RIPE-NCC-MANAGED", "IANA-BLK", "IANA-RSVD", "IANA-NETBLOCK",
	"ERX-NETBLOCK", "-CIDR-BLOCK", "General placeholder reference",
	"placeholder reference", "Early registration addresses",
	"allocated by another", "whole IPv4 address space",
	"whole IPv6 address space", NULL,
};

static bool
any_text(const struct wline *l, const char *const *texts)
{
	for (; *texts != NULL; texts++)
		if (memcasemem(l->val, l->vlen, *texts) != NULL)
			return true;
	return false;
}

static void
find_flags(struct wp *w, const struct wnet *net)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		const struct wline *l = &w->l[i];
		bool notice = l->comment || l->key == NULL;

		/* A notice is a comment or bare line; remarks are data. An
		 * answer with a network was served: only RIPE's %ERROR:201
		 * then still counts ("rate limit" may be mere policy text). */
		if (notice && (net == NULL ? any_text(l, ratelimit_text) :
		    memcasemem(l->val, l->vlen, "%ERROR:201") != NULL)) {
			w->ni->flags |= AD_NI_RATE_LIMITED;
			if (memcasemem(l->val, l->vlen, "%ERROR") != NULL)
				w->ni->flags |= AD_NI_ERROR;
		}
		if (net == NULL && notice && any_text(l, notfound_text))
			w->ni->flags |= AD_NI_NOT_FOUND;
		if (notice && memcasemem(l->val, l->vlen, "%ERROR:") != NULL)
			w->ni->flags |= AD_NI_ERROR;
		if (notice && any_text(l, nodata_notice))
			w->ni->flags |= AD_NI_NO_DATA;
	}
	if (net == NULL)
		return;
	/* Stubs of space another registry holds, in the chosen network. */
	for (i = net->line; i < net->bend; i++) {
		const struct wline *l = &w->l[i];

		if (keyis(l, "NetType") || keyis(l, "netname") ||
		    keyis(l, "NetName") || keyis(l, "Comment") ||
		    keyis(l, "descr") || keyis(l, "remarks") || l->comment) {
			if (any_text(l, nodata_text))
				w->ni->flags |= AD_NI_NO_DATA;
			/* ARIN's record of another RIR's block ("Allocated to
			 * RIPE NCC"); "Early Registrations, Maintained by ARIN"
			 * is ARIN's own data. */
			if (keyis(l, "NetType") && memcasemem(l->val, l->vlen,
			    "Allocated to") != NULL && memcasemem(l->val,
			    l->vlen, "ARIN") == NULL)
				w->ni->flags |= AD_NI_NO_DATA;
		}
	}
	/* 0.0.0.0 - 255.255.255.255: the "whole space" placeholder. */
	if (net->start.af != 0) {
		uint8_t s[16];
		static const uint8_t v4all[16] = {
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255,
		};
		static const uint8_t v6all[16] = {
			255, 255, 255, 255, 255, 255, 255, 255,
			255, 255, 255, 255, 255, 255, 255, 255,
		};

		range_size(net, s);
		if (memcmp(s, net->start.af == 4 ? v4all : v6all, 16) == 0)
			w->ni->flags |= AD_NI_NO_DATA;
	}
}

static const char *const k_name[] = {
	"netname", "NetName", "Network-Name", "Network Name", "Service Name",
	"as-name", "ASName", NULL,
};

static void
set_from(struct wp *w, const struct wnet *net, char *dst, size_t cap,
    const char *const *keys)
{
	const struct wline *l = find_key(w, net->fstart, net->bend, keys);

	if (l != NULL)
		setstr(w->ni, dst, cap, l->val, l->vlen);
}

static void
fill_network(struct wp *w, const struct wnet *net, int reg)
{
	struct ad_netinfo *ni = w->ni;
	const struct wline *nl = &w->l[net->line], *l;
	static const char *const k_name2[] = { "ownerid", "owner-id", NULL };
	static const char *const k_handle[] = {
		"NetHandle", "ID", "ASHandle", NULL,
	};
	static const char *const k_org[] = {
		"OrgName", "org-name", "owner", "CustName", "Org-Name",
		"Organization Name", NULL,
	};
	static const char *const k_org2[] = {
		"Organization", "Organisation", "descr", NULL,
	};
	static const char *const k_country[] = {
		"country", "Country-Code", NULL,
	};
	static const char *const k_parent[] = { "parent", NULL };
	static const char *const k_reg[] = {
		"RegDate", "created", "Registration Date", "Assigned Date",
		NULL,
	};
	static const char *const k_changed[] = {
		"Updated", "last-modified", "Last Update", NULL,
	};
	static const char *const k_lchanged[] = { "changed", NULL };

	if (net->start.af != 0) {
		ni->start = net->start;
		ni->end = net->end;
		if (net->is_cidr) {
			ni->ranges[0] = net->cidr;
			ni->nranges = 1;
		} else {
			int k = ad_range_to_cidrs(&net->start, &net->end,
			    ni->ranges, AD_NI_RANGES_MAX);

			if (k > AD_NI_RANGES_MAX) {
				ni->flags |= AD_NI_TRUNCATED;
				k = AD_NI_RANGES_MAX;
			}
			ni->nranges = k > 0 ? (size_t)k : 0;
		}
		snprintf(ni->object_class, sizeof(ni->object_class),
		    "ip network");
	} else {
		ni->asn_start = net->asn_start;
		ni->asn_end = net->asn_end;
		snprintf(ni->object_class, sizeof(ni->object_class), "autnum");
	}

	set_from(w, net, ni->netname, sizeof(ni->netname), k_name);
	if (ni->netname[0] == '\0')
		set_from(w, net, ni->netname, sizeof(ni->netname), k_name2);
	set_from(w, net, ni->handle, sizeof(ni->handle), k_handle);
	if (ni->handle[0] == '\0')
		setstr(ni, ni->handle, sizeof(ni->handle), nl->val, nl->vlen);
	set_from(w, net, ni->org, sizeof(ni->org), k_org);
	if (ni->org[0] == '\0')
		set_from(w, net, ni->org, sizeof(ni->org), k_org2);
	if ((l = find_key(w, net->fstart, net->bend, k_country)) != NULL &&
	    l->vlen >= 2) {
		char cc[3] = { l->val[0], l->val[1], '\0' };

		if (l->vlen == 2 || sp(l->val[2]) || l->val[2] == '#') {
			cc[0] = (char)(cc[0] & ~0x20);
			cc[1] = (char)(cc[1] & ~0x20);
			if (cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' &&
			    cc[1] <= 'Z')
				memcpy(ni->country, cc, 3);
		}
	}
	if (ni->country[0] == '\0' && reg >= 0 && registries[reg].country)
		snprintf(ni->country, sizeof(ni->country), "%s",
		    registries[reg].country);
	if ((l = find_key(w, net->fstart, net->bend, k_parent)) != NULL)
		setstr(ni, ni->parent, sizeof(ni->parent), l->val, l->vlen);
	set_from(w, net, ni->registered, sizeof(ni->registered), k_reg);
	set_from(w, net, ni->changed, sizeof(ni->changed), k_changed);
	if (ni->changed[0] == '\0' &&
	    (l = find_key(w, net->fstart, net->bend, k_lchanged)) != NULL &&
	    memchr(l->val, '@', l->vlen) == NULL)
		setstr(ni, ni->changed, sizeof(ni->changed), l->val, l->vlen);
}

/*
 * The networks of the answer that contain `net`, nearest first, as
 * indexes into w->nets. Returns how many.
 */
static size_t
enclosing(const struct wp *w, const struct wnet *net, size_t out[NETS_MAX])
{
	uint8_t si[16], sj[16];
	size_t i, j, n = 0;

	if (net->start.af == 0)
		return 0;
	for (i = 0; i < w->nn; i++) {
		const struct wnet *o = &w->nets[i];

		if (o == net || o->start.af != net->start.af ||
		    memcmp(o->start.b, net->start.b, 16) > 0 ||
		    memcmp(o->end.b, net->end.b, 16) < 0)
			continue;
		out[n++] = i;
	}
	/* Insertion sort by size: at most NETS_MAX entries. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--) {
			range_size(&w->nets[out[j - 1]], si);
			range_size(&w->nets[out[j]], sj);
			if (memcmp(si, sj, 16) <= 0)
				break;
			k_swap(&out[j - 1], &out[j]);
		}
	return n;
}

/*
 * Takes the contacts of the enclosing networks, nearest first, one rank
 * lower (the ISP's declared abuse desk is what a customer network without
 * one has, but it is not that network's own), until one is medium.
 */
static int
inherit_contacts(struct wp *w, const size_t *enc, size_t nenc)
{
	struct ad_netinfo *own = w->ni, *tmp;
	size_t e, i;

	if ((tmp = ad_malloc(sizeof(*tmp))) == NULL)
		return AD_ERR_NOMEM;
	for (e = 0; e < nenc; e++) {
		const struct wnet *o = &w->nets[enc[e]];
		const struct wline *l = &w->l[o->line];
		char obj[AD_NI_NAME_MAX];

		ad_netinfo_init(tmp);
		w->ni = tmp;
		collect_contacts(w, o);
		w->ni = own;
		own->flags |= tmp->flags & (AD_NI_HOSTILE | AD_NI_TRUNCATED);
		snprintf(obj, sizeof(obj), "enclosing %.*s", (int)(l->vlen > 100 ?
		    100 : l->vlen), l->val);
		for (i = 0; i < tmp->ncontacts; i++) {
			const struct ad_abuse_contact *c = &tmp->contacts[i];

			(void)ad_netinfo_add_contact(own, c->email,
			    strlen(c->email), c->confidence == AD_CONF_HIGH ?
			    AD_CONF_MEDIUM : AD_CONF_LOW, obj, c->evidence);
		}
		if (ad_netinfo_best(own) != NULL &&
		    ad_netinfo_best(own)->confidence >= AD_CONF_MEDIUM)
			break;
	}
	ad_free(tmp);
	return AD_OK;
}

int
ad_whois_parse(const char *text, size_t len, const char *server,
    struct ad_netinfo *out, struct ad_diag *diag)
{
	struct wp w;
	const struct wnet *net;
	char *buf = NULL;
	size_t blen, i, enc[NETS_MAX], nenc;
	int reg, r = AD_OK;

	if (out == NULL || (text == NULL && len > 0))
		return ad_diag_set(diag, AD_ERR_USAGE, "whois", 0,
		    "no text or no result");
	ad_netinfo_init(out);
	snprintf(out->protocol, sizeof(out->protocol), "whois");
	if (server != NULL)
		setstr(out, out->server, sizeof(out->server), server,
		    strlen(server));
	reg = registry_index(server);
	if (reg >= 0)
		snprintf(out->registry, sizeof(out->registry), "%s",
		    registries[reg].name);
	if (len > AD_WHOIS_INPUT_MAX) {
		len = AD_WHOIS_INPUT_MAX;
		out->flags |= AD_NI_TRUNCATED;
	}
	if (len == 0) {
		out->flags |= AD_NI_NOT_FOUND;
		return AD_OK;
	}

	memset(&w, 0, sizeof(w));
	w.server = server;
	w.ni = out;
	/* Our own copy: lines point into it, HTML is stripped in it. */
	if ((buf = ad_malloc(len + 1)) == NULL) {
		r = ad_diag_set(diag, AD_ERR_NOMEM, "whois", 0, "out of memory");
		goto out;
	}
	if (looks_html(text, len))
		blen = strip_html(text, len, buf);
	else {
		memcpy(buf, text, len);
		blen = len;
	}
	buf[blen] = '\0';
	if (!split_lines(&w, buf, blen)) {
		r = ad_diag_set(diag, AD_ERR_NOMEM, "whois", 0, "out of memory");
		goto out;
	}
	find_nets(&w);
	net = pick_net(&w);
	if (net != NULL) {
		fill_network(&w, net, reg);
		/* KRNIC's customer records have no name: the ISP's. */
		for (i = 0; out->netname[0] == '\0' && i < w.nn; i++)
			if (&w.nets[i] != net && w.nets[i].start.af ==
			    net->start.af && net->start.af != 0 &&
			    memcmp(w.nets[i].start.b, net->start.b, 16) <= 0 &&
			    memcmp(w.nets[i].end.b, net->end.b, 16) >= 0)
				set_from(&w, &w.nets[i], out->netname,
				    sizeof(out->netname), k_name);
		collect_contacts(&w, net);
		/* The network around it: its parent when the answer names
		 * none, and the contacts to fall back on when its own block
		 * has nothing better than low (an ARIN reassignment without
		 * POCs, KRNIC's customer record under the ISP's). */
		nenc = enclosing(&w, net, enc);
		if (out->parent[0] == '\0' && nenc > 0)
			setstr(out, out->parent, sizeof(out->parent),
			    w.l[w.nets[enc[0]].line].val,
			    w.l[w.nets[enc[0]].line].vlen);
		if (nenc > 0 && (ad_netinfo_best(out) == NULL ||
		    ad_netinfo_best(out)->confidence == AD_CONF_LOW) &&
		    (r = inherit_contacts(&w, enc, nenc)) != AD_OK) {
			r = ad_diag_set(diag, r, "whois", 0, "out of memory");
			goto out;
		}
	} else {
		/* TWNIC-like or unknown: any mailbox, low confidence. */
		for (i = 0; i < w.n; i++)
			if (!w.l[i].comment && !keyin(&w.l[i], skip_keys) &&
			    memchr(w.l[i].val, '@', w.l[i].vlen) != NULL)
				(void)add_line_emails(&w, i, AD_CONF_LOW, NULL);
	}
	if (out->registry[0] == '\0' && net != NULL) {
		static const char *const k_source[] = { "source", NULL };
		const struct wline *l = find_key(&w, net->line, net->bend,
		    k_source);

		if (l != NULL)
			setstr(out, out->registry, sizeof(out->registry),
			    l->val, strcspn(l->val, " #") < l->vlen ?
			    strcspn(l->val, " #") : l->vlen);
	}
	find_flags(&w, net);
	find_referral(&w, net, reg);
out:
	ad_free(w.l);
	ad_free(buf);
	return r;
}
