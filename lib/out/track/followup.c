/*
 * followup.c - what time does to a case (ad_track.h): a reminder after a
 * week of silence, then the upstream, then the national CERT. Every step
 * is a new message of the case's thread, drafted once.
 */
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_email.h"
#include "abusedesk/ad_report.h"
#include "abusedesk/ad_track.h"

#define DAY	86400
#define STEPS_MAX 16

static const char *const step_kind[] = { "followup", "upstream", "cert",
    "resend" };

/* The messages of one thread, as the pass needs them. */
struct thread {
	int64_t			 first;
	int			 max_seq;
	int64_t			 last_sent;	/* newest sent message */
	bool			 pending;	/* a later message not sent yet */
	struct ad_followup_step	 steps[STEPS_MAX];
	char			 to[STEPS_MAX][AD_EMAIL_MAX + 1];
	char			 kind[STEPS_MAX][16];
	size_t			 n_steps;
	/* The holder's mailbox last reported to (first report or resend). */
	char			 holder_to[AD_EMAIL_MAX + 1];
	int64_t			 holder_sent;
	/* Every address the thread has a message to, in any state. */
	char			 used[STEPS_MAX][AD_EMAIL_MAX + 1];
	size_t			 n_used;
	bool			 escalated;	/* an upstream or CERT message */
};

static int
thread_row(void *arg, const struct ad_report_row *r)
{
	struct thread *t = arg;

	if (r->id != t->first && r->thread_id != t->first)
		return 0;
	if (r->seq > t->max_seq)
		t->max_seq = r->seq;
	if (r->to[0] && t->n_used < STEPS_MAX)
		ad_fmt_cut(t->used[t->n_used++], sizeof(t->used[0]), "%s",
		    r->to);
	if (strcmp(r->kind, "upstream") == 0 || strcmp(r->kind, "cert") == 0)
		t->escalated = true;
	if (r->state == AD_RS_SENT || r->state == AD_RS_UNCONFIRMED ||
	    r->state == AD_RS_SENDING) {
		int64_t when = r->sent ? r->sent : r->updated;

		if (when > t->last_sent)
			t->last_sent = when;
		if ((r->seq == 1 || strcmp(r->kind, "resend") == 0) &&
		    when >= t->holder_sent) {
			ad_fmt_cut(t->holder_to, sizeof(t->holder_to), "%s",
			    r->to);
			t->holder_sent = when;
		}
		if (t->n_steps < STEPS_MAX) {
			snprintf(t->to[t->n_steps], sizeof(t->to[0]), "%s",
			    r->to);
			/* the row is borrowed: keep copies */
			snprintf(t->kind[t->n_steps], sizeof(t->kind[0]), "%s",
			    r->seq == 1 ? "report" : r->kind);
			t->steps[t->n_steps].kind = t->kind[t->n_steps];
			t->steps[t->n_steps].sent = when;
			t->steps[t->n_steps].to = t->to[t->n_steps];
			t->n_steps++;
		}
	} else if (r->id != t->first && r->state != AD_RS_SKIPPED &&
	    r->state != AD_RS_SUPPRESSED && r->state != AD_RS_FAILED)
		t->pending = true;
	return 0;
}

struct pass {
	struct ad_ctx			*ctx;
	struct ad_store			*st;
	const struct ad_queue_opts	*qo;
	const struct ad_followup_opts	*fo;
	ad_contact_fn			 contact;
	void				*contact_arg;
	void (*report)(void *, const struct ad_followup_event *);
	void				*arg;
	struct ad_followup_stats	*stats;
	struct ad_diag			*diag;
	int64_t				 now;
};

static void
tell(struct pass *p, const char *token, const char *what, const char *detail)
{
	struct ad_followup_event e = { token, what, detail };

	if (p->report)
		p->report(p->arg, &e);
}

static const char *const step_text[] = { "a reminder",
    "an escalation to the upstream", "an escalation to the national CERT",
    "the report again (the holder's mailbox bounced)" };

static void
count(struct pass *p, enum ad_fu_step step)
{
	size_t *n[] = { &p->stats->reminders, &p->stats->upstream,
	    &p->stats->cert, &p->stats->resends };

	(*n[step])++;
}

