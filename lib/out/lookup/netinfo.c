/*
 * netinfo.c - the parsed-answer record (ad_netinfo.h): init, contacts,
 * range to CIDR cover, JSON.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_email.h"
#include "abusedesk/ad_ip.h"
#include "abusedesk/ad_json.h"
#include "abusedesk/ad_netinfo.h"

void
ad_netinfo_init(struct ad_netinfo *ni)
{
	memset(ni, 0, sizeof(*ni));
}

void
ad_netinfo_free(struct ad_netinfo *ni)
{
	if (ni != NULL)
		ad_netinfo_init(ni);
}

const char *
ad_confidence_name(enum ad_confidence c)
{
	switch (c) {
	case AD_CONF_HIGH:	return "high";
	case AD_CONF_MEDIUM:	return "medium";
	case AD_CONF_LOW:	return "low";
	default:		return "none";
	}
}

const char *
ad_referral_kind_name(enum ad_referral_kind k)
{
	switch (k) {
	case AD_REF_WHOIS:	return "whois";
	case AD_REF_RWHOIS:	return "rwhois";
	case AD_REF_RDAP:	return "rdap";
	default:		return "none";
	}
}

void
ad_netinfo_copy(struct ad_netinfo *ni, char *dst, size_t cap, const char *s,
    size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		/* Evidence is shown to people: no control bytes survive. */
		dst[o++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	dst[o] = '\0';
	if (i < n)
		ni->flags |= AD_NI_TRUNCATED;
}

int
ad_netinfo_add_contact(struct ad_netinfo *ni, const char *email, size_t n,
    enum ad_confidence conf, const char *object, const char *evidence)
{
	struct ad_abuse_contact *c;
	char norm[AD_NI_EMAIL_MAX + 1];
	const char *at;
	size_t i;

	if (ni == NULL || email == NULL || !ad_email_valid(email, n))
		return 0;
	/* Domains are case-insensitive: fold them; local parts are kept. */
	memcpy(norm, email, n);
	norm[n] = '\0';
	at = strchr(norm, '@');
	for (i = (size_t)(at - norm); i < n; i++)
		if (norm[i] >= 'A' && norm[i] <= 'Z')
			norm[i] = (char)(norm[i] - 'A' + 'a');
	for (i = 0; i < ni->ncontacts; i++) {
		c = &ni->contacts[i];
		if (strcasecmp(c->email, norm) != 0)
			continue;
		if (conf <= c->confidence)
			return 0;
		c->confidence = conf;
		ad_netinfo_copy(ni, c->object, sizeof(c->object), object ? object : "",
		    object ? strlen(object) : 0);
		ad_netinfo_copy(ni, c->evidence, sizeof(c->evidence),
		    evidence ? evidence : "", evidence ? strlen(evidence) : 0);
		return 1;
	}
	if (ni->ncontacts >= AD_NI_CONTACTS_MAX) {
		size_t low = 0;

		/* Full: a better contact evicts the last of the lowest
		 * confidence, so low ones seen first never crowd out the
		 * abuse desk. */
		ni->flags |= AD_NI_TRUNCATED;
		for (i = 1; i < ni->ncontacts; i++)
			if (ni->contacts[i].confidence <=
			    ni->contacts[low].confidence)
				low = i;
		if (ni->contacts[low].confidence >= conf)
			return 0;
		c = &ni->contacts[low];
	} else
		c = &ni->contacts[ni->ncontacts++];
	memset(c, 0, sizeof(*c));
	memcpy(c->email, norm, n + 1);
	c->confidence = conf;
	c->placeholder = ad_email_placeholder(norm, n);
	if (c->placeholder)
		ni->flags |= AD_NI_PLACEHOLDER;
	ad_netinfo_copy(ni, c->object, sizeof(c->object), object ? object : "",
	    object ? strlen(object) : 0);
	ad_netinfo_copy(ni, c->evidence, sizeof(c->evidence), evidence ? evidence : "",
	    evidence ? strlen(evidence) : 0);
	return 1;
}

const struct ad_abuse_contact *
ad_netinfo_best(const struct ad_netinfo *ni)
{
	const struct ad_abuse_contact *best = NULL;
	size_t i;

	for (i = 0; ni != NULL && i < ni->ncontacts; i++) {
		const struct ad_abuse_contact *c = &ni->contacts[i];

		if (c->placeholder || c->confidence == AD_CONF_NONE)
			continue;
		if (best == NULL || c->confidence > best->confidence)
			best = c;
	}
	return best;
}

