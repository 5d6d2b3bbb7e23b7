/*
 * config.c - configuration file and key setter.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "abusedesk/ad_config.h"
#include "abusedesk/ad_email.h"
#include "abusedesk/ad_ctx.h"

void
ad_config_init(struct ad_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->threads = 2;
	ad_detect_config_defaults(&cfg->detect);
}

static void
words_free(struct ad_config_words *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		ad_free(w->v[i]);
	ad_free(w->v);
	w->v = NULL;
	w->n = 0;
}

void
ad_config_free(struct ad_config *cfg)
{
	size_t i;

	words_free(&cfg->assess.distrust_org);
	words_free(&cfg->assess.distrust_netname);
	words_free(&cfg->assess.distrust_country);
	words_free(&cfg->assess.distrust_domain);
	ad_free(cfg->assess.distrust_asn);
	cfg->assess.distrust_asn = NULL;
	cfg->assess.n_distrust_asn = 0;
	ad_free(cfg->own);
	ad_free(cfg->allow);
	for (i = 0; i < cfg->n_parse; i++)
		ad_free(cfg->parse[i].value);
	cfg->n_parse = 0;
	cfg->own = cfg->allow = NULL;
	cfg->n_own = cfg->n_allow = 0;
	cfg->detect.own = cfg->detect.allow = NULL;
	cfg->detect.n_own = cfg->detect.n_allow = 0;
	memset(cfg->relay.password, 0, sizeof(cfg->relay.password));
}

long long
ad_parse_duration(const char *s)
{
	char *e;
	long long v, mult;

	errno = 0;
	v = strtoll(s, &e, 10);
	if (e == s || errno || v < 0)
		return -1;
	switch (*e) {
	case '\0': case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	default: return -1;
	}
	if (v > LLONG_MAX / mult)
		return -1;
	v *= mult;
	if (*e && e[1] != '\0')
		return -1;
	return v;
}

static int
parse_count(const char *key, const char *v, uint32_t *out, struct ad_diag *diag)
{
	char *e;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &e, 10);
	if (e == v || *e || errno || n > 1000000 || v[0] == '-')
		return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
		    "expected a count, got \"%s\"", v);
	*out = (uint32_t)n;
	return AD_OK;
}

static int
add_cidrs(const char *key, const char *v, struct ad_cidr **list, size_t *n,
    struct ad_diag *diag)
{
	const char *p = v;

	while (*p) {
		size_t l;
		struct ad_cidr c, *nl;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		l = strcspn(p, " ,\t");
		if (!ad_cidr_parse(p, l, &c))
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "not an address or CIDR range: \"%.*s\"", (int)l, p);
		if (*n >= AD_CONFIG_LIST_MAX)
			return ad_diag_set(diag, AD_ERR_LIMIT, key, 0,
			    "more than %d entries", AD_CONFIG_LIST_MAX);
		if ((nl = ad_reallocarray(*list, *n + 1, sizeof(*nl))) == NULL)
			return ad_diag_set(diag, AD_ERR_NOMEM, key, 0,
			    "out of memory");
		nl[(*n)++] = c;
		*list = nl;
		p += l;
	}
	return AD_OK;
}

static int
set_str(const char *key, char *dst, size_t n, const char *v,
    struct ad_diag *diag)
{
	if (snprintf(dst, n, "%s", v) >= (int)n)
		return ad_diag_set(diag, AD_ERR_CONFIG, key, 0, "too long");
	return AD_OK;
}

static int
set_yesno(const char *key, bool *dst, const char *v, struct ad_diag *diag)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
		*dst = true;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
		*dst = false;
	else
		return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
		    "expected yes or no");
	return AD_OK;
}

static int
set_number(const char *key, double *dst, const char *v, struct ad_diag *diag)
{
	char *e;
	double d;

	errno = 0;
	d = strtod(v, &e);
	if (e == v || *e || errno || !(d > 0) || d > 1e6)
		return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
		    "expected a positive number, got \"%s\"", v);
	*dst = d;
	return AD_OK;
}

/* lookup.* keys (see ad_config.h). */
static int
lookup_set(struct ad_config_lookup *lk, const char *key, const char *v,
    struct ad_diag *diag)
{
	const char *k = key + 7;
	long long d;
	bool b;
	int r;

