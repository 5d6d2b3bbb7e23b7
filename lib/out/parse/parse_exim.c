/*
 * parse_exim.c - Exim: authenticator failures, rejects, protocol abuse.
 *
 * Exim logs to syslog (tags "exim", "exim4") or to its own mainlog, whose
 * lines are "2024-01-01 12:00:00[ +0100][ [PID]][ MSGID] TEXT": the
 * envelope takes such a line as an ISO stamp followed by a bare message
 * ("[PID]" is not a program tag), and exim_claims() recognises the bare
 * message, with or without the stamp (SSHGuard's test lines have none).
 * sa-exim's "MSGID SA: Action: ..." looks like a program tag "SA" to the
 * envelope, hence that tag.
 *
 * Where the address is: Exim writes the client as "H=NAME (HELO) [ADDR]:PORT"
 * (NAME = verified reverse name, may be absent; HELO = what the client said
 * in HELO/EHLO, in parentheses, may be absent), and after "authenticator
 * failed for ", "SMTP call from ", "rejected EHLO from " in the same
 * NAME (HELO) [ADDR] form. The HELO is the client's text, and so is F=<sender>
 * (which may precede H=). The address is read by that grammar only: NAME of
 * host-name characters, HELO without spaces up to the first ')', then
 * " [ADDR]". A second place of the same shape makes the line ambiguous:
 * another " H=" that parses, or another ") [ADDR]" later in the line (a
 * HELO such as "x) [6.6.6.6]:1 F=<a" is always followed by Exim's real
 * ") [ADDR]"), and nobody is accused.
 *
 * Policy:
 *  - "NAME authenticator failed for ... 535 Incorrect authentication data"
 *    and "SMTP protocol error in "AUTH ..." (AUTH not advertised, mechanism
 *    not supported: a password-guessing tool that does not read the EHLO
 *    reply): mail-bruteforce.
 *  - "rejected RCPT/MAIL/after DATA/by local_scan()/connection in ACL",
 *    "rejected EHLO/HELO", relay not permitted, DNSBL and virus/spam
 *    rejects, "SMTP protocol synchronization error", "dropped: too many
 *    syntax or protocol errors / nonmail commands / unrecognized commands",
 *    sa-exim "SA: Action: flagged as Spam / silently tossed / Rejected":
 *    mail-spam.
 *  - "temporarily rejected" only for rate limits ("ratelimit"): other
 *    temporary rejects (greylisting, callout and lookup trouble) are met by
 *    legitimate senders.
 *  - "sender verify fail for <...>" (the sender's domain or mailbox does
 *    not exist): mail-spam, as fail2ban and CrowdSec count it; "sender
 *    verify defer" (a temporary failure) is not an event.
 *  - Delivery lines ("<=", "=>", "->", "**", "==", "Completed"), "SMTP
 *    connection from", "no host name found", TLS errors: never events.
 */
#include "parse_int.h"

static inline bool
alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * "[NAME ][(HELO) ][ADDR][:PORT]" at *pp. Returns PR_EVENT with ev->src set
 * and *pp after the port; PR_NONE if the grammar does not hold.
 */
static enum pr_result
host_at(const char **pp, const char *end, struct ad_event *ev)
{
	const char *p = *pp, *q;
	enum pr_result r;

	q = p;
	while (q < end && host_char((unsigned char)*q))
		q++;
	if (q > p && q < end && *q == ' ')
		p = q + 1;		/* NAME */
	else if (q > p && q < end && *q == '[')
		p = q;			/* "local-host[1.2.3.4]" */
	if (p < end && *p == '(') {
		q = memchr(p, ')', (size_t)(end - p));
		if (q == NULL || memchr(p, ' ', (size_t)(q - p)) != NULL)
			return PR_NONE;
		p = q + 1;
		if (!eat(&p, end, LIT(" ")))
			return PR_NONE;
	}
	if (!eat(&p, end, LIT("[")))
		return PR_NONE;
	if ((r = take_src(&p, end, ev, "]")) != PR_EVENT)
		return r == PR_HOSTNAME ? PR_BADADDR : r;
	if (!eat(&p, end, LIT("]")))
		return PR_BADADDR;
	if (p + 1 < end && *p == ':' && p[1] >= '0' && p[1] <= '9') {
		q = p + 1;
		unsigned port = take_port(&q, end);

		if (port) {
			ev->src_port = (uint16_t)port;
			p = q;
		}
	}
	if (p < end && *p != ' ' && *p != ':' && *p != ',')
		return PR_NONE;
	*pp = p;
	return PR_EVENT;
}

