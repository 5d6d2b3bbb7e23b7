/*
 * parse_web_access.c - Apache, nginx and lighttpd access logs.
 *
 * Built-in forms, told apart per line by what precedes the stamp:
 *   common          %h %l %u %t "%r" %>s %b
 *   combined        common + "%{Referer}i" "%{User-agent}i" [more fields]
 *   vhost_combined  %v:%p first, then combined (also "%v %h ..." without
 *                   port, as CrowdSec's tests have it)
 *   lighttpd        %h %V %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"
 * and custom Apache LogFormat / nginx log_format strings from the config
 * ("parse.web-access.format = ..."; several are tried in order, before the
 * built-in forms), compiled once into a field program (struct web_fmt).
 *
 * Source policy: the client is the remote-address field the server wrote
 * itself (%h, $remote_addr; %a, %{c}a when no %h is in the format), never a
 * header: X-Forwarded-For, X-Real-IP and the like are client text anyone
 * can forge, and are skipped even when logged. A reverse proxy that wants
 * the original client logged must rewrite the remote address itself
 * (mod_remoteip, ngx_http_realip) from proxies it trusts. In the built-in
 * forms the first token is the client, unless it is not a bare address (a
 * "host:port" or a name) and the second is: then it is vhost_combined and
 * the second is the client. Both bare addresses (an identd answer, which the
 * client controls, or an IP virtual host) is ambiguous: skipped, counted.
 * A host name (HostnameLookups On) cannot be reported: skipped, counted.
 *
 * What makes a request hostile is web_match.c's business. The stamp has its
 * own offset; it is converted only for hits. Error-log lines in an access
 * log (nginx logs both to one file when told to) go to web-error.
 */
#include <ctype.h>
#include <stdio.h>

#include "web_int.h"

/* The closing quote of a quoted field starting at p: \" is escaped. */
static const char *
close_quote(const char *p, const char *end)
{
	const char *q;

	while ((q = memchr(p, '"', (size_t)(end - p))) != NULL) {
		const char *b = q;

		while (b > p && b[-1] == '\\')
			b--;
		if (((q - b) & 1) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

/* " \"...\"" at *p: the span inside the quotes; advances *p past them. */
static bool
take_quoted(const char **p, const char *end, const char **s, const char **e)
{
	const char *q = *p, *c;

	if (end - q < 3 || q[0] != ' ' || q[1] != '"')
		return false;
	if ((c = close_quote(q + 2, end)) == NULL)
		return false;
	*s = q + 2;
	*e = c;
	*p = c + 1;
	return true;
}

static unsigned
take_status(const char *p, const char *end)
{
	if (end - p < 3 || !isdigit((unsigned char)p[0]) ||
	    !isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]) ||
	    (end - p > 3 && p[3] != ' '))
		return 0;
	return (unsigned)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
}

bool
web_access_split(const char *p, const char *end, struct web_req *r)
{
	const char *sp, *s, *c, *q;

	memset(r, 0, sizeof(*r));
	if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL || sp == p)
		return false;
	/* The stamp: the first " [" followed by a digit. */
	for (s = sp; ; s++) {
		if ((s = memchr(s, '[', (size_t)(end - s))) == NULL)
			return false;
		if (s[-1] == ' ' && s + 1 < end && isdigit((unsigned char)s[1]))
			break;
	}
	if (end - s < 28 || (s[27] != ']' && s[26] != ']'))
		return false;	/* a stamp, and at least one byte after it */
	r->remote = p;
	r->remote_end = sp;
	if (sp + 1 < s - 1) {
		q = sp + 1;
		c = memchr(q, ' ', (size_t)(s - q));
		r->remote2 = q;
		r->remote2_end = c;
		/* %u is the token right before the stamp. */
		for (q = s - 1; q > c && q[-1] != ' '; q--)
			;
		if (q < s - 1 && !(s - 1 - q == 1 && *q == '-')) {
			r->user = q;
			r->user_end = s - 1;
			if (*q == '"' && s - 2 > q && s[-2] == '"') {
				r->user++;
				r->user_end--;
			}
		}
	}
	r->time = s;
	r->time_end = q = s + (s[26] == ']' ? 27 : 28);
	if (!take_quoted(&q, end, &r->req, &r->req_end))
		return false;
	if (q >= end || *q != ' ' || (r->status = take_status(q + 1, end)) == 0)
		return false;
	q += 4;
	/* %b, then optionally "referrer" "user agent" */
	if (q < end && *q == ' ') {
		c = memchr(q + 1, ' ', (size_t)(end - q - 1));
		q = c ? c : end;
		if (take_quoted(&q, end, &r->ref, &r->ref_end))
			take_quoted(&q, end, &r->ua, &r->ua_end);
	}
	return true;
}

