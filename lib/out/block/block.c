/*
 * block.c - the cover: which CIDRs to block for a set of offenders
 * (ad_block.h explains the policy).
 *
 * The work is done on intervals [lo, hi] of addresses: every offender, or
 * every aggregated piece, becomes one; the sorted, merged intervals then go
 * through ad_range_to_cidrs, which gives the minimal CIDR partition of each
 * run. Merging first is what turns two offending neighbours into a /31 and
 * two adjacent aggregated /24s into a /23, without ever adding an address
 * the policy did not choose.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_block.h"
#include "abusedesk/ad_netinfo.h"

struct interval {
	struct ad_addr	lo, hi;
};

struct work {
	const struct ad_block_policy	*pol;
	struct ad_block			*b;
	struct interval			*iv;
	size_t				 n_iv, cap_iv;
};

static unsigned
width_of(int af)
{
	return af == 4 ? 32 : 128;
}

/* Bit offset of a family's address inside the 16 bytes (v4 is mapped). */
static unsigned
base_of(int af)
{
	return af == 4 ? 96 : 0;
}

static int
fam(int af)
{
	return af == 4 ? AD_BLOCK_V4 : AD_BLOCK_V6;
}

static int
addr_qcmp(const void *a, const void *b)
{
	return ad_addr_cmp(a, b);
}

static int
interval_qcmp(const void *a, const void *b)
{
	return ad_addr_cmp(&((const struct interval *)a)->lo,
	    &((const struct interval *)b)->lo);
}

/* Sets (ones) or clears the bits of b from bit `from` (0 = MSB) to the end. */
static void
fill_from(uint8_t b[16], unsigned from, bool ones)
{
	unsigned i;

	for (i = from; i < 128; i++) {
		uint8_t m = (uint8_t)(0x80u >> (i % 8));

		if (ones)
			b[i / 8] |= m;
		else
			b[i / 8] &= (uint8_t)~m;
	}
}

/* Adds 2^(127 - bit) to b; true when it carried out of the top. */
static bool
add_one_at(uint8_t b[16], unsigned bit)
{
	int i = (int)(bit / 8);
	unsigned v = (unsigned)b[i] + (0x80u >> (bit % 8));

	b[i] = (uint8_t)v;
	while (v > 0xff && --i >= 0) {
		v = (unsigned)b[i] + 1;
		b[i] = (uint8_t)v;
	}
	return v > 0xff;
}

static void
cidr_first(const struct ad_cidr *c, struct ad_addr *out)
{
	*out = c->addr;
	fill_from(out->b, base_of(c->addr.af) + c->prefix, false);
}

static void
cidr_last(const struct ad_cidr *c, struct ad_addr *out)
{
	*out = c->addr;
	fill_from(out->b, base_of(c->addr.af) + c->prefix, true);
}

/* a + 1 == b, within one family. */
static bool
adjacent(const struct ad_addr *a, const struct ad_addr *b)
{
	uint8_t n[16];

	if (a->af != b->af)
		return false;
	memcpy(n, a->b, 16);
	/* The top of a family has no successor (v4 would leave ::ffff:0/96). */
	if (add_one_at(n, 127) || (a->af == 4 && n[11] != 0xff))
		return false;
	return memcmp(n, b->b, 16) == 0;
}

static bool
cidr_overlaps(const struct ad_cidr *a, const struct ad_cidr *b)
{
	return ad_cidr_contains(a, &b->addr) || ad_cidr_contains(b, &a->addr);
}

static bool
in_list(const struct ad_cidr *l, size_t n, const struct ad_addr *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ad_cidr_contains(&l[i], a))
			return true;
	return false;
}

static bool
overlaps_list(const struct ad_cidr *l, size_t n, const struct ad_cidr *c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cidr_overlaps(&l[i], c))
			return true;
	return false;
}

static bool
excluded_overlap(const struct ad_block_policy *pol, const struct ad_cidr *c)
{
	return overlaps_list(pol->own, pol->n_own, c) ||
	    overlaps_list(pol->allow, pol->n_allow, c);
}

