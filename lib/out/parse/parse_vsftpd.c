/*
 * parse_vsftpd.c - vsftpd, in the system log (tag "vsftpd") and in its own
 * file (vsftpd.log, xferlog_std_format=NO):
 *
 *   Fri Jan 19 12:20:33 2007 [pid 27202] [USER] FAIL LOGIN: Client "ADDR"
 *   vsftpd[1658]: [USER] FAIL LOGIN: Client "ADDR"[, "REASON"]
 *   ... [pid N] [USER] FTP response: Client "ADDR", "530 Permission denied."
 *   vsftpd: pam_unix(vsftpd:auth): authentication failure; ... rhost=ADDR
 *
 * Events (category ftp-bruteforce, proven: FTP runs over TCP):
 *  - FAIL LOGIN: a wrong password or unknown user (kind failed-auth).
 *  - FAIL LOGIN as "anonymous" or "ftp" when anonymous logins are refused:
 *    anonymous abuse, kind anonymous-refused. One such line is harmless
 *    (a browser trying anonymous first); repetition reaches the
 *    ftp-bruteforce threshold like any other failure. A successful
 *    anonymous login is never an event: the server offers it on purpose.
 *  - "530 Permission denied." responses (userlist_deny, deny_file): a
 *    refused account (kind login-denied). Other 530 replies ("Login
 *    incorrect") repeat a FAIL LOGIN line and are not counted twice.
 *  - PAM's "authentication failure ... rhost=" under the vsftpd tag
 *    (parse_pam.c). vsftpd's own FAIL LOGIN goes to vsftpd.log by default
 *    and PAM's line to auth.log: scanning both counts an attempt twice,
 *    which the threshold absorbs (fail2ban counts both too).
 *
 * Whose address: USER is attacker text and may contain `] FAIL LOGIN:
 * Client "6.6.6.6`; vsftpd writes the real Client "ADDR" after it, so the
 * *last* `FAIL LOGIN: Client "` counts, and what follows the address must
 * be exactly `"` or `", "REASON"` (vsftpd's own text, no quote inside).
 */
#include "parse_int.h"

/* ...Client "ADDR" at p, then `"` end or `", "TEXT"` end (no '"' in TEXT). */
static enum pr_result
client_addr(const char *p, const char *end, struct ad_event *ev,
    const char *want_tail, size_t want_len)
{
	const char *q = memchr(p, '"', (size_t)(end - p)), *a = p;
	enum pr_result r;

	if (q == NULL)
		return PR_NONE;
	if (want_tail != NULL) {
		if ((size_t)(end - q) != want_len || memcmp(q, want_tail,
		    want_len) != 0)
			return PR_NONE;
	} else if (q + 1 != end) {
		if (end - q < 5 || !starts(q, end, LIT("\", \"")) ||
		    end[-1] != '"' ||
		    memchr(q + 4, '"', (size_t)(end - 1 - (q + 4))) != NULL)
			return PR_NONE;
	}
	if ((r = take_src(&a, q, ev, NULL)) != PR_EVENT || a != q)
		return r == PR_EVENT ? PR_BADADDR : r;
	return PR_EVENT;
}

/* "[USER] " right before `at` (the user of FAIL LOGIN), from `from`. */
static void
bracket_user(const char *from, const char *at, struct ad_event *ev)
{
	const char *u;

	if (at - from < 3 || at[-1] != ' ' || at[-2] != ']')
		return;
	if ((u = memchr(from, '[', (size_t)(at - from))) == NULL)
		return;
	/* vsftpd.log: "[pid N] [USER]"; the user's '[' is the second one. */
	if (starts(u, at, LIT("[pid ")) &&
	    (u = memchr(u + 1, '[', (size_t)(at - u - 1))) == NULL)
		return;
	ev->user = u + 1;
	ev->user_len = (size_t)(at - 2 - (u + 1));
	if (ev->user_len == 0)
		ev->user = NULL;
}

