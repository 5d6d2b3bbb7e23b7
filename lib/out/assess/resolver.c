/*
 * resolver.c - reverse DNS through c-ares, bounded and forward-confirmed.
 *
 * Why c-ares and not getnameinfo(): a blocking libc lookup has no timeout
 * we control (resolv.conf's, times every server, times the search list),
 * and cannot be pointed at a test server. c-ares takes explicit servers,
 * a per-query timeout and a try count, and we drive its sockets with
 * poll() under our own deadline, so one call never outlives it.
 *
 * A PTR record is written by whoever holds the address, so the name is
 * only believed when its A/AAAA records lead back to the address (forward-
 * confirmed reverse DNS); otherwise an attacker could call his host
 * "census1.shodan.io" and be taken for a research scanner.
 *
 * Only DNS is asked (lookups "b": never /etc/hosts) and the search list is
 * off (the names are absolute).
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <ares.h>
#include <arpa/nameser.h>

#include "abusedesk/ad_assess.h"
#include "abusedesk/ad_ctx.h"

#define RESOLVER_TRIES		2
#define RESOLVER_TIMEOUT_MS	3000
/*
 * After this many calls in a row whose servers did not answer, the
 * resolver stops asking for the rest of its life: a draft of many sources
 * on a machine whose DNS is firewalled must not wait seconds per source.
 */
#define RESOLVER_DOWN_AFTER	2

struct ad_resolver {
	ares_channel	ch;
	int		timeout_ms;
	bool		lib_init;
	int		unanswered;	/* calls in a row without an answer */
};

/* What a callback hands back. */
struct answer {
	bool		 done;
	int		 status;	/* ARES_* */
	const struct ad_addr *want;	/* the address asked about */
	bool		 found;		/* forward: want is among the answers */
	char		 name[256];	/* reverse: h_name ("" none) */
	bool		 name_long;	/* reverse: h_name did not fit */
};

void
ad_resolver_free(struct ad_resolver *r)
{
	if (r == NULL)
		return;
	if (r->ch)
		ares_destroy(r->ch);
	if (r->lib_init)
		ares_library_cleanup();
	ad_free(r);
}

int
ad_resolver_new(const char *servers, int timeout_ms, struct ad_resolver **out,
    struct ad_diag *diag)
{
	struct ad_resolver *r;
	struct ares_options o;
	char lookups[] = "b";
	int st, mask, err;

