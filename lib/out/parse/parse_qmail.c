/*
 * parse_qmail.c - qmail's SMTP front end: rblsmtpd (the DNS blocklist
 * wrapper of ucspi-tcp) and qmail-smtpd's blocklist patches.
 *
 *   rblsmtpd: 198.51.100.77 pid 19597: 451 http://www.spamhaus.org/...
 *   rblsmtpd: 198.51.100.77 pid 19597 sbl-xbl.spamhaus.org: 451 http://...
 *   rblsmtpd: relays.ordb.org blocked 193.111.120.47 ordb-test.null.dk -
 *   qmail-smtpd: 421 badiprbl: ip 198.51.100.54 rbl: example.com
 *
 * Tags "rblsmtpd", "qmail-smtpd", and "qmail" (multilog's output sent to
 * syslog, each message starting with a TAI64N "@4000..." label or an
 * epoch "1157520813.485077" stamp, then "rblsmtpd: " or "qmail-smtpd: ").
 *
 * Events: a connection refused because its address is on a DNS blocklist
 * (mail-spam, kind rbl-reject): tcpserver hands rblsmtpd the address of
 * the TCP connection ($TCPREMOTEIP) and rblsmtpd writes it first, before
 * any of the blocklist's text; in the "RBL blocked ADDR NAME -" form the
 * address follows the blocklist's name (our configuration), and the
 * client's reverse name comes after it. Evidence is proven: a TCP
 * connection was accepted. Ordinary deliveries and qmail-send's queue
 * lines are not events.
 */
#include "parse_int.h"

static enum pr_result
qmail_addr(const char *a, const char *end, struct ad_event *ev,
    const char *after)
{
	enum pr_result r;

	if ((r = take_src(&a, end, ev, after)) != PR_EVENT)
		return r == PR_HOSTNAME ? PR_BADADDR : r;
	return tcp_hit(ev, "smtp", "qmail", AD_CAT_MAIL_SPAM, "rbl-reject");
}

/* After "rblsmtpd: " */
static enum pr_result
rblsmtpd(const char *p, const char *end, struct ad_event *ev)
{
	const char *a = p, *q, *sp;

	/* "ADDR pid N[ LIST]: 451 ...": rblsmtpd logs only what it refuses. */
	sp = memchr(p, ' ', (size_t)(end - p));
	if (sp != NULL && starts(sp, end, LIT(" pid ")))
		return qmail_addr(a, sp, ev, NULL);
	/* "LIST blocked ADDR NAME -" */
	if (sp != NULL && starts(sp, end, LIT(" blocked "))) {
		q = sp + 9;
		if ((sp = memchr(q, ' ', (size_t)(end - q))) == NULL)
			sp = end;
		return qmail_addr(q, sp, ev, NULL);
	}
	return PR_NONE;
}

/* After "qmail-smtpd: ": "421 badiprbl: ip ADDR rbl: LIST" (a patch) */
static enum pr_result
badiprbl(const char *p, const char *end, struct ad_event *ev)
{
	const char *q, *sp;

	if ((q = find(p, end, LIT("badiprbl: ip "))) == NULL || q - p > 8)
		return PR_NONE;
	q += 13;
	sp = memchr(q, ' ', (size_t)(end - q));
	return qmail_addr(q, sp ? sp : end, ev, NULL);
}

static enum pr_result
parse_qmail(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = trim_end(pl->msg, pl->msg + pl->len);
	const char *q;

	/* Under the programs' own tags the message starts after the name. */
	if (pl->env != NULL && pl->env->prog_len == 8 &&
	    memcmp(pl->env->prog, "rblsmtpd", 8) == 0)
		return rblsmtpd(p, end, ev);
	if (pl->env != NULL && pl->env->prog_len == 11 &&
	    memcmp(pl->env->prog, "qmail-smtpd", 11) == 0)
		return badiprbl(p, end, ev);
	/* multilog's stamp: "@4000000044fe6b2d1cd2e1ec " or "1157520813.485077 " */
	if (p < end && (*p == '@' || (*p >= '0' && *p <= '9'))) {
		q = memchr(p, ' ', (size_t)(end - p));
		if (q == NULL)
			return PR_NONE;
		p = q + 1;
	}
	if (eat(&p, end, LIT("rblsmtpd: ")))
		return rblsmtpd(p, end, ev);
	if (eat(&p, end, LIT("qmail-smtpd: ")))
		return badiprbl(p, end, ev);
	return PR_NONE;
}

static bool
qmail_claims(const char *m, size_t n)
{
	return starts(m, m + n, LIT("rblsmtpd: ")) ||
	    starts(m, m + n, LIT("qmail-smtpd: "));
}

static const char *const qmail_tags[] = { "qmail", "rblsmtpd", "qmail-smtpd",
	NULL };

static const struct legend qmail_legends[] = {
	{ "qmail",
	  "qmail's SMTP front end. rblsmtpd (run by tcpserver before\n"
	  "qmail-smtpd) writes the client's address (the remote end of the TCP\n"
	  "connection), its process id, the blocklist that listed the address\n"
	  "and the 4xx/5xx answer it gave instead of accepting mail; the\n"
	  "\"LIST blocked ADDRESS NAME -\" form names the blocklist, the\n"
	  "address and its reverse DNS name. qmail-smtpd's badiprbl patch\n"
	  "writes \"421 badiprbl: ip ADDRESS rbl: LIST\". A leading\n"
	  "\"@4000...\" (TAI64N) or seconds.microseconds number is multilog's\n"
	  "UTC stamp.\n" },
	{ NULL, NULL }
};

const struct family fam_qmail = {
	.name = "qmail",
	.tags = qmail_tags,
	.claims = qmail_claims,
	.parse = parse_qmail,
	.legends = qmail_legends,
};
