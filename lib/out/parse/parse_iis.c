/*
 * parse_iis.c - Microsoft IIS access log, W3C extended format.
 *
 *   #Software: Microsoft Internet Information Services 10.0
 *   #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
 *   2015-03-11 21:59:09 192.0.2.1 GET /phpmyadmin/ - 80 - 198.51.100.7 Mozilla/5.0 - 404 0 2 0
 *
 * The "#Fields:" directive decides the column order; it is read whenever
 * it appears (IIS writes a new header block after each restart), and a new
 * file forgets it. Fields are separated by single spaces; IIS writes '+'
 * for a space inside a field and '-' for an empty one. Lines without a
 * header (a log cut out of its file, Wazuh's test lines) are read only in
 * IIS's own default layouts, told apart by their number of fields and
 * checked at fixed places (method, port, status): IIS 7+ default (15
 * fields), IIS 6 default (14, with s-sitename), and every field checked
 * (22). Anything else without a header is not read.
 *
 * Events: what the Apache/nginx access family calls hostile, judged by the
 * same classifier (web_match.c) on cs-uri-stem and cs-uri-query, the user
 * agent and the referrer, with sc-status: probes, worm requests, 401/403/
 * 404 floods, login brute force, bad bots. Evidence is proven (an HTTP
 * request needs a TCP handshake). The attacker is c-ip, the address of
 * the TCP connection as IIS saw it; never s-ip (the server), never a
 * forwarded header (X-Forwarded-For is client text). A line without c-ip
 * in its fields names nobody. The stamp is UTC (IIS writes W3C logs in
 * UTC whatever the server's zone).
 */
#include "abusedesk/ad_ctx.h"
#include "web_int.h"

enum iis_col {
	IC_DATE = 0, IC_TIME, IC_CIP, IC_METHOD, IC_STEM, IC_QUERY, IC_STATUS,
	IC_UA, IC_REF, IC_USER, IC_SPORT, IC__COUNT
};

static const char *const iis_names[IC__COUNT] = {
	"date", "time", "c-ip", "cs-method", "cs-uri-stem", "cs-uri-query",
	"sc-status", "cs(User-Agent)", "cs(Referer)", "cs-username", "s-port",
};

#define IIS_FIELDS_MAX	64
#define IIS_URL_CAP	8192

/* Column of each field (-1: absent), and how many fields a line has. */
struct iis_layout {
	int8_t	col[IC__COUNT];
	int	nfields;
};

/* IIS's default layouts, for lines without a "#Fields:" header. */
static const struct iis_layout iis_defaults[] = {
	/* IIS 7+: date time s-ip cs-method cs-uri-stem cs-uri-query s-port
	 * cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus
	 * sc-win32-status time-taken */
	{ { 0, 1, 8, 3, 4, 5, 11, 9, 10, 7, 6 }, 15 },
	/* IIS 6: date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query
	 * s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus
	 * sc-win32-status */
	{ { 0, 1, 9, 4, 5, 6, 11, 10, -1, 8, 7 }, 14 },
	/* All fields: date time s-sitename s-computername s-ip cs-method
	 * cs-uri-stem cs-uri-query s-port cs-username c-ip cs-version
	 * cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus
	 * sc-win32-status sc-bytes cs-bytes time-taken */
	{ { 0, 1, 10, 5, 6, 7, 16, 12, 14, 9, 8 }, 22 },
};

struct iis_state {
	struct web_state	*web;
	struct iis_layout	 hdr;		/* from "#Fields:" */
	bool			 have_hdr;
	char			 url[IIS_URL_CAP];	/* stem?query, for the judge */
};

static void *
iis_state_new(void)
{
	struct iis_state *st = ad_calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	if ((st->web = web_state_new()) == NULL) {
		ad_free(st);
		return NULL;
	}
	return st;
}

static void
iis_state_free(void *p)
{
	struct iis_state *st = p;

	if (st == NULL)
		return;
	web_state_free(st->web);
	ad_free(st);
}

static void
iis_state_reset(void *p)
{
	((struct iis_state *)p)->have_hdr = false;
}

/* Splits at single spaces; returns the number of fields (at most max). */
static int
iis_split(const char *p, const char *end, const char **s, const char **e,
    int max)
{
	int n = 0;

	end = trim_end(p, end);
	while (p < end && n < max) {
		s[n] = p;
		while (p < end && *p != ' ')
			p++;
		e[n++] = p;
		if (p < end)
			p++;
	}
	return p < end ? max + 1 : n;	/* max + 1: too many */
}

