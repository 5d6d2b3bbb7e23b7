/*
 * parse_cyrus.c - Cyrus IMAP/POP3/sieve: "badlogin" failures.
 *
 * Tags: "cyrus" ("cyrus/imap", "cyrus/pop3", "cyrus/timsieved" through the
 * part before the '/'), "imap", "imaps", "pop3", "pop3s", "lmtpd",
 * "timsieved", "sieve". Cyrus as "imapd" reaches us through the courier
 * family, which owns that tag. A bare "badlogin: " message is ours.
 *
 * "badlogin: NAME [ADDR] MECH [SASL(-13): authentication failure: ...]",
 * "badlogin: NAME[ADDR] PLAIN authentication failure" (timsieved),
 * "badlogin: [ADDR] CRAM-MD5 (user) [SASL(-13): ...]". NAME is the reverse
 * name from the resolver (host-name characters only); the address is the
 * bracket right after it, before the mechanism and the user, which are the
 * client's. Anything else between "badlogin: " and the bracket: no event.
 *
 * Policy: every badlogin is mail-bruteforce (Cyrus logs it for a wrong
 * password, an unknown user and a refused mechanism alike).
 */
#include "parse_int.h"

static enum pr_result
parse_cyrus(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = pl->msg + pl->len, *q;
	enum pr_result r;

	end = trim_end(p, end);
	tcp_session(ev, "imap", "cyrus");
	if (pl->env != NULL && pl->env->prog != NULL) {
		const char *t = pl->env->prog, *te = t + pl->env->prog_len;

		if (find(t, te, LIT("pop3")))
			ev->service = "pop3";
		else if (find(t, te, LIT("sieve")))
			ev->service = "sieve";
	}
	if (!eat(&p, end, LIT("badlogin: ")))
		return PR_NONE;
	q = p;
	while (q < end && host_char((unsigned char)*q))
		q++;
	if (q < end && *q == ' ')
		q++;
	if (!eat(&q, end, LIT("[")))
		return PR_NONE;
	if ((r = take_src(&q, end, ev, "]")) != PR_EVENT)
		return r == PR_HOSTNAME ? PR_BADADDR : r;
	if (!eat(&q, end, LIT("]")) || (q < end && *q != ' '))
		return PR_BADADDR;
	if (q < end) {
		ev->detail = q + 1;
		ev->detail_len = (size_t)(end - q - 1);
	}
	ev->category = AD_CAT_MAIL_BRUTEFORCE;
	ev->kind = "badlogin";
	return PR_EVENT;
}

static bool
cyrus_claims(const char *m, size_t n)
{
	return starts(m, m + n, LIT("badlogin: "));
}

static const char *const cyrus_tags[] = {
	"cyrus", "imap", "imaps", "pop3", "pop3s", "lmtpd", "timsieved",
	"sieve", NULL
};

static const struct legend cyrus_legends[] = {
	{ "cyrus",
	  "Cyrus IMAP/POP3 server messages in the system log (\"cyrus/imap[PID]\",\n"
	  "\"imaps\", \"pop3\", \"timsieved\" for the sieve service).\n"
	  "\"badlogin: NAME [ADDRESS] MECHANISM USER [SASL(-13): authentication\n"
	  "failure: ...]\" = a failed login; ADDRESS is the remote (connecting) side,\n"
	  "NAME its reverse DNS name, MECHANISM the SASL method (PLAIN, LOGIN,\n"
	  "CRAM-MD5: SASL is the authentication layer), USER the account tried.\n"
	  "Time stamps are the server's local time.\n" },
	{ NULL, NULL }
};

const struct family fam_cyrus = {
	.name = "cyrus",
	.tags = cyrus_tags,
	.claims = cyrus_claims,
	.parse = parse_cyrus,
	.legends = cyrus_legends,
};