	if (strcmp(k, "rdap_bootstrap") == 0 || strcmp(k, "whois_servers") == 0) {
		bool rd = k[0] == 'r';
		size_t *n = rd ? &lk->n_rdap_bootstrap : &lk->n_whois_servers;

		if (*n >= AD_CONFIG_FILES_MAX)
			return ad_diag_set(diag, AD_ERR_LIMIT, key, 0,
			    "more than %d files", AD_CONFIG_FILES_MAX);
		if ((r = set_str(key, rd ? lk->rdap_bootstrap[*n] :
		    lk->whois_servers[*n], 1024, v, diag)) == AD_OK)
			(*n)++;
		return r;
	}
	if (strcmp(k, "connect_to") == 0) {
		if (lk->n_connect_to >= AD_CONFIG_CONNECT_TO_MAX)
			return ad_diag_set(diag, AD_ERR_LIMIT, key, 0,
			    "more than %d rules", AD_CONFIG_CONNECT_TO_MAX);
		if ((r = set_str(key, lk->connect_to[lk->n_connect_to],
		    sizeof(lk->connect_to[0]), v, diag)) == AD_OK)
			lk->n_connect_to++;
		return r;
	}
	if (strcmp(k, "cacert") == 0)
		return set_str(key, lk->cacert, sizeof(lk->cacert), v, diag);
	if (strcmp(k, "tables") == 0)
		return set_str(key, lk->tables, sizeof(lk->tables), v, diag);
	if (strcmp(k, "timeout") == 0 || strcmp(k, "ttl") == 0 ||
	    strcmp(k, "negative_ttl") == 0) {
		if ((d = ad_parse_duration(v)) <= 0 || d > 366LL * 86400)
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "expected a duration like 90s, 15m, 24h, 7d");
		if (k[0] == 't' && k[1] == 'i') {
			if (d > 3600)
				return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
				    "at most 1h");
			lk->timeout = d;
		} else if (k[0] == 't')
			lk->ttl = d;
		else
			lk->negative_ttl = d;
		return AD_OK;
	}
	if (strcmp(k, "via") == 0) {
		if (strcmp(v, "auto") == 0)
			lk->via = 0;
		else if (strcmp(v, "rdap") == 0)
			lk->via = 1;
		else if (strcmp(v, "whois") == 0)
			lk->via = 2;
		else
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "expected auto, rdap or whois");
		return AD_OK;
	}
	if (strcmp(k, "rate") == 0)
		return set_number(key, &lk->rate, v, diag);
	if (strcmp(k, "burst") == 0)
		return set_number(key, &lk->burst, v, diag);
	if (strcmp(k, "parallel") == 0 || strcmp(k, "per_server") == 0) {
		double n;

		if ((r = set_number(key, &n, v, diag)) != AD_OK)
			return r;
		if (n < 1 || n > 32 || n != (double)(int)n)
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "expected a whole number from 1 to 32");
		if (k[0] == 'p' && k[1] == 'a')
			lk->parallel = (int)n;
		else
			lk->per_server = (int)n;
		return AD_OK;
	}
	if (strcmp(k, "parent") == 0) {
		if ((r = set_yesno(key, &b, v, diag)) == AD_OK)
			lk->no_parent = !b;
		return r;
	}
	if (strcmp(k, "offline") == 0)
		return set_yesno(key, &lk->offline, v, diag);
	return ad_diag_set(diag, AD_ERR_CONFIG, key, 0, "unknown key");
}

/* What an entry of an assess.distrust_* list may look like. */
enum word_kind { WORD_NAME, WORD_COUNTRY, WORD_DOMAIN };

static bool
word_ok(enum word_kind kind, const char *w, size_t l)
{
	size_t i;

	if (l == 0 || l > 120)
		return false;
	if (kind == WORD_COUNTRY)
		return l == 2 && isalpha((unsigned char)w[0]) &&
		    isalpha((unsigned char)w[1]);
	for (i = 0; i < l; i++) {
		unsigned char c = (unsigned char)w[i];

		if (kind == WORD_DOMAIN ? !(isalnum(c) || c == '-' ||
		    c == '.') : !(c > ' ' && c < 0x7f))
			return false;
	}
	return kind != WORD_DOMAIN || (w[0] != '.' && w[l - 1] != '.');
}

/* Adds the space/comma-separated words of v to w (domains lower case,
 * countries upper case: the matchers compare case-insensitively anyway). */