/* "#Fields: date time ..." into a layout. */
static void
iis_header(struct iis_state *st, const char *p, const char *end)
{
	const char *s[IIS_FIELDS_MAX], *e[IIS_FIELDS_MAX];
	int n, i, k;

	st->have_hdr = false;
	while (p < end && *p == ' ')
		p++;
	if ((n = iis_split(p, end, s, e, IIS_FIELDS_MAX)) > IIS_FIELDS_MAX)
		return;
	for (k = 0; k < IC__COUNT; k++)
		st->hdr.col[k] = -1;
	for (i = 0; i < n; i++)
		for (k = 0; k < IC__COUNT; k++)
			if ((size_t)(e[i] - s[i]) == strlen(iis_names[k]) &&
			    memcmp(s[i], iis_names[k], (size_t)(e[i] - s[i])) ==
			    0 && st->hdr.col[k] < 0)
				st->hdr.col[k] = (int8_t)i;
	st->hdr.nfields = n;
	st->have_hdr = true;
}

static bool
digits(const char *s, const char *e, size_t min, size_t max)
{
	if ((size_t)(e - s) < min || (size_t)(e - s) > max)
		return false;
	for (; s < e; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool
is_method(const char *s, const char *e)
{
	if (e - s < 3 || e - s > 16)
		return false;
	for (; s < e; s++)
		if (!((*s >= 'A' && *s <= 'Z') || *s == '-'))
			return false;
	return true;
}

/* "2015-03-11" "21:59:09" */
static bool
iis_stamp(const char *d, const char *de, const char *t, const char *te,
    struct ad_instant *out)
{
	int y, mo, da, h, mi, se;

	if (de - d != 10 || te - t < 8 || d[4] != '-' || d[7] != '-' ||
	    t[2] != ':' || t[5] != ':' || !digits(d, d + 4, 4, 4) ||
	    !digits(d + 5, d + 7, 2, 2) || !digits(d + 8, d + 10, 2, 2) ||
	    !digits(t, t + 2, 2, 2) || !digits(t + 3, t + 5, 2, 2) ||
	    !digits(t + 6, t + 8, 2, 2))
		return false;
	y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 +
	    (d[3] - '0');
	mo = (d[5] - '0') * 10 + (d[6] - '0');
	da = (d[8] - '0') * 10 + (d[9] - '0');
	h = (t[0] - '0') * 10 + (t[1] - '0');
	mi = (t[3] - '0') * 10 + (t[4] - '0');
	se = (t[6] - '0') * 10 + (t[7] - '0');
	if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 ||
	    se > 60)
		return false;
	memset(out, 0, sizeof(*out));
	out->utc = ad_days_from_civil(y, (unsigned)mo, (unsigned)da) * 86400 +
	    h * 3600 + mi * 60 + se;
	out->valid = true;
	return true;
}

/* A headerless line in one of IIS's default layouts, or NULL. */
static const struct iis_layout *
iis_default(const char *const *s, const char *const *e, int n)
{
	const struct iis_layout *l;
	size_t i;

	for (i = 0; i < sizeof(iis_defaults) / sizeof(iis_defaults[0]); i++) {
		l = &iis_defaults[i];
		if (l->nfields != n)
			continue;
		if (e[0] - s[0] == 10 && s[0][4] == '-' &&
		    e[1] - s[1] >= 8 && s[1][2] == ':' &&
		    is_method(s[l->col[IC_METHOD]], e[l->col[IC_METHOD]]) &&
		    *s[l->col[IC_STEM]] == '/' &&
		    digits(s[l->col[IC_SPORT]], e[l->col[IC_SPORT]], 1, 5) &&
		    digits(s[l->col[IC_STATUS]], e[l->col[IC_STATUS]], 3, 3))
			return l;
	}
	return NULL;
}

/* A field, or NULL for an absent column or IIS's "-". */
static bool
col(const struct iis_layout *l, enum iis_col c, const char *const *s,
    const char *const *e, int n, const char **fs, const char **fe)
{
	int i = l->col[c];

	if (i < 0 || i >= n || (e[i] - s[i] == 1 && *s[i] == '-'))
		return false;
	*fs = s[i];
	*fe = e[i];
	return true;
}

static enum pr_result
parse_iis(struct pline *pl, struct ad_event *ev)
{
	struct iis_state *st = pl->state;
	const char *p = pl->msg, *end = pl->msg + pl->len;
	const char *s[IIS_FIELDS_MAX], *e[IIS_FIELDS_MAX];
	const char *a, *b, *qs, *qe, *q;
	const struct iis_layout *l;
	struct web_req r;
	enum pr_result res;
	size_t un, qn;
	int n;

	if (p < end && *p == '#') {
		if (starts(p, end, LIT("#Fields:")))
			iis_header(st, p + 8, end);
		return PR_NONE;
	}
	if ((n = iis_split(p, end, s, e, IIS_FIELDS_MAX)) > IIS_FIELDS_MAX)
		return PR_NONE;
	if (st->have_hdr) {
		l = &st->hdr;
		if (n != l->nfields)
			return PR_NONE;		/* not this header's line */
	} else if ((l = iis_default(s, e, n)) == NULL)
		return PR_NONE;
	memset(&r, 0, sizeof(r));
	if (!col(l, IC_STATUS, s, e, n, &a, &b))
		return PR_NONE;
	q = a;
	r.status = take_port(&q, b);
	if (q != b || r.status < 100 || r.status > 999)
		return PR_NONE;
	if (!col(l, IC_STEM, s, e, n, &r.url, &r.url_end))
		return PR_NONE;
	/*
	 * The event's detail is the line's own text: method, stem and query
	 * where they are neighbours (the default layouts), else the stem.
	 */
	r.req = r.url;
	r.req_end = r.url_end;
	if (col(l, IC_METHOD, s, e, n, &r.method, &r.method_end) &&
	    l->col[IC_METHOD] + 1 == l->col[IC_STEM])
		r.req = r.method;
	if (col(l, IC_QUERY, s, e, n, &qs, &qe)) {
		if (l->col[IC_QUERY] == l->col[IC_STEM] + 1)
			r.req_end = qe;
		/* The judge sees "stem?query" (a copy: no other way). */
		un = (size_t)(r.url_end - r.url);
		qn = (size_t)(qe - qs);
		if (un + 1 + qn <= sizeof(st->url)) {
			memcpy(st->url, r.url, un);
			st->url[un] = '?';
			memcpy(st->url + un + 1, qs, qn);
			r.url = st->url;
			r.url_end = st->url + un + 1 + qn;
		}
	}
	if (!col(l, IC_UA, s, e, n, &r.ua, &r.ua_end))
		r.ua = NULL;
	if (!col(l, IC_REF, s, e, n, &r.ref, &r.ref_end))
		r.ref = NULL;
	if (!web_judge(st->web, &r, ev))
		return PR_NONE;
	if (!col(l, IC_CIP, s, e, n, &a, &b))
		return PR_NONE;
	q = a;
	if ((res = take_src(&q, b, ev, NULL)) != PR_EVENT)
		return res;
	if (q != b)
		return PR_BADADDR;
	if (col(l, IC_USER, s, e, n, &a, &b)) {
		ev->user = a;
		ev->user_len = (size_t)(b - a);
	}
	if (col(l, IC_SPORT, s, e, n, &a, &b)) {
		q = a;
		ev->dst_port = (uint16_t)take_port(&q, b);
	}
	ev->format = "iis-w3c";
	if (col(l, IC_DATE, s, e, n, &a, &b) &&
	    col(l, IC_TIME, s, e, n, &qs, &qe))
		(void)iis_stamp(a, b, qs, qe, &ev->time);
	return PR_EVENT;
}

static bool
iis_claims(const char *m, size_t n)
{
	const char *s[IIS_FIELDS_MAX], *e[IIS_FIELDS_MAX];
	const char *end = m + n;
	int k;

	if (n > 0 && m[0] == '#')
		return starts(m, end, LIT("#Software: Microsoft Internet")) ||
		    starts(m, end, LIT("#Fields: date time ")) ||
		    starts(m, end, LIT("#Fields: time ")) ||
		    (starts(m, end, LIT("#Version: 1.0")) &&
		    m + 13 == trim_end(m, end));
	if (n < 30 || m[0] < '0' || m[0] > '9' || m[4] != '-' ||
	    m[10] != ' ' || m[13] != ':')
		return false;
	k = iis_split(m, end, s, e, IIS_FIELDS_MAX);
	return k <= IIS_FIELDS_MAX && iis_default(s, e, k) != NULL;
}

static const char *const iis_aliases[] = { "iis-w3c", "w3c", NULL };

static const struct legend iis_legends[] = {
	{ "iis-w3c",
	  "Microsoft IIS access log, W3C extended format: one request per\n"
	  "line, fields separated by spaces in the order the \"#Fields:\" line\n"
	  "at the top of the file names (IIS writes '+' for a space inside a\n"
	  "field and '-' for an empty one). date and time are in UTC. c-ip is\n"
	  "the client (the remote end of the TCP connection, as the server saw\n"
	  "it); s-ip and s-port are the server's own address and port.\n"
	  "cs-method, cs-uri-stem (the path) and cs-uri-query (after the '?')\n"
	  "are the request; cs-username the authenticated user; cs(User-Agent)\n"
	  "and cs(Referer) are headers the client chose to send; sc-status is\n"
	  "the HTTP status the server answered (401 = authentication needed or\n"
	  "failed, 403 = forbidden, 404 = not found), sc-substatus and\n"
	  "sc-win32-status IIS's detail codes, time-taken milliseconds.\n" },
	{ NULL, NULL }
};

const struct family fam_iis = {
	.name = "iis",
	.aliases = iis_aliases,
	.claims = iis_claims,
	.whole_file = true,
	.parse = parse_iis,
	.state_new = iis_state_new,
	.carries = true,
	.state_free = iis_state_free,
	.state_reset = iis_state_reset,
	.legends = iis_legends,
};
