/*
 * parse_sendmail.c - Sendmail: AUTH failures, SMTP attack warnings, rejects.
 *
 * Tags "sm-mta", "sendmail", "sm-acceptingconnections" (the process title
 * some systems log under). Messages start with a queue id ("s1GNXHYB005133:
 * ") or "NOQUEUE: ", which is skipped.
 *
 * Where the address is: Sendmail writes the client as "NAME [ADDR]" or
 * "[ADDR]", optionally followed by " (may be forged)" (NAME is the reverse
 * name that did not resolve back: it proves nothing, the bracket does).
 *  - "NAME [ADDR]: possible SMTP attack: ...", "... did not issue ...",
 *    "rejecting commands from NAME [ADDR] due to ...": the client comes
 *    first, at a fixed position.
 *  - "AUTH failure (MECH): ..., user=USER, relay=NAME [ADDR]": USER is the
 *    client's text and comes before; "relay=" is the last field, so the
 *    *last* ", relay=" whose grammar runs to the end of the line is taken.
 *  - "ruleset=check_rcpt, arg1=<RCPT>, relay=NAME [ADDR], reject=550 ...
 *    <RCPT>... Relaying denied": RCPT is the client's text, before and after
 *    the client: the ", relay=...[ADDR][ (may be forged)], reject=" must be
 *    unique, or the line is ambiguous.
 *
 * Policy:
 *  - "AUTH failure" and "possible SMTP attack: command=AUTH" (Sendmail's
 *    own count of bad AUTH commands): mail-bruteforce; the attack warning
 *    for other commands and "Possible SMTP RCPT flood": mail-spam.
 *  - ruleset rejects with a 5xx reply (relaying denied, unknown user, sender
 *    domain does not exist, access-map rejects), check_relay's 4xx rate and
 *    connection limits, pre-greeting traffic, rejected VRFY/EXPN: mail-spam.
 *  - "[ADDR] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA": not
 *    an event (fail2ban counts it only in its extra/aggressive modes): a
 *    connection that ended before any command, like Postfix's "lost
 *    connection after CONNECT" (monitoring, TLS probes, a broken peer).
 */
#include "parse_int.h"

/* "[NAME ][ADDR][ (may be forged)]" at *pp; advances past it. */
static enum pr_result
relay_at(const char **pp, const char *end, struct ad_event *ev)
{
	const char *p = *pp, *q = p;
	enum pr_result r;

	while (q < end && host_char((unsigned char)*q))
		q++;
	if (q > p && q < end && *q == ' ')
		p = q + 1;
	if (!eat(&p, end, LIT("[")))
		return PR_NONE;
	if (starts(p, end, LIT("IPv6:")))
		p += 5;
	if ((r = take_src(&p, end, ev, "]")) != PR_EVENT)
		return r == PR_HOSTNAME ? PR_BADADDR : r;
	if (!eat(&p, end, LIT("]")))
		return PR_BADADDR;
	(void)eat(&p, end, LIT(" (may be forged)"));
	*pp = p;
	return PR_EVENT;
}

/* "AUTH failure (MECH): TEXT, user=USER, relay=NAME [ADDR]..." */
static enum pr_result
auth_failure(const char *p, const char *end, struct ad_event *ev)
{
	const char *f, *a, *u;
	enum pr_result r;

	/* relay= is Sendmail's last field: the last one is the client */
	if ((f = rfind(p, end, LIT("relay="))) == NULL || f == p ||
	    (f[-1] != ' ' && f[-1] != ','))
		return PR_NONE;
	a = f + 6;
	if ((r = relay_at(&a, end, ev)) != PR_EVENT)
		return r;
	if (a != end)
		return PR_NONE;
	if ((u = rfind(p, f, LIT("user="))) != NULL && u[-1] == ' ') {
		const char *ue = f;

		while (ue > u + 5 && (ue[-1] == ' ' || ue[-1] == ','))
			ue--;
		ev->user = u + 5;
		ev->user_len = (size_t)(ue - ev->user);
	}
	ev->service = "smtp-auth";
	return hit(ev, AD_CAT_MAIL_BRUTEFORCE, "auth-failed");
}

/* "ruleset=check_X, arg1=..., relay=..., reject=CODE ..." */
static enum pr_result
ruleset(const char *p, const char *end, struct ad_event *ev)
{
	const char *f = p, *a, *pick = NULL, *rej;
	struct ad_event tmp;
	unsigned code;
	int n = 0;

	while ((f = find(f, end, LIT(", relay="))) != NULL) {
		a = f + 8;
		tmp = *ev;
		if (relay_at(&a, end, &tmp) == PR_EVENT &&
		    starts(a, end, LIT(", reject="))) {
			if (++n > 1)
				return PR_AMBIGUOUS;
			pick = f + 8;
		}
		f += 8;
	}
	if (pick == NULL)
		return PR_NONE;
	a = pick;
	(void)relay_at(&a, end, ev);
	rej = a + 9;
	code = take_port(&rej, end);
	if (code < 400 || code > 599)
		return PR_NONE;
	ev->status = (uint16_t)code;
	ev->detail = a + 9;
	ev->detail_len = (size_t)(end - a - 9);
	if (code < 500) {
		if (find(rej, end, LIT("rate limit exceeded")) ||
		    find(rej, end, LIT("Too many open connections")))
			return hit(ev, AD_CAT_MAIL_SPAM, "rate-limit");
		return PR_NONE;
	}
	if (find(rej, end, LIT("Relaying denied")))
		return hit(ev, AD_CAT_MAIL_SPAM, "relay-denied");
	if (find(rej, end, LIT("User unknown")) ||
	    find(rej, end, LIT("No such user")))
		return hit(ev, AD_CAT_MAIL_SPAM, "unknown-recipient");
	if (starts(p, end, LIT("check_mail,")))
		return hit(ev, AD_CAT_MAIL_SPAM, "sender-rejected");
	return hit(ev, AD_CAT_MAIL_SPAM, "reject");
}

