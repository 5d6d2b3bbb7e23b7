/*
 * parse_squid.c - Squid proxy access log, native format:
 *
 *   time.ms elapsed client code/status bytes method URL user hierarchy/peer type
 *   1386543323.000 4 91.188.124.227 TCP_DENIED/403 4099 GET http://x/ - HIER_NONE/- text/html
 *
 * The client is the third field, written by Squid from the connection
 * (never a header: with `forwarded_for` / `follow_x_forwarded_for` Squid
 * itself decides whom it trusts). Events (proxy-abuse): a request Squid
 * denied (TCP_DENIED, or NONE / NONE_NONE with a 4xx: an invalid or
 * disallowed request such as CONNECT to a forbidden port). A 407 asks for
 * proxy credentials: it is an event only when a user name was sent (a
 * failed login); without one it is every browser's first request.
 * The stamp is UTC seconds; it is shown at the local offset.
 */
#include <ctype.h>

#include "parse_int.h"

/* The next space-separated field at *p; false at the end. */
static bool
field(const char **p, const char *end, const char **s, const char **e)
{
	const char *q = *p;

	while (q < end && *q == ' ')
		q++;
	if (q >= end)
		return false;
	*s = q;
	while (q < end && *q != ' ')
		q++;
	*e = q;
	*p = q;
	return true;
}

static bool
squid_stamp(const char *p, const char *end, int64_t *secs, int32_t *ms)
{
	int64_t v = 0;
	int n = 0;

	while (p < end && isdigit((unsigned char)*p) && n < 12) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n < 9 || n > 11 || end - p < 4 || *p != '.' ||
	    !isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]) ||
	    !isdigit((unsigned char)p[3]))
		return false;
	*secs = v;
	*ms = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
	return true;
}

static enum pr_result
parse_squid(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = pl->msg + pl->len;
	const char *ts, *te, *cs, *ce, *ks, *ke, *ms, *me, *us, *ue, *xs, *xe;
	const char *sl, *q;
	unsigned status;
	int64_t secs;
	int32_t msec;
	enum pr_result r;

	if (!field(&p, end, &ts, &te) || !squid_stamp(ts, te, &secs, &msec) ||
	    !field(&p, end, &xs, &xe) || !field(&p, end, &cs, &ce) ||
	    !field(&p, end, &ks, &ke))
		return PR_NONE;
	if ((sl = memchr(ks, '/', (size_t)(ke - ks))) == NULL || ke - sl != 4)
		return PR_NONE;
	q = sl + 1;
	status = take_port(&q, ke);
	if (q != ke || status < 400 || status > 499)
		return PR_NONE;
	if (!starts(ks, sl, LIT("TCP_DENIED")) && !starts(ks, sl, LIT("NONE")))
		return PR_NONE;
	/* bytes, method, URL, user */
	if (!field(&p, end, &xs, &xe) || !field(&p, end, &ms, &me) ||
	    !field(&p, end, &us, &ue))
		return PR_NONE;
	xs = us;
	xe = ue;
	if (!field(&p, end, &us, &ue))
		us = ue = NULL;
	if (status == 407 && (us == NULL || (ue - us == 1 && *us == '-')))
		return PR_NONE;
	q = cs;
	if ((r = take_src(&q, ce, ev, NULL)) != PR_EVENT)
		return r;
	if (q != ce)
		return PR_BADADDR;
	ev->category = AD_CAT_PROXY_ABUSE;
	ev->kind = status == 407 ? "failed-auth" : "denied";
	ev->label = status == 407 ? "proxy-auth" : "proxy-denied";
	tcp_session(ev, "proxy", "squid");
	ev->status = (uint16_t)status;
	ev->detail = ms;
	ev->detail_len = (size_t)(xe - ms);
	if (us != NULL && !(ue - us == 1 && *us == '-')) {
		ev->user = us;
		ev->user_len = (size_t)(ue - us);
	}
	ev->time.utc = secs;
	ev->time.usec = msec * 1000;
	ev->time.off_min = (int16_t)(ad_local_offset_at(secs) / 60);
	ev->time.valid = true;
	return PR_EVENT;
}

/* "1386543323.000      4 91.188.124.227 TCP_DENIED/403 ..." */
static bool
squid_claims(const char *m, size_t n)
{
	const char *p = m, *end = m + n, *s, *e;
	int64_t secs;
	int32_t ms;

	return field(&p, end, &s, &e) && squid_stamp(s, e, &secs, &ms) &&
	    e - s >= 13 && e[-4] == '.' && field(&p, end, &s, &e) &&
	    isdigit((unsigned char)*s) && field(&p, end, &s, &e) &&
	    field(&p, end, &s, &e) && memchr(s, '/', (size_t)(e - s)) != NULL &&
	    isupper((unsigned char)*s);
}

static const char *const squid_tags[] = { "squid", NULL };

static const struct legend squid_legends[] = {
	{ "squid",
	  "Squid proxy access log (native format): time of the request in\n"
	  "seconds since 1970 (UTC), milliseconds it took, the client's address\n"
	  "(its TCP connection to the proxy), Squid's result code and the HTTP\n"
	  "status (TCP_DENIED/403 = refused by the proxy's rules, /407 = proxy\n"
	  "login required or failed), bytes sent, method, the URL the client\n"
	  "asked the proxy to fetch, the proxy user name (\"-\" if none), how it\n"
	  "was fetched, and the content type.\n" },
	{ NULL, NULL }
};

const struct family fam_squid = {
	.name = "squid",
	.tags = squid_tags,
	.claims = squid_claims,
	.whole_file = true,
	.parse = parse_squid,
	.legends = squid_legends,
};
