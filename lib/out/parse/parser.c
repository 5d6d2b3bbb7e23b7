/*
 * parser.c - envelope, dispatch by program tag, checks and time for hits.
 */
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_json.h"
#include "parse_int.h"

#define JSON_MSG_CAP	(2 * AD_LINE_MAX)

static uint64_t conn_key(const char *host, size_t n, uint32_t pid);

enum sniff {
	SNIFF_UNKNOWN = 0,
	SNIFF_SYSLOG,		/* lines carry an envelope */
	SNIFF_BARE,		/* bare messages */
};

struct ad_parser {
	enum ad_family		family;
	enum sniff		sniff;
	struct ad_clockref	clock;
	int64_t			ref;
	int			year;
	struct ad_parse_stats	stats;
	struct conn_map		conns;
	char			json_msg[JSON_MSG_CAP];
};

struct ad_parser *
ad_parser_new(enum ad_family family, int64_t ref, int year)
{
	struct ad_parser *p;

	if ((p = ad_calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->family = family;
	p->year = year;
	ad_parser_reset(p, ref);
	return p;
}

void
ad_parser_free(struct ad_parser *p)
{
	ad_free(p);
}

void
ad_parser_reset(struct ad_parser *p, int64_t ref)
{
	p->sniff = SNIFF_UNKNOWN;
	p->ref = ref;
	memset(p->conns.key, 0, sizeof(p->conns.key));
	ad_clockref_init(&p->clock, ref, p->year);
}

const struct ad_parse_stats *
ad_parser_stats(const struct ad_parser *p)
{
	return &p->stats;
}

void
ad_parser_count_skip(struct ad_parser *p, enum ad_skip why)
{
	p->stats.lines++;
	p->stats.skipped[why]++;
}

void
ad_parse_stats_add(struct ad_parse_stats *dst, const struct ad_parse_stats *src)
{
	int i;

	dst->lines += src->lines;
	dst->bytes += src->bytes;
	dst->events += src->events;
	for (i = 0; i < AD_SKIP__COUNT; i++)
		dst->skipped[i] += src->skipped[i];
}

/* Program tag -> family. Short list, compared by length first. */
static enum ad_family
family_of_prog(const char *s, size_t n)
{
	switch (n) {
	case 4:
		if (memcmp(s, "sshd", 4) == 0)
			return AD_FAMILY_SSHD;
		break;
	case 6:
		if (memcmp(s, "kernel", 6) == 0)
			return AD_FAMILY_NETFILTER;
		break;
	case 9:
		if (memcmp(s, "sshd-auth", 9) == 0)
			return AD_FAMILY_SSHD;
		if (memcmp(s, "filterlog", 9) == 0)
			return AD_FAMILY_FILTERLOG;
		break;
	case 12:
		if (memcmp(s, "sshd-session", 12) == 0)
			return AD_FAMILY_SSHD;
		break;
	}
	return AD_FAMILY_AUTO;
}

/* A bare message: its first bytes pick the family. */
static enum ad_family
family_of_bare(const char *m, size_t n)
{
	const char *end = m + n;

	if (find(m, end, LIT("SRC=")) && find(m, end, LIT("IN=")))
		return AD_FAMILY_NETFILTER;
	if (n > 0 && m[0] >= '0' && m[0] <= '9' && find(m, end, LIT(",match,")))
		return AD_FAMILY_FILTERLOG;
	return AD_FAMILY_SSHD;
}

static void
event_time(struct ad_parser *p, const struct envelope *env, struct ad_event *ev)
{
	const char *end = env->time_end;

	memset(&ev->time, 0, sizeof(ev->time));
	switch (env->time_kind) {
	case ENV_TIME_BSD:
		ad_time_scan_bsd(env->time, end, &p->clock, &ev->time);
		break;
	case ENV_TIME_ISO:
		ad_time_scan_iso(env->time, end, &p->clock, &ev->time);
		break;
	case ENV_TIME_EPOCH_US:
		/* journald stores UTC; show it at the local offset of that instant. */
		ev->time.utc = env->epoch_us / 1000000;
		ev->time.usec = (int32_t)(env->epoch_us % 1000000);
		ev->time.off_min = (int16_t)(ad_local_offset_at(ev->time.utc) / 60);
		ev->time.valid = true;
		break;
	case ENV_TIME_NONE:
		break;
	}
}

int
ad_parse_line(struct ad_parser *p, const char *line, size_t len,
    struct ad_event *ev)
{
	struct envelope env;
	enum ad_family fam;
	enum pr_result r;
	const char *m, *mend;

	p->stats.lines++;
	p->stats.bytes += len + 1;
	if (len > AD_LINE_MAX) {
		p->stats.skipped[AD_SKIP_TOO_LONG]++;
		return 0;
	}
	if (!envelope_split(line, len, &env, p->json_msg, sizeof(p->json_msg)))
		return 0;
	if (p->sniff == SNIFF_UNKNOWN)
		p->sniff = env.has_envelope ? SNIFF_SYSLOG : SNIFF_BARE;
	if (p->sniff == SNIFF_SYSLOG && !env.has_envelope) {
		p->stats.skipped[AD_SKIP_UNKNOWN_FORMAT]++;
		return 0;
	}
	if (p->family != AD_FAMILY_AUTO)
		fam = p->family;
	else if (env.prog != NULL)
		fam = family_of_prog(env.prog, env.prog_len);
	else
		fam = family_of_bare(env.msg, env.msg_len);
	if (fam == AD_FAMILY_AUTO)
		return 0;

	m = env.msg;
	mend = env.msg + env.msg_len;
	/* Solaris: "[ID 800047 auth.info] Failed ..." */
	if (starts(m, mend, LIT("[ID "))) {
		const char *q = memchr(m, ']', (size_t)(mend - m));

		if (q && q + 1 < mend && q[1] == ' ')
			m = q + 2;
	}
	memset(ev, 0, sizeof(*ev));
	ev->count = 1;
	switch (fam) {
	case AD_FAMILY_SSHD: {
		struct conn c = { &p->conns, 0 };

		if (env.pid != 0)
			c.key = conn_key(env.host, env.host_len, env.pid);
		r = parse_sshd(m, (size_t)(mend - m), ev, &c);
		break;
	}
	case AD_FAMILY_NETFILTER:
		r = parse_netfilter(m, (size_t)(mend - m), ev);
		break;
	case AD_FAMILY_FILTERLOG:
		r = parse_filterlog(m, (size_t)(mend - m), ev);
		break;
	default:
		r = PR_NONE;
		break;
	}
	switch (r) {
	case PR_NONE:
		return 0;
	case PR_HOSTNAME:
		p->stats.skipped[AD_SKIP_HOSTNAME]++;
		return 0;
	case PR_BADADDR:
		p->stats.skipped[AD_SKIP_BAD_ADDRESS]++;
		return 0;
	case PR_AMBIGUOUS:
		p->stats.skipped[AD_SKIP_AMBIGUOUS]++;
		return 0;
	case PR_EVENT:
		break;
	}
	/* Checks on hits only: clean lines cost nothing. */
	if (memchr(line, '\0', len) != NULL ||
	    memchr(env.msg, '\0', env.msg_len) != NULL) {	/* journal JSON */
		p->stats.skipped[AD_SKIP_NUL]++;
		return 0;
	}
	if (!ad_utf8_valid(line, len)) {
		p->stats.skipped[AD_SKIP_UTF8]++;
		return 0;
	}
	event_time(p, &env, ev);
	p->stats.events++;
	return 1;
}

/* --- connections ---------------------------------------------------- */

static uint64_t
conn_key(const char *host, size_t n, uint32_t pid)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)host[i];
		h *= 0x100000001b3ULL;
	}
	h ^= (uint64_t)pid * 0x9e3779b97f4a7c15ULL;
	return h | 1;		/* never 0 */
}

