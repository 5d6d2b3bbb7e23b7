/*
 * parse_proftpd.c - ProFTPD messages (tag "proftpd"):
 *
 *   SERVER (RHOST[ADDR]) - USER NAME (Login failed): Incorrect password
 *   SERVER (RHOST[ADDR]) - USER NAME: no such user found from RHOST [ADDR] to ...
 *   SERVER (RHOST[ADDR]) - SECURITY VIOLATION: root login attempted
 *   SERVER (RHOST[ADDR]) - Maximum login attempts (3) exceeded
 *   (pam_unix) authentication failure; ... rhost=ADDR
 *
 * Older versions and some syslog setups write "proftpd[PID] SERVER (...):"
 * without the colon after the tag, which the envelope cannot split: such
 * messages are claimed as bare ones ("[HOST ]proftpd[" at their start).
 *
 * Whose address: "(RHOST[ADDR])" is written by proftpd before any client
 * text (RHOST is the verified reverse name or the address itself), so the
 * address inside its brackets counts; the "from RHOST [ADDR]" after the
 * user name is ignored (the user name may forge it, fail2ban's test file
 * has such a line).
 *
 * Events: failed logins (failed-auth), unknown users (invalid-user), root
 * login attempts refused by RootLogin off (root-refused), MaxLoginAttempts
 * reached (max-auth), PAM failures; category ftp-bruteforce, proven (TCP).
 * A refused anonymous login ("ANON anonymous (Login failed)") is anonymous
 * abuse (kind anonymous-refused); "Login successful" and connections
 * denied by <Limit LOGIN> (configuration, not behaviour) are not events.
 */
#include "parse_int.h"

static bool
ends_with(const char *p, const char *end, const char *s, size_t n)
{
	return (size_t)(end - p) >= n && memcmp(end - n, s, n) == 0;
}

static void
set_user(struct ad_event *ev, const char *u, const char *ue)
{
	if (ue > u) {
		ev->user = u;
		ev->user_len = (size_t)(ue - u);
	}
}

/*
 * "SERVER (RHOST[ADDR])" or "SERVER (RHOST [ADDR])" at *pp: the address
 * into ev, *pp after the ')'.
 */
static enum pr_result
peer(const char **pp, const char *end, struct ad_event *ev)
{
	const char *p = *pp, *b;
	enum pr_result r;

	while (p < end && *p != ' ' && *p != '(')
		p++;
	if (!eat(&p, end, LIT(" (")))
		return PR_NONE;
	/* RHOST: a verified host name or an address, never client text. */
	for (b = p; b < end && b - p < 300 && *b != '[' && *b != ')'; b++)
		;
	if (b >= end || *b != '[')
		return PR_NONE;
	b++;
	if ((r = take_src(&b, end, ev, "]")) != PR_EVENT)
		return r;
	if (!eat(&b, end, LIT("])")))
		return PR_BADADDR;
	*pp = b;
	return PR_EVENT;
}

