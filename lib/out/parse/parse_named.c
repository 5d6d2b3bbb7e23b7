/*
 * parse_named.c - BIND named: refused queries, zone transfers and updates.
 *
 *   client [@0xPTR ]ADDR#PORT[ (QNAME)]: [view V: ]query (cache) 'N/T/C' denied
 *   client ADDR#PORT: query 'N/T/C' denied
 *   client ADDR#PORT (ZONE): zone transfer 'Z/AXFR/IN' denied
 *   client ADDR#PORT (ZONE): bad zone transfer request: 'Z/IN': non-authoritative zone (NOTAUTH)
 *   client ADDR#PORT: update 'Z/IN' denied        (also "update forwarding")
 *
 * Lines come under the tag "named" (or a BIND category used as tag by some
 * setups: "security", "update-security"), or from named's own file
 * channels: "dd-Mmm-yyyy hh:mm:ss.mmm [CATEGORY: ][SEVERITY: ]client ...",
 * a whole-file format which may also be mixed into a syslog stream.
 *
 * Whose address: ADDR is the first thing after "client " and BIND writes
 * it before any client text; QNAME and the quoted name come later (and
 * BIND prints names in presentation form: no spaces).
 *
 * Events are dns-abuse; ev->detail is the quoted "NAME/TYPE/CLASS" (or
 * "ZONE/CLASS"). Evidence: a zone transfer (AXFR) runs over TCP, so it is
 * proven; a query or update may be UDP, whose source is forged in every
 * reflection attack, so it is spoofable. A denied query is often a
 * misconfigured resolver or an amplification probe; the dns-abuse
 * threshold decides when it is worth a report.
 */
#include "parse_int.h"

/* "[CATEGORY: ][SEVERITY: ]" before "client ": lower-case words. */
static const char *
skip_labels(const char *p, const char *end)
{
	int i;

	for (i = 0; i < 3 && !starts(p, end, LIT("client ")); i++) {
		const char *q = p;

		while (q < end && ((*q >= 'a' && *q <= 'z') || *q == '-' ||
		    *q == '_'))
			q++;
		if (q == p || !starts(q, end, LIT(": ")))
			return NULL;
		p = q + 2;
	}
	return starts(p, end, LIT("client ")) ? p + 7 : NULL;
}

static void
set_detail(struct ad_event *ev, const char *p, const char *end)
{
	const char *q;

	if (p < end && *p == '\'')
		p++;
	if ((q = memchr(p, '\'', (size_t)(end - p))) != NULL && q > p) {
		ev->detail = p;
		ev->detail_len = (size_t)(q - p);
	}
}