/* Another ") [ADDR]" in [p, end): a HELO tried to name an address. */
static bool
paren_addr_again(const char *p, const char *end)
{
	struct ad_event tmp;
	const char *a;

	while ((p = find(p, end, LIT(") ["))) != NULL) {
		a = p + 3;
		memset(&tmp, 0, sizeof(tmp));
		if (take_src(&a, end, &tmp, "]") == PR_EVENT)
			return true;
		p += 3;
	}
	return false;
}

/* The host after a fixed prefix ("authenticator failed for "). */
static enum pr_result
host_after(const char **pp, const char *end, struct ad_event *ev)
{
	enum pr_result r = host_at(pp, end, ev);

	if (r == PR_EVENT && paren_addr_again(*pp, end))
		return PR_AMBIGUOUS;
	return r;
}

/* The unique "H=" field of the line; *after is set past its address. */
static enum pr_result
h_field(const char *line, const char *end, struct ad_event *ev,
    const char **after)
{
	const char *f = line, *a, *pick = NULL;
	struct ad_event tmp;
	int n = 0;

	while ((f = find(f, end, LIT("H="))) != NULL) {
		if (f == line || f[-1] == ' ') {
			a = f + 2;
			tmp = *ev;
			if (host_at(&a, end, &tmp) == PR_EVENT) {
				if (++n > 1)
					return PR_AMBIGUOUS;
				pick = f + 2;
			}
		}
		f += 2;
	}
	if (pick == NULL)
		return PR_NONE;
	if (host_after(&pick, end, ev) != PR_EVENT)
		return PR_AMBIGUOUS;
	*after = pick;
	return PR_EVENT;
}

static void
set_user(struct ad_event *ev, const char *p, const char *end)
{
	const char *u = rfind(p, end, LIT("(set_id="));

	if (u != NULL && end > u + 8 && end[-1] == ')') {
		ev->user = u + 8;
		ev->user_len = (size_t)(end - 1 - ev->user);
	}
}

/* What a reject is about, from Exim's text or the ACL's message. */
static const char *
reject_kind(const char *p, const char *end)
{
	if (find(p, end, LIT("elay not permitted")))
		return "relay-denied";
	if (find(p, end, LIT("virus")))
		return "virus";
	if (find(p, end, LIT("dnsbl")) || find(p, end, LIT("RBL")) ||
	    find(p, end, LIT("black list")) || find(p, end, LIT("blacklist")) ||
	    find(p, end, LIT("blocklist")) || find(p, end, LIT("spamhaus")))
		return "rbl";
	if (find(p, end, LIT("local_scan")) || find(p, end, LIT("spam")) ||
	    find(p, end, LIT("Spam")))
		return "spam";
	if (find(p, end, LIT("nknown user")) || find(p, end, LIT("No Such User")) ||
	    find(p, end, LIT("Unrouteable address")) ||
	    find(p, end, LIT("no such user")))
		return "unknown-recipient";
	return "reject";
}

/* "... H=... [F=...] rejected ..." and the like. */
static enum pr_result
h_line(const char *p, const char *end, struct ad_event *ev)
{
	const char *after = NULL, *q;
	enum pr_result r;

	if ((r = h_field(p, end, ev, &after)) != PR_EVENT)
		return r;
	if ((q = find(after, end, LIT(" temporarily rejected "))) != NULL) {
		if (find(q, end, LIT("atelimit")) == NULL)
			return PR_NONE;
		ev->detail = q + 1;
		ev->detail_len = (size_t)(end - q - 1);
		return hit(ev, AD_CAT_MAIL_SPAM, "rate-limit");
	}
	if ((q = find(after, end, LIT(" sender verify fail for "))) != NULL) {
		ev->detail = q + 1;
		ev->detail_len = (size_t)(end - q - 1);
		return hit(ev, AD_CAT_MAIL_SPAM, "sender-verify-failed");
	}
	if ((q = find(p, end, LIT(" rejected "))) == NULL &&
	    (q = find(p, end, LIT(" rejected: "))) == NULL) {
		if (find(after, end, LIT("dropped: too many ")))
			return hit(ev, AD_CAT_MAIL_SPAM, "protocol-errors");
		return PR_NONE;
	}
	ev->detail = q + 1;
	ev->detail_len = (size_t)(end - q - 1);
	if (starts(q, end, LIT(" rejected connection in ")))
		return hit(ev, AD_CAT_MAIL_SPAM, "connect-rejected");
	return hit(ev, AD_CAT_MAIL_SPAM, reject_kind(q, end));
}

