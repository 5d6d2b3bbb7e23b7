/*
 * parse_postfix.c - Postfix smtpd, postscreen and cleanup messages.
 *
 * Tags: "postfix" matches "postfix/smtpd", "postfix/submission/smtpd",
 * "postfix/postscreen" (the part before the '/'); a multi-instance
 * syslog_name such as "postfix-incoming/smtpd" reaches us through
 * parser.c's "before the '-'" rule for tags with a '/'.
 *
 * Where the address is: Postfix writes the client as NAME[ADDR] (smtpd:
 * "RCPT from mail.example.com[192.0.2.1]:" or "warning: unknown[192.0.2.1]:")
 * or [ADDR]:PORT (postscreen). NAME is the client's verified reverse name
 * or "unknown"; Postfix only keeps names of host-name characters, so the
 * address is the bracket right after NAME at the fixed position that
 * follows Postfix's own prefix ("reject: RCPT from ", "warning: ",
 * "PREGREET 14 after 0.08 from "). Everything after it (the reply text,
 * from=<>, to=<>, helo=<>, the pregreet bytes) is client-controlled and
 * never read for an address: "helo=<[198.51.100.17]>" or "Client host
 * [2.3.4.5] blocked" in the reply text cannot move the accusation. If NAME
 * holds anything but host-name characters the line is not what Postfix
 * writes, and nobody is accused (malformed address). cleanup's header/body
 * rejects put client text *before* the client ("reject: header Subject: ...
 * from NAME[ADDR]; from=<...>"): there the candidate " from NAME[ADDR];
 * from=<" must be unique, otherwise the line is ambiguous.
 *
 * Policy (categories mail-bruteforce and mail-spam):
 *  - "warning: NAME[ADDR]: SASL MECH authentication failed: ..." is
 *    mail-bruteforce, except the reasons "Connection lost to authentication
 *    server" (our SASL server failed) and "Invalid authentication mechanism"
 *    (the client asked for a mechanism we do not offer: a broken client, not
 *    a password guess; fail2ban agrees outside its aggressive mode).
 *  - "reject:"/"milter-reject:" of any SMTP command is mail-spam when the
 *    reply is permanent (5xx), except 552 (message too big, mailbox full:
 *    a legitimate sender); a temporary (4xx) reply only when its text names
 *    a policy decision about the client: "Client host rejected", "Helo
 *    command rejected", "Sender address rejected", "Relay access denied",
 *    "blocked using" (RBL), "Service unavailable", "User unknown", "Domain
 *    not found" (a recipient domain that does not exist: relaying to it). Greylisting
 *    ("Greylisted", "try again later") and temporary lookup failures are the
 *    first attempt of legitimate senders: never events.
 *  - "improper command pipelining after", "too many errors after",
 *    "non-SMTP command from" (HTTP requests to port 25), "Connection rate
 *    limit exceeded" and other anvil limits: mail-spam.
 *  - postscreen: PREGREET, HANGUP (in tests), COMMAND PIPELINING, BARE
 *    NEWLINE, NON-SMTP COMMAND, COMMAND TIME/COUNT/LENGTH LIMIT, DNSBL rank,
 *    BLACKLISTED/DENYLISTED: mail-spam. PASS, CONNECT, WHITELISTED: no.
 *  - "lost connection after CMD" (AUTH included) and "disconnect from ...
 *    auth=0/1": not events. A failed AUTH is counted on its own SASL line;
 *    counting the drop that follows would count it twice, and a client that
 *    drops after CONNECT or EHLO (monitoring, TLS probes, a mail server
 *    whose connection broke) has done nothing hostile. fail2ban counts
 *    these only in its ddos mode (and never "after AUTH"); SSHGuard counts
 *    "lost connection after AUTH" (a disputed shape in docs/accuracy.md).
 *  - "warning: hostname X does not resolve to address Y": not an event, it
 *    describes DNS, not what the client did.
 */
#include "parse_int.h"

