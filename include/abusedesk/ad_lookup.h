/*
 * ad_lookup.h - who to write to about an address or an AS number: the
 * referral chain over RDAP and whois, the range cache, rate limits.
 *
 * One ad_lookup_query() walks, for one address or ASN:
 *   1. refusal: private, shared, loopback, link-local, documentation,
 *      multicast, reserved and own-network addresses are never sent to
 *      anyone (a lookup leaks what we look at);
 *   2. the range cache: in memory, then the store (lookup_cache table).
 *      Answers are kept by network range, so one query covers every
 *      address of the network; a miss is cached per address, shorter;
 *   3. the registry tables (ad_registry.h) pick the first service: RDAP
 *      when there is one (unless via = whois), else whois;
 *   4. each hop is one bounded exchange (ad_fetch.h) parsed into a
 *      struct ad_netinfo (ad_netinfo.h). The chain follows referrals
 *      (ARIN ReferralServer whois:// and rwhois://, RDAP redirects,
 *      APNIC/LACNIC stubs towards a national registry), resolves abuse
 *      handles, falls back to whois when RDAP has no data or is rate
 *      limited, and goes on past registry placeholder contacts. It is
 *      bounded by AD_LOOKUP_HOPS_MAX, a visited set (a loop ends it),
 *      a per-hop and an overall deadline;
 *   5. the most specific network answer that names a real contact wins;
 *      a less specific answer on the way (or the parent's RDAP "up" link,
 *      or else ARIN's parent handle asked of ARIN whois as "n ! NET-...")
 *      gives the parent and its contact, the upstream to escalate to.
 *
 * Manners: every server gets a token bucket (rate, burst) and a gate that
 * lets at most per_server queries (default 1) be in flight to it, however
 * many workers ad_lookup_many runs (parallel); HTTP 429/403, RIPE %ERROR:201,
 * LACNIC's notice and a port 43 that hangs put the server into back-off
 * (Retry-After when given), kept in the store so the next run honours it.
 *
 * Concurrency: ad_lookup_many runs up to o.parallel workers, each with its
 * own parsed answers and its own connections; the range cache, the store,
 * the servers' buckets and the counters are behind one mutex. A query
 * whose address falls in a network another worker is resolving (or, until
 * that walk has learnt its network, one that starts at the same server)
 * waits for that walk and is then answered from the cache: one query per
 * distinct network still holds.
 *
 * An ad_lookup borrows the ctx, store and registry given to it; while
 * ad_lookup_many runs, nobody else may use the store (the log callback
 * of ctx is called from the workers).
 */
#ifndef AD_LOOKUP_H
#define AD_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_buf.h"
#include "ad_ctx.h"
#include "ad_err.h"
#include "ad_fetch.h"
#include "ad_ip.h"
#include "ad_netinfo.h"
#include "ad_registry.h"

#define AD_LOOKUP_HOPS_MAX	8	/* exchanges per query, referrals included */
#define AD_LOOKUP_ABUSE_MAX	4	/* mailboxes reported */
#define AD_LOOKUP_RANGES_MAX	8	/* CIDRs reported and cached */
#define AD_LOOKUP_MEMCACHE_MAX	65536	/* ranges kept in memory */
#define AD_LOOKUP_SERVERS_MAX	256	/* servers with a rate state */
#define AD_LOOKUP_PARALLEL_MAX	32	/* workers of ad_lookup_many */

enum ad_lookup_via {
	AD_VIA_AUTO = 0,	/* RDAP when the table has it, else whois */
	AD_VIA_RDAP,
	AD_VIA_WHOIS,
};

struct ad_lookup_opts {
	struct ad_fetch_opts	 fetch;
	enum ad_lookup_via	 via;
	bool			 offline;	/* cache and tables only */
	bool			 parent;	/* fetch the parent's contact (up, handle) */
	int			 timeout_ms;	/* per hop; 0: 10 s */
	int			 total_ms;	/* per query; 0: 4 x timeout */
	int64_t			 ttl;		/* seconds; 0: 7 days */
	int64_t			 negative_ttl;	/* seconds; 0: 1 hour */
	double			 rate;		/* queries/s per server; 0: 2 */
	double			 burst;		/* bucket size; 0: 10 */
	int64_t			 backoff;	/* seconds when no Retry-After; 0: 60 */
	int			 parallel;	/* workers of ad_lookup_many; 0: 1 */
	int			 per_server;	/* in flight per server; 0: 1 */
	const struct ad_cidr	*own;		/* borrowed: never looked up */
	size_t			 n_own;
};

