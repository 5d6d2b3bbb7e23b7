/*
 * web_match.c - which HTTP requests are hostile: the maintained pattern
 * lists and the judge that the web families share.
 *
 * A request is an event when (first rule that applies, by rank):
 *   worm        a Nimda/Code Red signature (cmd.exe, root.exe, default.ida,
 *               %u9090): a separate class, pointless to report to large
 *               providers;
 *   web-probe   a probe pattern in the URL (exploit kits, config and VCS
 *               files, admin panels, traversal, SQL injection, remote file
 *               inclusion, shellshock), or 414 (URI too long: overflows);
 *   web-bruteforce  a POST to a CMS login that did not log in (the login
 *               page again, not a 3xx redirect), or 401/407;
 *   web-bad-bot a known attack tool or harvester in the User-Agent;
 *   web-flood   400, 403, 404, 405, 410, 429, 444: one is harmless (a
 *               missing favicon), fifty in a window are a flood (the
 *               category's threshold decides);
 *   web-spam    a referrer spam domain (threshold 0: never an incident by
 *               default).
 * An ordinary request (2xx/3xx/5xx, no pattern) is not an event. The
 * server's own failures (5xx) say nothing about the client.
 *
 * Patterns marked MISSING count only when the server answered 4xx: asking
 * for /roundcube where there is none is probing, using the installed one is
 * not. LOGIN patterns count for a POST answered with anything but a 3xx
 * (WordPress redirects after a good password and shows the form again after
 * a bad one; SSHGuard and fail2ban read it the same way).
 *
 * Lists after what fail2ban (apache-botsearch, nginx-botsearch,
 * apache-noscript, apache-overflows, apache-shellshock, php-url-fopen,
 * apache-badbots), CrowdSec (http-sensitive-files, http-path-traversal-
 * probing, http-bad-user-agent, http-sqli-probing) and Wazuh (web_appsec)
 * look for; our own rows, no code or regex copied. To add one: a row below,
 * lower case, at least two bytes, and a case in tests/cases/parse/web.txt.
 */
#include <stdlib.h>

#include "abusedesk/ad_ctx.h"
#include "web_int.h"

#define P(s, c, w, l)	{ (s), sizeof(s) - 1, (c), (w), (l) }
#define PROBE		AD_CAT_WEB_PROBE
#define WORM		AD_CAT_WORM
#define BRUTE		AD_CAT_WEB_BRUTEFORCE
#define BOT		AD_CAT_WEB_BAD_BOT
#define SPAM		AD_CAT_WEB_SPAM
#define A		WEB_ALWAYS
#define M		WEB_MISSING
#define L		WEB_LOGIN

