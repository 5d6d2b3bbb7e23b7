/*
 * reports.c - the store's side of reports: rows, the incidents each covers,
 * the trail, the suppression list and the sends the rate limits count.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_ip.h"
#include "abusedesk/ad_store.h"
#include "store_int.h"

static const char *const state_names[AD_RS__COUNT] = {
	[AD_RS_DRAFT] = "draft",
	[AD_RS_HELD] = "held",
	[AD_RS_SKIPPED] = "skipped",
	[AD_RS_APPROVED] = "approved",
	[AD_RS_SENDING] = "sending",
	[AD_RS_SENT] = "sent",
	[AD_RS_FAILED] = "failed",
	[AD_RS_UNCONFIRMED] = "unconfirmed",
	[AD_RS_SUPPRESSED] = "suppressed",
};

const char *
ad_report_state_name(enum ad_report_state s)
{
	return (unsigned)s < AD_RS__COUNT ? state_names[s] : "?";
}

int
ad_report_state_from_name(const char *name)
{
	int i;

	for (i = 0; i < AD_RS__COUNT; i++)
		if (strcmp(name, state_names[i]) == 0)
			return i;
	return -1;
}

void
ad_report_row_free(struct ad_report_row *r)
{
	if (r == NULL)
		return;
	ad_free(r->message);
	r->message = NULL;
	r->message_len = 0;
}

#define REPORT_COLS \
	"id, token, src, state, action, flags, reasons, rcpt_to, rcpt_cc," \
	" subject, message_id, message, lang, xarf, events, created, updated," \
	" approved, sent, next_try, attempts, last_error, kind, thread_id," \
	" seq, lifecycle, ticket, form_url, events_seen"

static void
col_text(sqlite3_stmt *s, int i, char *dst, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/* Fills r from a row of REPORT_COLS; the message is borrowed from s. */
static void
row_to_report(sqlite3_stmt *s, struct ad_report_row *r)
{
	char a[AD_ADDR_STRLEN];
	int st;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	col_text(s, 1, r->token, sizeof(r->token));
	col_text(s, 2, a, sizeof(a));
	if (!ad_addr_parse(a, strlen(a), &r->src))
		memset(&r->src, 0, sizeof(r->src));
	col_text(s, 3, a, sizeof(a));
	st = ad_report_state_from_name(a);
	r->state = st < 0 ? AD_RS_HELD : (enum ad_report_state)st;
	col_text(s, 4, r->action, sizeof(r->action));
	r->flags = (unsigned)sqlite3_column_int(s, 5);
	col_text(s, 6, r->reasons, sizeof(r->reasons));
	col_text(s, 7, r->to, sizeof(r->to));
	col_text(s, 8, r->cc, sizeof(r->cc));
	col_text(s, 9, r->subject, sizeof(r->subject));
	col_text(s, 10, r->message_id, sizeof(r->message_id));
	r->message = (char *)sqlite3_column_blob(s, 11);
	r->message_len = (size_t)sqlite3_column_bytes(s, 11);
	col_text(s, 12, r->lang, sizeof(r->lang));
	r->xarf = sqlite3_column_int(s, 13) != 0;
	r->events = (uint64_t)sqlite3_column_int64(s, 14);
	r->created = sqlite3_column_int64(s, 15);
	r->updated = sqlite3_column_int64(s, 16);
	r->approved = sqlite3_column_int64(s, 17);
	r->sent = sqlite3_column_int64(s, 18);
	r->next_try = sqlite3_column_int64(s, 19);
	r->attempts = sqlite3_column_int(s, 20);
	col_text(s, 21, r->last_error, sizeof(r->last_error));
	col_text(s, 22, r->kind, sizeof(r->kind));
	r->thread_id = sqlite3_column_int64(s, 23);
	r->seq = sqlite3_column_int(s, 24);
	col_text(s, 25, r->lifecycle, sizeof(r->lifecycle));
	col_text(s, 26, r->ticket, sizeof(r->ticket));
	col_text(s, 27, r->form_url, sizeof(r->form_url));
	r->events_seen = (uint64_t)sqlite3_column_int64(s, 28);
}

