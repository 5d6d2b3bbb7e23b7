/*
 * inbox.c - replies to our reports: match, keep, and let them move the case
 * (ad_track.h). Parsing and classifying is lib/in/mail (ad_reply.h).
 */
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_track.h"

int
ad_track_set(struct ad_store *st, int64_t thread, const char *lifecycle,
    int64_t now, const char *reason)
{
	struct ad_report_row row;
	char text[600];
	int r;

	if ((r = ad_store_report_get(st, thread, NULL, &row)) <= 0)
		return r;
	if (strcmp(row.lifecycle, lifecycle) == 0) {
		ad_report_row_free(&row);
		return AD_OK;
	}
	ad_fmt_cut(text, sizeof(text), "%s -> %s: %s",
	    row.lifecycle[0] ? row.lifecycle : "new", lifecycle, reason);
	ad_fmt_cut(row.lifecycle, sizeof(row.lifecycle), "%s", lifecycle);
	if ((r = ad_store_report_save(st, &row)) == AD_OK)
		r = ad_store_report_log(st, row.id, now, lifecycle, text);
	ad_report_row_free(&row);
	return r;
}

/* The thread (first report) a reply belongs to: 1 found, 0 not, <0 error. */
static int
match(struct ad_store *st, const struct ad_reply *rp, struct ad_report_row *out)
{
	size_t i;
	int r;

	/* Our own Message-IDs first: exact, and they name the message. */
	if (rp->in_reply_to[0] &&
	    (r = ad_store_report_by_msgid(st, rp->in_reply_to, out)) != 0)
		goto found;
	for (i = rp->n_references; i-- > 0;)
		if ((r = ad_store_report_by_msgid(st, rp->references[i],
		    out)) != 0)
			goto found;
	if (rp->token[0] == '\0')
		return 0;
	r = ad_store_report_get(st, 0, rp->token, out);
found:
	if (r <= 0)
		return r;
	return ad_store_report_thread(st, out);
}

/* The addresses the thread's messages went (or would go) to. */
struct sent_to {
	int64_t	first;
	char	addr[16][AD_EMAIL_MAX + 1];
	size_t	n;
	char	last[AD_EMAIL_MAX + 1];	/* of the newest message sent */
	int64_t	last_sent;
};

static int
sent_to_row(void *arg, const struct ad_report_row *r)
{
	struct sent_to *t = arg;
	const char *a[2] = { r->to, r->cc };
	size_t i;

	if (r->id != t->first && r->thread_id != t->first)
		return 0;
	if ((r->state == AD_RS_SENT || r->state == AD_RS_UNCONFIRMED ||
	    r->state == AD_RS_SENDING) && (r->sent ? r->sent : r->updated) >=
	    t->last_sent) {
		t->last_sent = r->sent ? r->sent : r->updated;
		ad_fmt_cut(t->last, sizeof(t->last), "%s", r->to);
	}
	for (i = 0; i < 2; i++)
		if (a[i][0] && t->n < sizeof(t->addr) / sizeof(t->addr[0]))
			ad_fmt_cut(t->addr[t->n++], sizeof(t->addr[0]), "%s",
			    a[i]);
	return 0;
}

/*
 * A permanent bounce: every failed recipient we wrote to in this thread is
 * put on the suppression list (never written to again; the next followup
 * tries the holder's next mailbox, then the upstream). Sets *current when
 * the bounce names the address of the thread's newest sent message (the
 * case is then bounced; an older one, e.g. a second copy of a bounce the
 * case has moved on from, changes nothing), *named when it names one of
 * ours at all; why gets the addresses and the server's words.
 */
static int
bounced(struct ad_store *st, const struct ad_reply *rp,
    const struct ad_report_row *thread, int64_t now, bool *current,
    bool *named, char *why, size_t n)
{
	struct ad_report_filter f;
	struct sent_to t;
	char reason[300];
	size_t i, j, len;
	int r, s;

	*current = *named = false;
	memset(&t, 0, sizeof(t));
	memset(&f, 0, sizeof(f));
	t.first = f.thread = thread->id;
	if ((r = ad_store_report_each(st, &f, sent_to_row, &t)) != AD_OK)
		return r;
	ad_fmt_cut(why, n, "bounced:");
	for (i = 0; i < rp->n_rcpt; i++) {
		const struct ad_reply_rcpt *rc = &rp->rcpt[i];

		if (!rc->permanent && rp->dsn)
			continue;
		for (j = 0; j < t.n; j++)
			if (strcasecmp(rc->addr, t.addr[j]) == 0)
				break;
		if (j == t.n)
			continue;
		*named = true;
		if (strcasecmp(rc->addr, t.last) == 0)
			*current = true;
		if ((s = ad_store_suppressed(st, rc->addr)) < 0)
			return s;
		len = strlen(why);
		ad_fmt_cut(why + len, n - len, " %s (%s%s%s)%s", rc->addr,
		    rc->status, rc->status[0] && rc->diag[0] ? " " : "",
		    rc->diag, s ? " known bad already" : " suppressed");
		if (s)
			continue;
		ad_fmt_cut(reason, sizeof(reason), "bounced for %s: %s%s%s",
		    thread->token, rc->status, rc->status[0] ? " " : "",
		    rc->diag);
		if ((r = ad_store_suppress_add(st, rc->addr, now, reason)) !=
		    AD_OK)
			return r;
	}
	return AD_OK;
}

