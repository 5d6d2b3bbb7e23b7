/*
 * parse_netfilter.c - Linux kernel firewall log lines: iptables/ip6tables
 * LOG target, nftables "log", UFW.
 *
 *   [12345.678] [UFW BLOCK] IN=eth0 OUT= MAC=... SRC=a DST=b LEN=40 ...
 *       PROTO=TCP SPT=1 DPT=22 WINDOW=1024 RES=0x00 SYN URGP=0
 *
 * The text before IN= is the rule's log prefix. A line is an event unless
 * the prefix says the packet was let through (ALLOW, ACCEPT, AUDIT, PASS):
 * logging rules are, by overwhelming convention, placed before a drop.
 *
 * Evidence: a single logged packet proves nothing about its source - UDP,
 * ICMP and a bare SYN are trivially forged, and even an ACK can be sent by
 * someone who never had a session - so every firewall event is spoofable.
 * Proof of a source needs a completed session, which a dropped packet
 * never is.
 */
#include "parse_int.h"

/* One pass over the prefix for ALLOW, ACCEPT, AUDIT, PASS, accept, allow. */
static bool
prefix_allows(const char *p, const char *end)
{
	for (; (p = skip_to(p, end, 'A', 'P', 'a')) < end; p++)
		switch (*p) {
		case 'A':
			if (starts(p, end, LIT("ALLOW")) ||
			    starts(p, end, LIT("ACCEPT")) ||
			    starts(p, end, LIT("AUDIT")))
				return true;
			break;
		case 'P':
			if (starts(p, end, LIT("PASS")))
				return true;
			break;
		case 'a':
			if (starts(p, end, LIT("accept")) ||
			    starts(p, end, LIT("allow")))
				return true;
			break;
		}
	return false;
}

static uint8_t
flag_of(const char *t, size_t n)
{
	if (n != 3)
		return 0;
	if (memcmp(t, "SYN", 3) == 0)
		return AD_TCP_SYN;
	if (memcmp(t, "ACK", 3) == 0)
		return AD_TCP_ACK;
	if (memcmp(t, "FIN", 3) == 0)
		return AD_TCP_FIN;
	if (memcmp(t, "RST", 3) == 0)
		return AD_TCP_RST;
	if (memcmp(t, "PSH", 3) == 0)
		return AD_TCP_PSH;
	if (memcmp(t, "URG", 3) == 0)
		return AD_TCP_URG;
	return 0;
}

static enum pr_result
parse_netfilter(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = pl->msg + pl->len, *in;
	bool have_src = false, in_packet = true;
	enum pr_result r;

	ev->service = "firewall";
	ev->format = "netfilter";
	ev->kind = "drop";
	ev->category = AD_CAT_PORT_SCAN;
	ev->evidence = AD_EVIDENCE_SPOOFABLE;
	/*
	 * "IN=" as a token of its own: "XX=eth0" is not a netfilter line. The
	 * prefix rarely holds a '=', so the first '=' is nearly always it.
	 */
	for (in = p; (in = memchr(in, '=', (size_t)(end - in))) != NULL; in++)
		if (in - pl->msg >= 2 && in[-2] == 'I' && in[-1] == 'N' &&
		    (in - 2 == pl->msg || in[-3] == ' '))
			break;
	if (in == NULL)
		return PR_NONE;
	in -= 2;
	if (prefix_allows(p, in))
		return PR_NONE;
	p = in;
	while (p < end) {
		const char *t = p, *te, *eq;
		size_t tl;

		/* The first '=' of the token, then its end. */
		eq = te = skip_to(p, end, '=', ' ', ' ');
		if (te < end && *te == '=')
			te = skip_to(te + 1, end, ' ', ' ', ' ');
		else
			eq = NULL;
		tl = (size_t)(te - t);
		p = te + 1;
		if (eq == NULL) {
			if (in_packet)
				ev->tcp_flags |= flag_of(t, tl);
			continue;
		}
		/* ICMP errors quote the offending packet in [SRC=...]: stop there. */
		if (*t == '[') {
			in_packet = false;
			continue;
		}
		if (!in_packet)
			continue;
		switch (eq - t) {
		case 3:
			if (memcmp(t, "SRC", 3) == 0) {
				const char *a = eq + 1;

				if ((r = take_src(&a, te, ev, NULL)) != PR_EVENT)
					return r;
				have_src = true;
			} else if (memcmp(t, "DST", 3) == 0) {
				struct ad_addr d;

				if (ad_addr_parse(eq + 1, (size_t)(te - eq - 1), &d))
					ev->dst = d;
			} else if (memcmp(t, "SPT", 3) == 0) {
				const char *a = eq + 1;

				ev->src_port = (uint16_t)take_port(&a, te);
			} else if (memcmp(t, "DPT", 3) == 0) {
				const char *a = eq + 1;

				ev->dst_port = (uint16_t)take_port(&a, te);
			}
			break;
		case 5:
			if (memcmp(t, "PROTO", 5) == 0)
				ev->proto = (uint8_t)ad_proto_from_name(eq + 1,
				    (size_t)(te - eq - 1));
			break;
		}
	}
	if (!have_src)
		return PR_NONE;
	return PR_EVENT;
}

/* A bare kernel message with both IN= and SRC= (dmesg, journalctl -o cat). */
static bool
netfilter_claims(const char *m, size_t n)
{
	const char *end = m + n;

	return find(m, end, LIT("SRC=")) && find(m, end, LIT("IN="));
}

static const char *const netfilter_tags[] = { "kernel", NULL };
static const char *const netfilter_aliases[] = {
	"iptables", "ufw", "nftables", NULL
};

static const struct legend netfilter_legends[] = {
	{ "netfilter",
	  "Linux kernel firewall (netfilter/iptables/nftables/UFW) log lines.\n"
	  "IN = interface the packet arrived on; OUT = interface it would leave\n"
	  "by (empty for packets to this host); MAC = link-layer header;\n"
	  "SRC = source address; DST = destination address; LEN = packet length;\n"
	  "TTL = time to live; ID = IP identification; PROTO = protocol;\n"
	  "SPT = source port; DPT = destination port; WINDOW = TCP window;\n"
	  "SYN/ACK/FIN/RST/PSH/URG = TCP flags set; the text before IN= is the\n"
	  "rule's log prefix, e.g. [UFW BLOCK] for a dropped packet.\n" },
	{ NULL, NULL }
};

const struct family fam_netfilter = {
	.name = "netfilter",
	.aliases = netfilter_aliases,
	.tags = netfilter_tags,
	.claims = netfilter_claims,
	.parse = parse_netfilter,
	.legends = netfilter_legends,
};
