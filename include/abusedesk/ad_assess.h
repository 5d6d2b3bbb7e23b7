/*
 * ad_assess.h - before writing: is the traffic worth a report, and is the
 * contact worth writing to? Every decision comes with its reasons, in plain
 * sentences, because the user reviews them and the store keeps them.
 *
 * Legitimacy (is it worth a report at all?):
 *   - the source is in the user's allowlist (an audit they ordered, their
 *     own monitoring)                                   -> do not report;
 *   - a known research/security scanner (shipped list by reverse-DNS
 *     suffix and range, plus the user's)                -> do not report;
 *   - a Tor exit (optional exit-list file)              -> do not report;
 *   - Nimda/Code Red-class worm noise (category worm) to a large provider
 *     (shipped list)                                    -> do not report;
 *   - every event could be spoofed (no completed session, no
 *     authentication)                         -> report with the caveat, or
 *                                                hold (policy).
 * Trust of the contact:
 *   - no abuse contact at all                  -> the upstream, else hold;
 *   - a freemail or otherwise unverifiable mailbox outside the network's
 *     own domain                               -> the upstream in CC, or hold;
 *   - a residential/dynamic pool (reverse DNS patterns such as
 *     "dsl", "dyn", "pool", "dhcp", the address in the name; registry
 *     netnames such as DYNAMIC, POOL, RESIDENTIAL)
 *                                              -> report, upstream in CC;
 *   - networks the user distrusts (config lists by org handle, netname,
 *     country, contact domain)                 -> upstream, hold or skip
 *                                                (policy).
 *
 * Reverse DNS goes through a real resolver library (c-ares) with a bounded
 * timeout; a test points it at a local DNS server.
 */
#ifndef AD_ASSESS_H
#define AD_ASSESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_config.h"
#include "ad_detect.h"
#include "ad_email.h"
#include "ad_err.h"
#include "ad_ip.h"
#include "ad_lookup.h"

/* What to do with the report. */
enum ad_action {
	AD_ACT_REPORT = 0,	/* to the holder's abuse contact */
	AD_ACT_REPORT_CC,	/* to the holder, the upstream in Cc */
	AD_ACT_UPSTREAM,	/* to the upstream (parent network) instead */
	AD_ACT_HOLD,		/* draft, but a person must decide */
	AD_ACT_SKIP,		/* not reported (the reasons say why) */
};

/* Findings, as a bit set (stored and shown with the reasons). */
#define AD_AS_ALLOWLISTED	0x0001
#define AD_AS_SCANNER		0x0002
#define AD_AS_TOR_EXIT		0x0004
#define AD_AS_WORM_LARGE	0x0008	/* worm noise, large provider */
#define AD_AS_SPOOFABLE		0x0010	/* no event proves the source */
#define AD_AS_NO_CONTACT	0x0020
#define AD_AS_FREEMAIL		0x0040	/* freemail/unverifiable, outside */
#define AD_AS_RESIDENTIAL	0x0080
#define AD_AS_DISTRUSTED	0x0100
#define AD_AS_NO_UPSTREAM	0x0200	/* wanted the upstream, none known */
#define AD_AS_LOW_CONFIDENCE	0x0400	/* contact from remarks/tech only */

struct ad_verdict {
	enum ad_action	action;
	unsigned	flags;				/* AD_AS_* */
	char		to[AD_EMAIL_MAX + 1];		/* "" for HOLD/SKIP */
	char		cc[AD_EMAIL_MAX + 1];		/* "" none */
	bool		spoof_caveat;	/* the report must say so */
	char		rdns[256];	/* the reverse name used, "" none */
	/* "; "-separated sentences, e.g. "the contact abuse@gmail.com is a
	 * freemail address outside the network's domain example.net". */
	char		reasons[1024];
};

/* Policy: what the config says, and the lists it names (loaded). */
struct ad_assess_policy;

/*
 * Builds the policy from cfg (report.* and assess.* keys: allowlist,
 * scanners file, tor exit list file, distrust lists, actions) and the
 * shipped tables (freemail domains, research scanners, large providers).
 * Returns AD_OK, AD_ERR_IO (a named file is unreadable), AD_ERR_PARSE
 * (diag: file and line), AD_ERR_NOMEM.
 */
int	ad_assess_policy_new(const struct ad_config *cfg,
	    struct ad_assess_policy **out, struct ad_diag *diag) AD_WUR;
void	ad_assess_policy_free(struct ad_assess_policy *p);

/*
 * Decides for one source: its incidents (all the same source), what the
 * lookup said (who may be NULL or have err != AD_OK: no contact), and its
 * reverse name (rdns NULL or "": none). Never fails; fills *v.
 */
void	ad_assess(const struct ad_assess_policy *p,
	    const struct ad_incident *const *incs, size_t n,
	    const struct ad_lookup_answer *who, const char *rdns,
	    struct ad_verdict *v);

/* "report", "report+cc-upstream", "upstream", "hold", "skip" (static). */
const char *ad_action_name(enum ad_action a);
/* Appends the flag names ("freemail,residential") into buf; returns buf. */
char	*ad_assess_flags_name(unsigned flags, char *buf, size_t n);

/* --- reverse DNS --------------------------------------------------------- */

struct ad_resolver;

/*
 * servers: NULL for the system's resolv.conf, else "IP[:PORT],..."
 * (tests). timeout_ms: per query, 0 = 3000.
 */
int	ad_resolver_new(const char *servers, int timeout_ms,
	    struct ad_resolver **out, struct ad_diag *diag) AD_WUR;
void	ad_resolver_free(struct ad_resolver *r);
/*
 * The PTR name of addr into name (validated hostname, lower case).
 * Returns AD_OK, AD_ERR_NOTFOUND (no PTR, NXDOMAIN), AD_ERR_IO (timeout,
 * server failure: diag says which).
 */
int	ad_resolver_ptr(struct ad_resolver *r, const struct ad_addr *addr,
	    char *name, size_t cap, struct ad_diag *diag) AD_WUR;

#endif