/* Matched anywhere in the URL (path and query). */
static const struct web_pat url_pats[] = {
	/* worms */
	P("cmd.exe", WORM, A, "nimda"),
	P("root.exe", WORM, A, "nimda"),
	P("default.ida", WORM, A, "code-red"),
	P("%u9090", WORM, A, "code-red"),
	P("/_vti_bin/..", WORM, A, "nimda"),
	/* dot files and directories (.env, .git, .htpasswd, .ssh, ...) */
	P("/.", PROBE, A, "dotfile"),
	P("%2f.", PROBE, A, "dotfile"),
	/* configuration and backups */
	P("wp-config.php", PROBE, A, "wp-config"),
	P("/config.php.", PROBE, A, "config-backup"),
	P("/web.config", PROBE, A, "web-config"),
	P("/phpinfo.php", PROBE, M, "phpinfo"),
	P("/info.php", PROBE, M, "phpinfo"),
	P("/server-status", PROBE, M, "server-status"),
	P("/sftp-config.json", PROBE, A, "sftp-config"),
	P("/.well-known/../", PROBE, A, "traversal"),
	/* admin panels and applications probed for */
	P("phpmyadmin", PROBE, M, "phpmyadmin"),
	P("/pma", PROBE, M, "phpmyadmin"),
	P("/myadmin", PROBE, M, "phpmyadmin"),
	P("/mysqladmin", PROBE, M, "phpmyadmin"),
	P("/dbadmin", PROBE, M, "phpmyadmin"),
	P("/sqladmin", PROBE, M, "phpmyadmin"),
	P("/websql", PROBE, M, "phpmyadmin"),
	P("/adminer", PROBE, M, "adminer"),
	P("/scripts/setup.php", PROBE, A, "phpmyadmin"),
	P("/roundcube", PROBE, M, "roundcube"),
	P("webmail", PROBE, M, "webmail"),
	P("/wp-login.php", BRUTE, L, "wp-login"),
	P("wp-login.php", PROBE, M, "wp-login"),
	P("/xmlrpc.php", BRUTE, L, "xmlrpc"),
	P("/wp-includes/wlwmanifest.xml", PROBE, M, "wordpress"),
	P("/contao/login", BRUTE, L, "contao-login"),
	P("/administrator/index.php", BRUTE, L, "joomla-login"),
	P("/administrator/", PROBE, M, "joomla"),
	P("/user/login", BRUTE, L, "drupal-login"),
	P("/cgi-bin/", PROBE, M, "cgi-bin"),
	P("/manager/html", PROBE, M, "tomcat-manager"),
	P("/actuator/", PROBE, M, "spring-actuator"),
	P("/solr/admin", PROBE, M, "solr"),
	P("/cfide/", PROBE, A, "coldfusion"),
	P("/hnap1", PROBE, A, "hnap"),
	P("/boaform/", PROBE, A, "router-exploit"),
	P("/gponform/", PROBE, A, "router-exploit"),
	P("/setup.cgi", PROBE, A, "router-exploit"),
	P("/vendor/phpunit/", PROBE, A, "phpunit-rce"),
	P("eval-stdin.php", PROBE, A, "phpunit-rce"),
	P("thumb.php?src=", PROBE, A, "timthumb"),
	P("/cache/external", PROBE, A, "timthumb"),
	P("uploadify.php", PROBE, A, "uploadify"),
	P(".php/login.php", PROBE, A, "oscommerce-bypass"),
	P("shell.php", PROBE, A, "webshell"),
	P("c99.php", PROBE, A, "webshell"),
	P("r57.php", PROBE, A, "webshell"),
	P("/azenv.php", PROBE, A, "proxy-judge"),
	P("muieblackcat", PROBE, A, "scanner"),
	P("invokefunction", PROBE, A, "thinkphp-rce"),
	P("call_user_func_array", PROBE, A, "code-injection"),
	P("xdebug_session_start", PROBE, A, "xdebug"),
	P("/owa/auth/", PROBE, M, "exchange-owa"),
	P("/config.json", PROBE, M, "config-file"),
	/* path traversal, plain and encoded */
	P("../", PROBE, A, "traversal"),
	P("..\\", PROBE, A, "traversal"),
	P("..%2f", PROBE, A, "traversal"),
	P("..%5c", PROBE, A, "traversal"),
	P("..%255c", PROBE, A, "traversal"),
	P("%2e%2e", PROBE, A, "traversal"),
	P(".%2e", PROBE, A, "traversal"),
	P("%2e.", PROBE, A, "traversal"),
	P("%252e%252e", PROBE, A, "traversal"),
	P("%%32%65", PROBE, A, "traversal"),
	P("%c0%ae", PROBE, A, "traversal"),
	P("%c0%af", PROBE, A, "traversal"),
	P("%c1%1c", PROBE, A, "traversal"),
	P("/etc/passwd", PROBE, A, "traversal"),
	P("%2fetc%2fpasswd", PROBE, A, "traversal"),
	P("/etc/shadow", PROBE, A, "traversal"),
	P("%2fetc%2fgroup", PROBE, A, "traversal"),
	P("/proc/self/", PROBE, A, "traversal"),
	P("c:/win", PROBE, A, "traversal"),
	P("c:\\win", PROBE, A, "traversal"),
	P("win.ini", PROBE, A, "traversal"),
	P("boot.ini", PROBE, A, "traversal"),
	/* SQL injection */
	P("union select", PROBE, A, "sqli"),
	P("union+select", PROBE, A, "sqli"),
	P("union%20select", PROBE, A, "sqli"),
	P("union/**/select", PROBE, A, "sqli"),
	P("union all select", PROBE, A, "sqli"),
	P("union+all+select", PROBE, A, "sqli"),
	P("union%20all%20select", PROBE, A, "sqli"),
	P("sleep(", PROBE, A, "sqli"),
	P("sleep%28", PROBE, A, "sqli"),
	P("benchmark(", PROBE, A, "sqli"),
	P("information_schema", PROBE, A, "sqli"),
	P("' or 1=1", PROBE, A, "sqli"),
	P("'+or+1=1", PROBE, A, "sqli"),
	P("%27 or 1=1", PROBE, A, "sqli"),
	P("%27+or+1=1", PROBE, A, "sqli"),
	P("%27%20or%201=1", PROBE, A, "sqli"),
	P("' or '1'='1", PROBE, A, "sqli"),
	P("%27%20or%20%271%27=%271", PROBE, A, "sqli"),
	P("waitfor delay", PROBE, A, "sqli"),
	P("waitfor%20delay", PROBE, A, "sqli"),
	P("xp_cmdshell", PROBE, A, "sqli"),
	P("concat(0x", PROBE, A, "sqli"),
	P("@@version", PROBE, A, "sqli"),
	P("declare%20@", PROBE, A, "sqli"),
	P("declare @", PROBE, A, "sqli"),
	/* code and command injection, remote file inclusion */
	P("() {", PROBE, A, "shellshock"),
	P("${jndi:", PROBE, A, "log4shell"),
	P("%24%7bjndi", PROBE, A, "log4shell"),
	P("=http://", PROBE, A, "php-url-fopen"),
	P("=ftp://", PROBE, A, "php-url-fopen"),
	P("php://input", PROBE, A, "php-wrapper"),
	P("php://filter", PROBE, A, "php-wrapper"),
	P("allow_url_include", PROBE, A, "php-cgi"),
	P("auto_prepend_file", PROBE, A, "php-cgi"),
	P("base64_decode(", PROBE, A, "code-injection"),
	P("/bin/sh", PROBE, A, "command-injection"),
	P("/bin/bash", PROBE, A, "command-injection"),
	P("?cmd=", PROBE, A, "command-injection"),
	P("&cmd=", PROBE, A, "command-injection"),
	P("wget+http", PROBE, A, "command-injection"),
	P("wget%20http", PROBE, A, "command-injection"),
	P(";wget", PROBE, A, "command-injection"),
	P("<script", PROBE, A, "xss"),
	P("%3cscript", PROBE, A, "xss"),
};