static enum pr_result
parse_proftpd(struct pline *pl, struct ad_event *ev)
{
	const char *m = pl->msg, *end = pl->msg + pl->len, *p = m, *u, *q;
	enum pr_result r;

	tcp_session(ev, "ftp", "proftpd");
	ev->category = AD_CAT_FTP_BRUTEFORCE;
	end = trim_end(m, end);
	if (end - m < 12)
		return PR_NONE;
	if (m[0] == '(' || m[0] == 'p') {
		if ((r = pam_auth_failure(m, end, ev)) == PR_EVENT) {
			ev->format = "pam";
			return r;
		}
	}
	/* "HOST proftpd[PID] ..." when the envelope found no tag. */
	if ((q = memchr(m, ' ', (size_t)(end - m))) != NULL &&
	    starts(q + 1, end, LIT("proftpd[")))
		p = q + 1;
	if (eat(&p, end, LIT("proftpd["))) {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (!eat(&p, end, LIT("] ")))
			return PR_NONE;
	}
	/* Cheap exits before any address: most lines are transfers, sessions. */
	if (ends_with(p, end, LIT("Login successful")) ||
	    ends_with(p, end, LIT("Login successful.")))
		return PR_NONE;
	if ((r = peer(&p, end, ev)) != PR_EVENT)
		return r;
	if (!eat(&p, end, LIT(": ")) && !eat(&p, end, LIT(" - ")))
		(void)eat(&p, end, LIT(" "));
	if (eat(&p, end, LIT("USER ")) || eat(&p, end, LIT("ANON "))) {
		u = p;
		if ((q = find(p, end, LIT(" (Login failed)"))) != NULL) {
			set_user(ev, u, q);
			ev->kind = "failed-auth";
			if (ev->user_len == 9 && memcmp(u, "anonymous", 9) == 0)
				ev->kind = "anonymous-refused";
			return PR_EVENT;
		}
		if ((q = find(p, end, LIT(": no such user found"))) != NULL) {
			set_user(ev, u, q);
			ev->kind = "invalid-user";
			return PR_EVENT;
		}
		return PR_NONE;
	}
	if (starts(p, end, LIT("SECURITY VIOLATION: ")) &&
	    find(p, end, LIT("oot login attempted")) != NULL) {
		ev->kind = "root-refused";
		ev->user = "root";
		ev->user_len = 4;
		return PR_EVENT;
	}
	if (starts(p, end, LIT("Maximum login attempts "))) {
		ev->kind = "max-auth";
		return PR_EVENT;
	}
	/* SSHGuard's test form: "... XYZ no such user XYZ". */
	if (find(p, end, LIT("no such user")) != NULL) {
		ev->kind = "invalid-user";
		return PR_EVENT;
	}
	return PR_NONE;
}

/* "proftpd[PID] SERVER (...)" (no colon after the tag), or a bare message. */
static bool
proftpd_claims(const char *m, size_t n)
{
	const char *end = m + n, *p = m;
	const char *sp = memchr(m, ' ', n);

	/* "proftpd[PID] ...", or "HOST proftpd[PID] ..." (no tag found) */
	if (starts(m, end, LIT("proftpd[")) ||
	    (sp != NULL && starts(sp + 1, end, LIT("proftpd["))))
		return true;
	while (p < end && *p != ' ' && *p != '(')
		p++;
	if (!starts(p, end, LIT(" (")) || memchr(p, '[', (size_t)(end - p)) == NULL)
		return false;
	return find(p, end, LIT("no such user")) != NULL ||
	    find(p, end, LIT("(Login failed)")) != NULL ||
	    find(p, end, LIT("SECURITY VIOLATION")) != NULL ||
	    find(p, end, LIT("Maximum login attempts")) != NULL;
}

static const char *const proftpd_tags[] = { "proftpd", NULL };

static const struct legend proftpd_legends[] = {
	{ "proftpd",
	  "ProFTPD FTP server messages: date and time (the logging host's local\n"
	  "zone), host, \"proftpd[PID]\" (the process serving one client), our\n"
	  "server name, then \"(RHOST[ADDRESS])\": the remote (connecting) side,\n"
	  "its verified host name and its address, which is what is reported.\n"
	  "Then the event: \"USER NAME (Login failed): ...\" a wrong password for\n"
	  "NAME (the name the client sent); \"USER NAME: no such user found\" an\n"
	  "unknown account; \"SECURITY VIOLATION: root login attempted\" a login\n"
	  "as root, which the server refuses; \"Maximum login attempts (N)\n"
	  "exceeded\" the client used up its tries and was disconnected.\n" },
	{ NULL, NULL }
};

const struct family fam_proftpd = {
	.name = "proftpd",
	.tags = proftpd_tags,
	.claims = proftpd_claims,
	.parse = parse_proftpd,
	.legends = proftpd_legends,
};
