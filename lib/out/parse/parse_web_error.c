/*
 * parse_web_error.c - Apache 2.2/2.4, nginx and lighttpd error logs, with
 * ModSecurity's lines in them.
 *
 *   Apache 2.2  [Wed Oct 11 14:32:52 2000] [error] [client 1.2.3.4] MSG
 *   Apache 2.4  [Wed Oct 11 14:32:52.123456 2000] [mod:level] [pid N:tid N]
 *               [client 1.2.3.4:5678] AH01617: MSG
 *   nginx       2000/10/11 14:32:52 [error] PID#TID: *CID MSG, client: ADDR,
 *               server: NAME, request: "...", host: "..."
 *   lighttpd    2000-10-11 14:32:52: (mod_auth.c.525) MSG, IP: ADDR
 * Apache's and lighttpd's stamps are local time; nginx's too.
 *
 * Source policy. Apache: the first "[client ...]" among the bracketed
 * header fields, before the message (the message quotes URIs, user names,
 * ModSecurity's [data "..."]: client text). With a [pid] field (2.4) the
 * client carries ":port", split at the last colon; 2.2 writes no port.
 * nginx: ", client: ADDR, server: " - but the message before it (a user
 * name, a path) and the request after it are client text that can contain
 * the same words; when the line names two different clients it is
 * ambiguous and skipped (fail2ban takes the last; an injected one can come
 * last too, inside the request). lighttpd: the last ", IP: " / " IP: ",
 * which lighttpd appends after the user name.
 *
 * Events: authentication failures (web-bruteforce); a missing file or
 * script, a denied client, a rate limit (web-flood, or web-probe when the
 * path is a probe: web_match.c); malformed and overlong requests, shellshock
 * traces, ModSecurity warnings and denials (web-probe; the rule's id and
 * message are the event's detail); "Client sent malformed Host header"
 * (Code Red, worm). Not events: TLS handshake failures (scanners and old
 * clients alike), "no user/password was provided" (every browser's first
 * request to a protected page), upstream errors, PHP notices.
 */
#include <ctype.h>

#include "web_int.h"

static bool
is_ctime_stamp(const char *p, const char *end)
{
	return end - p >= 25 && p[0] == '[' && isupper((unsigned char)p[1]) &&
	    p[4] == ' ' && isupper((unsigned char)p[5]) && p[8] == ' ';
}

static bool
is_nginx_stamp(const char *p, const char *end)
{
	return end - p >= 21 && isdigit((unsigned char)p[0]) && p[4] == '/' &&
	    p[7] == '/' && p[10] == ' ' && p[13] == ':' && p[19] == ' ' &&
	    p[20] == '[';
}

static bool
is_lighttpd_stamp(const char *p, const char *end)
{
	return end - p >= 22 && isdigit((unsigned char)p[0]) && p[4] == '-' &&
	    p[7] == '-' && p[10] == ' ' && p[13] == ':' && p[19] == ':' &&
	    p[20] == ' ';
}

/* "[error] [client ..." (a stamp-less Apache line) */
static bool
is_apache_level(const char *p, const char *end)
{
	const char *c;

	if (end - p < 4 || p[0] != '[' || !islower((unsigned char)p[1]))
		return false;
	if ((c = memchr(p, ']', (size_t)(end - p < 32 ? end - p : 32))) == NULL)
		return false;
	return starts(c, end, LIT("] [client ")) || starts(c, end, LIT("] [pid "));
}

bool
web_error_claims(const char *m, size_t n)
{
	const char *end = m + n;

	return is_ctime_stamp(m, end) || is_nginx_stamp(m, end) ||
	    is_lighttpd_stamp(m, end) || is_apache_level(m, end);
}

static enum pr_result
web_hit(struct ad_event *ev, enum ad_category cat, const char *kind,
    const char *label, unsigned status)
{
	ev->category = cat;
	ev->kind = kind;
	ev->label = label;
	ev->status = (uint16_t)status;
	ev->service = "http";
	ev->proto = AD_PROTO_TCP;
	ev->evidence = AD_EVIDENCE_PROVEN;
	return PR_EVENT;
}

/* A missing path: a probe when it is one, otherwise the 404 of a flood. */
static enum pr_result
missing(const struct web_state *st, const char *path, const char *pend,
    unsigned status, struct ad_event *ev)
{
	const struct web_pat *w = NULL;

	if (path != NULL && st != NULL)
		w = web_match_url(st, path, pend, status, false);
	if (w != NULL)
		return web_hit(ev, (enum ad_category)w->cat,
		    w->cat == AD_CAT_WORM ? "worm" : "probe", w->label, status);
	return web_hit(ev, AD_CAT_WEB_FLOOD, "denied",
	    status == 403 ? "http-403" : "http-404", status);
}