/* The classes that only move the case, with the reason they give. */
static const struct {
	enum ad_reply_class	 cls;
	const char		*lc, *why;
} moves[] = {
	{ AD_REPLY_RESOLVED, AD_LC_RESOLVED, "they say it is resolved" },
	{ AD_REPLY_NOT_OUR_NETWORK, AD_LC_NOT_OURS,
	    "they say it is not their network: the upstream is next" },
	{ AD_REPLY_MORE_INFO, AD_LC_MORE_INFO, "they ask for more information" },
};

/* What a class does to the case; fills effect. */
static int
apply(struct ad_store *st, const struct ad_reply *rp,
    struct ad_report_row *thread, int64_t now, char *effect, size_t n)
{
	char why[400];
	bool current, named;
	size_t i;
	int r = AD_OK;

	switch (rp->cls) {
	case AD_REPLY_AUTO_ACK:
	case AD_REPLY_FORWARDED:
		if (rp->ticket[0])
			ad_fmt_cut(thread->ticket, sizeof(thread->ticket), "%s",
			    rp->ticket);
		ad_fmt_cut(why, sizeof(why), "%s%s%s",
		    rp->cls == AD_REPLY_FORWARDED ? "forwarded to their"
		    " customer" : "acknowledged", rp->ticket[0] ? ", ticket " :
		    "", rp->ticket);
		if ((r = ad_store_report_save(st, thread)) == AD_OK)
			r = ad_track_set(st, thread->id, AD_LC_ACKNOWLEDGED, now,
			    why);
		break;
	case AD_REPLY_WEB_FORM:
		ad_fmt_cut(thread->form_url, sizeof(thread->form_url), "%s",
		    rp->form_url);
		ad_fmt_cut(why, sizeof(why), "they want the report through"
		    " their web form%s%s", rp->form_url[0] ? " at " : "",
		    rp->form_url);
		if ((r = ad_store_report_save(st, thread)) == AD_OK)
			r = ad_track_set(st, thread->id, AD_LC_MANUAL, now, why);
		break;
	case AD_REPLY_RESOLVED:
	case AD_REPLY_NOT_OUR_NETWORK:
	case AD_REPLY_MORE_INFO:
		for (i = 0; moves[i].cls != rp->cls; i++)
			;
		ad_fmt_cut(why, sizeof(why), "%s", moves[i].why);
		r = ad_track_set(st, thread->id, moves[i].lc, now, why);
		break;
	case AD_REPLY_STOP:
		/* At once: the sender and the address we wrote to. */
		if (rp->from[0])
			r = ad_store_suppress_add(st, rp->from, now,
			    "asked us to stop sending reports");
		if (r == AD_OK && thread->to[0])
			r = ad_store_suppress_add(st, thread->to, now,
			    "asked us to stop sending reports");
		ad_fmt_cut(why, sizeof(why), "they asked us to stop: %s%s%s"
		    " suppressed", rp->from, rp->from[0] && thread->to[0] &&
		    strcasecmp(rp->from, thread->to) ? " and " : "",
		    strcasecmp(rp->from, thread->to) ? thread->to : "");
		if (r == AD_OK)
			r = ad_store_report_log(st, thread->id, now,
			    thread->lifecycle, why);
		break;
	case AD_REPLY_BOUNCE:
		if (!rp->permanent && rp->dsn) {
			ad_fmt_cut(why, sizeof(why), "bounced");
			for (i = 0; i < rp->n_rcpt; i++)
				if (strcasecmp(rp->rcpt[i].addr, thread->to) == 0) {
					ad_fmt_cut(why, sizeof(why), "%s bounced"
					    " (%s%s%s)", thread->to,
					    rp->rcpt[i].status,
					    rp->rcpt[i].status[0] ? " " : "",
					    rp->rcpt[i].diag);
					break;
				}
			ad_fmt_cut(why + strlen(why), sizeof(why) - strlen(why),
			    " (a delay, not a failure)");
			r = ad_store_report_log(st, thread->id, now,
			    thread->lifecycle, why);
			break;
		}
		if ((r = bounced(st, rp, thread, now, &current, &named, why,
		    sizeof(why))) != AD_OK)
			break;
		if (!named)
			ad_fmt_cut(why, sizeof(why), "bounced (no address of ours"
			    " named)");
		/* Addresses the case has moved on from change nothing. */
		if (named && !current)
			r = ad_store_report_log(st, thread->id, now,
			    thread->lifecycle, why);
		else
			r = ad_track_set(st, thread->id, AD_LC_BOUNCED, now, why);
		break;
	default:
		ad_fmt_cut(why, sizeof(why), "a reply for a person to read");
		r = ad_store_report_log(st, thread->id, now, thread->lifecycle,
		    why);
		break;
	}
	ad_fmt_cut(effect, n, "%s", why);
	return r;
}

