/*
 * queue.c - drafts, approval and sending (see ad_queue.h for the rules).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abusedesk/ad_queue.h"
#include "abusedesk/ad_track.h"

#define DAY	86400

/* --- tokens and ids ------------------------------------------------------ */

void
ad_queue_token(const struct ad_addr *src, int64_t now, unsigned salt,
    char out[AD_TOKEN_MAX])
{
	/* Crockford's base32: no I, L, O, U, so a token read aloud survives. */
	static const char digits[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	uint64_t h = 1469598103934665603ULL;
	unsigned char b[16 + 1 + 8 + 4];
	size_t i;

	memcpy(b, src->b, 16);
	b[16] = src->af;
	for (i = 0; i < 8; i++)
		b[17 + i] = (unsigned char)((uint64_t)now >> (8 * i));
	for (i = 0; i < 4; i++)
		b[25 + i] = (unsigned char)(salt >> (8 * i));
	for (i = 0; i < sizeof(b); i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	memcpy(out, "AD-", 3);
	for (i = 0; i < 6; i++)
		out[3 + i] = digits[(h >> (5 * i + 11)) & 31];
	out[9] = '\0';
}

/*
 * One header of a stored message (ours, composed): the line it starts on,
 * its value (after "Name:" and blanks, to the end of its last folded
 * line, line end excluded) and the line after it.
 */
struct hdr_span {
	const char	*start, *value, *value_end, *next;
};

/* Finds header `name` in the header block; true when found. */
static bool
header_find(const char *msg, size_t len, const char *name, struct hdr_span *h)
{
	const char *p = msg, *end = msg + len, *eol;
	size_t nl = strlen(name);

	memset(h, 0, sizeof(*h));
	for (; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if (p == eol || (*p == '\r' && p + 1 == eol))
			break;			/* end of the header block */
		if (h->start != NULL && *p != ' ' && *p != '\t')
			break;			/* the next header */
		if (h->start == NULL) {
			if ((size_t)(eol - p) <= nl ||
			    strncasecmp(p, name, nl) != 0 || p[nl] != ':')
				continue;
			h->start = p;
			for (h->value = p + nl + 1; h->value < eol &&
			    (*h->value == ' ' || *h->value == '\t'); h->value++)
				;
		}
		h->value_end = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
		if (eol == end) {
			p = end;
			break;
		}
	}
	if (h->start == NULL)
		return false;
	h->next = p;
	return true;
}

/* msg with [from, to) replaced by rep: a new allocation, or NULL. */
static char *
splice(const char *msg, size_t len, const char *from, const char *to,
    const char *rep, size_t rl, size_t *out_len)
{
	size_t before = (size_t)(from - msg), after = (size_t)(msg + len - to);
	char *o;

	if ((o = ad_malloc(before + rl + after + 1)) == NULL)
		return NULL;
	memcpy(o, msg, before);
	memcpy(o + before, rep, rl);
	memcpy(o + before + rl, to, after);
	*out_len = before + rl + after;
	o[*out_len] = '\0';
	return o;
}

/*
 * The stored message with its Date: header set to `t` (a report approved
 * days after it was drafted is dated when it leaves). Returns a new
 * allocation or NULL (no Date header: keep the message as it is).
 */
static char *
redate(const char *msg, size_t len, int64_t t, size_t *out_len)
{
	struct hdr_span h;
	char date[64];

	if (!header_find(msg, len, "Date", &h))
		return NULL;
	ad_report_date(t, date);
	return splice(msg, len, h.value, h.value_end, date, strlen(date),
	    out_len);
}

/*
 * The message without header `name` (and its folded lines): a Cc we may
 * no longer send to must leave the headers too (sendmail -t reads them).
 * Returns a new allocation, or NULL when there was none (or no memory).
 */
static char *
without_header(const char *msg, size_t len, const char *name, size_t *out_len)
{
	struct hdr_span h;

	if (!header_find(msg, len, name, &h))
		return NULL;
	return splice(msg, len, h.start, h.next, "", 0, out_len);
}

/* Drops the Cc (recipient and header) from row. */
static void
drop_cc(struct ad_report_row *row)
{
	size_t ml;
	char *m = without_header(row->message, row->message_len, "Cc", &ml);

	if (m != NULL) {
		ad_free(row->message);
		row->message = m;
		row->message_len = ml;
	}
	row->cc[0] = '\0';
}

static const char *
email_domain(const char *email)
{
	const char *at = strrchr(email, '@');

	return at ? at + 1 : email;
}

/*
 * True when the message's From: header names `from`: a report drafted
 * before report.email was set still carries the fallback sender and its
 * signature, and must be composed again, not sent.
 */
static bool
from_is(const char *msg, size_t len, const char *from)
{
	struct hdr_span h;
	const char *v;
	size_t fl = strlen(from);

	if (!header_find(msg, len, "From", &h))
		return false;
	for (v = h.value; v + fl <= h.value_end; v++)
		if (strncasecmp(v, from, fl) == 0 && (v + fl == h.value_end ||
		    strchr(">\r ", v[fl]) != NULL))
			return true;
	return false;
}

/* Appends "; text" (or text) to a reasons buffer, cutting at its size. */
static void
add_reason(char *buf, size_t cap, const char *text)
{
	size_t l = strlen(buf);

	if (text == NULL || *text == '\0' || l + 3 >= cap)
		return;
	ad_fmt_cut(buf + l, cap - l, "%s%s", l ? "; " : "", text);
}

/* --- collecting incidents ------------------------------------------------ */

/* An incident with its sample lines (owned copies). */
struct item {
	struct ad_incident	 inc;
	struct ad_sample	*s;
	size_t			 n, cap;
};

struct items {
	struct item	*v;
	size_t		 n, cap;
	int		 err;
};

static void
items_free(struct items *it)
{
	size_t i, j;

	for (i = 0; i < it->n; i++) {
		for (j = 0; j < it->v[i].n; j++)
			ad_free(it->v[i].s[j].text);
		ad_free(it->v[i].s);
	}
	ad_free(it->v);
	memset(it, 0, sizeof(*it));
}

static int
collect_incident(void *arg, const struct ad_incident *inc)
{
	struct items *it = arg;

	if (it->n == it->cap) {
		size_t nc = it->cap ? it->cap * 2 : 16;
		struct item *v = ad_reallocarray(it->v, nc, sizeof(*v));

		if (v == NULL) {
			it->err = AD_ERR_NOMEM;
			return 1;
		}
		it->v = v;
		it->cap = nc;
	}
	memset(&it->v[it->n], 0, sizeof(it->v[it->n]));
	it->v[it->n].inc = *inc;
	it->v[it->n].inc.samples = NULL;	/* stored rows carry none */
	it->v[it->n].inc.n_samples = 0;
	it->v[it->n].inc.cap_samples = 0;
	it->n++;
	return 0;
}

static int
collect_sample(void *arg, const struct ad_sample *e)
{
	struct item *x = arg;
	struct ad_sample *s;
	size_t fl = strlen(e->file);

	if (x->n == x->cap) {
		size_t nc = x->cap ? x->cap * 2 : 8;
		struct ad_sample *v = ad_reallocarray(x->s, nc, sizeof(*v));

		if (v == NULL)
			return AD_ERR_NOMEM;
		x->s = v;
		x->cap = nc;
	}
	s = &x->s[x->n];
	*s = *e;
	/* text and file name in one block, as held samples keep them */
	if ((s->text = ad_malloc(e->len + 1 + fl + 1)) == NULL)
		return AD_ERR_NOMEM;
	memcpy(s->text, e->text, e->len);
	s->text[e->len] = '\0';
	memcpy(s->text + e->len + 1, e->file, fl + 1);
	s->file = s->text + e->len + 1;
	s->file_owned = true;
	x->n++;
	return AD_OK;
}

static int
load_samples(struct ad_store *st, struct items *it)
{
	size_t i;
	int r;

	for (i = 0; i < it->n; i++)
		if ((r = ad_store_samples_each(st, it->v[i].inc.id,
		    collect_sample, &it->v[i])) != AD_OK)
			return r;
	return AD_OK;
}

static int
item_cmp(const void *x, const void *y)
{
	const struct item *a = x, *b = y;
	int c = ad_addr_cmp(&a->inc.src, &b->inc.src);

	if (c != 0)
		return c;
	return a->inc.id < b->inc.id ? -1 : a->inc.id > b->inc.id;
}

/* --- reports of a source ------------------------------------------------- */

#define PENDING_STATES ((1u << AD_RS_DRAFT) | (1u << AD_RS_HELD) | \
	(1u << AD_RS_SKIPPED) | (1u << AD_RS_SUPPRESSED) | \
	(1u << AD_RS_APPROVED) | (1u << AD_RS_FAILED))
#define SENT_STATES ((1u << AD_RS_SENT) | (1u << AD_RS_SENDING) | \
	(1u << AD_RS_UNCONFIRMED))