/*
 * "NAME[ADDR]" or "[ADDR]" at *pp, then an optional ":PORT". NAME may be
 * empty (postscreen). Advances *pp past it.
 */
static enum pr_result
client(const char **pp, const char *end, struct ad_event *ev)
{
	const char *p = *pp;
	enum pr_result r;

	while (p < end && host_char((unsigned char)*p))
		p++;
	if (p >= end || *p != '[')
		return PR_BADADDR;
	p++;
	if ((r = take_src(&p, end, ev, "]")) != PR_EVENT)
		return r == PR_HOSTNAME ? PR_BADADDR : r;
	if (!eat(&p, end, LIT("]")))
		return PR_BADADDR;
	if (p + 1 < end && *p == ':' && p[1] >= '0' && p[1] <= '9') {
		const char *q = p + 1;
		unsigned port = take_port(&q, end);

		if (port) {
			ev->src_port = (uint16_t)port;
			p = q;
		}
	}
	*pp = p;
	return PR_EVENT;
}

/* The reply code at p ("554 5.7.1 ..."): 200..599, or 0. */
static unsigned
reply_code(const char *p, const char *end)
{
	if (end - p < 4 || p[0] < '2' || p[0] > '5' || p[1] < '0' ||
	    p[1] > '9' || p[2] < '0' || p[2] > '9' || p[3] != ' ')
		return 0;
	return (unsigned)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
}

/* A temporary reject that is a decision about the client: see the policy. */
static const char *
reject_kind(const char *p, const char *end, unsigned code)
{
	if (find(p, end, LIT("reylist")) || find(p, end, LIT("ry again later")) ||
	    find(p, end, LIT("emporary lookup failure")) ||
	    find(p, end, LIT("nsufficient system storage")))
		return code >= 500 ? "reject" : NULL;
	if (find(p, end, LIT(" blocked using ")))
		return "rbl";
	if (find(p, end, LIT("Relay access denied")))
		return "relay-denied";
	if (find(p, end, LIT("Helo command rejected")))
		return "helo-rejected";
	if (find(p, end, LIT("Sender address rejected")))
		return "sender-rejected";
	if (find(p, end, LIT("Client host rejected")))
		return "client-rejected";
	if (find(p, end, LIT("User unknown")) ||
	    find(p, end, LIT("ndeliverable address")))
		return "unknown-recipient";
	if (find(p, end, LIT("Domain not found")) ||
	    find(p, end, LIT("Host not found")))
		return "domain-not-found";
	if (find(p, end, LIT("Service unavailable")))
		return "rbl";
	if (code >= 500)
		return "reject";
	return NULL;
}

/*
 * After "reject: " or "milter-reject: ": "CMD from NAME[ADDR][:PORT]: CODE
 * TEXT". cleanup's "header"/"body" rejects go to cleanup_reject().
 */
static enum pr_result
smtpd_reject(const char *p, const char *end, struct ad_event *ev)
{
	const char *kind, *text;
	unsigned code;
	enum pr_result r;

	while (p < end && ((*p >= 'A' && *p <= 'Z') || *p == '-'))
		p++;		/* RCPT, EHLO, END-OF-MESSAGE, ... */
	if (!eat(&p, end, LIT(" from ")))
		return PR_NONE;
	if ((r = client(&p, end, ev)) != PR_EVENT)
		return r;
	if (!eat(&p, end, LIT(": ")))
		return PR_NONE;
	text = p;
	if ((code = reply_code(p, end)) != 0) {
		ev->status = (uint16_t)code;
		p += 4;
	} else if (end - p > 6 && (*p == '4' || *p == '5') && p[1] == '.' &&
	    p[2] >= '0' && p[2] <= '9') {
		/* END-OF-MESSAGE milter rejects: "5.7.1 Command rejected" */
		code = *p == '5' ? 500 : 400;
	}
	if (code < 400 || code == 552)
		return PR_NONE;
	if ((kind = reject_kind(p, end, code)) == NULL)
		return PR_NONE;
	ev->detail = text;
	ev->detail_len = (size_t)(end - text);
	return hit(ev, AD_CAT_MAIL_SPAM, kind);
}

