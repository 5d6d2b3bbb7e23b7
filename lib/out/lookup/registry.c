/*
 * registry.c - RDAP base URL and whois server tables, longest match.
 *
 * A few thousand entries at most: a linear scan for the most specific match
 * costs a microsecond or two, far below one network round trip, and keeps
 * the loaders trivial (entries may come in any order and overlap). The
 * range cache answers repeated addresses before we ever get here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_registry.h"

/* Generated at build time from the data/ tables (see the Makefile). */
extern const char ad_table_rdap[];
extern const char ad_table_whois[];

struct entry {
	uint8_t		kind;		/* enum ad_registry_kind */
	uint8_t		origin;		/* enum ad_registry_origin */
	uint8_t		af;		/* 4, 6, or 0 for an AS range */
	uint8_t		prefix;		/* over 128 bits (IPv4: +96) */
	uint8_t		net[16];
	uint32_t	as_lo, as_hi;
	uint8_t		ntargets;
	char		*targets[AD_REGISTRY_TARGETS_MAX];
};

struct ad_registry {
	struct entry	*e;
	size_t		 n, cap;
};

int
ad_registry_new(struct ad_registry **out)
{
	*out = ad_calloc(1, sizeof(**out));
	return *out ? AD_OK : AD_ERR_NOMEM;
}

static void
entry_clear(struct entry *e)
{
	unsigned i;

	for (i = 0; i < e->ntargets; i++)
		ad_free(e->targets[i]);
	e->ntargets = 0;
}

void
ad_registry_free(struct ad_registry *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		entry_clear(&r->e[i]);
	ad_free(r->e);
	ad_free(r);
}

static struct entry *
entry_add(struct ad_registry *r)
{
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 256;
		struct entry *ne;

		if (r->n >= 2 * AD_REGISTRY_ENTRIES_MAX)
			return NULL;
		if ((ne = ad_reallocarray(r->e, nc, sizeof(*ne))) == NULL)
			return NULL;
		r->e = ne;
		r->cap = nc;
	}
	memset(&r->e[r->n], 0, sizeof(r->e[0]));
	return &r->e[r->n++];
}

static int
add_target(struct entry *e, const char *s, size_t n)
{
	if (e->ntargets >= AD_REGISTRY_TARGETS_MAX || n == 0)
		return AD_OK;
	if ((e->targets[e->ntargets] = ad_strndup(s, n)) == NULL)
		return AD_ERR_NOMEM;
	e->ntargets++;
	return AD_OK;
}

