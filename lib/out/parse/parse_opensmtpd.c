/*
 * parse_opensmtpd.c - OpenSMTPD's smtpd.
 *
 *   smtpd[22704]: 38dd06274cde1fd7 smtp connected address=192.0.2.7 host=x.example.net
 *   smtpd[22704]: 38dd06274cde1fd7 smtp failed-command command="AUTH LOGIN" result="503 5.5.1 Invalid command: Command not supported"
 *   smtpd[22704]: 38dd06274cde1fd7 smtp authentication user=bob result=permfail
 *   smtpd[22704]: 38dd06274cde1fd7 smtp event=failed-command address=192.0.2.7 host=x.example.net command="AUTH PLAIN (...)" result="535 Authentication failed"
 *   smtpd[28882]: smtp-in: New session 1f55bdcdf16e28a3 from host x.example.net [192.0.2.7]
 *   smtpd[28882]: smtp-in: Failed command on session 1f55bdcdf16e28a3: "RCPT TO:<a@b>" => 550 Invalid recipient
 *   smtpd[28882]: smtp-in: Authentication failed for user bob on session 1f55bdcdf16e28a3
 *
 * Tag "smtpd" (Postfix's smtpd writes as "postfix/smtpd", never bare).
 * Lines are about a session (the hex id); most name no address, so the
 * address of a session's "connected address=" / "New session ... [ADDR]"
 * line is remembered in a small direct-mapped table (a collision only
 * forgets: a line whose session is unknown is not an event). Lines that
 * carry address= themselves (the event= form) use it. address= comes
 * right after the session id and event name, before any client text.
 *
 * Events:
 *  - "authentication user=U result=permfail" (older: "Authentication
 *    failed for user U on session ID"): a failed SMTP AUTH
 *    (mail-bruteforce, kind failed-auth);
 *  - a failed AUTH command with a 5xx result (535 wrong credentials, 503
 *    AUTH where it is not offered: a password guesser that does not read
 *    the EHLO reply) (mail-bruteforce, kind failed-auth);
 *  - a RCPT TO the server refused with 5xx (relay denied, unknown
 *    recipient) (mail-spam, kind rcpt-rejected).
 * 4xx results (temporary errors) and everything else are not events. The
 * command is the client's text; the result is the server's and the last
 * field, so it is read from the end. Evidence is proven (TCP sessions).
 */
#include "abusedesk/ad_ctx.h"
#include "parse_int.h"

#define SMTPD_SESSIONS	1024

struct smtpd_state {
	uint64_t	id[SMTPD_SESSIONS];	/* 0: empty */
	struct ad_addr	addr[SMTPD_SESSIONS];
};

static void *
smtpd_state_new(void)
{
	return ad_calloc(1, sizeof(struct smtpd_state));
}

static void
smtpd_state_free(void *st)
{
	ad_free(st);
}

static void
smtpd_state_reset(void *st)
{
	memset(((struct smtpd_state *)st)->id, 0,
	    sizeof(((struct smtpd_state *)st)->id));
}

/* A 16-digit hex session id at *p (advanced); 0 if none. */
static uint64_t
session_id(const char **p, const char *end)
{
	const char *q = *p;
	uint64_t v = 0;
	int n = 0, c;

	for (; q < end && n < 16; q++, n++) {
		c = (unsigned char)*q;
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else
			break;
		v = v << 4 | (uint64_t)c;
	}
	if (n < 8 || (q < end && *q != ' ' && *q != ':') || v == 0)
		return 0;
	*p = q;
	return v;
}

static size_t
slot(uint64_t id)
{
	return (size_t)((id * 0x9e3779b97f4a7c15ULL) >> 54) % SMTPD_SESSIONS;
}

static void
remember(struct smtpd_state *st, uint64_t id, const struct ad_addr *a)
{
	size_t i = slot(id);

	st->id[i] = id;
	st->addr[i] = *a;
}

static bool
recall(const struct smtpd_state *st, uint64_t id, struct ad_addr *a)
{
	size_t i = slot(id);

	if (st->id[i] != id)
		return false;
	*a = st->addr[i];
	return true;
}

/* Judges a failed command: the command's first bytes and the result. */
static enum pr_result
failed_command(const char *cmd, const char *end, const char *res,
    const char *res_end, struct ad_event *ev)
{
	unsigned code;
	const char *q = res;

	code = take_port(&q, res_end);
	ev->status = (uint16_t)code;
	ev->detail = cmd;
	ev->detail_len = (size_t)(end - cmd);
	if (code < 500 || code > 599)
		return PR_NONE;
	if (end - cmd >= 4 && strncasecmp(cmd, "AUTH", 4) == 0) {
		ev->service = "smtp-auth";
		return hit(ev, AD_CAT_MAIL_BRUTEFORCE, "failed-auth");
	}
	if (end - cmd >= 7 && strncasecmp(cmd, "RCPT TO", 7) == 0)
		return hit(ev, AD_CAT_MAIL_SPAM, "rcpt-rejected");
	return PR_NONE;
}

/* "ID smtp [event=]NAME [address=ADDR host=H ]..." */
static enum pr_result
new_form(struct smtpd_state *st, uint64_t id, const char *p, const char *end,
    struct ad_event *ev)
{
	const char *c, *r, *q;
	bool have = false, connected;
	enum pr_result res;