static int
add_words(const char *key, const char *v, struct ad_config_words *w,
    enum word_kind kind, struct ad_diag *diag)
{
	const char *p = v;

	while (*p) {
		size_t l, i;
		char **nv, *copy;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		l = strcspn(p, " ,\t");
		if (!word_ok(kind, p, l))
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "not a %s: \"%.*s\"", kind == WORD_COUNTRY ?
			    "two-letter country code" : kind == WORD_DOMAIN ?
			    "domain name" : "name", (int)(l > 64 ? 64 : l), p);
		if (w->n >= AD_CONFIG_LIST_MAX)
			return ad_diag_set(diag, AD_ERR_LIMIT, key, 0,
			    "more than %d entries", AD_CONFIG_LIST_MAX);
		if ((copy = ad_strndup(p, l)) == NULL ||
		    (nv = ad_reallocarray(w->v, w->n + 1, sizeof(*nv))) == NULL) {
			ad_free(copy);
			return ad_diag_set(diag, AD_ERR_NOMEM, key, 0,
			    "out of memory");
		}
		for (i = 0; i < l; i++)
			copy[i] = (char)(kind == WORD_COUNTRY ?
			    toupper((unsigned char)copy[i]) : kind == WORD_DOMAIN ?
			    tolower((unsigned char)copy[i]) : copy[i]);
		nv[w->n++] = copy;
		w->v = nv;
		p += l;
	}
	return AD_OK;
}

static int
add_asns(const char *key, const char *v, struct ad_config_assess *as,
    struct ad_diag *diag)
{
	const char *p = v;

	while (*p) {
		size_t l;
		char *e;
		unsigned long long n;
		uint32_t *nl;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		l = strcspn(p, " ,\t");
		e = (char *)p;
		if (l > 2 && (p[0] == 'A' || p[0] == 'a') &&
		    (p[1] == 'S' || p[1] == 's'))
			e += 2;
		errno = 0;
		n = isdigit((unsigned char)*e) ? strtoull(e, &e, 10) : 0;
		if (n == 0 || n > UINT32_MAX || errno || e != p + l)
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "not an AS number: \"%.*s\"", (int)(l > 64 ? 64 : l),
			    p);
		if (as->n_distrust_asn >= AD_CONFIG_LIST_MAX)
			return ad_diag_set(diag, AD_ERR_LIMIT, key, 0,
			    "more than %d entries", AD_CONFIG_LIST_MAX);
		if ((nl = ad_reallocarray(as->distrust_asn,
		    as->n_distrust_asn + 1, sizeof(*nl))) == NULL)
			return ad_diag_set(diag, AD_ERR_NOMEM, key, 0,
			    "out of memory");
		nl[as->n_distrust_asn++] = (uint32_t)n;
		as->distrust_asn = nl;
		p += l;
	}
	return AD_OK;
}

/* One of the words of `allowed` ("upstream|hold|skip") into *dst. */
static int
set_choice(const char *key, enum ad_policy_choice *dst, const char *v,
    const char *allowed, struct ad_diag *diag)
{
	static const struct {
		const char		*name;
		enum ad_policy_choice	 c;
	} names[] = {
		{ "report", AD_POL_REPORT }, { "cc-upstream", AD_POL_CC_UPSTREAM },
		{ "upstream", AD_POL_UPSTREAM }, { "hold", AD_POL_HOLD },
		{ "skip", AD_POL_SKIP }, { "caveat", AD_POL_CAVEAT },
	};
	size_t i, l = strlen(v);
	const char *a;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(v, names[i].name) != 0)
			continue;
		for (a = allowed; (a = strstr(a, v)) != NULL; a += l)
			if ((a == allowed || a[-1] == '|') &&
			    (a[l] == '\0' || a[l] == '|')) {
				*dst = names[i].c;
				return AD_OK;
			}
	}
	return ad_diag_set(diag, AD_ERR_CONFIG, key, 0, "expected %s, got \"%s\"",
	    allowed, v);
}

/* assess.* keys (see ad_config.h). */
static int
assess_set(struct ad_config_assess *as, const char *key, const char *v,
    struct ad_diag *diag)
{
	const char *k = key + 7;
	long long d;
	bool b;
	int r;