/*
 * cleanup: "reject: header|body TEXT from NAME[ADDR]; from=<S> to=<R>
 * proto=P helo=<H>: 5.7.1 TEXT". TEXT precedes the client: the candidate
 * must be unique (see the header comment).
 */
static enum pr_result
cleanup_reject(const char *p, const char *end, struct ad_event *ev)
{
	const char *f = p, *c, *pick = NULL, *q;
	struct ad_event tmp;
	int n = 0;

	while ((f = find(f, end, LIT(" from "))) != NULL) {
		c = f + 6;
		tmp = *ev;
		if (client(&c, end, &tmp) == PR_EVENT &&
		    starts(c, end, LIT("; from=<"))) {
			if (++n > 1)
				return PR_AMBIGUOUS;
			pick = f + 6;
		}
		f += 6;
	}
	if (pick == NULL)
		return PR_NONE;
	/* The status after "helo=<...>: " must be permanent. */
	if ((q = rfind(pick, end, LIT(">: 5."))) == NULL)
		return PR_NONE;
	ev->detail = p;
	ev->detail_len = (size_t)(pick - 6 - p);
	(void)client(&pick, end, ev);
	return hit(ev, AD_CAT_MAIL_SPAM, "content-rejected");
}

/* "CMD from NAME[ADDR]..." after "improper command pipelining after " etc. */
static enum pr_result
after_cmd_from(const char *p, const char *end, struct ad_event *ev,
    const char *kind)
{
	enum pr_result r;

	while (p < end && ((*p >= 'A' && *p <= 'Z') || *p == '-'))
		p++;
	if (!eat(&p, end, LIT(" from ")))
		return PR_NONE;
	if ((r = client(&p, end, ev)) != PR_EVENT)
		return r;
	if (p < end && *p != ':' && *p != ' ')
		return PR_NONE;
	return hit(ev, AD_CAT_MAIL_SPAM, kind);
}

/* "warning: ..." of smtpd. */
static enum pr_result
warning(const char *p, const char *end, struct ad_event *ev)
{
	const char *q;
	enum pr_result r;

	if (eat(&p, end, LIT("non-SMTP command from "))) {
		if ((r = client(&p, end, ev)) != PR_EVENT)
			return r;
		if (eat(&p, end, LIT(": "))) {
			ev->detail = p;
			ev->detail_len = (size_t)(end - p);
		}
		return hit(ev, AD_CAT_MAIL_SPAM, "non-smtp-command");
	}
	if (starts(p, end, LIT("Connection rate limit exceeded: ")) ||
	    starts(p, end, LIT("Connection concurrency limit exceeded: ")) ||
	    starts(p, end, LIT("Message delivery request rate limit exceeded: ")) ||
	    starts(p, end, LIT("New TLS session rate limit exceeded: ")) ||
	    starts(p, end, LIT("Recipient address rate limit exceeded: ")) ||
	    starts(p, end, LIT("AUTH command rate limit exceeded: "))) {
		/* "...: 31 from NAME[ADDR] for service smtpd" */
		if ((q = find(p, end, LIT(" from "))) == NULL)
			return PR_NONE;
		q += 6;
		if ((r = client(&q, end, ev)) != PR_EVENT)
			return r;
		if (!starts(q, end, LIT(" for service ")))
			return PR_NONE;
		return hit(ev, AD_CAT_MAIL_SPAM, "rate-limit");
	}
	/* "NAME[ADDR][:PORT]: SASL MECH authentication failed: REASON" */
	q = p;
	while (q < end && host_char((unsigned char)*q))
		q++;
	if (q >= end || *q != '[')
		return PR_NONE;
	if ((q = find(q, end, LIT(": SASL "))) == NULL)
		return PR_NONE;
	if ((r = client(&p, end, ev)) != PR_EVENT)
		return r;
	if (!eat(&p, end, LIT(": SASL ")))
		return PR_NONE;
	while (p < end && *p != ' ')
		p++;		/* the mechanism: LOGIN, PLAIN, CRAM-MD5, ... */
	if (!eat(&p, end, LIT(" authentication failed:")))
		return PR_NONE;
	if (eat(&p, end, LIT(" ")) &&
	    (starts(p, end, LIT("Connection lost to authentication server")) ||
	    starts(p, end, LIT("Invalid authentication mechanism"))))
		return PR_NONE;
	if ((q = find(p, end, LIT("sasl_username="))) != NULL) {
		ev->user = q + 14;
		ev->user_len = (size_t)(end - ev->user);
	}
	ev->service = "smtp-auth";
	return hit(ev, AD_CAT_MAIL_BRUTEFORCE, "sasl-failed");
}

