/*
 * fetch.c - RDAP over HTTP(S) with libcurl, whois and rwhois over TCP.
 *
 * Why libcurl for RDAP: TLS with certificate checks, redirects limited to
 * http(s), CURLOPT_CONNECT_TO, timeouts and proxies are all there and
 * maintained; writing HTTP/1.1 + TLS by hand is how security bugs start.
 * whois is a line out and bytes back, so it gets 150 lines of poll() here
 * with the same deadline discipline: a non-blocking connect, every wait
 * bounded by the deadline, every read bounded by max_bytes.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "abusedesk/ad_fetch.h"

int64_t
ad_fetch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
ad_fetch_result_free(struct ad_fetch_result *r)
{
	if (r == NULL)
		return;
	ad_free(r->body);
	memset(r, 0, sizeof(*r));
	r->retry_after = -1;
}

static void
result_init(struct ad_fetch_result *r)
{
	memset(r, 0, sizeof(*r));
	r->retry_after = -1;
}

/* Bounded body under construction. */
struct sink {
	char	*p;
	size_t	 len, cap, max;
	bool	 over;
};

static bool
sink_add(struct sink *s, const char *d, size_t n)
{
	if (s->len + n > s->max) {
		n = s->max - s->len;
		s->over = true;
	}
	if (s->len + n + 1 > s->cap) {
		size_t nc = s->cap ? s->cap : 4096;
		char *np;

		while (nc < s->len + n + 1)
			nc *= 2;
		if (nc > s->max + 1)
			nc = s->max + 1;
		if ((np = ad_reallocarray(s->p, nc, 1)) == NULL)
			return false;
		s->p = np;
		s->cap = nc;
	}
	memcpy(s->p + s->len, d, n);
	s->len += n;
	s->p[s->len] = '\0';
	return !s->over;
}

static void
sink_give(struct sink *s, struct ad_fetch_result *r)
{
	if (s->p == NULL)
		s->p = ad_strndup("", 0);
	r->body = s->p;
	r->len = s->p ? s->len : 0;
	r->truncated = s->over;
	s->p = NULL;
}

/* --connect-to rules --------------------------------------------------- */

struct rule {
	char	host[256], addr[256];
	char	port[8], port2[8];
};

/* One field of HOST:PORT:ADDR:PORT; a host may be [bracketed]. */
static const char *
field(const char *p, char *out, size_t n, bool hostlike)
{
	size_t k = 0;

	if (hostlike && *p == '[') {
		const char *e = strchr(p, ']');

		if (e == NULL || (size_t)(e - p - 1) >= n)
			return NULL;
		memcpy(out, p + 1, (size_t)(e - p - 1));
		out[e - p - 1] = '\0';
		p = e + 1;
		return *p == ':' || *p == '\0' ? p : NULL;
	}
	while (*p && *p != ':') {
		if (k + 1 >= n)
			return NULL;
		out[k++] = *p++;
	}
	out[k] = '\0';
	return p;
}

static bool
port_ok(const char *s)
{
	long v = 0;

	if (*s == '\0')
		return true;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 65535)
			return false;
		v = v * 10 + (*s - '0');
	}
	return v > 0 && v <= 65535;
}

static bool
rule_parse(const char *s, struct rule *r)
{
	memset(r, 0, sizeof(*r));
	if ((s = field(s, r->host, sizeof(r->host), true)) == NULL ||
	    *s++ != ':')
		return false;
	if ((s = field(s, r->port, sizeof(r->port), false)) == NULL ||
	    *s++ != ':')
		return false;
	if ((s = field(s, r->addr, sizeof(r->addr), true)) == NULL ||
	    *s++ != ':')
		return false;
	if ((s = field(s, r->port2, sizeof(r->port2), false)) == NULL ||
	    *s != '\0')
		return false;
	return port_ok(r->port) && port_ok(r->port2);
}

int
ad_fetch_connect_to_check(const char *rule, struct ad_diag *diag)
{
	struct rule r;

	if (!rule_parse(rule, &r))
		return ad_diag_set(diag, AD_ERR_USAGE, "--connect-to", 0,
		    "\"%s\" is not HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT",
		    rule);
	return AD_OK;
}