	if (strcmp(k, "scanners") == 0 || strcmp(k, "tor_exits") == 0) {
		bool sc = k[0] == 's';
		size_t *n = sc ? &as->n_scanners : &as->n_tor_exits;

		if (*n >= AD_CONFIG_FILES_MAX)
			return ad_diag_set(diag, AD_ERR_LIMIT, key, 0,
			    "more than %d files", AD_CONFIG_FILES_MAX);
		if ((r = set_str(key, sc ? as->scanners[*n] :
		    as->tor_exits[*n], 1024, v, diag)) == AD_OK)
			(*n)++;
		return r;
	}
	if (strcmp(k, "distrust_org") == 0)
		return add_words(key, v, &as->distrust_org, WORD_NAME, diag);
	if (strcmp(k, "distrust_netname") == 0)
		return add_words(key, v, &as->distrust_netname, WORD_NAME, diag);
	if (strcmp(k, "distrust_country") == 0)
		return add_words(key, v, &as->distrust_country, WORD_COUNTRY,
		    diag);
	if (strcmp(k, "distrust_domain") == 0)
		return add_words(key, v, &as->distrust_domain, WORD_DOMAIN, diag);
	if (strcmp(k, "distrust_asn") == 0)
		return add_asns(key, v, as, diag);
	if (strcmp(k, "distrust_action") == 0)
		return set_choice(key, &as->distrust_action, v,
		    "upstream|hold|skip", diag);
	if (strcmp(k, "spoofable") == 0)
		return set_choice(key, &as->spoofable, v, "caveat|hold", diag);
	if (strcmp(k, "freemail_action") == 0)
		return set_choice(key, &as->freemail_action, v,
		    "cc-upstream|upstream|hold", diag);
	if (strcmp(k, "residential_action") == 0)
		return set_choice(key, &as->residential_action, v,
		    "report|cc-upstream|upstream", diag);
	if (strcmp(k, "low_confidence_action") == 0)
		return set_choice(key, &as->low_confidence_action, v,
		    "report|cc-upstream|hold", diag);
	if (strcmp(k, "no_contact_action") == 0)
		return set_choice(key, &as->no_contact_action, v,
		    "upstream|hold", diag);
	if (strcmp(k, "rdns") == 0) {
		if ((r = set_yesno(key, &b, v, diag)) == AD_OK)
			as->no_rdns = !b;
		return r;
	}
	if (strcmp(k, "dns_servers") == 0)
		return set_str(key, as->dns_servers, sizeof(as->dns_servers), v,
		    diag);
	if (strcmp(k, "dns_timeout") == 0) {
		if ((d = ad_parse_duration(v)) <= 0 || d > 60)
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "expected a duration from 1s to 60s");
		as->dns_timeout = d;
		return AD_OK;
	}
	return ad_diag_set(diag, AD_ERR_CONFIG, key, 0, "unknown key");
}

/* The first line of a password file, without its line end. */
static int
read_password(const char *key, const char *path, char *dst, size_t n,
    struct ad_diag *diag)
{
	FILE *f;
	char line[512];
	size_t l;

	if ((f = fopen(path, "r")) == NULL)
		return ad_diag_set(diag, AD_ERR_CONFIG, key, 0, "%s: %s", path,
		    strerror(errno));
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	l = strcspn(line, "\r\n");
	line[l] = '\0';
	if (l == 0 || l >= n) {
		memset(line, 0, sizeof(line));
		return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
		    "%s: %s", path, l ? "password too long" : "empty");
	}
	memcpy(dst, line, l + 1);
	memset(line, 0, sizeof(line));
	return AD_OK;
}

/* relay.* keys (see ad_config.h). */
static int
relay_set(struct ad_relay *rl, const char *key, const char *v,
    struct ad_diag *diag)
{
	const char *k = key + 6;
	long long d;

