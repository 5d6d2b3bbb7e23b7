/*
 * parse_dovecot.c - Dovecot IMAP/POP3 server: authentication failures.
 *
 * Tags: "dovecot" (the message then starts with the process: "auth-worker(
 * 123): ", "imap-login: "), the processes themselves when they log under
 * their own names ("auth", "auth-worker", "imap-login", "pop3-login",
 * "submission-login", "managesieve-login"), and "Info"/"Error" for Dovecot's
 * own log file ("Mar 13 15:25:07 Info: auth(default): ..."). A bare message
 * (no syslog header) is ours when it starts with a login process name or
 * "auth-worker(".
 *
 * Two forms name the client, and in both the user name, which the client
 * chose, comes first:
 *  - the auth process: "DRIVER(USER,ADDR[,<SESSION>]): REASON", e.g.
 *    "pam(toto,1.1.1.1,<x>): pam_authenticate() failed: ...". USER may hold
 *    commas, parentheses and addresses ("a,6.6.6.6" or even "x,6.6.6.6):
 *    unknown user"), and "(given password: ...)" after REASON holds the
 *    client's password. The address is the one followed by "): " or by
 *    ",<SESSION>): "; if two places in the line have that shape, the line is
 *    ambiguous and nobody is accused.
 *  - the login process: "Disconnected (auth failed, 3 attempts in 10 secs):
 *    user=<USER>, method=PLAIN, rip=ADDR, lip=ADDR, TLS, session=<..>": rip
 *    is the remote address, lip the local one. "(auth failed" must come
 *    before "user=<" (Dovecot's text, not the user's); "rip=ADDR," must occur
 *    exactly once, or the line is ambiguous.
 *
 * Policy (all mail-bruteforce):
 *  - auth process: "unknown user", "Password mismatch", "invalid
 *    credentials", "pam_authenticate() failed: Authentication failure | User
 *    not known | Permission denied". Other pam errors (a module missing, the
 *    service down) are our faults: not events.
 *  - login process: "(auth failed, N attempts ...)", "(tried to use disabled
 *    plaintext auth)" (fail2ban counts it: a password offered in the clear),
 *    "(proxy dest auth failed)". One event per line: the N attempts are not
 *    multiplied into the count, because with auth_verbose=yes each attempt
 *    also has its own auth-process line, and counting both would double it.
 *  - "(no auth attempts in N secs)": not an event. A client that connected
 *    and never tried to log in (a TLS or capability probe, a monitoring
 *    check, a phone losing its network) has not guessed a password.
 *  - "pam_unix(dovecot:auth): authentication failure; ... rhost=ADDR": an
 *    event (with the default auth_verbose=no it is the only line an attempt
 *    leaves before the login process's summary); "ruser=" before it is the
 *    client's text, so " rhost=ADDR" must be unique.
 *  - "Login: user=<...>" (a success) and "Disconnected: Logged out": never.
 */
#include "parse_int.h"

static enum pr_result
auth_hit(struct ad_event *ev, const char *kind)
{
	ev->category = AD_CAT_MAIL_BRUTEFORCE;
	ev->kind = kind;
	return PR_EVENT;
}

static bool
reason_ok(const char *p, const char *end, const char **kind)
{
	if (starts(p, end, LIT("unknown user")) ||
	    starts(p, end, LIT("Unknown user"))) {
		*kind = "unknown-user";
		return true;
	}
	if (starts(p, end, LIT("Password mismatch")) ||
	    starts(p, end, LIT("password mismatch")) ||
	    starts(p, end, LIT("invalid credentials")) ||
	    starts(p, end, LIT("Invalid credentials"))) {
		*kind = "password-mismatch";
		return true;
	}
	if (eat(&p, end, LIT("pam_authenticate() failed: ")) &&
	    (starts(p, end, LIT("Authentication failure")) ||
	    starts(p, end, LIT("User not known")) ||
	    starts(p, end, LIT("Permission denied")))) {
		*kind = "pam-failure";
		return true;
	}
	return false;
}

/*
 * The end of an address candidate in "DRIVER(USER,ADDR...": ")" or
 * ",<SESSION>)", then ": ". Returns the reason's start, or NULL.
 */
static const char *
driver_tail(const char *q, const char *end)
{
	if (eat(&q, end, LIT(",<"))) {
		while (q < end && *q != '>' && *q != ' ' && *q != ',')
			q++;
		if (!eat(&q, end, LIT(">")))
			return NULL;
	}
	if (!eat(&q, end, LIT("): ")))
		return NULL;
	return q;
}