/* Path after "KEY" up to the end, ", " or a quote. */
static void
path_after(const char *m, const char *end, const char *key, size_t klen,
    const char **p, const char **pe)
{
	const char *s = find(m, end, key, klen), *e;

	*p = *pe = NULL;
	if (s == NULL)
		return;
	s += klen;
	for (e = s; e < end && *e != '\'' && *e != '"' &&
	    !(*e == ',' && e + 1 < end && e[1] == ' '); e++)
		;
	*p = s;
	*pe = e;
}

/* ModSecurity: the rule's [id "..."] [msg "..."] as detail. */
static void
modsec_detail(const char *m, const char *end, struct ad_event *ev)
{
	const char *s = find(m, end, LIT("[id \"")), *e;

	if (s == NULL)
		s = find(m, end, LIT("[msg \""));
	if (s == NULL)
		return;
	e = find(s, end, LIT("\"] [msg \""));
	e = e ? find(e + 9, end, LIT("\"]")) : find(s + 5, end, LIT("\"]"));
	if (e == NULL)
		return;
	ev->detail = s;
	ev->detail_len = (size_t)(e + 2 - s);
}

/* The user name tried, when the message says: client text, shown as is. */
static void
auth_user(const char *m, const char *end, struct ad_event *ev)
{
	const char *s, *e = NULL;
	char q = 0;

	if ((s = find(m, end, LIT("user \""))) != NULL) {
		s += 6;
		q = '"';
	} else if ((s = find(m, end, LIT("user '"))) != NULL) {
		s += 6;
		q = '\'';
	} else if ((s = find(m, end, LIT("username: "))) != NULL)
		s += 10;
	else if ((s = find(m, end, LIT("user "))) != NULL)
		s += 5;
	else
		return;
	for (e = s; e < end && e - s < 64; e++)
		if (q ? *e == q : (*e == ':' || *e == ' ' || *e == ','))
			break;
	if (e > s && e < end && e - s < 64) {
		ev->user = s;
		ev->user_len = (size_t)(e - s);
	}
}

/* What an Apache or nginx message means; PR_NONE for the harmless ones. */
static enum pr_result
classify(const struct web_state *st, const char *m, const char *end,
    struct ad_event *ev)
{
	const char *p, *pe;

	if ((p = find(m, end, LIT("ModSecurity: "))) != NULL) {
		if (!starts(p + 13, end, LIT("Warning.")) &&
		    !starts(p + 13, end, LIT("Access denied")))
			return PR_NONE;
		modsec_detail(p, end, ev);
		return web_hit(ev, AD_CAT_WEB_PROBE, "waf", "modsecurity",
		    starts(p + 13, end, LIT("Access denied")) ? 403 : 0);
	}
	/* authentication */
	if (find(m, end, LIT("authentication failure")) ||
	    find(m, end, LIT("password mismatch")) ||
	    find(m, end, LIT("Password Mismatch")) ||
	    find(m, end, LIT("wrong authentication scheme")) ||
	    (starts(m, end, LIT("user ")) && find(m, end, LIT(" not found"))) ||
	    find(m, end, LIT("AH01618:")) ||
	    (find(m, end, LIT("user \"")) && find(m, end, LIT("\" was not found in \""))) ||
	    (find(m, end, LIT("PAM: user ")) && find(m, end, LIT("not authenticated")))) {
		auth_user(m, end, ev);
		return web_hit(ev, AD_CAT_WEB_BRUTEFORCE, "failed-auth", "http-auth",
		    401);
	}
	/* rate limits */
	if (find(m, end, LIT("limiting requests")) ||
	    find(m, end, LIT("delaying request")) ||
	    find(m, end, LIT("limiting connections")))
		return web_hit(ev, AD_CAT_WEB_FLOOD, "rate-limited", "rate-limited",
		    429);
	/* malformed requests (fail2ban apache-overflows) and shellshock */
	if (find(m, end, LIT("Invalid URI in request")) ||
	    find(m, end, LIT("invalid URI path")) ||
	    find(m, end, LIT("URI too long")) ||
	    find(m, end, LIT("erroneous characters after protocol string")) ||
	    find(m, end, LIT("Invalid method in request")) ||
	    find(m, end, LIT("(36: File name too long)")))
		return web_hit(ev, AD_CAT_WEB_PROBE, "probe", "invalid-request", 400);
	if (find(m, end, LIT("ignoring function definition attempt")) ||
	    find(m, end, LIT("error importing function definition")))
		return web_hit(ev, AD_CAT_WEB_PROBE, "probe", "shellshock", 0);
	if (find(m, end, LIT("Client sent malformed Host header")))
		return web_hit(ev, AD_CAT_WORM, "worm", "code-red", 400);
	/* missing files and scripts */
	if ((p = find(m, end, LIT("File does not exist: "))) != NULL) {
		path_after(p, end, LIT("File does not exist: "), &p, &pe);
		return missing(st, p, pe, 404, ev);
	}
	if (find(m, end, LIT("not found or unable to stat")) ||
	    find(m, end, LIT("Primary script unknown"))) {
		path_after(m, end, LIT("script '"), &p, &pe);
		if (p == NULL)
			path_after(m, end, LIT("unable to stat: "), &p, &pe);
		if (p == NULL)
			path_after(m, end, LIT("stderr from "), &p, &pe);
		return missing(st, p, pe, 404, ev);
	}
	if (find(m, end, LIT("(2: No such file or directory)"))) {
		path_after(m, end, LIT("request: \""), &p, &pe);
		return missing(st, p, pe, 404, ev);
	}
	if (find(m, end, LIT("client denied by server configuration")) ||
	    find(m, end, LIT("Directory index forbidden by rule")) ||
	    find(m, end, LIT("access forbidden by rule")) ||
	    (find(m, end, LIT("directory index of ")) &&
	    find(m, end, LIT(" is forbidden")))) {
		path_after(m, end, LIT("configuration: "), &p, &pe);
		return missing(st, p, pe, 403, ev);
	}
	return PR_NONE;
}