int
ad_store_report_save(struct ad_store *st, struct ad_report_row *r)
{
	sqlite3_stmt *s;
	char a[AD_ADDR_STRLEN];
	int rc;

	if (sqlite3_prepare_v2(st->db, r->id == 0 ?
	    "INSERT INTO reports (token, src, state, action, flags, reasons,"
	    "  rcpt_to, rcpt_cc, subject, message_id, message, lang, xarf,"
	    "  events, created, updated, approved, sent, next_try, attempts,"
	    "  last_error, kind, thread_id, seq, lifecycle, ticket, form_url,"
	    "  events_seen) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	    "  ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,"
	    "  ?25, ?26, ?27, ?28, ?29)" :
	    "UPDATE reports SET token = ?2, src = ?3, state = ?4, action = ?5,"
	    "  flags = ?6, reasons = ?7, rcpt_to = ?8, rcpt_cc = ?9,"
	    "  subject = ?10, message_id = ?11, message = ?12, lang = ?13,"
	    "  xarf = ?14, events = ?15, created = ?16, updated = ?17,"
	    "  approved = ?18, sent = ?19, next_try = ?20, attempts = ?21,"
	    "  last_error = ?22, kind = ?23, thread_id = ?24, seq = ?25,"
	    "  lifecycle = ?26, ticket = ?27, form_url = ?28,"
	    "  events_seen = ?29 WHERE id = ?1",
	    -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "report save");
	if (r->id != 0)
		sqlite3_bind_int64(s, 1, r->id);
	sqlite3_bind_text(s, 2, r->token, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, ad_addr_format(&r->src, a), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, ad_report_state_name(r->state), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->action, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, (int)r->flags);
	sqlite3_bind_text(s, 7, r->reasons, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, r->to, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, r->cc, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, r->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, r->message_id, -1, SQLITE_STATIC);
	if (r->message != NULL)
		sqlite3_bind_blob64(s, 12, r->message, r->message_len,
		    SQLITE_STATIC);
	sqlite3_bind_text(s, 13, r->lang, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 14, r->xarf);
	sqlite3_bind_int64(s, 15, (sqlite3_int64)r->events);
	sqlite3_bind_int64(s, 16, r->created);
	sqlite3_bind_int64(s, 17, r->updated);
	sqlite3_bind_int64(s, 18, r->approved);
	sqlite3_bind_int64(s, 19, r->sent);
	sqlite3_bind_int64(s, 20, r->next_try);
	sqlite3_bind_int(s, 21, r->attempts);
	sqlite3_bind_text(s, 22, r->last_error, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 23, r->kind[0] ? r->kind : "report", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(s, 24, r->thread_id);
	sqlite3_bind_int(s, 25, r->seq > 0 ? r->seq : 1);
	sqlite3_bind_text(s, 26, r->lifecycle, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 27, r->ticket, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 28, r->form_url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 29, (sqlite3_int64)(r->events_seen > r->events ?
	    r->events_seen : r->events));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "report save");
	if (r->id == 0)
		r->id = sqlite3_last_insert_rowid(st->db);
	return AD_OK;
}

int
ad_store_report_each(struct ad_store *st, const struct ad_report_filter *f,
    int (*fn)(void *, const struct ad_report_row *), void *arg)
{
	sqlite3_stmt *s;
	struct ad_report_row r;
	char a[AD_ADDR_STRLEN];
	int rc, ret = AD_OK;

	if (sqlite3_prepare_v2(st->db, "SELECT " REPORT_COLS " FROM reports"
	    " WHERE (?1 IS NULL OR src = ?1) AND (?2 = 0 OR id = ?2)"
	    "  AND (?3 IS NULL OR token = ?3)"
	    "  AND (?4 = 0 OR id = ?4 OR thread_id = ?4) ORDER BY id", -1, &s,
	    NULL) != SQLITE_OK)
		return store_fail(st, "report list");
	if (f && f->src)
		sqlite3_bind_text(s, 1, ad_addr_format(f->src, a), -1,
		    SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, f ? f->id : 0);
	if (f && f->token)
		sqlite3_bind_text(s, 3, f->token, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, f ? f->thread : 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_to_report(s, &r);
		if (f && f->states && !(f->states & (1u << r.state)))
			continue;
		if (f && f->first_only && r.seq > 1)
			continue;
		if ((ret = fn(arg, &r)) != 0)
			break;
	}
	if (ret == AD_OK && rc != SQLITE_DONE)
		ret = store_fail(st, "report list");
	sqlite3_finalize(s);
	return ret;
}

struct id_list {
	int64_t	*v;
	size_t	 n, cap;
	int	 err;
};

static int
collect_id(void *arg, const struct ad_report_row *r)
{
	struct id_list *l = arg;

	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		int64_t *v = ad_reallocarray(l->v, nc, sizeof(*v));

		if (v == NULL) {
			l->err = AD_ERR_NOMEM;
			return 1;
		}
		l->v = v;
		l->cap = nc;
	}
	l->v[l->n++] = r->id;
	return 0;
}

