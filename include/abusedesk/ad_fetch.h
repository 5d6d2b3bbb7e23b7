/*
 * ad_fetch.h - the transports of the lookup chain: RDAP over HTTP(S)
 * (libcurl), whois (RFC 3912, TCP 43) and rwhois (RFC 2167).
 *
 * One call = one bounded exchange with one server: a deadline (absolute,
 * monotonic milliseconds) covers resolving, connecting, sending and reading,
 * and the answer is cut at a maximum size. A server that trickles one byte a
 * second, never stops talking or never answers costs at most the deadline.
 *
 * Connections can be redirected the way curl's --connect-to does it
 * (HOST:PORT:ADDR:PORT, empty HOST or PORT = any): for RDAP the rules go to
 * CURLOPT_CONNECT_TO, for whois and rwhois they are applied in our own
 * resolver step. The host name itself stays the one asked for (TLS checks
 * the certificate against it, the replay servers key on it): this is how
 * the tests make referrals to whois.ripe.net reach a server on loopback
 * without a line of test-only code in the chain.
 *
 * Nothing here parses an answer; see ad_netinfo.h.
 */
#ifndef AD_FETCH_H
#define AD_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_ctx.h"
#include "ad_err.h"

#define AD_FETCH_CONNECT_TO_MAX	64	/* --connect-to rules */
#define AD_FETCH_BODY_MAX	(1024 * 1024)	/* default answer cap */
#define AD_FETCH_REDIRECTS_MAX	5	/* RDAP 3xx followed */
#define AD_FETCH_QUERY_MAX	256	/* bytes of a whois query line */

/*
 * Connections, DNS answers and TLS sessions kept between RDAP requests
 * (keep-alive: one TLS handshake per server, not per query). Owned by the
 * caller; not for use by two threads at once.
 */
struct ad_fetch_share;

int	ad_fetch_share_new(struct ad_fetch_share **out) AD_WUR;
/* libcurl's global set-up, once: call before starting threads that fetch. */
void	ad_fetch_global_init(void);
void	ad_fetch_share_free(struct ad_fetch_share *s);

struct ad_fetch_opts {
	struct ad_fetch_share *share;	/* NULL: a new connection each time */
	const char	*connect_to[AD_FETCH_CONNECT_TO_MAX];	/* borrowed */
	size_t		 n_connect_to;
	const char	*cacert;	/* CA bundle for HTTPS, NULL: system */
	size_t		 max_bytes;	/* 0: AD_FETCH_BODY_MAX */
	const char	*user_agent;	/* NULL: "abusedesk" */
};

/* What one exchange gave. body is NUL-terminated; free with ad_fetch_result_free. */
struct ad_fetch_result {
	char		*body;
	size_t		 len;
	long		 status;	/* HTTP status; 0 for whois */
	long		 retry_after;	/* seconds from Retry-After, -1 if none */
	bool		 truncated;	/* cut at max_bytes */
	bool		 timed_out;	/* the deadline passed */
	char		 url[512];	/* RDAP: the URL that answered (after redirects) */
	char		 error[256];	/* why it failed, for the user */
};

void	ad_fetch_result_free(struct ad_fetch_result *r);

/* Monotonic clock in milliseconds, for deadlines. */
int64_t	ad_fetch_now_ms(void);

/*
 * Checks one --connect-to rule; AD_OK or AD_ERR_USAGE with diag filled.
 */
int	ad_fetch_connect_to_check(const char *rule, struct ad_diag *diag) AD_WUR;

/*
 * GETs url (Accept: application/rdap+json), following up to
 * AD_FETCH_REDIRECTS_MAX redirects over http(s) only. Any HTTP status is a
 * success of the transport (AD_OK with r->status set); AD_ERR_IO when no
 * answer came (r->error says why, r->timed_out when the deadline passed),
 * AD_ERR_LIMIT when the body exceeded max_bytes (r->truncated).
 */
int	ad_fetch_http(struct ad_ctx *ctx, const struct ad_fetch_opts *o,
	    const char *url, int64_t deadline_ms, struct ad_fetch_result *r) AD_WUR;

/*
 * One whois exchange: connects to host:port (port 0 = 43), sends
 * "query\r\n", reads until the server closes. rwhois: port 0 = 4321, reads
 * the banner, sends the query and stops at the "%ok" or "%error" line.
 * The query must not hold CR, LF or NUL (AD_ERR_USAGE: a hostile referral
 * must not smuggle a second query). Returns as ad_fetch_http; an answer cut
 * at max_bytes gives AD_ERR_LIMIT with the bytes read so far in r.
 */
int	ad_fetch_whois(struct ad_ctx *ctx, const struct ad_fetch_opts *o,
	    const char *host, uint16_t port, bool rwhois, const char *query,
	    int64_t deadline_ms, struct ad_fetch_result *r) AD_WUR;

#endif