/*
 * postscreen: "WORD ... from [ADDR]:PORT..." / "DNSBL rank N for [ADDR]:PORT".
 * Its "NOQUEUE: reject: RCPT from [ADDR]:PORT: ..." is smtpd's form.
 */
static enum pr_result
postscreen(const char *p, const char *end, struct ad_event *ev)
{
	static const struct {
		const char *prefix;
		size_t len;
		const char *kind;
	} tests[] = {
		{ LIT("PREGREET "), "pregreet" },
		{ LIT("HANGUP after "), "hangup" },
		{ LIT("COMMAND PIPELINING from "), "pipelining" },
		{ LIT("BARE NEWLINE from "), "bare-newline" },
		{ LIT("NON-SMTP COMMAND from "), "non-smtp-command" },
		{ LIT("COMMAND TIME LIMIT from "), "command-limit" },
		{ LIT("COMMAND COUNT LIMIT from "), "command-limit" },
		{ LIT("COMMAND LENGTH LIMIT from "), "command-limit" },
		{ LIT("DNSBL rank "), "dnsbl" },
		{ LIT("BLACKLISTED "), "denylisted" },
		{ LIT("DENYLISTED "), "denylisted" },
	};
	const char *q;
	size_t i;
	enum pr_result r;

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (!eat(&p, end, tests[i].prefix, tests[i].len))
			continue;
		q = p;
		if (tests[i].prefix[0] == 'P' || tests[i].prefix[0] == 'H') {
			/* "PREGREET 14 after 0.08 from ", "HANGUP after 0.07 from " */
			if ((q = find(p, end, LIT(" from ["))) == NULL ||
			    q - p > 40)
				return PR_NONE;
			q += 6;
		} else if (tests[i].prefix[0] == 'D' && tests[i].prefix[1] == 'N') {
			/* "DNSBL rank 3 for [ADDR]:PORT" */
			if (take_port(&q, end) == 0 || !eat(&q, end, LIT(" for ")))
				return PR_NONE;
		}
		if (q >= end || *q != '[')
			return PR_NONE;
		if ((r = client(&q, end, ev)) != PR_EVENT)
			return r;
		if (q < end && *q != ' ' && *q != ':')
			return PR_NONE;
		if (q + 2 < end && *q == ':') {
			ev->detail = q + 2;	/* the client's bytes */
			ev->detail_len = (size_t)(end - q - 2);
		}
		ev->format = "postscreen";
		return hit(ev, AD_CAT_MAIL_SPAM, tests[i].kind);
	}
	return PR_NONE;
}