/* "DRIVER(USER,ADDR[,<SESSION>]): REASON" with p at USER. */
static enum pr_result
driver(const char *p, const char *end, struct ad_event *ev)
{
	const char *c = p, *a, *reason = NULL, *comma = NULL, *t, *kind;
	struct ad_event tmp;
	int n = 0;

	while ((c = memchr(c, ',', (size_t)(end - c))) != NULL) {
		a = c + 1;
		tmp = *ev;
		if (take_src(&a, end, &tmp, "),") == PR_EVENT &&
		    (t = driver_tail(a, end)) != NULL) {
			if (++n > 1)
				return PR_AMBIGUOUS;
			reason = t;
			comma = c;
		}
		c++;
	}
	if (n == 0 || !reason_ok(reason, end, &kind))
		return PR_NONE;
	a = comma + 1;
	(void)take_src(&a, end, ev, "),");
	if (comma > p) {
		ev->user = p;
		ev->user_len = (size_t)(comma - p);
	}
	return auth_hit(ev, kind);
}

/* The unique "KEY=ADDR" preceded by ' ' or ',' in [p, end). */
static enum pr_result
unique_addr(const char *p, const char *end, const char *key, size_t klen,
    struct ad_event *ev)
{
	const char *f = p, *a, *pick = NULL;
	struct ad_event tmp;
	int n = 0;

	while ((f = find(f, end, key, klen)) != NULL) {
		a = f + klen;
		tmp = *ev;
		if ((f == p || f[-1] == ' ' || f[-1] == ',') &&
		    take_src(&a, end, &tmp, ",") == PR_EVENT) {
			if (++n > 1)
				return PR_AMBIGUOUS;
			pick = f + klen;
		}
		f += klen;
	}
	if (pick == NULL)
		return PR_NONE;
	return take_src(&pick, end, ev, ",");
}

/* "Disconnected ... (auth failed, ...): user=<U>, method=M, rip=A, lip=..." */
static enum pr_result
login(const char *p, const char *end, struct ad_event *ev)
{
	const char *u, *head_end, *kind = NULL, *q;
	enum pr_result r;

	u = find(p, end, LIT("user=<"));
	head_end = u != NULL ? u : end;
	if ((q = find(p, head_end, LIT(" rip="))) != NULL && q < head_end)
		head_end = q;
	if (find(p, head_end, LIT("(auth failed, ")))
		kind = "auth-failed";
	else if (find(p, head_end, LIT("(tried to use disabled ")) ||
	    find(p, head_end, LIT("(tried to use disallowed ")))
		kind = "plaintext-refused";
	else if (find(p, head_end, LIT("(proxy dest auth failed")))
		kind = "proxy-auth-failed";
	else
		return PR_NONE;
	if ((r = unique_addr(head_end, end, LIT("rip="), ev)) != PR_EVENT)
		return r;
	if (u != NULL) {
		const char *ue = u + 6, *me;

		/* up to the last ">, " before " rip=": the user may hold '>' */
		me = rfind(ue, end, LIT(", rip="));
		if (me != NULL && (q = rfind(ue, me, LIT(">,"))) != NULL) {
			ev->user = ue;
			ev->user_len = (size_t)(q - ue);
		}
	}
	return auth_hit(ev, kind);
}

/* Strips "Info: ", "auth-worker(123): ", "conn unix:...: auth-worker<4>: ". */
static const char *
strip(const char *p, const char *end, struct ad_event *ev)
{
	int round;
	const char *q;

	for (round = 0; round < 6 && p < end; round++) {
		if (eat(&p, end, LIT("Info: ")) || eat(&p, end, LIT("Error: ")) ||
		    eat(&p, end, LIT("Warning: ")) || eat(&p, end, LIT("Debug: ")))
			continue;
		if (eat(&p, end, LIT("imap-login: "))) {
			ev->service = "imap";
			continue;
		}
		if (eat(&p, end, LIT("pop3-login: "))) {
			ev->service = "pop3";
			continue;
		}
		if (eat(&p, end, LIT("submission-login: "))) {
			ev->service = "submission";
			continue;
		}
		if (eat(&p, end, LIT("managesieve-login: "))) {
			ev->service = "sieve";
			continue;
		}
		if (eat(&p, end, LIT("auth: ")) || eat(&p, end, LIT("auth-worker: ")))
			continue;
		if (starts(p, end, LIT("auth-worker(")) || starts(p, end, LIT("auth("))) {
			q = memchr(p, ')', (size_t)(end - p));
			if (q == NULL || q - p > 40 || !starts(q, end, LIT("): ")))
				return p;
			p = q + 3;
			continue;
		}
		if (starts(p, end, LIT("conn unix:"))) {
			/* "conn unix:auth-worker (pid=919,uid=112): auth-worker<1>: " */
			q = find(p, end - 3 > p + 120 ? p + 120 : end, LIT("): "));
			if (q == NULL)
				return p;
			p = q + 3;
			if (starts(p, end, LIT("auth-worker<")) &&
			    (q = memchr(p, '>', (size_t)(end - p))) != NULL &&
			    q - p < 24 && starts(q, end, LIT(">: ")))
				p = q + 3;
			continue;
		}
		break;
	}
	return p;
}

