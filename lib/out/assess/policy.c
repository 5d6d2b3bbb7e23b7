/*
 * policy.c - the assessment policy: the config's assess.* keys and the
 * lists they name, and the shipped tables (data/freemail.tsv,
 * data/scanners.tsv, data/large-providers.tsv, compiled in by the
 * Makefile as ad_table_*).
 *
 * Everything is copied out of the config, so the policy outlives it. The
 * lists are small (a few hundred entries) and read once per source, so
 * they are scanned linearly; only the Tor exit list, which a user
 * downloads and may be large, is sorted and searched.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_assess.h"
#include "abusedesk/ad_ctx.h"
#include "assess_int.h"

extern const char ad_table_freemail[];
extern const char ad_table_scanners[];
extern const char ad_table_large[];

#define LINE_MAX_LEN	4096

/* --- small helpers ------------------------------------------------------- */

const char *
assess_registrable(const char *d)
{
	static const char *const second[] = {
		"ac", "co", "com", "edu", "gob", "go", "gov", "ltd", "mil",
		"ne", "net", "nic", "or", "org", "plc", "sch",
	};
	const char *last = strrchr(d, '.'), *prev, *pp;
	size_t i, l;

	if (last == NULL || last == d)
		return d;
	for (prev = last - 1; prev > d && prev[-1] != '.'; prev--)
		;
	/* prev: start of the second-to-last label. */
	if (prev == d || strlen(last + 1) != 2)
		return prev;
	l = (size_t)(last - prev);
	for (i = 0; i < sizeof(second) / sizeof(second[0]); i++)
		if (strlen(second[i]) == l && strncmp(prev, second[i], l) == 0) {
			for (pp = prev - 1; pp > d && pp[-1] != '.'; pp--)
				;
			return pp;
		}
	return prev;
}

bool
assess_domain_under(const char *d, const char *suffix)
{
	size_t dl = strlen(d), sl = strlen(suffix);

	if (sl == 0 || dl < sl || strcasecmp(d + dl - sl, suffix) != 0)
		return false;
	return dl == sl || d[dl - sl - 1] == '.';
}

bool
assess_has_word(const char *text, const char *word)
{
	size_t wl = strlen(word);
	const char *t;

	if (wl == 0)
		return false;
	for (t = text; *t; t++) {
		if (strncasecmp(t, word, wl) != 0)
			continue;
		if ((t == text || !isalnum((unsigned char)t[-1])) &&
		    !isalnum((unsigned char)t[wl]))
			return true;
	}
	return false;
}

