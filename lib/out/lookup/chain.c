/*
 * chain.c - one lookup: refusal, range cache, registry choice, the bounded
 * referral walk over RDAP/whois/rwhois, the answer and its cache rows.
 *
 * The walk keeps two parsed answers besides the current one: `primary`,
 * the most specific network seen that names a usable contact (or, until
 * one does, the most specific network at all), and `upper`, the answer it
 * displaced: the parent to escalate to. Registries refer downwards (ARIN
 * -> rwhois of the ISP, APNIC -> KRNIC), so "later and usable" is "more
 * specific".
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <pthread.h>

#include <jansson.h>

#include "abusedesk/ad_email.h"
#include "abusedesk/ad_json.h"
#include "abusedesk/ad_lookup.h"
#include "abusedesk/ad_store.h"

#define VISITED_MAX	(AD_LOOKUP_HOPS_MAX * 2)
#define PARENT_MEMO_MAX	256
#define HANDLES_RESOLVED_MAX 2

enum proto {
	P_NONE = 0,
	P_RDAP,
	P_WHOIS,
	P_RWHOIS,
};

struct hop {
	enum proto	p;
	char		host[AD_NI_TEXT_MAX];	/* whois host, RDAP URL host */
	uint16_t	port;			/* 0: protocol default */
	char		url[AD_NI_URL_MAX];	/* RDAP: the whole URL */
	char		base[AD_NI_URL_MAX];	/* RDAP: the service base */
	char		query[AD_NI_NAME_MAX];	/* whois: the line sent */
};

struct memrange {
	uint8_t			 kind;
	bool			 negative;
	uint8_t			 lo[16], hi[16];
	int64_t			 expires;
	struct ad_lookup_answer	*a;
};

struct server {
	char		name[AD_NI_TEXT_MAX + 8];
	double		tokens;
	int64_t		last_ms;
	int64_t		backoff_until;	/* unix seconds */
	int		inflight;	/* exchanges under way (the gate) */
};

struct parent_memo {
	bool	pending;	/* a worker is fetching it: wait */
	char	url[AD_NI_URL_MAX];
	char	handle[AD_NI_NAME_MAX];
	char	name[AD_NI_NAME_MAX];
	char	abuse[AD_NI_EMAIL_MAX + 1];
};

/*
 * A walk under way, as other workers see it: the address asked, the first
 * server, and once an answer named one, the narrowest network seen that
 * holds the address. A worker whose address falls in that network (or,
 * before any answer, whose walk starts at the same server) waits for the
 * walk to end and then answers from the cache: one query per network.
 */
struct pending {
	bool		used;
	bool		ready;		/* kind, key and first are set */
	bool		have_range;
	uint64_t	seq;		/* queries wait only for earlier ones */
	uint8_t		kind;
	uint8_t		key[16];
	uint8_t		lo[16], hi[16];
	char		first[AD_NI_TEXT_MAX + 8];
};

/*
 * What one query's walk owns: the parsed answers (each ~10 KB: off the
 * stack) and its own connections (a curl share is for one thread at a
 * time, so each worker has its own and keeps its own keep-alive).
 */
struct walker {
	struct ad_netinfo	*cur, *primary, *upper;
	char			*primary_server, *upper_server;
	char			 primary_proto[8];
	struct ad_fetch_opts	 fetch;
	struct ad_fetch_share	*share;		/* ours, or NULL */
	struct pending		*pend;		/* while walking */
};

/*
 * Shared by the workers, under mu: the in-memory ranges, the store, the
 * servers' buckets and gates, the parent memo, the pending walks and the
 * counters. cv is signalled when a gate opens, a pending walk learns its
 * network or ends, and a batch answer is done.
 */
struct ad_lookup {
	struct ad_ctx		*ctx;
	struct ad_store		*store;
	const struct ad_registry *reg;
	struct ad_lookup_opts	 o;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;		/* CLOCK_MONOTONIC */
	struct memrange		*mem;
	size_t			 n_mem, cap_mem;
	struct server		 srv[AD_LOOKUP_SERVERS_MAX];
	size_t			 n_srv;
	struct parent_memo	*memo;
	size_t			 n_memo;
	struct ad_lookup_stats	 stats;
	struct pending		 pend[AD_LOOKUP_PARALLEL_MAX + 1];
	uint64_t		 seq;		/* of the next query */
	struct walker		*w[AD_LOOKUP_PARALLEL_MAX];	/* w[0]: ad_lookup_query */
	struct ad_buf		 json;
};

static void
lock(struct ad_lookup *l)
{
	(void)pthread_mutex_lock(&l->mu);
}

static void
unlock(struct ad_lookup *l)
{
	(void)pthread_mutex_unlock(&l->mu);
}

/* Waits on cv until woken or until deadline_ms (monotonic; <0: none). */
static void
wait_until(struct ad_lookup *l, int64_t deadline_ms)
{
	struct timespec ts;

	if (deadline_ms < 0) {
		(void)pthread_cond_wait(&l->cv, &l->mu);
		return;
	}
	ts.tv_sec = (time_t)(deadline_ms / 1000);
	ts.tv_nsec = (long)(deadline_ms % 1000) * 1000000L;
	(void)pthread_cond_timedwait(&l->cv, &l->mu, &ts);
}

/* --- setup ------------------------------------------------------------- */

static void
walker_free(struct walker *w)
{
	if (w == NULL)
		return;
	ad_free(w->cur);
	ad_free(w->primary);
	ad_free(w->upper);
	ad_free(w->primary_server);
	ad_free(w->upper_server);
	ad_fetch_share_free(w->share);
	ad_free(w);
}

/* A walker with the lookup's fetch options and, unless given one, its own share. */
static struct walker *
walker_new(const struct ad_lookup *l)
{
	struct walker *w;

	if ((w = ad_calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->fetch = l->o.fetch;
	w->cur = ad_calloc(1, sizeof(*w->cur));
	w->primary = ad_calloc(1, sizeof(*w->primary));
	w->upper = ad_calloc(1, sizeof(*w->upper));
	w->primary_server = ad_calloc(1, AD_NI_URL_MAX);
	w->upper_server = ad_calloc(1, AD_NI_URL_MAX);
	if (!w->cur || !w->primary || !w->upper || !w->primary_server ||
	    !w->upper_server || (w->fetch.share == NULL &&
	    ad_fetch_share_new(&w->share) != AD_OK)) {
		walker_free(w);
		return NULL;
	}
	if (w->fetch.share == NULL)
		w->fetch.share = w->share;
	return w;
}

int
ad_lookup_new(struct ad_ctx *ctx, struct ad_store *store,
    const struct ad_registry *reg, const struct ad_lookup_opts *o,
    struct ad_lookup **out)
{
	struct ad_lookup *l;
	pthread_condattr_t ca;

	*out = NULL;
	if ((l = ad_calloc(1, sizeof(*l))) == NULL)
		return AD_ERR_NOMEM;
	l->ctx = ctx;
	l->store = store;
	l->reg = reg;
	l->o = *o;
	if (l->o.timeout_ms <= 0)
		l->o.timeout_ms = 10000;
	if (l->o.total_ms <= 0)
		l->o.total_ms = 4 * l->o.timeout_ms;
	if (l->o.ttl <= 0)
		l->o.ttl = 7 * 86400;
	if (l->o.negative_ttl <= 0)
		l->o.negative_ttl = 3600;
	if (l->o.rate <= 0)
		l->o.rate = 2;
	if (l->o.burst < 1)
		l->o.burst = 10;
	if (l->o.backoff <= 0)
		l->o.backoff = 60;
	if (l->o.parallel <= 0)
		l->o.parallel = 1;
	if (l->o.parallel > AD_LOOKUP_PARALLEL_MAX)
		l->o.parallel = AD_LOOKUP_PARALLEL_MAX;
	if (l->o.per_server <= 0)
		l->o.per_server = 1;
	if (pthread_mutex_init(&l->mu, NULL) != 0) {
		ad_free(l);
		return AD_ERR_NOMEM;
	}
	if (pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&l->cv, &ca) != 0) {
		(void)pthread_mutex_destroy(&l->mu);
		ad_free(l);
		return AD_ERR_NOMEM;
	}
	(void)pthread_condattr_destroy(&ca);
	ad_fetch_global_init();
	l->memo = ad_calloc(PARENT_MEMO_MAX, sizeof(*l->memo));
	ad_buf_init(&l->json, 64 * 1024);
	if (l->memo == NULL || (l->w[0] = walker_new(l)) == NULL) {
		ad_lookup_free(l);
		return AD_ERR_NOMEM;
	}
	*out = l;
	return AD_OK;
}

void
ad_lookup_free(struct ad_lookup *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n_mem; i++)
		ad_free(l->mem[i].a);
	ad_free(l->mem);
	for (i = 0; i < AD_LOOKUP_PARALLEL_MAX; i++)
		walker_free(l->w[i]);
	ad_free(l->memo);
	ad_buf_free(&l->json);
	(void)pthread_cond_destroy(&l->cv);
	(void)pthread_mutex_destroy(&l->mu);
	ad_free(l);
}

void
ad_lookup_get_stats(struct ad_lookup *l, struct ad_lookup_stats *s)
{
	lock(l);
	*s = l->stats;
	unlock(l);
}

/* --- small helpers ----------------------------------------------------- */

static void
answer_error(struct ad_lookup_answer *a, int err, const char *fmt, ...)
    AD_PRINTF(3, 4);