static bool
parse_u32(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* "AS1", "AS1-AS5", "1-5", "AS1-5" (the AS prefix is optional). */
static bool
parse_as_range(const char *s, size_t n, uint32_t *lo, uint32_t *hi)
{
	const char *dash = memchr(s, '-', n);
	const char *a = s, *b;
	size_t al, bl;

	if (n >= 2 && (a[0] == 'A' || a[0] == 'a') && (a[1] == 'S' ||
	    a[1] == 's'))
		a += 2;
	al = (size_t)((dash ? dash : s + n) - a);
	if (!parse_u32(a, al, lo))
		return false;
	if (dash == NULL) {
		*hi = *lo;
		return true;
	}
	b = dash + 1;
	bl = (size_t)(s + n - b);
	if (bl >= 2 && (b[0] == 'A' || b[0] == 'a') && (b[1] == 'S' ||
	    b[1] == 's')) {
		b += 2;
		bl -= 2;
	}
	return parse_u32(b, bl, hi) && *lo <= *hi;
}

/* Fills the key part of e from "CIDR" or an AS range. */
static bool
parse_key(struct entry *e, const char *s, size_t n)
{
	struct ad_cidr c;

	if (n > 0 && ((s[0] == 'A' || s[0] == 'a') || memchr(s, '.', n) ==
	    NULL) && memchr(s, ':', n) == NULL) {
		if (!parse_as_range(s, n, &e->as_lo, &e->as_hi))
			return false;
		e->af = 0;
		return true;
	}
	if (!ad_cidr_parse(s, n, &c))
		return false;
	e->af = c.addr.af;
	e->prefix = (uint8_t)(c.addr.af == 4 ? c.prefix + 96 : c.prefix);
	memcpy(e->net, c.addr.b, 16);
	return true;
}

static bool
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int
ad_registry_load_tsv(struct ad_registry *r, enum ad_registry_kind kind,
    enum ad_registry_origin origin, const char *text, size_t len,
    const char *where, struct ad_diag *diag)
{
	const char *p = text, *end = text + len;
	unsigned long line = 0;
	size_t before = r->n;
	int rv;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q, *k;
		struct entry *e;

		if (eol == NULL)
			eol = end;
		line++;
		if ((size_t)(eol - p) > AD_REGISTRY_LINE_MAX)
			return ad_diag_set(diag, AD_ERR_PARSE, where, line,
			    "line longer than %d bytes", AD_REGISTRY_LINE_MAX);
		q = p;
		while (q < eol && is_blank((unsigned char)*q))
			q++;
		if (q == eol || *q == '#') {
			p = eol + 1;
			continue;
		}
		k = q;
		while (q < eol && !is_blank((unsigned char)*q) && *q != '#')
			q++;
		if (r->n - before >= AD_REGISTRY_ENTRIES_MAX)
			return ad_diag_set(diag, AD_ERR_LIMIT, where, line,
			    "more than %d entries", AD_REGISTRY_ENTRIES_MAX);
		if ((e = entry_add(r)) == NULL)
			return ad_diag_set(diag, AD_ERR_NOMEM, where, line,
			    "out of memory");
		e->kind = (uint8_t)kind;
		e->origin = (uint8_t)origin;
		if (!parse_key(e, k, (size_t)(q - k))) {
			r->n--;
			return ad_diag_set(diag, AD_ERR_PARSE, where, line,
			    "not a CIDR or AS range: \"%.*s\"", (int)(q - k), k);
		}
		for (;;) {
			const char *t;

			while (q < eol && is_blank((unsigned char)*q))
				q++;
			if (q == eol || *q == '#')
				break;
			t = q;
			while (q < eol && !is_blank((unsigned char)*q))
				q++;
			if ((rv = add_target(e, t, (size_t)(q - t))) != AD_OK)
				return ad_diag_set(diag, rv, where, line,
				    "out of memory");
		}
		if (e->ntargets == 0) {
			r->n--;
			return ad_diag_set(diag, AD_ERR_PARSE, where, line,
			    "no server given");
		}
		p = eol + 1;
	}
	return AD_OK;
}

int
ad_registry_load_bootstrap(struct ad_registry *r,
    enum ad_registry_origin origin, const char *json, size_t len,
    const char *where, struct ad_diag *diag)
{
	json_error_t jerr;
	json_t *root, *services, *svc;
	size_t i, j, k;
	int rv = AD_OK;

	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return ad_diag_set(diag, AD_ERR_PARSE, where,
		    (unsigned long)jerr.line, "%s", jerr.text);
	services = json_object_get(root, "services");
	if (!json_is_array(services)) {
		rv = ad_diag_set(diag, AD_ERR_PARSE, where, 0,
		    "no \"services\" array (not an RDAP bootstrap file)");
		goto out;
	}
	json_array_foreach(services, i, svc) {
		json_t *keys = json_array_get(svc, 0);
		json_t *urls = json_array_get(svc, 1), *key, *u;
		bool have_https = false;

		if (!json_is_array(keys) || !json_is_array(urls)) {
			rv = ad_diag_set(diag, AD_ERR_PARSE, where, 0,
			    "service %zu is not [[keys], [urls]]", i);
			goto out;
		}
		json_array_foreach(urls, k, u)
			if (json_is_string(u) && strncmp(json_string_value(u),
			    "https://", 8) == 0)
				have_https = true;
		json_array_foreach(keys, j, key) {
			struct entry *e;
			const char *ks = json_string_value(key);

			if (ks == NULL)
				continue;
			if ((e = entry_add(r)) == NULL) {
				rv = ad_diag_set(diag, AD_ERR_NOMEM, where, 0,
				    "out of memory");
				goto out;
			}
			e->kind = AD_REG_RDAP;
			e->origin = (uint8_t)origin;
			if (!parse_key(e, ks, strlen(ks))) {
				r->n--;
				/* object-tag files: keys like "ARIN"; skip */
				continue;
			}
			json_array_foreach(urls, k, u) {
				const char *us = json_string_value(u);

				if (us == NULL || (have_https &&
				    strncmp(us, "https://", 8) != 0))
					continue;
				if ((rv = add_target(e, us, strlen(us))) !=
				    AD_OK)
					goto out;
			}
			if (e->ntargets == 0)
				r->n--;
		}
	}
 out:
	json_decref(root);
	return rv;
}