/* "1.2.3.4", "1.2.3.4:5678", "::1:5678", "[2001:db8::1]:80" */
static enum pr_result
apache_client(const char *s, const char *e, bool has_port,
    struct ad_event *ev)
{
	const char *c, *p;

	if (has_port) {
		for (c = e; c > s && c[-1] != ':'; c--)
			;
		if (c > s + 1 && c < e) {
			const char *as = s, *ae = c - 1;
			unsigned port;

			p = c;
			port = take_port(&p, e);
			if (*as == '[' && ae > as + 1 && ae[-1] == ']') {
				as++;
				ae--;
			}
			if (p == e && p > c &&
			    ad_addr_parse(as, (size_t)(ae - as), &ev->src)) {
				ev->src_port = (uint16_t)port;
				return PR_EVENT;
			}
		}
	}
	if (ad_addr_parse(s, (size_t)(e - s), &ev->src))
		return PR_EVENT;
	p = s;
	return take_src(&p, e, ev, NULL) == PR_HOSTNAME ? PR_HOSTNAME :
	    PR_BADADDR;
}

static enum pr_result
parse_apache(struct pline *pl, const char *p, const char *end,
    struct ad_event *ev)
{
	const char *cl = NULL, *cle = NULL, *stamp = NULL, *c, *start = p;
	bool pid = false;
	enum pr_result r;

	ev->format = "apache-error";
	/* The bracketed header fields, then the message. */
	while (p < end) {
		if (*p == ' ') {
			p++;
			continue;
		}
		if (*p == '(' && cl == NULL) {	/* "(70014)End of file found: " */
			if ((c = find(p, end, LIT(": "))) == NULL)
				break;
			p = c + 2;
			continue;
		}
		if (*p != '[' || (c = memchr(p, ']', (size_t)(end - p))) == NULL)
			break;
		if (stamp == NULL && p == start && is_ctime_stamp(p, end))
			stamp = p + 1;
		else if (starts(p, c, LIT("[pid ")))
			pid = true;
		else if (starts(p, c, LIT("[client ")) && cl == NULL) {
			cl = p + 8;
			cle = c;
		} else if (!starts(p, c, LIT("[remote ")) &&
		    memchr(p, ' ', (size_t)(c - p)) != NULL && p != start)
			break;		/* not a header field: the message */
		p = c + 1;
	}
	if (cl == NULL)
		return PR_NONE;
	if ((r = classify(pl->state, p, end, ev)) != PR_EVENT)
		return r;
	if ((r = apache_client(cl, cle, pid, ev)) != PR_EVENT)
		return r;
	if (ev->detail == NULL && p < end) {
		ev->detail = p;
		ev->detail_len = (size_t)(end - p);
	}
	if (stamp != NULL)
		ad_time_scan_ctime(stamp, end, pl->clock, &ev->time);
	return PR_EVENT;
}

static enum pr_result
parse_nginx(struct pline *pl, const char *p, const char *end, bool stamped,
    struct ad_event *ev)
{
	const char *a, *z, *q, *rq, *rqe;
	struct ad_addr other;
	enum pr_result r;