/* sa-exim: "Action: ... From <S> (host=NAME [ADDR]) for RCPT" */
static enum pr_result
sa_action(const char *p, const char *end, struct ad_event *ev)
{
	const char *f = p, *a, *pick = NULL, *q;
	struct ad_event tmp;
	int n = 0;

	if (!(starts(p, end, LIT("flagged as Spam")) ||
	    starts(p, end, LIT("silently tossed")) ||
	    starts(p, end, LIT("Rejected")) ||
	    starts(p, end, LIT("rejected")) ||
	    starts(p, end, LIT("teergrubed"))))
		return PR_NONE;
	/* the sender and the Message-Id before it, the recipients after it,
	 * are the client's text: "(host=... [ADDR]) for " must be unique */
	while ((f = find(f, end, LIT(" (host="))) != NULL) {
		a = f + 7;
		while (a < end && *a != ' ' && *a != '[' && *a != ')')
			a++;
		(void)eat(&a, end, LIT(" "));
		tmp = *ev;
		if (eat(&a, end, LIT("[")) &&
		    take_src(&a, end, &tmp, "]") == PR_EVENT &&
		    starts(a, end, LIT("]) for "))) {
			if (++n > 1)
				return PR_AMBIGUOUS;
			pick = f + 7;
		}
		f += 7;
	}
	if (pick == NULL)
		return PR_NONE;
	q = memchr(pick, '[', (size_t)(end - pick));
	q++;
	(void)take_src(&q, end, ev, "]");
	ev->detail = p;
	ev->detail_len = (size_t)(end - p);
	return hit(ev, AD_CAT_MAIL_SPAM, "spam");
}

/* Skips "+ZZZZ ", "[PID] " and a message id ("1Ai79e-0000Dq-8i", "1rH0Oi-000000005Tm-1Xbc"). */
static const char *
skip_ids(const char *p, const char *end)
{
	const char *q;

	/* log_timezone: "+0100 " after the stamp */
	if (end - p > 6 && (*p == '+' || *p == '-') && p[5] == ' ' &&
	    p[1] >= '0' && p[1] <= '9' && p[4] >= '0' && p[4] <= '9')
		p += 6;
	if (p < end && *p == '[') {
		for (q = p + 1; q < end && *q >= '0' && *q <= '9'; q++)
			;
		if (q > p + 1 && starts(q, end, LIT("] ")))
			p = q + 2;
	}
	q = p;
	if (end - q >= 17 && alnum((unsigned char)q[0]) && q[6] == '-') {
		const char *d2 = memchr(q + 7, '-', (size_t)(end - q - 7 < 14 ? end - q - 7 : 14));
		const char *e = d2 ? memchr(d2, ' ', (size_t)(end - d2 < 8 ? end - d2 : 8)) : NULL;

		if (d2 != NULL && e != NULL && (d2 - q == 13 || d2 - q == 18) &&
		    (e - d2 == 3 || e - d2 == 5))
			p = e + 1;
	}
	return p;
}

