/*
 * parse_haproxy.c - HAProxy HTTP log format (option httplog), by syslog:
 *
 *   haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in
 *     static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0
 *     {captured request headers} {captured response headers} "GET / HTTP/1.1"
 *
 * The client is the first field, "ADDR:PORT", written by HAProxy from the
 * connection (with PROXY protocol, the address the upstream proxy vouched
 * for; never a header). The request is judged like an access-log line
 * (web_match.c): 401 (http-request auth), 403 (http-request deny, "PR--"
 * termination), 404 floods, probes and bad bots in the URL. Captured
 * headers are not read: which header sits in which brace is the
 * configuration's business. TCP-mode lines (no status, no request) are not
 * events. The time is the envelope's.
 */
#include <ctype.h>

#include "web_int.h"

static enum pr_result
parse_haproxy(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = pl->msg + pl->len, *sp, *c, *q;
	struct web_req r;
	unsigned port, i;

	memset(&r, 0, sizeof(r));
	if (pl->len < 20 || !(isxdigit((unsigned char)*p) || *p == ':' ||
	    *p == '['))
		return PR_NONE;
	if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL ||
	    !starts(sp, end, LIT(" [")))
		return PR_NONE;
	/* accept date, frontend, backend/server, timers, status */
	if ((c = memchr(sp, ']', (size_t)(end - sp))) == NULL)
		return PR_NONE;
	q = c + 1;
	for (i = 0; i < 3; i++) {
		if (q >= end || *q != ' ' ||
		    (q = memchr(q + 1, ' ', (size_t)(end - q - 1))) == NULL)
			return PR_NONE;
	}
	if (end - q < 5 || !isdigit((unsigned char)q[1]) ||
	    !isdigit((unsigned char)q[2]) || !isdigit((unsigned char)q[3]) ||
	    q[4] != ' ')
		return PR_NONE;
	r.status = (unsigned)((q[1] - '0') * 100 + (q[2] - '0') * 10 +
	    (q[3] - '0'));
	/* The request is the last quoted field. */
	if (end[-1] != '"' || (c = rfind(q, end - 1, LIT(" \""))) == NULL)
		return PR_NONE;
	r.req = c + 2;
	r.req_end = end - 1;
	if (!web_judge(pl->state, &r, ev))
		return PR_NONE;
	/* ADDR:PORT, "[v6]:PORT" or "v6:PORT" */
	for (c = sp; c > p && c[-1] != ':'; c--)
		;
	if (c <= p + 1)
		return PR_BADADDR;
	q = c;
	port = take_port(&q, sp);
	if (q != sp)
		return PR_BADADDR;
	q = p;
	sp = c - 1;
	if (*q == '[' && sp[-1] == ']') {
		q++;
		sp--;
	}
	if (!ad_addr_parse(q, (size_t)(sp - q), &ev->src))
		return PR_BADADDR;
	ev->src_port = (uint16_t)port;
	ev->format = "haproxy-http";
	return PR_EVENT;
}

static const char *const haproxy_tags[] = { "haproxy", NULL };

static const struct legend haproxy_legends[] = {
	{ "haproxy-http",
	  "HAProxy HTTP log: client address:port (its TCP connection to the\n"
	  "proxy), [accept date], frontend, backend/server, timers in ms\n"
	  "(request/queue/connect/response/total), HTTP status (401 = login\n"
	  "required or failed, 403 = denied by a rule), bytes, cookies,\n"
	  "termination state (PR-- = denied by the proxy), connection counts,\n"
	  "queues, {captured headers} and the \"request line\" the client sent.\n" },
	{ NULL, NULL }
};

const struct family fam_haproxy = {
	.name = "haproxy",
	.tags = haproxy_tags,
	.parse = parse_haproxy,
	.state_new = web_state_new,
	.state_free = web_state_free,
	.legends = haproxy_legends,
};
