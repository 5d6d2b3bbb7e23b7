/*
 * parse_xinetd.c - xinetd access refusals (tag "xinetd"):
 *
 *   FAIL: SERVICE REASON from=ADDR
 *
 * REASON is libwrap (hosts.deny), address (only_from/no_access), time
 * (access_times), ... : a connection to a service that this client may
 * not use. xinetd mostly guards login services (telnet, rlogin, ftp,
 * amanda), so repeated refusals are attempts to get in: category
 * auth-bruteforce, kind refused (a port-scan incident needs several
 * ports, which one refused service never has). Evidence:
 * xinetd logs a TCP service after accept(), so it is proven; services
 * known to run over UDP (tftp, talk, amanda, *-udp, ...) are spoofable.
 * "START:"/"EXIT:" lines (successful connections) are not events.
 * The address comes after "from=", the last field, which xinetd writes.
 */
#include "parse_int.h"

static bool
udp_service(const char *s, size_t n)
{
	static const char *const udp[] = { "tftp", "talk", "ntalk", "amanda",
		"bootps", "snmp", "syslog", "netbios-ns", "ntp", NULL };
	const char *const *u;

	if (n > 4 && memcmp(s + n - 4, "-udp", 4) == 0)
		return true;
	for (u = udp; *u != NULL; u++)
		if (strlen(*u) == n && memcmp(*u, s, n) == 0)
			return true;
	return false;
}

static enum pr_result
parse_xinetd(struct pline *pl, struct ad_event *ev)
{
	const char *m = pl->msg, *end = pl->msg + pl->len, *p = m, *s, *f;
	enum pr_result r;

	end = trim_end(m, end);
	if (!eat(&p, end, LIT("FAIL: ")))
		return PR_NONE;
	s = p;
	while (p < end && *p != ' ')
		p++;
	if ((f = rfind(p, end, LIT(" from="))) == NULL)
		return PR_NONE;
	f += 6;
	if ((r = take_src(&f, end, ev, NULL)) != PR_EVENT)
		return r;
	if (f != end)
		return PR_BADADDR;
	ev->service = "xinetd";
	ev->format = "xinetd";
	ev->kind = "refused";
	ev->category = AD_CAT_AUTH_BRUTEFORCE;
	if (udp_service(s, (size_t)(p - s))) {
		ev->proto = AD_PROTO_UDP;
		ev->evidence = AD_EVIDENCE_SPOOFABLE;
	} else {
		ev->proto = AD_PROTO_TCP;
		ev->evidence = AD_EVIDENCE_PROVEN;
	}
	ev->detail = s;		/* the service refused */
	ev->detail_len = (size_t)(p - s);
	return PR_EVENT;
}

static const char *const xinetd_tags[] = { "xinetd", NULL };

static const struct legend xinetd_legends[] = {
	{ "xinetd",
	  "xinetd (the Internet services daemon) messages: date and time (the\n"
	  "logging host's local zone), host, \"xinetd[PID]\", then \"FAIL: SERVICE\n"
	  "REASON from=ADDRESS\": a connection from ADDRESS (the remote side) to\n"
	  "SERVICE was refused by access control; REASON says which rule:\n"
	  "libwrap (/etc/hosts.deny), address (only_from/no_access), time\n"
	  "(access_times).\n" },
	{ NULL, NULL }
};

const struct family fam_xinetd = {
	.name = "xinetd",
	.tags = xinetd_tags,
	.parse = parse_xinetd,
	.legends = xinetd_legends,
};