static enum pr_result
exim_msg(const char *p, const char *end, struct ad_event *ev)
{
	const char *q;
	enum pr_result r;

	if (eat(&p, end, LIT("Action: ")))
		return sa_action(p, end, ev);		/* tag "SA" */
	p = skip_ids(p, end);
	if (end - p < 8)
		return PR_NONE;
	/* delivery lines: never events */
	if (p[2] == ' ' && ((p[0] == '<' && p[1] == '=') || (p[0] == '=' &&
	    (p[1] == '>' || p[1] == '=')) || (p[0] == '-' && p[1] == '>') ||
	    (p[0] == '*' && p[1] == '*')))
		return PR_NONE;
	if (eat(&p, end, LIT("SA: Action: ")))
		return sa_action(p, end, ev);
	if (starts(p, end, LIT("SMTP "))) {
		if (eat(&p, end, LIT("SMTP protocol error in \"AUTH"))) {
			if ((r = h_field(p, end, ev, &q)) != PR_EVENT)
				return r;
			return hit(ev, AD_CAT_MAIL_BRUTEFORCE, "auth-protocol-error");
		}
		if (eat(&p, end, LIT("SMTP protocol synchronization error"))) {
			if ((r = h_field(p, end, ev, &q)) != PR_EVENT)
				return r;
			return hit(ev, AD_CAT_MAIL_SPAM, "sync-error");
		}
		if (eat(&p, end, LIT("SMTP call from "))) {
			if ((r = host_after(&p, end, ev)) != PR_EVENT)
				return r;
			if (!find(p, end, LIT(" dropped: too many ")))
				return PR_NONE;
			return hit(ev, AD_CAT_MAIL_SPAM, "protocol-errors");
		}
		return PR_NONE;
	}
	if (eat(&p, end, LIT("rejected EHLO from ")) ||
	    eat(&p, end, LIT("rejected HELO from "))) {
		if ((r = host_after(&p, end, ev)) != PR_EVENT)
			return r;
		return hit(ev, AD_CAT_MAIL_SPAM, "helo-rejected");
	}
	/* "NAME authenticator failed for HOST: 535 ..." (NAME may be absent) */
	q = p;
	while (q < end && *q != ' ' && q - p < 64)
		q++;
	if (starts(q, end, LIT(" authenticator failed for ")))
		p = q + 26;
	else if (!eat(&p, end, LIT("authenticator failed for ")))
		return h_line(p, end, ev);
	if ((r = host_after(&p, end, ev)) != PR_EVENT)
		return r;
	set_user(ev, p, end);
	ev->service = "smtp-auth";
	return hit(ev, AD_CAT_MAIL_BRUTEFORCE, "auth-failed");
}

static enum pr_result
parse_exim(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = pl->msg + pl->len;

	end = trim_end(p, end);
	if (end - p < 12)
		return PR_NONE;
	tcp_session(ev, "smtp", "exim");	/* an SMTP session took place */
	return exim_msg(p, end, ev);
}

/* A bare message (a mainlog line after its stamp, or no stamp at all). */
static bool
exim_claims(const char *m, size_t n)
{
	const char *p = m, *end = m + n, *q;

	p = skip_ids(p, end);
	if (starts(p, end, LIT("H=")) || starts(p, end, LIT("F=")) ||
	    starts(p, end, LIT("SMTP protocol error in ")) ||
	    starts(p, end, LIT("SMTP protocol synchronization error")) ||
	    starts(p, end, LIT("SMTP call from ")) ||
	    starts(p, end, LIT("SA: Action: ")) ||
	    starts(p, end, LIT("rejected EHLO from ")) ||
	    starts(p, end, LIT("rejected HELO from ")) ||
	    starts(p, end, LIT("authenticator failed for ")))
		return true;
	for (q = p; q < end && *q != ' ' && q - p < 64; q++)
		;
	return starts(q, end, LIT(" authenticator failed for "));
}

static const char *const exim_tags[] = { "exim", "exim4", "SA", NULL };

static const struct legend exim_legends[] = {
	{ "exim",
	  "Exim mail server log (mainlog, or the same text in the system log).\n"
	  "A line: date and time (the server's local time unless an offset\n"
	  "follows), optionally [PID], optionally a message id (\"1Ai79e-0000Dq-8i\"),\n"
	  "then the event. The client is written \"H=NAME (HELO) [ADDRESS]:PORT\":\n"
	  "ADDRESS and PORT are the remote (connecting) side, NAME its verified\n"
	  "reverse DNS name, HELO what the client called itself (unverified).\n"
	  "I=[ADDRESS]:PORT is our side, F=<SENDER> the sender the client claimed.\n"
	  "\"NAME authenticator failed for ... 535 Incorrect authentication data\n"
	  "(set_id=USER)\": a failed SMTP login as USER. \"rejected RCPT <X>: TEXT\":\n"
	  "the server refused a recipient (relaying, blocklists, unknown users);\n"
	  "\"rejected after DATA\" / \"rejected by local_scan()\": the message itself\n"
	  "was refused (virus, spam); \"dropped: too many syntax or protocol\n"
	  "errors\": the client did not speak SMTP properly. \"SA: Action: ...\n"
	  "(host=NAME [ADDRESS])\": SpamAssassin (sa-exim) verdict on a message.\n" },
	{ NULL, NULL }
};

const struct family fam_exim = {
	.name = "exim",
	.tags = exim_tags,
	.claims = exim_claims,
	.parse = parse_exim,
	.legends = exim_legends,
};