/* Matched anywhere in the User-Agent. */
static const struct web_pat ua_pats[] = {
	P("() {", PROBE, A, "shellshock"),
	P("${jndi:", PROBE, A, "log4shell"),
	P("<script", PROBE, A, "xss"),
	P("union select", PROBE, A, "sqli"),
	/* attack tools and vulnerability scanners */
	P("sqlmap", BOT, A, "sqlmap"),
	P("nikto", BOT, A, "nikto"),
	P("masscan", BOT, A, "masscan"),
	P("zgrab", BOT, A, "zgrab"),
	P("nmap", BOT, A, "nmap"),
	P("zmeu", BOT, A, "zmeu"),
	P("morfeus", BOT, A, "morfeus"),
	P("the beast", BOT, A, "the-beast"),
	P("w3af", BOT, A, "w3af"),
	P("wpscan", BOT, A, "wpscan"),
	P("dirbuster", BOT, A, "dirbuster"),
	P("gobuster", BOT, A, "gobuster"),
	P("nuclei", BOT, A, "nuclei"),
	P("fuzz faster u fool", BOT, A, "ffuf"),
	P("wfuzz", BOT, A, "wfuzz"),
	P("acunetix", BOT, A, "acunetix"),
	P("netsparker", BOT, A, "netsparker"),
	P("nessus", BOT, A, "nessus"),
	P("openvas", BOT, A, "openvas"),
	P("havij", BOT, A, "havij"),
	P("sqlninja", BOT, A, "sqlninja"),
	P("jorgee", BOT, A, "jorgee"),
	P("hydra", BOT, A, "hydra"),
	P("libwww-perl", BOT, A, "libwww-perl"),
	P("l9explore", BOT, A, "leakix"),
	P("l9tcpid", BOT, A, "leakix"),
	/* e-mail harvesters and trackback spammers (fail2ban apache-badbots) */
	P("trackback/", BOT, A, "trackback-spam"),
	P("emailcollector", BOT, A, "harvester"),
	P("emailsiphon", BOT, A, "harvester"),
	P("emailwolf", BOT, A, "harvester"),
	P("extractorpro", BOT, A, "harvester"),
	P("email extractor", BOT, A, "harvester"),
	P("webemailextrac", BOT, A, "harvester"),
	P("atspider", BOT, A, "harvester"),
	P("cherrypicker", BOT, A, "harvester"),
	P("webbandit", BOT, A, "harvester"),
};

