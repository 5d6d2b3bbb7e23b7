/*
 * certs.c - the national CSIRTs a case is escalated to last: the shipped
 * table (data/certs.tsv, compiled in) and the user's (report.certs).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_email.h"
#include "abusedesk/ad_track.h"

extern const char ad_table_certs[];

#define CERTS_MAX	512

struct ad_certs {
	struct ad_cert	v[CERTS_MAX];
	size_t		n;
};

/* Splits one line into its five tab-separated fields. */
static int
parse_line(char *line, struct ad_cert *c)
{
	char *f[5], *p = line;
	size_t i;

	for (i = 0; i < 5; i++) {
		f[i] = p;
		p = strchr(p, '\t');
		if (p == NULL && i < 4)
			return -1;
		if (p != NULL)
			*p++ = '\0';
	}
	if (strlen(f[0]) != 2 || !ad_email_valid(f[2], strlen(f[2])))
		return -1;
	memset(c, 0, sizeof(*c));
	c->country[0] = (char)(f[0][0] & ~0x20);
	c->country[1] = (char)(f[0][1] & ~0x20);
	ad_fmt_cut(c->name, sizeof(c->name), "%s", f[1]);
	ad_fmt_cut(c->email, sizeof(c->email), "%s", f[2]);
	ad_fmt_cut(c->source, sizeof(c->source), "%s", f[3]);
	ad_fmt_cut(c->checked, sizeof(c->checked), "%s", f[4]);
	return 0;
}

/* Adds or replaces (a later line wins for its country). */
static int
put(struct ad_certs *cs, const struct ad_cert *c)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i].country, c->country) == 0) {
			cs->v[i] = *c;
			return 0;
		}
	if (cs->n == CERTS_MAX)
		return -1;
	cs->v[cs->n++] = *c;
	return 0;
}

static int
load_text(struct ad_certs *cs, const char *text, const char *where,
    struct ad_diag *diag)
{
	const char *p = text, *nl;
	unsigned long n = 0;
	char line[1024];

	for (; *p; p = nl ? nl + 1 : p + strlen(p)) {
		struct ad_cert c;
		size_t l;

		nl = strchr(p, '\n');
		l = nl ? (size_t)(nl - p) : strlen(p);
		n++;
		while (l > 0 && p[l - 1] == '\r')
			l--;
		if (l == 0 || p[0] == '#')
			continue;
		if (l >= sizeof(line))
			return ad_diag_set(diag, AD_ERR_PARSE, where, n,
			    "line too long");
		memcpy(line, p, l);
		line[l] = '\0';
		if (parse_line(line, &c) != 0)
			return ad_diag_set(diag, AD_ERR_PARSE, where, n,
			    "expected CC<TAB>team<TAB>mailbox<TAB>source<TAB>"
			    "checked");
		if (put(cs, &c) != 0)
			return ad_diag_set(diag, AD_ERR_LIMIT, where, n,
			    "more than %d teams", CERTS_MAX);
	}
	return AD_OK;
}

int
ad_certs_load(const char *path, struct ad_certs **out, struct ad_diag *diag)
{
	struct ad_certs *cs;
	struct ad_buf b;
	char chunk[4096];
	size_t got;
	FILE *f;
	int r;

	*out = NULL;
	if ((cs = ad_calloc(1, sizeof(*cs))) == NULL)
		return AD_ERR_NOMEM;
	if ((r = load_text(cs, ad_table_certs, "data/certs.tsv", diag)) !=
	    AD_OK)
		goto fail;
	if (path != NULL && path[0] != '\0') {
		if ((f = fopen(path, "r")) == NULL) {
			r = ad_diag_set(diag, AD_ERR_IO, path, 0, "%s",
			    strerror(errno));
			goto fail;
		}
		ad_buf_init(&b, 1 << 20);
		r = AD_OK;
		while (r == AD_OK && (got = fread(chunk, 1, sizeof(chunk),
		    f)) > 0)
			r = ad_buf_add(&b, chunk, got);
		fclose(f);
		if (r == AD_OK)
			r = load_text(cs, ad_buf_str(&b), path, diag);
		else
			r = ad_diag_set(diag, r, path, 0, "too large");
		ad_buf_free(&b);
		if (r != AD_OK)
			goto fail;
	}
	*out = cs;
	return AD_OK;
fail:
	ad_free(cs);
	return r;
}

void
ad_certs_free(struct ad_certs *c)
{
	ad_free(c);
}

const struct ad_cert *
ad_certs_find(const struct ad_certs *c, const char *country)
{
	size_t i;

	if (c == NULL || country == NULL || strlen(country) != 2)
		return NULL;
	for (i = 0; i < c->n; i++)
		if (strcasecmp(c->v[i].country, country) == 0)
			return &c->v[i];
	return NULL;
}
