/*
 * parse_sshd.c - OpenSSH sshd (5.x to 10.x) failure messages.
 *
 * Dispatch is on the first byte of the message, then a literal prefix; an
 * address is parsed only once a prefix matched. User names are attacker
 * text and may contain " from 1.2.3.4": the source is therefore always the
 * *last* " from ADDR" (or the token before the last " port N"), which sshd
 * itself wrote after the user name.
 *
 * Policy where fail2ban and SSHGuard disagree (docs/internals/parse.md):
 *  - "Connection closed/reset by ADDR [preauth]" without a user: an event
 *    of the probe category (SSHGuard and CrowdSec count it; fail2ban only
 *    in aggressive mode). A lone health check stays below the probe
 *    threshold; a monitoring service belongs on the allowlist.
 *  - "Received disconnect from ADDR ...: 11: Bye Bye [preauth]": not an
 *    event (SSHGuard, fail2ban normal mode): the client said goodbye.
 *  - "Received disconnect from ADDR: 3: ...: Auth fail": an event (fail2ban
 *    counts it, SSHGuard does not). The client states that its
 *    authentication failed; brute-force kits built on JSch log only this.
 *  - "Received disconnect ... 14: No supported authentication methods":
 *    not an event (fail2ban "extra" mode only): a misconfigured client.
 *  - Protocol probes (no identification string, bad banner, key exchange
 *    failures, pre-auth closes) are events of the separate category
 *    ssh-probe, so a scan is not called brute force.
 *  - "Failed publickey" is not an event (fail2ban): every client with
 *    several keys in its agent logs it before the right key. It is one for
 *    an invalid user, and the "Too many authentication failures" line that
 *    ends a publickey brute force is attributed through the connection.
 *  - Reverse-mapping "POSSIBLE BREAK-IN ATTEMPT" is recognised but not an
 *    event (fail2ban normal mode): it describes the client's DNS, not what
 *    the client did; whatever it did next is logged and counted.
 *  - pam_unix(sshd:auth) "authentication failure" and "PAM N more
 *    authentication failures" are not events (fail2ban; CrowdSec counts
 *    them): sshd logs every failed attempt itself ("Failed password"), so
 *    they would count it twice, and with stacked PAM modules (pam_unix then
 *    pam_ldap, fail2ban gh-2070) they precede a successful login.
 *  - A successful login ("Accepted") is never an event, even after other
 *    user names were tried (fail2ban counts that case): those tries are
 *    already counted on their own lines.
 */
#include "parse_int.h"

static void
set_user(struct ad_event *ev, const char *u, const char *uend)
{
	if (uend > u) {
		ev->user = u;
		ev->user_len = (size_t)(uend - u);
	}
}

/* " port N" at *p, optional. */
static void
opt_port(const char **p, const char *end, struct ad_event *ev)
{
	const char *q = *p;

	if (eat(&q, end, LIT(" port "))) {
		unsigned port = take_port(&q, end);

		if (port) {
			ev->src_port = (uint16_t)port;
			*p = q;
		}
	}
}

/*
 * What sshd writes after the address: [ port N][ sshN][ via HOST], then the
 * end, " [preauth]" or ": " (auth info). Anything else after a " from ADDR"
 * means that text was not written by sshd at that place.
 */
static bool
clean_tail(const char *q, const char *end, bool *has_port)
{
	*has_port = false;
	if (eat(&q, end, LIT(" port "))) {
		if (take_port(&q, end) == 0)
			return false;
		*has_port = true;
	}
	if (eat(&q, end, LIT(" ssh")))
		while (q < end && *q >= '0' && *q <= '9')
			q++;
	if (eat(&q, end, LIT(" via ")))
		while (q < end && *q != ' ')
			q++;
	return q == end || starts(q, end, LIT(": ")) ||
	    (end - q == 10 && starts(q, end, LIT(" [preauth]")));
}

#define FROM_MAX	8

