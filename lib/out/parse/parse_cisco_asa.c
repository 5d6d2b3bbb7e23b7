/*
 * parse_cisco_asa.c - Cisco ASA, PIX and FTD (Firepower Threat Defense)
 * syslog messages: "%ASA-SEV-MSGID: text".
 *
 * Forms: behind any syslog envelope the envelope reads ("Jun 19 12:00:00
 * 10.0.0.1 %ASA-4-106023: ...", the ASA's own "Jun 19 2015 12:00:00 asa1 :
 * %ASA-...", "<166>Jun 19 2015 12:00:00: %ASA-..."), where the tag
 * "%ASA-4-106023" selects this family, or headerless lines starting with
 * "%ASA-" (claimed per line). The message id picks the grammar; the
 * addresses stand at fixed places of Cisco's documented texts.
 *
 * Events:
 *   drop (port-scan, firewall): 106001 inbound TCP denied, 106006/106007
 *     inbound UDP denied, 106010 inbound protocol denied, 106014 inbound
 *     ICMP denied, 106023 denied by access-group, 106100 access-list
 *     "denied" (not "permitted"), 313001 ICMP to the box denied, 710003
 *     TCP/UDP to the box denied by the management ACL.
 *   threat (port-scan): 733101 "Host A is attacking" and 733102 "adds host
 *     A to shun list" (threat detection names the scanner). 733100 (rate
 *     exceeded) names no source; 733101 "is targeted" names the victim.
 *   alert (ids-alert): 400000-400050 built-in IPS signatures ("IPS:2003
 *     ICMP redirect from A to B"), 420002 IPS module drop, 434002 FirePOWER
 *     (SFR) drop.
 *   failed-auth (auth-bruteforce): 605004/605005 management login denied,
 *     109006 cut-through proxy authentication failed, 113005/113015 AAA
 *     (VPN) authentication rejected ("user IP = A"), 308001 enable password
 *     incorrect ("(from A)").
 *
 * Not events, by decision:
 *   302013-302016 Build/Teardown: connections, not hostility. A Teardown
 *     with bytes > 0 proves that its source completed a session, but that
 *     proof belongs to that connection only: it cannot vouch for a dropped
 *     packet naming the same address (a third party framing a customer of
 *     ours would forge exactly such packets), so no drop becomes proven.
 *   106015 "Deny TCP (no connection)": late ACK/FIN/RST of connections
 *     already closed, everyday noise. 106016/106021/106022 (IP spoof,
 *     reverse path check, connection spoof) and 106017 (Land attack: source
 *     equals destination) name forged sources by definition. 313004 (echo
 *     reply without request), 419002 (duplicate SYN), 500003/500004
 *     (malformed headers), 410001 (malformed DNS): anomalies that broken
 *     stacks and spoofed backscatter produce, accusing nobody.
 *
 * Evidence: every drop and IPS verdict is spoofable, as for any firewall
 * (parse_netfilter.c). Authentication failures over TCP management
 * sessions (ssh, telnet, https) are proven; 113005/113015 (VPN, possibly
 * over UDP IKE) are spoofable.
 *
 * Direction: the interface names ("outside", "inside", "dmz") are the
 * administrator's; an event names the packet's source whatever the
 * interface, and the detect stage marks our own networks internal.
 */
#include "parse_int.h"

static inline bool
dig(int c)
{
	return c >= '0' && c <= '9';
}

/*
 * "%ASA-4-106023" at [p, end), ending there or at ':': the message id, or
 * 0. *sev gets the level.
 */
static unsigned
msg_id(const char *p, const char *end, unsigned *sev)
{
	const char *q;
	unsigned id = 0;

	if (!(starts(p, end, LIT("%ASA-")) || starts(p, end, LIT("%PIX-")) ||
	    starts(p, end, LIT("%FTD-"))))
		return 0;
	q = p + 5;
	if (q + 2 >= end || !dig((unsigned char)q[0]) || q[1] != '-')
		return 0;
	*sev = (unsigned)(q[0] - '0');
	for (q += 2; q < end && dig((unsigned char)*q) && id < 10000000; q++)
		id = id * 10 + (unsigned)(*q - '0');
	return q == end || *q == ':' ? id : 0;
}

/*
 * An endpoint "[IFC:]ADDR[/PORT]" (sep ':') or "IFC/ADDR(PORT)" (sep '/')
 * at *pp. With sep, the interface before it is skipped. Source endpoints
 * go through take_src (host names and garbage told apart).
 */
static enum pr_result
endpoint(const char **pp, const char *end, char sep, bool src,
    struct ad_event *ev)
{
	const char *p = *pp, *sp, *c;
	struct ad_addr a;
	uint16_t *port = src ? &ev->src_port : &ev->dst_port;
	enum pr_result r;
	size_t l;

