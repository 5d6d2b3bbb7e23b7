/*
 * parse_pflog.c - pf's log (OpenBSD, FreeBSD, pfSense) as tcpdump prints
 * it from /var/log/pflog or the pflog0 interface with -n -e:
 *
 *   Mar 29 11:04:11.497000 rule 0/(match) block in on em0: 198.51.100.1.55555
 *       > 192.0.2.1.22: S 123:123(0) win 512                  (OpenBSD -ttt)
 *   2024-03-29 11:04:11.497000 rule 5/0(match): block in on em0:
 *       198.51.100.1.55555 > 192.0.2.1.22: Flags [S], seq 1, win 512, length 0
 *                                                   (tcpdump.org -tttt, FreeBSD)
 *
 * (one line each). A whole-file format: the first line has a stamp then
 * " rule N/...(reason)". The stamp may be OpenBSD's "Mmm dd hh:mm:ss.frac"
 * (-ttt) or "yyyy-mm-dd hh:mm:ss.frac" (tcpdump.org -tttt), both local
 * time, or epoch seconds (-tt); a time of day alone (no -t option) or a
 * delta (tcpdump.org -ttt) is no date: such events carry no time.
 *
 * Only "block" is an event (port-scan), in either direction like filterlog
 * (a blocked outgoing packet names one of our hosts, which detect marks
 * internal); pass, match, nat and rdr are not. The addresses come right
 * after the fixed pflog header "...on IFACE: ", before anything decoded
 * from the packet's payload (DNS names, ...), so the payload cannot move
 * them. tcpdump writes ADDR.PORT: the port is the last dot-separated part
 * of an IPv4 source with five parts, or of an IPv6 one that parses
 * without it.
 *
 * Evidence: spoofable, as for every firewall drop (parse_netfilter.c); the
 * TCP flags are kept (a bare SYN is the usual scan).
 */
#include "parse_int.h"

static inline bool
dig(int c)
{
	return c >= '0' && c <= '9';
}

/* "ADDR[.PORT]" in [p, end): true with *a (and *port, 0 if none). */
static bool
endpoint(const char *p, const char *end, struct ad_addr *a, uint16_t *port)
{
	const char *dot = rfind(p, end, LIT(".")), *q;
	size_t dots = 0;
	unsigned v;

	*port = 0;
	for (q = p; q < end; q++)
		dots += *q == '.';
	if (dot != NULL && dot + 1 < end &&
	    (memchr(p, ':', (size_t)(end - p)) != NULL ? true : dots == 4) &&
	    ad_addr_parse(p, (size_t)(dot - p), a)) {
		q = dot + 1;
		if ((v = take_port(&q, end)) > 0 && q == end) {
			*port = (uint16_t)v;
			return true;
		}
		if (q + 1 == end && *q == '0')
			return true;
	}
	return ad_addr_parse(p, (size_t)(end - p), a);
}

static bool
has_letter(const char *p, const char *end)
{
	for (; p < end; p++)
		if ((*p >= 'g' && *p <= 'z') || (*p >= 'G' && *p <= 'Z'))
			return true;
	return false;
}

/* OpenBSD's TCP flags word: "S", "S.", ".", "FP", "R", ... */
static bool
flags_word(const char *p, const char *end, uint8_t *f)
{
	const char *q;
	uint8_t v = 0;

	for (q = p; q < end && *q != ' '; q++)
		switch (*q) {
		case 'S': v |= AD_TCP_SYN; break;
		case 'F': v |= AD_TCP_FIN; break;
		case 'R': v |= AD_TCP_RST; break;
		case 'P': v |= AD_TCP_PSH; break;
		case 'U': v |= AD_TCP_URG; break;
		case 'W': case 'E': break;
		case '.': v |= AD_TCP_ACK; break;
		default: return false;
		}
	if (q == p || q >= end)
		return false;
	*f = v;
	return true;
}