static bool
anonymous(const struct ad_event *ev)
{
	return ev->user != NULL && ((ev->user_len == 9 &&
	    memcmp(ev->user, "anonymous", 9) == 0) || (ev->user_len == 3 &&
	    memcmp(ev->user, "ftp", 3) == 0));
}

static enum pr_result
parse_vsftpd(struct pline *pl, struct ad_event *ev)
{
	const char *m = pl->msg, *end = pl->msg + pl->len, *p, *f;
	struct ad_instant t;
	enum pr_result r;
	size_t l;

	tcp_session(ev, "ftp", "vsftpd");
	ev->category = AD_CAT_FTP_BRUTEFORCE;
	end = trim_end(m, end);
	if (end - m < 16)
		return PR_NONE;
	p = m;
	if (m[0] == 'p' || m[0] == '(' || m[0] == 'a') {
		if ((r = pam_auth_failure(m, end, ev)) == PR_EVENT)
			ev->format = "pam";
		return r;
	}
	if ((f = rfind(p, end, LIT("FAIL LOGIN: Client \""))) != NULL) {
		if ((r = client_addr(f + 20, end, ev, NULL, 0)) != PR_EVENT)
			return r;
		bracket_user(m, f, ev);
		ev->kind = anonymous(ev) ? "anonymous-refused" : "failed-auth";
	} else if ((f = rfind(p, end, LIT("FTP response: Client \""))) != NULL) {
		if ((r = client_addr(f + 22, end, ev,
		    LIT("\", \"530 Permission denied.\""))) != PR_EVENT)
			return r;
		bracket_user(m, f, ev);
		ev->kind = "login-denied";
	} else
		return PR_NONE;
	/* vsftpd.log carries its own stamp (local time). */
	memset(&t, 0, sizeof(t));
	if (m[0] >= 'A' && m[0] <= 'Z' &&
	    (l = ad_time_scan_ctime(m, end, pl->clock, &t)) > 0) {
		ev->time = t;
		ev->format = "vsftpd-log";
	}
	return PR_EVENT;
}

/* vsftpd.log lines ("Www Mmm dd hh:mm:ss yyyy [pid N] ..."), bare messages. */
static bool
vsftpd_claims(const char *m, size_t n)
{
	const char *end = m + n;

	if (n > 30 && m[3] == ' ' && m[7] == ' ' && m[0] >= 'A' &&
	    m[0] <= 'Z' && find(m + 19, m + 30, LIT(" [pid ")) != NULL)
		return true;
	return find(m, end, LIT(" FAIL LOGIN: Client \"")) != NULL;
}

static const char *const vsftpd_tags[] = { "vsftpd", NULL };

static const struct legend vsftpd_legends[] = {
	{ "vsftpd",
	  "vsftpd FTP server messages in the system log: date and time (the\n"
	  "logging host's local zone), host, \"vsftpd[PID]\", then \"[USER] FAIL\n"
	  "LOGIN: Client \\\"ADDRESS\\\"\": a failed login as USER (the name the\n"
	  "client sent) from ADDRESS, the remote (connecting) side; \"anonymous\"\n"
	  "means an anonymous login the server refused.\n" },
	{ "vsftpd-log",
	  "vsftpd's own log file (vsftpd.log): \"Www Mmm dd hh:mm:ss yyyy\" (the\n"
	  "server's local time), \"[pid N]\" (the process serving one client),\n"
	  "\"[USER]\" (the login name the client sent), then the event: \"FAIL\n"
	  "LOGIN: Client \\\"ADDRESS\\\"\" a failed login from ADDRESS (the remote\n"
	  "side); \"FTP response: Client \\\"ADDRESS\\\", \\\"530 Permission\n"
	  "denied.\\\"\" the server refused that account for this client.\n" },
	{ NULL, NULL }
};

const struct family fam_vsftpd = {
	.name = "vsftpd",
	.tags = vsftpd_tags,
	.claims = vsftpd_claims,
	.parse = parse_vsftpd,
	.legends = vsftpd_legends,
};