/* --- custom formats ------------------------------------------------- */

static bool
add_op(struct web_fmt *f, enum web_field field, bool bracketed)
{
	if (f->nops >= WEB_OPS_MAX)
		return false;
	if (field != WF_LIT && f->nops > 0 &&
	    f->ops[f->nops - 1].field != WF_LIT)
		return false;		/* two fields with nothing between */
	f->ops[f->nops].field = (uint8_t)field;
	f->ops[f->nops].bracketed = bracketed;
	f->nops++;
	return true;
}

static bool
add_lit(struct web_fmt *f, size_t *used, char ch)
{
	struct web_op *o;

	if (*used >= sizeof(f->text))
		return false;
	if (f->nops == 0 || f->ops[f->nops - 1].field != WF_LIT) {
		if (!add_op(f, WF_LIT, false))
			return false;
		o = &f->ops[f->nops - 1];
		o->lit = (uint16_t)*used;
		o->len = 0;
	}
	o = &f->ops[f->nops - 1];
	f->text[(*used)++] = ch;
	o->len++;
	return true;
}

static enum web_field
apache_field(char c, const char *arg, size_t alen, bool *has_h)
{
	switch (c) {
	case 'h':
		*has_h = true;
		return WF_REMOTE;
	case 'a':
		if (alen == 0 || (alen == 1 && arg[0] == 'c'))
			return WF_REMOTE;
		return WF_SKIP;
	case 't':
		return alen == 0 ? WF_TIME : WF_SKIP;
	case 'r':
		return WF_REQUEST;
	case 's':
		return WF_STATUS;
	case 'm':
		return WF_METHOD;
	case 'U':
		return WF_URL;
	case 'i':
		if (alen == 7 && strncasecmp(arg, "referer", 7) == 0)
			return WF_REFERER;
		if (alen == 10 && strncasecmp(arg, "user-agent", 10) == 0)
			return WF_UA;
		return WF_SKIP;
	default:
		return WF_SKIP;
	}
}

static enum web_field
nginx_field(const char *v, size_t n)
{
#define IS(s)	(n == sizeof(s) - 1 && memcmp(v, s, n) == 0)
	if (IS("remote_addr"))
		return WF_REMOTE;
	if (IS("time_local"))
		return WF_TIME;
	if (IS("request"))
		return WF_REQUEST;
	if (IS("status"))
		return WF_STATUS;
	if (IS("request_method"))
		return WF_METHOD;
	if (IS("request_uri") || IS("uri"))
		return WF_URL;
	if (IS("http_referer"))
		return WF_REFERER;
	if (IS("http_user_agent"))
		return WF_UA;
	return WF_SKIP;
#undef IS
}

/* Compiles an Apache LogFormat or nginx log_format string. */
static int
fmt_compile(struct web_fmt *f, const char *s, struct ad_diag *diag)
{
	size_t used = 0, i;
	bool has_h = false, has_remote = false, has_req = false;
	const char *p = s;

	memset(f, 0, sizeof(*f));
	while (*p != '\0') {
		if (p[0] == '%' && p[1] == '%') {
			if (!add_lit(f, &used, '%'))
				goto toolong;
			p += 2;
		} else if (p[0] == '%') {
			const char *arg = NULL;
			size_t alen = 0;

			p++;
			while (*p == '<' || *p == '>' || *p == '!' || *p == ',' ||
			    isdigit((unsigned char)*p))
				p++;
			if (*p == '{') {
				const char *e = strchr(p, '}');

				if (e == NULL)
					goto bad;
				arg = p + 1;
				alen = (size_t)(e - arg);
				p = e + 1;
			}
			while (*p == '<' || *p == '>')
				p++;
			if (!isalpha((unsigned char)*p))
				goto bad;
			if (!add_op(f, apache_field(*p, arg, alen, &has_h),
			    *p == 't'))
				goto adjacent;
			if (*p == 'a')
				f->ops[f->nops - 1].lit = 1;
			p++;
		} else if (p[0] == '$' && (p[1] == '_' ||
		    isalpha((unsigned char)p[1]) || p[1] == '{')) {
			const char *v = p + 1, *e;

			if (*v == '{') {
				v++;
				if ((e = strchr(v, '}')) == NULL)
					goto bad;
				p = e + 1;
			} else {
				for (e = v; *e == '_' || isalnum((unsigned char)*e);
				    e++)
					;
				p = e;
			}
			if (!add_op(f, nginx_field(v, (size_t)(e - v)), false))
				goto adjacent;
		} else {
			if (!add_lit(f, &used, *p))
				goto toolong;
			p++;
		}
	}
	for (i = 0; i < f->nops; i++) {
		if (f->ops[i].field == WF_REMOTE)
			has_remote = true;
		if (f->ops[i].field == WF_REQUEST || f->ops[i].field == WF_URL)
			has_req = true;
	}
	/* %a counts only when %h is absent (op.lit marks an %a). */
	if (has_h)
		for (i = 0; i < f->nops; i++)
			if (f->ops[i].field == WF_REMOTE && f->ops[i].lit == 1)
				f->ops[i].field = WF_SKIP;
	if (!has_remote || !has_req)
		return ad_diag_set(diag, AD_ERR_CONFIG, "parse.web-access.format",
		    0, "parse.web-access.format: \"%s\" needs the client address "
		    "(%%h or $remote_addr) and the request (%%r or $request)", s);
	return AD_OK;
bad:
	return ad_diag_set(diag, AD_ERR_CONFIG, "parse.web-access.format", 0,
	    "parse.web-access.format: cannot read \"%s\" near \"%.10s\"", s, p);
adjacent:
	return ad_diag_set(diag, AD_ERR_CONFIG, "parse.web-access.format", 0,
	    "parse.web-access.format: \"%s\": two fields with nothing between "
	    "them cannot be told apart", s);
toolong:
	return ad_diag_set(diag, AD_ERR_CONFIG, "parse.web-access.format", 0,
	    "parse.web-access.format: \"%s\" is too long", s);
}