int
ad_store_report_ids(struct ad_store *st, const struct ad_report_filter *f,
    int64_t **ids, size_t *n)
{
	struct id_list l = { NULL, 0, 0, AD_OK };
	int r;

	*ids = NULL;
	*n = 0;
	if ((r = ad_store_report_each(st, f, collect_id, &l)) == AD_OK)
		r = l.err;
	if (r != AD_OK) {
		ad_free(l.v);
		return r;
	}
	*ids = l.v;
	*n = l.n;
	return AD_OK;
}

struct get_one {
	struct ad_report_row	*out;
	int			 found;
	int			 err;
};

static int
keep_one(void *arg, const struct ad_report_row *r)
{
	struct get_one *g = arg;

	*g->out = *r;
	g->out->message = NULL;
	if (r->message_len > 0 || r->message != NULL) {
		if ((g->out->message = ad_malloc(r->message_len + 1)) == NULL) {
			g->err = AD_ERR_NOMEM;
			return 1;
		}
		if (r->message_len)
			memcpy(g->out->message, r->message, r->message_len);
		g->out->message[r->message_len] = '\0';
	}
	g->found = 1;
	return 1;
}

int
ad_store_report_get(struct ad_store *st, int64_t id, const char *token,
    struct ad_report_row *out)
{
	struct ad_report_filter f;
	struct get_one g = { out, 0, AD_OK };
	int r;

	memset(&f, 0, sizeof(f));
	memset(out, 0, sizeof(*out));
	f.id = id;
	f.token = token;
	if (id == 0 && token == NULL)
		return 0;
	r = ad_store_report_each(st, &f, keep_one, &g);
	if (r < 0)
		return r;
	if (g.err != AD_OK)
		return g.err;
	return g.found;
}

int
ad_store_report_thread(struct ad_store *st, struct ad_report_row *row)
{
	int64_t first = row->thread_id;

	if (first == 0 || first == row->id)
		return 1;
	ad_report_row_free(row);
	return ad_store_report_get(st, first, NULL, row);
}

int
ad_store_token_used(struct ad_store *st, const char *token)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM reports WHERE token = ?1"
	    " AND seq = 1",
	    -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "token");
	sqlite3_bind_text(s, 1, token, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, "token");
}

/* Runs one statement binding (int64, int64|text...) shapes used below. */
static int
run(struct ad_store *st, const char *what, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? AD_OK :
	    store_fail(st, what);
}

int
ad_store_report_link(struct ad_store *st, int64_t report_id,
    int64_t incident_id, bool after)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO report_incidents"
	    " (report_id, incident_id, after_sent) VALUES (?1, ?2, ?3)", -1, &s,
	    NULL) != SQLITE_OK)
		return store_fail(st, "report link");
	sqlite3_bind_int64(s, 1, report_id);
	sqlite3_bind_int64(s, 2, incident_id);
	sqlite3_bind_int(s, 3, after);
	return run(st, "report link", s);
}

int
ad_store_report_log(struct ad_store *st, int64_t report_id, int64_t at,
    const char *state, const char *text)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO report_log (report_id, at,"
	    " state, text) VALUES (?1, ?2, ?3, ?4)", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "report trail");
	sqlite3_bind_int64(s, 1, report_id);
	sqlite3_bind_int64(s, 2, at);
	sqlite3_bind_text(s, 3, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, text, -1, SQLITE_STATIC);
	return run(st, "report trail", s);
}

