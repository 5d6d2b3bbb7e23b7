/*
 * parse_snort_full.c - Snort's "full" alert file (snort -A full), one
 * record per alert over several lines, records separated by a blank line:
 *
 *   [**] [1:2019401:3] ET POLICY Suspicious inbound to mySQL port 3306 [**]
 *   [Classification: Potentially Bad Traffic] [Priority: 2]
 *   01/02-10:08:59.667372 198.51.100.1:40000 -> 192.0.2.1:3306
 *   TCP TTL:49 TOS:0x0 ID:54321 IpLen:20 DgmLen:40
 *   ******S* Seq: 0x1A2B3C4D  Ack: 0x0  Win: 0x400  TcpLen: 20
 *   [Xref => http://...]
 *
 * A whole-file format: the first line starts "[**] [". The header and
 * classification lines are remembered in a small per-file state (copies:
 * the line buffers do not outlive their line), and the event is emitted on
 * the line with the stamp and the addresses, which must follow the header
 * within two lines; anything else forgets the header, so an address line
 * is never paired with another record's signature. The stamp has no year
 * unless snort ran with -y ("01/02/24-..."); it is local time.
 *
 * Policy as for fast.log (parse_snort_fast.c): every alert is an ids-alert
 * event, signature in detail, classification in label, priority in
 * severity, spoofable (the record's packet alone proves no session). The
 * protocol is only named on the next line, so the event has none; for
 * that reason an IPv6 endpoint that reads both as "ADDR" and "ADDR:PORT"
 * (compressed form) is ambiguous and skipped, never guessed.
 */
#include <stdlib.h>

#include "abusedesk/ad_ctx.h"
#include "parse_int.h"

#define FULL_SIG_CAP	512
#define FULL_CLS_CAP	128

struct full_state {
	char	sig[FULL_SIG_CAP];
	size_t	sig_len;
	char	cls[FULL_CLS_CAP];
	size_t	cls_len;
	uint8_t	prio;
	int	age;		/* lines since the header; -1: none */
};

static void *
full_state_new(void)
{
	struct full_state *st = ad_calloc(1, sizeof(*st));

	if (st != NULL)
		st->age = -1;
	return st;
}

static void
full_state_free(void *s)
{
	ad_free(s);
}

static void
full_state_reset(void *s)
{
	struct full_state *st = s;

	st->age = -1;
	st->sig_len = st->cls_len = 0;
	st->prio = 0;
}