/*
 * "... for [invalid user |illegal user ]USER from ADDR[ port N]..." with
 * `u` at USER. User names are attacker text ("x from 6.6.6.6 port 22
 * ssh2"), and so is some auth info (a certificate's key ID): a " from ADDR"
 * counts only when followed by what sshd writes there (clean_tail), and
 * when one candidate carries a port, those without one are discarded.
 * If two candidates remain, the line is ambiguous and accuses nobody.
 */
static enum pr_result
user_from(const char *u, const char *end, struct ad_event *ev,
    enum ad_category cat, const char *kind)
{
	const char *cand[FROM_MAX], *after[FROM_MAX], *f = u, *p;
	struct ad_addr src[FROM_MAX];
	struct ad_event tmp;
	bool port[FROM_MAX], any_port = false, hostname = false;
	int n = 0, i, pick = -1, picks = 0;
	enum pr_result r;

	if (!eat(&u, end, LIT("invalid user ")))
		(void)eat(&u, end, LIT("illegal user "));
	/* An empty user leaves "from" right at u: "Invalid user  from ..." */
	f = starts(u, end, LIT("from ")) ? u - 1 : u;
	while (n < FROM_MAX && (f = find(f, end, LIT(" from "))) != NULL) {
		p = f + 6;
		r = take_src(&p, end, &tmp, ",;:");	/* sets only tmp.src */
		if (r == PR_EVENT && clean_tail(p, end, &port[n])) {
			any_port |= port[n];
			src[n] = tmp.src;
			after[n] = p;
			cand[n++] = f;
		} else if (r == PR_HOSTNAME)
			hostname = true;
		f += 6;
	}
	for (i = 0; i < n; i++)
		if (port[i] || !any_port) {
			pick = i;
			picks++;
		}
	if (picks == 0)
		return hostname ? PR_HOSTNAME : PR_NONE;
	if (picks > 1)
		return PR_AMBIGUOUS;
	f = cand[pick];
	set_user(ev, u, f > u ? f : u);
	ev->src = src[pick];
	p = after[pick];
	opt_port(&p, end, ev);
	return hit(ev, cat, kind);
}

/*
 * "[authenticating user USER |invalid user USER |user USER ]ADDR port N..."
 * (Connection closed by, Disconnected from, ...). Returns PR_NONE for the
 * bare-address and "user" (logged-in) forms unless `bare_kind` is set.
 */
static enum pr_result
user_addr_port(const char *p, const char *end, struct ad_event *ev,
    const char *kind, const char *bare_kind)
{
	const char *port, *a, *u = NULL;
	enum pr_result r;

	if (eat(&p, end, LIT("authenticating user ")) ||
	    eat(&p, end, LIT("invalid user ")))
		u = p;
	else if (starts(p, end, LIT("user ")))
		return PR_NONE;		/* a finished session */
	if ((port = rfind(p, end, LIT(" port "))) == NULL) {
		if (u != NULL || bare_kind == NULL)
			return PR_NONE;
		port = end;		/* "Connection closed by ADDR [preauth]" */
		a = p;
		if ((r = take_src(&a, end, ev, NULL)) != PR_EVENT)
			return r;
		return hit(ev, AD_CAT_SSH_PROBE, bare_kind);
	}
	for (a = port; a > p && a[-1] != ' '; a--)
		;
	if (u == NULL && bare_kind == NULL)
		return PR_NONE;
	if (u != NULL)
		set_user(ev, u, a > u ? a - 1 : u);
	if ((r = take_src(&a, port, ev, NULL)) != PR_EVENT)
		return r;
	opt_port(&a, end, ev);
	if (u == NULL)
		return hit(ev, AD_CAT_SSH_PROBE, bare_kind);
	return hit(ev, AD_CAT_SSH_BRUTEFORCE, kind);
}

/* "from ADDR[ port N]..." at p (after a fixed prefix): a protocol probe. */
static enum pr_result
probe_from(const char *p, const char *end, struct ad_event *ev,
    const char *kind)
{
	const char *f;
	enum pr_result r;

	if ((f = rfind(p, end, LIT("from "))) == NULL)
		return PR_NONE;
	p = f + 5;
	if ((r = take_src(&p, end, ev, ":,")) != PR_EVENT)
		return r;
	opt_port(&p, end, ev);
	return hit(ev, AD_CAT_SSH_PROBE, kind);
}

