/*
 * parse_pam.c - PAM modules' "authentication failure" lines (pam_unix and
 * modules that copy its wording: pam_sss, pam_ldap, ...), for any program.
 *
 *   pam_unix(SERVICE:auth): authentication failure; logname=L uid=N
 *       euid=N tty=T ruser=R rhost=H[  user=U]
 *   (pam_unix) authentication failure; ...            Linux-PAM < 0.99.2
 *   SERVICE(pam_unix)[PID]: authentication failure; ...  (the same, as tag)
 *
 * How lines get here: pam_unix writes under the calling program's tag
 * ("su", "login", "vsftpd", ...). Families that own a program call
 * pam_auth_failure() themselves (the FTP families, so their PAM lines are
 * ftp-bruteforce); sshd keeps its policy (docs/accuracy.md D5: not an
 * event, sshd logs each attempt itself). Any other tag, which no family
 * claims, reaches this family when its message starts with "pam_" or
 * "(pam_unix)" (parser.c, one 4-byte compare for lines of unknown
 * programs); the old "SERVICE(pam_unix)[PID]:" tag, which the envelope
 * cannot split, is claimed as a bare message.
 *
 * Policy:
 *  - Only "authentication failure" with a remote host (rhost=) is an
 *    event: without one the attempt was local (su, a console login) and
 *    there is no one to report. "check pass; user unknown" and "N more
 *    authentication failures" are not events (no address; a summary).
 *  - The PAM service "sshd" is not an event here either (D5).
 *  - Category: ftp-bruteforce for FTP services, auth-bruteforce otherwise.
 *
 * Whose address: ruser= and user= are attacker text (vsftpd passes the
 * login name as PAM_RUSER) and may contain " rhost=6.6.6.6". pam_unix
 * writes "rhost=H" then the end, or "  user=U". A candidate " rhost=" is
 * genuine only if followed by that; when several remain, the first wins
 * only if ruser is empty (nothing could be injected before it), else the
 * line is ambiguous and accuses nobody.
 */
#include "parse_int.h"

#define RHOST_MAX	8

/* Is [v, e) the end of a pam_unix failure line after rhost's value? */
static bool
rhost_tail(const char *q, const char *end)
{
	while (q < end && (*q == ' ' || *q == '\r'))
		q++;
	if (q == end)
		return true;
	/* "rhost=H  user=U" (one space in some rewritten logs) */
	return q[-1] == ' ' && starts(q, end, LIT("user="));
}

enum pr_result
pam_auth_failure(const char *p, const char *end, struct ad_event *ev)
{
	const char *ruser, *cand[RHOST_MAX], *f, *v, *ve, *u;
	int n = 0, pick = -1;
	enum pr_result r;

	if ((f = find(p, end, LIT("authentication failure; "))) == NULL ||
	    f - p > 64)
		return PR_NONE;
	if ((ruser = find(f, end, LIT(" ruser="))) == NULL)
		return PR_NONE;
	ruser += 7;
	for (f = ruser - 1; n < RHOST_MAX &&
	    (f = find(f, end, LIT(" rhost="))) != NULL; f += 7) {
		for (ve = f + 7; ve < end && *ve != ' '; ve++)
			;
		if (rhost_tail(ve, end))
			cand[n++] = f;
	}
	if (n == 0)
		return PR_NONE;
	if (n == 1)
		pick = 0;
	else if (cand[0] == ruser)
		pick = 0;	/* ruser empty: nothing injected before it */
	else
		return PR_AMBIGUOUS;
	v = cand[pick] + 7;
	for (ve = v; ve < end && *ve != ' '; ve++)
		;
	if (ve == v)
		return PR_NONE;		/* rhost= empty: a local attempt */
	if ((r = take_src(&v, ve, ev, NULL)) != PR_EVENT)
		return r;
	/* The user: "user=U" after the genuine rhost, else ruser. */
	if ((u = find(ve, end, LIT("user="))) != NULL) {
		u += 5;
		ev->user = u;
		ev->user_len = (size_t)(end - u);
		while (ev->user_len > 0 && (u[ev->user_len - 1] == ' ' ||
		    u[ev->user_len - 1] == '\r'))
			ev->user_len--;
	} else if (cand[pick] > ruser) {
		ev->user = ruser;
		ev->user_len = (size_t)(cand[pick] - ruser);
	}
	if (ev->user_len == 0)
		ev->user = NULL;
	ev->kind = "pam-failure";
	return PR_EVENT;
}

/*
 * The PAM service of "pam_MOD(SERVICE:auth): " or "SERVICE(pam_unix)[N]: "
 * into *s, *sl; false if the message has neither form of a failure.
 */
