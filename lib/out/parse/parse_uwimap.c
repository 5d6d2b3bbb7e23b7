/*
 * parse_uwimap.c - UW IMAP (imapd, ipop3d, ipop2d of the University of
 * Washington c-client).
 *
 *   imapd[4321]: Login failed user=bob auth=bob host=client.example.net [192.0.2.7]
 *   ipop3d[4322]: Excessive login failures user=bob host=[192.0.2.7]
 *   imapd[4323]: AUTHENTICATE PLAIN failure host=[2001:db8::7]
 *
 * Tags "imapd" (shared with Courier, whose parser hands these messages
 * over), "ipop3d", "ipop2d", "uw-imapd".
 *
 * Events (mail-bruteforce, kind failed-auth): a failed login, a failed
 * AUTHENTICATE, and "Excessive login failures" (the server giving up on a
 * client). Where the address is: host= is the last field and c-client
 * writes it as "NAME [ADDR]" or "[ADDR]", the address from the TCP
 * connection; user= and auth= before it are the client's text. So the
 * address is the bracketed one that ends the line; a line that does not
 * end in "[ADDR]" names no address (a host name only is PR_HOSTNAME).
 * Evidence is proven (a TCP session).
 */
#include "parse_int.h"

static const char *
uwimap_kind(const char *p, const char *end)
{
	if (starts(p, end, LIT("Login failed ")))
		return "failed-auth";
	if (starts(p, end, LIT("Excessive login failures ")))
		return "too-many-failures";
	if (starts(p, end, LIT("AUTHENTICATE ")) &&
	    find(p, end, LIT(" failure host=")) != NULL)
		return "failed-auth";
	return NULL;
}

static enum pr_result
parse_uwimap(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = trim_end(pl->msg, pl->msg + pl->len);
	const char *kind, *b, *a, *h, *u, *ue;
	enum pr_result r;

	if ((kind = uwimap_kind(p, end)) == NULL)
		return PR_NONE;
	if ((h = rfind(p, end, LIT(" host="))) == NULL)
		return PR_NONE;
	if (end[-1] != ']') {
		/* "host=NAME": a name only */
		return PR_HOSTNAME;
	}
	for (b = end - 1; b > h && *b != '['; b--)
		;
	if (*b != '[')
		return PR_BADADDR;
	a = b + 1;
	if ((r = take_src(&a, end - 1, ev, NULL)) != PR_EVENT)
		return r == PR_HOSTNAME ? PR_BADADDR : r;
	if (a != end - 1)
		return PR_BADADDR;
	if ((u = find(p, h, LIT(" user="))) != NULL) {
		u += 6;
		for (ue = u; ue < h && *ue != ' '; ue++)
			;
		ev->user = u;
		ev->user_len = (size_t)(ue - u);
	}
	return tcp_hit(ev, imap_or_pop3(pl), "uw-imap", AD_CAT_MAIL_BRUTEFORCE,
	    kind);
}

static bool
uwimap_claims(const char *m, size_t n)
{
	return uwimap_kind(m, m + n) != NULL &&
	    find(m, m + n, LIT(" host=")) != NULL;
}

static const char *const uwimap_tags[] = { "ipop3d", "ipop2d", "uw-imapd",
	NULL };

static const struct legend uwimap_legends[] = {
	{ "uw-imap",
	  "UW IMAP (imapd, ipop3d): \"Login failed user=USER auth=AUTH\n"
	  "host=NAME [ADDRESS]\" is a rejected login; USER and AUTH are the\n"
	  "names the client sent, NAME the reverse DNS name of its address and\n"
	  "ADDRESS, in brackets at the end, the client (the remote end of the\n"
	  "TCP connection). \"Excessive login failures\" means the server\n"
	  "gave up on the client after several failures; \"AUTHENTICATE\n"
	  "MECHANISM failure\" is a failed SASL login.\n" },
	{ NULL, NULL }
};

const struct family fam_uwimap = {
	.name = "uw-imap",
	.tags = uwimap_tags,
	.claims = uwimap_claims,
	.parse = parse_uwimap,
	.legends = uwimap_legends,
};
