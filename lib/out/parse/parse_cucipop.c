/*
 * parse_cucipop.c - cucipop, the Cubic Circle POP3 daemon.
 *
 *   cucipop[812]: authentication failure bob 192.0.2.7
 *
 * Tag "cucipop". Event (mail-bruteforce, kind failed-auth): a failed POP3
 * login. cucipop writes the user name the client sent, then the address
 * of the TCP connection last. The user name is the client's text: when it
 * holds a space, the line has more words than "USER ADDR", and if one of
 * them reads as an address the line is ambiguous (never guessed). Evidence
 * is proven (a TCP session).
 */
#include "parse_int.h"

static enum pr_result
parse_cucipop(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = trim_end(pl->msg, pl->msg + pl->len);
	const char *a, *q, *w;
	struct ad_addr tmp;
	enum pr_result r;

	if (!eat(&p, end, LIT("authentication failure ")) || p >= end ||
	    *p == ';')
		return PR_NONE;
	for (a = end; a > p && a[-1] != ' '; a--)
		;
	if (a == p)
		return PR_NONE;		/* one word: no address */
	/* more than "USER ADDR": another address in the user's text? */
	for (w = p; w < a - 1; w = q + 1) {
		if ((q = memchr(w, ' ', (size_t)(a - 1 - w))) == NULL)
			q = a - 1;
		if (q > w && ad_addr_scan(w, q, &tmp) == (size_t)(q - w))
			return PR_AMBIGUOUS;
	}
	q = a;
	if ((r = take_src(&q, end, ev, NULL)) != PR_EVENT)
		return r;
	if (q != end)
		return PR_BADADDR;
	ev->user = p;
	ev->user_len = (size_t)(a - 1 - p);
	return tcp_hit(ev, "pop3", "cucipop", AD_CAT_MAIL_BRUTEFORCE,
	    "failed-auth");
}

static bool
cucipop_claims(const char *m, size_t n)
{
	return n > 24 && starts(m, m + n, LIT("authentication failure ")) &&
	    m[23] != ';';
}

static const char *const cucipop_tags[] = { "cucipop", NULL };

static const struct legend cucipop_legends[] = {
	{ "cucipop",
	  "cucipop, a POP3 server: \"authentication failure USER ADDRESS\" is a\n"
	  "rejected login; USER is the name the client sent and ADDRESS the\n"
	  "client (the remote end of the TCP connection).\n" },
	{ NULL, NULL }
};

const struct family fam_cucipop = {
	.name = "cucipop",
	.tags = cucipop_tags,
	.claims = cucipop_claims,
	.parse = parse_cucipop,
	.legends = cucipop_legends,
};