/* Copies [p, p+n) into buf (cap), cut at a UTF-8 boundary. */
static size_t
keep(char *buf, size_t cap, const char *p, size_t n)
{
	if (n > cap) {
		n = cap;
		while (n > 0 && ((unsigned char)p[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, p, n);
	return n;
}

/* "ADDR", "ADDR:PORT", "[ADDR]:PORT" without knowing the protocol. */
static enum pr_result
endpoint(const char *p, const char *end, struct ad_addr *a, uint16_t *port)
{
	const char *c, *q;
	struct ad_addr whole, part;
	bool w, s = false;
	unsigned v = 0;

	*port = 0;
	if (p < end && *p == '[') {
		if ((c = memchr(p, ']', (size_t)(end - p))) == NULL ||
		    !ad_addr_parse(p + 1, (size_t)(c - p - 1), a))
			return PR_BADADDR;
		q = c + 2;
		if (c + 1 < end && (c[1] != ':' || (v = take_port(&q, end)) == 0 ||
		    q != end))
			return PR_BADADDR;
		*port = (uint16_t)v;
		return PR_EVENT;
	}
	w = ad_addr_parse(p, (size_t)(end - p), &whole);
	if ((c = rfind(p, end, LIT(":"))) != NULL) {
		q = c + 1;
		s = ad_addr_parse(p, (size_t)(c - p), &part) &&
		    (v = take_port(&q, end)) > 0 && q == end;
	}
	if (w && s)
		return PR_AMBIGUOUS;
	if (w) {
		*a = whole;
		return PR_EVENT;
	}
	if (s) {
		*a = part;
		*port = (uint16_t)v;
		return PR_EVENT;
	}
	return PR_BADADDR;
}

static enum pr_result
parse_snort_full(struct pline *pl, struct ad_event *ev)
{
	struct full_state *st = pl->state;
	const char *p = pl->msg, *end = pl->msg + pl->len, *e, *arrow, *sp;
	struct ad_event hdr;
	struct ad_addr dst;
	enum pr_result r;
	size_t n;

	if (st->age >= 0)
		st->age++;
	if (starts(p, end, LIT("[**] ["))) {
		/* A new record: its header, whatever came before. */
		memset(&hdr, 0, sizeof(hdr));
		st->age = -1;
		if ((e = snort_signature(p + 5, end, &hdr)) == NULL)
			return PR_NONE;
		st->sig_len = keep(st->sig, sizeof(st->sig), hdr.detail,
		    hdr.detail_len);
		st->cls_len = 0;
		st->prio = 0;
		snort_class_prio(e, end, &hdr);	/* on the same line sometimes */
		if (hdr.label != NULL)
			st->cls_len = keep(st->cls, sizeof(st->cls), hdr.label,
			    hdr.label_len);
		st->prio = hdr.severity;
		st->age = 0;
		return PR_NONE;
	}
	if (st->age < 0 || st->age > 2) {
		st->age = -1;
		return PR_NONE;
	}
	if (starts(p, end, LIT("[Classification: ")) ||
	    starts(p, end, LIT("[Priority: "))) {
		memset(&hdr, 0, sizeof(hdr));
		snort_class_prio(p, end, &hdr);
		if (hdr.label != NULL)
			st->cls_len = keep(st->cls, sizeof(st->cls), hdr.label,
			    hdr.label_len);
		if (hdr.severity != 0)
			st->prio = hdr.severity;
		return PR_NONE;
	}
	/* "01/02-10:08:59.667372 SRC -> DST" */
	if (p >= end || *p < '0' || *p > '9')
		return PR_NONE;
	st->age = -1;		/* one event per header */
	if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL)
		return PR_NONE;
	p = sp + 1;
	if ((arrow = find(p, end, LIT(" -> "))) == NULL ||
	    memchr(p, ' ', (size_t)(arrow - p)) != NULL)
		return PR_NONE;
	ev->service = "ids";
	ev->format = "snort-full";
	ev->kind = "alert";
	ev->category = AD_CAT_IDS_ALERT;
	ev->evidence = AD_EVIDENCE_SPOOFABLE;
	if ((r = endpoint(p, arrow, &ev->src, &ev->src_port)) != PR_EVENT)
		return r;
	p = arrow + 4;
	if ((e = memchr(p, ' ', (size_t)(end - p))) == NULL)
		e = end;
	if (endpoint(p, e, &dst, &ev->dst_port) == PR_EVENT)
		ev->dst = dst;
	else
		ev->dst_port = 0;
	if (st->sig_len > 0) {
		ev->detail = st->sig;
		ev->detail_len = st->sig_len;
	}
	if (st->cls_len > 0) {
		ev->label = st->cls;
		ev->label_len = st->cls_len;
	}
	ev->severity = st->prio;
	n = ad_time_scan_mdy(pl->msg, end, pl->clock, &ev->time);
	if (n == 0)
		memset(&ev->time, 0, sizeof(ev->time));
	return PR_EVENT;
}

/*
 * The first line of a file, or of the part a second scan thread or a
 * resumed scan starts with: any line of a record, so that a part starting
 * mid-record is still read as this format (its first record, without
 * header, yields nothing).
 */
static bool
snort_full_claims(const char *m, size_t n)
{
	const char *end = m + n, *sp;

	if (starts(m, end, LIT("[**] [")))
		return n > 12 && find(m + 6, end, LIT(" [**]")) != NULL;
	if (starts(m, end, LIT("[Classification: ")) ||
	    starts(m, end, LIT("[Priority: ")) ||
	    starts(m, end, LIT("[Xref => ")))
		return true;
	if (starts(m, end, LIT("TCP TTL:")) || starts(m, end, LIT("UDP TTL:")) ||
	    starts(m, end, LIT("ICMP TTL:")) ||
	    (starts(m, end, LIT("PROTO:")) && find(m, end, LIT(" TTL:"))))
		return true;
	if (starts(m, end, LIT("Type:")) && find(m, end, LIT("Code:")))
		return true;
	if (n > 8 && (m[0] == '*' || m[0] == 'U' || m[0] == 'C') &&
	    find(m, end, LIT(" Seq: 0x")) != NULL)
		return true;	/* "******S* Seq: 0x1  Ack: 0x0  Win: ..." */
	/* "01/02-10:08:59.667372 SRC -> DST" */
	return n > 20 && m[0] >= '0' && m[0] <= '9' && m[2] == '/' &&
	    (sp = memchr(m, ' ', n)) != NULL && (sp - m == 21 || sp - m == 24 ||
	    sp - m == 14 || sp - m == 17) && find(sp, end, LIT(" -> ")) != NULL &&
	    find(sp, end, LIT("[**]")) == NULL;
}

static const char *const snort_full_aliases[] = { "snort-alert", NULL };

static const struct legend snort_full_legends[] = {
	{ "snort-full",
	  "Snort \"full\" alert file, one alert per paragraph:\n"
	  "[**] [GID:SID:REV] signature message [**] = which rule fired;\n"
	  "[Classification: ...] [Priority: N] = the rule's class of attack and\n"
	  "priority, 1 (high) to 4 (low);\n"
	  "MM/DD[/YY]-hh:mm:ss.microseconds SRC:SPORT -> DST:DPORT = when the\n"
	  "packet was seen (local time of the sensor; no year unless snort ran\n"
	  "with -y) and its source and destination; the source is the remote\n"
	  "side for inbound attacks, our own host for outbound ones;\n"
	  "then the packet's IP header (protocol, TTL, TOS, ID, lengths), its\n"
	  "TCP flags (******S* = SYN only), sequence numbers and window, and\n"
	  "[Xref => ...] references for the rule. A single packet does not show\n"
	  "that a session was established: its source may be forged.\n" },
	{ NULL, NULL }
};

const struct family fam_snort_full = {
	.name = "snort-full",
	.aliases = snort_full_aliases,
	.claims = snort_full_claims,
	.whole_file = true,
	.parse = parse_snort_full,
	.state_new = full_state_new,
	.carries = true,
	.state_free = full_state_free,
	.state_reset = full_state_reset,
	.legends = snort_full_legends,
};