	if (sep != 0) {
		sp = memchr(p, ' ', (size_t)(end - p));
		if (sp == NULL)
			sp = end;
		if ((c = memchr(p, sep, (size_t)(sp - p))) == NULL)
			return PR_BADADDR;
		p = c + 1;
	}
	if (src) {
		if ((r = take_src(&p, end, ev, "/(),:")) != PR_EVENT)
			return r;
	} else {
		if ((l = ad_addr_scan(p, end, &a)) == 0)
			return PR_BADADDR;
		ev->dst = a;
		p += l;
	}
	if (p < end && (*p == '/' || *p == '(')) {
		const char *q = p + 1;
		unsigned v = take_port(&q, end);

		if (v > 0 && (*p == '/' || (q < end && *q == ')'))) {
			*port = (uint16_t)v;
			p = *p == '(' ? q + 1 : q;
		} else
			p = q;
	}
	*pp = p;
	return PR_EVENT;
}

/* [p, c) could begin an IPv6 address: 1 to 4 hex digits (or nothing). */
static bool
ipv6_head(const char *p, const char *c)
{
	if (c - p > 4)
		return false;
	for (; p < c; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
		    (*p >= 'A' && *p <= 'F')))
			return false;
	return true;
}

/*
 * Source then " to "/" dst " destination (which may have an interface when
 * the source has none: "from A/p to outside:B/p"); the destination is
 * optional.
 */
static enum pr_result
flow(const char *p, const char *end, char sep, const char *mid, size_t midl,
    struct ad_event *ev)
{
	const char *c, *sp;
	enum pr_result r;
	char dsep = sep;

	if ((r = endpoint(&p, end, sep, true, ev)) != PR_EVENT)
		return r;
	if (midl == 0 || !eat(&p, end, mid, midl))
		return PR_EVENT;
	if (sep == 0 && (sp = memchr(p, ' ', (size_t)(end - p))) != NULL &&
	    (c = memchr(p, ':', (size_t)(sp - p))) != NULL && !ipv6_head(p, c))
		dsep = ':';	/* "outside:B", not an IPv6 address */
	if (endpoint(&p, end, dsep, false, ev) != PR_EVENT) {
		memset(&ev->dst, 0, sizeof(ev->dst));
		ev->dst_port = 0;
	}
	return PR_EVENT;
}

/* "tcp", "UDP", "icmp", or a protocol number, up to the next space. */
static const char *
proto(const char *p, const char *end, struct ad_event *ev)
{
	const char *sp = memchr(p, ' ', (size_t)(end - p));

	if (sp == NULL)
		return NULL;
	ev->proto = (uint8_t)ad_proto_from_name(p, (size_t)(sp - p));
	if (ev->proto == AD_PROTO_OTHER && sp - p == 1 && *p == '6')
		ev->proto = AD_PROTO_TCP;
	else if (ev->proto == AD_PROTO_OTHER && sp - p == 2 &&
	    memcmp(p, "17", 2) == 0)
		ev->proto = AD_PROTO_UDP;
	return sp + 1;
}

static void
as_drop(struct ad_event *ev)
{
	ev->service = "firewall";
	ev->kind = "drop";
	ev->category = AD_CAT_PORT_SCAN;
	ev->evidence = AD_EVIDENCE_SPOOFABLE;
}

static void
as_auth(struct ad_event *ev, bool proven)
{
	ev->service = "asa";
	ev->kind = "failed-auth";
	ev->category = AD_CAT_AUTH_BRUTEFORCE;
	ev->evidence = proven ? AD_EVIDENCE_PROVEN : AD_EVIDENCE_SPOOFABLE;
}

static void
as_ids(struct ad_event *ev)
{
	ev->service = "ids";
	ev->kind = "alert";
	ev->category = AD_CAT_IDS_ALERT;
	ev->evidence = AD_EVIDENCE_SPOOFABLE;
}

/* The text after "from " (first occurrence after p), or NULL. */
static const char *
after(const char *p, const char *end, const char *s, size_t n)
{
	const char *q = find(p, end, s, n);

	return q ? q + n : NULL;
}