struct existing {
	int64_t	pending;	/* latest pending report, 0 none */
	int64_t	sent;		/* latest sent within the period, 0 none */
	int64_t	since;		/* period start */
};

static int
find_existing(void *arg, const struct ad_report_row *r)
{
	struct existing *e = arg;

	if (r->seq > 1)
		return 0;	/* a later message of a thread, not a report */
	if (PENDING_STATES & (1u << r->state))
		e->pending = r->id;
	else if ((SENT_STATES & (1u << r->state)) &&
	    (r->sent ? r->sent : r->updated) >= e->since)
		e->sent = r->id;
	return 0;
}

struct draft_run {
	struct ad_ctx			*ctx;
	struct ad_store			*st;
	const struct ad_queue_opts	*o;
	const struct ad_assess_policy	*pol;
	ad_contact_fn			 contact;
	void				*contact_arg;
	struct ad_draft_stats		*stats;
	struct ad_diag			*diag;
	int64_t				 now;
};

static bool
wants_xarf(const struct ad_queue_opts *o, const char *to)
{
	const char *d = email_domain(to);
	size_t i;

	if (o->xarf != 0)
		return o->xarf > 0;
	for (i = 0; i < o->n_xarf_domains; i++)
		if (strcasecmp(d, o->xarf_domains[i]) == 0)
			return true;
	return false;
}

static void
fill_contact(const struct ad_lookup_answer *who, const struct ad_verdict *v,
    struct ad_report_contact *c)
{
	memset(c, 0, sizeof(*c));
	ad_fmt_cut(c->to, sizeof(c->to), "%s", v->to);
	ad_fmt_cut(c->cc, sizeof(c->cc), "%s", v->cc);
	c->to_upstream = v->action == AD_ACT_UPSTREAM;
	if (who == NULL || who->err != AD_OK)
		return;
	if (c->to_upstream && who->parent_name[0])
		ad_fmt_cut(c->network, sizeof(c->network), "%s (upstream of %s%s%s)",
		    who->parent_name, who->n_ranges ? who->ranges[0] : "",
		    who->n_ranges && who->name[0] ? " " : "", who->name);
	else
		ad_fmt_cut(c->network, sizeof(c->network), "%s%s%s%s%s%s",
		    who->n_ranges ? who->ranges[0] : "",
		    who->n_ranges && who->name[0] ? " " : "", who->name,
		    who->org[0] ? " (" : "", who->org, who->org[0] ? ")" : "");
	if (strcmp(who->protocol, "config") == 0)	/* report.contacts */
		ad_fmt_cut(c->service, sizeof(c->service), "our own list of"
		    " known abuse contacts");
	else
		ad_fmt_cut(c->service, sizeof(c->service), "%s %s",
		    strcmp(who->protocol, "rdap") == 0 ? "RDAP" : who->protocol,
		    who->server);
	/* Our own list needs no evidence line: the recipient cannot see it. */
	if (strcmp(who->protocol, "config") != 0)
		ad_fmt_cut(c->evidence, sizeof(c->evidence), "%s",
		    who->evidence);
	ad_fmt_cut(c->country, sizeof(c->country), "%s", who->country);
}