void
conn_remember(const struct conn *c, const struct ad_addr *a, bool auth)
{
	size_t i;

	if (c == NULL || c->key == 0)
		return;
	i = (size_t)(c->key >> 7) % CONN_SLOTS;
	if (c->map->key[i] != c->key || !ad_addr_equal(&c->map->addr[i], a)) {
		c->map->key[i] = c->key;
		c->map->addr[i] = *a;
		c->map->auth[i] = false;
	}
	c->map->auth[i] |= auth;
}

bool
conn_recall(const struct conn *c, struct ad_addr *out, bool *auth)
{
	size_t i;

	if (c == NULL || c->key == 0)
		return false;
	i = (size_t)(c->key >> 7) % CONN_SLOTS;
	if (c->map->key[i] != c->key)
		return false;
	*out = c->map->addr[i];
	if (auth)
		*auth = c->map->auth[i];
	return true;
}

/* --- names and legends ---------------------------------------------- */

static const char *const family_names[AD_FAMILY__COUNT] = {
	[AD_FAMILY_AUTO] = "auto",
	[AD_FAMILY_SSHD] = "sshd",
	[AD_FAMILY_NETFILTER] = "netfilter",
	[AD_FAMILY_FILTERLOG] = "filterlog",
};

const char *
ad_family_name(enum ad_family f)
{
	return (unsigned)f < AD_FAMILY__COUNT ? family_names[f] : "?";
}

int
ad_family_from_name(const char *name)
{
	int i;

	for (i = 0; i < AD_FAMILY__COUNT; i++)
		if (strcmp(name, family_names[i]) == 0)
			return i;
	/* Friendly aliases for what users call these logs. */
	if (strcmp(name, "iptables") == 0 || strcmp(name, "ufw") == 0 ||
	    strcmp(name, "nftables") == 0)
		return AD_FAMILY_NETFILTER;
	if (strcmp(name, "pf") == 0 || strcmp(name, "pfsense") == 0 ||
	    strcmp(name, "opnsense") == 0)
		return AD_FAMILY_FILTERLOG;
	if (strcmp(name, "ssh") == 0 || strcmp(name, "openssh") == 0)
		return AD_FAMILY_SSHD;
	return -1;
}

