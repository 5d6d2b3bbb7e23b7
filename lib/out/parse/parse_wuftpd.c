/*
 * parse_wuftpd.c - wu-ftpd and the BSD ftpd (tags "wu-ftpd", "ftpd"):
 *
 *   failed login from HOST [ADDR]                         wu-ftpd
 *   FTP LOGIN FAILED FROM ADDR, USER                      FreeBSD ftpd
 *   FTP LOGIN FAILED FROM HOST [ADDR], USER               wu-ftpd
 *   FTP LOGIN REFUSED FROM ADDR, USER                     ftpusers, shell
 *   ANONYMOUS FTP LOGIN REFUSED FROM ADDR                 no anonymous FTP
 *   repeated login failures from ADDR
 *   pam_unix(wu-ftpd:auth): authentication failure; ... rhost=ADDR
 *
 * The address (or "HOST [ADDR]", HOST being the verified reverse name)
 * comes right after "from"/"FROM", before the user name, so client text
 * cannot move it. A bare HOST without [ADDR] is a host name (not reported).
 * Events are ftp-bruteforce, proven (TCP); refused anonymous logins are
 * anonymous abuse (kind anonymous-refused).
 */
#include "parse_int.h"

/* "ADDR" or "HOST [ADDR]" at p, then ',' / end / space. */
static enum pr_result
from_addr(const char *p, const char *end, struct ad_event *ev)
{
	const char *q = p, *b;
	enum pr_result r;

	if ((r = take_src(&q, end, ev, ",")) == PR_EVENT)
		return r;
	for (b = p; b < end && *b != ' ' && *b != ','; b++)
		;
	if (!starts(b, end, LIT(" [")))
		return r;
	b += 2;
	if ((r = take_src(&b, end, ev, "]")) != PR_EVENT)
		return r;
	return b < end && *b == ']' ? PR_EVENT : PR_BADADDR;
}

static enum pr_result
parse_wuftpd(struct pline *pl, struct ad_event *ev)
{
	const char *m = pl->msg, *end = pl->msg + pl->len, *p = m, *c;
	enum pr_result r;

	tcp_session(ev, "ftp", "wu-ftpd");
	ev->category = AD_CAT_FTP_BRUTEFORCE;
	end = trim_end(m, end);
	if (end - m < 16)
		return PR_NONE;
	switch (m[0]) {
	case 'p':
	case '(':
		if ((r = pam_auth_failure(m, end, ev)) == PR_EVENT)
			ev->format = "pam";
		return r;
	case 'f':
		if (!eat(&p, end, LIT("failed login from ")))
			return PR_NONE;
		ev->kind = "failed-auth";
		return from_addr(p, end, ev);
	case 'r':
		if (!eat(&p, end, LIT("repeated login failures from ")))
			return PR_NONE;
		ev->kind = "max-auth";
		return from_addr(p, end, ev);
	case 'F':
		if (eat(&p, end, LIT("FTP LOGIN FAILED FROM ")))
			ev->kind = "failed-auth";
		else if (eat(&p, end, LIT("FTP LOGIN REFUSED FROM ")))
			ev->kind = "login-denied";
		else
			return PR_NONE;
		break;
	case 'A':
		if (!eat(&p, end, LIT("ANONYMOUS FTP LOGIN REFUSED FROM ")))
			return PR_NONE;
		ev->kind = "anonymous-refused";
		break;
	default:
		return PR_NONE;
	}
	if ((r = from_addr(p, end, ev)) != PR_EVENT)
		return r;
	/* ", USER" follows the address: the name the client sent. */
	if ((c = memchr(p, ',', (size_t)(end - p))) != NULL && c + 2 <= end) {
		c += c + 1 < end && c[1] == ' ' ? 2 : 1;
		if (end > c) {
			ev->user = c;
			ev->user_len = (size_t)(end - c);
		}
	}
	return PR_EVENT;
}

static bool
wuftpd_claims(const char *m, size_t n)
{
	const char *end = m + n;

	return starts(m, end, LIT("FTP LOGIN FAILED FROM ")) ||
	    starts(m, end, LIT("FTP LOGIN REFUSED FROM ")) ||
	    starts(m, end, LIT("ANONYMOUS FTP LOGIN REFUSED FROM "));
}

static const char *const wuftpd_tags[] = { "wu-ftpd", "wu.ftpd", "ftpd",
	"in.ftpd", NULL };
static const char *const wuftpd_aliases[] = { "wu-ftpd", "ftpd", NULL };

static const struct legend wuftpd_legends[] = {
	{ "wu-ftpd",
	  "wu-ftpd and BSD ftpd messages: date and time (the logging host's\n"
	  "local zone), host, \"wu-ftpd[PID]\" or \"ftpd[PID]\", then \"failed\n"
	  "login from HOST [ADDRESS]\" or \"FTP LOGIN FAILED FROM ADDRESS,\n"
	  "USER\": a failed login from ADDRESS, the remote (connecting) side\n"
	  "(HOST is its verified host name), as USER (the name the client\n"
	  "sent). \"LOGIN REFUSED\": the account may not use FTP;\n"
	  "\"ANONYMOUS FTP LOGIN REFUSED\": anonymous FTP is not offered.\n" },
	{ NULL, NULL }
};

const struct family fam_wuftpd = {
	.name = "wuftpd",
	.aliases = wuftpd_aliases,
	.tags = wuftpd_tags,
	.claims = wuftpd_claims,
	.parse = parse_wuftpd,
	.legends = wuftpd_legends,
};