/*
 * Leaves out of who's abuse mailboxes those on the suppression list (one
 * that bounced is put there by inbox), as long as another one remains: the
 * network is then written to at its next mailbox. When all are suppressed
 * they stay, and the report is marked suppressed as before.
 */
static int
drop_suppressed(struct ad_store *st, struct ad_lookup_answer *who)
{
	bool bad[AD_LOOKUP_ABUSE_MAX] = { false };
	size_t i, j, n_bad = 0;
	int s;

	if (who->err != AD_OK || who->n_abuse < 2)
		return AD_OK;
	for (i = 0; i < who->n_abuse && i < AD_LOOKUP_ABUSE_MAX; i++) {
		if ((s = ad_store_suppressed(st, who->abuse[i])) < 0)
			return s;
		if (s > 0) {
			bad[i] = true;
			n_bad++;
		}
	}
	if (n_bad == 0 || n_bad == who->n_abuse)
		return AD_OK;
	for (i = j = 0; i < who->n_abuse; i++)
		if (!bad[i]) {
			if (i != j)
				memcpy(who->abuse[j], who->abuse[i],
				    sizeof(who->abuse[0]));
			j++;
		}
	who->n_abuse = j;
	return AD_OK;
}

/*
 * (Re)composes report row from its linked incidents: assessment, contact,
 * suppression, message. keep_approved: the row was approved and stays so
 * when its recipient did not change.
 */
static int
compose_row(struct draft_run *d, struct ad_report_row *row)
{
	struct ad_incident_filter f;
	struct items it = { 0 };
	struct ad_lookup_answer who;
	struct ad_verdict v;
	struct ad_report_contact contact;
	struct ad_report_item *ri = NULL;
	const struct ad_incident **incs = NULL;
	struct ad_report_input in;
	struct ad_report_out out;
	struct ad_diag cdiag;
	char rdns[256] = "", old_to[sizeof(row->to)];
	enum ad_report_state was = row->state;
	uint64_t events = 0;
	size_t i;
	int r, s;

	memset(&f, 0, sizeof(f));
	f.category = -1;
	f.report_id = row->id;
	if ((r = ad_store_incident_each(d->st, &f, collect_incident, &it)) != AD_OK)
		goto done;
	if ((r = it.err) != AD_OK || (r = load_samples(d->st, &it)) != AD_OK)
		goto done;
	if (it.n == 0) {
		r = AD_OK;
		goto done;
	}
	ri = ad_calloc(it.n, sizeof(*ri));
	incs = ad_calloc(it.n, sizeof(*incs));
	if (ri == NULL || incs == NULL) {
		r = AD_ERR_NOMEM;
		goto done;
	}
	for (i = 0; i < it.n; i++) {
		ri[i].inc = &it.v[i].inc;
		ri[i].samples = it.v[i].s;
		ri[i].n_samples = it.v[i].n;
		incs[i] = &it.v[i].inc;
		events += it.v[i].inc.events;
	}
	memset(&who, 0, sizeof(who));
	who.err = AD_ERR_NOTFOUND;
	d->contact(d->contact_arg, &row->src, &who, rdns, sizeof(rdns));
	if ((r = drop_suppressed(d->st, &who)) != AD_OK)
		goto done;
	ad_assess(d->pol, incs, it.n, &who, rdns, &v);

	ad_fmt_cut(old_to, sizeof(old_to), "%s", row->to);
	ad_fmt_cut(row->action, sizeof(row->action), "%s", ad_action_name(v.action));
	row->flags = v.flags;
	ad_fmt_cut(row->reasons, sizeof(row->reasons), "%s", v.reasons);
	ad_fmt_cut(row->to, sizeof(row->to), "%s", v.to);
	ad_fmt_cut(row->cc, sizeof(row->cc), "%s", v.cc);
	row->events = events;
	row->updated = d->now;
	row->lang[0] = '\0';
	row->xarf = false;
	row->subject[0] = '\0';
	ad_report_row_free(row);

	/* Suppression is honoured before anything is written to them. */
	if (row->cc[0] && (s = ad_store_suppressed(d->st, row->cc)) != 0) {
		if (s < 0) {
			r = s;
			goto done;
		}
		add_reason(row->reasons, sizeof(row->reasons),
		    "the upstream contact asked not to receive reports: no Cc");
		row->cc[0] = '\0';
	}
	if (row->to[0] && (s = ad_store_suppressed(d->st, row->to)) != 0) {
		if (s < 0) {
			r = s;
			goto done;
		}
		row->state = AD_RS_SUPPRESSED;
		add_reason(row->reasons, sizeof(row->reasons),
		    "the recipient asked not to receive reports (suppression"
		    " list)");
	} else if (v.action == AD_ACT_SKIP)
		row->state = AD_RS_SKIPPED;
	else if (v.action == AD_ACT_HOLD || row->to[0] == '\0')
		row->state = AD_RS_HELD;
	else if (was == AD_RS_APPROVED && strcmp(old_to, row->to) == 0)
		row->state = AD_RS_APPROVED;
	else
		row->state = AD_RS_DRAFT;

	if (row->to[0] != '\0') {
		const char *lang = NULL;

		if (d->o->translate && who.err == AD_OK)
			lang = ad_report_lang_for_country(who.country);
		fill_contact(&who, &v, &contact);
		memset(&in, 0, sizeof(in));
		in.items = ri;
		in.n_items = it.n;
		in.contact = &contact;
		in.me = d->o->me;
		in.from_fallback = d->o->from_fallback;
		in.token = row->token;
		in.message_id = row->message_id;
		in.date = d->now;
		in.lang = lang;
		in.spoof_caveat = v.spoof_caveat;
		in.xarf = wants_xarf(d->o, row->to);
		in.own = d->o->own;
		in.n_own = d->o->n_own;
		in.public_view = d->o->public_view;
		in.template_dir = d->o->template_dir;
		ad_report_out_init(&out);
		memset(&cdiag, 0, sizeof(cdiag));
		r = ad_report_compose(&in, &out, &cdiag);
		if (r == AD_OK) {
			row->message_len = out.message.len;
			row->message = ad_buf_take(&out.message);
			ad_fmt_cut(row->subject, sizeof(row->subject), "%s",
			    out.subject);
			ad_fmt_cut(row->lang, sizeof(row->lang), "%s",
			    lang ? lang : "");
			row->xarf = in.xarf;
		} else if (r == AD_ERR_PARSE || r == AD_ERR_USAGE) {
			/* Outside data we will not put into a header. */
			char why[400];

			ad_fmt_cut(why, sizeof(why), "not composed: %s",
			    cdiag.msg[0] ? cdiag.msg : ad_strerror(r));
			add_reason(row->reasons, sizeof(row->reasons), why);
			row->state = AD_RS_HELD;
			r = AD_OK;
		} else {
			ad_report_out_free(&out);
			ad_diag_set(d->diag, r, cdiag.where, cdiag.line, "%s",
			    cdiag.msg);
			goto done;
		}
		ad_report_out_free(&out);
	}
	r = AD_OK;
done:
	ad_free(ri);
	ad_free(incs);
	items_free(&it);
	return r;
}

