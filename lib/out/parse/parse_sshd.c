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
 *    failures, reverse-mapping "POSSIBLE BREAK-IN ATTEMPT") are events of
 *    the separate category ssh-probe, so a scan is not called brute force.
 */
#include "parse_int.h"

#define K(s)	(s)

static void
set_user(struct ad_event *ev, const char *u, const char *uend)
{
	if (uend > u) {
		ev->user = u;
		ev->user_len = (size_t)(uend - u);
	}
}

static enum pr_result
hit(struct ad_event *ev, enum ad_category cat, const char *kind)
{
	ev->category = cat;
	ev->kind = kind;
	return PR_EVENT;
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
 * "... for [invalid user |illegal user ]USER from ADDR[ port N]..." with
 * `u` at USER. Takes the last " from ".
 */
static enum pr_result
user_from(const char *u, const char *end, struct ad_event *ev,
    enum ad_category cat, const char *kind)
{
	const char *f, *p;
	enum pr_result r;

	if ((f = rfind(u, end, LIT(" from "))) == NULL) {
		/* Empty user: "Invalid user  from 1.2.3.4" still has the space. */
		if (starts(u, end, LIT("from ")))
			f = u - 1;
		else
			return PR_NONE;
	}
	if (!eat(&u, f, LIT("invalid user ")))
		(void)eat(&u, f, LIT("illegal user "));
	set_user(ev, u, f);
	p = f + 6;
	if ((r = take_src(&p, end, ev, ",;")) != PR_EVENT)
		return r;
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

/* "... rhost=ADDR[  user=USER]" of pam_unix. */
static enum pr_result
pam_rhost(const char *p, const char *end, struct ad_event *ev)
{
	const char *r = find(p, end, LIT("rhost="));
	const char *u;
	enum pr_result res;

	if (r == NULL)
		return PR_NONE;
	r += 6;
	if (r == end || *r == ' ')
		return PR_NONE;		/* local login: no remote host */
	if ((res = take_src(&r, end, ev, NULL)) != PR_EVENT)
		return res;
	if ((u = find(r, end, LIT("user="))) != NULL) {
		const char *ue = u + 5;

		while (ue < end && *ue != ' ')
			ue++;
		set_user(ev, u + 5, ue);
	}
	return hit(ev, AD_CAT_SSH_BRUTEFORCE, K("pam-failure"));
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
	return hit(ev, AD_CAT_SSH_BRUTEFORCE, K("client-auth-fail"));
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

enum pr_result
parse_sshd(const char *m, size_t n, struct ad_event *ev)
{
	const char *p = m, *end = m + n, *q;
	enum pr_result r;

	ev->service = "ssh";
	ev->format = "sshd";
	ev->proto = AD_PROTO_TCP;
	ev->evidence = AD_EVIDENCE_PROVEN;	/* sshd logs after accept() */
	if (n < 10)
		return PR_NONE;
	switch (*p) {
	case 'F':
		if (!eat(&p, end, LIT("Failed ")))
			break;
		/* method: password, publickey, keyboard-interactive/pam, none, ... */
		while (p < end && *p != ' ')
			p++;
		if (!eat(&p, end, LIT(" for ")))
			break;
		if (starts(p, end, LIT("<invalid username> ")))
			p += sizeof("<invalid username>") - 1;
		return user_from(p, end, ev, AD_CAT_SSH_BRUTEFORCE, K("failed-auth"));
	case 'I':
		if (eat(&p, end, LIT("Invalid user ")) ||
		    eat(&p, end, LIT("Illegal user ")))
			return user_from(p, end, ev, AD_CAT_SSH_BRUTEFORCE,
			    K("invalid-user"));
		break;
	case 'U':
		if (eat(&p, end, LIT("User "))) {
			if ((q = rfind(p, end, LIT(" not allowed because "))) == NULL)
				break;
			return user_from(p, q, ev, AD_CAT_SSH_BRUTEFORCE,
			    K("user-not-allowed"));
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
			return hit(ev, AD_CAT_SSH_BRUTEFORCE, K("root-refused"));
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
				    AD_CAT_SSH_BRUTEFORCE, K("pam-failure"));
			break;
		}
		if (eat(&p, end, LIT("maximum authentication attempts exceeded for ")))
			return user_from(p, end, ev, AD_CAT_SSH_BRUTEFORCE,
			    K("max-auth"));
		if (eat(&p, end, LIT("Received disconnect from ")))
			return received_disconnect(p, end, ev);
		if (eat(&p, end, LIT("kex_exchange_identification: ")) ||
		    eat(&p, end, LIT("Bad protocol version identification ")))
			return probe_from(p, end, ev, K("bad-ident"));
		break;
	case 'f':
		/* "fatal: Unable to negotiate ...", "fatal: Timeout before ..." */
		if (eat(&p, end, LIT("fatal: ")))
			return parse_sshd(p, (size_t)(end - p), ev);
		break;
	case 'p':
		if (eat(&p, end, LIT("pam_unix(sshd:auth): authentication failure;")) ||
		    eat(&p, end, LIT("pam_unix(sshd-session:auth): authentication failure;")))
			return pam_rhost(p, end, ev);
		break;
	case 'P':
		if (eat(&p, end, LIT("PAM "))) {
			unsigned more = take_port(&p, end);

			if (more == 0 || !eat(&p, end, LIT(" more authentication failure")))
				break;
			if ((r = pam_rhost(p, end, ev)) == PR_EVENT)
				ev->count = more;
			return r;
		}
		break;
	case 'C':
		if (eat(&p, end, LIT("Connection closed by ")) ||
		    eat(&p, end, LIT("Connection reset by "))) {
			/* Only before authentication: after it, a session ended. */
			if (!find(p, end, LIT("[preauth]")))
				return PR_NONE;
			return user_addr_port(p, end, ev, K("preauth-close"),
			    K("preauth-close"));
		}
		break;
	case 'D':
		if (eat(&p, end, LIT("Disconnected from ")))
			return user_addr_port(p, end, ev, K("preauth-close"), NULL);
		if (eat(&p, end, LIT("Disconnecting "))) {
			if ((q = find(p, end, LIT(": "))) == NULL)
				break;
			return user_addr_port(p, q, ev, K("max-auth"), NULL);
		}
		if (eat(&p, end, LIT("Did not receive identification string from ")))
			return probe_from(p - 5, end, ev, K("no-ident"));
		break;
	case 'B':
		if (eat(&p, end, LIT("Bad protocol version identification ")))
			return probe_from(p, end, ev, K("bad-ident"));
		break;
	case 'b':
		if (eat(&p, end, LIT("banner exchange: Connection from ")))
			return probe_from(p - 5, end, ev, K("bad-banner"));
		break;
	case 'A':
		if (eat(&p, end, LIT("Address ")) &&
		    find(p, end, LIT("POSSIBLE BREAK-IN ATTEMPT"))) {
			if ((r = take_src(&p, end, ev, NULL)) != PR_EVENT)
				return r;
			return hit(ev, AD_CAT_SSH_PROBE, K("reverse-mapping"));
		}
		break;
	case 'r':
		if (eat(&p, end, LIT("reverse mapping checking getaddrinfo for ")) &&
		    find(p, end, LIT("POSSIBLE BREAK-IN ATTEMPT"))) {
			if ((q = rfind(p, end, LIT(" ["))) == NULL)
				break;
			q += 2;
			if ((r = take_src(&q, end, ev, "]")) != PR_EVENT)
				return r;
			return hit(ev, AD_CAT_SSH_PROBE, K("reverse-mapping"));
		}
		if (eat(&p, end, LIT("refused connect from "))) {
			/* tcpwrappers: "refused connect from HOST (ADDR)" */
			if ((q = rfind(p, end, LIT(" ("))) != NULL) {
				q += 2;
				if ((r = take_src(&q, end, ev, ")")) != PR_EVENT)
					return r;
			} else if ((r = take_src(&p, end, ev, NULL)) != PR_EVENT)
				return r;
			return hit(ev, AD_CAT_SSH_PROBE, K("refused"));
		}
		break;
	case 'T':
		if (eat(&p, end, LIT("Timeout before authentication for "))) {
			eat(&p, end, LIT("connection from "));
			if ((r = take_src(&p, end, ev, NULL)) != PR_EVENT)
				return r;
			return hit(ev, AD_CAT_SSH_PROBE, K("login-timeout"));
		}
		break;
	case 's':
		if (eat(&p, end, LIT("ssh_dispatch_run_fatal: Connection from "))) {
			if ((q = find(p, end, LIT(": "))) == NULL)
				break;
			r = user_addr_port(p, q, ev, K("protocol-error"),
			    K("protocol-error"));
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
				    K("penalty-auth"));
			if (find(p, end, LIT("penalty: ")))
				return hit(ev, AD_CAT_SSH_PROBE, K("penalty"));
			return PR_NONE;
		}
		break;
	case 'M':
		/* Obfuscated-handshake patch: a client without the shared key. */
		if (eat(&p, end, LIT("Magic value check failed")) &&
		    (q = rfind(p, end, LIT(" from "))) != NULL)
			return probe_from(q + 1, end, ev, K("bad-handshake"));
		break;
	case 'm':
		if (eat(&p, end, LIT("message repeated "))) {
			unsigned times = take_port(&p, end);

			if (times == 0 || !eat(&p, end, LIT(" times: [ ")))
				break;
			if (end > p && end[-1] == ']')
				end--;
			if ((r = parse_sshd(p, (size_t)(end - p), ev)) == PR_EVENT)
				ev->count = times;
			return r;
		}
		break;
	}
	return PR_NONE;

negotiate:
	/* "Unable to negotiate with ADDR port N: no matching ... found." */
	if ((r = take_src(&p, end, ev, ":")) != PR_EVENT)
		return r;
	opt_port(&p, end, ev);
	return hit(ev, AD_CAT_SSH_PROBE, K("kex-failed"));
}
