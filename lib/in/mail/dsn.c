/*
 * dsn.c - which of our recipients bounced, and why: the fields of an RFC
 * 3464 delivery-status part, and the same read from the text of a bounce
 * that is not a DSN (Exim's "Mail delivery failed", qmail's "failure
 * notice", Postfix without its report part).
 *
 * A recipient is kept only when it is a plain mailbox (ad_email_valid):
 * the store marks that address as bad, so it must be one we could have
 * written to.
 */
#include <ctype.h>
#include <string.h>

#include "abusedesk/ad_email.h"
#include "abusedesk/ad_reply.h"
#include "reply_int.h"

static void
trim(const char **s, const char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

struct ad_reply_rcpt *
reply_add_rcpt(struct ad_reply *r, const char *addr, size_t n)
{
	const char *s = addr, *e = addr + n;
	char a[AD_EMAIL_MAX + 1];
	size_t i;

	trim(&s, &e);
	if (e > s && *s == '<')
		s++;
	if (e > s && e[-1] == '>')
		e--;
	if (s >= e || (size_t)(e - s) > AD_EMAIL_MAX || !ad_email_valid(s,
	    (size_t)(e - s)))
		return NULL;
	reply_copy(a, sizeof(a), s, (size_t)(e - s), true, true);
	for (i = 0; i < r->n_rcpt; i++)
		if (strcmp(r->rcpt[i].addr, a) == 0)
			return &r->rcpt[i];
	if (r->n_rcpt >= AD_REPLY_RCPT_MAX)
		return NULL;
	memcpy(r->rcpt[r->n_rcpt].addr, a, sizeof(a));
	return &r->rcpt[r->n_rcpt++];
}

/* "5.1.1" at [p, end) with boundaries; its length or 0. */
static size_t
status_at(const char *base, const char *p, const char *end)
{
	const char *q = p;
	int dots = 0, digits = 0;

	if (q >= end || (*q != '2' && *q != '4' && *q != '5'))
		return 0;
	if (p > base && (isalnum((unsigned char)p[-1]) || p[-1] == '.'))
		return 0;
	q++;
	while (q < end && dots < 2) {
		if (*q != '.')
			return 0;
		q++, dots++;
		digits = 0;
		while (q < end && isdigit((unsigned char)*q) && digits < 3)
			q++, digits++;
		if (digits == 0)
			return 0;
	}
	if (q < end && (isalnum((unsigned char)*q) ||
	    (*q == '.' && q + 1 < end && isdigit((unsigned char)q[1]))))
		return 0;
	return (size_t)(q - p);
}

static void
set_perm(struct ad_reply_rcpt *rc)
{
	if (rc->status[0] == '5' || strcasecmp(rc->action, "failed") == 0)
		rc->permanent = true;
	if (rc->status[0] == '4' || strcasecmp(rc->action, "delayed") == 0)
		rc->permanent = false;
}

struct group {
	char	addr[AD_EMAIL_MAX + 1];
	bool	final;		/* addr is the Final-Recipient */
	char	action[16];
	char	status[16];
	char	diag[AD_REPLY_DIAG_MAX];
};

static void
end_group(struct ad_reply *r, struct group *g)
{
	struct ad_reply_rcpt *rc;

	if (g->addr[0] && (rc = reply_add_rcpt(r, g->addr,
	    strlen(g->addr))) != NULL) {
		memcpy(rc->action, g->action, sizeof(rc->action));
		memcpy(rc->status, g->status, sizeof(rc->status));
		memcpy(rc->diag, g->diag, sizeof(rc->diag));
		set_perm(rc);
		if (rc->permanent)
			r->permanent = true;
	}
	memset(g, 0, sizeof(*g));
}

/* "rfc822; a@b" / "smtp; 550 ..." without the type. */
static void
after_type(const char **s, const char *e)
{
	const char *semi = memchr(*s, ';', (size_t)(e - *s));

	if (semi != NULL)
		*s = semi + 1;
}

static void
field(struct group *g, const char *name, size_t nl, const char *v,
    const char *e)
{
	size_t l;

	trim(&v, &e);
	if (nl == 15 && strncasecmp(name, "Final-Recipient", nl) == 0) {
		after_type(&v, e);
		trim(&v, &e);
		reply_copy(g->addr, sizeof(g->addr), v, (size_t)(e - v), true,
		    true);
		g->final = true;
	} else if (nl == 18 && strncasecmp(name, "Original-Recipient",
	    nl) == 0 && !g->final) {
		after_type(&v, e);
		trim(&v, &e);
		reply_copy(g->addr, sizeof(g->addr), v, (size_t)(e - v), true,
		    true);
	} else if (nl == 6 && strncasecmp(name, "Action", nl) == 0) {
		reply_copy(g->action, sizeof(g->action), v, (size_t)(e - v),
		    true, true);
	} else if (nl == 6 && strncasecmp(name, "Status", nl) == 0) {
		if ((l = status_at(v, v, e)) > 0 && l < sizeof(g->status)) {
			memcpy(g->status, v, l);
			g->status[l] = '\0';
		}
	} else if (nl == 15 && strncasecmp(name, "Diagnostic-Code", nl) == 0) {
		after_type(&v, e);
		trim(&v, &e);
		reply_copy(g->diag, sizeof(g->diag), v, (size_t)(e - v), false,
		    false);
	}
}

void
reply_parse_dsn(struct ad_reply *r, const char *s, size_t n)
{
	const char *p = s, *end = s + n, *nl;
	char val[AD_REPLY_DIAG_MAX + 64];
	const char *name = NULL;
	size_t nlen = 0, vlen = 0;
	struct group g;

	memset(&g, 0, sizeof(g));
	for (; p <= end; p = nl + 1) {
		const char *le;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		le = nl;
		if (le > p && le[-1] == '\r')
			le--;
		/* Folded continuation: part of the field before. */
		if (le > p && (*p == ' ' || *p == '\t') && name != NULL) {
			size_t l;

			while (p < le && (*p == ' ' || *p == '\t'))
				p++;
			l = (size_t)(le - p);

			if (vlen + l + 1 < sizeof(val)) {
				val[vlen++] = ' ';
				memcpy(val + vlen, p, l);
				vlen += l;
			}
		} else {
			const char *colon;

			if (name != NULL)
				field(&g, name, nlen, val, val + vlen);
			name = NULL;
			if (le == p)
				end_group(r, &g);
			else if ((colon = memchr(p, ':', (size_t)(le - p))) !=
			    NULL) {
				name = p;
				nlen = (size_t)(colon - p);
				vlen = (size_t)(le - colon - 1);
				if (vlen >= sizeof(val))
					vlen = sizeof(val) - 1;
				memcpy(val, colon + 1, vlen);
			}
		}
		if (nl == end)
			break;
	}
	if (name != NULL)
		field(&g, name, nlen, val, val + vlen);
	end_group(r, &g);
}

/* Bounce wording that says the failure is only for now. */
static const char *const temporary[] = {
	"temporary", "delayed", "will be retried", "still trying",
	"will keep trying", "not yet been delivered",
};

/* The first enhanced status code at or after from, and the SMTP line. */
struct found {
	const char	*st, *diag, *diag_end;
	size_t		 sl;
};

static void
scan_status(const char *t, const char *end, const char *from,
    struct found *fd)
{
	const char *p, *nl, *line = from;

	memset(fd, 0, sizeof(*fd));
	for (p = from; p < end && fd->st == NULL; p++)
		if ((fd->sl = status_at(t, p, end)) > 0 && *p != '2')
			fd->st = p;
	while (line > t && line[-1] != '\n')
		line--;
	for (p = line; p < end && fd->diag == NULL; p = nl + 1) {
		const char *s = p, *e;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		e = nl;
		trim(&s, &e);
		/* "550 5.1.1 ...", "550-5.1.1 ...", or the line of the code. */
		if ((e - s >= 4 && (*s == '4' || *s == '5') &&
		    isdigit((unsigned char)s[1]) &&
		    isdigit((unsigned char)s[2]) && (s[3] == ' ' ||
		    s[3] == '-')) || (fd->st != NULL && fd->st >= s &&
		    fd->st < e)) {
			fd->diag = s;
			fd->diag_end = e;
		}
		if (nl == end)
			break;
	}
}

void
reply_scan_bounce_text(struct ad_reply *r)
{
	const char *t = ad_buf_str(&r->text), *end = t + r->text_own_len;
	const char *p, *nl;
	struct found all, fd;
	size_t i;
	bool temp = false;

	/* Recipients: a line that is just an address, or "<addr>: ...". */
	for (p = t; p < end && r->n_rcpt == 0; p = nl + 1) {
		const char *s = p, *e;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		e = nl;
		trim(&s, &e);
		if (e > s && *s == '<') {
			const char *gt = memchr(s, '>', (size_t)(e - s));

			if (gt != NULL && gt + 1 < e && gt[1] == ':')
				e = gt + 1;
		}
		if (e > s && e[-1] == ':')
			e--;
		if (e > s && memchr(s, '@', (size_t)(e - s)) != NULL)
			(void)reply_add_rcpt(r, s, (size_t)(e - s));
		if (nl == end)
			break;
	}
	for (i = 0; i < sizeof(temporary) / sizeof(temporary[0]); i++)
		if (reply_memcasemem(t, r->text_own_len, temporary[i]) != NULL)
			temp = true;
	scan_status(t, end, t, &all);
	r->permanent = false;
	for (i = 0; i < r->n_rcpt; i++) {
		struct ad_reply_rcpt *rc = &r->rcpt[i];
		const char *at = reply_memcasemem(t, r->text_own_len, rc->addr);

		/* The code after the recipient's own mention, else the first. */
		if (at != NULL)
			scan_status(t, end, at, &fd);
		if (at == NULL || fd.st == NULL)
			fd = all;
		if (!rc->status[0] && fd.st != NULL && fd.sl < sizeof(rc->status)) {
			memcpy(rc->status, fd.st, fd.sl);
			rc->status[fd.sl] = '\0';
		}
		if (!rc->diag[0] && fd.diag != NULL)
			reply_copy(rc->diag, sizeof(rc->diag), fd.diag,
			    (size_t)(fd.diag_end - fd.diag), false, false);
		rc->permanent = rc->status[0] ? rc->status[0] == '5' : !temp;
		if (rc->permanent)
			r->permanent = true;
	}
	if (r->n_rcpt == 0)
		r->permanent = all.st != NULL ? *all.st == '5' : !temp;
}