static enum pr_result
postfix_msg(const char *p, const char *end, struct ad_event *ev)
{
	const char *q;
	enum pr_result r;

	switch (*p) {
	case 'w':
		if (eat(&p, end, LIT("warning: ")))
			return warning(p, end, ev);
		break;
	case 'i':
		if (eat(&p, end, LIT("improper command pipelining after ")))
			return after_cmd_from(p, end, ev, "pipelining");
		break;
	case 't':
		if (eat(&p, end, LIT("too many errors after ")))
			return after_cmd_from(p, end, ev, "too-many-errors");
		break;
	case 'P': case 'H': case 'C': case 'B': case 'N': case 'D':
		if ((r = postscreen(p, end, ev)) != PR_NONE)
			return r;
		memset(&ev->src, 0, sizeof(ev->src));
		ev->src_port = 0;
		break;
	}
	/* "QUEUEID: reject: ..." / "NOQUEUE: milter-reject: ..." */
	q = p;
	while (q < end && ((*q >= '0' && *q <= '9') || (*q >= 'A' && *q <= 'Z') ||
	    (*q >= 'a' && *q <= 'z')) && q - p < 32)
		q++;
	if (q == p || !eat(&q, end, LIT(": ")))
		return PR_NONE;
	if (eat(&q, end, LIT("reject: ")) || eat(&q, end, LIT("milter-reject: "))) {
		if (starts(q, end, LIT("header ")) || starts(q, end, LIT("body ")))
			return cleanup_reject(q, end, ev);
		return smtpd_reject(q, end, ev);
	}
	return PR_NONE;
}

static enum pr_result
parse_postfix(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = pl->msg + pl->len;
	const struct envelope *env = pl->env;

	end = trim_end(p, end);
	if (end - p < 12)
		return PR_NONE;
	tcp_session(ev, "smtp", "postfix");	/* an SMTP session took place */
	if (env != NULL && env->prog_len > 11 &&
	    memcmp(env->prog + env->prog_len - 11, "/postscreen", 11) == 0)
		ev->format = "postscreen";
	return postfix_msg(p, end, ev);
}

static const char *const postfix_tags[] = { "postfix", NULL };

static const struct legend postfix_legends[] = {
	{ "postfix",
	  "Postfix mail server messages, as written to the system log by\n"
	  "\"postfix/smtpd[PID]\" (one process per SMTP client; the part between\n"
	  "the slashes names the service, e.g. submission). The client appears as\n"
	  "NAME[ADDRESS]: ADDRESS is the remote (connecting) side, NAME its\n"
	  "verified reverse DNS name or \"unknown\".\n"
	  "\"NOQUEUE: reject: RCPT from NAME[ADDRESS]: 554 5.7.1 TEXT; from=<SENDER>\n"
	  "to=<RECIPIENT> proto=ESMTP helo=<HELO>\": the server refused the command\n"
	  "(RCPT, EHLO, DATA, ...) with the SMTP reply code and text shown; \"Relay\n"
	  "access denied\" = an attempt to send through us to a foreign domain,\n"
	  "\"blocked using LIST\" = the client is on a DNS blocklist. SENDER, RECIPIENT\n"
	  "and HELO are what the client claimed and prove nothing.\n"
	  "\"warning: NAME[ADDRESS]: SASL LOGIN authentication failed\": the client\n"
	  "tried to log in (SMTP AUTH, SASL = the authentication layer, LOGIN/PLAIN\n"
	  "the method) with a wrong user name or password.\n"
	  "\"improper command pipelining\": the client sent commands before the\n"
	  "server's reply, as spam software does. Time stamps are the server's\n"
	  "local time.\n" },
	{ "postscreen",
	  "Postfix postscreen: the gatekeeper that tests SMTP clients before the\n"
	  "real server talks to them. Clients appear as [ADDRESS]:PORT, the remote\n"
	  "side. PREGREET = the client talked before the server's greeting (spam\n"
	  "software does); HANGUP = the client hung up during the tests; COMMAND\n"
	  "PIPELINING / BARE NEWLINE / NON-SMTP COMMAND = protocol violations;\n"
	  "COMMAND TIME/COUNT/LENGTH LIMIT = the client exceeded a limit; DNSBL rank\n"
	  "N = the address is listed on N-weighted DNS blocklists; \"reject: ...\n"
	  "blocked using LIST\" = refused because of such a listing. Text after the\n"
	  "address (\"EHLO ylmf-pc\") is what the client sent. Time stamps are the\n"
	  "server's local time.\n" },
	{ NULL, NULL }
};

const struct family fam_postfix = {
	.name = "postfix",
	.tags = postfix_tags,
	.parse = parse_postfix,
	.legends = postfix_legends,
};