/* tcpdump.org's "Flags [S.]". */
static uint8_t
flags_bracket(const char *p, const char *end)
{
	uint8_t v = 0;

	for (; p < end && *p != ']'; p++)
		switch (*p) {
		case 'S': v |= AD_TCP_SYN; break;
		case 'F': v |= AD_TCP_FIN; break;
		case 'R': v |= AD_TCP_RST; break;
		case 'P': v |= AD_TCP_PSH; break;
		case 'U': v |= AD_TCP_URG; break;
		case '.': v |= AD_TCP_ACK; break;
		}
	return v;
}

static void
stamp_time(const char *s, const char *end, struct pline *pl,
    struct ad_event *ev)
{
	const char *q;
	int64_t secs = 0;
	int n = 0;

	if (s >= end)
		return;
	if (s[0] >= 'A' && s[0] <= 'Z') {
		if (ad_time_scan_bsd(s, end, pl->clock, &ev->time) == 0)
			memset(&ev->time, 0, sizeof(ev->time));
		return;
	}
	if (end - s > 10 && s[4] == '-') {
		if (ad_time_scan_iso(s, end, pl->clock, &ev->time) == 0)
			memset(&ev->time, 0, sizeof(ev->time));
		return;
	}
	/* -tt: epoch seconds "1711710251.497000". */
	for (q = s; q < end && dig((unsigned char)*q) && n < 12; q++, n++)
		secs = secs * 10 + (*q - '0');
	if (n >= 9 && n <= 11 && q < end && *q == '.') {
		int32_t us = 0;
		int k = 0;

		for (q++; q < end && dig((unsigned char)*q); q++)
			if (k < 6) {
				us = us * 10 + (*q - '0');
				k++;
			}
		for (; k < 6; k++)
			us *= 10;
		ev->time.utc = secs;
		ev->time.usec = us;
		ev->time.off_min = (int16_t)(ad_local_offset_at(secs) / 60);
		ev->time.valid = true;
	}
}