	(void)eat(&p, end, LIT("event="));
	connected = starts(p, end, LIT("connected "));
	if ((q = memchr(p, ' ', (size_t)(end - p))) == NULL)
		return PR_NONE;
	c = p;
	p = q + 1;
	if (eat(&p, end, LIT("address="))) {
		if ((res = take_src(&p, end, ev, NULL)) != PR_EVENT)
			return connected ? PR_NONE : res;
		have = true;
		if (connected) {
			remember(st, id, &ev->src);
			return PR_NONE;
		}
	}
	if (!have && !recall(st, id, &ev->src))
		return PR_NONE;
	if (starts(c, end, LIT("authentication "))) {
		if ((r = rfind(p, end, LIT(" result="))) == NULL &&
		    !starts(p, end, LIT("result=")))
			return PR_NONE;
		r = r ? r + 8 : p + 7;
		if (!starts(r, end, LIT("permfail")))
			return PR_NONE;
		if ((q = find(p, end, LIT("user="))) != NULL && q < r) {
			ev->user = q + 5;
			for (c = q + 5; c < r && *c != ' '; c++)
				;
			ev->user_len = (size_t)(c - (q + 5));
		}
		ev->service = "smtp-auth";
		return hit(ev, AD_CAT_MAIL_BRUTEFORCE, "failed-auth");
	}
	if (starts(c, end, LIT("failed-command "))) {
		if ((c = find(p, end, LIT("command=\""))) == NULL ||
		    (r = rfind(c, end, LIT(" result=\""))) == NULL ||
		    end[-1] != '"')
			return PR_NONE;
		return failed_command(c + 9, r[-1] == '"' ? r - 1 : r, r + 9,
		    end - 1, ev);
	}
	return PR_NONE;
}

static enum pr_result
parse_opensmtpd(struct pline *pl, struct ad_event *ev)
{
	struct smtpd_state *st = pl->state;
	const char *p = pl->msg, *end = trim_end(pl->msg, pl->msg + pl->len);
	const char *q, *b;
	uint64_t id;

	tcp_session(ev, "smtp", "opensmtpd");
	if (eat(&p, end, LIT("smtp-in: "))) {
		if (eat(&p, end, LIT("New session "))) {
			/* "ID from host NAME [ADDR]" */
			if ((id = session_id(&p, end)) == 0 || end[-1] != ']')
				return PR_NONE;
			for (b = end - 1; b > p && *b != '['; b--)
				;
			q = b + 1;
			if (*b == '[' && take_src(&q, end - 1, ev, NULL) ==
			    PR_EVENT && q == end - 1)
				remember(st, id, &ev->src);
			return PR_NONE;
		}
		if (eat(&p, end, LIT("Authentication failed for user "))) {
			/* "USER on session ID": USER is strnvis()ed (no blanks) */
			if ((q = rfind(p, end, LIT(" on session "))) == NULL)
				return PR_NONE;
			b = q + 12;
			if ((id = session_id(&b, end)) == 0 || b != end ||
			    !recall(st, id, &ev->src))
				return PR_NONE;
			ev->user = p;
			ev->user_len = (size_t)(q - p);
			ev->service = "smtp-auth";
			return hit(ev, AD_CAT_MAIL_BRUTEFORCE, "failed-auth");
		}
		if (eat(&p, end, LIT("Failed command on session "))) {
			/* "ID: \"CMD\" => RESULT" */
			if ((id = session_id(&p, end)) == 0 ||
			    !eat(&p, end, LIT(": \"")) ||
			    (q = rfind(p, end, LIT("\" => "))) == NULL)
				return PR_NONE;
			if (!recall(st, id, &ev->src))
				return PR_NONE;
			return failed_command(p, q, q + 5, end, ev);
		}
		return PR_NONE;
	}
	if ((id = session_id(&p, end)) == 0 || !eat(&p, end, LIT(" smtp ")))
		return PR_NONE;
	return new_form(st, id, p, end, ev);
}

/* SSHGuard's test lines: "38dd06274cde1fd7 smtp event=failed-command ..." */
static bool
opensmtpd_claims(const char *m, size_t n)
{
	const char *p = m;

	return n > 24 && session_id(&p, m + n) != 0 &&
	    starts(p, m + n, LIT(" smtp "));
}

static const char *const opensmtpd_tags[] = { "smtpd", "opensmtpd", NULL };

static const struct legend opensmtpd_legends[] = {
	{ "opensmtpd",
	  "OpenSMTPD's smtpd. Each line starts with a session id (16 hex\n"
	  "digits) shared by all lines of one SMTP connection; \"smtp connected\n"
	  "address=ADDRESS host=NAME\" names the client (the remote end of the\n"
	  "TCP connection) and its reverse DNS name. \"failed-command\n"
	  "command=\\\"...\\\" result=\\\"CODE text\\\"\" is a command the server refused\n"
	  "(the command is what the client sent, the result the server's\n"
	  "answer: 5xx permanent, 4xx temporary); \"authentication user=NAME\n"
	  "result=permfail\" is a failed SMTP login. Older versions write\n"
	  "\"smtp-in: New session ID from host NAME [ADDRESS]\", \"Failed\n"
	  "command on session ID: \\\"COMMAND\\\" => RESULT\" and\n"
	  "\"Authentication failed for user NAME on session ID\".\n" },
	{ NULL, NULL }
};

const struct family fam_opensmtpd = {
	.name = "opensmtpd",
	.tags = opensmtpd_tags,
	.claims = opensmtpd_claims,
	.parse = parse_opensmtpd,
	.state_new = smtpd_state_new,
	.carries = true,
	.state_free = smtpd_state_free,
	.state_reset = smtpd_state_reset,
	.legends = opensmtpd_legends,
};