static enum pr_result
sendmail_msg(const char *p, const char *end, struct ad_event *ev)
{
	const char *q;
	enum pr_result r;

	/* queue id or NOQUEUE */
	for (q = p; q < end && q - p <= 24 &&
	    ((*q >= '0' && *q <= '9') || (*q >= 'A' && *q <= 'Z') ||
	    (*q >= 'a' && *q <= 'z')); q++)
		;
	if (q > p && starts(q, end, LIT(": ")))
		p = q + 2;
	if (end - p < 10)
		return PR_NONE;
	if (eat(&p, end, LIT("AUTH failure (")))
		return auth_failure(p, end, ev);
	if (eat(&p, end, LIT("ruleset=")))
		return ruleset(p, end, ev);
	if (eat(&p, end, LIT("rejecting commands from "))) {
		if ((r = relay_at(&p, end, ev)) != PR_EVENT)
			return r;
		if (!starts(p, end, LIT(" due to pre-greeting traffic")))
			return PR_NONE;
		return hit(ev, AD_CAT_MAIL_SPAM, "pregreet");
	}
	if (eat(&p, end, LIT("Relaying denied. IP name "))) {
		/* SSHGuard's fragment: "... lookup failed [ADDR]" */
		if ((q = rfind(p, end, LIT(" ["))) == NULL || end[-1] != ']')
			return PR_NONE;
		q += 2;
		if ((r = take_src(&q, end, ev, "]")) != PR_EVENT)
			return r;
		if (q + 1 != end)
			return PR_NONE;
		return hit(ev, AD_CAT_MAIL_SPAM, "relay-denied");
	}
	/* "[NAME ][ADDR][ (may be forged)]: possible SMTP attack: ..." */
	if ((r = relay_at(&p, end, ev)) != PR_EVENT)
		return r == PR_BADADDR || r == PR_AMBIGUOUS ? r : PR_NONE;
	if (eat(&p, end, LIT(": possible SMTP attack: command="))) {
		ev->detail = p;
		ev->detail_len = (size_t)(end - p);
		if (starts(p, end, LIT("AUTH,"))) {
			ev->service = "smtp-auth";
			return hit(ev, AD_CAT_MAIL_BRUTEFORCE, "smtp-attack");
		}
		return hit(ev, AD_CAT_MAIL_SPAM, "smtp-attack");
	}
	if (eat(&p, end, LIT(": Possible SMTP RCPT flood")))
		return hit(ev, AD_CAT_MAIL_SPAM, "rcpt-flood");
	if (eat(&p, end, LIT(": ")) &&
	    (starts(p, end, LIT("VRFY ")) || starts(p, end, LIT("EXPN ")) ||
	    starts(p, end, LIT("vrfy ")) || starts(p, end, LIT("expn "))) &&
	    end - p > 11 && memcmp(end - 11, " [rejected]", 11) == 0)
		return hit(ev, AD_CAT_MAIL_SPAM, "vrfy");
	return PR_NONE;
}

static enum pr_result
parse_sendmail(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = pl->msg + pl->len;

	end = trim_end(p, end);
	if (end - p < 12)
		return PR_NONE;
	tcp_session(ev, "smtp", "sendmail");	/* an SMTP session took place */
	return sendmail_msg(p, end, ev);
}

static bool
sendmail_claims(const char *m, size_t n)
{
	return starts(m, m + n, LIT("Relaying denied. IP name "));
}

static const char *const sendmail_tags[] = {
	"sm-mta", "sendmail", "sm-acceptingconnections", NULL
};

static const struct legend sendmail_legends[] = {
	{ "sendmail",
	  "Sendmail mail server messages, as written to the system log by\n"
	  "\"sm-mta[PID]\" or \"sendmail[PID]\". Most start with the queue id of the\n"
	  "message (\"s1GNXHYB005133:\"). The client is written \"NAME [ADDRESS]\":\n"
	  "ADDRESS is the remote (connecting) side; NAME is its reverse DNS name,\n"
	  "\"(may be forged)\" when that name does not resolve back to ADDRESS.\n"
	  "\"AUTH failure (LOGIN): ... user=USER, relay=NAME [ADDRESS]\": a failed\n"
	  "SMTP login as USER. \"possible SMTP attack: command=AUTH, count=5\":\n"
	  "Sendmail counted that many bad commands from the client.\n"
	  "\"ruleset=check_rcpt, arg1=<RECIPIENT>, relay=..., reject=550 5.7.1 ...\n"
	  "Relaying denied\": the client tried to send through us to a foreign\n"
	  "domain; the number after reject= is the SMTP reply. Time stamps are the\n"
	  "server's local time.\n" },
	{ NULL, NULL }
};

const struct family fam_sendmail = {
	.name = "sendmail",
	.tags = sendmail_tags,
	.claims = sendmail_claims,
	.parse = parse_sendmail,
	.legends = sendmail_legends,
};