static enum pr_result
parse_pflog(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = pl->msg + pl->len, *stamp = NULL;
	const char *q, *gt, *src_end, *d, *d_end;
	struct ad_addr dst;

	ev->service = "firewall";
	ev->format = "pflog";
	ev->kind = "drop";
	ev->category = AD_CAT_PORT_SCAN;
	ev->evidence = AD_EVIDENCE_SPOOFABLE;
	if (!starts(p, end, LIT("rule "))) {
		q = find(p, p + (end - p < 48 ? end - p : 48), LIT(" rule "));
		if (q == NULL)
			return PR_NONE;
		stamp = p;
		p = q + 1;
	}
	p += 5;
	/* "0/(match) ", "5/0(match): ", "def/(short) ", "1.anchor.2/(match) " */
	if ((q = memchr(p, ')', (size_t)(end - p))) == NULL || q - p > 128)
		return PR_NONE;
	p = q + 1;
	(void)eat(&p, end, LIT(":"));
	if (!eat(&p, end, LIT(" ")))
		return PR_NONE;
	if (p < end && *p == '[') {	/* "[uid 0, pid 1234] " */
		if ((q = memchr(p, ']', (size_t)(end - p))) == NULL ||
		    q + 1 >= end || q[1] != ' ')
			return PR_NONE;
		p = q + 2;
	}
	if (!eat(&p, end, LIT("block ")))
		return PR_NONE;
	if (!eat(&p, end, LIT("in on ")) && !eat(&p, end, LIT("out on ")) &&
	    !eat(&p, end, LIT("fwd on ")))
		return PR_NONE;
	if ((q = memchr(p, ':', (size_t)(end - p))) == NULL ||
	    q + 1 >= end || q[1] != ' ')
		return PR_NONE;
	p = q + 2;
	if (!eat(&p, end, LIT("IP ")))
		(void)eat(&p, end, LIT("IP6 "));
	/* "SRC > DST: ..." */
	if ((src_end = memchr(p, ' ', (size_t)(end - p))) == NULL)
		return PR_NONE;
	gt = src_end;
	if (!starts(gt, end, LIT(" > ")))
		return PR_NONE;
	d = gt + 3;
	if ((d_end = memchr(d, ' ', (size_t)(end - d))) == NULL)
		d_end = end;
	if (d_end > d && d_end[-1] == ':')
		d_end--;
	else
		return PR_NONE;	/* cut before the end of the destination */
	if (!endpoint(p, src_end, &ev->src, &ev->src_port))
		return has_letter(p, src_end) ? PR_HOSTNAME : PR_BADADDR;
	if (endpoint(d, d_end, &dst, &ev->dst_port))
		ev->dst = dst;
	else
		ev->dst_port = 0;
	q = d_end + 1;
	while (q < end && *q == ' ')
		q++;
	if (starts(q, end, LIT("Flags ["))) {
		ev->proto = AD_PROTO_TCP;
		ev->tcp_flags = flags_bracket(q + 7, end);
	} else if (starts(q, end, LIT("icmp6")) || starts(q, end, LIT("ICMP6")))
		ev->proto = AD_PROTO_ICMPV6;
	else if (starts(q, end, LIT("icmp")) || starts(q, end, LIT("ICMP")))
		ev->proto = ev->src.af == 6 ? AD_PROTO_ICMPV6 :
		    AD_PROTO_ICMP;
	else if (starts(q, end, LIT("udp")) || starts(q, end, LIT("UDP")))
		ev->proto = AD_PROTO_UDP;
	else if (starts(q, end, LIT("[|tcp]")))
		ev->proto = AD_PROTO_TCP;
	else if (ev->src_port != 0 && flags_word(q, end, &ev->tcp_flags))
		ev->proto = AD_PROTO_TCP;
	else if (ev->src_port != 0)
		ev->proto = AD_PROTO_OTHER;	/* decoded payload (DNS, ...) */
	if (stamp != NULL)
		stamp_time(stamp, end, pl, ev);
	return PR_EVENT;
}

/* A stamp, then " rule N/...(reason)" and an action. */
static bool
pflog_claims(const char *m, size_t n)
{
	const char *end = m + n, *r;

	if (n < 24 || !(dig((unsigned char)m[0]) || (m[0] >= 'A' && m[0] <= 'Z')))
		return false;
	r = find(m, m + (n < 48 ? n : 48), LIT(" rule "));
	return r != NULL && r > m && dig((unsigned char)r[-1]) &&
	    memchr(r, ')', (size_t)(end - r)) != NULL &&
	    find(r, end, LIT(" on ")) != NULL;
}

static const char *const pflog_tags[] = { "pflog", NULL };

static const struct legend pflog_legends[] = {
	{ "pflog",
	  "pf firewall log (OpenBSD, FreeBSD, pfSense) as printed by\n"
	  "`tcpdump -n -e -ttt -r /var/log/pflog`, one packet per line:\n"
	  "stamp (local time of the firewall; a time of day alone has no\n"
	  "date), rule N/(reason) = the pf rule that logged the packet (and\n"
	  "why: match, short, bad-offset, ...), the action (block = dropped,\n"
	  "pass = let through), direction (in/out) and interface, then\n"
	  "SRC.SPORT > DST.DPORT: the packet's source and destination with the\n"
	  "port after the last dot, then what tcpdump decoded of the packet:\n"
	  "TCP flags (S = SYN, . = ACK, F = FIN, R = RST, P = PUSH; \"Flags\n"
	  "[S]\" in the tcpdump.org form), seq/ack numbers, window, or udp/icmp.\n"
	  "A dropped packet's source may be forged.\n" },
	{ NULL, NULL }
};

const struct family fam_pflog = {
	.name = "pflog",
	.tags = pflog_tags,
	.claims = pflog_claims,
	.whole_file = true,
	.parse = parse_pflog,
	.legends = pflog_legends,
};
