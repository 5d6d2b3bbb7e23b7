/*
 * parse_pureftpd.c - Pure-FTPd messages (tag "pure-ftpd"):
 *
 *   (?@ADDR) [WARNING] Authentication failed for user [NAME]
 *   (USER@HOST) [INFO] Logout.
 *   (pam_unix) authentication failure; ... rhost=ADDR
 *
 * "(USER@HOST)" is written by pure-ftpd: USER is "?" until a login
 * succeeded, then the account (virtual accounts may contain '@', so the
 * host follows the *last* '@' before ") ["). HOST is the address, or a
 * host name when DNS resolution is on (not reported: PR_HOSTNAME).
 *
 * Events (ftp-bruteforce, proven): "Authentication failed for user"
 * (failed-auth; anonymous-refused for the anonymous accounts); PAM
 * failures under the pure-ftpd tag.
 */
#include "parse_int.h"

static enum pr_result
parse_pureftpd(struct pline *pl, struct ad_event *ev)
{
	const char *m = pl->msg, *end = pl->msg + pl->len, *p, *close, *at, *u;
	enum pr_result r;

	tcp_session(ev, "ftp", "pure-ftpd");
	ev->category = AD_CAT_FTP_BRUTEFORCE;
	end = trim_end(m, end);
	if (end - m < 12 || m[0] != '(')
		return PR_NONE;
	if (m[1] == 'p') {
		if ((r = pam_auth_failure(m, end, ev)) == PR_EVENT)
			ev->format = "pam";
		return r;
	}
	if ((close = find(m, end, LIT(") ["))) == NULL)
		return PR_NONE;
	p = close + 2;
	if ((p = find(p, end, LIT("] Authentication failed for user "))) == NULL ||
	    p - close > 12)
		return PR_NONE;
	u = p + 33;
	for (at = close; at > m && *at != '@'; at--)
		;
	if (*at != '@')
		return PR_NONE;
	p = at + 1;
	if ((r = take_src(&p, close, ev, NULL)) != PR_EVENT)
		return r;
	if (p != close)
		return PR_BADADDR;
	/* "[NAME]" (1.0.x) or NAME */
	if (u < end && *u == '[' && end[-1] == ']') {
		u++;
		end--;
	}
	if (end > u) {
		ev->user = u;
		ev->user_len = (size_t)(end - u);
	}
	ev->kind = "failed-auth";
	if (ev->user_len == 9 && memcmp(u, "anonymous", 9) == 0)
		ev->kind = "anonymous-refused";
	return PR_EVENT;
}

static bool
pureftpd_claims(const char *m, size_t n)
{
	return n > 20 && m[0] == '(' &&
	    find(m, m + n, LIT(" Authentication failed for user ")) != NULL;
}

static const char *const pureftpd_tags[] = { "pure-ftpd", "pure-ftpd-mysql",
	"pure-ftpd-ldap", "pure-ftpd-postgresql", NULL };
static const char *const pureftpd_aliases[] = { "pure-ftpd", NULL };

static const struct legend pureftpd_legends[] = {
	{ "pure-ftpd",
	  "Pure-FTPd FTP server messages: date and time (the logging host's\n"
	  "local zone), host, \"pure-ftpd\", then \"(USER@ADDRESS)\": the account\n"
	  "logged in (\"?\" before a login succeeded) and the remote (connecting)\n"
	  "address, which is what is reported; then the severity in brackets\n"
	  "and the event: \"Authentication failed for user [NAME]\" is a failed\n"
	  "login as NAME (the name the client sent).\n" },
	{ NULL, NULL }
};

const struct family fam_pureftpd = {
	.name = "pureftpd",
	.aliases = pureftpd_aliases,
	.tags = pureftpd_tags,
	.claims = pureftpd_claims,
	.parse = parse_pureftpd,
	.legends = pureftpd_legends,
};
