/*
 * parse_perdition.c - perdition, the IMAP/POP3 proxy.
 *
 *   perdition.imaps[3194]: Auth: 192.0.2.100:2274->192.0.2.9:993 client-secure=ssl authorisation_id=NONE authentication_id="carles" server="imap.example.org:993" protocol=IMAP4S server-secure=ssl status="failed: Re-Authentication Failure"
 *   perdition.imaps[3194]: Fatal Error reading authentication information from client 192.0.2.100:2274->192.0.2.9:993: Exiting child
 *
 * Tags "perdition" and "perdition.PROTOCOL" (imap4, imap4s, imaps, pop3,
 * pop3s, managesieve).
 *
 * Events (mail-bruteforce):
 *  - "Auth: SRC->DST ... status=\"failed...\"": a failed login (kind
 *    failed-auth). The user name (authentication_id) is the client's text
 *    and comes after the addresses: the source is read at the fixed place
 *    right after "Auth: ", and status= is the last field perdition writes.
 *  - "Fatal Error reading authentication information from client
 *    SRC->DST": the client connected and then sent no usable login (it
 *    dropped the connection or spoke garbage where the credentials were
 *    due) - a password guesser's or scanner's way out; fail2ban's filter
 *    counts it too (kind auth-aborted).
 * Successful logins ("status=\"ok\"") are not events. SRC is
 * "ADDR:PORT" ("[ADDR]:PORT" for IPv6): the remote end of the TCP
 * connection as perdition accepted it, so evidence is proven.
 */
#include "parse_int.h"

/* "ADDR:PORT->" or "[ADDR6]:PORT->" at p. */
static enum pr_result
endpoint(const char *p, const char *end, struct ad_event *ev)
{
	const char *arrow, *colon, *a;
	enum pr_result r;
	unsigned port;

	if ((arrow = find(p, end, LIT("->"))) == NULL)
		return PR_NONE;
	for (colon = arrow; colon > p && colon[-1] != ':'; colon--)
		;
	if (colon <= p + 1)
		return PR_BADADDR;
	a = colon;
	if ((port = take_port(&a, arrow)) == 0 || a != arrow)
		return PR_BADADDR;
	a = p;
	if (*a == '[') {
		a++;
		if (colon[-2] != ']')
			return PR_BADADDR;
		if ((r = take_src(&a, colon - 2, ev, NULL)) != PR_EVENT)
			return r == PR_HOSTNAME ? PR_BADADDR : r;
		if (a != colon - 2)
			return PR_BADADDR;
	} else {
		if ((r = take_src(&a, colon - 1, ev, NULL)) != PR_EVENT)
			return r == PR_HOSTNAME ? PR_BADADDR : r;
		if (a != colon - 1)
			return PR_BADADDR;
	}
	ev->src_port = (uint16_t)port;
	return PR_EVENT;
}

static enum pr_result
parse_perdition(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = trim_end(pl->msg, pl->msg + pl->len);
	const char *s, *u, *ue;
	enum pr_result r;
	const char *kind;

	if (eat(&p, end, LIT("Auth: "))) {
		if ((s = rfind(p, end, LIT(" status=\""))) == NULL ||
		    !starts(s + 9, end, LIT("failed")) || end[-1] != '"')
			return PR_NONE;
		if ((r = endpoint(p, end, ev)) != PR_EVENT)
			return r;
		if ((u = find(p, s, LIT(" authentication_id=\""))) != NULL) {
			u += 20;
			if ((ue = memchr(u, '"', (size_t)(s - u))) != NULL) {
				ev->user = u;
				ev->user_len = (size_t)(ue - u);
			}
		}
		ev->detail = s + 9;
		ev->detail_len = (size_t)(end - 1 - (s + 9));
		kind = "failed-auth";
	} else if (eat(&p, end, LIT("Fatal Error reading authentication "
	    "information from client "))) {
		if ((r = endpoint(p, end, ev)) != PR_EVENT)
			return r;
		kind = "auth-aborted";
	} else
		return PR_NONE;
	return tcp_hit(ev, imap_or_pop3(pl), "perdition", AD_CAT_MAIL_BRUTEFORCE,
	    kind);
}

static bool
perdition_claims(const char *m, size_t n)
{
	return (starts(m, m + n, LIT("Auth: ")) &&
	    find(m, m + n, LIT(" authentication_id=")) != NULL) ||
	    starts(m, m + n, LIT("Fatal Error reading authentication "));
}

static const char *const perdition_tags[] = { "perdition",
	"perdition.imap4", "perdition.imap4s", "perdition.imaps",
	"perdition.pop3", "perdition.pop3s", "perdition.managesieve", NULL };

static const struct legend perdition_legends[] = {
	{ "perdition",
	  "perdition, an IMAP/POP3 proxy. \"Auth: CLIENT:PORT->SERVER:PORT\"\n"
	  "gives the client (the remote end of the TCP connection) and the\n"
	  "local address it connected to; client-secure says whether the\n"
	  "client used TLS, authentication_id is the user name the client\n"
	  "sent, server the back-end mail server, and status=\"failed: ...\"\n"
	  "a rejected login. \"Fatal Error reading authentication information\n"
	  "from client\" means the client connected and gave up (or sent\n"
	  "garbage) where its login was due.\n" },
	{ NULL, NULL }
};

const struct family fam_perdition = {
	.name = "perdition",
	.tags = perdition_tags,
	.claims = perdition_claims,
	.parse = parse_perdition,
	.legends = perdition_legends,
};