static void
count_state(struct ad_draft_stats *s, enum ad_report_state st)
{
	switch (st) {
	case AD_RS_DRAFT:	s->drafts++; break;
	case AD_RS_HELD:	s->held++; break;
	case AD_RS_SKIPPED:	s->skipped++; break;
	case AD_RS_SUPPRESSED:	s->suppressed++; break;
	default:		break;
	}
}

/* New events after the case was resolved open it again. */
static int
reopen(struct draft_run *d, int64_t id)
{
	struct ad_report_row row;
	int r;

	if ((r = ad_store_report_get(d->st, id, NULL, &row)) <= 0)
		return r;
	if (strcmp(row.lifecycle, AD_LC_RESOLVED) == 0)
		r = ad_track_set(d->st, row.id, AD_LC_REPORTED, d->now,
		    "reopened: new events after it was resolved");
	ad_report_row_free(&row);
	return r;
}

/* Drafts one source: incidents v[0..n) (same source, in no report). */
static int
draft_source(struct draft_run *d, const struct item *v, size_t n)
{
	struct ad_report_filter f;
	struct existing e = { 0, 0, d->now - (d->o->period ? d->o->period :
	    7 * DAY) };
	struct ad_report_row row;
	char text[256];
	uint64_t events = 0;
	size_t i;
	int r, used;
	unsigned salt;

	memset(&f, 0, sizeof(f));
	memset(&row, 0, sizeof(row));
	f.src = &v[0].inc.src;
	for (i = 0; i < n; i++)
		events += v[i].inc.events;
	if ((r = ad_store_begin(d->st)) != AD_OK)
		return r;
	if ((r = ad_store_report_each(d->st, &f, find_existing, &e)) != AD_OK)
		goto fail;
	if (e.pending == 0 && e.sent != 0) {
		/* Reported already: the follow-up will mention these. */
		for (i = 0; i < n; i++)
			if ((r = ad_store_report_link(d->st, e.sent,
			    v[i].inc.id, true)) != AD_OK)
				goto fail;
		ad_fmt_cut(text, sizeof(text), "%zu more incident%s (%llu events)"
		    " after the report was sent; no new message", n,
		    n == 1 ? "" : "s", (unsigned long long)events);
		if ((r = ad_store_report_log(d->st, e.sent, d->now, "sent",
		    text)) != AD_OK || (r = reopen(d, e.sent)) != AD_OK)
			goto fail;
		d->stats->after_sent += n;
		return ad_store_commit(d->st);
	}
	if (e.pending != 0) {
		if ((r = ad_store_report_get(d->st, e.pending, NULL, &row)) < 0)
			goto fail;
		d->stats->updated++;
	} else {
		for (salt = 0;; salt++) {
			ad_queue_token(&v[0].inc.src, d->now, salt, row.token);
			if ((used = ad_store_token_used(d->st, row.token)) < 0) {
				r = used;
				goto fail;
			}
			if (!used)
				break;
		}
		ad_fmt_cut(row.message_id, sizeof(row.message_id),
		    "<%s.1.abusedesk@%s>", row.token, d->o->msgid_host);
		row.src = v[0].inc.src;
		ad_fmt_cut(row.kind, sizeof(row.kind), "report");
		row.seq = 1;
		row.created = d->now;
		row.state = AD_RS_DRAFT;
		if ((r = ad_store_report_save(d->st, &row)) != AD_OK)
			goto fail;
		d->stats->created++;
	}
	for (i = 0; i < n; i++)
		if ((r = ad_store_report_link(d->st, row.id, v[i].inc.id,
		    false)) != AD_OK)
			goto fail;
	if ((r = compose_row(d, &row)) != AD_OK ||
	    (r = ad_store_report_save(d->st, &row)) != AD_OK)
		goto fail;
	ad_fmt_cut(text, sizeof(text), "%s with %zu incident%s (%llu events):"
	    " %s%s%s", e.pending ? "updated" : "drafted", n, n == 1 ? "" : "s",
	    (unsigned long long)events, row.action, row.to[0] ? " to " : "",
	    row.to);
	if ((r = ad_store_report_log(d->st, row.id, d->now,
	    ad_report_state_name(row.state), text)) != AD_OK)
		goto fail;
	count_state(d->stats, row.state);
	ad_report_row_free(&row);
	return ad_store_commit(d->st);
fail:
	ad_report_row_free(&row);
	ad_store_rollback(d->st);
	return r;
}

