/*
 * ad_track.h - following a report through: the case's life cycle, the
 * replies that move it, and the follow-ups and escalations that time does.
 *
 * A case is a thread of messages about one source (ad_store.h: the first
 * report and its follow-ups share a token). Its life cycle:
 *
 *   new -> reported -> acknowledged -> resolved
 *                   \-> no-response -> followed-up -> escalated-upstream
 *                                    -> escalated-cert -> blocked | closed
 *
 * plus the states a reply puts it in: manual-submission (their web form
 * wants the report), more-info (they asked for more), not-our-network and
 * bounced (the address failed: the upstream is next). Events that continue
 * after "resolved" reopen the case (back to reported). Every transition is
 * a dated line in the report's trail with its reason (`abusedesk history`).
 */
#ifndef AD_TRACK_H
#define AD_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_ctx.h"
#include "ad_queue.h"
#include "ad_reply.h"
#include "ad_store.h"

#define AD_LC_NEW		""	/* drafted, never sent */
#define AD_LC_REPORTED		"reported"
#define AD_LC_ACKNOWLEDGED	"acknowledged"
#define AD_LC_RESOLVED		"resolved"
#define AD_LC_NO_RESPONSE	"no-response"
#define AD_LC_FOLLOWED_UP	"followed-up"
#define AD_LC_UPSTREAM		"escalated-upstream"
#define AD_LC_CERT		"escalated-cert"
#define AD_LC_BLOCKED		"blocked"
#define AD_LC_CLOSED		"closed"
#define AD_LC_MANUAL		"manual-submission"
#define AD_LC_MORE_INFO		"more-info"
#define AD_LC_NOT_OURS		"not-our-network"
#define AD_LC_BOUNCED		"bounced"

/*
 * Moves thread (its first report's id) to `lifecycle`, with a dated trail
 * line. No-op when already there. Call inside a transaction.
 */
int	ad_track_set(struct ad_store *st, int64_t thread, const char *lifecycle,
	    int64_t now, const char *reason) AD_WUR;

/* What one message of an inbox did. */
struct ad_inbox_event {
	const struct ad_reply	*reply;
	const char		*where;		/* file or mbox position */
	const char		*token;		/* matched thread, or NULL */
	const char		*effect;	/* "acknowledged (ticket 123)", ... */
	bool			 duplicate;	/* read before: nothing done */
};

struct ad_inbox_stats {
	size_t	read, matched, unmatched, duplicates, bad;
	size_t	by_class[AD_REPLY_CLASS_COUNT];
};

/*
 * Reads every message of path (Maildir, mbox, one message, "-" stdin),
 * matches it to a thread (In-Reply-To/References to our Message-IDs, then
 * the token), stores it in the correspondence trail (matched or not: never
 * dropped) and applies its class: acknowledged (ticket kept), web form
 * (manual-submission, URL kept), forwarded (acknowledged), resolved,
 * not-our-network, more-info, stop (the sender and the report's recipient
 * are suppressed at once), bounce (bounced; each failed address we wrote
 * to in the thread is suppressed, so the next followup tries the holder's
 * next mailbox, then the upstream; a bounce naming only addresses the case
 * has moved on from, not that of its newest sent message, is just logged).
 * A message read twice (same Message-ID) changes nothing.
 * Bad messages are counted (diag of the last) and skipped. Returns AD_OK
 * or the first store/IO error.
 */
int	ad_track_inbox(struct ad_ctx *ctx, struct ad_store *st, const char *path,
	    void (*report)(void *arg, const struct ad_inbox_event *e), void *arg,
	    struct ad_inbox_stats *stats, struct ad_diag *diag) AD_WUR;

/* --- national CERTs (data/certs.tsv, report.certs) ---------------------- */

struct ad_cert {
	char	country[3];
	char	name[96];
	char	email[AD_EMAIL_MAX + 1];
	char	source[256];
	char	checked[32];
};

struct ad_certs;

/*
 * The shipped table, then path (NULL: none) whose lines win for their
 * country. Lines: "CC<TAB>team<TAB>mailbox<TAB>source<TAB>checked".
 * Returns AD_OK, AD_ERR_IO, AD_ERR_PARSE (diag: file and line), NOMEM.
 */
int	ad_certs_load(const char *path, struct ad_certs **out,
	    struct ad_diag *diag) AD_WUR;
void	ad_certs_free(struct ad_certs *c);
/* The team for an ISO 3166 country, or NULL. */
const struct ad_cert *ad_certs_find(const struct ad_certs *c,
	    const char *country);

/* --- follow-up and escalation (abusedesk followup) ----------------------- */

/* (The order of ad_followup_kind, ad_report.h.) */
enum ad_fu_step { AD_STEP_REMINDER = 0, AD_STEP_UPSTREAM, AD_STEP_CERT,
	AD_STEP_RESEND };

struct ad_followup_opts {
	int64_t			 after;		/* silence before a step; 0: 7 d */
	bool			 auto_send[3];	/* per step: approve at once */
	const struct ad_certs	*certs;
	bool			 dry_run;	/* say what is due, draft nothing */
};

struct ad_followup_event {
	const char	*token;
	const char	*what;	/* "followup", "upstream", "cert", "resend",
				   "stuck" */
	const char	*detail;
};

struct ad_followup_stats {
	size_t	reminders, upstream, cert, resends, stuck, waiting;
};

/*
 * One pass over the sent cases (safe to run every hour: a step is drafted
 * once; time comes from ctx's clock): no answer `after` the report -> a
 * reminder in the same thread; a bounce of the holder's mailbox (inbox put
 * it on the suppression list) -> the same report again to the holder's
 * next abuse mailbox (lookup or report.contacts; one never written to in
 * this thread: at most one draft per bounced address), a "resend" that is
 * always a draft; still none after the reminder, or "not our network", or a
 * bounce with no mailbox left -> an escalation to the upstream (contact's parent
 * mailbox; none known: straight to the CERT); still none -> the national
 * CERT of the source's country. Each is a draft (approved at once when
 * auto_send says so for that step), with the thread's token and the next
 * Message-ID, and (qo->translate) a leading translation in the report's
 * language, the CERT's in its country's. A holder that asked us to stop
 * gets no reminder: the upstream is next. Acknowledged, resolved,
 * manual-submission and more-info cases wait for a person. Returns AD_OK
 * or the first store error.
 */
int	ad_track_followup(struct ad_ctx *ctx, struct ad_store *st,
	    const struct ad_queue_opts *qo, const struct ad_followup_opts *fo,
	    ad_contact_fn contact, void *contact_arg,
	    void (*report)(void *arg, const struct ad_followup_event *e),
	    void *arg, struct ad_followup_stats *stats,
	    struct ad_diag *diag) AD_WUR;

#endif
