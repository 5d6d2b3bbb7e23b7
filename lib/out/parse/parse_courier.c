/*
 * parse_courier.c - Courier mail server: IMAP/POP3 login failures and
 * courieresmtpd errors.
 *
 * Tags: "imapd", "pop3d", "imapd-ssl", "pop3d-ssl", "courier-imapd",
 * "courier-pop3d", "courierpop3login", "courierimaplogin", "courieresmtpd".
 * Cyrus also logs as "imapd" (badlogin: ...), and so does UW IMAP ("Login
 * failed user=...", "AUTHENTICATE ... failure"): such messages are handed
 * to the cyrus and uw-imap families' parsers.
 *
 * Where the address is:
 *  - "LOGIN FAILED, user=USER, ip=[ADDR]" (or "method=PLAIN, ip=[ADDR]"):
 *    USER is the client's text and comes first; Courier writes ip=[...]
 *    last, so the address is the last ", ip=[ADDR]" and "]" must end the
 *    line (an optional ", port=[N]" after it is allowed).
 *  - courieresmtpd "error,relay=ADDR,[port=N,][ident=X,]...": relay= comes
 *    first, right after "error,", at a fixed position before any of the
 *    client's text (from=<>, to=<>, the command).
 *
 * Policy: a failed IMAP/POP3 login and "535 Authentication failed" are
 * mail-bruteforce; courieresmtpd's other 5xx errors ("550 User unknown",
 * blocklist rejects) are mail-spam; 4xx (greylisting, temporary trouble)
 * are not events.
 */
#include "parse_int.h"

static enum pr_result
login_failed(const char *p, const char *end, struct ad_event *ev)
{
	const char *f, *a, *u;
	enum pr_result r;

	if ((f = rfind(p, end, LIT(", ip=["))) == NULL)
		return PR_NONE;
	a = f + 6;
	if ((r = take_src(&a, end, ev, "]")) != PR_EVENT)
		return r == PR_HOSTNAME ? PR_BADADDR : r;
	if (!eat(&a, end, LIT("]")))
		return PR_BADADDR;
	if (eat(&a, end, LIT(", port=["))) {
		unsigned port = take_port(&a, end);

		if (port)
			ev->src_port = (uint16_t)port;
		(void)eat(&a, end, LIT("]"));
	}
	if (a != end)
		return PR_NONE;
	if (starts(p, end, LIT("user=")) && (u = p + 5) <= f) {
		ev->user = u;
		ev->user_len = (size_t)(f - u);
	}
	return hit(ev, AD_CAT_MAIL_BRUTEFORCE, "login-failed");
}

/* courieresmtpd: "error,relay=ADDR,...: CODE TEXT" or ",msg=\"535 ...\"" */
static enum pr_result
esmtpd(const char *p, const char *end, struct ad_event *ev)
{
	const char *q;
	unsigned code;
	enum pr_result r;

	ev->service = "smtp";
	if ((r = take_src(&p, end, ev, ",")) != PR_EVENT)
		return r == PR_HOSTNAME ? PR_BADADDR : r;
	if (!eat(&p, end, LIT(",")))
		return PR_NONE;
	if (eat(&p, end, LIT("port="))) {
		unsigned port = take_port(&p, end);

		if (port)
			ev->src_port = (uint16_t)port;
		if (!eat(&p, end, LIT(",")))
			return PR_NONE;
	}
	if (eat(&p, end, LIT("msg=\""))) {
		if (!starts(p, end, LIT("535 ")))
			return PR_NONE;
		ev->status = 535;
		ev->service = "smtp-auth";
		return hit(ev, AD_CAT_MAIL_BRUTEFORCE, "auth-failed");
	}
	/* the reply is the last ": CODE " (to=<...> before it is the client's) */
	if ((q = rfind(p, end, LIT(": "))) == NULL)
		return PR_NONE;
	q += 2;
	code = take_port(&q, end);
	if (code < 500 || code > 599 || !eat(&q, end, LIT(" ")))
		return PR_NONE;
	ev->status = (uint16_t)code;
	ev->detail = q;
	ev->detail_len = (size_t)(end - q);
	if (find(q, end, LIT("nknown")))
		return hit(ev, AD_CAT_MAIL_SPAM, "unknown-recipient");
	return hit(ev, AD_CAT_MAIL_SPAM, "reject");
}

static enum pr_result
parse_courier(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = pl->msg + pl->len;

	end = trim_end(p, end);
	if (end - p < 12)
		return PR_NONE;
	if (starts(p, end, LIT("badlogin: ")))
		return fam_cyrus.parse(pl, ev);		/* Cyrus as "imapd" */
	if (starts(p, end, LIT("Login failed ")) ||
	    starts(p, end, LIT("Excessive login failures ")) ||
	    starts(p, end, LIT("AUTHENTICATE ")))
		return fam_uwimap.parse(pl, ev);	/* UW IMAP as "imapd" */
	tcp_session(ev, imap_or_pop3(pl), "courier");
	if (eat(&p, end, LIT("LOGIN FAILED, ")))
		return login_failed(p, end, ev);
	if (eat(&p, end, LIT("error,relay=")))
		return esmtpd(p, end, ev);
	return PR_NONE;
}

static bool
courier_claims(const char *m, size_t n)
{
	return starts(m, m + n, LIT("LOGIN FAILED, ")) ||
	    starts(m, m + n, LIT("error,relay="));
}

static const char *const courier_tags[] = {
	"imapd", "pop3d", "imapd-ssl", "pop3d-ssl", "courier-imapd",
	"courier-pop3d", "courier-imap", "courier-pop3", "courier-imaps",
	"courier-pop3s", "courierpop3login", "courierimaplogin",
	"courieresmtpd", NULL
};

static const struct legend courier_legends[] = {
	{ "courier",
	  "Courier mail server messages in the system log. \"imapd\"/\"pop3d\":\n"
	  "\"LOGIN FAILED, user=NAME, ip=[ADDRESS]\" = a failed IMAP/POP3 login as\n"
	  "NAME; ADDRESS is the remote (connecting) side, often written IPv4-mapped\n"
	  "(\"::ffff:192.0.2.1\" is the IPv4 address 192.0.2.1).\n"
	  "\"courieresmtpd\": \"error,relay=ADDRESS,from=<SENDER>,to=<RECIPIENT>: 550\n"
	  "User unknown.\" = the SMTP server refused a recipient; relay= is the\n"
	  "remote side; msg=\"535 Authentication failed.\" = a failed SMTP login.\n"
	  "Time stamps are the server's local time.\n" },
	{ NULL, NULL }
};

const struct family fam_courier = {
	.name = "courier",
	.tags = courier_tags,
	.claims = courier_claims,
	.parse = parse_courier,
	.legends = courier_legends,
};