/* Applies the first matching rule to host:port (curl's order). */
static void
redirect(const struct ad_fetch_opts *o, const char *host, uint16_t port,
    char *chost, size_t n, uint16_t *cport)
{
	char ps[8];
	size_t i;

	snprintf(chost, n, "%s", host);
	*cport = port;
	snprintf(ps, sizeof(ps), "%u", port);
	for (i = 0; o && i < o->n_connect_to; i++) {
		struct rule r;

		if (!rule_parse(o->connect_to[i], &r))
			continue;
		if (r.host[0] && strcasecmp(r.host, host) != 0)
			continue;
		if (r.port[0] && strcmp(r.port, ps) != 0)
			continue;
		if (r.addr[0])
			snprintf(chost, n, "%s", r.addr);
		if (r.port2[0])
			*cport = (uint16_t)atoi(r.port2);
		return;
	}
}

/* whois / rwhois ------------------------------------------------------- */

static int
remaining(int64_t deadline)
{
	int64_t left = deadline - ad_fetch_now_ms();

	if (left <= 0)
		return 0;
	return left > 60000 ? 60000 : (int)left;
}

static int
tcp_connect(const char *host, uint16_t port, int64_t deadline,
    struct ad_fetch_result *r)
{
	struct addrinfo hints, *res = NULL, *ai;
	char ps[8];
	int fd = -1, gai;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(ps, sizeof(ps), "%u", port);
	if ((gai = getaddrinfo(host, ps, &hints, &res)) != 0) {
		snprintf(r->error, sizeof(r->error), "cannot resolve %.200s: %s",
		    host, gai_strerror(gai));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		struct pollfd pfd;
		int err = 0, pr;
		socklen_t el = sizeof(err);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno != EINPROGRESS) {
			err = errno;
			goto next;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		do
			pr = poll(&pfd, 1, remaining(deadline));
		while (pr < 0 && errno == EINTR);
		if (pr == 0) {
			r->timed_out = true;
			snprintf(r->error, sizeof(r->error),
			    "connect to %.200s port %u: timed out", host, port);
			close(fd);
			fd = -1;
			break;
		}
		if (pr > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
		    &el) == 0 && err == 0)
			break;
 next:
		snprintf(r->error, sizeof(r->error), "connect to %.200s port %u: %s",
		    host, port, strerror(err ? err : errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static bool
send_all(int fd, const char *p, size_t n, int64_t deadline,
    struct ad_fetch_result *r)
{
	while (n > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		ssize_t w;
		int pr;

		pr = poll(&pfd, 1, remaining(deadline));
		if (pr == 0) {
			r->timed_out = true;
			snprintf(r->error, sizeof(r->error), "send: timed out");
			return false;
		}
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	if (n > 0)
		snprintf(r->error, sizeof(r->error), "send: %s",
		    strerror(errno));
	return n == 0;
}

/* True when the rwhois answer in [p, p+n) holds a final %ok/%error line. */
static bool
rwhois_done(const char *p, size_t n, size_t from)
{
	size_t i = from;

	while (i < n) {
		const char *nl = memchr(p + i, '\n', n - i);

		if (nl == NULL)
			return false;
		if ((n - i >= 3 && memcmp(p + i, "%ok", 3) == 0) ||
		    (n - i >= 6 && memcmp(p + i, "%error", 6) == 0))
			return true;
		i = (size_t)(nl - p) + 1;
	}
	return false;
}

/*
 * Reads into s until EOF, the deadline, s->max, or (rwhois) the final
 * status line. stop_at_line: return after the first complete line (banner).
 */
static int
read_answer(int fd, struct sink *s, int64_t deadline, bool rwhois,
    bool stop_at_line, struct ad_fetch_result *r)
{
	char buf[16384];
	size_t scan_from = s->len;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t got;
		int pr;

		pr = poll(&pfd, 1, remaining(deadline));
		if (pr == 0) {
			r->timed_out = true;
			snprintf(r->error, sizeof(r->error),
			    "no complete answer before the deadline"
			    " (%zu bytes read)", s->len);
			return AD_ERR_IO;
		}
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			snprintf(r->error, sizeof(r->error), "poll: %s",
			    strerror(errno));
			return AD_ERR_IO;
		}
		got = recv(fd, buf, sizeof(buf), 0);
		if (got < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			if (errno == ECONNRESET && s->len > 0)
				return AD_OK;
			snprintf(r->error, sizeof(r->error), "read: %s",
			    strerror(errno));
			return AD_ERR_IO;
		}
		if (got == 0)
			return AD_OK;
		if (!sink_add(s, buf, (size_t)got)) {
			if (!s->over)
				return AD_ERR_NOMEM;
			snprintf(r->error, sizeof(r->error),
			    "answer larger than %zu bytes", s->max);
			return AD_ERR_LIMIT;
		}
		if (stop_at_line && memchr(s->p, '\n', s->len))
			return AD_OK;
		if (rwhois && rwhois_done(s->p, s->len, scan_from))
			return AD_OK;
		/* rescan only the last partial line next time */
		if (rwhois) {
			const char *last = s->p + s->len;

			while (last > s->p && last[-1] != '\n')
				last--;
			scan_from = (size_t)(last - s->p);
		}
	}
}

int
ad_fetch_whois(struct ad_ctx *ctx, const struct ad_fetch_opts *o,
    const char *host, uint16_t port, bool rwhois, const char *query,
    int64_t deadline_ms, struct ad_fetch_result *r)
{
	struct sink s = { 0 };
	char chost[256], line[AD_FETCH_QUERY_MAX + 3];
	uint16_t cport;
	size_t ql;
	int fd = -1, rv;

	result_init(r);
	ql = strlen(query);
	if (ql == 0 || ql > AD_FETCH_QUERY_MAX || strpbrk(query, "\r\n")) {
		snprintf(r->error, sizeof(r->error),
		    "refusing a query with CR, LF or a bad length");
		return AD_ERR_USAGE;
	}
	if (port == 0)
		port = rwhois ? 4321 : 43;
	s.max = o && o->max_bytes ? o->max_bytes : AD_FETCH_BODY_MAX;
	redirect(o, host, port, chost, sizeof(chost), &cport);
	ad_log(ctx, AD_LOG_DEBUG, "%s %s port %u (connect %s:%u): %s",
	    rwhois ? "rwhois" : "whois", host, port, chost, cport, query);
	if ((fd = tcp_connect(chost, cport, deadline_ms, r)) < 0) {
		rv = AD_ERR_IO;
		goto out;
	}
	if (rwhois) {
		/* The banner first ("%rwhois V-1.5 ..."); then the query. */
		if ((rv = read_answer(fd, &s, deadline_ms, false, true, r)) !=
		    AD_OK)
			goto out;
		if (s.len == 0) {
			snprintf(r->error, sizeof(r->error),
			    "rwhois server closed without a banner");
			rv = AD_ERR_IO;
			goto out;
		}
	}
	snprintf(line, sizeof(line), "%s\r\n", query);
	if (!send_all(fd, line, strlen(line), deadline_ms, r)) {
		rv = AD_ERR_IO;
		goto out;
	}
	rv = read_answer(fd, &s, deadline_ms, rwhois, false, r);
	if (rv == AD_OK && s.len == 0) {
		snprintf(r->error, sizeof(r->error), "empty answer");
		rv = AD_ERR_IO;
	}
 out:
	if (fd >= 0)
		close(fd);
	sink_give(&s, r);
	if (rv != AD_OK && r->error[0] == '\0')
		snprintf(r->error, sizeof(r->error), "%s", ad_strerror(rv));
	return rv;
}

/* RDAP over HTTP(S) ----------------------------------------------------- */

struct ad_fetch_share {
	CURLSH	*sh;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once(void)
{
	(void)curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
ad_fetch_global_init(void)
{
	(void)pthread_once(&curl_once, curl_init_once);
}

int
ad_fetch_share_new(struct ad_fetch_share **out)
{
	struct ad_fetch_share *s;

	*out = NULL;
	ad_fetch_global_init();
	if ((s = ad_calloc(1, sizeof(*s))) == NULL)
		return AD_ERR_NOMEM;
	if ((s->sh = curl_share_init()) == NULL) {
		ad_free(s);
		return AD_ERR_NOMEM;
	}
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	*out = s;
	return AD_OK;
}

void
ad_fetch_share_free(struct ad_fetch_share *s)
{
	if (s == NULL)
		return;
	curl_share_cleanup(s->sh);
	ad_free(s);
}

static size_t
on_body(char *d, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	if (!sink_add(s, d, size * n))
		return 0;	/* aborts the transfer: CURLE_WRITE_ERROR */
	return size * n;
}

static size_t
on_header(char *d, size_t size, size_t n, void *arg)
{
	struct ad_fetch_result *r = arg;
	size_t len = size * n;

	if (len > 12 && strncasecmp(d, "Retry-After:", 12) == 0) {
		char v[128];
		size_t k = len - 12;
		char *p, *e;
		long secs;

		if (k >= sizeof(v))
			k = sizeof(v) - 1;
		memcpy(v, d + 12, k);
		v[k] = '\0';
		for (p = v; *p == ' ' || *p == '\t'; p++)
			;
		e = p + strlen(p);
		while (e > p && (e[-1] == '\r' || e[-1] == '\n' ||
		    e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*e = '\0';
		secs = strtol(p, &e, 10);
		if (e != p && *e == '\0' && secs >= 0)
			r->retry_after = secs > 86400 ? 86400 : secs;
		else {
			time_t t = curl_getdate(p, NULL);

			if (t > 0) {
				long d2 = (long)(t - time(NULL));

				r->retry_after = d2 < 0 ? 0 : d2 > 86400 ?
				    86400 : d2;
			}
		}
	}
	return len;
}

int
ad_fetch_http(struct ad_ctx *ctx, const struct ad_fetch_opts *o,
    const char *url, int64_t deadline_ms, struct ad_fetch_result *r)
{
	struct sink s = { 0 };
	struct curl_slist *hdr = NULL, *ct = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *h = NULL;
	CURLcode cc;
	char *eff = NULL;
	long left;
	size_t i;
	int rv = AD_OK;

	result_init(r);
	s.max = o && o->max_bytes ? o->max_bytes : AD_FETCH_BODY_MAX;
	left = remaining(deadline_ms);
	if (left <= 0) {
		r->timed_out = true;
		snprintf(r->error, sizeof(r->error), "deadline passed");
		return AD_ERR_IO;
	}
	ad_fetch_global_init();
	if ((h = curl_easy_init()) == NULL)
		return AD_ERR_NOMEM;
	hdr = curl_slist_append(NULL, "Accept: application/rdap+json, "
	    "application/json;q=0.8");
	for (i = 0; o && i < o->n_connect_to; i++) {
		struct curl_slist *n2 = curl_slist_append(ct, o->connect_to[i]);

		if (n2 == NULL) {
			rv = AD_ERR_NOMEM;
			goto out;
		}
		ct = n2;
	}
	ad_log(ctx, AD_LOG_DEBUG, "rdap GET %s", url);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)AD_FETCH_REDIRECTS_MAX);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, left);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, left);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_USERAGENT, o && o->user_agent ?
	    o->user_agent : "abusedesk");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s.max);
	if (ct)
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, ct);
	if (o && o->cacert)
		curl_easy_setopt(h, CURLOPT_CAINFO, o->cacert);
	if (o && o->share)
		curl_easy_setopt(h, CURLOPT_SHARE, o->share->sh);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK &&
	    eff)
		snprintf(r->url, sizeof(r->url), "%s", eff);
	if (cc != CURLE_OK) {
		if (s.over || cc == CURLE_FILESIZE_EXCEEDED) {
			s.over = true;
			snprintf(r->error, sizeof(r->error),
			    "answer larger than %zu bytes", s.max);
			rv = AD_ERR_LIMIT;
		} else {
			r->timed_out = cc == CURLE_OPERATION_TIMEDOUT;
			snprintf(r->error, sizeof(r->error), "%s",
			    errbuf[0] ? errbuf : curl_easy_strerror(cc));
			rv = cc == CURLE_OUT_OF_MEMORY ? AD_ERR_NOMEM :
			    AD_ERR_IO;
		}
	}
 out:
	sink_give(&s, r);
	curl_slist_free_all(hdr);
	curl_slist_free_all(ct);
	curl_easy_cleanup(h);
	return rv;
}