static int
sum_events(void *arg, const struct ad_incident *inc)
{
	*(uint64_t *)arg += inc->events;
	return 0;
}

/* The events of the incidents in report id, now. */
static int
report_events(struct draft_run *d, int64_t id, uint64_t *ev)
{
	struct ad_incident_filter fi;

	*ev = 0;
	memset(&fi, 0, sizeof(fi));
	fi.category = -1;
	fi.report_id = id;
	return ad_store_incident_each(d->st, &fi, sum_events, ev);
}

static int
refresh_grown(struct draft_run *d)
{
	struct ad_report_filter f;
	int64_t *ids = NULL;
	size_t n_ids = 0;
	struct ad_report_row row;
	size_t i;
	int r;

	memset(&f, 0, sizeof(f));
	f.states = PENDING_STATES;
	if ((r = ad_store_report_ids(d->st, &f, &ids, &n_ids)) != AD_OK)
		goto out;
	for (i = 0; i < n_ids; i++) {
		uint64_t ev;

		if ((r = report_events(d, ids[i], &ev)) != AD_OK)
			goto out;
		if ((r = ad_store_report_get(d->st, ids[i], NULL, &row)) < 0)
			goto out;
		if (r == 0) {
			ad_report_row_free(&row);
			continue;
		}
		/* Grown, composed with an old identity, or no longer
		 * suppressed: compose again. */
		if (row.state == AD_RS_SUPPRESSED &&
		    (r = ad_store_suppressed(d->st, row.to)) < 0) {
			ad_report_row_free(&row);
			goto out;
		}
		if (ev <= row.events && !(row.state == AD_RS_SUPPRESSED &&
		    r == 0) && (row.message == NULL ||
		    from_is(row.message, row.message_len, d->o->me->email[0] ?
		    d->o->me->email : d->o->from_fallback))) {
			ad_report_row_free(&row);
			continue;
		}
		if ((r = ad_store_begin(d->st)) != AD_OK) {
			ad_report_row_free(&row);
			goto out;
		}
		if ((r = compose_row(d, &row)) != AD_OK ||
		    (r = ad_store_report_save(d->st, &row)) != AD_OK ||
		    (r = ad_store_report_log(d->st, row.id, d->now,
		    ad_report_state_name(row.state),
		    ev > row.events ? "updated: its incidents have new events" :
		    "updated: composed again (identity or suppression changed)"))
		    !=
		    AD_OK) {
			ad_report_row_free(&row);
			ad_store_rollback(d->st);
			goto out;
		}
		d->stats->updated++;
		count_state(d->stats, row.state);
		ad_report_row_free(&row);
		if ((r = ad_store_commit(d->st)) != AD_OK)
			goto out;
	}
	r = AD_OK;
out:
	ad_free(ids);
	return r;
}

/*
 * Sent reports whose incidents go on: the trail says so (the follow-up and
 * block advice read it), and a resolved case opens again.
 */
static int
note_sent_growth(struct draft_run *d)
{
	struct ad_report_filter f;
	int64_t *ids = NULL;
	size_t n_ids = 0;
	struct ad_report_row row;
	char text[200];
	size_t i;
	int r;

	memset(&f, 0, sizeof(f));
	f.states = SENT_STATES;
	if ((r = ad_store_report_ids(d->st, &f, &ids, &n_ids)) != AD_OK)
		goto out;
	for (i = 0; i < n_ids; i++) {
		uint64_t ev, seen;

		if ((r = report_events(d, ids[i], &ev)) != AD_OK)
			goto out;
		if ((r = ad_store_report_get(d->st, ids[i], NULL, &row)) < 0)
			goto out;
		seen = row.events_seen > row.events ? row.events_seen :
		    row.events;
		if (r == 0 || row.seq > 1 || ev <= seen) {
			ad_report_row_free(&row);
			continue;
		}
		ad_fmt_cut(text, sizeof(text), "%llu more event%s since the"
		    " report (%llu in all); no new message",
		    (unsigned long long)(ev - seen), ev - seen == 1 ? "" : "s",
		    (unsigned long long)ev);
		row.events_seen = ev;
		if ((r = ad_store_begin(d->st)) != AD_OK) {
			ad_report_row_free(&row);
			goto out;
		}
		if ((r = ad_store_report_save(d->st, &row)) != AD_OK ||
		    (r = ad_store_report_log(d->st, row.id, d->now,
		    row.lifecycle, text)) != AD_OK ||
		    (r = reopen(d, row.id)) != AD_OK) {
			ad_report_row_free(&row);
			ad_store_rollback(d->st);
			goto out;
		}
		ad_report_row_free(&row);
		if ((r = ad_store_commit(d->st)) != AD_OK)
			goto out;
	}
	r = AD_OK;
out:
	ad_free(ids);
	return r;
}