static enum pr_result
parse_asa(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = pl->msg + pl->len, *q;
	unsigned id, sev = 0;

	ev->format = "cisco-asa";
	if (p < end && *p == '%') {
		/* Headerless: "%ASA-4-106023: text". */
		if ((id = msg_id(p, end, &sev)) == 0 ||
		    (q = memchr(p, ':', (size_t)(end - p))) == NULL)
			return PR_NONE;
		p = q + 1;
		while (p < end && *p == ' ')
			p++;
	} else if (pl->env != NULL && pl->env->prog != NULL) {
		if ((id = msg_id(pl->env->prog, pl->env->prog +
		    pl->env->prog_len, &sev)) == 0)
			return PR_NONE;
	} else
		return PR_NONE;

	switch (id) {
	case 106001:	/* Inbound TCP connection denied from A/p to B/p flags ... */
		if (!eat(&p, end, LIT("Inbound TCP connection denied from ")))
			return PR_NONE;
		as_drop(ev);
		ev->proto = AD_PROTO_TCP;
		if (find(p, end, LIT(" flags SYN ")) &&
		    !find(p, end, LIT(" flags SYN ACK")))
			ev->tcp_flags = AD_TCP_SYN;
		return flow(p, end, 0, LIT(" to "), ev);
	case 106006:	/* Deny inbound UDP from A/p to B/p on interface X */
	case 106007:	/* Deny inbound UDP from A/p to B/p due to DNS Query */
		if (!eat(&p, end, LIT("Deny inbound UDP from ")))
			return PR_NONE;
		as_drop(ev);
		ev->proto = AD_PROTO_UDP;
		return flow(p, end, 0, LIT(" to "), ev);
	case 106010:	/* Deny inbound protocol N src I:A dst I:B */
	case 106014:	/* Deny inbound icmp src I:A dst I:B (type 8, code 0) */
	case 106023:	/* Deny tcp src I:A/p dst I:B/p by access-group "X" */
		if (!eat(&p, end, LIT("Deny ")) ||
		    (id != 106023 && !eat(&p, end, LIT("inbound "))))
			return PR_NONE;
		(void)eat(&p, end, LIT("protocol "));
		if ((p = proto(p, end, ev)) == NULL || !eat(&p, end, LIT("src ")))
			return PR_NONE;
		as_drop(ev);
		if (ev->proto == AD_PROTO_ICMP && find(p, end, LIT("::")))
			ev->proto = AD_PROTO_ICMPV6;
		return flow(p, end, ':', LIT(" dst "), ev);
	case 106100:	/* access-list ACL denied tcp I/A(p) -> I/B(p) hit-cnt */
		if (!eat(&p, end, LIT("access-list ")) ||
		    (q = memchr(p, ' ', (size_t)(end - p))) == NULL)
			return PR_NONE;
		p = q + 1;
		if (!eat(&p, end, LIT("denied ")) ||
		    (p = proto(p, end, ev)) == NULL)
			return PR_NONE;
		as_drop(ev);
		return flow(p, end, '/', LIT(" -> "), ev);
	case 313001:	/* Denied ICMP type=8, code=0 from A on interface X */
		if (!starts(p, end, LIT("Denied ICMP type=")) ||
		    (p = after(p, end, LIT(" from "))) == NULL)
			return PR_NONE;
		as_drop(ev);
		ev->proto = AD_PROTO_ICMP;
		return flow(p, end, 0, LIT(""), ev);
	case 710003:	/* TCP access denied by ACL from A/p to I:B/p */
		if ((p = proto(p, end, ev)) == NULL ||
		    !eat(&p, end, LIT("access denied by ACL from ")))
			return PR_NONE;
		as_drop(ev);
		if (flow(p, end, 0, LIT(""), ev) != PR_EVENT)
			return PR_BADADDR;
		if ((q = after(p, end, LIT(" to "))) != NULL)
			(void)endpoint(&q, end, ':', false, ev);
		return PR_EVENT;
	case 733101:	/* Host A is attacking. Current burst rate ... */
		if (!eat(&p, end, LIT("Host ")))
			return PR_NONE;
		q = memchr(p, ' ', (size_t)(end - p));
		if (q == NULL || !starts(q, end, LIT(" is attacking")))
			return PR_NONE;
		as_drop(ev);
		ev->kind = "threat";
		return flow(p, end, 0, LIT(""), ev);
	case 733102:	/* Threat-detection adds host A to shun list */
		if (!eat(&p, end, LIT("Threat-detection adds host ")))
			return PR_NONE;
		as_drop(ev);
		ev->kind = "threat";
		return flow(p, end, 0, LIT(""), ev);
	case 420002:	/* IPS requested to drop UDP packet from I:A/p to I:B/p */
	case 434002:	/* SFR requested to drop TCP packet from I:A/p to I:B/p */
		if ((q = after(p, end, LIT(" requested to drop "))) == NULL ||
		    (q = proto(q, end, ev)) == NULL ||
		    !eat(&q, end, LIT("packet from ")))
			return PR_NONE;
		as_ids(ev);
		ev->detail = p;
		ev->detail_len = (size_t)(q - 6 - p);
		return flow(q, end, ':', LIT(" to "), ev);
	case 605004:	/* Login denied from A/p to I:B/ssh for user "u" */
	case 605005:	/* Login permitted ... */
		if (id == 605005 || !eat(&p, end, LIT("Login denied from ")))
			return PR_NONE;
		as_auth(ev, true);
		ev->proto = AD_PROTO_TCP;
		if ((q = find(p, end, LIT(" for user \""))) != NULL &&
		    end - q > 12 && end[-1] == '"') {
			ev->user = q + 11;
			ev->user_len = (size_t)(end - 1 - ev->user);
		}
		return flow(p, end, 0, LIT(" to "), ev);
	case 109006:	/* Authentication failed for user U from A/p to B/p on ... */
		if (!starts(p, end, LIT("Authentication failed for user ")))
			return PR_NONE;
		/* The user name comes first and may hold " from ": refuse two. */
		if ((q = rfind(p, end, LIT(" from "))) == NULL)
			return PR_NONE;
		if (find(p, q, LIT(" from ")) != NULL)
			return PR_AMBIGUOUS;
		as_auth(ev, true);
		ev->proto = AD_PROTO_TCP;
		return flow(q + 6, end, 0, LIT(" to "), ev);
	case 113005:	/* AAA user authentication Rejected : ... : user IP = A */
	case 113015:
		if (!starts(p, end, LIT("AAA user authentication Rejected")) ||
		    (q = rfind(p, end, LIT(" : user IP = "))) == NULL)
			return PR_NONE;
		if (find(p, q, LIT("user IP = ")) != NULL)
			return PR_AMBIGUOUS;	/* injected through the user name */
		as_auth(ev, false);
		{
			const char *u = find(p, q, LIT(" : user = "));

			if (u != NULL) {
				ev->user = u + 10;
				ev->user_len = (size_t)(q - ev->user);
			}
		}
		return flow(q + 13, end, 0, LIT(""), ev);
	case 308001:	/* console enable password incorrect for 3 tries (from A) */
		if (!find(p, end, LIT("enable password incorrect")) ||
		    (q = rfind(p, end, LIT("(from "))) == NULL)
			return PR_NONE;
		as_auth(ev, true);
		q += 6;
		return flow(q, end, 0, LIT(""), ev);
	default:
		break;
	}
	if (id >= 400000 && id <= 400050) {
		/* IPS:2003 ICMP redirect from A to B on interface dmz */
		const char *m;

		if (!eat(&p, end, LIT("IPS:")) ||
		    (q = rfind(p, end, LIT(" from "))) == NULL)
			return PR_NONE;
		m = memchr(p, ' ', (size_t)(q - p));
		if (m != NULL) {
			ev->detail = m + 1;
			ev->detail_len = (size_t)(q - m - 1);
		}
		as_ids(ev);
		return flow(q + 6, end, 0, LIT(" to "), ev);
	}
	return PR_NONE;
}