/* Index of the first offender >= a. */
static size_t
lower_bound(const struct ad_block *b, const struct ad_addr *a)
{
	size_t lo = 0, hi = b->n_offenders;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ad_addr_cmp(&b->offenders[mid], a) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Offenders inside c: [*first, *first + return). */
static size_t
offenders_in(const struct ad_block *b, const struct ad_cidr *c, size_t *first)
{
	struct ad_addr lo, hi;
	size_t i, j;

	cidr_first(c, &lo);
	cidr_last(c, &hi);
	i = lower_bound(b, &lo);
	for (j = i; j < b->n_offenders &&
	    ad_addr_cmp(&b->offenders[j], &hi) <= 0;)
		j++;
	if (first)
		*first = i;
	return j - i;
}

static int
add_interval(struct work *w, const struct ad_addr *lo, const struct ad_addr *hi)
{
	if (w->n_iv == w->cap_iv) {
		size_t cap = w->cap_iv ? w->cap_iv * 2 : 64;
		struct interval *p = ad_reallocarray(w->iv, cap, sizeof(*p));

		if (p == NULL)
			return AD_ERR_NOMEM;
		w->iv = p;
		w->cap_iv = cap;
	}
	w->iv[w->n_iv].lo = *lo;
	w->iv[w->n_iv].hi = *hi;
	w->n_iv++;
	return AD_OK;
}

static int
add_cidr_interval(struct work *w, const struct ad_cidr *c)
{
	struct ad_addr lo, hi;

	cidr_first(c, &lo);
	cidr_last(c, &hi);
	return add_interval(w, &lo, &hi);
}

static int
add_exact(struct work *w, size_t first, size_t k)
{
	size_t i;
	int r;

	for (i = first; i < first + k; i++)
		if ((r = add_interval(w, &w->b->offenders[i],
		    &w->b->offenders[i])) != AD_OK)
			return r;
	return AD_OK;
}

/*
 * An aggregate candidate c (holding >= min offenders): kept whole when it
 * touches no excluded range, else split in halves, each half kept as an
 * aggregate (recursively) while it still holds >= min offenders.
 */
static int
add_aggregate(struct work *w, const struct ad_cidr *c)
{
	unsigned min = w->pol->agg_min[fam(c->addr.af)];
	struct ad_cidr half;
	size_t first, k;
	int h, r;

	if (!excluded_overlap(w->pol, c))
		return add_cidr_interval(w, c);
	/* Offenders are never excluded, so a host route never gets here. */
	for (h = 0; h < 2; h++) {
		half = *c;
		half.prefix = (uint8_t)(c->prefix + 1);
		if (h)	/* the upper half: the bit after the prefix set */
			(void)add_one_at(half.addr.b,
			    base_of(c->addr.af) + c->prefix);
		if ((k = offenders_in(w->b, &half, &first)) == 0)
			continue;
		r = k >= min ? add_aggregate(w, &half) :
		    add_exact(w, first, k);
		if (r != AD_OK)
			return r;
	}
	return AD_OK;
}

/* The offenders of one family as intervals, aggregated by the policy. */
static int
family_intervals(struct work *w, size_t from, size_t to)
{
	const struct ad_addr *o = w->b->offenders;
	int af = o[from].af;
	uint8_t p = w->pol->agg_prefix[fam(af)];
	size_t i, j;
	int r;

	if (p == 0)
		return add_exact(w, from, to - from);
	for (i = from; i < to; i = j) {
		struct ad_cidr c;

		c.addr = o[i];
		c.prefix = p;
		fill_from(c.addr.b, base_of(af) + p, false);
		for (j = i; j < to && ad_cidr_contains(&c, &o[j]); j++)
			;
		r = j - i >= w->pol->agg_min[fam(af)] ?
		    add_aggregate(w, &c) : add_exact(w, i, j - i);
		if (r != AD_OK)
			return r;
	}
	return AD_OK;
}

static int
add_entry(struct ad_block *b, const struct ad_cidr *c, size_t *cap)
{
	struct ad_block_entry *e;

	if (b->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		struct ad_block_entry *p = ad_reallocarray(b->entries, nc,
		    sizeof(*p));

		if (p == NULL)
			return AD_ERR_NOMEM;
		b->entries = p;
		*cap = nc;
	}
	e = &b->entries[b->n++];
	memset(e, 0, sizeof(*e));
	e->cidr = *c;
	e->host_bits = width_of(c->addr.af) - c->prefix;
	e->offending = offenders_in(b, c, NULL);
	return AD_OK;
}

/* One CIDR of the partition, cut into pieces no wider than the bound. */
static int
add_bounded(struct work *w, const struct ad_cidr *c, size_t *cap)
{
	uint8_t widest = w->pol->widest[fam(c->addr.af)];
	struct ad_cidr piece;
	struct ad_addr last;
	unsigned base = base_of(c->addr.af);
	int r;

	if (c->prefix >= widest)
		return add_entry(w->b, c, cap);
	/* The pieces: network, network + 2^(width - widest), ... */
	cidr_last(c, &last);
	piece = *c;
	piece.prefix = widest;
	do {
		if ((r = add_entry(w->b, &piece, cap)) != AD_OK)
			return r;
		if (add_one_at(piece.addr.b, base + widest - 1))
			break;
	} while (memcmp(piece.addr.b, last.b, 16) <= 0);
	return AD_OK;
}

void
ad_block_policy_init(struct ad_block_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->widest[AD_BLOCK_V4] = 16;
	pol->widest[AD_BLOCK_V6] = 32;
}

int
ad_block_parse_aggregate(struct ad_block_policy *pol, int af, const char *s,
    struct ad_diag *diag)
{
	unsigned long p, k;
	char *end;
	int f = fam(af);

	if (s == NULL || *s < '0' || *s > '9')
		goto bad;
	p = strtoul(s, &end, 10);
	if (*end != ':' || end[1] < '0' || end[1] > '9')
		goto bad;
	k = strtoul(end + 1, &end, 10);
	if (*end != '\0')
		goto bad;
	if (p < 1 || p > width_of(af))
		return ad_diag_set(diag, AD_ERR_USAGE, s, 0,
		    "aggregation prefix /%lu is not an IPv%d prefix length",
		    p, af);
	if (k < 1 || k > (1ul << 30))
		return ad_diag_set(diag, AD_ERR_USAGE, s, 0,
		    "aggregation needs at least 1 offender, got %lu", k);
	pol->agg_prefix[f] = (uint8_t)p;
	pol->agg_min[f] = (unsigned)k;
	return AD_OK;
bad:
	return ad_diag_set(diag, AD_ERR_USAGE, s ? s : "", 0,
	    "aggregation wants PREFIX:MIN, e.g. %s", af == 4 ? "24:4" : "64:2");
}

int
ad_block_compute(const struct ad_addr *addrs, size_t n,
    const struct ad_block_policy *polin, struct ad_block **out,
    struct ad_diag *diag)
{
	struct ad_block_policy pol = *polin;
	struct ad_block *b;
	struct work w;
	size_t i, k, cap = 0;
	int f, r = AD_OK;

	*out = NULL;
	for (f = 0; f < 2; f++) {
		unsigned width = f == AD_BLOCK_V4 ? 32 : 128;

		if (pol.widest[f] == 0)
			pol.widest[f] = f == AD_BLOCK_V4 ? 16 : 32;
		if (pol.widest[f] > width)
			pol.widest[f] = (uint8_t)width;
		if (pol.agg_prefix[f] && pol.agg_prefix[f] < pol.widest[f])
			return ad_diag_set(diag, AD_ERR_USAGE, "aggregate", 0,
			    "aggregation to /%u is wider than the bound /%u",
			    pol.agg_prefix[f], pol.widest[f]);
		if (pol.agg_min[f] == 0)
			pol.agg_min[f] = 1;
	}
	if ((b = ad_calloc(1, sizeof(*b))) == NULL)
		return AD_ERR_NOMEM;
	memset(&w, 0, sizeof(w));
	w.pol = &pol;
	w.b = b;
	if (n > 0 && (b->offenders = ad_reallocarray(NULL, n,
	    sizeof(*b->offenders))) == NULL) {
		r = AD_ERR_NOMEM;
		goto out;
	}
	/* Offenders: known family, not ours, not allowlisted (in that order). */
	for (i = 0; i < n; i++) {
		if (addrs[i].af != 4 && addrs[i].af != 6)
			continue;
		if (in_list(pol.own, pol.n_own, &addrs[i]))
			b->n_own++;
		else if (in_list(pol.allow, pol.n_allow, &addrs[i]))
			b->n_allow++;
		else
			b->offenders[b->n_offenders++] = addrs[i];
	}
	if (b->n_offenders > 1)	/* qsort wants a non-NULL base even for 0 */
		qsort(b->offenders, b->n_offenders, sizeof(*b->offenders),
		    addr_qcmp);
	for (i = k = 0; i < b->n_offenders; i++)
		if (k == 0 || ad_addr_cmp(&b->offenders[k - 1],
		    &b->offenders[i]) != 0)
			b->offenders[k++] = b->offenders[i];
	b->n_offenders = k;

	for (i = 0; i < b->n_offenders; i = k) {
		for (k = i; k < b->n_offenders &&
		    b->offenders[k].af == b->offenders[i].af; k++)
			;
		if ((r = family_intervals(&w, i, k)) != AD_OK)
			goto out;
	}
	if (w.n_iv > 1)
		qsort(w.iv, w.n_iv, sizeof(*w.iv), interval_qcmp);
	for (i = 0; i < w.n_iv; i = k) {
		struct ad_addr hi = w.iv[i].hi;
		struct ad_cidr part[2 * 128];
		int np, j;

		for (k = i + 1; k < w.n_iv && adjacent(&hi, &w.iv[k].lo); k++)
			hi = w.iv[k].hi;
		np = ad_range_to_cidrs(&w.iv[i].lo, &hi, part,
		    sizeof(part) / sizeof(part[0]));
		for (j = 0; j < np; j++)
			if ((r = add_bounded(&w, &part[j], &cap)) != AD_OK)
				goto out;
	}
out:
	ad_free(w.iv);
	if (r != AD_OK) {
		ad_block_free(b);
		return r;
	}
	*out = b;
	return AD_OK;
}

void
ad_block_free(struct ad_block *b)
{
	if (b == NULL)
		return;
	ad_free(b->entries);
	ad_free(b->offenders);
	ad_free(b);
}

char *
ad_cidr_format(const struct ad_cidr *c, char buf[AD_ADDR_STRLEN + 4])
{
	char a[AD_ADDR_STRLEN];

	snprintf(buf, AD_ADDR_STRLEN + 4, "%s/%u", ad_addr_format(&c->addr, a),
	    c->prefix);
	return buf;
}

char *
ad_block_size_text(unsigned host_bits, char buf[24])
{
	if (host_bits < 53)
		snprintf(buf, 24, "%llu", 1ull << host_bits);
	else
		snprintf(buf, 24, "2^%u", host_bits);
	return buf;
}