	if (strcmp(k, "url") == 0) {
		if (*v != '\0' && strncasecmp(v, "smtp://", 7) != 0 &&
		    strncasecmp(v, "smtps://", 8) != 0)
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "expected smtp://HOST[:PORT] or smtps://HOST[:PORT]");
		if (strpbrk(v, " \t") != NULL)
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "no spaces in a URL");
		return set_str(key, rl->url, sizeof(rl->url), v, diag);
	}
	if (strcmp(k, "user") == 0)
		return set_str(key, rl->user, sizeof(rl->user), v, diag);
	if (strcmp(k, "password") == 0)
		return set_str(key, rl->password, sizeof(rl->password), v, diag);
	if (strcmp(k, "password_file") == 0)
		return read_password(key, v, rl->password,
		    sizeof(rl->password), diag);
	if (strcmp(k, "starttls") == 0)
		return set_yesno(key, &rl->starttls, v, diag);
	if (strcmp(k, "cacert") == 0)
		return set_str(key, rl->cacert, sizeof(rl->cacert), v, diag);
	if (strcmp(k, "helo") == 0)
		return set_str(key, rl->helo, sizeof(rl->helo), v, diag);
	if (strcmp(k, "sendmail") == 0) {
		if (v[0] != '/')
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "expected an absolute path");
		return set_str(key, rl->sendmail, sizeof(rl->sendmail), v,
		    diag);
	}
	if (strcmp(k, "timeout") == 0) {
		if ((d = ad_parse_duration(v)) <= 0 || d > 3600)
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "expected a duration from 1s to 1h");
		rl->timeout_ms = (int)(d * 1000);
		return AD_OK;
	}
	return ad_diag_set(diag, AD_ERR_CONFIG, key, 0, "unknown key");
}

static void
relink(struct ad_config *cfg)
{
	cfg->detect.own = cfg->own;
	cfg->detect.n_own = cfg->n_own;
	cfg->detect.allow = cfg->allow;
	cfg->detect.n_allow = cfg->n_allow;
}

/* "parse.FAMILY.KEY": kept for the parser, which validates both names. */
static int
add_parse_opt(struct ad_config *cfg, const char *key, const char *v,
    struct ad_diag *diag)
{
	const char *fam = key + 6, *dot = strchr(fam, '.');
	struct ad_parse_opt *o;
	size_t fl;

	if (dot == NULL || dot == fam || dot[1] == '\0')
		return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
		    "expected parse.FAMILY.KEY");
	fl = (size_t)(dot - fam);
	if (fl >= sizeof(o->family) || strlen(dot + 1) >= sizeof(o->key))
		return ad_diag_set(diag, AD_ERR_CONFIG, key, 0, "name too long");
	if (cfg->n_parse >= AD_CONFIG_PARSE_MAX)
		return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
		    "more than %d parse options", AD_CONFIG_PARSE_MAX);
	o = &cfg->parse[cfg->n_parse];
	memcpy(o->family, fam, fl);
	o->family[fl] = '\0';
	strcpy(o->key, dot + 1);
	if ((o->value = ad_strndup(v, strlen(v))) == NULL)
		return ad_diag_set(diag, AD_ERR_NOMEM, key, 0, "out of memory");
	cfg->n_parse++;
	return AD_OK;
}

/* A value that goes into a mail header: printable, one line. */
static int
header_text(const char *key, const char *v, char *dst, size_t n,
    struct ad_diag *diag)
{
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "control characters are not allowed");
	return set_str(key, dst, n, v, diag);
}

static int
report_set(struct ad_config_report *rc, const char *key, const char *v,
    struct ad_diag *diag)
{
	const char *k = key + 7;
	long long d;
	int r;