int
ad_registry_load_file(struct ad_registry *r, enum ad_registry_kind kind,
    enum ad_registry_origin origin, const char *path, struct ad_diag *diag)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0, got;
	int rv;

	if ((f = fopen(path, "r")) == NULL)
		return ad_diag_set(diag, AD_ERR_IO, path, 0, "%s",
		    strerror(errno));
	for (;;) {
		if (len == cap) {
			char *nb;

			if (cap >= 64u * 1024 * 1024) {
				rv = ad_diag_set(diag, AD_ERR_LIMIT, path, 0,
				    "larger than 64 MiB");
				goto out;
			}
			cap = cap ? cap * 2 : 65536;
			if ((nb = ad_reallocarray(buf, cap, 1)) == NULL) {
				rv = ad_diag_set(diag, AD_ERR_NOMEM, path, 0,
				    "out of memory");
				goto out;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		rv = ad_diag_set(diag, AD_ERR_IO, path, 0, "read error");
		goto out;
	}
	{
		size_t i = 0;

		while (i < len && (buf[i] == ' ' || buf[i] == '\n' ||
		    buf[i] == '\t' || buf[i] == '\r'))
			i++;
		if (kind == AD_REG_RDAP && i < len && buf[i] == '{')
			rv = ad_registry_load_bootstrap(r, origin, buf, len,
			    path, diag);
		else
			rv = ad_registry_load_tsv(r, kind, origin, buf, len,
			    path, diag);
	}
 out:
	fclose(f);
	ad_free(buf);
	return rv;
}

int
ad_registry_load_shipped(struct ad_registry *r, const char *dir,
    struct ad_diag *diag)
{
	char path[1024];
	FILE *f;
	int rv;

	if (dir && *dir) {
		snprintf(path, sizeof(path), "%s/rdap-bootstrap.tsv", dir);
		if ((f = fopen(path, "r")) != NULL) {
			fclose(f);
			if ((rv = ad_registry_load_file(r, AD_REG_RDAP,
			    AD_REG_SHIPPED, path, diag)) != AD_OK)
				return rv;
			goto whois;
		}
	}
	if ((rv = ad_registry_load_tsv(r, AD_REG_RDAP, AD_REG_SHIPPED,
	    ad_table_rdap, strlen(ad_table_rdap), "rdap-bootstrap.tsv",
	    diag)) != AD_OK)
		return rv;
 whois:
	if (dir && *dir) {
		snprintf(path, sizeof(path), "%s/whois-servers.tsv", dir);
		if ((f = fopen(path, "r")) != NULL) {
			fclose(f);
			return ad_registry_load_file(r, AD_REG_WHOIS,
			    AD_REG_SHIPPED, path, diag);
		}
	}
	return ad_registry_load_tsv(r, AD_REG_WHOIS, AD_REG_SHIPPED,
	    ad_table_whois, strlen(ad_table_whois), "whois-servers.tsv", diag);
}

static int
give(const struct entry *e, const char **out, size_t max, size_t *n)
{
	size_t i;

	for (i = 0; i < e->ntargets && i < max; i++)
		out[i] = e->targets[i];
	*n = i;
	return 1;
}

int
ad_registry_find(const struct ad_registry *r, enum ad_registry_kind kind,
    const struct ad_addr *addr, const char **out, size_t max, size_t *n)
{
	const struct entry *best = NULL;
	size_t i;

	*n = 0;
	for (i = 0; i < r->n; i++) {
		const struct entry *e = &r->e[i];

		if (e->kind != kind || e->af != addr->af ||
		    !ad_prefix_match(e->net, e->prefix, addr->b))
			continue;
		if (best == NULL || e->origin > best->origin ||
		    (e->origin == best->origin && e->prefix >= best->prefix))
			best = e;
	}
	return best ? give(best, out, max, n) : 0;
}

int
ad_registry_find_asn(const struct ad_registry *r, enum ad_registry_kind kind,
    uint32_t asn, const char **out, size_t max, size_t *n)
{
	const struct entry *best = NULL;
	size_t i;

	*n = 0;
	for (i = 0; i < r->n; i++) {
		const struct entry *e = &r->e[i];

		if (e->kind != kind || e->af != 0 || asn < e->as_lo ||
		    asn > e->as_hi)
			continue;
		if (best == NULL || e->origin > best->origin ||
		    (e->origin == best->origin && e->as_hi - e->as_lo <=
		    best->as_hi - best->as_lo))
			best = e;
	}
	return best ? give(best, out, max, n) : 0;
}

const char *
ad_registry_name(const char *s)
{
	static const struct {
		const char *needle, *name;
	} names[] = {
		{ "jpnic", "JPNIC" }, { "nic.ad.jp", "JPNIC" },
		{ "krnic", "KRNIC" }, { "nic.or.kr", "KRNIC" },
		{ "kisa.or.kr", "KRNIC" }, { "twnic", "TWNIC" },
		{ "registro.br", "NIC.br" }, { "arin.net", "ARIN" },
		{ "ripe.net", "RIPE NCC" }, { "apnic.net", "APNIC" },
		{ "lacnic.net", "LACNIC" }, { "afrinic.net", "AFRINIC" },
	};
	size_t i;

	if (s == NULL)
		return "";
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strstr(s, names[i].needle))
			return names[i].name;
	return "";
}