/*
 * "... rhost=ADDR[  user=USER]" of pam_unix: not an event (see the policy
 * above), but it tells the connection's address.
 */
static enum pr_result
pam_rhost(const char *p, const char *end, const struct conn *conn)
{
	const char *r = find(p, end, LIT("rhost="));
	struct ad_event tmp;

	if (r == NULL)
		return PR_NONE;
	r += 6;
	zero_struct(&tmp, sizeof(tmp));
	if (take_src(&r, end, &tmp, NULL) == PR_EVENT)
		conn_remember(conn, &tmp.src);
	return PR_NONE;
}

/*
 * "Received disconnect from ADDR[ port N]:CODE: TEXT": only code 3 ending
 * in "Auth fail" is an event (see the policy above).
 */
static enum pr_result
received_disconnect(const char *p, const char *end, struct ad_event *ev)
{
	const char *q = p, *tail = end;
	enum pr_result r;

	if (tail - q >= 10 && starts(tail - 10, tail, LIT(" [preauth]")))
		tail -= 10;
	if (tail - q < 9 || !starts(tail - 9, tail, LIT("Auth fail")))
		return PR_NONE;
	if ((r = take_src(&q, end, ev, ":")) != PR_EVENT)
		return r;
	opt_port(&q, end, ev);
	if (!eat(&q, end, LIT(":")))
		return PR_NONE;
	while (q < end && *q == ' ')
		q++;
	if (take_port(&q, end) != 3)
		return PR_NONE;
	return hit(ev, AD_CAT_SSH_BRUTEFORCE, "client-auth-fail");
}

/* "[ADDR]:PORT" of the OpenSSH 9.8 penalty messages. */
static enum pr_result
bracket_addr_port(const char **pp, const char *end, struct ad_event *ev)
{
	const char *p = *pp;
	enum pr_result r;

	if (!eat(&p, end, LIT("[")))
		return PR_NONE;
	if ((r = take_src(&p, end, ev, "]")) != PR_EVENT)
		return r;
	if (!eat(&p, end, LIT("]:")))
		return PR_NONE;
	ev->src_port = (uint16_t)take_port(&p, end);
	*pp = p;
	return PR_EVENT;
}

/* Lines that are no event but tell which address a connection has. */
static enum pr_result
remember_only(const char *u, const char *end, const struct conn *conn)
{
	struct ad_event tmp;

	zero_struct(&tmp, sizeof(tmp));
	if (user_from(u, end, &tmp, AD_CAT_SSH_BRUTEFORCE, "") == PR_EVENT)
		conn_remember(conn, &tmp.src);
	return PR_NONE;
}