int
ad_queue_draft(struct ad_ctx *ctx, struct ad_store *st,
    const struct ad_queue_opts *o, const struct ad_assess_policy *pol,
    ad_contact_fn contact, void *contact_arg, const int64_t *ids, size_t n_ids,
    void (*progress)(void *, size_t), void *progress_arg,
    struct ad_draft_stats *stats, struct ad_diag *diag)
{
	struct draft_run d = { ctx, st, o, pol, contact, contact_arg, stats,
	    diag, (int64_t)ad_ctx_now(ctx) };
	struct ad_incident_filter f;
	struct items it = { 0 };
	size_t i, j, k, done = 0;
	int r = AD_OK;

	memset(stats, 0, sizeof(*stats));
	memset(&f, 0, sizeof(f));
	f.category = -1;
	f.reportable_only = true;
	f.state = AD_STATE_NEW + 1;
	f.unreported = true;
	if (n_ids == 0) {
		r = ad_store_incident_each(st, &f, collect_incident, &it);
	} else {
		for (k = 0; k < n_ids && r == AD_OK; k++) {
			size_t before = it.n;

			f.id = ids[k];
			f.unreported = false;
			r = ad_store_incident_each(st, &f, collect_incident, &it);
			if (r == AD_OK && it.err == AD_OK && it.n == before) {
				r = ad_diag_set(diag, AD_ERR_NOTFOUND, NULL, 0,
				    "incident %lld is not a reportable incident",
				    (long long)ids[k]);
				goto out;
			}
		}
	}
	if (r != AD_OK || (r = it.err) != AD_OK)
		goto out;
	if (it.n > 1)
		qsort(it.v, it.n, sizeof(*it.v), item_cmp);
	for (i = 0; i < it.n; i = j) {
		for (j = i + 1; j < it.n &&
		    ad_addr_cmp(&it.v[j].inc.src, &it.v[i].inc.src) == 0; j++)
			;
		stats->sources++;
		if ((r = draft_source(&d, &it.v[i], j - i)) != AD_OK) {
			char a[AD_ADDR_STRLEN];

			if (diag && diag->msg[0] == '\0')
				ad_diag_set(diag, r, ad_addr_format(
				    &it.v[i].inc.src, a), 0, "%s",
				    ad_store_errmsg(st));
			goto out;
		}
		if (progress)
			progress(progress_arg, ++done);
	}
	if (n_ids == 0 && (r = refresh_grown(&d)) == AD_OK)
		r = note_sent_growth(&d);
out:
	items_free(&it);
	return r;
}

/* The report named by id or token: AD_OK, AD_ERR_NOTFOUND (diag) or error. */
static int
get_report(struct ad_store *st, int64_t id, const char *token,
    struct ad_report_row *row, struct ad_diag *diag)
{
	int r = ad_store_report_get(st, id, token, row);

	if (r == 0)
		return ad_diag_set(diag, AD_ERR_NOTFOUND, token, 0,
		    "no report %s", token ? token : "with that id");
	return r < 0 ? r : AD_OK;
}

int
ad_queue_preview(struct ad_ctx *ctx, struct ad_store *st,
    const struct ad_queue_opts *o, const struct ad_assess_policy *pol,
    ad_contact_fn contact, void *contact_arg, int64_t id, const char *token,
    char **msg, size_t *len, struct ad_diag *diag)
{
	struct ad_draft_stats stats;
	struct draft_run d = { ctx, st, o, pol, contact, contact_arg, &stats,
	    diag, (int64_t)ad_ctx_now(ctx) };
	struct ad_report_row row;
	int r;

	*msg = NULL;
	*len = 0;
	if ((r = get_report(st, id, token, &row, diag)) != AD_OK)
		return r;
	if ((r = compose_row(&d, &row)) == AD_OK && row.message == NULL)
		r = ad_diag_set(diag, AD_ERR_NOTFOUND, row.token, 0,
		    "report %s has no recipient to write to (%s)", row.token,
		    row.reasons);
	if (r == AD_OK) {
		*msg = row.message;
		*len = row.message_len;
		row.message = NULL;
	}
	ad_report_row_free(&row);
	return r;
}

/* --- approval ------------------------------------------------------------ */

int
ad_queue_approve(struct ad_ctx *ctx, struct ad_store *st, int64_t id,
    const char *token, struct ad_diag *diag)
{
	struct ad_report_row row;
	int r;

	if ((r = get_report(st, id, token, &row, diag)) != AD_OK)
		return r;
	switch (row.state) {
	case AD_RS_DRAFT:
	case AD_RS_HELD:
	case AD_RS_UNCONFIRMED:
	case AD_RS_FAILED:
		break;
	case AD_RS_APPROVED:
		ad_report_row_free(&row);
		return AD_OK;
	default:
		r = ad_diag_set(diag, AD_ERR_USAGE, row.token, 0,
		    "report %s is %s: only drafts, held, failed and unconfirmed"
		    " reports can be approved", row.token,
		    ad_report_state_name(row.state));
		ad_report_row_free(&row);
		return r;
	}
	if (row.to[0] == '\0' || row.message == NULL) {
		r = ad_diag_set(diag, AD_ERR_USAGE, row.token, 0,
		    "report %s has no recipient or no message (%s)", row.token,
		    row.reasons[0] ? row.reasons : "see abusedesk show");
		ad_report_row_free(&row);
		return r;
	}
	row.approved = (int64_t)ad_ctx_now(ctx);
	row.next_try = 0;
	row.attempts = row.state == AD_RS_FAILED ? 0 : row.attempts;
	row.state = AD_RS_APPROVED;
	if ((r = ad_store_begin(st)) != AD_OK)
		goto out;
	if ((r = ad_store_report_save(st, &row)) != AD_OK ||
	    (r = ad_store_report_log(st, row.id, row.approved, "approved",
	    "approved for sending")) != AD_OK) {
		ad_store_rollback(st);
		goto out;
	}
	r = ad_store_commit(st);
out:
	ad_report_row_free(&row);
	return r;
}