/* Headerless: "%ASA-4-106023: ..." (also %PIX-, %FTD-). */
static bool
asa_claims(const char *m, size_t n)
{
	unsigned sev;

	return n > 8 && m[0] == '%' && msg_id(m, m + n, &sev) != 0;
}

static const char *const asa_tags[] = { "%ASA", "%PIX", "%FTD", NULL };
static const char *const asa_aliases[] = { "asa", "pix", "ftd", NULL };

static const struct legend asa_legends[] = {
	{ "cisco-asa",
	  "Cisco ASA/PIX/FTD firewall syslog: %ASA-S-NNNNNN: text, where S is\n"
	  "the severity (0 emergency .. 7 debug) and NNNNNN the message id,\n"
	  "documented in Cisco's \"ASA Series Syslog Messages\". Addresses are\n"
	  "written ADDR/PORT, or INTERFACE:ADDR/PORT, or (access-list 106100)\n"
	  "INTERFACE/ADDR(PORT); the first is the packet's source, the one after\n"
	  "\"to\", \"dst\" or \"->\" its destination. The interface names\n"
	  "(outside, inside, dmz, ...) are the administrator's: \"outside\" is\n"
	  "usually the Internet. 106001/106006/106014/106023/106100 = packet\n"
	  "denied by the firewall, 302013-302016 = connection built/torn down\n"
	  "(bytes = data exchanged), 733101 = threat detection names a scanner,\n"
	  "605004/113015 = login refused. Times are the syslog header's (the\n"
	  "ASA's clock, or the collector's when the ASA sends none).\n" },
	{ NULL, NULL }
};

const struct family fam_cisco_asa = {
	.name = "cisco-asa",
	.aliases = asa_aliases,
	.tags = asa_tags,
	.claims = asa_claims,
	.parse = parse_asa,
	.legends = asa_legends,
};