static bool
pam_prefix(const char *m, const char *end, const char **s, size_t *sl)
{
	const char *p = m, *q;

	*s = NULL;
	*sl = 0;
	if (eat(&p, end, LIT("pam_"))) {
		while (p < end && ((*p >= 'a' && *p <= 'z') || *p == '_' ||
		    (*p >= '0' && *p <= '9')))
			p++;
		if (p < end && *p == '(') {
			q = p + 1;
			while (p < end && *p != ':' && *p != ')')
				p++;
			if (p < end && *p == ':') {
				*s = q;
				*sl = (size_t)(p - q);
			}
		}
		return true;
	}
	if (starts(p, end, LIT("(pam_unix)")))
		return true;
	/* "vsftpd(pam_unix)[15522]: " */
	for (q = p; q < end && q - p < 32 && *q != '(' && *q != ' '; q++)
		;
	if (q > p && starts(q, end, LIT("(pam_unix)["))) {
		*s = p;
		*sl = (size_t)(q - p);
		return true;
	}
	return false;
}

static bool
is_word(const char *s, size_t n, const char *w)
{
	return n == strlen(w) && memcmp(s, w, n) == 0;
}

static bool
ftp_service(const char *s, size_t n)
{
	return is_word(s, n, "vsftpd") || is_word(s, n, "proftpd") ||
	    is_word(s, n, "pure-ftpd") || is_word(s, n, "wu-ftpd") ||
	    is_word(s, n, "ftp") || is_word(s, n, "ftpd");
}

/*
 * "HOST SERVICE(pam_unix)[PID]: ...": the envelope found no tag, and its
 * message starts with our host name. Returns the start of the PAM part.
 */
static const char *
skip_host(const char *m, const char *end)
{
	const char *sp = memchr(m, ' ', (size_t)(end - m)), *s;
	size_t sl;

	if (sp != NULL && sp - m < 256 && !starts(m, end, LIT("pam_")) &&
	    m[0] != '(' && pam_prefix(sp + 1, end, &s, &sl) && s != NULL &&
	    s[sl] == '(')
		return sp + 1;
	return m;
}

static enum pr_result
parse_pam(struct pline *pl, struct ad_event *ev)
{
	const char *m = pl->msg, *end = pl->msg + pl->len, *s;
	size_t sl;
	enum pr_result r;

	m = skip_host(m, end);
	if (!pam_prefix(m, end, &s, &sl))
		return PR_NONE;
	if (s != NULL && (is_word(s, sl, "sshd") ||
	    is_word(s, sl, "sshd-session")))
		return PR_NONE;		/* D5: sshd logs each attempt itself */
	if ((r = pam_auth_failure(m, end, ev)) != PR_EVENT)
		return r;
	ev->format = "pam";
	ev->proto = AD_PROTO_TCP;
	ev->evidence = AD_EVIDENCE_PROVEN;
	if (s != NULL && ftp_service(s, sl)) {
		ev->service = "ftp";
		ev->category = AD_CAT_FTP_BRUTEFORCE;
	} else {
		ev->service = "pam";
		ev->category = AD_CAT_AUTH_BRUTEFORCE;
	}
	return PR_EVENT;
}

/*
 * A bare PAM message ("journalctl -o cat"), or "SERVICE(pam_unix)[PID]:
 * ...", which the envelope cannot split into tag and message.
 */
static bool
pam_claims(const char *m, size_t n)
{
	const char *s;
	size_t sl;

	if (n < 12)
		return false;
	m = skip_host(m, m + n);
	return pam_prefix(m, m + n, &s, &sl) &&
	    !(s != NULL && (is_word(s, sl, "sshd") ||
	    is_word(s, sl, "sshd-session")));
}

static const struct legend pam_legends[] = {
	{ "pam",
	  "A PAM module's failed login (pam_unix and modules with its wording),\n"
	  "written under the name of the program that asked PAM: \"pam_unix(\n"
	  "SERVICE:auth): authentication failure; logname=L uid=N euid=N tty=T\n"
	  "ruser=R rhost=H user=U\". SERVICE is the PAM service (login, su,\n"
	  "vsftpd, ...); logname, uid and euid describe the process asking, not\n"
	  "the attacker; tty is the terminal or service; ruser is the remote user\n"
	  "name the client claimed; rhost is the remote (connecting) host, the\n"
	  "address reported; user is the account whose password was wrong.\n"
	  "Time is the syslog stamp, in the logging host's local zone.\n" },
	{ NULL, NULL }
};

static const char *const pam_aliases[] = { "pam_unix", NULL };

const struct family fam_pam = {
	.name = "pam",
	.aliases = pam_aliases,
	.claims = pam_claims,
	.parse = parse_pam,
	.legends = pam_legends,
};