static enum pr_result
sshd_msg(const char *m, size_t n, struct ad_event *ev, const struct conn *conn)
{
	const char *p = m, *end = m + n, *q;
	enum pr_result r;

	if (n < 10)
		return PR_NONE;
	switch (*p) {
	case 'F':
		if (!eat(&p, end, LIT("Failed ")))
			break;
		/*
		 * Method: password, keyboard-interactive/pam, none, ... A failed
		 * publickey is what every client with several keys in its agent
		 * logs before the right one (fail2ban gh-1263): not an event, but
		 * the address serves a later "Too many authentication failures".
		 */
		q = p;
		while (p < end && *p != ' ')
			p++;
		if (!eat(&p, end, LIT(" for ")))
			break;
		if (starts(p, end, LIT("<invalid username> ")))
			p += sizeof("<invalid username>") - 1;
		if (p - q == sizeof("publickey for ") - 1 &&
		    starts(q, end, LIT("publickey ")) &&
		    !starts(p, end, LIT("invalid user ")))
			return remember_only(p, end, conn);
		return user_from(p, end, ev, AD_CAT_SSH_BRUTEFORCE, "failed-auth");
	case 'I':
		if (eat(&p, end, LIT("Invalid user ")) ||
		    eat(&p, end, LIT("Illegal user ")))
			return user_from(p, end, ev, AD_CAT_SSH_BRUTEFORCE,
			    "invalid-user");
		break;
	case 'U':
		if (eat(&p, end, LIT("User "))) {
			if ((q = rfind(p, end, LIT(" not allowed because "))) == NULL)
				break;
			return user_from(p, q, ev, AD_CAT_SSH_BRUTEFORCE,
			    "user-not-allowed");
		}
		if (eat(&p, end, LIT("Unable to negotiate with ")))
			goto negotiate;
		break;
	case 'R':
		if (eat(&p, end, LIT("ROOT LOGIN REFUSED FROM "))) {
			if ((r = take_src(&p, end, ev, NULL)) != PR_EVENT)
				return r;
			opt_port(&p, end, ev);
			ev->user = "root";
			ev->user_len = 4;
			return hit(ev, AD_CAT_SSH_BRUTEFORCE, "root-refused");
		}
		if (eat(&p, end, LIT("Received disconnect from ")))
			return received_disconnect(p, end, ev);
		break;
	case 'e':
		if (!eat(&p, end, LIT("error: ")))
			break;
		if (eat(&p, end, LIT("PAM: "))) {
			if (eat(&p, end, LIT("Authentication failure for ")) ||
			    eat(&p, end, LIT("authentication failure for ")) ||
			    eat(&p, end, LIT("Authentication error for ")) ||
			    eat(&p, end, LIT("authentication error for ")) ||
			    eat(&p, end, LIT("unknown user for ")) ||
			    eat(&p, end, LIT("User not known to the underlying authentication module for ")))
				return user_from(p, end, ev,
				    AD_CAT_SSH_BRUTEFORCE, "pam-failure");
			break;
		}
		if (eat(&p, end, LIT("maximum authentication attempts exceeded for ")))
			return user_from(p, end, ev, AD_CAT_SSH_BRUTEFORCE,
			    "max-auth");
		if (eat(&p, end, LIT("Received disconnect from ")))
			return received_disconnect(p, end, ev);
		if (eat(&p, end, LIT("kex_exchange_identification: ")) ||
		    eat(&p, end, LIT("Bad protocol version identification ")))
			return probe_from(p, end, ev, "bad-ident");
		break;
	case 'f':
		/* "fatal: Unable to negotiate ...", "fatal: Timeout before ..." */
		if (eat(&p, end, LIT("fatal: ")))
			return sshd_msg(p, (size_t)(end - p), ev, conn);
		break;
	case 'p':
		if (eat(&p, end, LIT("pam_unix(sshd:auth): authentication failure;")) ||
		    eat(&p, end, LIT("pam_unix(sshd-session:auth): authentication failure;")))
			return pam_rhost(p, end, conn);
		break;
	case 'P':
		if (eat(&p, end, LIT("PAM "))) {
			if (take_port(&p, end) == 0 ||
			    !eat(&p, end, LIT(" more authentication failure")))
				break;
			return pam_rhost(p, end, conn);
		}
		break;
	case 'C':
		if (eat(&p, end, LIT("Connection from "))) {
			/* "Connection from ADDR port N on ADDR port 22" (LogLevel VERBOSE) */
			struct ad_event tmp;

			memset(&tmp, 0, sizeof(tmp));
			if (take_src(&p, end, &tmp, NULL) == PR_EVENT)
				conn_remember(conn, &tmp.src);
			return PR_NONE;
		}
		if (eat(&p, end, LIT("Connection closed by ")) ||
		    eat(&p, end, LIT("Connection reset by "))) {
			/* Only before authentication: after it, a session ended. */
			if (!find(p, end, LIT("[preauth]")))
				return PR_NONE;
			return user_addr_port(p, end, ev, "preauth-close",
			    "preauth-close");
		}
		break;
	case 'D':
		if (eat(&p, end, LIT("Disconnected from ")))
			return user_addr_port(p, end, ev, "preauth-close", NULL);
		if (eat(&p, end, LIT("Disconnecting: Too many authentication failures"))) {
			/* No address on this line: the connection's earlier one. */
			if (!conn_recall_src(conn, ev))
				return PR_NONE;
			if (eat(&p, end, LIT(" for "))) {
				const char *ue = end;

				if (ue - p >= 10 && starts(ue - 10, ue, LIT(" [preauth]")))
					ue -= 10;
				if (!eat(&p, ue, LIT("invalid user ")))
					(void)eat(&p, ue, LIT("illegal user "));
				set_user(ev, p, ue);
			}
			return hit(ev, AD_CAT_SSH_BRUTEFORCE, "max-auth");
		}
		if (eat(&p, end, LIT("Disconnecting "))) {
			if ((q = find(p, end, LIT(": "))) == NULL)
				break;
			return user_addr_port(p, q, ev, "max-auth", NULL);
		}
		if (eat(&p, end, LIT("Did not receive identification string from ")))
			return probe_from(p - 5, end, ev, "no-ident");
		break;
	case 'B':
		if (eat(&p, end, LIT("Bad protocol version identification ")))
			return probe_from(p, end, ev, "bad-ident");
		break;
	case 'b':
		if (eat(&p, end, LIT("banner exchange: Connection from ")))
			return probe_from(p - 5, end, ev, "bad-banner");
		break;
	case 'A':
		if (eat(&p, end, LIT("Accepted "))) {
			while (p < end && *p != ' ')
				p++;
			if (eat(&p, end, LIT(" for ")))
				return remember_only(p, end, conn);
			break;
		}
		if (eat(&p, end, LIT("Address ")) &&
		    find(p, end, LIT("POSSIBLE BREAK-IN ATTEMPT"))) {
			struct ad_event tmp;

			/* Recognised, not an event: see the policy above. */
			memset(&tmp, 0, sizeof(tmp));
			if (take_src(&p, end, &tmp, NULL) == PR_EVENT)
				conn_remember(conn, &tmp.src);
			return PR_NONE;
		}
		break;
	case 'r':
		if (eat(&p, end, LIT("reverse mapping checking getaddrinfo for ")) &&
		    find(p, end, LIT("POSSIBLE BREAK-IN ATTEMPT"))) {
			struct ad_event tmp;

			memset(&tmp, 0, sizeof(tmp));
			if ((q = rfind(p, end, LIT(" ["))) != NULL) {
				q += 2;
				if (take_src(&q, end, &tmp, "]") == PR_EVENT)
					conn_remember(conn, &tmp.src);
			}
			return PR_NONE;
		}
		if (eat(&p, end, LIT("refused connect from "))) {
			/* tcpwrappers: "refused connect from HOST (ADDR)" */
			if ((q = rfind(p, end, LIT(" ("))) != NULL) {
				q += 2;
				if ((r = take_src(&q, end, ev, ")")) != PR_EVENT)
					return r;
			} else if ((r = take_src(&p, end, ev, NULL)) != PR_EVENT)
				return r;
			return hit(ev, AD_CAT_SSH_PROBE, "refused");
		}
		break;
	case 'T':
		if (eat(&p, end, LIT("Timeout before authentication for "))) {
			eat(&p, end, LIT("connection from "));
			if ((r = take_src(&p, end, ev, NULL)) != PR_EVENT)
				return r;
			return hit(ev, AD_CAT_SSH_PROBE, "login-timeout");
		}
		break;
	case 's':
		if (eat(&p, end, LIT("ssh_dispatch_run_fatal: Connection from "))) {
			if ((q = find(p, end, LIT(": "))) == NULL)
				break;
			r = user_addr_port(p, q, ev, "protocol-error",
			    "protocol-error");
			if (r == PR_EVENT)
				ev->category = AD_CAT_SSH_PROBE;
			return r;
		}
		break;
	case 'd':
		/* OpenSSH 9.8 PerSourcePenalties. */
		if (eat(&p, end, LIT("drop connection #"))) {
			while (p < end && *p >= '0' && *p <= '9')
				p++;
			if (!eat(&p, end, LIT(" from ")) ||
			    (r = bracket_addr_port(&p, end, ev)) != PR_EVENT)
				return PR_NONE;
			if (find(p, end, LIT("penalty: failed authentication")))
				return hit(ev, AD_CAT_SSH_BRUTEFORCE,
				    "penalty-auth");
			if (find(p, end, LIT("penalty: ")))
				return hit(ev, AD_CAT_SSH_PROBE, "penalty");
			return PR_NONE;
		}
		break;
	case 'M':
		/* Obfuscated-handshake patch: a client without the shared key. */
		if (eat(&p, end, LIT("Magic value check failed")) &&
		    (q = rfind(p, end, LIT(" from "))) != NULL)
			return probe_from(q + 1, end, ev, "bad-handshake");
		break;
	case 'm':
		if (eat(&p, end, LIT("message repeated "))) {
			unsigned times = take_port(&p, end);

			if (times == 0 || !eat(&p, end, LIT(" times: [ ")))
				break;
			if (end > p && end[-1] == ']')
				end--;
			if ((r = sshd_msg(p, (size_t)(end - p), ev, conn)) == PR_EVENT)
				ev->count = times;
			return r;
		}
		break;
	case 'k':
		/* "kernel:[  970.699396]: Failed ..." glued on by some relays */
		if (eat(&p, end, LIT("kernel:"))) {
			(void)eat(&p, end, LIT(" "));
			if (!eat(&p, end, LIT("[")) ||
			    (q = memchr(p, ']', (size_t)(end - p))) == NULL)
				break;
			p = q + 1;
			(void)eat(&p, end, LIT(":"));
			while (p < end && *p == ' ')
				p++;
			return sshd_msg(p, (size_t)(end - p), ev, conn);
		}
		break;
	}
	return PR_NONE;

negotiate:
	/* "Unable to negotiate with ADDR port N: no matching ... found." */
	if ((r = take_src(&p, end, ev, ":")) != PR_EVENT)
		return r;
	opt_port(&p, end, ev);
	return hit(ev, AD_CAT_SSH_PROBE, "kex-failed");
}

