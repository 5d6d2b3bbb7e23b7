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
 *
 * How ad_assess() combines them (lib/out/assess/assess.c):
 *   1. legitimacy: any of allowlisted, scanner, Tor exit, worm noise to a
 *      large provider -> SKIP, every such reason listed;
 *   2. the contact: each finding asks for an action (the policy keys in
 *      ad_config.h pick which) and the most careful one wins, in the order
 *      REPORT < REPORT_CC < UPSTREAM < HOLD < SKIP. Defaults:
 *        no contact         -> UPSTREAM, HOLD when no upstream is known;
 *        freemail           -> REPORT_CC with the upstream, else HOLD;
 *        residential        -> REPORT_CC with the upstream, else REPORT;
 *        low confidence     -> REPORT_CC with the upstream, else HOLD;
 *        distrusted         -> UPSTREAM, HOLD when no upstream is known;
 *      "the upstream" is who->parent_abuse[0] when it differs from the
 *      contact; the contact is the first of who->abuse[] that is not a
 *      freemail address outside the network's domain (else abuse[0]);
 *   3. spoofability: no event of any incident proves the source ->
 *      spoof_caveat (default) or HOLD.
 *
 * "Outside the network's own domain": domains are compared by their
 * registrable part, taken simply as the last two labels, or three when the
 * second-to-last is a common second level under a two-letter country code
 * (co.uk, com.br, ne.jp, ...). A freemail contact is inside when its
 * registrable domain is the reverse name's, or its first label is a whole
 * word of the org name or netname (abuse@yahoo.com for Yahoo's network),
 * or it is a large provider's mail domain the parent's contact shares
 * (abuse@comcast.net on a reassignment under Comcast).
 *
 * Scanner names are matched only on the reverse name the caller passes:
 * pass a forward-confirmed one (ad_resolver_ptr confirms), else anyone
 * could name their address "census1.shodan.io" and never be reported.
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

/* What the policy loaded (for `abusedesk` to show and tests to check). */
struct ad_assess_counts {
	size_t	freemail;	/* shipped freemail domains */
	size_t	scanner_names;	/* reverse-DNS suffixes, shipped + user */
	size_t	scanner_ranges;	/* CIDRs, shipped + user */
	size_t	large;		/* large-provider entries */
	size_t	tor_exits;	/* distinct exit addresses */
	size_t	tor_bad_lines;	/* lines of the exit list not understood */
};
void	ad_assess_policy_counts(const struct ad_assess_policy *p,
	    struct ad_assess_counts *c);

#define AD_ASSESS_TOR_MAX	262144	/* exit addresses kept (~2,000 today) */
#define AD_ASSESS_FILE_LINES_MAX 1000000 /* lines read from a user list */

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
/* Writes the flag names ("freemail,residential") into buf, cut to fit
 * (n > 0); "" for no flags. Returns buf. */
char	*ad_assess_flags_name(unsigned flags, char *buf, size_t n);

/*
 * True when [s, s+n) is a host name we accept from a PTR record: 1..253
 * bytes of dot-separated labels of 1..63 letters, digits, '-' and '_'
 * (no control bytes, spaces, backslash escapes), an optional final dot.
 */
bool	ad_rdns_name_valid(const char *s, size_t n);

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
 * The PTR name of addr into name (validated hostname, lower case, no final
 * dot), forward-confirmed: the name's A/AAAA records include addr.
 * Returns AD_OK, AD_ERR_NOTFOUND (no PTR, NXDOMAIN, or a name that does
 * not resolve back to addr: diag says which), AD_ERR_PARSE (the PTR name
 * is not a valid host name, ad_rdns_name_valid, or longer than cap - 1),
 * AD_ERR_IO (timeout, refused, server failure: diag says which). Each
 * of the two queries (PTR, then A/AAAA) makes two tries, the second with
 * twice the timeout given to ad_resolver_new, so a call takes at most
 * about 6 x timeout. After 2 calls in a row end in AD_ERR_IO, later calls
 * return AD_ERR_IO at once (the servers are down or firewalled: a run of
 * many sources must not wait on each).
 */
int	ad_resolver_ptr(struct ad_resolver *r, const struct ad_addr *addr,
	    char *name, size_t cap, struct ad_diag *diag) AD_WUR;

#endif
