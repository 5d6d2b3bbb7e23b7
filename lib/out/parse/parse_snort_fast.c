/*
 * parse_snort_fast.c - Suricata and Snort "fast" alert lines.
 *
 *   07/11/2022-10:29:01.860293  [**] [1:2200074:2] MSG [**]
 *       [Classification: CLS] [Priority: 3] {TCP} 1.2.3.4:1 -> 5.6.7.8:80
 *
 * (one line). Snort writes "01/02-10:08:59.667372" without the year (-y
 * adds it; the year is inferred from the clock otherwise); Suricata's IPS
 * mode prefixes "[Drop] " or "[wDrop] ". The same record without stamp and
 * "[**]" is what Snort and Suricata send to syslog ("snort[1]: [1:2:3] MSG
 * [Classification: ...] [Priority: 2]: <eth0> {TCP} a:p -> b:p"), read here
 * under the tags "snort" (and "suricata" through parse_suricata_eve.c).
 *
 * Every alert is an event (ids-alert): the rule writer decided it is worth
 * an alert. MSG (the signature) goes into detail, the classification into
 * label, the priority into severity. The rule's text is not attacker
 * controlled, but the addresses are read from the end of the line anyway,
 * after the last '{': nothing the rule or the packet says can come after
 * them. The source is the packet's source as the IDS saw it: for a
 * response signature (a reply of one of our servers) it is our host, which
 * the detect stage marks internal.
 *
 * Evidence: a fast alert does not say whether the flow was established
 * (a signature may fire on a lone SYN or a UDP datagram), so every fast
 * alert is spoofable; EVE JSON says more (parse_suricata_eve.c).
 *
 * IPv6: Suricata prints the full form with ":port" appended
 * ("2001:0db8:...:0001:80"), Snort the compressed form with ":port" for TCP
 * and UDP; for those protocols the last ':' separates the port.
 */
#include "parse_int.h"

/* "ADDR", "ADDR:PORT" or "[ADDR]:PORT" in [p, end). */
static bool
endpoint(const char *p, const char *end, uint8_t proto, struct ad_addr *a,
    uint16_t *port)
{
	const char *c, *q;
	size_t colons = 0;
	unsigned v;

	*port = 0;
	if (p < end && *p == '[') {
		if ((c = memchr(p, ']', (size_t)(end - p))) == NULL ||
		    !ad_addr_parse(p + 1, (size_t)(c - p - 1), a))
			return false;
		if (c + 1 == end)
			return true;
		q = c + 2;
		if (c[1] != ':' || (v = take_port(&q, end)) == 0 || q != end)
			return false;
		*port = (uint16_t)v;
		return true;
	}
	for (q = p; q < end; q++)
		if (*q == ':')
			colons++;
	if (colons == 0)
		return ad_addr_parse(p, (size_t)(end - p), a);
	if (colons >= 2 && proto != AD_PROTO_TCP && proto != AD_PROTO_UDP &&
	    ad_addr_parse(p, (size_t)(end - p), a))
		return true;	/* Snort: IPv6 without port (ICMP) */
	c = rfind(p, end, LIT(":"));
	q = c + 1;
	if (!ad_addr_parse(p, (size_t)(c - p), a))
		return false;
	/* ICMP type 0 and code 0 print as port 0 in Suricata. */
	if (q < end && *q == '0' && q + 1 == end)
		return true;
	if ((v = take_port(&q, end)) == 0 || q != end)
		return false;
	*port = (uint16_t)v;
	return true;
}

enum pr_result
snort_flow(const char *p, const char *end, struct ad_event *ev)
{
	const char *brace, *pe, *arrow, *s_end, *d, *d_end;
	struct ad_addr dst;

	/* "{PROTO} SRC -> DST" after the last '{'. */
	if ((brace = rfind(p, end, LIT("{"))) == NULL ||
	    (pe = memchr(brace, '}', (size_t)(end - brace))) == NULL ||
	    pe + 1 >= end || pe[1] != ' ')
		return PR_NONE;
	ev->proto = (uint8_t)ad_proto_from_name(brace + 1,
	    (size_t)(pe - brace - 1));
	if (ev->proto == AD_PROTO_ICMP && find(pe, end, LIT("::")) != NULL)
		ev->proto = AD_PROTO_ICMPV6;
	p = pe + 2;
	if ((arrow = find(p, end, LIT(" -> "))) == NULL)
		return PR_NONE;
	s_end = arrow;
	d = arrow + 4;
	d_end = memchr(d, ' ', (size_t)(end - d));
	if (d_end == NULL)
		d_end = end;
	if (memchr(p, ' ', (size_t)(s_end - p)) != NULL)
		return PR_BADADDR;
	if (!endpoint(p, s_end, ev->proto, &ev->src, &ev->src_port))
		return PR_BADADDR;
	if (endpoint(d, d_end, ev->proto, &dst, &ev->dst_port))
		ev->dst = dst;
	else
		ev->dst_port = 0;
	return PR_EVENT;
}