int
ad_track_inbox(struct ad_ctx *ctx, struct ad_store *st, const char *path,
    void (*report)(void *, const struct ad_inbox_event *), void *arg,
    struct ad_inbox_stats *stats, struct ad_diag *diag)
{
	struct ad_mailbox *mb = NULL;
	struct ad_buf raw;
	struct ad_reply rp;
	int64_t now = (int64_t)ad_ctx_now(ctx);
	int r;

	memset(stats, 0, sizeof(*stats));
	if ((r = ad_mailbox_open(path, &mb, diag)) != AD_OK)
		return r;
	ad_buf_init(&raw, AD_REPLY_SIZE_MAX + 1);
	for (;;) {
		struct ad_report_row thread;
		struct ad_reply_row row;
		struct ad_inbox_event ev;
		struct ad_diag md;
		const char *where = NULL;
		char effect[600] = "";
		int m, added;

		memset(&md, 0, sizeof(md));
		ad_buf_reset(&raw);
		if ((r = ad_mailbox_next(mb, &raw, &where, &md)) == 0)
			break;
		if (r < 0) {
			stats->bad++;
			if (diag)
				*diag = md;
			continue;
		}
		ad_reply_init(&rp);
		if ((r = ad_reply_parse(raw.p ? raw.p : "", raw.len, &rp,
		    &md)) != AD_OK) {
			ad_reply_free(&rp);
			if (r == AD_ERR_NOMEM)
				goto out;
			stats->bad++;
			if (diag)
				*diag = md;
			continue;
		}
		stats->read++;	/* (ad_reply_parse has classified it) */
		if ((r = ad_store_begin(st)) != AD_OK) {
			ad_reply_free(&rp);
			goto out;
		}
		memset(&thread, 0, sizeof(thread));
		if ((m = match(st, &rp, &thread)) < 0) {
			r = m;
			goto fail;
		}
		memset(&row, 0, sizeof(row));
		row.report_id = m ? thread.id : 0;
		ad_fmt_cut(row.message_id, sizeof(row.message_id), "%s",
		    rp.message_id);
		ad_fmt_cut(row.sender, sizeof(row.sender), "%s", rp.from);
		ad_fmt_cut(row.subject, sizeof(row.subject), "%s", rp.subject);
		row.date = rp.date.valid ? rp.date.utc : 0;
		row.received = now;
		ad_fmt_cut(row.cls, sizeof(row.cls), "%s",
		    ad_reply_class_name(rp.cls));
		ad_fmt_cut(row.why, sizeof(row.why), "%s", rp.why);
		ad_fmt_cut(row.ticket, sizeof(row.ticket), "%s", rp.ticket);
		ad_fmt_cut(row.form_url, sizeof(row.form_url), "%s",
		    rp.form_url);
		row.text = rp.text.p ? ad_buf_str(&rp.text) : "";
		if ((added = ad_store_reply_add(st, &row)) < 0) {
			r = added;
			goto fail;
		}
		if (added == 0) {
			stats->duplicates++;
		} else if (m) {
			stats->matched++;
			stats->by_class[rp.cls]++;
			if ((r = apply(st, &rp, &thread, now, effect,
			    sizeof(effect))) != AD_OK)
				goto fail;
		} else {
			stats->unmatched++;
			stats->by_class[rp.cls]++;
			ad_fmt_cut(effect, sizeof(effect), "no report of ours"
			    " found: kept for a person to read");
		}
		if ((r = ad_store_commit(st)) != AD_OK) {
			ad_report_row_free(&thread);
			ad_reply_free(&rp);
			goto out;
		}
		ev.reply = &rp;
		ev.where = where;
		ev.token = m ? thread.token : NULL;
		ev.effect = effect;
		ev.duplicate = added == 0;
		if (report)
			report(arg, &ev);
		ad_report_row_free(&thread);
		ad_reply_free(&rp);
		continue;
fail:
		ad_store_rollback(st);
		ad_report_row_free(&thread);
		ad_reply_free(&rp);
		goto out;
	}
	r = AD_OK;
out:
	ad_buf_free(&raw);
	ad_mailbox_close(mb);
	return r;
}