/* --- sending ------------------------------------------------------------- */

/* Saves row and a trail line in one transaction. */
static int
save_logged(struct ad_store *st, struct ad_report_row *row, int64_t now,
    const char *text)
{
	int r;

	if ((r = ad_store_begin(st)) != AD_OK)
		return r;
	if ((r = ad_store_report_save(st, row)) != AD_OK ||
	    (r = ad_store_report_log(st, row->id, now,
	    ad_report_state_name(row->state), text)) != AD_OK) {
		ad_store_rollback(st);
		return r;
	}
	return ad_store_commit(st);
}

struct sender {
	struct ad_ctx			*ctx;
	struct ad_store			*st;
	const struct ad_queue_opts	*o;
	void (*report)(void *, const struct ad_send_event *);
	void				*arg;
	struct ad_send_stats		*stats;
	int64_t				 now;
};

static void
tell(struct sender *s, const struct ad_report_row *row, const char *what,
    const char *detail)
{
	struct ad_send_event e = { row, what, detail };

	if (s->report)
		s->report(s->arg, &e);
}

/* Over a rate limit? Fills why. 1 yes, 0 no, <0 error. */
static int
rate_limited(struct sender *s, const char *domain, char *why, size_t n)
{
	long per_domain = s->o->per_domain_hour ? s->o->per_domain_hour : 10;
	long per_all = s->o->per_hour ? s->o->per_hour : 60;
	int64_t c;
	int r;

	if ((r = ad_store_send_count(s->st, domain, s->now - 3600, &c)) != AD_OK)
		return r;
	if (c >= per_domain) {
		ad_fmt_cut(why, n, "%lld reports to %s in the last hour (limit %ld)",
		    (long long)c, domain, per_domain);
		return 1;
	}
	if ((r = ad_store_send_count(s->st, NULL, s->now - 3600, &c)) != AD_OK)
		return r;
	if (c >= per_all) {
		ad_fmt_cut(why, n, "%lld reports in the last hour (limit %ld)",
		    (long long)c, per_all);
		return 1;
	}
	return 0;
}

/* Where a case stands once a message of this kind went out. */
static const char *
lifecycle_after(const char *kind)
{
	if (strcmp(kind, "followup") == 0)
		return AD_LC_FOLLOWED_UP;
	if (strcmp(kind, "upstream") == 0)
		return AD_LC_UPSTREAM;
	if (strcmp(kind, "cert") == 0)
		return AD_LC_CERT;
	return AD_LC_REPORTED;
}