int
ad_store_report_trail(struct ad_store *st, int64_t report_id,
    int (*fn)(void *, int64_t, const char *, const char *), void *arg)
{
	sqlite3_stmt *s;
	int rc, r = AD_OK;

	if (sqlite3_prepare_v2(st->db, "SELECT at, state, text FROM report_log"
	    " WHERE report_id = ?1 ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "report trail");
	sqlite3_bind_int64(s, 1, report_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *state = sqlite3_column_text(s, 1);
		const unsigned char *text = sqlite3_column_text(s, 2);

		if ((r = fn(arg, sqlite3_column_int64(s, 0),
		    state ? (const char *)state : "",
		    text ? (const char *)text : "")) != 0)
			break;
	}
	if (r == AD_OK && rc != SQLITE_DONE)
		r = store_fail(st, "report trail");
	sqlite3_finalize(s);
	return r;
}

/* --- suppression ---------------------------------------------------------- */

int
ad_store_suppress_add(struct ad_store *st, const char *pattern, int64_t at,
    const char *reason)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO suppressions (pattern,"
	    " added, reason) VALUES (lower(?1), ?2, ?3) ON CONFLICT(pattern)"
	    " DO NOTHING", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "suppress");
	sqlite3_bind_text(s, 1, pattern, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, at);
	sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
	return run(st, "suppress", s);
}

int
ad_store_suppress_remove(struct ad_store *st, const char *pattern)
{
	sqlite3_stmt *s;
	int r;

	if (sqlite3_prepare_v2(st->db, "DELETE FROM suppressions WHERE"
	    " pattern = lower(?1)", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "suppress");
	sqlite3_bind_text(s, 1, pattern, -1, SQLITE_STATIC);
	if ((r = run(st, "suppress", s)) != AD_OK)
		return r;
	return sqlite3_changes(st->db) > 0;
}

/*
 * The address itself, "@domain", and "@parent" for every parent domain:
 * a desk that says "no more reports to example.net" means its subdomains.
 */
int
ad_store_suppressed(struct ad_store *st, const char *email)
{
	sqlite3_stmt *s;
	const char *at = strrchr(email, '@'), *d;
	char pat[AD_NI_EMAIL_MAX + 2];
	int rc, found = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM suppressions WHERE"
	    " pattern = lower(?1)", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "suppress");
	sqlite3_bind_text(s, 1, email, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	found = rc == SQLITE_ROW;
	for (d = at ? at + 1 : NULL; !found && rc != SQLITE_ERROR && d && *d;) {
		snprintf(pat, sizeof(pat), "@%s", d);
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, pat, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(s);
		found = rc == SQLITE_ROW;
		d = strchr(d, '.');
		if (d != NULL)
			d++;
		if (d != NULL && strchr(d, '.') == NULL)
			break;	/* never a bare top-level domain */
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ERROR || rc == SQLITE_MISUSE)
		return store_fail(st, "suppress");
	return found;
}

int
ad_store_suppress_each(struct ad_store *st,
    int (*fn)(void *, const char *, int64_t, const char *), void *arg)
{
	sqlite3_stmt *s;
	int rc, r = AD_OK;

	if (sqlite3_prepare_v2(st->db, "SELECT pattern, added, reason FROM"
	    " suppressions ORDER BY pattern", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "suppress");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *reason = sqlite3_column_text(s, 2);

		if ((r = fn(arg, (const char *)sqlite3_column_text(s, 0),
		    sqlite3_column_int64(s, 1),
		    reason ? (const char *)reason : "")) != 0)
			break;
	}
	if (r == AD_OK && rc != SQLITE_DONE)
		r = store_fail(st, "suppress");
	sqlite3_finalize(s);
	return r;
}

/* --- sends (rate limits) ------------------------------------------------- */

int
ad_store_send_record(struct ad_store *st, int64_t report_id,
    const char *domain, int64_t at)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO sends (report_id, domain,"
	    " at) VALUES (?1, lower(?2), ?3)", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "sends");
	sqlite3_bind_int64(s, 1, report_id);
	sqlite3_bind_text(s, 2, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, at);
	return run(st, "sends", s);
}

int
ad_store_send_count(struct ad_store *st, const char *domain, int64_t since,
    int64_t *count)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM sends WHERE"
	    " at >= ?2 AND (?1 IS NULL OR domain = lower(?1))", -1, &s,
	    NULL) != SQLITE_OK)
		return store_fail(st, "sends");
	if (domain)
		sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, since);
	rc = sqlite3_step(s);
	*count = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? AD_OK : store_fail(st, "sends");
}