/* Runs a compiled format over a line; false if the line is not in it. */
static bool
fmt_match(const struct web_fmt *f, const char *p, const char *end,
    struct web_req *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < f->nops; i++) {
		const struct web_op *o = &f->ops[i];
		const char *s = p, *e;

		if (o->field == WF_LIT) {
			if (!eat(&p, end, f->text + o->lit, o->len))
				return false;
			continue;
		}
		if (i + 1 == f->nops)
			e = end;
		else {
			const struct web_op *n = &f->ops[i + 1];
			const char *lit = f->text + n->lit;

			if (i > 0 && s[-1] == '"' && lit[0] == '"')
				e = close_quote(s, end);
			else
				e = find(s, end, lit, n->len);
			if (e == NULL)
				return false;
		}
		switch (o->field) {
		case WF_REMOTE:
			if (r->remote == NULL) {
				r->remote = s;
				r->remote_end = e;
			}
			break;
		case WF_TIME:
			r->time = s;
			r->time_end = e;
			break;
		case WF_REQUEST:
			r->req = s;
			r->req_end = e;
			break;
		case WF_METHOD:
			r->method = s;
			r->method_end = e;
			break;
		case WF_URL:
			r->url = s;
			r->url_end = e;
			if (r->req == NULL) {
				r->req = s;
				r->req_end = e;
			}
			break;
		case WF_STATUS:
			if ((r->status = take_status(s, e)) == 0)
				return false;
			break;
		case WF_REFERER:
			r->ref = s;
			r->ref_end = e;
			break;
		case WF_UA:
			r->ua = s;
			r->ua_end = e;
			break;
		default:
			break;
		}
		p = e;
	}
	if (r->url == NULL)
		web_split_request(r);
	return r->remote != NULL && r->req != NULL;
}

static int
web_access_option(void *state, const char *key, const char *value,
    struct ad_diag *diag)
{
	struct web_state *st = state;
	int rc;

	if (strcmp(key, "format") != 0)
		return ad_diag_set(diag, AD_ERR_CONFIG, "parse.web-access", 0,
		    "parse.web-access.%s: unknown option (known: format)", key);
	if (st->nfmt >= WEB_FMT_MAX)
		return ad_diag_set(diag, AD_ERR_CONFIG, "parse.web-access.format",
		    0, "parse.web-access.format: at most %d formats",
		    WEB_FMT_MAX);
	if ((rc = fmt_compile(&st->fmt[st->nfmt], value, diag)) != AD_OK)
		return rc;
	st->nfmt++;
	return AD_OK;
}

/* --- the family ----------------------------------------------------- */

static bool
bare_addr(const char *s, const char *e, struct ad_addr *a)
{
	return s != NULL && e > s && ad_addr_parse(s, (size_t)(e - s), a);
}

/* The client of a built-in line (see the policy above). */
static enum pr_result
builtin_source(const struct web_req *r, struct ad_event *ev, bool *vhost)
{
	struct ad_addr a0, a1;
	bool b0 = bare_addr(r->remote, r->remote_end, &a0);
	bool b1 = bare_addr(r->remote2, r->remote2_end, &a1);
	const char *p;

	*vhost = false;
	if (b0 && b1)
		return PR_AMBIGUOUS;
	if (b0) {
		ev->src = a0;
		return PR_EVENT;
	}
	if (b1) {
		ev->src = a1;
		*vhost = true;
		return PR_EVENT;
	}
	p = r->remote;
	return take_src(&p, r->remote_end, ev, NULL);
}

