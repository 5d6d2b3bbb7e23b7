/*
 * contacts.c - the user's own table of known abuse contacts
 * (report.contacts), consulted before any registry lookup.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_email.h"
#include "abusedesk/ad_queue.h"

#define CONTACTS_MAX	100000

struct entry {
	struct ad_cidr	net;
	char		email[AD_EMAIL_MAX + 1];
	char		name[AD_NI_NAME_MAX];
	char		upstream[AD_EMAIL_MAX + 1];	/* "" none */
	char		country[3];
	unsigned long	line;
};

struct ad_contacts {
	struct entry	*v;
	size_t		 n, cap;
	char		 path[512];
};

void
ad_contacts_free(struct ad_contacts *c)
{
	if (c == NULL)
		return;
	ad_free(c->v);
	ad_free(c);
}

static int
add(struct ad_contacts *c, const struct entry *e)
{
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 32;
		struct entry *v = ad_reallocarray(c->v, nc, sizeof(*v));

		if (v == NULL)
			return AD_ERR_NOMEM;
		c->v = v;
		c->cap = nc;
	}
	c->v[c->n++] = *e;
	return AD_OK;
}

/* A CR or other control byte inside a line: never ours, maybe hostile. */
static bool
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return true;
	return false;
}

int
ad_contacts_load(const char *path, struct ad_contacts **out,
    struct ad_diag *diag)
{
	struct ad_contacts *c;
	char line[1024];
	unsigned long n = 0;
	FILE *f;
	int r = AD_OK;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL)
		return ad_diag_set(diag, AD_ERR_IO, path, 0, "%s",
		    strerror(errno));
	if ((c = ad_calloc(1, sizeof(*c))) == NULL) {
		fclose(f);
		return AD_ERR_NOMEM;
	}
	ad_fmt_cut(c->path, sizeof(c->path), "%s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		struct entry e;
		char *p = line, *hash, *tok;
		size_t l;

		n++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			r = ad_diag_set(diag, AD_ERR_PARSE, path, n,
			    "line too long");
			break;
		}
		if ((hash = strchr(p, '#')) != NULL)
			*hash = '\0';
		l = strlen(p);
		while (l > 0 && (p[l - 1] == '\n' || p[l - 1] == '\r'))
			p[--l] = '\0';
		if (has_control(p)) {
			r = ad_diag_set(diag, AD_ERR_PARSE, path, n,
			    "control characters in the line");
			break;
		}
		p += strspn(p, " \t\r\n");
		if (*p == '\0')
			continue;
		memset(&e, 0, sizeof(e));
		e.line = n;
		l = strcspn(p, " \t\r\n");
		if (!ad_cidr_parse(p, l, &e.net)) {
			r = ad_diag_set(diag, AD_ERR_PARSE, path, n,
			    "expected \"CIDR email [name]\"");
			break;
		}
		p += l;
		p += strspn(p, " \t");
		tok = p;
		l = strcspn(p, " \t\r\n");
		if (!ad_email_valid(tok, l) || l > AD_EMAIL_MAX) {
			r = ad_diag_set(diag, AD_ERR_PARSE, path, n,
			    "not a plain mailbox (user@example.net)");
			break;
		}
		memcpy(e.email, tok, l);
		e.email[l] = '\0';
		p += l;
		p += strspn(p, " \t");
		/* Optional upstream=MAILBOX and country=CC before the name. */
		while (r == AD_OK && (strncmp(p, "upstream=", 9) == 0 ||
		    strncmp(p, "country=", 8) == 0)) {
			bool up = p[0] == 'u';

			p += up ? 9 : 8;
			l = strcspn(p, " \t");
			if (up && (!ad_email_valid(p, l) || l > AD_EMAIL_MAX))
				r = ad_diag_set(diag, AD_ERR_PARSE, path, n,
				    "upstream= wants a plain mailbox");
			else if (!up && (l != 2 || !isalpha((unsigned char)p[0])
			    || !isalpha((unsigned char)p[1])))
				r = ad_diag_set(diag, AD_ERR_PARSE, path, n,
				    "country= wants an ISO 3166 code (DE)");
			else if (up) {
				memcpy(e.upstream, p, l);
				e.upstream[l] = '\0';
			} else {
				e.country[0] = (char)toupper((unsigned char)p[0]);
				e.country[1] = (char)toupper((unsigned char)p[1]);
			}
			p += l;
			p += strspn(p, " \t");
		}
		if (r != AD_OK)
			break;
		l = strcspn(p, "\r\n");
		while (l > 0 && (p[l - 1] == ' ' || p[l - 1] == '\t'))
			l--;
		ad_fmt_cut(e.name, sizeof(e.name), "%.*s", (int)l, p);
		if (c->n == CONTACTS_MAX) {
			r = ad_diag_set(diag, AD_ERR_LIMIT, path, n,
			    "more than %d entries", CONTACTS_MAX);
			break;
		}
		if ((r = add(c, &e)) != AD_OK)
			break;
	}
	if (r == AD_OK && ferror(f))
		r = ad_diag_set(diag, AD_ERR_IO, path, n, "%s", strerror(errno));
	fclose(f);
	if (r != AD_OK) {
		ad_contacts_free(c);
		return r;
	}
	*out = c;
	return AD_OK;
}