/* --- replies --------------------------------------------------------------- */

int
ad_store_reply_add(struct ad_store *st, struct ad_reply_row *r)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO replies"
	    " (report_id, message_id, sender, subject, date, received, class,"
	    " why, ticket, form_url, text, handled) VALUES (?1, ?2, ?3, ?4,"
	    " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "replies");
	if (r->report_id)
		sqlite3_bind_int64(s, 1, r->report_id);
	sqlite3_bind_text(s, 2, r->message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->subject, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, r->date);
	sqlite3_bind_int64(s, 6, r->received);
	sqlite3_bind_text(s, 7, r->cls, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, r->why, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, r->ticket, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, r->form_url, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, r->text ? r->text : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 12, r->handled);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "replies");
	if (sqlite3_changes(st->db) == 0)
		return 0;
	r->id = sqlite3_last_insert_rowid(st->db);
	return 1;
}

int
ad_store_reply_each(struct ad_store *st, int64_t report_id,
    bool unhandled_only, int (*fn)(void *, const struct ad_reply_row *),
    void *arg)
{
	sqlite3_stmt *s;
	struct ad_reply_row r;
	int rc, ret = AD_OK;

	if (sqlite3_prepare_v2(st->db, "SELECT id, coalesce(report_id, 0),"
	    " message_id, sender, subject, date, received, class, why, ticket,"
	    " form_url, text, handled FROM replies WHERE (?1 = 0 OR"
	    " coalesce(report_id, 0) = (CASE WHEN ?1 < 0 THEN 0 ELSE ?1 END))"
	    " AND (?2 = 0 OR handled = 0) ORDER BY id", -1, &s,
	    NULL) != SQLITE_OK)
		return store_fail(st, "replies");
	sqlite3_bind_int64(s, 1, report_id);
	sqlite3_bind_int(s, 2, unhandled_only);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(s, 0);
		r.report_id = sqlite3_column_int64(s, 1);
		col_text(s, 2, r.message_id, sizeof(r.message_id));
		col_text(s, 3, r.sender, sizeof(r.sender));
		col_text(s, 4, r.subject, sizeof(r.subject));
		r.date = sqlite3_column_int64(s, 5);
		r.received = sqlite3_column_int64(s, 6);
		col_text(s, 7, r.cls, sizeof(r.cls));
		col_text(s, 8, r.why, sizeof(r.why));
		col_text(s, 9, r.ticket, sizeof(r.ticket));
		col_text(s, 10, r.form_url, sizeof(r.form_url));
		r.text = (const char *)sqlite3_column_text(s, 11);
		if (r.text == NULL)
			r.text = "";
		r.handled = sqlite3_column_int(s, 12) != 0;
		if ((ret = fn(arg, &r)) != 0)
			break;
	}
	if (ret == AD_OK && rc != SQLITE_DONE)
		ret = store_fail(st, "replies");
	sqlite3_finalize(s);
	return ret;
}

int
ad_store_report_by_msgid(struct ad_store *st, const char *msgid,
    struct ad_report_row *out)
{
	sqlite3_stmt *s;
	char full[300];
	int64_t id = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (snprintf(full, sizeof(full), "<%s>", msgid) >= (int)sizeof(full))
		return 0;
	if (sqlite3_prepare_v2(st->db, "SELECT id FROM reports WHERE"
	    " message_id = ?1", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "report by message-id");
	sqlite3_bind_text(s, 1, full, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "report by message-id");
	if (id == 0)
		return 0;
	return ad_store_report_get(st, id, NULL, out);
}

int
ad_store_reply_handled(struct ad_store *st, int64_t id)
{
	sqlite3_stmt *s;
	int r;

	if (sqlite3_prepare_v2(st->db, "UPDATE replies SET handled = 1 WHERE"
	    " handled = 0 AND (?1 = 0 OR id = ?1)", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "replies");
	sqlite3_bind_int64(s, 1, id);
	if ((r = run(st, "replies", s)) != AD_OK)
		return r;
	return sqlite3_changes(st->db) > 0;
}