/* Matched anywhere in the Referer. */
static const struct web_pat ref_pats[] = {
	P("() {", PROBE, A, "shellshock"),
	P("${jndi:", PROBE, A, "log4shell"),
	P("semalt.", SPAM, A, "referrer-spam"),
	P("buttons-for-", SPAM, A, "referrer-spam"),
	P("darodar.", SPAM, A, "referrer-spam"),
	P("best-seo-", SPAM, A, "referrer-spam"),
	P("ilovevitaly", SPAM, A, "referrer-spam"),
	P("priceg.com", SPAM, A, "referrer-spam"),
	P("blackhatworth", SPAM, A, "referrer-spam"),
	P("hulfingtonpost", SPAM, A, "referrer-spam"),
	P("free-share-buttons", SPAM, A, "referrer-spam"),
	P("social-buttons", SPAM, A, "referrer-spam"),
	P("get-free-traffic", SPAM, A, "referrer-spam"),
	P("4webmasters.", SPAM, A, "referrer-spam"),
	P("trafficmonetize", SPAM, A, "referrer-spam"),
	P("o-o-6-o-o", SPAM, A, "referrer-spam"),
	P("o-o-8-o-o", SPAM, A, "referrer-spam"),
	P("success-seo", SPAM, A, "referrer-spam"),
	P("videos-for-your-business", SPAM, A, "referrer-spam"),
};

static int
cmp_pat(const void *a, const void *b)
{
	const struct web_pat *x = a, *y = b;
	int d = (unsigned char)x->pat[0] - (unsigned char)y->pat[0];

	return d != 0 ? d : (unsigned char)x->pat[1] - (unsigned char)y->pat[1];
}

static unsigned
upper(unsigned c)
{
	return c >= 'a' && c <= 'z' ? c - 32 : c;
}

static int
table_init(struct web_table *t, const struct web_pat *src, size_t n)
{
	struct web_pat *pats;
	size_t i;
	unsigned k = 0;

	if ((pats = ad_calloc(n, sizeof(*pats))) == NULL)
		return -1;
	memcpy(pats, src, n * sizeof(*pats));
	qsort(pats, n, sizeof(*pats), cmp_pat);
	memset(t->pair, 0, sizeof(t->pair));
	for (i = 0; i < n; i++) {
		unsigned a = (unsigned char)pats[i].pat[0];
		unsigned b = (unsigned char)pats[i].pat[1];

		if (i == 0 || cmp_pat(&pats[i - 1], &pats[i]) != 0) {
			if (++k >= 256) {	/* static_assert-like: tables are small */
				ad_free(pats);
				return -1;
			}
			t->start[k] = (uint16_t)i;
		}
		t->pair[a | b << 8] = (uint8_t)k;
		t->pair[upper(a) | b << 8] = (uint8_t)k;
		t->pair[a | upper(b) << 8] = (uint8_t)k;
		t->pair[upper(a) | upper(b) << 8] = (uint8_t)k;
	}
	t->start[k + 1] = (uint16_t)n;
	t->pats = pats;
	t->npats = n;
	return 0;
}