	*out = NULL;
	if (timeout_ms < 0 || timeout_ms > 60000)
		return ad_diag_set(diag, AD_ERR_USAGE, "resolver", 0,
		    "timeout %d ms out of range", timeout_ms);
	if ((r = ad_calloc(1, sizeof(*r))) == NULL)
		return ad_diag_set(diag, AD_ERR_NOMEM, "resolver", 0,
		    "out of memory");
	r->timeout_ms = timeout_ms ? timeout_ms : RESOLVER_TIMEOUT_MS;
	if ((st = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
		err = ad_diag_set(diag, st == ARES_ENOMEM ? AD_ERR_NOMEM :
		    AD_ERR_IO, "resolver", 0, "c-ares: %s", ares_strerror(st));
		goto fail;
	}
	r->lib_init = true;
	memset(&o, 0, sizeof(o));
	o.timeout = r->timeout_ms;
	o.tries = RESOLVER_TRIES;
	o.lookups = lookups;
	o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
	mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS |
	    ARES_OPT_FLAGS;
	if ((st = ares_init_options(&r->ch, &o, mask)) != ARES_SUCCESS) {
		r->ch = NULL;
		err = ad_diag_set(diag, st == ARES_ENOMEM ? AD_ERR_NOMEM :
		    AD_ERR_IO, "resolver", 0, "c-ares: %s", ares_strerror(st));
		goto fail;
	}
	if (servers && *servers &&
	    (st = ares_set_servers_ports_csv(r->ch, servers)) != ARES_SUCCESS) {
		err = ad_diag_set(diag, st == ARES_ENOMEM ? AD_ERR_NOMEM :
		    AD_ERR_USAGE, "resolver", 0,
		    "bad DNS servers \"%.100s\" (expected IP[:PORT],...): %s",
		    servers, ares_strerror(st));
		goto fail;
	}
	*out = r;
	return AD_OK;
 fail:
	ad_resolver_free(r);
	return err;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Drives the channel until the query's callback ran. c-ares times out
 * each try itself; the deadline is our own bound on top (all tries plus a
 * margin), after which the query is cancelled (its callback then runs
 * with ARES_ECANCELLED).
 */
static void
drive(struct ad_resolver *r, struct answer *a)
{
	/* c-ares doubles the timeout of the second try: 1 + 2 times it */
	long long deadline = now_ms() + (long long)r->timeout_ms * 3 + 500;

	while (!a->done) {
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		struct pollfd pfd[ARES_GETSOCK_MAXNUM];
		struct timeval tv, *tvp;
		long long left = deadline - now_ms();
		unsigned bits;
		int i, n = 0, wait;

		if (left <= 0) {
			ares_cancel(r->ch);
			break;
		}
		/* ARES_GETSOCK_WRITABLE() shifts a signed 1 by up to 31:
		 * undefined; the same bits, unsigned */
		bits = (unsigned)ares_getsock(r->ch, socks, ARES_GETSOCK_MAXNUM);
		for (i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			bool rd = bits & (1u << i),
			    wr = bits & (1u << (i + ARES_GETSOCK_MAXNUM));

			if (!rd && !wr)
				continue;
			pfd[n].fd = socks[i];
			pfd[n].events = (short)((rd ? POLLIN : 0) |
			    (wr ? POLLOUT : 0));
			pfd[n++].revents = 0;
		}
		tvp = ares_timeout(r->ch, NULL, &tv);
		wait = tvp ? (int)(tv.tv_sec * 1000 + tv.tv_usec / 1000) : 100;
		if (wait > left)
			wait = (int)left;
		if (poll(pfd, (nfds_t)n, wait) < 0 && errno != EINTR) {
			ares_cancel(r->ch);
			break;
		}
		for (i = 0; i < n; i++)
			if (pfd[i].revents)
				ares_process_fd(r->ch, pfd[i].revents &
				    (POLLIN | POLLERR | POLLHUP) ? pfd[i].fd :
				    ARES_SOCKET_BAD, pfd[i].revents & POLLOUT ?
				    pfd[i].fd : ARES_SOCKET_BAD);
		/* expire tries whose time is up */
		ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	}
	if (!a->done) {		/* cancel ran no callback: say so */
		a->done = true;
		a->status = ARES_ETIMEOUT;
	}
}

/*
 * The callbacks parse the answer while c-ares still holds it. Queries go
 * through ares_query() rather than ares_gethostbyaddr(): the latter turns
 * every failure (timeout, refused) into "not found", and we must tell a
 * name that does not exist from a server that did not answer.
 */
static void
on_ptr(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct answer *a = arg;
	struct hostent *h = NULL;
	const struct ad_addr *ad = a->want;

	(void)timeouts;
	a->done = true;
	a->status = status;
	if (status != ARES_SUCCESS)
		return;
	a->status = ares_parse_ptr_reply(abuf, alen, ad->af == 4 ? ad->b + 12 :
	    ad->b, ad->af == 4 ? 4 : 16, ad->af == 4 ? AF_INET : AF_INET6, &h);
	if (a->status == ARES_SUCCESS && h && h->h_name) {
		size_t l = strlen(h->h_name);

		if (l >= sizeof(a->name))
			a->name_long = true;
		else
			memcpy(a->name, h->h_name, l + 1);
	}
	if (h)
		ares_free_hostent(h);
}

static void
on_forward(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct answer *a = arg;
	struct hostent *h = NULL;
	size_t len = a->want->af == 4 ? 4 : 16;
	const uint8_t *want = a->want->af == 4 ? a->want->b + 12 : a->want->b;
	char **p;

	(void)timeouts;
	a->done = true;
	a->status = status;
	if (status != ARES_SUCCESS)
		return;
	a->status = a->want->af == 4 ?
	    ares_parse_a_reply(abuf, alen, &h, NULL, NULL) :
	    ares_parse_aaaa_reply(abuf, alen, &h, NULL, NULL);
	if (a->status == ARES_SUCCESS && h && h->h_addr_list &&
	    h->h_length == (int)len)
		for (p = h->h_addr_list; *p; p++)
			if (memcmp(*p, want, len) == 0)
				a->found = true;
	if (h)
		ares_free_hostent(h);
}

/* The in-addr.arpa / ip6.arpa name of an address. */
static void
reverse_name(const struct ad_addr *a, char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, k = 0;

	if (a->af == 4) {
		snprintf(out, n, "%u.%u.%u.%u.in-addr.arpa", a->b[15], a->b[14],
		    a->b[13], a->b[12]);
		return;
	}
	for (i = 16; i-- > 0 && k + 4 < n;) {
		out[k++] = hex[a->b[i] & 0xf];
		out[k++] = '.';
		out[k++] = hex[a->b[i] >> 4];
		out[k++] = '.';
	}
	snprintf(out + k, n - k, "ip6.arpa");
}

/* An ARES_* failure as our error, with diag saying which. */
static int
failure(int status, const char *what, const char *addr, struct ad_diag *diag)
{
	switch (status) {
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
		return ad_diag_set(diag, AD_ERR_NOTFOUND, addr, 0,
		    "no %s record", what);
	case ARES_EBADNAME:
	case ARES_EBADRESP:
		return ad_diag_set(diag, AD_ERR_PARSE, addr, 0,
		    "the %s answer is not a valid host name (%s)", what,
		    ares_strerror(status));
	case ARES_ENOMEM:
		return ad_diag_set(diag, AD_ERR_NOMEM, addr, 0, "out of memory");
	default:
		return ad_diag_set(diag, AD_ERR_IO, addr, 0, "%s query: %s",
		    what, ares_strerror(status));
	}
}

static int
resolve_ptr(struct ad_resolver *r, const struct ad_addr *addr,
    char *name, size_t cap, struct ad_diag *diag)
{
	struct answer a;
	char text[AD_ADDR_STRLEN], qname[80];
	size_t l, i;

	if (cap > 0)
		name[0] = '\0';
	if (addr->af != 4 && addr->af != 6)
		return ad_diag_set(diag, AD_ERR_USAGE, "resolver", 0,
		    "not an address");
	ad_addr_format(addr, text);

	memset(&a, 0, sizeof(a));
	a.want = addr;
	reverse_name(addr, qname, sizeof(qname));
	ares_query(r->ch, qname, C_IN, T_PTR, on_ptr, &a);
	drive(r, &a);
	if (a.status != ARES_SUCCESS)
		return failure(a.status, "PTR", text, diag);
	l = strlen(a.name);
	if (a.name_long || !ad_rdns_name_valid(a.name, l))
		return ad_diag_set(diag, AD_ERR_PARSE, text, 0,
		    "the PTR name is not a valid host name");
	if (l > 0 && a.name[l - 1] == '.')
		a.name[--l] = '\0';
	if (l >= cap)
		return ad_diag_set(diag, AD_ERR_PARSE, text, 0,
		    "the PTR name is longer than %zu bytes", cap ? cap - 1 : 0);
	for (i = 0; i < l; i++)
		a.name[i] = (char)tolower((unsigned char)a.name[i]);

	/* Forward confirmation: the name must lead back to the address. */
	{
		struct answer f;

		memset(&f, 0, sizeof(f));
		f.want = addr;
		ares_query(r->ch, a.name, C_IN, addr->af == 4 ? T_A : T_AAAA,
		    on_forward, &f);
		drive(r, &f);
		if (f.status != ARES_SUCCESS && f.status != ARES_ENOTFOUND &&
		    f.status != ARES_ENODATA)
			return failure(f.status, addr->af == 4 ? "A" : "AAAA",
			    text, diag);
		if (!f.found)
			return ad_diag_set(diag, AD_ERR_NOTFOUND, text, 0,
			    "the PTR name %s does not resolve back to %s",
			    a.name, text);
	}
	memcpy(name, a.name, l + 1);
	return AD_OK;
}

int
ad_resolver_ptr(struct ad_resolver *r, const struct ad_addr *addr,
    char *name, size_t cap, struct ad_diag *diag)
{
	int err;

	if (r->unanswered >= RESOLVER_DOWN_AFTER) {
		if (cap > 0)
			name[0] = '\0';
		return ad_diag_set(diag, AD_ERR_IO, "resolver", 0,
		    "the DNS servers did not answer %d times in a row: reverse "
		    "DNS is off for this run", RESOLVER_DOWN_AFTER);
	}
	err = resolve_ptr(r, addr, name, cap, diag);
	if (err == AD_ERR_IO)
		r->unanswered++;
	else if (err != AD_ERR_USAGE && err != AD_ERR_NOMEM)
		r->unanswered = 0;
	return err;
}