	if (strncmp(key, "followup.", 9) == 0) {
		k = key + 9;
		if (strcmp(k, "after") == 0) {
			if ((d = ad_parse_duration(v)) <= 0)
				return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
				    "expected a duration like 7d");
			rc->followup_after = d;
			return AD_OK;
		} else if (strcmp(k, "certs") == 0)
			return set_str(key, rc->certs, sizeof(rc->certs), v,
			    diag);
		else if (strcmp(k, "auto_send") == 0) {
			static const char *const steps[] = { "reminder",
			    "upstream", "cert" };
			const char *p = v;
			size_t i, l;

			memset(rc->auto_send, 0, sizeof(rc->auto_send));
			while (*(p += strspn(p, " ,\t")) != '\0') {
				l = strcspn(p, " ,\t");
				for (i = 0; i < 3; i++)
					if (strlen(steps[i]) == l &&
					    strncmp(p, steps[i], l) == 0)
						break;
				if (i == 3 && !(l == 4 &&
				    strncmp(p, "none", 4) == 0))
					return ad_diag_set(diag, AD_ERR_CONFIG,
					    key, 0, "expected reminder, upstream,"
					    " cert or none");
				if (i < 3)
					rc->auto_send[i] = true;
				p += l;
			}
			return AD_OK;
		}
		return ad_diag_set(diag, AD_ERR_CONFIG, key, 0, "unknown key");
	}
	if (strncmp(key, "send.", 5) == 0) {
		k = key + 5;
		if (strcmp(k, "retry") == 0) {
			if ((d = ad_parse_duration(v)) <= 0)
				return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
				    "expected a duration like 15m");
			rc->retry = d;
			return AD_OK;
		} else if (strcmp(k, "per_domain_hour") == 0 ||
		    strcmp(k, "per_hour") == 0 ||
		    strcmp(k, "max_attempts") == 0) {
			uint32_t n;

			if ((r = parse_count(key, v, &n, diag)) != AD_OK)
				return r;
			if (n == 0 || n > 100000)
				return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
				    "expected 1 to 100000");
			if (k[0] == 'm')
				rc->max_attempts = (int)n;
			else if (strcmp(k, "per_hour") == 0)
				rc->per_hour = (long)n;
			else
				rc->per_domain_hour = (long)n;
			return AD_OK;
		}
		return ad_diag_set(diag, AD_ERR_CONFIG, key, 0, "unknown key");
	}
	if (strcmp(k, "name") == 0)
		return header_text(key, v, rc->name, sizeof(rc->name), diag);
	if (strcmp(k, "org") == 0)
		return header_text(key, v, rc->org, sizeof(rc->org), diag);
	if (strcmp(k, "phone") == 0)
		return header_text(key, v, rc->phone, sizeof(rc->phone), diag);
	if (strcmp(k, "victim") == 0)
		return header_text(key, v, rc->victim, sizeof(rc->victim), diag);
	if (strcmp(k, "email") == 0) {
		if (*v != '\0' && !ad_email_valid(v, strlen(v)))
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "not a plain mailbox (user@example.com)");
		return header_text(key, v, rc->email, sizeof(rc->email), diag);
	}
	if (strcmp(k, "templates") == 0 || strcmp(k, "contacts") == 0) {
		return set_str(key, k[0] == 't' ? rc->templates : rc->contacts,
		    sizeof(rc->templates), v, diag);
	}
	if (strcmp(k, "translate") == 0)
		return set_yesno(key, &rc->translate, v, diag);
	if (strcmp(k, "xarf") == 0) {
		if (strcmp(v, "auto") == 0)
			rc->xarf = 0;
		else if (strcmp(v, "always") == 0)
			rc->xarf = 1;
		else if (strcmp(v, "never") == 0)
			rc->xarf = -1;
		else
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "expected auto, always or never");
		return AD_OK;
	}
	if (strcmp(k, "xarf_domains") == 0) {
		const char *p = v;

		while (*p) {
			size_t l;

			p += strspn(p, " ,\t");
			l = strcspn(p, " ,\t");
			if (l == 0)
				break;
			if (rc->n_xarf_domains == AD_CONFIG_XARF_MAX ||
			    l >= sizeof(rc->xarf_domains[0]))
				return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
				    "too many or too long");
			memcpy(rc->xarf_domains[rc->n_xarf_domains], p, l);
			rc->xarf_domains[rc->n_xarf_domains++][l] = '\0';
			p += l;
		}
		return AD_OK;
	}
	if (strcmp(k, "period") == 0) {
		if ((d = ad_parse_duration(v)) <= 0)
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "expected a duration like 7d");
		rc->period = d;
		return AD_OK;
	}
	return ad_diag_set(diag, AD_ERR_CONFIG, key, 0, "unknown key");
}

int
ad_config_set(struct ad_config *cfg, const char *key, const char *v,
    struct ad_diag *diag)
{
	int r = AD_OK, cat;

