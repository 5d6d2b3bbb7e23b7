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
 * are suppressed at once), bounce (bounced: the next followup goes to the
 * upstream). A message read twice (same Message-ID) changes nothing.
 * Bad messages are counted (diag of the last) and skipped. Returns AD_OK
 * or the first store/IO error.
 */
int	ad_track_inbox(struct ad_ctx *ctx, struct ad_store *st, const char *path,
	    void (*report)(void *arg, const struct ad_inbox_event *e), void *arg,
	    struct ad_inbox_stats *stats, struct ad_diag *diag) AD_WUR;

#endif
