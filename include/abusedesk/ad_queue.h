/*
 * ad_queue.h - the review queue: incidents become drafted reports, a person
 * approves them, `send` delivers the approved ones with manners.
 *
 *   draft    groups the reportable incidents of each source into one report
 *            (one per source per period): assesses the source and its
 *            contact (ad_assess.h), composes the message (ad_report.h) and
 *            stores it as draft, held or skipped with the reasons. New
 *            events of a source whose report is still pending are appended
 *            to that report (re-composed), never a second message; after
 *            a report was sent, new incidents of the source within the
 *            period join it as "after the report" (for the follow-up),
 *            again without a new message.
 *   approve  marks drafts (or held reports, which a person has now seen)
 *            as approved. Nothing is ever sent without it.
 *   send     delivers approved reports through ad_deliver.h, honouring the
 *            suppression list (always, also for reports approved before
 *            the address was suppressed), the per-domain and overall rate
 *            limits, and retrying temporary failures with backoff.
 *
 * Sending twice is the one error a reporter cannot take back, so a report
 * is marked SENDING (committed) before the relay sees it and SENT after.
 * A crash in between leaves it SENDING; the next `send` marks it
 * UNCONFIRMED and does not resend it (the user decides: approve again).
 * Every report has a stable Message-ID, so a duplicate could still be
 * recognised by the recipient.
 */
#ifndef AD_QUEUE_H
#define AD_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_assess.h"
#include "ad_ctx.h"
#include "ad_deliver.h"
#include "ad_ip.h"
#include "ad_lookup.h"
#include "ad_report.h"
#include "ad_store.h"

struct ad_queue_opts {
	const struct ad_identity *me;
	const char	*from_fallback;	/* user@host when me->email is "" */
	const char	*msgid_host;	/* right side of Message-IDs */
	int64_t		 period;	/* one report per source; 0: 7 days */
	bool		 translate;	/* lead with the contact's language */
	int		 xarf;		/* 0 auto (domains below), 1 always,
					   -1 never */
	const char *const *xarf_domains;	/* recipients preferring X-ARF */
	size_t		 n_xarf_domains;
	const char	*template_dir;
	const struct ad_cidr *own;
	size_t		 n_own;
	bool		 public_view;	/* preview: mask our own addresses */
	/* send */
	const struct ad_relay *relay;
	long		 per_domain_hour;	/* 0: 10 */
	long		 per_hour;		/* 0: 60 */
	int		 max_attempts;		/* 0: 8 */
	int64_t		 retry_base;		/* seconds; 0: 900, doubling */
	bool		 dry_run;
};

/*
 * Who to write to about a source: the caller's lookup (cache first) and
 * reverse DNS. Fills *who (who->err != AD_OK: no answer) and rdns ("" none).
 */
typedef void (*ad_contact_fn)(void *arg, const struct ad_addr *src,
    struct ad_lookup_answer *who, char *rdns, size_t rdns_cap);

/* What a draft run did, for the summary line. */
struct ad_draft_stats {
	size_t	sources;	/* sources looked at */
	size_t	created;	/* new reports */
	size_t	updated;	/* pending reports re-composed with new events */
	size_t	after_sent;	/* incidents joined to an already sent report */
	size_t	drafts, held, skipped, suppressed;	/* states written */
};

/*
 * Drafts reports for the reportable incidents in no report yet (ids NULL)
 * or for the given incident ids. progress (may be NULL) is called per
 * source. Each source is its own transaction. Returns AD_OK or the first
 * error (diag says which source and why); AD_ERR_NOTFOUND when a given id
 * is not a reportable incident.
 */
int	ad_queue_draft(struct ad_ctx *ctx, struct ad_store *st,
	    const struct ad_queue_opts *o, const struct ad_assess_policy *pol,
	    ad_contact_fn contact, void *contact_arg,
	    const int64_t *ids, size_t n_ids,
	    void (*progress)(void *arg, size_t done), void *progress_arg,
	    struct ad_draft_stats *stats, struct ad_diag *diag) AD_WUR;

/*
 * Approves one report (by id or token). Drafts, held reports (with a
 * recipient) and unconfirmed or failed ones (a conscious resend) may be
 * approved. Returns AD_OK, AD_ERR_NOTFOUND, AD_ERR_USAGE (wrong state or
 * no recipient: diag says why).
 */
int	ad_queue_approve(struct ad_ctx *ctx, struct ad_store *st,
	    int64_t id, const char *token, struct ad_diag *diag) AD_WUR;

/*
 * Composes report (id or token) again from its incidents, as draft would
 * (o->public_view masks our addresses), into *msg (allocated, ad_free) and
 * stores nothing. Returns AD_OK, AD_ERR_NOTFOUND (no such report, or no
 * recipient to write to), or an error.
 */
int	ad_queue_preview(struct ad_ctx *ctx, struct ad_store *st,
	    const struct ad_queue_opts *o, const struct ad_assess_policy *pol,
	    ad_contact_fn contact, void *contact_arg, int64_t id,
	    const char *token, char **msg, size_t *len,
	    struct ad_diag *diag) AD_WUR;

/* One line of what send did or would do (dry run). */
struct ad_send_event {
	const struct ad_report_row *report;
	const char	*what;		/* "sent", "would send", "deferred",
					   "retry", "failed", "suppressed",
					   "unconfirmed" */
	const char	*detail;	/* why / the server's words */
};

struct ad_send_stats {
	size_t	sent, would_send, deferred, retry, failed, suppressed,
		unconfirmed;
};

/*
 * Sends every approved report that is due. Refuses (AD_ERR_CONFIG) without
 * a configured reporter address (me->email) unless dry_run. report is
 * called for each report touched. Returns AD_OK (even when some sends
 * failed: see stats) or a store error.
 */
int	ad_queue_send(struct ad_ctx *ctx, struct ad_store *st,
	    const struct ad_queue_opts *o,
	    void (*report)(void *arg, const struct ad_send_event *e), void *arg,
	    struct ad_send_stats *stats, struct ad_diag *diag) AD_WUR;

/*
 * A new reference token "AD-" + 6 Crockford base32 characters, derived from
 * (src, now, salt) so tests with a fixed clock get fixed tokens.
 */
void	ad_queue_token(const struct ad_addr *src, int64_t now, unsigned salt,
	    char out[AD_TOKEN_MAX]);

/* --- known contacts (report.contacts) -------------------------------------
 *
 * A file of contacts the user already knows, used before any lookup: a
 * partner's NOC, a provider whose registry data is stale. One entry per
 * line: "CIDR email [upstream=EMAIL] [country=CC] [name...]", '#'
 * comments. The most specific range wins. upstream names the transit
 * provider to escalate to, country the national CERT's.
 */
struct ad_contacts;

/* Returns AD_OK, AD_ERR_IO, AD_ERR_PARSE (diag: file and line), AD_ERR_NOMEM. */
int	ad_contacts_load(const char *path, struct ad_contacts **out,
	    struct ad_diag *diag) AD_WUR;
void	ad_contacts_free(struct ad_contacts *c);
/* Fills *who from the entry holding addr: true found, false not. */
bool	ad_contacts_find(const struct ad_contacts *c, const struct ad_addr *addr,
	    struct ad_lookup_answer *who);

#endif
