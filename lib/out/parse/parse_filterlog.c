/*
 * parse_filterlog.c - pf firewall logs of pfSense and OPNsense ("filterlog"
 * program, comma-separated, format of pfSense 2.2 and later).
 *
 *   rule,sub,anchor,tracker,iface,reason,action,dir,ipver,...
 *   IPv4: tos,ecn,ttl,id,offset,flags,protonum,protoname,len,src,dst,
 *         [sport,dport,datalen[,tcpflags,seq,ack,window,urg,options]]
 *   IPv6: class,flowlabel,hoplimit,protoname,protonum,len,src,dst,
 *         [sport,dport,datalen[,tcpflags,...]]
 *
 * Only "block" lines are events, in either direction: a blocked outgoing
 * packet names one of our hosts, which detect marks as internal.
 * Evidence is spoofable for the reason given in parse_netfilter.c.
 */
#include "parse_int.h"

#define FL_MAX_FIELDS	32

static enum pr_result
parse_filterlog(struct pline *pl, struct ad_event *ev)
{
	const char *f[FL_MAX_FIELDS], *p = pl->msg, *end = pl->msg + pl->len;
	size_t fl[FL_MAX_FIELDS];
	int nf = 0, base, src_i;
	const char *a;
	enum pr_result r;

	ev->service = "firewall";
	ev->format = "filterlog";
	ev->kind = "drop";
	ev->category = AD_CAT_PORT_SCAN;
	ev->evidence = AD_EVIDENCE_SPOOFABLE;
	while (nf < FL_MAX_FIELDS) {
		const char *c = memchr(p, ',', (size_t)(end - p));

		f[nf] = p;
		fl[nf] = (size_t)((c ? c : end) - p);
		nf++;
		if (c == NULL)
			break;
		p = c + 1;
	}
	if (nf < 17 || fl[6] != 5 || memcmp(f[6], "block", 5) != 0)
		return PR_NONE;
	if (fl[8] == 1 && f[8][0] == '4') {
		if (nf < 20)
			return PR_NONE;
		ev->proto = (uint8_t)ad_proto_from_name(f[16], fl[16]);
		src_i = 18;
	} else if (fl[8] == 1 && f[8][0] == '6') {
		ev->proto = (uint8_t)ad_proto_from_name(f[12], fl[12]);
		if (ev->proto == AD_PROTO_ICMP)
			ev->proto = AD_PROTO_ICMPV6;	/* pf names it "icmp" */
		src_i = 15;
	} else
		return PR_NONE;
	if (nf <= src_i + 1)
		return PR_NONE;
	a = f[src_i];
	if ((r = take_src(&a, f[src_i] + fl[src_i], ev, NULL)) != PR_EVENT)
		return r;
	if (!ad_addr_parse(f[src_i + 1], fl[src_i + 1], &ev->dst))
		memset(&ev->dst, 0, sizeof(ev->dst));
	base = src_i + 2;
	if ((ev->proto == AD_PROTO_TCP || ev->proto == AD_PROTO_UDP) &&
	    nf > base + 1) {
		a = f[base];
		ev->src_port = (uint16_t)take_port(&a, f[base] + fl[base]);
		a = f[base + 1];
		ev->dst_port = (uint16_t)take_port(&a, f[base + 1] + fl[base + 1]);
	}
	if (ev->proto == AD_PROTO_TCP && nf > base + 3) {
		size_t i;

		for (i = 0; i < fl[base + 3]; i++)
			switch (f[base + 3][i]) {
			case 'S': ev->tcp_flags |= AD_TCP_SYN; break;
			case 'A': ev->tcp_flags |= AD_TCP_ACK; break;
			case 'F': ev->tcp_flags |= AD_TCP_FIN; break;
			case 'R': ev->tcp_flags |= AD_TCP_RST; break;
			case 'P': ev->tcp_flags |= AD_TCP_PSH; break;
			case 'U': ev->tcp_flags |= AD_TCP_URG; break;
			}
	}
	return PR_EVENT;
}

/* A bare filterlog record: "RULE,...,match,block,..." */
static bool
filterlog_claims(const char *m, size_t n)
{
	return n > 0 && m[0] >= '0' && m[0] <= '9' &&
	    find(m, m + n, LIT(",match,")) != NULL;
}

static const char *const filterlog_tags[] = { "filterlog", NULL };
static const char *const filterlog_aliases[] = {
	"pfsense", "opnsense", NULL
};

static const struct legend filterlog_legends[] = {
	{ "filterlog",
	  "pf firewall log (pfSense/OPNsense \"filterlog\"), comma-separated:\n"
	  "rule number, sub-rule, anchor, tracker, interface, reason, action\n"
	  "(pass/block), direction (in/out), IP version, then for IPv4: TOS,\n"
	  "ECN, TTL, id, offset, flags, protocol id, protocol name, length,\n"
	  "source address, destination address, and for TCP/UDP: source port,\n"
	  "destination port, data length, and for TCP: flags, sequence, ack,\n"
	  "window, urgent, options.\n" },
	{ NULL, NULL }
};

const struct family fam_filterlog = {
	.name = "filterlog",
	.aliases = filterlog_aliases,
	.tags = filterlog_tags,
	.claims = filterlog_claims,
	.parse = parse_filterlog,
	.legends = filterlog_legends,
};