/* Drafts step `step` of thread first (F) to `to`; logs it on F. */
static int
draft_step(struct pass *p, const struct ad_report_row *F,
    const struct thread *t, enum ad_fu_step step, enum ad_upstream_why why,
    const char *to, const struct ad_lookup_answer *who,
    const struct ad_cert *cert)
{
	struct ad_followup_input in;
	struct ad_report_out out;
	struct ad_report_row row;
	struct ad_diag cd;
	char a[AD_ADDR_STRLEN], text[600];
	int r;

	if (p->fo->dry_run) {
		ad_fmt_cut(text, sizeof(text), "%s to %s is due",
		    step_text[step], to);
		count(p, step);
		tell(p, F->token, step_kind[step], text);
		return AD_OK;
	}
	memset(&row, 0, sizeof(row));
	memset(&in, 0, sizeof(in));
	memset(&cd, 0, sizeof(cd));
	ad_fmt_cut(row.token, sizeof(row.token), "%s", F->token);
	ad_fmt_cut(row.kind, sizeof(row.kind), "%s", step_kind[step]);
	row.thread_id = F->id;
	row.seq = t->max_seq + 1;
	row.src = F->src;
	ad_fmt_cut(row.to, sizeof(row.to), "%s", to);
	ad_fmt_cut(row.message_id, sizeof(row.message_id),
	    "<%s.%d.abusedesk@%s>", F->token, row.seq, p->qo->msgid_host);
	ad_fmt_cut(row.action, sizeof(row.action), "%s", step_kind[step]);
	row.created = row.updated = p->now;
	row.events = F->events_seen > F->events ? F->events_seen : F->events;

	in.kind = (enum ad_followup_kind)step;
	in.why = why;
	in.original = F->message;
	in.original_len = F->message_len;
	in.original_subject = F->subject;
	in.original_msgid = F->message_id;
	/* After a resend, the holder's mailbox is the one it went to. */
	in.original_to = t->holder_to[0] ? t->holder_to : F->to;
	in.original_sent = t->holder_sent ? t->holder_sent :
	    F->sent ? F->sent : F->updated;
	in.to = to;
	in.source = ad_addr_format(&F->src, a);
	in.holder = who && who->err == AD_OK ? who->name : "";
	in.country = who && who->err == AD_OK ? who->country : "";
	in.cert_name = cert ? cert->name : "";
	in.steps = t->steps;
	in.n_steps = t->n_steps;
	in.events_since = F->events_seen > F->events ?
	    F->events_seen - F->events : 0;
	in.me = p->qo->me;
	in.from_fallback = p->qo->from_fallback;
	in.token = F->token;
	in.message_id = row.message_id;
	in.date = p->now;
	in.template_dir = p->qo->template_dir;
	/* The language the report was written in (report.translate); the
	 * CERT's is its own country's. */
	if (p->qo->translate)
		in.lang = step == AD_STEP_CERT ?
		    ad_report_lang_for_country(cert->country) : F->lang;
	ad_report_out_init(&out);
	if ((r = ad_report_compose_followup(&in, &out, &cd)) != AD_OK) {
		ad_report_out_free(&out);
		if (r == AD_ERR_NOMEM)
			return r;
		/* Outside data we will not write: a person must look. */
		ad_fmt_cut(text, sizeof(text), "%s not drafted: %s",
		    step_kind[step], cd.msg[0] ? cd.msg : ad_strerror(r));
		p->stats->stuck++;
		tell(p, F->token, "stuck", text);
		return AD_OK;
	}
	ad_fmt_cut(row.lang, sizeof(row.lang), "%s", in.lang ? in.lang : "");
	row.message_len = out.message.len;
	row.message = ad_buf_take(&out.message);
	ad_fmt_cut(row.subject, sizeof(row.subject), "%s", out.subject);
	ad_report_out_free(&out);
	/* A resend goes to a mailbox no one approved: always a draft. */
	row.state = step != AD_STEP_RESEND && p->fo->auto_send[step] ?
	    AD_RS_APPROVED : AD_RS_DRAFT;
	if (row.state == AD_RS_APPROVED)
		row.approved = p->now;
	switch (step) {
	case AD_STEP_REMINDER:
		ad_fmt_cut(row.reasons, sizeof(row.reasons), "no answer since"
		    " the report of %s", in.original_to);
		break;
	case AD_STEP_UPSTREAM:
		ad_fmt_cut(row.reasons, sizeof(row.reasons), "%s",
		    why == AD_UP_NOT_OURS ? "the holder says it is not their"
		    " network" : why == AD_UP_BOUNCED ? "our report to the"
		    " holder bounced" : why == AD_UP_STOPPED ? "the holder"
		    " asked us to stop sending reports" : "the holder did not"
		    " answer the report nor the reminder");
		break;
	case AD_STEP_RESEND:
		ad_fmt_cut(row.reasons, sizeof(row.reasons), "our report to %s"
		    " bounced; %s is the network's next abuse mailbox",
		    in.original_to, to);
		break;
	default:
		ad_fmt_cut(row.reasons, sizeof(row.reasons), "the holder and"
		    " its upstream did not act; %s is the national CERT for %s",
		    cert->name, cert->country);
		break;
	}
	if ((r = ad_store_begin(p->st)) != AD_OK)
		goto out;
	ad_fmt_cut(text, sizeof(text), "%s #%d to %s drafted%s: %s",
	    step == AD_STEP_REMINDER ? "reminder" : step == AD_STEP_UPSTREAM ?
	    "escalation to the upstream" : step == AD_STEP_CERT ?
	    "escalation to the national CERT" : "resend of the report",
	    row.seq, to, row.state == AD_RS_APPROVED ? " and approved" : "",
	    row.reasons);
	if ((r = ad_store_report_save(p->st, &row)) != AD_OK ||
	    (r = ad_store_report_log(p->st, row.id, p->now,
	    ad_report_state_name(row.state), text)) != AD_OK ||
	    (step == AD_STEP_REMINDER ? (r = ad_track_set(p->st, F->id,
	    AD_LC_NO_RESPONSE, p->now, text)) : (r = ad_store_report_log(p->st,
	    F->id, p->now, F->lifecycle, text))) != AD_OK) {
		ad_store_rollback(p->st);
		goto out;
	}
	if ((r = ad_store_commit(p->st)) != AD_OK)
		goto out;
	count(p, step);
	tell(p, F->token, step_kind[step], text);
out:
	ad_report_row_free(&row);
	return r;
}