	if (strcmp(key, "db") == 0) {
		if (snprintf(cfg->db, sizeof(cfg->db), "%s", v) >= (int)sizeof(cfg->db))
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0, "too long");
	} else if (strcmp(key, "tz") == 0) {
		if (snprintf(cfg->tz, sizeof(cfg->tz), "%s", v) >= (int)sizeof(cfg->tz))
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0, "too long");
	} else if (strcmp(key, "window") == 0) {
		long long d = ad_parse_duration(v);

		if (d <= 0)
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "expected a duration like 90s, 15m, 24h, 7d");
		cfg->detect.window = d;
	} else if (strncmp(key, "threshold.", 10) == 0) {
		char name[64];
		const char *dot = strchr(key + 10, '.');
		size_t l = dot ? (size_t)(dot - key - 10) : strlen(key + 10);

		if (l >= sizeof(name))
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "unknown category");
		memcpy(name, key + 10, l);
		name[l] = '\0';
		if ((cat = ad_category_from_name(name)) < 0)
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "unknown category \"%s\"", name);
		if (dot == NULL)
			r = parse_count(key, v, &cfg->detect.min_events[cat], diag);
		else if (strcmp(dot, ".ports") == 0)
			r = parse_count(key, v, &cfg->detect.min_ports[cat], diag);
		else
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "unknown threshold \"%s\"", dot + 1);
	} else if (strcmp(key, "threads") == 0) {
		if (strcmp(v, "1") == 0 || strcmp(v, "2") == 0)
			cfg->threads = v[0] - '0';
		else
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "expected 1 or 2");
	} else if (strcmp(key, "checkpoint") == 0) {
		char *end;
		unsigned long long n = strtoull(v, &end, 10), mult = 1;

		if (*end == 'K' || *end == 'k')
			mult = 1ull << 10;
		else if (*end == 'M' || *end == 'm')
			mult = 1ull << 20;
		else if (*end == 'G' || *end == 'g')
			mult = 1ull << 30;
		if (end == v || !isdigit((unsigned char)*v) ||
		    (mult > 1 && end[1] != '\0') || (mult == 1 && *end != '\0') ||
		    n == 0 || n > (1ull << 44) / mult)
			return ad_diag_set(diag, AD_ERR_CONFIG, key, 0,
			    "expected a size like 64M");
		cfg->checkpoint = n * mult;
	} else if (strcmp(key, "own_networks") == 0) {
		r = add_cidrs(key, v, &cfg->own, &cfg->n_own, diag);
	} else if (strcmp(key, "allowlist") == 0) {
		r = add_cidrs(key, v, &cfg->allow, &cfg->n_allow, diag);
	} else if (strcmp(key, "documentation_as_public") == 0) {
		if ((r = set_yesno(key, &cfg->detect.documentation_public, v,
		    diag)) != AD_OK)
			return r;
	} else if (strncmp(key, "lookup.", 7) == 0) {
		if ((r = lookup_set(&cfg->lookup, key, v, diag)) != AD_OK)
			return r;
	} else if (strncmp(key, "assess.", 7) == 0) {
		if ((r = assess_set(&cfg->assess, key, v, diag)) != AD_OK)
			return r;
	} else if (strncmp(key, "relay.", 6) == 0) {
		if ((r = relay_set(&cfg->relay, key, v, diag)) != AD_OK)
			return r;
	} else if (strncmp(key, "parse.", 6) == 0) {
		r = add_parse_opt(cfg, key, v, diag);
	} else if (strncmp(key, "report.", 7) == 0 ||
	    strncmp(key, "send.", 5) == 0 ||
	    strncmp(key, "followup.", 9) == 0) {
		if ((r = report_set(&cfg->report, key, v, diag)) != AD_OK)
			return r;
	} else
		return ad_diag_set(diag, AD_ERR_CONFIG, key, 0, "unknown key");
	relink(cfg);
	return r;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
ad_config_load(struct ad_config *cfg, const char *path, bool must_exist,
    struct ad_diag *diag)
{
	FILE *f;
	char line[8192];
	unsigned long n = 0;
	int r = AD_OK;

	if ((f = fopen(path, "r")) == NULL) {
		if (!must_exist && errno == ENOENT)
			return AD_OK;
		return ad_diag_set(diag, AD_ERR_IO, path, 0, "%s", strerror(errno));
	}
	while (fgets(line, sizeof(line), f) != NULL || ferror(f)) {
		if (ferror(f)) {	/* e.g. EISDIR: fopen() opens folders */
			r = ad_diag_set(diag, AD_ERR_IO, path, n, "%s",
			    strerror(errno));
			break;
		}
		char *hash, *eq, *k, *v;

		n++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			r = ad_diag_set(diag, AD_ERR_CONFIG, path, n,
			    "line too long");
			break;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		k = trim(line);
		if (*k == '\0')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			r = ad_diag_set(diag, AD_ERR_CONFIG, path, n,
			    "expected \"key = value\"");
			break;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		if ((r = ad_config_set(cfg, k, v, diag)) != AD_OK) {
			char why[sizeof(diag->msg)];

			snprintf(why, sizeof(why), "%s", diag ? diag->msg : "");
			ad_diag_set(diag, r, path, n, "%.64s: %.180s", k, why);
			break;
		}
	}
	fclose(f);
	return r;
}