void *
web_state_new(void)
{
	struct web_state *st;
	unsigned c;

	if ((st = ad_calloc(1, sizeof(*st))) == NULL)
		return NULL;
	for (c = 0; c < 256; c++)
		st->fold[c] = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	if (table_init(&st->t[0], url_pats,
	    sizeof(url_pats) / sizeof(url_pats[0])) != 0 ||
	    table_init(&st->t[1], ua_pats,
	    sizeof(ua_pats) / sizeof(ua_pats[0])) != 0 ||
	    table_init(&st->t[2], ref_pats,
	    sizeof(ref_pats) / sizeof(ref_pats[0])) != 0) {
		web_state_free(st);
		return NULL;
	}
	return st;
}

void
web_state_free(void *p)
{
	struct web_state *st = p;
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < WEB_FIELDS; i++)
		ad_free((void *)st->t[i].pats);
	ad_free(st);
}

static int
rank(enum ad_category c)
{
	switch (c) {
	case AD_CAT_WORM:		return 7;
	case AD_CAT_WEB_PROBE:		return 6;
	case AD_CAT_WEB_BRUTEFORCE:	return 5;
	case AD_CAT_WEB_BAD_BOT:	return 4;
	case AD_CAT_WEB_FLOOD:		return 2;
	case AD_CAT_WEB_SPAM:		return 1;
	default:			return 0;
	}
}

/* "/.env", "/.git/": a dot segment, but not "/.well-known/" nor "/./". */
static bool
dotfile(const char *p, const char *end)
{
	if (p >= end)
		return false;
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	    (*p >= '0' && *p <= '9') || *p == '_'))
		return false;
	return !((size_t)(end - p) >= 10 &&
	    strncasecmp(p, "well-known", 10) == 0);
}

static bool
applies(const struct web_pat *w, unsigned status, bool post)
{
	switch (w->when) {
	case WEB_MISSING:
		return status == 0 || (status >= 400 && status < 500 &&
		    status != 401 && status != 407);
	case WEB_LOGIN:
		return post && !(status >= 300 && status < 400);
	default:
		return true;
	}
}

static const struct web_pat *
scan(const struct web_state *st, const struct web_table *t, const char *p,
    const char *end, unsigned status, bool post)
{
	const struct web_pat *best = NULL;
	const uint8_t *f = st->fold;
	size_t n = (size_t)(end - p), i, k, j;

	for (i = 0; i + 1 < n; i++) {
		unsigned b = t->pair[(unsigned char)p[i] |
		    (unsigned)(unsigned char)p[i + 1] << 8];

		if (b == 0)
			continue;
		for (k = t->start[b]; k < t->start[b + 1]; k++) {
			const struct web_pat *w = &t->pats[k];

			if (w->len > n - i)
				continue;
			for (j = 2; j < w->len; j++)
				if (f[(unsigned char)p[i + j]] !=
				    (unsigned char)w->pat[j])
					break;
			if (j < w->len || !applies(w, status, post))
				continue;
			if (strcmp(w->label, "dotfile") == 0 &&
			    !dotfile(p + i + w->len, end))
				continue;
			if (best == NULL || rank(w->cat) > rank(best->cat))
				best = w;
			if (w->cat == AD_CAT_WORM)
				return w;
		}
	}
	return best;
}

const struct web_pat *
web_match_url(const struct web_state *st, const char *p, const char *end,
    unsigned status, bool post)
{
	return scan(st, &st->t[0], p, end, status, post);
}

void
web_split_request(struct web_req *r)
{
	const char *p = r->req, *end = r->req_end, *sp, *last;

	r->method = r->method_end = r->url = r->url_end = NULL;
	if (p == NULL || p >= end)
		return;
	if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL) {
		r->url = p;		/* "-" or garbage: judged as a URL */
		r->url_end = end;
		return;
	}
	r->method = p;
	r->method_end = sp;
	r->url = sp + 1;
	/* " HTTP/1.1" ends it; a URL with spaces keeps them. */
	for (last = end; last > r->url && last[-1] != ' '; last--)
		;
	if (last > r->url && starts(last, end, LIT("HTTP/")))
		r->url_end = last - 1;
	else
		r->url_end = end;
}