	ev->format = "nginx-error";
	if ((a = find(p, end, LIT(", client: "))) == NULL)
		return PR_NONE;
	if ((r = classify(pl->state, p, a, ev)) != PR_EVENT)
		return r;
	q = a + 10;
	if ((r = take_src(&q, end, ev, ",")) != PR_EVENT)
		return r;
	/* Another ", client: " elsewhere naming someone else: ambiguous. */
	z = rfind(a + 10, end, LIT(", client: "));
	if (z != NULL) {
		q = z + 10;
		if (ad_addr_scan(q, end, &other) == 0 ||
		    !ad_addr_equal(&other, &ev->src))
			return PR_AMBIGUOUS;
	}
	path_after(a, end, LIT("request: \""), &rq, &rqe);
	if (rq != NULL) {
		ev->detail = rq;
		ev->detail_len = (size_t)(rqe - rq);
	} else if (ev->detail == NULL) {
		ev->detail = p;
		ev->detail_len = (size_t)(a - p);
	}
	if (stamped) {
		char buf[19];
		size_t i;

		for (i = 0; i < 19; i++)
			buf[i] = pl->msg[i] == '/' ? '-' : pl->msg[i];
		ad_time_scan_iso(buf, buf + 19, pl->clock, &ev->time);
	}
	return PR_EVENT;
}

static enum pr_result
parse_lighttpd(struct pline *pl, const char *p, const char *end, bool stamped,
    struct ad_event *ev)
{
	const char *a, *q;

	ev->format = "lighttpd-error";
	if (!find(p, end, LIT("password doesn't match")) &&
	    !find(p, end, LIT("auth failed")) &&
	    !find(p, end, LIT("get_password failed")) &&
	    !find(p, end, LIT("wrong password")))
		return PR_NONE;
	if ((a = rfind(p, end, LIT("IP: "))) == NULL)
		return PR_NONE;
	q = a + 4;
	web_hit(ev, AD_CAT_WEB_BRUTEFORCE, "failed-auth", "http-auth", 401);
	if (!find(p, a, LIT("auth failed for ")))
		auth_user(p, a, ev);
	ev->detail = p;
	ev->detail_len = (size_t)(a - p);
	if (stamped)
		ad_time_scan_iso(pl->msg, pl->msg + 19, pl->clock, &ev->time);
	return take_src(&q, end, ev, NULL);
}

enum pr_result
web_error_parse(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = pl->msg + pl->len, *c;
	struct web_req r;
	int hops;

	for (hops = 0; hops < 3 && p < end; hops++) {
		if (is_ctime_stamp(p, end) || is_apache_level(p, end))
			return parse_apache(pl, p, end, ev);
		if (is_nginx_stamp(p, end))
			return parse_nginx(pl, p + 21, end, p == pl->msg, ev);
		if (is_lighttpd_stamp(p, end))
			return parse_lighttpd(pl, p + 21, end, p == pl->msg, ev);
		if (p < end && *p == '(' && find(p, end, LIT("IP: ")) != NULL)
			return parse_lighttpd(pl, p, end, false, ev);
		if (hops == 0 && p == pl->msg && web_access_split(p, end, &r))
			return web_access_parse(pl, ev);
		/* "host nginx[1]: " journal prefixes inside the file */
		if ((c = find(p, end < p + 160 ? end : p + 160, LIT(": "))) == NULL)
			break;
		p = c + 2;
	}
	return PR_NONE;
}

static const char *const web_error_tags[] = {
	"nginx", "apache2", "httpd", "apache", "lighttpd", NULL
};
static const char *const web_error_aliases[] = {
	"error", "apache-error", "nginx-error", "modsecurity", NULL
};

static const struct legend web_error_legends[] = {
	{ "apache-error",
	  "Apache httpd error log: [local time of the server] [module:level]\n"
	  "[pid P:tid T] [client ADDRESS:PORT] then the message, often with an\n"
	  "AHnnnnn code (AH01617 = wrong password, AH01618 = unknown user,\n"
	  "AH01630 = client denied by configuration, AH00128 = file does not\n"
	  "exist). ADDRESS is the client's side of the TCP connection.\n"
	  "ModSecurity (web application firewall) lines name the rule that\n"
	  "matched: [id \"...\"] [msg \"...\"].\n" },
	{ "nginx-error",
	  "nginx error log: local time of the server, [level], process#thread:\n"
	  "*connection number, the message, then \"client:\" (the address of the\n"
	  "client's TCP connection), \"server:\" (our virtual host), \"request:\"\n"
	  "(the request line the client sent) and \"host:\" (its Host header).\n" },
	{ "lighttpd-error",
	  "lighttpd error log: local time of the server, (source file and line)\n"
	  "then the message; \"IP:\" is the address of the client's TCP\n"
	  "connection, \"username:\" the name it tried.\n" },
	{ NULL, NULL }
};

const struct family fam_web_error = {
	.name = "web-error",
	.aliases = web_error_aliases,
	.tags = web_error_tags,
	.claims = web_error_claims,
	.whole_file = true,
	.parse = web_error_parse,
	.state_new = web_state_new,
	.state_free = web_state_free,
	.legends = web_error_legends,
};