static enum pr_result
parse_sshd(struct pline *pl, struct ad_event *ev)
{
	const struct conn *conn = &pl->conn;
	const char *m = pl->msg;
	size_t n = pl->len;
	enum pr_result r;

	tcp_session(ev, "ssh", "sshd");	/* sshd logs after accept() */
	while (n > 0 && (m[n - 1] == ' ' || m[n - 1] == '\r' || m[n - 1] == '\t'))
		n--;		/* CRLF logs, trailing blanks */
	r = sshd_msg(m, n, ev, conn);
	if (r != PR_EVENT)
		return r;
	/* A pre-auth close after failed logins ends that brute force. */
	conn_settle(conn, ev);
	return r;
}

/* A bare message is sshd's unless another family claims it (the default). */
static const char *const sshd_tags[] = {
	"sshd", "sshd-auth", "sshd-session", NULL
};
static const char *const sshd_aliases[] = { "ssh", "openssh", NULL };

static const struct legend sshd_legends[] = {
	{ "sshd",
	  "OpenSSH server (sshd) messages, as written to the system log.\n"
	  "Each line: date and time, our host name, \"sshd[PID]\" (the process\n"
	  "handling one connection), then the message.\n"
	  "\"Failed password for USER from ADDRESS port PORT ssh2\": a login with\n"
	  "a wrong password; \"Invalid user USER\": a login for an account that\n"
	  "does not exist; \"[preauth]\": the connection ended before any login\n"
	  "succeeded. ADDRESS and PORT are the remote (connecting) side.\n" },
	{ NULL, NULL }
};

const struct family fam_sshd = {
	.name = "sshd",
	.aliases = sshd_aliases,
	.tags = sshd_tags,
	.parse = parse_sshd,
	.legends = sshd_legends,
};