static const char *
status_kind(unsigned s, enum ad_category *cat)
{
	switch (s) {
	case 401:
	case 407:
		*cat = AD_CAT_WEB_BRUTEFORCE;
		return "http-401";
	case 400:
		*cat = AD_CAT_WEB_FLOOD;
		return "http-400";
	case 403:
		*cat = AD_CAT_WEB_FLOOD;
		return "http-403";
	case 404:
	case 410:
	case 444:
		*cat = AD_CAT_WEB_FLOOD;
		return "http-404";
	case 405:
		*cat = AD_CAT_WEB_FLOOD;
		return "http-405";
	case 429:
		*cat = AD_CAT_WEB_FLOOD;
		return "rate-limited";
	case 414:
		*cat = AD_CAT_WEB_PROBE;
		return "uri-too-long";
	default:
		return NULL;
	}
}

static const char *
kind_of(enum ad_category c)
{
	switch (c) {
	case AD_CAT_WORM:		return "worm";
	case AD_CAT_WEB_PROBE:		return "probe";
	case AD_CAT_WEB_BRUTEFORCE:	return "failed-auth";
	case AD_CAT_WEB_BAD_BOT:	return "bad-bot";
	case AD_CAT_WEB_FLOOD:		return "denied";
	case AD_CAT_WEB_SPAM:		return "referrer-spam";
	default:			return "request";
	}
}

/* The verdict on a user agent (which 0) or referrer (1), cached. */
static const struct web_pat *
scan_cached(struct web_state *st, int which, const char *p, const char *end)
{
	size_t n = (size_t)(end - p);
	struct web_cache_slot *c;
	const struct web_pat *w;
	unsigned h;

	if (n == 0 || n > WEB_CACHE_TEXT)
		return scan(st, &st->t[1 + which], p, end, 0, false);
	h = (unsigned)n * 31u + (unsigned char)p[n / 2] * 7u +
	    (unsigned char)p[n - 1] * 131u + (unsigned char)p[n / 3] * 17u +
	    (unsigned char)p[(n * 3) / 4];
	c = &st->cache[which][h % WEB_CACHE_SLOTS];
	if (c->len == n && memcmp(c->text, p, n) == 0)
		return c->verdict;
	w = scan(st, &st->t[1 + which], p, end, 0, false);
	c->len = (uint16_t)n;
	memcpy(c->text, p, n);
	c->verdict = w;
	return w;
}

bool
web_judge(struct web_state *st, struct web_req *r, struct ad_event *ev)
{
	const struct web_pat *w, *best = NULL;
	enum ad_category cat = AD_CAT_WEB_FLOOD;
	const char *label;
	bool post;

	if (r->url == NULL)
		web_split_request(r);
	post = r->method != NULL && r->method_end - r->method == 4 &&
	    memcmp(r->method, "POST", 4) == 0;
	if (r->url != NULL)
		best = scan(st, &st->t[0], r->url, r->url_end, r->status, post);
	if (best == NULL || best->cat != AD_CAT_WORM) {
		if (r->ua != NULL && (w = scan_cached(st, 0, r->ua,
		    r->ua_end)) != NULL &&
		    (best == NULL || rank(w->cat) > rank(best->cat)))
			best = w;
		if (r->ref != NULL && r->ref_end - r->ref > 1 &&
		    (w = scan_cached(st, 1, r->ref, r->ref_end)) != NULL &&
		    (best == NULL || rank(w->cat) > rank(best->cat)))
			best = w;
	}
	label = status_kind(r->status, &cat);
	if (best != NULL && (label == NULL || rank(best->cat) >= rank(cat))) {
		cat = best->cat;
		label = best->label;
	}
	if (label == NULL)
		return false;
	ev->category = cat;
	ev->kind = kind_of(cat);
	ev->label = label;
	ev->status = (uint16_t)r->status;
	ev->service = "http";
	ev->proto = AD_PROTO_TCP;
	ev->evidence = AD_EVIDENCE_PROVEN;	/* an HTTP request needs a handshake */
	if (r->req != NULL) {
		ev->detail = r->req;
		ev->detail_len = (size_t)(r->req_end - r->req);
	}
	return true;
}