static enum pr_result
parse_dovecot(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = pl->msg + pl->len, *q;
	const struct envelope *env = pl->env;
	enum pr_result r;

	end = trim_end(p, end);
	tcp_session(ev, "mail-auth", "dovecot");
	if (env != NULL && env->prog != NULL) {
		if (env->prog_len == 10 && memcmp(env->prog, "imap-login", 10) == 0)
			ev->service = "imap";
		else if (env->prog_len == 10 && memcmp(env->prog, "pop3-login", 10) == 0)
			ev->service = "pop3";
	}
	p = strip(p, end, ev);
	if (end - p < 8)
		return PR_NONE;
	if (eat(&p, end, LIT("pam_unix(dovecot:auth): authentication failure;"))) {
		if ((r = unique_addr(p, end, LIT("rhost="), ev)) != PR_EVENT)
			return r;
		if ((q = find(p, end, LIT(" ruser="))) != NULL) {
			const char *ue = q + 7, *e = ue;

			while (e < end && *e != ' ')
				e++;
			if (e > ue) {
				ev->user = ue;
				ev->user_len = (size_t)(e - ue);
			}
		}
		return auth_hit(ev, "pam-failure");
	}
	switch (*p) {
	case 'D':	/* Disconnected */
	case 'A':	/* Aborted login */
	case 'L':	/* Login aborted */
	case 'R':	/* Remote closed connection */
	case 'C':	/* Client has quit the connection, Connection closed */
		return login(p, end, ev);
	}
	/* "DRIVER(USER,ADDR...": pam, passwd-file, sql, ldap, oauth2, ... */
	for (q = p; q < end && q - p < 16 && ((*q >= 'a' && *q <= 'z') ||
	    (*q >= '0' && *q <= '9') || *q == '-' || *q == '_'); q++)
		;
	if (q > p && q < end && *q == '(' && q - p >= 2)
		return driver(q + 1, end, ev);
	return PR_NONE;
}

static bool
dovecot_claims(const char *m, size_t n)
{
	const char *end = m + n;

	return starts(m, end, LIT("imap-login: ")) ||
	    starts(m, end, LIT("pop3-login: ")) ||
	    starts(m, end, LIT("submission-login: ")) ||
	    starts(m, end, LIT("managesieve-login: ")) ||
	    starts(m, end, LIT("auth-worker("));
}

static const char *const dovecot_tags[] = {
	"dovecot", "auth", "auth-worker", "imap-login", "pop3-login",
	"submission-login", "managesieve-login", "Info", "Error", NULL
};

static const struct legend dovecot_legends[] = {
	{ "dovecot",
	  "Dovecot IMAP/POP3 server messages. The part before the message names\n"
	  "the Dovecot process: \"imap-login\"/\"pop3-login\" handle a client until\n"
	  "it has logged in; \"auth\"/\"auth-worker\" check passwords.\n"
	  "\"imap-login: Disconnected (auth failed, 3 attempts in 10 secs):\n"
	  "user=<NAME>, method=PLAIN, rip=ADDRESS, lip=ADDRESS, session=<ID>\": a\n"
	  "client gave up after failed logins; rip = remote IP (the client), lip =\n"
	  "local IP (our server), user = the account name the client tried.\n"
	  "\"auth-worker(PID): pam(USER,ADDRESS,<SESSION>): pam_authenticate() failed\"\n"
	  "or \"passwd-file(USER,ADDRESS): unknown user\" / \"Password mismatch\": one\n"
	  "failed password check, by the password backend named first (pam, sql,\n"
	  "ldap, passwd-file); ADDRESS is the client's. Time stamps are the\n"
	  "server's local time.\n" },
	{ NULL, NULL }
};

const struct family fam_dovecot = {
	.name = "dovecot",
	.tags = dovecot_tags,
	.claims = dovecot_claims,
	.parse = parse_dovecot,
	.legends = dovecot_legends,
};