/*
 * The holder's next abuse mailbox after a bounce: the first of the lookup's
 * (or report.contacts') mailboxes that is valid, not suppressed and never
 * written to in this thread. 1 found (*out), 0 none, <0 store error.
 */
static int
next_mailbox(struct pass *p, const struct thread *t,
    const struct ad_lookup_answer *who, const char **out)
{
	size_t i, j;
	int s;

	for (i = 0; who->err == AD_OK && i < who->n_abuse &&
	    i < AD_LOOKUP_ABUSE_MAX; i++) {
		const char *m = who->abuse[i];

		if (!ad_email_valid(m, strlen(m)))
			continue;
		for (j = 0; j < t->n_used; j++)
			if (strcasecmp(m, t->used[j]) == 0)
				break;
		if (j < t->n_used)
			continue;
		if ((s = ad_store_suppressed(p->st, m)) < 0)
			return s;
		if (s == 0) {
			*out = m;
			return 1;
		}
	}
	return 0;
}

/* The next step of one case, if one is due. */
static int
one_case(struct pass *p, int64_t id)
{
	struct ad_report_row F;
	struct ad_report_filter tf;
	struct ad_lookup_answer who;
	struct thread t;
	const struct ad_cert *cert;
	const char *lc, *holder, *next = NULL;
	char rdns[256], why_text[300];
	int64_t after = p->fo->after ? p->fo->after : 7 * DAY;
	enum ad_fu_step step;
	enum ad_upstream_why why = AD_UP_NO_ANSWER;
	int r, s;

	if ((r = ad_store_report_get(p->st, id, NULL, &F)) <= 0)
		return r;
	memset(&t, 0, sizeof(t));
	memset(&tf, 0, sizeof(tf));
	t.first = tf.thread = F.id;
	if ((r = ad_store_report_each(p->st, &tf, thread_row, &t)) != AD_OK)
		goto out;
	lc = F.lifecycle;
	if (t.pending) {
		p->stats->waiting++;
		goto out;
	}
	holder = t.holder_to[0] ? t.holder_to : F.to;
	if (strcmp(lc, AD_LC_BOUNCED) == 0) {
		/* The holder's own mailbox bounced (inbox suppressed it):
		 * its next one first; else something later did: upstream.
		 * Once escalated we do not go back to the holder (its
		 * mailbox may be suppressed because they asked us to stop). */
		if ((s = ad_store_suppressed(p->st, holder)) < 0) {
			r = s;
			goto out;
		}
		step = s && !t.escalated ? AD_STEP_RESEND : AD_STEP_UPSTREAM;
		why = AD_UP_BOUNCED;
	} else if (strcmp(lc, AD_LC_NOT_OURS) == 0) {
		step = AD_STEP_UPSTREAM;
		why = AD_UP_NOT_OURS;
	} else if (p->now - t.last_sent < after)
		goto out;		/* not yet: give them their week */
	else if (lc[0] == '\0' || strcmp(lc, AD_LC_REPORTED) == 0 ||
	    strcmp(lc, AD_LC_NO_RESPONSE) == 0)
		step = AD_STEP_REMINDER;
	else if (strcmp(lc, AD_LC_FOLLOWED_UP) == 0)
		step = AD_STEP_UPSTREAM;
	else if (strcmp(lc, AD_LC_UPSTREAM) == 0)
		step = AD_STEP_CERT;
	else
		goto out;	/* acknowledged, resolved, ...: a person's turn */

	memset(&who, 0, sizeof(who));
	who.err = AD_ERR_NOTFOUND;
	rdns[0] = '\0';
	if (step == AD_STEP_REMINDER) {
		if ((s = ad_store_suppressed(p->st, holder)) < 0) {
			r = s;
			goto out;
		}
		if (s == 0) {
			r = draft_step(p, &F, &t, step, why, holder, &who, NULL);
			goto out;
		}
		step = AD_STEP_UPSTREAM;	/* they asked us to stop */
		why = AD_UP_STOPPED;
	}
	/* Past the reminder the network's contacts are needed. */
	p->contact(p->contact_arg, &F.src, &who, rdns, sizeof(rdns));
	if (step == AD_STEP_RESEND) {
		if ((s = next_mailbox(p, &t, &who, &next)) < 0) {
			r = s;
			goto out;
		}
		if (s > 0) {
			r = draft_step(p, &F, &t, step, why, next, &who, NULL);
			goto out;
		}
		step = AD_STEP_UPSTREAM;	/* no mailbox of theirs left */
	}
	if (step == AD_STEP_UPSTREAM) {
		const char *up = who.err == AD_OK && who.n_parent_abuse ?
		    who.parent_abuse[0] : "";

		if (up[0] && strcasecmp(up, F.to) != 0 &&
		    strcasecmp(up, holder) != 0 &&
		    ad_email_valid(up, strlen(up)) &&
		    (s = ad_store_suppressed(p->st, up)) == 0) {
			r = draft_step(p, &F, &t, step, why, up, &who, NULL);
			goto out;
		}
		step = AD_STEP_CERT;	/* no upstream to ask */
	}
	cert = ad_certs_find(p->fo->certs, who.err == AD_OK ? who.country : "");
	if (cert == NULL || ad_store_suppressed(p->st, cert->email) != 0) {
		ad_fmt_cut(why_text, sizeof(why_text), "no upstream contact and"
		    " no national CERT known for %s: a person must decide",
		    who.err == AD_OK && who.country[0] ? who.country :
		    "the source's country");
		p->stats->stuck++;
		tell(p, F.token, "stuck", why_text);
		r = AD_OK;
		goto out;
	}
	r = draft_step(p, &F, &t, AD_STEP_CERT, why, cert->email, &who, cert);
out:
	ad_report_row_free(&F);
	return r;
}

int
ad_track_followup(struct ad_ctx *ctx, struct ad_store *st,
    const struct ad_queue_opts *qo, const struct ad_followup_opts *fo,
    ad_contact_fn contact, void *contact_arg,
    void (*report)(void *, const struct ad_followup_event *), void *arg,
    struct ad_followup_stats *stats, struct ad_diag *diag)
{
	struct pass p = { ctx, st, qo, fo, contact, contact_arg, report, arg,
	    stats, diag, (int64_t)ad_ctx_now(ctx) };
	struct ad_report_filter f;
	int64_t *ids = NULL;
	size_t i, n = 0;
	int r;

	memset(stats, 0, sizeof(*stats));
	memset(&f, 0, sizeof(f));
	f.states = (1u << AD_RS_SENT) | (1u << AD_RS_UNCONFIRMED);
	f.first_only = true;
	if ((r = ad_store_report_ids(st, &f, &ids, &n)) != AD_OK)
		goto out;
	for (i = 0; i < n; i++)
		if ((r = one_case(&p, ids[i])) != AD_OK)
			goto out;
out:
	ad_free(ids);
	return r;
}