int
ad_registry_bootstrap_to_tsv(const char *const *json, const size_t *len,
    size_t n, const char *source, const char *date, char **out,
    struct ad_diag *diag)
{
	struct ad_registry *r = NULL;
	char *buf = NULL;
	size_t cap = 0, used = 0, i;
	int rv;

	*out = NULL;
	if ((rv = ad_registry_new(&r)) != AD_OK)
		return rv;
	for (i = 0; i < n; i++)
		if ((rv = ad_registry_load_bootstrap(r, AD_REG_SHIPPED,
		    json[i], len[i], source, diag)) != AD_OK)
			goto out;
	for (i = 0; i <= r->n; i++) {
		char line[AD_REGISTRY_LINE_MAX + 64];
		int k = 0;

		if (i == 0)
			k = snprintf(line, sizeof(line),
			    "# abusedesk RDAP bootstrap table, refreshed %s by"
			    " abusedesk tables refresh\n# source: %s\n"
			    "# format: CIDR|ASn-ASm <TAB> base-url"
			    " [<TAB> base-url...]; the longest match wins\n",
			    date, source);
		else {
			const struct entry *e = &r->e[i - 1];
			char a[AD_ADDR_STRLEN];
			struct ad_addr ad;
			unsigned t;

			if (e->af == 0)
				k = snprintf(line, sizeof(line),
				    "AS%u-AS%u", e->as_lo, e->as_hi);
			else {
				ad.af = e->af;
				memcpy(ad.b, e->net, 16);
				k = snprintf(line, sizeof(line), "%s/%u",
				    ad_addr_format(&ad, a), e->af == 4 ?
				    e->prefix - 96u : e->prefix);
			}
			for (t = 0; t < e->ntargets && k > 0 &&
			    (size_t)k < sizeof(line); t++) {
				/* A URL with blanks would break the TSV. */
				if (strpbrk(e->targets[t], " \t\r\n#"))
					continue;
				k += snprintf(line + k, sizeof(line) - (size_t)k,
				    "\t%s", e->targets[t]);
			}
			if (k > 0 && (size_t)k < sizeof(line) - 1) {
				line[k++] = '\n';
				line[k] = '\0';
			}
		}
		if (k < 0 || (size_t)k >= sizeof(line))
			continue;
		if (used + (size_t)k + 1 > cap) {
			size_t nc = (cap + (size_t)k + 1) * 2;
			char *nb = ad_reallocarray(buf, nc, 1);

			if (nb == NULL) {
				rv = AD_ERR_NOMEM;
				goto out;
			}
			buf = nb;
			cap = nc;
		}
		memcpy(buf + used, line, (size_t)k + 1);
		used += (size_t)k;
	}
	*out = buf;
	buf = NULL;
 out:
	ad_free(buf);
	ad_registry_free(r);
	return rv;
}