static void
set_time(struct pline *pl, const struct web_req *r, struct ad_event *ev)
{
	char buf[32];
	size_t n;

	if (r->time == NULL)
		return;
	n = (size_t)(r->time_end - r->time);
	if ((n == 27 || n == 28) && r->time[0] == '[') {
		ad_time_scan_clf(r->time, r->time_end, &ev->time);
	} else if (n >= 25 && n <= 29) {
		buf[0] = '[';
		memcpy(buf + 1, r->time, n);
		buf[n + 1] = ']';
		ad_time_scan_clf(buf, buf + n + 2, &ev->time);
	}
	(void)pl;
}

enum pr_result
web_access_parse(struct pline *pl, struct ad_event *ev)
{
	struct web_state *st = pl->state;
	const char *p = pl->msg, *end = pl->msg + pl->len;
	struct web_req r;
	enum pr_result res;
	bool vhost = false;
	size_t i;

	for (i = 0; i < st->nfmt; i++)
		if (fmt_match(&st->fmt[i], p, end, &r)) {
			if (!web_judge(st, &r, ev))
				return PR_NONE;
			p = r.remote;
			if ((res = take_src(&p, r.remote_end, ev, NULL)) !=
			    PR_EVENT)
				return res;
			if (p != r.remote_end)
				return PR_BADADDR;
			ev->format = "web-access-custom";
			set_time(pl, &r, ev);
			return PR_EVENT;
		}
	if (!web_access_split(p, end, &r))
		return web_error_parse(pl, ev);	/* never comes back here */
	if (!web_judge(st, &r, ev))
		return PR_NONE;
	if ((res = builtin_source(&r, ev, &vhost)) != PR_EVENT)
		return res;
	ev->format = vhost ? "vhost_combined" : r.ua != NULL ? "combined" :
	    "common";
	if (r.user != NULL) {
		ev->user = r.user;
		ev->user_len = (size_t)(r.user_end - r.user);
	}
	set_time(pl, &r, ev);
	return PR_EVENT;
}

static bool
web_access_claims(const char *m, size_t n)
{
	struct web_req r;

	return n > 0 && (isxdigit((unsigned char)m[0]) || m[0] == ':' ||
	    isalpha((unsigned char)m[0])) &&
	    web_access_split(m, m + n, &r) && r.status != 0;
}

static const struct legend web_access_legends[] = {
	{ "common",
	  "Web server access log, Common Log Format (Apache, nginx, lighttpd):\n"
	  "client address (the remote end of the TCP connection, as the server\n"
	  "saw it), identd name (\"-\"; lighttpd writes the virtual host here),\n"
	  "user name given for HTTP authentication (\"-\" if none), time in\n"
	  "brackets with the server's UTC offset, the request line in quotes\n"
	  "(method, path and query, protocol), the HTTP status the server\n"
	  "answered (401 = authentication needed or failed, 403 = forbidden,\n"
	  "404 = not found), and the size of the answer in bytes.\n" },
	{ "combined",
	  "Web server access log, Combined Log Format: the Common Log Format\n"
	  "(client address, identd name, authenticated user, [time with UTC\n"
	  "offset], \"request line\", status, bytes) followed by the Referer\n"
	  "and User-Agent headers the client sent, in quotes. The headers are\n"
	  "whatever the client chose to send. Further quoted fields, if any,\n"
	  "are local additions.\n" },
	{ "vhost_combined",
	  "Web server access log, vhost_combined: the name (and port) of the\n"
	  "virtual host the request was for, then the Combined Log Format:\n"
	  "client address, identd name, authenticated user, [time with UTC\n"
	  "offset], \"request line\", status, bytes, \"Referer\", \"User-Agent\".\n" },
	{ "web-access-custom",
	  "Web server access log in a format configured on that server\n"
	  "(Apache LogFormat / nginx log_format). The client address is the\n"
	  "address of the TCP connection as the server logged it (%h,\n"
	  "$remote_addr); the request line, status and headers are as in the\n"
	  "Combined Log Format; the time carries the server's UTC offset.\n" },
	{ NULL, NULL }
};

static const char *const web_access_aliases[] = {
	"access", "apache-access", "nginx-access", "clf", NULL
};

const struct family fam_web_access = {
	.name = "web-access",
	.aliases = web_access_aliases,
	.claims = web_access_claims,
	.whole_file = true,
	.parse = web_access_parse,
	.state_new = web_state_new,
	.state_free = web_state_free,
	.option = web_access_option,
	.legends = web_access_legends,
};