static int
send_one(struct sender *s, int64_t id, struct ad_diag *diag)
{
	const struct ad_queue_opts *o = s->o;
	struct ad_report_row row;
	struct ad_send_result res;
	const char *rcpt[2];
	char why[600], *m;
	size_t n = 0, ml;
	int r, q;

	if ((r = ad_store_report_get(s->st, id, NULL, &row)) <= 0)
		return r;
	if (row.state != AD_RS_APPROVED || row.next_try > s->now) {
		ad_report_row_free(&row);
		return AD_OK;
	}
	if ((q = ad_store_suppressed(s->st, row.to)) != 0) {
		if (q < 0) {
			r = q;
			goto out;
		}
		row.state = AD_RS_SUPPRESSED;
		ad_fmt_cut(why, sizeof(why), "not sent: %s asked not to receive"
		    " reports", row.to);
		s->stats->suppressed++;
		tell(s, &row, "suppressed", why);
		r = save_logged(s->st, &row, s->now, why);
		goto out;
	}
	if (o->me->email[0] && !from_is(row.message, row.message_len,
	    o->me->email)) {
		/* Drafted before report.email was set: not ours to send. */
		s->stats->deferred++;
		tell(s, &row, "deferred", "composed before report.email was"
		    " set: run 'abusedesk draft' to compose it again");
		r = AD_OK;
		goto out;
	}
	if (row.cc[0] && (q = ad_store_suppressed(s->st, row.cc)) != 0) {
		if (q < 0) {
			r = q;
			goto out;
		}
		drop_cc(&row);
	}
	if ((q = rate_limited(s, email_domain(row.to), why, sizeof(why))) != 0) {
		if (q < 0) {
			r = q;
			goto out;
		}
		s->stats->deferred++;
		tell(s, &row, "deferred", why);
		r = AD_OK;
		goto out;
	}
	if (o->dry_run) {
		ad_fmt_cut(why, sizeof(why), "to %s%s%s: %s", row.to,
		    row.cc[0] ? ", cc " : "", row.cc, row.subject);
		s->stats->would_send++;
		tell(s, &row, "would send", why);
		r = AD_OK;
		goto out;
	}
	if ((m = redate(row.message, row.message_len, s->now, &ml)) != NULL) {
		ad_free(row.message);
		row.message = m;
		row.message_len = ml;
	}
	/* The mark that makes a crash after the relay accepted harmless. */
	row.state = AD_RS_SENDING;
	row.attempts++;
	row.updated = s->now;
	if ((r = save_logged(s->st, &row, s->now, "handed to the relay")) != AD_OK)
		goto out;
	rcpt[n++] = row.to;
	if (row.cc[0])
		rcpt[n++] = row.cc;
	r = ad_deliver_send(o->relay, o->me->email, rcpt, n, row.message,
	    row.message_len, &res, diag);
	if (r != AD_OK && res.permanent && row.cc[0] &&
	    strcasestr(res.detail, row.cc) != NULL) {
		/* Recipients are all or nothing: the upstream's Cc address
		 * was refused, the holder's was not. Once more without it. */
		ad_fmt_cut(why, sizeof(why), "Cc %s refused (%s): sent without"
		    " it", row.cc, res.detail);
		drop_cc(&row);
		if ((q = ad_store_report_log(s->st, row.id, s->now, "sending",
		    why)) != AD_OK) {
			r = q;
			goto out;
		}
		r = ad_deliver_send(o->relay, o->me->email, rcpt, 1, row.message,
		    row.message_len, &res, diag);
	}
	if (r == AD_OK && res.accepted) {
		if (ad_fault(s->ctx, AD_FAULT_SEND_AFTER_ACCEPT)) {
			r = ad_diag_set(diag, AD_ERR_FAULT, row.token, 0,
			    "injected fault after the relay accepted");
			goto out;
		}
		row.state = AD_RS_SENT;
		row.sent = s->now;
		row.last_error[0] = '\0';
		/* detail is the relay's own answer ("250 2.0.0 Ok: ...") */
		ad_fmt_cut(why, sizeof(why), "sent to %s%s%s (%s)", row.to,
		    row.cc[0] ? ", cc " : "", row.cc, res.detail);
		if ((r = ad_store_begin(s->st)) != AD_OK)
			goto out;
		if ((r = ad_store_report_save(s->st, &row)) != AD_OK ||
		    (r = ad_store_send_record(s->st, row.id,
		    email_domain(row.to), s->now)) != AD_OK ||
		    (r = ad_store_report_log(s->st, row.id, s->now, "sent",
		    why)) != AD_OK ||
		    (r = ad_track_set(s->st, row.thread_id ? row.thread_id :
		    row.id, lifecycle_after(row.kind), s->now, why)) != AD_OK) {
			ad_store_rollback(s->st);
			goto out;
		}
		if ((r = ad_store_commit(s->st)) != AD_OK)
			goto out;
		s->stats->sent++;
		tell(s, &row, "sent", why);
		goto out;
	}
	if (r == AD_ERR_CONFIG) {
		/* Our relay settings, not the report: keep it approved, stop. */
		row.state = AD_RS_APPROVED;
		row.attempts--;
		ad_fmt_cut(row.last_error, sizeof(row.last_error), "%s",
		    res.detail);
		ad_fmt_cut(why, sizeof(why), "not sent, the relay settings are"
		    " unusable: %s", res.detail);
		tell(s, &row, "deferred", why);
		s->stats->deferred++;
		if ((q = save_logged(s->st, &row, s->now, why)) != AD_OK)
			r = q;
		goto out;
	}
	/* Not accepted: retry later, or give up. */
	ad_fmt_cut(row.last_error, sizeof(row.last_error), "%s",
	    res.detail[0] ? res.detail : (diag && diag->msg[0] ? diag->msg :
	    ad_strerror(r)));
	{
		int max = o->max_attempts ? o->max_attempts : 8;
		int64_t base = o->retry_base ? o->retry_base : 900;
		bool permanent = r == AD_ERR_USAGE || res.permanent;

		if (permanent || row.attempts >= max) {
			row.state = AD_RS_FAILED;
			ad_fmt_cut(why, sizeof(why), "%s: %s", permanent ?
			    "refused" : "gave up after retries", row.last_error);
			s->stats->failed++;
			tell(s, &row, "failed", why);
		} else {
			int sh = row.attempts - 1 < 16 ? row.attempts - 1 : 16;

			row.state = AD_RS_APPROVED;
			row.next_try = s->now + (base << sh);
			ad_fmt_cut(why, sizeof(why), "temporary failure, retry in"
			    " %lld s: %s", (long long)(base << sh),
			    row.last_error);
			s->stats->retry++;
			tell(s, &row, "retry", why);
		}
	}
	r = save_logged(s->st, &row, s->now, why);
out:
	ad_report_row_free(&row);
	return r;
}

int
ad_queue_send(struct ad_ctx *ctx, struct ad_store *st,
    const struct ad_queue_opts *o,
    void (*report)(void *, const struct ad_send_event *), void *arg,
    struct ad_send_stats *stats, struct ad_diag *diag)
{
	struct sender s = { ctx, st, o, report, arg, stats,
	    (int64_t)ad_ctx_now(ctx) };
	struct ad_report_filter f;
	int64_t *ids = NULL;
	size_t n = 0;
	struct ad_report_row row;
	size_t i;
	int r;

	memset(stats, 0, sizeof(*stats));
	if (!o->dry_run && (o->me == NULL || o->me->email[0] == '\0'))
		return ad_diag_set(diag, AD_ERR_CONFIG, "report.email", 0,
		    "no reporter identity: set report.email (and report.name,"
		    " report.org) before sending");
	/* A SENDING report means a run died after handing it over. */
	memset(&f, 0, sizeof(f));
	f.states = 1u << AD_RS_SENDING;
	if ((r = ad_store_report_ids(st, &f, &ids, &n)) != AD_OK)
		goto out;
	for (i = 0; i < n && !o->dry_run; i++) {
		if ((r = ad_store_report_get(st, ids[i], NULL, &row)) < 0)
			goto out;
		if (r == 0)
			continue;
		row.state = AD_RS_UNCONFIRMED;
		r = save_logged(st, &row, s.now, "the last send stopped after"
		    " handing it to the relay: it may have been delivered, so"
		    " it is not sent again (approve it to resend)");
		stats->unconfirmed++;
		tell(&s, &row, "unconfirmed", "may have been sent before a"
		    " crash; not resent");
		ad_report_row_free(&row);
		if (r != AD_OK)
			goto out;
	}
	ad_free(ids);
	f.states = 1u << AD_RS_APPROVED;
	if ((r = ad_store_report_ids(st, &f, &ids, &n)) != AD_OK)
		goto out;
	for (i = 0; i < n; i++)
		if ((r = send_one(&s, ids[i], diag)) != AD_OK)
			goto out;
	r = AD_OK;
out:
	ad_free(ids);
	return r;
}