static void
answer_error(struct ad_lookup_answer *a, int err, const char *fmt, ...)
{
	va_list ap;

	a->err = err;
	va_start(ap, fmt);
	vsnprintf(a->error, sizeof(a->error), fmt, ap);
	va_end(ap);
}

/* Text safe to show and store: printable ASCII, no quotes games. */
static void
copy_clean(char *dst, size_t n, const char *src)
{
	size_t i, o = 0;

	for (i = 0; src[i] && o + 1 < n; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[o++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	dst[o] = '\0';
}

static void
asn_key(uint32_t asn, uint8_t k[16])
{
	memset(k, 0, 16);
	k[12] = (uint8_t)(asn >> 24);
	k[13] = (uint8_t)(asn >> 16);
	k[14] = (uint8_t)(asn >> 8);
	k[15] = (uint8_t)asn;
}

/* "AS123", "as123", "123" -> 123. */
static bool
parse_asn(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	size_t i = 0, n;

	if ((s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		s += 2;
	n = strlen(s);
	if (n == 0 || n > 10)
		return false;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static void
url_host(const char *url, char *host, size_t n)
{
	const char *p = strstr(url, "://"), *e;
	size_t k;

	p = p ? p + 3 : url;
	e = p + strcspn(p, "/:?#");
	k = (size_t)(e - p);
	if (k >= n)
		k = n - 1;
	memcpy(host, p, k);
	host[k] = '\0';
}

/* The service base of an RDAP URL: everything before /ip/, /autnum/, ... */
static void
url_base(const char *url, char *base, size_t n)
{
	static const char *const marks[] = { "/ip/", "/autnum/", "/entity/",
	    "/domain/" };
	const char *cut = NULL;
	size_t i, k;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		const char *m = strstr(url, marks[i]);

		if (m && (cut == NULL || m < cut))
			cut = m;
	}
	k = cut ? (size_t)(cut - url) + 1 : strlen(url);
	if (k >= n)
		k = n - 1;
	memcpy(base, url, k);
	base[k] = '\0';
}

static bool
rdap_url(char *out, size_t n, const char *base, const char *kind,
    const char *what)
{
	size_t bl = strlen(base);

	return snprintf(out, n, "%s%s%s/%s", base, bl && base[bl - 1] == '/' ?
	    "" : "/", kind, what) < (int)n;
}

/* The query line a whois server expects for an address or an AS number. */
static void
whois_line(const char *host, bool rwhois, const struct ad_lookup_answer *a,
    char *out, size_t n)
{
	char addr[AD_ADDR_STRLEN];

	if (a->is_asn) {
		if (strcasecmp(host, "whois.arin.net") == 0)
			snprintf(out, n, "a + %u", a->asn);
		else
			snprintf(out, n, "AS%u", a->asn);
		return;
	}
	ad_addr_format(&a->addr, addr);
	if (rwhois)
		snprintf(out, n, "%s", addr);
	else if (strcasecmp(host, "whois.arin.net") == 0)
		snprintf(out, n, "n + %s", addr);
	else if (strcasecmp(host, "whois.nic.ad.jp") == 0)
		snprintf(out, n, "%s/e", addr);
	else
		snprintf(out, n, "%s", addr);
}

/* "whois.x", "whois://h:p", "rwhois://h:p", "h:p" -> hop. */
static bool
hop_from_target(struct hop *h, const char *t, const struct ad_lookup_answer *a)
{
	const char *p = t, *colon;
	size_t k;

	memset(h, 0, sizeof(*h));
	h->p = P_WHOIS;
	if (strncasecmp(p, "rwhois://", 9) == 0) {
		h->p = P_RWHOIS;
		p += 9;
	} else if (strncasecmp(p, "whois://", 8) == 0)
		p += 8;
	k = strcspn(p, ":/");
	if (k == 0 || k >= sizeof(h->host))
		return false;
	memcpy(h->host, p, k);
	h->host[k] = '\0';
	colon = p[k] == ':' ? p + k + 1 : NULL;
	if (colon) {
		long v = strtol(colon, NULL, 10);

		if (v <= 0 || v > 65535)
			return false;
		h->port = (uint16_t)v;
	}
	whois_line(h->host, h->p == P_RWHOIS, a, h->query, sizeof(h->query));
	return true;
}

static bool
hop_rdap(struct hop *h, const char *base, const struct ad_lookup_answer *a)
{
	char what[AD_ADDR_STRLEN + 16];

	memset(h, 0, sizeof(*h));
	h->p = P_RDAP;
	if (a->is_asn)
		snprintf(what, sizeof(what), "%u", a->asn);
	else
		ad_addr_format(&a->addr, what);
	if (!rdap_url(h->url, sizeof(h->url), base, a->is_asn ? "autnum" :
	    "ip", what))
		return false;
	snprintf(h->base, sizeof(h->base), "%s", base);
	url_host(h->url, h->host, sizeof(h->host));
	return h->host[0] != '\0';
}

/* The label a server is known by: bucket, back-off, parser dialect. */
static void
hop_label(const struct hop *h, char *out, size_t n)
{
	if (h->p == P_RDAP)
		snprintf(out, n, "%s", h->host);
	else if (h->port && h->port != (h->p == P_RWHOIS ? 4321 : 43))
		snprintf(out, n, "%s:%u", h->host, h->port);
	else if (h->p == P_RWHOIS)
		snprintf(out, n, "%s:4321", h->host);
	else
		snprintf(out, n, "%s", h->host);
}

/* The national registries APNIC delegates to, by any of their whois names. */
static bool
is_nir(const char *host)
{
	const char *r = ad_registry_name(host);

	return strcmp(r, "KRNIC") == 0 || strcmp(r, "JPNIC") == 0 ||
	    strcmp(r, "TWNIC") == 0;
}

/*
 * A whois server as the visited set knows it: an NIR by its name (the
 * tables say whois.nic.or.kr, APNIC's answers whois.krnic.net: one
 * server), anyone else by host.
 */
static void
whois_canon(const char *host, char *out, size_t n)
{
	if (is_nir(host))
		snprintf(out, n, "%s", ad_registry_name(host));
	else
		snprintf(out, n, "%s", host);
}

static void
hop_key(const struct hop *h, char *out, size_t n)
{
	char label[AD_NI_TEXT_MAX + 8];

	if (h->p == P_WHOIS && (h->port == 0 || h->port == 43))
		whois_canon(h->host, label, sizeof(label));
	else
		hop_label(h, label, sizeof(label));
	if (h->p == P_RDAP)
		snprintf(out, n, "rdap %s", h->url);
	else
		snprintf(out, n, "%s %s %s", h->p == P_RWHOIS ? "rwhois" :
		    "whois", label, h->query);
}

/* --- manners: the gate, the token bucket and back-off --------------------
 *
 * All of it under l->mu. A server is known by its label (host, or
 * host:port when not the default). Its gate lets lookup.per_server
 * exchanges (default 1) be under way at once; a worker past the gate then
 * takes a token (sleeping without the lock, its place at the gate kept)
 * and leaves the gate when its exchange is done.
 */

static struct server *
server_get(struct ad_lookup *l, const char *name)
{
	struct server *s = NULL;
	size_t i;

	for (i = 0; i < l->n_srv; i++)
		if (strcasecmp(l->srv[i].name, name) == 0)
			return &l->srv[i];
	if (l->n_srv == AD_LOOKUP_SERVERS_MAX) {
		/* recycle the oldest-used slot nobody is using */
		for (i = 0; i < l->n_srv; i++)
			if (l->srv[i].inflight == 0 && (s == NULL ||
			    l->srv[i].last_ms < s->last_ms))
				s = &l->srv[i];
		if (s == NULL)
			return NULL;
	} else
		s = &l->srv[l->n_srv++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->tokens = l->o.burst;
	s->last_ms = ad_fetch_now_ms();
	return s;
}

static int64_t
wall_now(struct ad_lookup *l)
{
	return (int64_t)ad_ctx_now(l->ctx);
}

static void
backoff(struct ad_lookup *l, struct server *s, long secs, const char *why)
{
	int64_t until = wall_now(l) + (secs >= 0 ? secs : l->o.backoff);

	if (until > s->backoff_until)
		s->backoff_until = until;
	ad_log(l->ctx, AD_LOG_WARN, "%s: %s; backing off until %+lld s",
	    s->name, why, (long long)(s->backoff_until - wall_now(l)));
	if (l->store && ad_store_backoff_set(l->store, s->name,
	    s->backoff_until, why) != AD_OK)
		ad_log(l->ctx, AD_LOG_WARN, "store: %s",
		    ad_store_errmsg(l->store));
}

/* 0 go, <0 the server is backing off (seconds left in *left). */
static int
backing_off(struct ad_lookup *l, struct server *s, int64_t *left)
{
	int64_t now = wall_now(l), until = 0;

	if (s->backoff_until <= now && l->store &&
	    ad_store_backoff_get(l->store, s->name, now, &until) == 1)
		s->backoff_until = until;
	if (s->backoff_until > now) {
		*left = s->backoff_until - now;
		return -1;
	}
	return 0;
}

/* Waits for a token; false when the wait would pass the deadline. */
static bool
take_token(struct ad_lookup *l, struct server *s, int64_t deadline)
{
	for (;;) {
		int64_t now = ad_fetch_now_ms();
		double wait_ms;
		struct timespec ts;

		s->tokens += (double)(now - s->last_ms) * l->o.rate / 1000.0;
		if (s->tokens > l->o.burst)
			s->tokens = l->o.burst;
		s->last_ms = now;
		if (s->tokens >= 1) {
			s->tokens -= 1;
			return true;
		}
		wait_ms = (1 - s->tokens) * 1000.0 / l->o.rate + 1;
		if (now + (int64_t)wait_ms >= deadline)
			return false;
		ts.tv_sec = (time_t)(wait_ms / 1000);
		ts.tv_nsec = (long)((wait_ms - (double)ts.tv_sec * 1000) * 1e6);
		unlock(l);
		nanosleep(&ts, NULL);
		lock(l);
	}
}

enum gate {
	G_GO,		/* through: call gate_leave after the exchange */
	G_BUSY,		/* the gate did not open before the deadline */
	G_BACKOFF,	/* the server is backing off; *left seconds */
	G_BUDGET,	/* no token before the deadline */
};

static enum gate
gate_enter(struct ad_lookup *l, const char *label, int64_t deadline,
    struct server **out, int64_t *left)
{
	struct server *s;

	*out = NULL;
	lock(l);
	for (;;) {
		if ((s = server_get(l, label)) == NULL ||
		    s->inflight >= l->o.per_server) {
			if (ad_fetch_now_ms() >= deadline) {
				unlock(l);
				return G_BUSY;
			}
			wait_until(l, deadline);
			continue;
		}
		break;
	}
	if (backing_off(l, s, left) < 0) {
		unlock(l);
		return G_BACKOFF;
	}
	s->inflight++;
	if (!take_token(l, s, deadline)) {
		s->inflight--;
		(void)pthread_cond_broadcast(&l->cv);
		unlock(l);
		return G_BUDGET;
	}
	l->stats.sent++;
	unlock(l);
	*out = s;
	return G_GO;
}

/* Leaves the gate; backs the server off first when why is not NULL. */
static void
gate_leave(struct ad_lookup *l, struct server *s, long secs, const char *why)
{
	lock(l);
	if (why)
		backoff(l, s, secs, why);
	s->inflight--;
	(void)pthread_cond_broadcast(&l->cv);
	unlock(l);
}

/* --- the answer record --------------------------------------------------- */

static bool
usable(const struct ad_netinfo *ni)
{
	return ad_netinfo_best(ni) != NULL;
}

/* How good the answer's contact is: AD_CONF_NONE when it has none. */
static enum ad_confidence
conf(const struct ad_netinfo *ni)
{
	const struct ad_abuse_contact *c = ad_netinfo_best(ni);

	return c ? c->confidence : AD_CONF_NONE;
}

/* Declared or resolved abuse contact: good enough to stop asking. */
static bool
good(const struct ad_netinfo *ni)
{
	return conf(ni) >= AD_CONF_MEDIUM;
}

static bool
same_network(const struct ad_netinfo *a, const struct ad_netinfo *b)
{
	if (a->nranges && b->nranges)
		return memcmp(&a->ranges[0], &b->ranges[0],
		    sizeof(a->ranges[0])) == 0;
	if (a->asn_start && b->asn_start)
		return a->asn_start == b->asn_start &&
		    a->asn_end == b->asn_end;
	return a->handle[0] && strcmp(a->handle, b->handle) == 0;
}

static bool
has_network(const struct ad_netinfo *ni)
{
	return ni->nranges > 0 || ni->asn_start > 0 || ni->handle[0] ||
	    ni->netname[0];
}

static void
fill_contacts(const struct ad_netinfo *ni, char out[][AD_NI_EMAIL_MAX + 1],
    size_t *n)
{
	const struct ad_abuse_contact *best = ad_netinfo_best(ni);
	size_t i, j;

	*n = 0;
	if (best == NULL)
		return;
	for (i = 0; i < ni->ncontacts && *n < AD_LOOKUP_ABUSE_MAX; i++) {
		const struct ad_abuse_contact *c = &ni->contacts[i];
		bool dup = false;

		if (c->placeholder || c->confidence != best->confidence ||
		    !ad_email_valid(c->email, strlen(c->email)))
			continue;
		for (j = 0; j < *n; j++)
			if (strcasecmp(out[j], c->email) == 0)
				dup = true;
		if (!dup)
			snprintf(out[(*n)++], AD_NI_EMAIL_MAX + 1, "%s",
			    c->email);
	}
}

static void
fill_network(struct ad_lookup_answer *a, const struct ad_netinfo *ni,
    const char *proto, const char *server)
{
	const struct ad_abuse_contact *best = ad_netinfo_best(ni);
	size_t i;

	fill_contacts(ni, a->abuse, &a->n_abuse);
	a->confidence = best ? best->confidence : AD_CONF_NONE;
	if (best)
		snprintf(a->evidence, sizeof(a->evidence), "%s%s%s",
		    best->object, best->object[0] && best->evidence[0] ?
		    ": " : "", best->evidence);
	a->n_ranges = 0;
	if (ni->asn_start && a->is_asn)
		snprintf(a->ranges[a->n_ranges++], sizeof(a->ranges[0]),
		    ni->asn_end > ni->asn_start ? "AS%u-AS%u" : "AS%u",
		    ni->asn_start, ni->asn_end);
	for (i = 0; i < ni->nranges && a->n_ranges < AD_LOOKUP_RANGES_MAX;
	    i++) {
		char t[AD_ADDR_STRLEN];

		snprintf(a->ranges[a->n_ranges++], sizeof(a->ranges[0]),
		    "%s/%u", ad_addr_format(&ni->ranges[i].addr, t),
		    ni->ranges[i].prefix);
	}
	copy_clean(a->handle, sizeof(a->handle), ni->handle);
	copy_clean(a->name, sizeof(a->name), ni->netname);
	copy_clean(a->org, sizeof(a->org), ni->org);
	copy_clean(a->country, sizeof(a->country), ni->country);
	copy_clean(a->registry, sizeof(a->registry), ni->registry[0] ?
	    ni->registry : ad_registry_name(server));
	snprintf(a->protocol, sizeof(a->protocol), "%s", proto);
	copy_clean(a->server, sizeof(a->server), server);
	copy_clean(a->parent_handle, sizeof(a->parent_handle), ni->parent);
}

/* --- JSON of an answer --------------------------------------------------- */

static int
json_list(struct ad_buf *b, bool *first, const char *key,
    const char (*v)[AD_NI_EMAIL_MAX + 1], size_t n)
{
	size_t i;
	int r;

	if ((r = ad_json_key(b, first, key)) != AD_OK ||
	    (r = ad_buf_addc(b, '[')) != AD_OK)
		return r;
	for (i = 0; i < n; i++)
		if ((i && (r = ad_buf_addc(b, ',')) != AD_OK) ||
		    (r = ad_json_str(b, v[i], strlen(v[i]))) != AD_OK)
			return r;
	return ad_buf_addc(b, ']');
}

static const char *
nz(const char *s)
{
	return s && *s ? s : NULL;
}

int
ad_lookup_answer_json(struct ad_buf *b, const struct ad_lookup_answer *a)
{
	bool f = true, g;
	size_t i;
	int r;

#define T(x) do { if ((r = (x)) != AD_OK) return r; } while (0)
	T(ad_buf_addc(b, '{'));
	T(ad_json_kv_str(b, &f, "query", a->query));
	T(json_list(b, &f, "abuse", (const char (*)[AD_NI_EMAIL_MAX + 1])
	    a->abuse, a->n_abuse));
	T(ad_json_kv_str(b, &f, "confidence", ad_confidence_name(
	    a->confidence)));
	T(ad_json_kv_str(b, &f, "evidence", nz(a->evidence)));
	T(ad_json_key(b, &f, "network"));
	g = true;
	T(ad_buf_addc(b, '{'));
	T(ad_json_key(b, &g, "ranges"));
	T(ad_buf_addc(b, '['));
	for (i = 0; i < a->n_ranges; i++) {
		if (i)
			T(ad_buf_addc(b, ','));
		T(ad_json_str(b, a->ranges[i], strlen(a->ranges[i])));
	}
	T(ad_buf_addc(b, ']'));
	T(ad_json_kv_str(b, &g, "handle", nz(a->handle)));
	T(ad_json_kv_str(b, &g, "name", nz(a->name)));
	T(ad_json_kv_str(b, &g, "org", nz(a->org)));
	T(ad_json_kv_str(b, &g, "country", nz(a->country)));
	T(ad_buf_addc(b, '}'));
	T(ad_json_kv_str(b, &f, "registry", nz(a->registry)));
	T(ad_json_key(b, &f, "source"));
	g = true;
	T(ad_buf_addc(b, '{'));
	T(ad_json_kv_str(b, &g, "protocol", nz(a->protocol)));
	T(ad_json_kv_str(b, &g, "server", nz(a->server)));
	T(ad_buf_addc(b, '}'));
	T(ad_json_key(b, &f, "parent"));
	g = true;
	T(ad_buf_addc(b, '{'));
	T(ad_json_kv_str(b, &g, "handle", nz(a->parent_handle)));
	T(ad_json_kv_str(b, &g, "name", nz(a->parent_name)));
	T(json_list(b, &g, "abuse", (const char (*)[AD_NI_EMAIL_MAX + 1])
	    a->parent_abuse, a->n_parent_abuse));
	T(ad_buf_addc(b, '}'));
	T(ad_json_kv_bool(b, &f, "cached", a->cached));
	T(ad_json_kv_str(b, &f, "error", nz(a->error)));
	T(ad_buf_addc(b, '}'));
#undef T
	return AD_OK;
}

static void
jcopy(char *dst, size_t n, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	copy_clean(dst, n, s ? s : "");
}

static void
jlist(char (*dst)[AD_NI_EMAIL_MAX + 1], size_t *n, json_t *arr)
{
	size_t i;
	json_t *v;

	*n = 0;
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);

		if (*n >= AD_LOOKUP_ABUSE_MAX)
			break;
		/* The store is ours, but re-check what goes to mail headers. */
		if (s && ad_email_valid(s, strlen(s)))
			snprintf(dst[(*n)++], AD_NI_EMAIL_MAX + 1, "%s", s);
	}
}

int
ad_lookup_answer_from_json(const char *s, size_t n, struct ad_lookup_answer *a)
{
	json_t *o, *net, *src, *par, *v;
	const char *c;
	size_t i;

	memset(a, 0, sizeof(*a));
	if ((o = json_loadb(s, n, 0, NULL)) == NULL || !json_is_object(o)) {
		json_decref(o);
		return AD_ERR_PARSE;
	}
	jcopy(a->query, sizeof(a->query), o, "query");
	jlist(a->abuse, &a->n_abuse, json_object_get(o, "abuse"));
	c = json_string_value(json_object_get(o, "confidence"));
	a->confidence = c == NULL ? AD_CONF_NONE : strcmp(c, "high") == 0 ?
	    AD_CONF_HIGH : strcmp(c, "medium") == 0 ? AD_CONF_MEDIUM :
	    strcmp(c, "low") == 0 ? AD_CONF_LOW : AD_CONF_NONE;
	jcopy(a->evidence, sizeof(a->evidence), o, "evidence");
	net = json_object_get(o, "network");
	json_array_foreach(json_object_get(net, "ranges"), i, v) {
		if (a->n_ranges < AD_LOOKUP_RANGES_MAX && json_is_string(v))
			copy_clean(a->ranges[a->n_ranges++],
			    sizeof(a->ranges[0]), json_string_value(v));
	}
	jcopy(a->handle, sizeof(a->handle), net, "handle");
	jcopy(a->name, sizeof(a->name), net, "name");
	jcopy(a->org, sizeof(a->org), net, "org");
	jcopy(a->country, sizeof(a->country), net, "country");
	jcopy(a->registry, sizeof(a->registry), o, "registry");
	src = json_object_get(o, "source");
	jcopy(a->protocol, sizeof(a->protocol), src, "protocol");
	jcopy(a->server, sizeof(a->server), src, "server");
	par = json_object_get(o, "parent");
	jcopy(a->parent_handle, sizeof(a->parent_handle), par, "handle");
	jcopy(a->parent_name, sizeof(a->parent_name), par, "name");
	jlist(a->parent_abuse, &a->n_parent_abuse, json_object_get(par,
	    "abuse"));
	jcopy(a->error, sizeof(a->error), o, "error");
	json_decref(o);
	return AD_OK;
}

/* --- the cache ------------------------------------------------------------ */

static int
kind_of(const struct ad_lookup_answer *a)
{
	return a->is_asn ? 0 : a->addr.af;
}

static void
key_of(const struct ad_lookup_answer *a, uint8_t k[16])
{
	if (a->is_asn)
		asn_key(a->asn, k);
	else
		memcpy(k, a->addr.b, 16);
}

/* Copies the cached answer's network part over a (keeps the query). */
static void
from_cache(struct ad_lookup_answer *a, const struct ad_lookup_answer *c,
    bool negative)
{
	char q[sizeof(a->query)];
	struct ad_addr addr = a->addr;
	bool is_asn = a->is_asn;
	uint32_t asn = a->asn;

	memcpy(q, a->query, sizeof(q));
	*a = *c;
	memcpy(a->query, q, sizeof(q));
	a->addr = addr;
	a->is_asn = is_asn;
	a->asn = asn;
	a->cached = true;
	/* A cached miss is still a miss (exit status, callers). */
	a->err = negative ? AD_ERR_NOTFOUND : AD_OK;
}

static struct memrange *
mem_find(struct ad_lookup *l, int kind, const uint8_t k[16], int64_t now)
{
	struct memrange *best = NULL;
	size_t i;

	for (i = 0; i < l->n_mem; i++) {
		struct memrange *m = &l->mem[i];

		if (m->kind != kind || m->expires <= now ||
		    memcmp(m->lo, k, 16) > 0 || memcmp(m->hi, k, 16) < 0)
			continue;
		if (best == NULL || memcmp(m->lo, best->lo, 16) > 0 ||
		    (memcmp(m->lo, best->lo, 16) == 0 &&
		    memcmp(m->hi, best->hi, 16) < 0))
			best = m;
	}
	return best;
}

static void
mem_put(struct ad_lookup *l, int kind, const uint8_t lo[16],
    const uint8_t hi[16], const struct ad_lookup_answer *a, bool negative,
    int64_t expires)
{
	struct memrange *m = NULL;
	size_t i;

	for (i = 0; i < l->n_mem; i++)
		if (l->mem[i].kind == kind && memcmp(l->mem[i].lo, lo, 16) ==
		    0 && memcmp(l->mem[i].hi, hi, 16) == 0) {
			m = &l->mem[i];
			break;
		}
	if (m == NULL) {
		if (l->n_mem == l->cap_mem) {
			size_t nc = l->cap_mem ? l->cap_mem * 2 : 64;
			struct memrange *nm;

			if (l->n_mem >= AD_LOOKUP_MEMCACHE_MAX)
				return;
			if ((nm = ad_reallocarray(l->mem, nc,
			    sizeof(*nm))) == NULL)
				return;
			l->mem = nm;
			l->cap_mem = nc;
		}
		m = &l->mem[l->n_mem];
		memset(m, 0, sizeof(*m));
		if ((m->a = ad_malloc(sizeof(*m->a))) == NULL)
			return;
		l->n_mem++;
	}
	m->kind = (uint8_t)kind;
	memcpy(m->lo, lo, 16);
	memcpy(m->hi, hi, 16);
	m->negative = negative;
	m->expires = expires;
	*m->a = *a;
}

/* The last address of a CIDR. */
static void
cidr_hi(const struct ad_cidr *c, uint8_t hi[16])
{
	unsigned bits = c->addr.af == 4 ? c->prefix + 96u : c->prefix, i;

	memcpy(hi, c->addr.b, 16);
	for (i = bits; i < 128; i++)
		hi[i / 8] |= (uint8_t)(0x80u >> (i % 8));
}

static void
cache_row(struct ad_lookup *l, int kind, const uint8_t lo[16],
    const uint8_t hi[16], const struct ad_lookup_answer *a, bool negative,
    int64_t now, int64_t expires)
{
	mem_put(l, kind, lo, hi, a, negative, expires);
	if (l->store == NULL)
		return;
	ad_buf_reset(&l->json);
	if (ad_lookup_answer_json(&l->json, a) != AD_OK)
		return;
	if (ad_store_lookup_put(l->store, kind, lo, hi, ad_buf_str(&l->json),
	    negative, now, expires) != AD_OK)
		ad_log(l->ctx, AD_LOG_WARN, "lookup cache: %s",
		    ad_store_errmsg(l->store));
}

/*
 * Caches a fresh answer under every range of its network that is narrow
 * enough to trust (a hostile server claiming 0.0.0.0/0 must not answer
 * for the whole Internet), or under the address alone.
 */
static void
cache_answer(struct ad_lookup *l, const struct ad_lookup_answer *a,
    const struct ad_netinfo *ni, bool negative)
{
	int64_t now = wall_now(l);
	int64_t exp = now + (negative ? l->o.negative_ttl : l->o.ttl);
	uint8_t k[16], lo[16], hi[16];
	bool any = false;
	size_t i;

	key_of(a, k);
	if (!negative && ni && a->is_asn && ni->asn_start &&
	    ni->asn_start <= a->asn && a->asn <= ni->asn_end &&
	    ni->asn_end - ni->asn_start < 65536) {
		asn_key(ni->asn_start, lo);
		asn_key(ni->asn_end, hi);
		cache_row(l, 0, lo, hi, a, false, now, exp);
		any = true;
	}
	for (i = 0; !negative && ni && !a->is_asn && i < ni->nranges; i++) {
		const struct ad_cidr *c = &ni->ranges[i];

		if (c->addr.af != a->addr.af ||
		    c->prefix < (c->addr.af == 4 ? 8 : 16))
			continue;
		memcpy(lo, c->addr.b, 16);
		cidr_hi(c, hi);
		cache_row(l, a->addr.af, lo, hi, a, false, now, exp);
		if (ad_cidr_contains(c, &a->addr))
			any = true;
	}
	if (!any)
		cache_row(l, kind_of(a), k, k, a, negative, now, exp);
}

/* 1 answered from the cache, 0 not, <0 store error. */
static int
cache_lookup(struct ad_lookup *l, struct ad_lookup_answer *a)
{
	struct ad_store_cached sc;
	struct ad_lookup_answer *c;
	struct memrange *m;
	int64_t now = wall_now(l);
	uint8_t k[16];
	int r;

	key_of(a, k);
	if ((m = mem_find(l, kind_of(a), k, now)) != NULL) {
		l->stats.mem_hits++;
		from_cache(a, m->a, m->negative);
		return 1;
	}
	if (l->store == NULL)
		return 0;
	if ((r = ad_store_lookup_get(l->store, kind_of(a), k, now, &sc)) <= 0)
		return r < 0 ? AD_ERR_STORE : 0;
	if ((c = ad_malloc(sizeof(*c))) == NULL) {
		ad_free(sc.answer);
		return AD_ERR_NOMEM;
	}
	r = ad_lookup_answer_from_json(sc.answer, strlen(sc.answer), c);
	ad_free(sc.answer);
	if (r == AD_OK) {
		mem_put(l, kind_of(a), sc.lo, sc.hi, c, sc.negative,
		    sc.expires);
		l->stats.store_hits++;
		from_cache(a, c, sc.negative);
	}
	ad_free(c);
	return r == AD_OK ? 1 : 0;
}

/* --- one exchange ----------------------------------------------------------- */

enum outcome {
	O_ANSWER,	/* w->cur holds a parsed answer */
	O_NODATA,	/* the server has nothing (404, not managed here) */
	O_LIMITED,	/* rate limited: server backing off */
	O_FAILED,	/* transport or parse failure */
};

static enum outcome
exchange(struct ad_lookup *l, struct walker *w, const struct hop *h,
    int64_t total_deadline, char *err, size_t errn)
{
	struct ad_fetch_result r;
	struct ad_diag d = { 0 };
	char label[AD_NI_TEXT_MAX + 8];
	struct server *s;
	int64_t deadline, left;
	enum outcome oc = O_FAILED;
	const char *why = NULL;		/* back off, and why */
	long secs = -1;
	int rv;

	hop_label(h, label, sizeof(label));
	memset(&r, 0, sizeof(r));
	switch (gate_enter(l, label, total_deadline, &s, &left)) {
	case G_GO:
		break;
	case G_BACKOFF:
		snprintf(err, errn, "%.120s is rate limiting us (retry in %lld s)",
		    label, (long long)left);
		return O_LIMITED;
	case G_BUSY:
		snprintf(err, errn, "%.120s: still busy with our other queries "
		    "at the deadline", label);
		return O_LIMITED;
	case G_BUDGET:
	default:
		snprintf(err, errn, "%.120s: rate budget (lookup.rate) would pass "
		    "the deadline", label);
		return O_LIMITED;
	}
	deadline = ad_fetch_now_ms() + l->o.timeout_ms;
	if (deadline > total_deadline)
		deadline = total_deadline;
	if (h->p == P_RDAP)
		rv = ad_fetch_http(l->ctx, &w->fetch, h->url, deadline, &r);
	else
		rv = ad_fetch_whois(l->ctx, &w->fetch, h->host, h->port,
		    h->p == P_RWHOIS, h->query, deadline, &r);
	if (rv != AD_OK) {
		snprintf(err, errn, "%.120s: %.120s", label, r.error[0] ? r.error :
		    ad_strerror(rv));
		/* A port 43 that accepts and then hangs is how some
		 * registries throttle: treat it as a rate limit. */
		if (r.timed_out && h->p != P_RDAP && r.len == 0)
			why = "no answer before the deadline";
		goto out;
	}
	if (h->p == P_RDAP) {
		if (r.status == 429 || r.status == 403) {
			snprintf(err, errn, "%.120s: HTTP %ld (rate limited%s)",
			    label, r.status, r.retry_after >= 0 ?
			    ", Retry-After given" : "");
			secs = r.retry_after;
			why = "HTTP 429/403";
			oc = O_LIMITED;
			goto out;
		}
		if (r.status == 404) {
			snprintf(err, errn, "%.120s: no data (HTTP 404)", label);
			oc = O_NODATA;
			goto out;
		}
		if (r.status != 200) {
			snprintf(err, errn, "%.120s: HTTP %ld", label, r.status);
			goto out;
		}
		rv = ad_rdap_parse(r.body, r.len, h->base, w->cur, &d);
	} else
		rv = ad_whois_parse(r.body, r.len, label, w->cur, &d);
	if (rv != AD_OK) {
		snprintf(err, errn, "%.120s: answer not understood: %.100s", label,
		    d.msg[0] ? d.msg : ad_strerror(rv));
		goto out;
	}
	if (h->p == P_RDAP)
		copy_clean(w->cur->server, sizeof(w->cur->server), h->base);
	if (w->cur->flags & AD_NI_RATE_LIMITED) {
		snprintf(err, errn, "%.120s: the server says we are rate limited",
		    label);
		why = "rate-limit notice in the answer";
		oc = O_LIMITED;
		goto out;
	}
	if (!has_network(w->cur) && !usable(w->cur) &&
	    w->cur->referral.kind == AD_REF_NONE) {
		snprintf(err, errn, "%.120s: no data for this query", label);
		oc = O_NODATA;
		goto out;
	}
	oc = O_ANSWER;
 out:
	gate_leave(l, s, secs, why);
	ad_fetch_result_free(&r);
	return oc;
}

/*
 * An abuse handle named without a mailbox (LACNIC abuse-c, rwhois
 * Abuse-Contact): ask the same service for it and keep any mailbox it
 * holds, as MEDIUM (resolved) evidence.
 */
static void
resolve_handles(struct ad_lookup *l, struct walker *w, const struct hop *h,
    int *hops, int64_t total_deadline)
{
	size_t i;

	for (i = 0; i < w->primary->nhandles && i < HANDLES_RESOLVED_MAX &&
	    *hops < AD_LOOKUP_HOPS_MAX && !good(w->primary); i++) {
		const struct ad_handle_ref *hr = &w->primary->abuse_handles[i];
		struct hop q = *h;
		char err[256];
		size_t j;

		if (strpbrk(hr->handle, " \t\r\n/?#%") || !hr->handle[0])
			continue;
		if (h->p == P_RDAP) {
			if (!rdap_url(q.url, sizeof(q.url), h->base, "entity",
			    hr->handle))
				continue;
		} else
			snprintf(q.query, sizeof(q.query), "%s", hr->handle);
		(*hops)++;
		/* exchange() parses into cur: keep cur's answer aside */
		if (exchange(l, w, &q, total_deadline, err, sizeof(err)) !=
		    O_ANSWER)
			continue;
		for (j = 0; j < w->cur->ncontacts; j++) {
			const struct ad_abuse_contact *c = &w->cur->contacts[j];
			char obj[AD_NI_NAME_MAX + 16];

			if (c->placeholder)
				continue;
			snprintf(obj, sizeof(obj), "%s %s", hr->object,
			    hr->handle);
			(void)ad_netinfo_add_contact(w->primary, c->email,
			    strlen(c->email), AD_CONF_MEDIUM, obj, c->evidence);
		}
	}
}

/* The memo entry under key, or NULL. Under l->mu. */
static struct parent_memo *
memo_at(struct ad_lookup *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n_memo; i++)
		if (strcmp(l->memo[i].url, key) == 0)
			return &l->memo[i];
	return NULL;
}

/*
 * The memoised parent under key, copied to *out: true. While another
 * worker is fetching it, waits for that. Else false, and the key is ours
 * to fetch: the caller must end with memo_put or memo_drop, so that
 * workers waiting for it go on.
 */
static bool
memo_find(struct ad_lookup *l, const char *key, struct parent_memo *out)
{
	struct parent_memo *m;

	lock(l);
	while ((m = memo_at(l, key)) != NULL && m->pending)
		wait_until(l, -1);
	if (m != NULL) {
		*out = *m;
		unlock(l);
		return true;
	}
	if (l->n_memo < PARENT_MEMO_MAX) {
		m = &l->memo[l->n_memo++];
		memset(m, 0, sizeof(*m));
		snprintf(m->url, sizeof(m->url), "%s", key);
		m->pending = true;
	}
	unlock(l);
	return false;
}

/* Memoises the parent answer ni under key; *out gets the entry. */
static void
memo_put(struct ad_lookup *l, const char *key, const struct ad_netinfo *ni,
    struct parent_memo *out)
{
	struct parent_memo *m;

	memset(out, 0, sizeof(*out));
	snprintf(out->url, sizeof(out->url), "%s", key);
	copy_clean(out->handle, sizeof(out->handle), ni->handle);
	copy_clean(out->name, sizeof(out->name), ni->netname);
	if (ad_netinfo_best(ni))
		snprintf(out->abuse, sizeof(out->abuse), "%s",
		    ad_netinfo_best(ni)->email);
	lock(l);
	if ((m = memo_at(l, key)) == NULL)
		m = &l->memo[l->n_memo < PARENT_MEMO_MAX ? l->n_memo++ :
		    PARENT_MEMO_MAX - 1];
	*m = *out;
	(void)pthread_cond_broadcast(&l->cv);
	unlock(l);
}

/* The fetch of key failed: forget the claim (the next query tries again). */
static void
memo_drop(struct ad_lookup *l, const char *key)
{
	struct parent_memo *m;

	lock(l);
	if ((m = memo_at(l, key)) != NULL && m->pending) {
		*m = l->memo[l->n_memo - 1];
		l->n_memo--;
	}
	(void)pthread_cond_broadcast(&l->cv);
	unlock(l);
}

/*
 * The parent's contact through its RDAP "up" link, memoised per URL (one
 * fetch, however many workers' networks share the parent).
 */
static void
fetch_parent(struct ad_lookup *l, struct walker *w,
    struct ad_lookup_answer *a, int *hops, int64_t total_deadline)
{
	const char *url = w->primary->parent_url;
	struct parent_memo m, *pm = &m;
	struct hop h;
	char err[256];

	if (!l->o.parent || !url[0] || strncmp(url, "http", 4) != 0)
		return;
	if (memo_find(l, url, &m))
		goto give;
	if (*hops >= AD_LOOKUP_HOPS_MAX) {
		memo_drop(l, url);
		return;
	}
	memset(&h, 0, sizeof(h));
	h.p = P_RDAP;
	snprintf(h.url, sizeof(h.url), "%s", url);
	url_base(url, h.base, sizeof(h.base));
	url_host(url, h.host, sizeof(h.host));
	(*hops)++;
	if (exchange(l, w, &h, total_deadline, err, sizeof(err)) != O_ANSWER) {
		memo_drop(l, url);
		return;
	}
	memo_put(l, url, w->cur, &m);
 give:
	if (pm->handle[0])
		copy_clean(a->parent_handle, sizeof(a->parent_handle),
		    pm->handle);
	copy_clean(a->parent_name, sizeof(a->parent_name), pm->name);
	if (pm->abuse[0] && a->n_parent_abuse == 0)
		snprintf(a->parent_abuse[a->n_parent_abuse++],
		    sizeof(a->parent_abuse[0]), "%s", pm->abuse);
}

/*
 * ARIN's parent: RDAP "parentHandle": "NET-74-0-0-0-0", whois "Parent:
 * NET74 (NET-74-0-0-0-0)". The handle when it is one of ARIN's network
 * handles (NET-..., NET6-...), else false.
 */
static bool
arin_net_handle(const char *parent, char *out, size_t n)
{
	const char *p = strrchr(parent, '('), *e;
	size_t k, i;

	if (p) {
		p++;
		if ((e = strchr(p, ')')) == NULL)
			return false;
	} else {
		p = parent;
		while (*p == ' ')
			p++;
		e = p + strcspn(p, " ");
	}
	k = (size_t)(e - p);
	if (k < 5 || k >= n || (strncasecmp(p, "NET-", 4) != 0 &&
	    strncasecmp(p, "NET6-", 5) != 0))
		return false;
	for (i = 0; i < k; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '-')
			return false;
	memcpy(out, p, k);
	out[k] = '\0';
	return true;
}

/*
 * No parent came from the chain or an RDAP "up" link, but ARIN named the
 * parent's handle: ARIN whois serves networks by handle ("n ! NET-..."),
 * its RDAP does not. One more hop, within the query's hop and deadline
 * bounds, memoised per handle like the "up" links.
 */
static void
fetch_parent_handle(struct ad_lookup *l, struct walker *w,
    struct ad_lookup_answer *a, int *hops, int64_t total_deadline)
{
	char handle[AD_NI_NAME_MAX - 8], key[AD_NI_URL_MAX], err[256];
	const char *reg = w->primary->registry[0] ? w->primary->registry :
	    ad_registry_name(w->primary_server);
	struct parent_memo m, *pm = &m;
	struct hop h;

	if (!l->o.parent || a->n_parent_abuse > 0 || a->parent_name[0] ||
	    reg == NULL || strcasecmp(reg, "ARIN") != 0 ||
	    !arin_net_handle(w->primary->parent, handle, sizeof(handle)) ||
	    strcasecmp(handle, w->primary->handle) == 0)
		return;
	snprintf(key, sizeof(key), "whois.arin.net n ! %s", handle);
	if (memo_find(l, key, &m))
		goto give;
	if (*hops >= AD_LOOKUP_HOPS_MAX || ad_fetch_now_ms() >= total_deadline) {
		memo_drop(l, key);
		return;
	}
	memset(&h, 0, sizeof(h));
	h.p = P_WHOIS;
	snprintf(h.host, sizeof(h.host), "whois.arin.net");
	snprintf(h.query, sizeof(h.query), "n ! %s", handle);
	(*hops)++;
	if (exchange(l, w, &h, total_deadline, err, sizeof(err)) != O_ANSWER) {
		ad_log(l->ctx, AD_LOG_INFO, "parent %s: %s", handle, err);
		memo_drop(l, key);
		return;
	}
	/* The answer must be the network asked for, not a search result. */
	if (strcasecmp(w->cur->handle, handle) != 0) {
		memo_drop(l, key);
		return;
	}
	memo_put(l, key, w->cur, &m);
 give:
	copy_clean(a->parent_handle, sizeof(a->parent_handle), pm->handle);
	copy_clean(a->parent_name, sizeof(a->parent_name), pm->name);
	if (pm->abuse[0] && a->n_parent_abuse == 0)
		snprintf(a->parent_abuse[a->n_parent_abuse++],
		    sizeof(a->parent_abuse[0]), "%s", pm->abuse);
}

/* Appends "; s" (or s) to dst, cut at its size. */
static void
append_err(char *dst, size_t n, const char *s)
{
	size_t l = strlen(dst);

	if (l && l + 2 < n) {
		dst[l++] = ';';
		dst[l++] = ' ';
	}
	while (*s && l + 1 < n)
		dst[l++] = *s++;
	dst[l] = '\0';
}

static bool
visited(char (*v)[AD_NI_URL_MAX + 64], size_t *n, const struct hop *h)
{
	char k[AD_NI_URL_MAX + 64];
	size_t i;

	hop_key(h, k, sizeof(k));
	for (i = 0; i < *n; i++)
		if (strcmp(v[i], k) == 0)
			return true;
	if (*n < VISITED_MAX)
		memcpy(v[(*n)++], k, sizeof(k));
	return false;
}

/* Whether h was asked already in this walk (without recording it). */
static bool
seen(char (*v)[AD_NI_URL_MAX + 64], size_t n, const struct hop *h)
{
	char k[AD_NI_URL_MAX + 64];
	size_t i;

	hop_key(h, k, sizeof(k));
	for (i = 0; i < n; i++)
		if (strcmp(v[i], k) == 0)
			return true;
	return false;
}

static bool
whois_visited(char (*v)[AD_NI_URL_MAX + 64], size_t n, const char *hostname)
{
	char host[AD_NI_TEXT_MAX];
	size_t i, hl;

	whois_canon(hostname, host, sizeof(host));
	hl = strlen(host);

	for (i = 0; i < n; i++) {
		const char *p = strchr(v[i], ' ');

		if (strncmp(v[i], "whois ", 6) == 0 && p &&
		    strncasecmp(p + 1, host, hl) == 0 &&
		    (p[1 + hl] == ' ' || p[1 + hl] == ':'))
			return true;
	}
	return false;
}

/* The table's whois server as the next hop, when not asked yet. */
static bool
whois_from_table(struct ad_lookup *l, const struct ad_lookup_answer *a,
    char (*v)[AD_NI_URL_MAX + 64], size_t nv, struct hop *next)
{
	const char *t[AD_REGISTRY_TARGETS_MAX];
	size_t nt = 0;

	if (a->is_asn)
		(void)ad_registry_find_asn(l->reg, AD_REG_WHOIS, a->asn, t,
		    AD_REGISTRY_TARGETS_MAX, &nt);
	else
		(void)ad_registry_find(l->reg, AD_REG_WHOIS, &a->addr, t,
		    AD_REGISTRY_TARGETS_MAX, &nt);
	if (nt == 0 || !hop_from_target(next, t[0], a))
		return false;
	return next->p == P_RWHOIS || !whois_visited(v, nv, next->host);
}

/*
 * A national registry (the tables' carve-out for its space) had nothing or
 * failed, and nobody answered before: APNIC's whois, which holds that
 * space too and whose answer
 * names the NIR (followed as a referral when not asked yet) and the
 * holder's own contacts. False when APNIC was asked already.
 */
static bool
apnic_after_nir(const struct hop *h, const struct ad_lookup_answer *a,
    char (*v)[AD_NI_URL_MAX + 64], size_t nv, struct hop *next)
{
	if (h->p != P_WHOIS || !is_nir(h->host) ||
	    whois_visited(v, nv, "whois.apnic.net"))
		return false;
	return hop_from_target(next, "whois.apnic.net", a);
}

/* Follows what the answer in cur refers to; false when it names nothing. */
static bool
hop_from_referral(const struct ad_netinfo *ni,
    const struct ad_lookup_answer *a, struct hop *next)
{
	const struct ad_referral *rf = &ni->referral;

	memset(next, 0, sizeof(*next));
	switch (rf->kind) {
	case AD_REF_WHOIS:
	case AD_REF_RWHOIS:
		if (!rf->host[0] || strpbrk(rf->host, " \t\r\n/"))
			return false;
		next->p = rf->kind == AD_REF_RWHOIS ? P_RWHOIS : P_WHOIS;
		snprintf(next->host, sizeof(next->host), "%s", rf->host);
		next->port = rf->port;
		if (rf->query[0] && !strpbrk(rf->query, "\r\n"))
			snprintf(next->query, sizeof(next->query), "%s",
			    rf->query);
		else
			whois_line(next->host, next->p == P_RWHOIS, a,
			    next->query, sizeof(next->query));
		return true;
	case AD_REF_RDAP:
		if (strncmp(rf->url, "https://", 8) != 0 &&
		    strncmp(rf->url, "http://", 7) != 0)
			return false;
		url_base(rf->url, next->base, sizeof(next->base));
		if (strstr(rf->url, "/ip/") || strstr(rf->url, "/autnum/")) {
			next->p = P_RDAP;
			snprintf(next->url, sizeof(next->url), "%s", rf->url);
			url_host(next->url, next->host, sizeof(next->host));
			return next->host[0] != '\0';
		}
		return hop_rdap(next, rf->url, a);
	default:
		return false;
	}
}

static void
adopt(struct walker *w, const struct hop *h)
{
	char label[AD_NI_URL_MAX];
	struct ad_netinfo *t;

	if (h->p == P_RDAP)
		snprintf(label, sizeof(label), "%s", h->base);
	else
		hop_label(h, label, sizeof(label));
	/* The displaced answer becomes the upper one if it had a contact. */
	if (has_network(w->primary) && usable(w->primary) &&
	    !same_network(w->primary, w->cur)) {
		t = w->upper;
		w->upper = w->primary;
		w->primary = t;
		memcpy(w->upper_server, w->primary_server, AD_NI_URL_MAX);
	}
	t = w->primary;
	w->primary = w->cur;
	w->cur = t;
	snprintf(w->primary_server, AD_NI_URL_MAX, "%s", label);
	snprintf(w->primary_proto, sizeof(w->primary_proto), "%s",
	    h->p == P_RDAP ? "rdap" : h->p == P_RWHOIS ? "rwhois" : "whois");
}

/* The first service to ask, from the tables; false when none is known. */
static bool
first_hop(struct ad_lookup *l, const struct ad_lookup_answer *a,
    struct hop *h)
{
	const char *t[AD_REGISTRY_TARGETS_MAX];
	size_t nt = 0;

	memset(h, 0, sizeof(*h));
	if (l->o.via != AD_VIA_WHOIS) {
		if (a->is_asn)
			(void)ad_registry_find_asn(l->reg, AD_REG_RDAP, a->asn,
			    t, AD_REGISTRY_TARGETS_MAX, &nt);
		else
			(void)ad_registry_find(l->reg, AD_REG_RDAP, &a->addr, t,
			    AD_REGISTRY_TARGETS_MAX, &nt);
		if (nt > 0 && !hop_rdap(h, t[0], a))
			h->p = P_NONE;
	}
	return h->p != P_NONE || whois_from_table(l, a, NULL, 0, h);
}

/*
 * Tells the waiting workers the narrowest network seen so far that holds
 * the query (see struct pending).
 */
static void
publish(struct ad_lookup *l, struct walker *w, const struct ad_lookup_answer *a,
    const struct ad_netinfo *ni)
{
	uint8_t lo[16], hi[16], k[16];
	bool have = false;
	size_t i;

	if (w->pend == NULL)
		return;
	key_of(a, k);
	if (a->is_asn) {
		if (ni->asn_start && ni->asn_start <= a->asn &&
		    a->asn <= ni->asn_end) {
			asn_key(ni->asn_start, lo);
			asn_key(ni->asn_end, hi);
			have = true;
		}
	} else
		for (i = 0; i < ni->nranges; i++) {
			uint8_t l2[16], h2[16];

			if (!ad_cidr_contains(&ni->ranges[i], &a->addr))
				continue;
			memcpy(l2, ni->ranges[i].addr.b, 16);
			cidr_hi(&ni->ranges[i], h2);
			if (!have || (memcmp(l2, lo, 16) >= 0 &&
			    memcmp(h2, hi, 16) <= 0)) {
				memcpy(lo, l2, 16);
				memcpy(hi, h2, 16);
				have = true;
			}
		}
	if (!have)
		return;
	lock(l);
	if (!w->pend->have_range || (memcmp(lo, w->pend->lo, 16) >= 0 &&
	    memcmp(hi, w->pend->hi, 16) <= 0)) {
		memcpy(w->pend->lo, lo, 16);
		memcpy(w->pend->hi, hi, 16);
		w->pend->have_range = true;
		(void)pthread_cond_broadcast(&l->cv);
	}
	unlock(l);
}

static void
walk(struct ad_lookup *l, struct walker *w, struct ad_lookup_answer *a,
    const struct hop *first)
{
	char v[VISITED_MAX][AD_NI_URL_MAX + 64];
	char err[256] = "", last_err[256] = "";
	size_t nv = 0;
	int64_t total = ad_fetch_now_ms() + l->o.total_ms;
	struct hop h = *first;
	bool have = false, limited = false, failed = false;
	struct ad_netinfo *last;
	int hops = 0;

	ad_netinfo_init(w->primary);
	ad_netinfo_init(w->upper);
	w->primary_server[0] = w->upper_server[0] = '\0';
	while (h.p != P_NONE) {
		enum outcome oc;
		struct hop next;

		if (hops >= AD_LOOKUP_HOPS_MAX) {
			snprintf(last_err, sizeof(last_err),
			    "more than %d referrals", AD_LOOKUP_HOPS_MAX);
			failed = true;
			break;
		}
		if (visited(v, &nv, &h)) {
			char k[AD_NI_URL_MAX + 64];

			hop_key(&h, k, sizeof(k));
			snprintf(last_err, sizeof(last_err),
			    "referral loop: %.200s asked twice", k);
			failed = true;
			break;
		}
		if (ad_fetch_now_ms() >= total) {
			snprintf(last_err, sizeof(last_err),
			    "overall deadline (%d ms) passed", l->o.total_ms);
			failed = true;
			break;
		}
		hops++;
		oc = exchange(l, w, &h, total, err, sizeof(err));
		memset(&next, 0, sizeof(next));
		if (oc == O_ANSWER)
			publish(l, w, a, w->cur);
		if (oc != O_ANSWER) {
			/* keep every failure of the walk: "rdap: ...; whois: ..." */
			append_err(last_err, sizeof(last_err), err);
			if (oc == O_LIMITED)
				limited = true;
			else if (oc == O_FAILED)
				failed = true;
			/* RDAP had nothing, or failed: whois may have it. */
			if (h.p == P_RDAP && !(have && good(w->primary)) &&
			    whois_from_table(l, a, v, nv, &next)) {
				h = next;
				continue;
			}
			if (!have && apnic_after_nir(&h, a, v, nv, &next)) {
				h = next;
				continue;
			}
			break;
		}
		/* Later answers are more specific: they win unless their
		 * contact is worse (a remark after a declared mailbox). */
		if (!have || (has_network(w->cur) && conf(w->cur) >=
		    conf(w->primary))) {
			adopt(w, &h);
			have = true;
			last = w->primary;
			if (!good(w->primary) && w->primary->nhandles)
				resolve_handles(l, w, &h, &hops, total);
		} else
			last = w->cur;
		/* Referrals point at the more specific data: go on; but
		 * APNIC naming the national registry already asked (the
		 * tables' first guess) is where we came from, not a loop. */
		if (hop_from_referral(last, a, &next) &&
		    !(next.p == P_WHOIS && is_nir(next.host) &&
		    seen(v, nv, &next))) {
			last->referral.kind = AD_REF_NONE;
			h = next;
			continue;
		}
		/* No declared contact yet: the whois server of the tables
		 * (RDAP's fallback, or a national registry) may have one. */
		if (!good(w->primary) && whois_from_table(l, a, v, nv,
		    &next)) {
			h = next;
			continue;
		}
		break;
	}
	if (!have) {
		answer_error(a, limited ? AD_ERR_BUSY : failed ? AD_ERR_IO :
		    AD_ERR_NOTFOUND, "%s", last_err[0] ? last_err :
		    "no registry has data for this query");
		return;
	}
	fill_network(a, w->primary, w->primary_proto, w->primary_server);
	if (has_network(w->upper) && usable(w->upper)) {
		if (!a->parent_handle[0])
			copy_clean(a->parent_handle, sizeof(a->parent_handle),
			    w->upper->handle);
		copy_clean(a->parent_name, sizeof(a->parent_name),
		    w->upper->netname);
		fill_contacts(w->upper, a->parent_abuse, &a->n_parent_abuse);
	} else {
		fetch_parent(l, w, a, &hops, total);
		fetch_parent_handle(l, w, a, &hops, total);
	}
	if (a->n_abuse == 0)
		snprintf(a->error, sizeof(a->error), "%s",
		    last_err[0] ? last_err :
		    "the registry names no usable abuse contact");
}

/* --- the query ---------------------------------------------------------------- */

/*
 * An earlier query this one must wait for: one still starting (not ready),
 * one whose network holds the address, or, before it knows its network,
 * one that starts at the same server. Under l->mu.
 */
static bool
must_wait(const struct ad_lookup *l, const struct pending *me)
{
	size_t i;

	for (i = 0; i < AD_LOOKUP_PARALLEL_MAX + 1; i++) {
		const struct pending *p = &l->pend[i];

		if (!p->used || p == me || p->seq > me->seq)
			continue;
		if (!p->ready)
			return true;
		if (p->kind != me->kind)
			continue;
		if (p->have_range ? memcmp(p->lo, me->key, 16) <= 0 &&
		    memcmp(p->hi, me->key, 16) >= 0 :
		    strcasecmp(p->first, me->first) == 0)
			return true;
	}
	return false;
}

/* Takes a pending slot for w, in input order. Under l->mu. */
static void
claim(struct ad_lookup *l, struct walker *w)
{
	size_t i;

	/* one slot per worker plus ad_lookup_query's: never full */
	for (i = 0; i < AD_LOOKUP_PARALLEL_MAX; i++)
		if (!l->pend[i].used)
			break;
	w->pend = &l->pend[i];
	memset(w->pend, 0, sizeof(*w->pend));
	w->pend->used = true;
	w->pend->seq = l->seq++;
}

/* Gives w's slot back and wakes whoever waited for it. */
static void
release(struct ad_lookup *l, struct walker *w)
{
	lock(l);
	w->pend->used = false;
	w->pend = NULL;
	(void)pthread_cond_broadcast(&l->cv);
	unlock(l);
}

/* Refusal: false (and a->err set) when the query must not be sent. */
static bool
admit(struct ad_lookup *l, const char *query, struct ad_lookup_answer *a)
{
	enum ad_addr_class cls;
	size_t qn = strlen(query), i;

	if (qn == 0 || qn >= sizeof(a->query)) {
		answer_error(a, AD_ERR_USAGE, "not an address or AS number");
		return false;
	}
	if (ad_addr_parse(query, qn, &a->addr)) {
		cls = ad_addr_classify(&a->addr);
		if (cls != AD_ADDR_PUBLIC) {
			answer_error(a, AD_ERR_USAGE, "%s address: not looked up",
			    ad_addr_class_name(cls));
			goto refused;
		}
		for (i = 0; i < l->o.n_own; i++)
			if (ad_cidr_contains(&l->o.own[i], &a->addr)) {
				answer_error(a, AD_ERR_USAGE, "own network "
				    "(own_networks): not looked up");
				goto refused;
			}
		return true;
	}
	if (parse_asn(query, &a->asn)) {
		a->is_asn = true;
		/* RFC 6996/7300/5398: private, reserved, documentation ASNs */
		if (a->asn == 0 || a->asn == 23456 || (a->asn >= 64496 &&
		    a->asn <= 131071) || a->asn >= 4200000000u) {
			answer_error(a, AD_ERR_USAGE, "AS%u is private, reserved"
			    " or documentation: not looked up", a->asn);
			goto refused;
		}
		return true;
	}
	answer_error(a, AD_ERR_USAGE, "not an address or AS number");
	return false;
 refused:
	lock(l);
	l->stats.refused++;
	unlock(l);
	return false;
}

/* Offline and not cached: name the service the tables would ask. */
static void
offline_answer(struct ad_lookup *l, struct ad_lookup_answer *a)
{
	const char *t[AD_REGISTRY_TARGETS_MAX];
	size_t nt = 0, i;
	enum ad_registry_kind k = l->o.via == AD_VIA_WHOIS ? AD_REG_WHOIS :
	    AD_REG_RDAP;

	for (i = 0; i < 2 && nt == 0; i++) {
		if (a->is_asn)
			(void)ad_registry_find_asn(l->reg, k, a->asn, t,
			    AD_REGISTRY_TARGETS_MAX, &nt);
		else
			(void)ad_registry_find(l->reg, k, &a->addr, t,
			    AD_REGISTRY_TARGETS_MAX, &nt);
		if (nt == 0)
			k = k == AD_REG_RDAP ? AD_REG_WHOIS : AD_REG_RDAP;
	}
	if (nt > 0) {
		snprintf(a->protocol, sizeof(a->protocol), "%s",
		    k == AD_REG_RDAP ? "rdap" : "whois");
		copy_clean(a->server, sizeof(a->server), t[0]);
		snprintf(a->registry, sizeof(a->registry), "%s",
		    ad_registry_name(t[0]));
	}
	answer_error(a, AD_ERR_NOTFOUND, "not in the cache (offline)");
}

/*
 * One query with walker w, whose pending slot is claimed (claim()); any
 * number of these may run at once. Releases the slot.
 */
static int
query_one(struct ad_lookup *l, struct walker *w, const char *query,
    struct ad_lookup_answer *a)
{
	struct hop h;
	bool known = false;
	int r;

	memset(a, 0, sizeof(*a));
	copy_clean(a->query, sizeof(a->query), query);
	lock(l);
	l->stats.queries++;
	unlock(l);
	if (!admit(l, query, a)) {
		release(l, w);
		return a->err;
	}
	if (!l->o.offline && (known = first_hop(l, a, &h)))
		hop_label(&h, w->pend->first, sizeof(w->pend->first));
	lock(l);
	w->pend->kind = (uint8_t)kind_of(a);
	key_of(a, w->pend->key);
	w->pend->ready = true;
	(void)pthread_cond_broadcast(&l->cv);
	/* Earlier walks may answer this one: ask the cache after each. */
	for (;;) {
		if ((r = cache_lookup(l, a)) != 0) {
			unlock(l);
			release(l, w);
			return r < 0 ? r : a->err;
		}
		if (l->o.offline || !known || !must_wait(l, w->pend))
			break;
		wait_until(l, -1);
	}
	if (l->o.offline) {
		unlock(l);
		release(l, w);
		offline_answer(l, a);
		return a->err;
	}
	if (!known) {
		answer_error(a, AD_ERR_NOTFOUND, "no registry is known for %s",
		    a->query);
		cache_answer(l, a, NULL, true);
		unlock(l);
		release(l, w);
		return a->err;
	}
	unlock(l);

	walk(l, w, a, &h);

	lock(l);
	if (a->err == AD_OK)
		cache_answer(l, a, w->primary, false);
	else if (a->err == AD_ERR_NOTFOUND)
		cache_answer(l, a, NULL, true);
	unlock(l);
	release(l, w);
	return a->err;
}

int
ad_lookup_query(struct ad_lookup *l, const char *query,
    struct ad_lookup_answer *a)
{
	lock(l);
	claim(l, l->w[0]);
	unlock(l);
	return query_one(l, l->w[0], query, a);
}

/* --- many queries at once ------------------------------------------------------ */

struct batch {
	struct ad_lookup	*l;
	const char *const	*q;
	struct ad_lookup_answer	*a;
	int			*rc;
	bool			*done;
	size_t			 n, next;
	size_t			 stop;		/* first failed index, or n */
};

struct worker {
	struct batch	*b;
	struct walker	*w;
	pthread_t	 t;
};

static void *
worker_main(void *arg)
{
	struct worker *wk = arg;
	struct batch *b = wk->b;
	struct ad_lookup *l = b->l;
	size_t i;
	int r;

	for (;;) {
		lock(l);
		if (b->next >= b->n || b->next >= b->stop) {
			unlock(l);
			return NULL;
		}
		i = b->next++;
		claim(l, wk->w);
		unlock(l);
		r = query_one(l, wk->w, b->q[i], &b->a[i]);
		lock(l);
		b->rc[i] = r;
		b->done[i] = true;
		if ((r == AD_ERR_NOMEM || r == AD_ERR_STORE) && i < b->stop)
			b->stop = i;
		(void)pthread_cond_broadcast(&l->cv);
		unlock(l);
	}
}

int
ad_lookup_many(struct ad_lookup *l, const char *const *queries, size_t n,
    ad_lookup_each_fn fn, void *arg)
{
	struct worker wk[AD_LOOKUP_PARALLEL_MAX];
	struct batch b;
	size_t nw = (size_t)l->o.parallel, i, started = 0;
	int r = AD_OK;

	if (nw > n)
		nw = n;
	if (nw <= 1) {
		/* today's way: one after another, no thread */
		struct ad_lookup_answer *a = ad_malloc(sizeof(*a));

		if (a == NULL)
			return AD_ERR_NOMEM;
		for (i = 0; i < n && r == AD_OK; i++) {
			r = ad_lookup_query(l, queries[i], a);
			if (r == AD_ERR_NOMEM || r == AD_ERR_STORE)
				break;
			r = fn(arg, i, a, r);
		}
		ad_free(a);
		return r;
	}
	memset(&b, 0, sizeof(b));
	b.l = l;
	b.q = queries;
	b.n = b.stop = n;
	b.a = ad_calloc(n, sizeof(*b.a));
	b.rc = ad_calloc(n, sizeof(*b.rc));
	b.done = ad_calloc(n, sizeof(*b.done));
	if (b.a == NULL || b.rc == NULL || b.done == NULL) {
		r = AD_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < nw; i++) {
		if (l->w[i] == NULL && (l->w[i] = walker_new(l)) == NULL)
			break;
		wk[i].b = &b;
		wk[i].w = l->w[i];
		if (pthread_create(&wk[i].t, NULL, worker_main, &wk[i]) != 0)
			break;
		started++;
	}
	if (started == 0) {
		r = AD_ERR_NOMEM;
		goto out;
	}
	/* Hand the answers over in input order, as they come. */
	for (i = 0; i < n; i++) {
		lock(l);
		while (!b.done[i] && i < b.stop)
			wait_until(l, -1);
		if (i >= b.stop && !b.done[i]) {
			unlock(l);
			break;
		}
		unlock(l);
		if (b.rc[i] == AD_ERR_NOMEM || b.rc[i] == AD_ERR_STORE) {
			r = b.rc[i];
			break;
		}
		if ((r = fn(arg, i, &b.a[i], b.rc[i])) != AD_OK) {
			lock(l);
			if (i < b.stop)
				b.stop = i;
			unlock(l);
			break;
		}
	}
	for (i = 0; i < started; i++)
		(void)pthread_join(wk[i].t, NULL);
 out:
	ad_free(b.a);
	ad_free(b.rc);
	ad_free(b.done);
	return r;
}