/* Splits a table line into up to n tab-separated fields (in place). */
static size_t
split_tabs(char *line, char **f, size_t n)
{
	size_t k = 0;
	char *p = line;

	while (k < n) {
		f[k++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p++ = '\0';
	}
	return k;
}

static int
named_add(struct named **list, size_t *n, const char *key, const char *label)
{
	struct named *nl;
	char *k, *l;

	if (*n >= AD_ASSESS_FILE_LINES_MAX)
		return AD_ERR_LIMIT;
	k = ad_strndup(key, strlen(key));
	l = ad_strndup(label, strlen(label));
	nl = (k && l) ? ad_reallocarray(*list, *n + 1, sizeof(*nl)) : NULL;
	if (nl == NULL) {
		ad_free(k);
		ad_free(l);
		return AD_ERR_NOMEM;
	}
	for (char *c = k; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	nl[*n].key = k;
	nl[(*n)++].label = l;
	*list = nl;
	return AD_OK;
}

static int
cidr_add(struct ad_assess_policy *p, const struct ad_cidr *c,
    const char *label)
{
	struct named_cidr *nl;
	char *l;

	if (p->n_scan_ranges >= AD_ASSESS_FILE_LINES_MAX)
		return AD_ERR_LIMIT;
	l = ad_strndup(label, strlen(label));
	nl = l ? ad_reallocarray(p->scan_ranges, p->n_scan_ranges + 1,
	    sizeof(*nl)) : NULL;
	if (nl == NULL) {
		ad_free(l);
		return AD_ERR_NOMEM;
	}
	nl[p->n_scan_ranges].c = *c;
	nl[p->n_scan_ranges++].label = l;
	p->scan_ranges = nl;
	return AD_OK;
}

/* A reverse-DNS suffix as written in a list: ".name.tld". */
static bool
suffix_ok(const char *s)
{
	return s[0] == '.' && s[1] != '\0' && s[1] != '.' &&
	    ad_rdns_name_valid(s + 1, strlen(s + 1));
}

/* --- shipped tables ---------------------------------------------------- */

/*
 * Calls each(p, fields, nfields, lineno) for every non-comment line of a
 * compiled-in table. The tables are ours, so a bad line is a build bug:
 * AD_ERR_PARSE with the table and line in diag (a unit test loads them).
 */
typedef int (*table_line_fn)(struct ad_assess_policy *p, char **f, size_t nf);

static int
load_table(struct ad_assess_policy *p, const char *text, const char *name,
    table_line_fn each, struct ad_diag *diag)
{
	char line[LINE_MAX_LEN], *f[4];
	const char *s = text, *nl;
	unsigned long n = 0;
	int r;

	for (; *s; s = nl + (*nl != '\0')) {
		size_t l;

		nl = s + strcspn(s, "\n");
		l = (size_t)(nl - s);
		n++;
		if (l == 0 || s[0] == '#')
			continue;
		if (l >= sizeof(line))
			return ad_diag_set(diag, AD_ERR_PARSE, name, n,
			    "line too long");
		memcpy(line, s, l);
		line[l] = '\0';
		r = each(p, f, split_tabs(line, f, 4));
		if (r == AD_ERR_NOMEM)
			return ad_diag_set(diag, r, name, n, "out of memory");
		if (r != AD_OK)
			return ad_diag_set(diag, AD_ERR_PARSE, name, n,
			    "bad table line");
	}
	return AD_OK;
}

static int
freemail_line(struct ad_assess_policy *p, char **f, size_t nf)
{
	size_t l = strlen(f[0]);
	bool wild = l > 2 && strcmp(f[0] + l - 2, ".*") == 0;

	if (nf < 2 || !(wild ? ad_rdns_name_valid(f[0], l - 2) :
	    ad_rdns_name_valid(f[0], l)))
		return AD_ERR_PARSE;
	return named_add(&p->freemail, &p->n_freemail, f[0], f[1]);
}

static int
scanner_line(struct ad_assess_policy *p, char **f, size_t nf)
{
	struct ad_cidr c;
	char label[256];

	if (nf < 3)
		return AD_ERR_PARSE;
	snprintf(label, sizeof(label), "%s%s%s", f[2], nf > 3 ? ", " : "",
	    nf > 3 ? f[3] : "");
	if (strcmp(f[0], "rdns") == 0 && suffix_ok(f[1]))
		return named_add(&p->scan_names, &p->n_scan_names, f[1], label);
	if (strcmp(f[0], "cidr") == 0 && ad_cidr_parse(f[1], strlen(f[1]), &c))
		return cidr_add(p, &c, label);
	return AD_ERR_PARSE;
}

static int
large_line(struct ad_assess_policy *p, char **f, size_t nf)
{
	if (nf < 3)
		return AD_ERR_PARSE;
	if (strcmp(f[0], "domain") == 0 &&
	    ad_rdns_name_valid(f[1], strlen(f[1])))
		return named_add(&p->large_domains, &p->n_large_domains, f[1],
		    f[2]);
	if (strcmp(f[0], "org") == 0 && f[1][0] != '\0')
		return named_add(&p->large_words, &p->n_large_words, f[1], f[2]);
	return AD_ERR_PARSE;
}

/* --- user files -------------------------------------------------------- */

/* Strips a '#' comment and surrounding blanks; returns the text. */
static char *
strip_line(char *s)
{
	char *e;

	if ((e = strchr(s, '#')) != NULL)
		*e = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * Reads a user list line by line: each(p, text, path, lineno, diag) gets
 * the stripped, non-empty lines. Lines longer than LINE_MAX_LEN go to each
 * as NULL (the list decides whether that is an error).
 */
typedef int (*file_line_fn)(struct ad_assess_policy *p, char *text,
    const char *path, unsigned long n, struct ad_diag *diag);

static int
load_file(struct ad_assess_policy *p, const char *path, file_line_fn each,
    struct ad_diag *diag)
{
	FILE *f;
	char line[LINE_MAX_LEN];
	unsigned long n = 0;
	int r = AD_OK;
	bool skipping = false;

	if ((f = fopen(path, "r")) == NULL)
		return ad_diag_set(diag, AD_ERR_IO, path, 0, "%s",
		    strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		bool whole = strchr(line, '\n') != NULL || feof(f);
		char *t;

		if (skipping) {		/* the rest of an over-long line */
			skipping = !whole;
			continue;
		}
		if (++n > AD_ASSESS_FILE_LINES_MAX) {
			r = ad_diag_set(diag, AD_ERR_LIMIT, path, n,
			    "more than %d lines", AD_ASSESS_FILE_LINES_MAX);
			break;
		}
		if (!whole) {
			skipping = true;
			if ((r = each(p, NULL, path, n, diag)) != AD_OK)
				break;
			continue;
		}
		t = strip_line(line);
		if (*t && (r = each(p, t, path, n, diag)) != AD_OK)
			break;
	}
	if (r == AD_OK && ferror(f))
		r = ad_diag_set(diag, AD_ERR_IO, path, n, "%s", strerror(errno));
	fclose(f);
	return r;
}

/* assess.scanners: "CIDR [label]" or ".suffix [label]"; a bad line is an
 * error (the user wrote it, and a typo must not hide an attacker). */
static int
user_scanner_line(struct ad_assess_policy *p, char *t, const char *path,
    unsigned long n, struct ad_diag *diag)
{
	struct ad_cidr c;
	size_t l;
	const char *label;
	char what[300];
	int r;

	if (t == NULL)
		return ad_diag_set(diag, AD_ERR_PARSE, path, n, "line too long");
	l = strcspn(t, " \t");
	label = t + l + strspn(t + l, " \t");
	t[l] = '\0';
	snprintf(what, sizeof(what), "%s, from %s", *label ? label :
	    "listed", path);
	if (t[0] == '.') {
		if (!suffix_ok(t))
			return ad_diag_set(diag, AD_ERR_PARSE, path, n,
			    "not a .domain suffix: \"%.64s\"", t);
		r = named_add(&p->scan_names, &p->n_scan_names, t, what);
	} else {
		if (!ad_cidr_parse(t, l, &c))
			return ad_diag_set(diag, AD_ERR_PARSE, path, n,
			    "expected an address, a CIDR range or a .suffix, "
			    "got \"%.64s\"", t);
		r = cidr_add(p, &c, what);
	}
	if (r != AD_OK)
		return ad_diag_set(diag, r, path, n, "%s", r == AD_ERR_LIMIT ?
		    "too many entries" : "out of memory");
	return AD_OK;
}

/* assess.tor_exits: TorDNSEL ("ExitAddress A DATE TIME", other keywords
 * ignored) or one address a line. The list is downloaded, not written by
 * the user: bad lines are counted, not fatal. */
static int
tor_line(struct ad_assess_policy *p, char *t, const char *path,
    unsigned long n, struct ad_diag *diag)
{
	struct ad_addr a, *nl;
	size_t l;

	if (t == NULL) {
		p->tor_bad_lines++;
		return AD_OK;
	}
	if (strncmp(t, "ExitAddress", 11) == 0 && (t[11] == ' ' ||
	    t[11] == '\t'))
		t += 12 + strspn(t + 12, " \t");
	else if (strncmp(t, "ExitNode", 8) == 0 ||
	    strncmp(t, "Published", 9) == 0 ||
	    strncmp(t, "LastStatus", 10) == 0)
		return AD_OK;
	l = strcspn(t, " \t");
	if (!ad_addr_parse(t, l, &a)) {
		p->tor_bad_lines++;
		return AD_OK;
	}
	if (p->n_tor >= AD_ASSESS_TOR_MAX)
		return ad_diag_set(diag, AD_ERR_LIMIT, path, n,
		    "more than %d exit addresses", AD_ASSESS_TOR_MAX);
	if ((nl = ad_reallocarray(p->tor, p->n_tor + 1, sizeof(*nl))) == NULL)
		return ad_diag_set(diag, AD_ERR_NOMEM, path, n, "out of memory");
	nl[p->n_tor++] = a;
	p->tor = nl;
	return AD_OK;
}

static int
addr_cmp(const void *a, const void *b)
{
	const struct ad_addr *x = a, *y = b;

	if (x->af != y->af)
		return x->af < y->af ? -1 : 1;
	return memcmp(x->b, y->b, sizeof(x->b));
}

static void
tor_sort(struct ad_assess_policy *p)
{
	size_t i, k = 0;

	if (p->n_tor == 0)
		return;
	qsort(p->tor, p->n_tor, sizeof(*p->tor), addr_cmp);
	for (i = 1; i < p->n_tor; i++)	/* drop duplicates */
		if (addr_cmp(&p->tor[k], &p->tor[i]) != 0)
			p->tor[++k] = p->tor[i];
	p->n_tor = k + 1;
}

/* --- the policy -------------------------------------------------------- */

static int
copy_words(char ***dst, size_t *n, const struct ad_config_words *w)
{
	size_t i;

	if (w->n == 0)
		return AD_OK;
	if ((*dst = ad_calloc(w->n, sizeof(**dst))) == NULL)
		return AD_ERR_NOMEM;
	for (i = 0; i < w->n; i++) {
		if (((*dst)[i] = ad_strndup(w->v[i], strlen(w->v[i]))) == NULL)
			return AD_ERR_NOMEM;
		(*n)++;
	}
	return AD_OK;
}

static int
copy_config(struct ad_assess_policy *p, const struct ad_config *cfg)
{
	const struct ad_config_assess *as = &cfg->assess;

	if (cfg->n_allow) {
		if ((p->allow = ad_calloc(cfg->n_allow, sizeof(*p->allow))) ==
		    NULL)
			return AD_ERR_NOMEM;
		memcpy(p->allow, cfg->allow, cfg->n_allow * sizeof(*p->allow));
		p->n_allow = cfg->n_allow;
	}
	if (as->n_distrust_asn) {
		if ((p->distrust_asn = ad_calloc(as->n_distrust_asn,
		    sizeof(*p->distrust_asn))) == NULL)
			return AD_ERR_NOMEM;
		memcpy(p->distrust_asn, as->distrust_asn,
		    as->n_distrust_asn * sizeof(*p->distrust_asn));
		p->n_distrust_asn = as->n_distrust_asn;
	}
	p->distrust_action = as->distrust_action;
	p->spoofable = as->spoofable;
	p->freemail_action = as->freemail_action;
	p->residential_action = as->residential_action;
	p->low_confidence_action = as->low_confidence_action;
	p->no_contact_action = as->no_contact_action;
	if (copy_words(&p->distrust_org, &p->n_distrust_org,
	    &as->distrust_org) != AD_OK ||
	    copy_words(&p->distrust_netname, &p->n_distrust_netname,
	    &as->distrust_netname) != AD_OK ||
	    copy_words(&p->distrust_country, &p->n_distrust_country,
	    &as->distrust_country) != AD_OK ||
	    copy_words(&p->distrust_domain, &p->n_distrust_domain,
	    &as->distrust_domain) != AD_OK)
		return AD_ERR_NOMEM;
	return AD_OK;
}

int
ad_assess_policy_new(const struct ad_config *cfg,
    struct ad_assess_policy **out, struct ad_diag *diag)
{
	struct ad_assess_policy *p;
	size_t i;
	int r;

	*out = NULL;
	if ((p = ad_calloc(1, sizeof(*p))) == NULL)
		return ad_diag_set(diag, AD_ERR_NOMEM, "assess", 0,
		    "out of memory");
	if ((r = copy_config(p, cfg)) != AD_OK) {
		r = ad_diag_set(diag, r, "assess", 0, "out of memory");
		goto out;
	}
	if ((r = load_table(p, ad_table_freemail, "data/freemail.tsv",
	    freemail_line, diag)) != AD_OK ||
	    (r = load_table(p, ad_table_scanners, "data/scanners.tsv",
	    scanner_line, diag)) != AD_OK ||
	    (r = load_table(p, ad_table_large, "data/large-providers.tsv",
	    large_line, diag)) != AD_OK)
		goto out;
	for (i = 0; i < cfg->assess.n_scanners; i++)
		if ((r = load_file(p, cfg->assess.scanners[i],
		    user_scanner_line, diag)) != AD_OK)
			goto out;
	for (i = 0; i < cfg->assess.n_tor_exits; i++)
		if ((r = load_file(p, cfg->assess.tor_exits[i], tor_line,
		    diag)) != AD_OK)
			goto out;
	tor_sort(p);
	*out = p;
	p = NULL;
	r = AD_OK;
 out:
	ad_assess_policy_free(p);
	return r;
}

static void
named_free(struct named *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ad_free(l[i].key);
		ad_free(l[i].label);
	}
	ad_free(l);
}

static void
words_free(char **w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ad_free(w[i]);
	ad_free(w);
}

void
ad_assess_policy_free(struct ad_assess_policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	ad_free(p->allow);
	named_free(p->freemail, p->n_freemail);
	named_free(p->scan_names, p->n_scan_names);
	for (i = 0; i < p->n_scan_ranges; i++)
		ad_free(p->scan_ranges[i].label);
	ad_free(p->scan_ranges);
	named_free(p->large_domains, p->n_large_domains);
	named_free(p->large_words, p->n_large_words);
	ad_free(p->tor);
	words_free(p->distrust_org, p->n_distrust_org);
	words_free(p->distrust_netname, p->n_distrust_netname);
	words_free(p->distrust_country, p->n_distrust_country);
	words_free(p->distrust_domain, p->n_distrust_domain);
	ad_free(p->distrust_asn);
	ad_free(p);
}

void
ad_assess_policy_counts(const struct ad_assess_policy *p,
    struct ad_assess_counts *c)
{
	memset(c, 0, sizeof(*c));
	c->freemail = p->n_freemail;
	c->scanner_names = p->n_scan_names;
	c->scanner_ranges = p->n_scan_ranges;
	c->large = p->n_large_domains + p->n_large_words;
	c->tor_exits = p->n_tor;
	c->tor_bad_lines = p->tor_bad_lines;
}

/* --- matchers ---------------------------------------------------------- */

const char *
assess_freemail(const struct ad_assess_policy *p, const char *domain)
{
	const char *reg = assess_registrable(domain);
	size_t i;

	for (i = 0; i < p->n_freemail; i++) {
		const char *k = p->freemail[i].key;
		size_t kl = strlen(k);

		if (kl > 2 && strcmp(k + kl - 2, ".*") == 0) {
			/* NAME.*: NAME is the registrable domain's first label */
			if (strncmp(reg, k, kl - 1) == 0)
				return p->freemail[i].label;
		} else if (assess_domain_under(domain, k))
			return p->freemail[i].label;
	}
	return NULL;
}

const char *
assess_scanner(const struct ad_assess_policy *p, const struct ad_addr *a,
    const char *rdns)
{
	size_t i;

	for (i = 0; i < p->n_scan_ranges; i++)
		if (ad_cidr_contains(&p->scan_ranges[i].c, a))
			return p->scan_ranges[i].label;
	if (rdns == NULL || *rdns == '\0')
		return NULL;
	for (i = 0; i < p->n_scan_names; i++)
		if (assess_domain_under(rdns, p->scan_names[i].key + 1))
			return p->scan_names[i].label;
	return NULL;
}

const char *
assess_large(const struct ad_assess_policy *p, const char *contact_domain,
    const char *org, const char *netname)
{
	size_t i;

	if (contact_domain && *contact_domain)
		for (i = 0; i < p->n_large_domains; i++)
			if (assess_domain_under(contact_domain,
			    p->large_domains[i].key))
				return p->large_domains[i].label;
	for (i = 0; i < p->n_large_words; i++)
		if ((org && assess_has_word(org, p->large_words[i].key)) ||
		    (netname && assess_has_word(netname,
		    p->large_words[i].key)))
			return p->large_words[i].label;
	return NULL;
}

bool
assess_tor_exit(const struct ad_assess_policy *p, const struct ad_addr *a)
{
	return p->n_tor && bsearch(a, p->tor, p->n_tor, sizeof(*p->tor),
	    addr_cmp) != NULL;
}