/* Adds 2^bit to the big-endian 128-bit number a; returns true on overflow. */
static bool
add_pow2(uint8_t a[16], unsigned bit)
{
	int i = 15 - (int)(bit / 8);
	unsigned carry = 1u << (bit % 8);

	while (i >= 0 && carry) {
		unsigned v = a[i] + carry;

		a[i] = (uint8_t)v;
		carry = v >> 8;
		i--;
	}
	return carry != 0;
}

/* True when bit `bit` (0 = least significant) of a is set. */
static bool
bit_set(const uint8_t a[16], unsigned bit)
{
	return (a[15 - bit / 8] >> (bit % 8)) & 1;
}

/* Sets top to a with its k low bits set: the last address of the block. */
static void
block_top(const uint8_t a[16], unsigned k, uint8_t top[16])
{
	unsigned i;

	memcpy(top, a, 16);
	for (i = 0; i < k; i++)
		top[15 - i / 8] |= (uint8_t)(1u << (i % 8));
}

int
ad_range_to_cidrs(const struct ad_addr *first, const struct ad_addr *last,
    struct ad_cidr *out, size_t max)
{
	uint8_t cur[16], top[16];
	unsigned width, k;
	int n = 0;

	if (first == NULL || last == NULL || first->af == 0 ||
	    first->af != last->af || memcmp(first->b, last->b, 16) > 0)
		return -1;
	width = first->af == 4 ? 32 : 128;
	memcpy(cur, first->b, 16);
	for (;;) {
		/* The largest aligned block at cur that ends <= last. */
		for (k = 0; k < width && !bit_set(cur, k); k++) {
			block_top(cur, k + 1, top);
			if (memcmp(top, last->b, 16) > 0)
				break;
		}
		if ((size_t)n < max) {
			out[n].addr.af = first->af;
			memcpy(out[n].addr.b, cur, 16);
			out[n].prefix = (uint8_t)(width - k);
		}
		n++;
		block_top(cur, k, top);
		if (memcmp(top, last->b, 16) >= 0 || k >= width)
			break;
		/* top < last, so cur + 2^k cannot overflow. */
		(void)add_pow2(cur, k);
	}
	return n;
}

static int
kv_opt(struct ad_buf *b, bool *first, const char *key, const char *s)
{
	return ad_json_kv_str(b, first, key, (s != NULL && *s) ? s : NULL);
}

static int
kv_addr(struct ad_buf *b, bool *first, const char *key,
    const struct ad_addr *a)
{
	char t[AD_ADDR_STRLEN];

	if (a->af == 0)
		return ad_json_kv_null(b, first, key);
	return ad_json_kv_str(b, first, key, ad_addr_format(a, t));
}

static const struct {
	unsigned	 bit;
	const char	*name;
} flag_names[] = {
	{ AD_NI_PLACEHOLDER, "placeholder" },
	{ AD_NI_RATE_LIMITED, "rate-limited" },
	{ AD_NI_NO_DATA, "no-data" },
	{ AD_NI_NOT_FOUND, "not-found" },
	{ AD_NI_TRUNCATED, "truncated" },
	{ AD_NI_ERROR, "error" },
	{ AD_NI_HOSTILE, "hostile" },
};