/* The answer to one query: what `abusedesk lookup --json` prints. */
struct ad_lookup_answer {
	char			query[128];
	bool			is_asn;
	uint32_t		asn;
	struct ad_addr		addr;

	char			abuse[AD_LOOKUP_ABUSE_MAX][AD_NI_EMAIL_MAX + 1];
	size_t			n_abuse;
	enum ad_confidence	confidence;
	char			evidence[AD_NI_TEXT_MAX + AD_NI_NAME_MAX + 8];

	char			ranges[AD_LOOKUP_RANGES_MAX][64];
	size_t			n_ranges;
	char			handle[AD_NI_NAME_MAX];
	char			name[AD_NI_NAME_MAX];
	char			org[AD_NI_TEXT_MAX];
	char			country[3];
	char			registry[32];
	char			protocol[8];		/* "rdap", "whois", "rwhois" */
	char			server[AD_NI_URL_MAX];	/* base URL or host[:port] */

	char			parent_handle[AD_NI_NAME_MAX];
	char			parent_name[AD_NI_NAME_MAX];
	char			parent_abuse[AD_LOOKUP_ABUSE_MAX][AD_NI_EMAIL_MAX + 1];
	size_t			n_parent_abuse;

	bool			cached;
	int			err;		/* AD_OK, or why there is no answer */
	char			error[256];	/* "" when err == AD_OK */
};

/* Counters since ad_lookup_new (the bench and the cache tests read them). */
struct ad_lookup_stats {
	uint64_t	queries;	/* lookups asked */
	uint64_t	sent;		/* exchanges with a server */
	uint64_t	mem_hits;	/* answered from the in-memory ranges */
	uint64_t	store_hits;	/* answered from the store */
	uint64_t	refused;	/* private, own, ... */
};

struct ad_lookup;
struct ad_store;

/* store may be NULL (no persistent cache). All three are borrowed. */
int	ad_lookup_new(struct ad_ctx *ctx, struct ad_store *store,
	    const struct ad_registry *reg, const struct ad_lookup_opts *o,
	    struct ad_lookup **out) AD_WUR;
void	ad_lookup_free(struct ad_lookup *l);

/*
 * Answers one query: an IPv4/IPv6 address, "AS123"/"as123" or a bare AS
 * number. Always fills *a (a->err and a->error say why there is no
 * answer: AD_ERR_USAGE not an address or a refused one, AD_ERR_NOTFOUND
 * no registry knows it or offline and not cached, AD_ERR_IO the servers
 * failed, AD_ERR_BUSY rate limited). Returns a->err, or AD_ERR_NOMEM /
 * AD_ERR_STORE for failures of our own.
 */
int	ad_lookup_query(struct ad_lookup *l, const char *query,
	    struct ad_lookup_answer *a) AD_WUR;

/*
 * Answers queries[0..n-1] with up to o.parallel workers and hands each
 * answer to fn in input order, on the calling thread, as soon as it and
 * all before it are done (rc is what ad_lookup_query would return). With
 * parallel 1 it is ad_lookup_query in a loop. Stops at the first
 * AD_ERR_NOMEM or AD_ERR_STORE, or the first fn result other than AD_OK,
 * and returns it; else AD_OK. Not to be called while another call on l
 * runs.
 */
typedef int (*ad_lookup_each_fn)(void *arg, size_t i,
    const struct ad_lookup_answer *a, int rc);

int	ad_lookup_many(struct ad_lookup *l, const char *const *queries,
	    size_t n, ad_lookup_each_fn fn, void *arg) AD_WUR;

void	ad_lookup_get_stats(struct ad_lookup *l, struct ad_lookup_stats *s);

/* Appends the answer as one JSON object (no newline). */
int	ad_lookup_answer_json(struct ad_buf *b,
	    const struct ad_lookup_answer *a) AD_WUR;
/* Reads what ad_lookup_answer_json wrote (the cache); AD_ERR_PARSE if not. */
int	ad_lookup_answer_from_json(const char *s, size_t n,
	    struct ad_lookup_answer *a) AD_WUR;

#endif