static enum pr_result
parse_named(struct pline *pl, struct ad_event *ev)
{
	const char *m = pl->msg, *end = pl->msg + pl->len, *p = m, *q;
	struct ad_instant t;
	enum pr_result r;
	size_t l = 0;

	end = trim_end(m, end);
	if (end - m < 20)
		return PR_NONE;
	memset(&t, 0, sizeof(t));
	if (m[0] >= '0' && m[0] <= '9' && m[2] == '-' &&
	    (l = ad_time_scan_bind(m, end, pl->clock, &t)) > 0) {
		p = m + l;
		while (p < end && *p == ' ')
			p++;
	}
	if ((p = skip_labels(p, end)) == NULL)
		return PR_NONE;
	/* Cheap test before any address: only "denied" and NOTAUTH lines. */
	if (find(p, end, LIT(" denied")) == NULL &&
	    find(p, end, LIT("(NOTAUTH)")) == NULL)
		return PR_NONE;
	ev->service = "dns";
	ev->format = "named";
	ev->category = AD_CAT_DNS_ABUSE;
	ev->evidence = AD_EVIDENCE_SPOOFABLE;
	if (eat(&p, end, LIT("@0x"))) {
		while (p < end && *p != ' ')
			p++;
		p++;
	}
	if ((r = take_src(&p, end, ev, "#")) != PR_EVENT)
		return r;
	if (!eat(&p, end, LIT("#")))
		return PR_BADADDR;
	ev->src_port = (uint16_t)take_port(&p, end);
	/* " (QNAME)": presentation form, no spaces */
	if (eat(&p, end, LIT(" ("))) {
		while (p < end && *p != ' ' && *p != ':')
			p++;
	}
	if ((q = find(p, end, LIT(": "))) == NULL || q - p > 2)
		return PR_NONE;
	p = q + 2;
	if (eat(&p, end, LIT("view "))) {
		if ((q = find(p, end, LIT(": "))) == NULL)
			return PR_NONE;
		p = q + 2;
	}
	if (eat(&p, end, LIT("query (cache) ")) || eat(&p, end, LIT("query "))) {
		if (!starts(p, end, LIT("denied")) &&
		    find(p, end, LIT("' denied")) == NULL)
			return PR_NONE;
		ev->kind = "query-denied";
	} else if (eat(&p, end, LIT("zone transfer "))) {
		if (find(p, end, LIT("' denied")) == NULL)
			return PR_NONE;
		ev->kind = "axfr-denied";
	} else if (eat(&p, end, LIT("bad zone transfer request: "))) {
		ev->kind = "axfr-notauth";
	} else if (eat(&p, end, LIT("update forwarding ")) ||
	    eat(&p, end, LIT("update "))) {
		if (find(p, end, LIT("' denied")) == NULL)
			return PR_NONE;
		ev->kind = "update-denied";
	} else
		return PR_NONE;
	set_detail(ev, p, end);
	if (ev->kind[0] == 'a') {
		/* AXFR is TCP only: the client completed a handshake. */
		ev->proto = AD_PROTO_TCP;
		ev->evidence = AD_EVIDENCE_PROVEN;
	}
	if (t.valid) {
		ev->time = t;
		ev->format = "named-file";
	}
	return PR_EVENT;
}

/* named's file channel: "dd-Mmm-yyyy hh:mm:ss.mmm ...", or "client @0x". */
static bool
named_claims(const char *m, size_t n)
{
	const char *end = m + n;

	if (n > 24 && m[0] >= '0' && m[0] <= '3' && m[2] == '-' &&
	    m[6] == '-' && m[11] == ' ' && m[14] == ':' && m[17] == ':')
		return true;
	return starts(m, end, LIT("client @0x"));
}

static const char *const named_tags[] = { "named", "named-pkcs11", "bind9",
	"security", "update-security", NULL };
static const char *const named_aliases[] = { "bind", "bind9", NULL };

static const struct legend named_legends[] = {
	{ "named",
	  "BIND name server (named) messages in the system log: date and time\n"
	  "(the logging host's local zone), host, \"named[PID]\", then \"client\n"
	  "[@0x...] ADDRESS#PORT (NAME): query (cache) 'NAME/TYPE/CLASS'\n"
	  "denied\". ADDRESS and PORT are the client that sent the request (for\n"
	  "DNS over UDP, whose source address can be forged); @0x... is an\n"
	  "internal identifier; NAME/TYPE/CLASS the question it asked (TYPE ANY\n"
	  "is typical of amplification attacks). \"zone transfer ... denied\": a\n"
	  "refused request for a copy of a whole zone (over TCP); \"update ...\n"
	  "denied\": a refused dynamic update; \"bad zone transfer request ...\n"
	  "(NOTAUTH)\": a transfer asked for a zone this server does not serve.\n" },
	{ "named-file",
	  "BIND name server (named) log file: \"dd-Mmm-yyyy hh:mm:ss.mmm\" (the\n"
	  "server's local time), optionally the category and severity (\"security:\n"
	  "info:\"), then the same messages as in the system log: \"client\n"
	  "[@0x...] ADDRESS#PORT (NAME): query (cache) 'NAME/TYPE/CLASS' denied\".\n"
	  "ADDRESS and PORT are the client (over UDP, forgeable); NAME/TYPE/CLASS\n"
	  "the question; \"zone transfer ... denied\" a refused zone copy (TCP).\n" },
	{ NULL, NULL }
};

const struct family fam_named = {
	.name = "named",
	.aliases = named_aliases,
	.tags = named_tags,
	.claims = named_claims,
	.whole_file = true,
	.parse = parse_named,
	.legends = named_legends,
};