int
ad_netinfo_json(struct ad_buf *b, const struct ad_netinfo *ni)
{
	char t[AD_ADDR_STRLEN + 8];
	bool f = true, g, h;
	size_t i;
	int r;

#define TRY(x) do { if ((r = (x)) != AD_OK) return r; } while (0)
	TRY(ad_buf_addc(b, '{'));
	TRY(kv_opt(b, &f, "server", ni->server));
	TRY(kv_opt(b, &f, "protocol", ni->protocol));
	TRY(kv_opt(b, &f, "object_class", ni->object_class));
	TRY(kv_opt(b, &f, "registry", ni->registry));

	TRY(ad_json_key(b, &f, "network"));
	TRY(ad_buf_addc(b, '{'));
	g = true;
	TRY(ad_json_key(b, &g, "ranges"));
	TRY(ad_buf_addc(b, '['));
	for (i = 0; i < ni->nranges; i++) {
		size_t l;

		ad_addr_format(&ni->ranges[i].addr, t);
		l = strlen(t);
		snprintf(t + l, sizeof(t) - l, "/%u",
		    (unsigned)ni->ranges[i].prefix);
		if (i > 0)
			TRY(ad_buf_addc(b, ','));
		TRY(ad_json_str(b, t, strlen(t)));
	}
	TRY(ad_buf_addc(b, ']'));
	TRY(kv_addr(b, &g, "start", &ni->start));
	TRY(kv_addr(b, &g, "end", &ni->end));
	TRY(kv_opt(b, &g, "handle", ni->handle));
	TRY(kv_opt(b, &g, "name", ni->netname));
	TRY(kv_opt(b, &g, "org", ni->org));
	TRY(kv_opt(b, &g, "country", ni->country));
	TRY(kv_opt(b, &g, "registered", ni->registered));
	TRY(kv_opt(b, &g, "changed", ni->changed));
	TRY(ad_buf_addc(b, '}'));

	if (ni->asn_start == 0 && ni->asn_end == 0)
		TRY(ad_json_kv_null(b, &f, "asn"));
	else {
		TRY(ad_json_key(b, &f, "asn"));
		TRY(ad_buf_addc(b, '{'));
		g = true;
		TRY(ad_json_kv_int(b, &g, "start", ni->asn_start));
		TRY(ad_json_kv_int(b, &g, "end", ni->asn_end));
		TRY(ad_buf_addc(b, '}'));
	}
	TRY(kv_opt(b, &f, "port43", ni->port43));

	TRY(ad_json_key(b, &f, "parent"));
	TRY(ad_buf_addc(b, '{'));
	g = true;
	TRY(kv_opt(b, &g, "handle", ni->parent));
	TRY(kv_opt(b, &g, "url", ni->parent_url));
	TRY(ad_buf_addc(b, '}'));

	TRY(ad_json_key(b, &f, "abuse"));
	TRY(ad_buf_addc(b, '['));
	for (i = 0; i < ni->ncontacts; i++) {
		const struct ad_abuse_contact *c = &ni->contacts[i];

		if (i > 0)
			TRY(ad_buf_addc(b, ','));
		TRY(ad_buf_addc(b, '{'));
		h = true;
		TRY(ad_json_kv_str(b, &h, "email", c->email));
		TRY(ad_json_kv_str(b, &h, "confidence",
		    ad_confidence_name(c->confidence)));
		TRY(ad_json_kv_bool(b, &h, "placeholder", c->placeholder));
		TRY(kv_opt(b, &h, "object", c->object));
		TRY(kv_opt(b, &h, "evidence", c->evidence));
		TRY(ad_buf_addc(b, '}'));
	}
	TRY(ad_buf_addc(b, ']'));

	TRY(ad_json_key(b, &f, "abuse_handles"));
	TRY(ad_buf_addc(b, '['));
	for (i = 0; i < ni->nhandles; i++) {
		if (i > 0)
			TRY(ad_buf_addc(b, ','));
		TRY(ad_buf_addc(b, '{'));
		h = true;
		TRY(ad_json_kv_str(b, &h, "handle", ni->abuse_handles[i].handle));
		TRY(kv_opt(b, &h, "object", ni->abuse_handles[i].object));
		TRY(ad_buf_addc(b, '}'));
	}
	TRY(ad_buf_addc(b, ']'));

	if (ni->referral.kind == AD_REF_NONE)
		TRY(ad_json_kv_null(b, &f, "referral"));
	else {
		const struct ad_referral *rf = &ni->referral;

		TRY(ad_json_key(b, &f, "referral"));
		TRY(ad_buf_addc(b, '{'));
		g = true;
		TRY(ad_json_kv_str(b, &g, "kind",
		    ad_referral_kind_name(rf->kind)));
		TRY(kv_opt(b, &g, "host", rf->host));
		if (rf->port != 0)
			TRY(ad_json_kv_int(b, &g, "port", rf->port));
		else
			TRY(ad_json_kv_null(b, &g, "port"));
		TRY(kv_opt(b, &g, "url", rf->url));
		TRY(kv_opt(b, &g, "query", rf->query));
		TRY(ad_buf_addc(b, '}'));
	}

	TRY(ad_json_key(b, &f, "flags"));
	TRY(ad_buf_addc(b, '['));
	g = true;
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		if (!(ni->flags & flag_names[i].bit))
			continue;
		if (!g)
			TRY(ad_buf_addc(b, ','));
		g = false;
		TRY(ad_json_str(b, flag_names[i].name,
		    strlen(flag_names[i].name)));
	}
	TRY(ad_buf_addc(b, ']'));
	TRY(ad_buf_addc(b, '}'));
#undef TRY
	return AD_OK;
}