static bool
known(const struct ad_lookup_answer *who, const char *email)
{
	size_t i;

	for (i = 0; i < who->n_abuse; i++)
		if (strcasecmp(who->abuse[i], email) == 0)
			return true;
	return false;
}

bool
ad_contacts_find(const struct ad_contacts *c, const struct ad_addr *addr,
    struct ad_lookup_answer *who)
{
	const struct entry *best = NULL;
	char a[AD_ADDR_STRLEN];
	size_t i;

	for (i = 0; c != NULL && i < c->n; i++)
		if (ad_cidr_contains(&c->v[i].net, addr) &&
		    (best == NULL || c->v[i].net.prefix > best->net.prefix))
			best = &c->v[i];
	if (best == NULL)
		return false;
	memset(who, 0, sizeof(*who));
	ad_fmt_cut(who->query, sizeof(who->query), "%s",
	    ad_addr_format(addr, a));
	who->addr = *addr;
	/* More lines for the same range: more mailboxes, in file order (the
	 * next one is tried when a report to the first bounces). */
	for (i = 0; c != NULL && i < c->n && who->n_abuse < AD_LOOKUP_ABUSE_MAX;
	    i++)
		if (c->v[i].net.prefix == best->net.prefix &&
		    ad_cidr_contains(&c->v[i].net, &best->net.addr) &&
		    !known(who, c->v[i].email))
			ad_fmt_cut(who->abuse[who->n_abuse++],
			    sizeof(who->abuse[0]), "%s", c->v[i].email);
	who->confidence = AD_CONF_HIGH;
	ad_fmt_cut(who->ranges[0], sizeof(who->ranges[0]), "%s/%u",
	    ad_addr_format(&best->net.addr, a), (unsigned)best->net.prefix);
	who->n_ranges = 1;
	ad_fmt_cut(who->name, sizeof(who->name), "%s", best->name);
	ad_fmt_cut(who->country, sizeof(who->country), "%s", best->country);
	if (best->upstream[0]) {
		ad_fmt_cut(who->parent_abuse[0], sizeof(who->parent_abuse[0]),
		    "%s", best->upstream);
		who->n_parent_abuse = 1;
	}
	ad_fmt_cut(who->protocol, sizeof(who->protocol), "config");
	ad_fmt_cut(who->server, sizeof(who->server), "%s", c->path);
	ad_fmt_cut(who->evidence, sizeof(who->evidence),
	    "report.contacts line %lu", best->line);
	who->err = AD_OK;
	return true;
}