/* "[Classification: X]" and "[Priority: N]" between p and end. */
void
snort_class_prio(const char *p, const char *end, struct ad_event *ev)
{
	const char *c, *e;

	if ((c = find(p, end, LIT("[Classification: "))) != NULL &&
	    (e = memchr(c, ']', (size_t)(end - c))) != NULL &&
	    e > c + 17) {
		ev->label = c + 17;
		ev->label_len = (size_t)(e - c - 17);
	}
	if ((c = find(p, end, LIT("[Priority: "))) != NULL) {
		const char *q = c + 11;
		unsigned v = take_port(&q, end);

		if (v > 0 && v < 256 && q < end && *q == ']')
			ev->severity = (uint8_t)v;
	}
}

/*
 * "[GID:SID:REV] MSG" at p: sets detail to MSG (up to " [**]", or the
 * classification, priority or flow); returns the end of MSG or NULL.
 */
const char *
snort_signature(const char *p, const char *end, struct ad_event *ev)
{
	const char *q = p + 1, *m, *e;
	int k;

	if (p >= end || *p != '[')
		return NULL;
	for (k = 0; k < 3; k++) {
		const char *d = q;

		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q == d || q >= end || *q != (k < 2 ? ':' : ']'))
			return NULL;
		q++;
	}
	if (q >= end || *q != ' ')
		return NULL;
	m = q + 1;
	if ((e = find(m, end, LIT(" [**]"))) == NULL &&
	    (e = find(m, end, LIT(" [Classification: "))) == NULL &&
	    (e = find(m, end, LIT(" [Priority: "))) == NULL &&
	    (e = rfind(m, end, LIT(" {"))) == NULL)
		return NULL;
	ev->detail = m;
	ev->detail_len = (size_t)(e - m);
	return e;
}

static enum pr_result
parse_snort_fast(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = pl->msg + pl->len, *stamp = NULL, *e;
	enum pr_result r;

	ev->service = "ids";
	ev->format = "snort-fast";
	ev->kind = "alert";
	ev->category = AD_CAT_IDS_ALERT;
	ev->evidence = AD_EVIDENCE_SPOOFABLE;
	if (p < end && *p >= '0' && *p <= '9') {
		/* The stamp is converted later, for hits only. */
		stamp = p;
		if ((p = memchr(p, ' ', (size_t)(end - p))) == NULL)
			return PR_NONE;
		while (p < end && *p == ' ')
			p++;
	}
	if (!eat(&p, end, LIT("[Drop] ")))
		(void)eat(&p, end, LIT("[wDrop] "));
	(void)eat(&p, end, LIT("[**] "));
	if ((e = snort_signature(p, end, ev)) == NULL)
		return PR_NONE;
	snort_class_prio(e, end, ev);
	if ((r = snort_flow(e, end, ev)) != PR_EVENT)
		return r;
	if (stamp != NULL &&
	    ad_time_scan_mdy(stamp, end, pl->clock, &ev->time) == 0)
		memset(&ev->time, 0, sizeof(ev->time));
	return PR_EVENT;
}

/* "MM/DD[/YYYY]-hh:mm:ss... [**] [" */
static bool
snort_fast_claims(const char *m, size_t n)
{
	return n > 30 && m[0] >= '0' && m[0] <= '9' && m[2] == '/' &&
	    (m[5] == '-' || (m[5] == '/' && m[10] == '-')) &&
	    find(m + 14, m + (n < 64 ? n : 64), LIT("[**] [")) != NULL;
}

static const char *const snort_fast_tags[] = { "snort", NULL };
static const char *const snort_fast_aliases[] = {
	"fast.log", "snort", "suricata-fast", NULL
};

static const struct legend snort_fast_legends[] = {
	{ "snort-fast",
	  "Snort/Suricata \"fast\" alert log, one alert per line:\n"
	  "stamp (MM/DD/YYYY-hh:mm:ss.microseconds, local time of the sensor;\n"
	  "Snort omits the year), [Drop] when an inline IPS dropped the packet,\n"
	  "[**] [GID:SID:REV] = rule generator, signature id and revision,\n"
	  "then the signature message (the rule's text) [**],\n"
	  "[Classification: ...] = the rule's class of attack,\n"
	  "[Priority: N] = 1 (high) to 4 (low), {PROTO} = IP protocol,\n"
	  "SRC:SPORT -> DST:DPORT = the packet's source and destination; the\n"
	  "source is the remote side for inbound attacks, our own host for\n"
	  "outbound or response signatures. A single alert line does not show\n"
	  "that the flow was established: its source may be forged.\n" },
	{ NULL, NULL }
};

const struct family fam_snort_fast = {
	.name = "snort-fast",
	.aliases = snort_fast_aliases,
	.tags = snort_fast_tags,
	.claims = snort_fast_claims,
	.whole_file = true,
	.parse = parse_snort_fast,
	.legends = snort_fast_legends,
};