const char *
ad_skip_name(enum ad_skip s)
{
	switch (s) {
	case AD_SKIP_TOO_LONG:		return "line longer than 64 KiB";
	case AD_SKIP_NUL:		return "NUL bytes";
	case AD_SKIP_UTF8:		return "invalid UTF-8";
	case AD_SKIP_UNKNOWN_FORMAT:	return "unknown format";
	case AD_SKIP_HOSTNAME:		return "host name instead of address";
	case AD_SKIP_BAD_ADDRESS:	return "malformed address";
	case AD_SKIP_TRUNCATED:		return "unfinished last line";
	case AD_SKIP_AMBIGUOUS:		return "ambiguous source (injection?)";
	case AD_SKIP__COUNT:		break;
	}
	return "?";
}

struct legend {
	const char *format;
	const char *text;
};

static const struct legend legends[] = {
	{ "sshd",
	  "OpenSSH server (sshd) messages, as written to the system log.\n"
	  "Each line: date and time, our host name, \"sshd[PID]\" (the process\n"
	  "handling one connection), then the message.\n"
	  "\"Failed password for USER from ADDRESS port PORT ssh2\": a login with\n"
	  "a wrong password; \"Invalid user USER\": a login for an account that\n"
	  "does not exist; \"[preauth]\": the connection ended before any login\n"
	  "succeeded. ADDRESS and PORT are the remote (connecting) side.\n" },
	{ "netfilter",
	  "Linux kernel firewall (netfilter/iptables/nftables/UFW) log lines.\n"
	  "IN = interface the packet arrived on; OUT = interface it would leave\n"
	  "by (empty for packets to this host); MAC = link-layer header;\n"
	  "SRC = source address; DST = destination address; LEN = packet length;\n"
	  "TTL = time to live; ID = IP identification; PROTO = protocol;\n"
	  "SPT = source port; DPT = destination port; WINDOW = TCP window;\n"
	  "SYN/ACK/FIN/RST/PSH/URG = TCP flags set; the text before IN= is the\n"
	  "rule's log prefix, e.g. [UFW BLOCK] for a dropped packet.\n" },
	{ "filterlog",
	  "pf firewall log (pfSense/OPNsense \"filterlog\"), comma-separated:\n"
	  "rule number, sub-rule, anchor, tracker, interface, reason, action\n"
	  "(pass/block), direction (in/out), IP version, then for IPv4: TOS,\n"
	  "ECN, TTL, id, offset, flags, protocol id, protocol name, length,\n"
	  "source address, destination address, and for TCP/UDP: source port,\n"
	  "destination port, data length, and for TCP: flags, sequence, ack,\n"
	  "window, urgent, options.\n" },
};

const char *
ad_format_legend(const char *format)
{
	size_t i;

	for (i = 0; i < sizeof(legends) / sizeof(legends[0]); i++)
		if (strcmp(legends[i].format, format) == 0)
			return legends[i].text;
	return NULL;
}

/* --- shared grammar ------------------------------------------------- */

const char *
find(const char *p, const char *end, const char *s, size_t n)
{
	if (p >= end)
		return NULL;
	return memmem(p, (size_t)(end - p), s, n);
}

const char *
rfind(const char *p, const char *end, const char *s, size_t n)
{
	const char *q;

	if ((size_t)(end - p) < n)
		return NULL;
	for (q = end - n; q >= p; q--)
		if (*q == *s && memcmp(q, s, n) == 0)
			return q;
	return NULL;
}

static inline bool
host_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

enum pr_result
take_src(const char **pp, const char *end, struct ad_event *ev,
    const char *after)
{
	const char *p = *pp, *q;
	size_t l;

	l = ad_addr_scan(p, end, &ev->src);
	q = p + l;
	if (l > 0 && (q == end || *q == ' ' || (after && *q && strchr(after, *q)))) {
		*pp = q;
		return PR_EVENT;
	}
	/* Not an address: a host name (UseDNS yes) or something broken? */
	for (q = p; q < end && host_char((unsigned char)*q); q++)
		;
	if (q > p && (q == end || *q == ' ' || (after && *q && strchr(after, *q))))
		return PR_HOSTNAME;
	return PR_BADADDR;
}

unsigned
take_port(const char **pp, const char *end)
{
	const char *p = *pp;
	unsigned v = 0;

	while (p < end && *p >= '0' && *p <= '9' && v <= 65535) {
		v = v * 10 + (unsigned)(*p - '0');
		p++;
	}
	if (p == *pp || v > 65535)
		return 0;
	*pp = p;
	return v;
}
