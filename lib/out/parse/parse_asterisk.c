/*
 * parse_asterisk.c - Asterisk PBX: SIP/IAX2/AMI authentication failures,
 * calls to unknown extensions (toll-fraud scans), security events. From
 * Asterisk's own log file ("[2012-02-13 17:21:54] NOTICE[1638] chan_sip.c:
 * ...", a whole-file format) or the system log (tag "asterisk").
 *
 *   Registration from '<sip:301@example.com>' failed for 'ADDR[:PORT]' - Wrong password
 *   Request 'INVITE' from '...' failed for 'ADDR:PORT' (callid: ID) - No matching endpoint found
 *   Call from 'CID' (ADDR:PORT) to extension 'EXT' rejected because extension not found in context 'C'.
 *   Host ADDR failed to authenticate as 'PEER'                         (IAX2)
 *   No registration for peer 'PEER' (from ADDR)                        (IAX2)
 *   ADDR failed to authenticate as 'USER'                              (AMI, manager.c)
 *   SecurityEvent="InvalidPassword",...,RemoteAddress="IPV4/UDP/ADDR/PORT",...
 *   "Rejecting unknown SIP connection from ADDR[:PORT]"                (dialplan)
 *
 * Whose address: nearly everything around the address is attacker text:
 * the SIP From, caller ID, extension, Call-ID, account and session ids, a
 * digest response. A pattern's address counts only in the exact frame
 * Asterisk writes around it; when several places match with different
 * addresses, the line is ambiguous and accuses nobody. In security events
 * the RemoteAddress after LocalAddress is the genuine one; when the event
 * has client text after it (InvalidPassword, ChallengeResponseFailed) two
 * different candidates are ambiguous, otherwise the last one counts
 * (AccountID and SessionID come before it).
 *
 * Events are auth-bruteforce, service sip (iax, ami). Evidence: SIP and
 * IAX2 over UDP are spoofable (a forged REGISTER costs one packet); TCP,
 * TLS and the AMI (TCP) are proven. chan_sip lines do not name the
 * transport: spoofable.
 */
#include "parse_int.h"

#define CAND_MAX	4

static enum pr_result
sip_hit(struct ad_event *ev, const char *service, const char *kind,
    enum ad_proto proto)
{
	ev->service = service;
	ev->kind = kind;
	ev->proto = (uint8_t)proto;
	ev->evidence = proto == AD_PROTO_TCP ? AD_EVIDENCE_PROVEN :
	    AD_EVIDENCE_SPOOFABLE;
	return PR_EVENT;
}

/*
 * Address [optionally "[v6]"] then optional ":PORT", ending exactly at
 * `stop`. Returns PR_EVENT with ev->src/src_port set.
 */
static enum pr_result
addr_port(const char *p, const char *stop, struct ad_event *ev)
{
	const char *q = p;
	enum pr_result r;
	bool br = false;

	if (q < stop && *q == '[') {
		br = true;
		q++;
	}
	if ((r = take_src(&q, stop, ev, br ? "]" : ":")) != PR_EVENT)
		return r;
	if (br && !eat(&q, stop, LIT("]")))
		return PR_BADADDR;
	if (q < stop && *q == ':') {
		q++;
		ev->src_port = (uint16_t)take_port(&q, stop);
	}
	return q == stop ? PR_EVENT : PR_BADADDR;
}

/*
 * Every `pre` ADDR `post` in [p, end) is a candidate; one address for all
 * of them, or ambiguous. PR_NONE when there is none.
 */
static enum pr_result
framed(const char *p, const char *end, const char *pre, size_t pl,
    const char *post, size_t pol, struct ad_event *ev)
{
	struct ad_event tmp;
	const char *f, *a, *s;
	enum pr_result r, last = PR_NONE;
	int n = 0;

	for (f = p; n < CAND_MAX && (f = find(f, end, pre, pl)) != NULL; f++) {
		a = f + pl;
		for (s = a; s < end && s - a < 64 && *s != '\'' && *s != ')' &&
		    *s != ' '; s++)
			;
		if (!starts(s, end, post, pol))
			continue;
		tmp = *ev;
		if ((r = addr_port(a, s, &tmp)) != PR_EVENT) {
			last = r;
			continue;
		}
		if (n > 0 && !ad_addr_equal(&tmp.src, &ev->src))
			return PR_AMBIGUOUS;
		*ev = tmp;
		n++;
	}
	return n > 0 ? PR_EVENT : last;
}

/* "(TCP:[ADDR]:PORT)", "(UDP:ADDR:PORT)" or "(ADDR:PORT)" + post. */
static enum pr_result
call_from(const char *p, const char *end, struct ad_event *ev,
    enum ad_proto *proto)
{
	static const struct {
		const char *pre;
		size_t len;
		enum ad_proto proto;
	} tr[] = {
		{ LIT("(TCP:"), AD_PROTO_TCP }, { LIT("(TLS:"), AD_PROTO_TCP },
		{ LIT("(WS:"), AD_PROTO_TCP }, { LIT("(WSS:"), AD_PROTO_TCP },
		{ LIT("(UDP:"), AD_PROTO_UDP }, { LIT("("), AD_PROTO_UDP },
	};
	struct ad_event tmp;
	size_t i;
	enum pr_result r, res = PR_NONE;
	bool any = false;

	for (i = 0; i < sizeof(tr) / sizeof(tr[0]); i++) {
		tmp = *ev;
		r = framed(p, end, tr[i].pre, tr[i].len,
		    LIT(") to extension '"), &tmp);
		if (r == PR_EVENT) {
			if (any && !ad_addr_equal(&tmp.src, &ev->src))
				return PR_AMBIGUOUS;
			if (!any)
				*proto = tr[i].proto;
			*ev = tmp;
			any = true;
		} else if (r == PR_AMBIGUOUS)
			return r;
		else if (res == PR_NONE)
			res = r;
	}
	return any ? PR_EVENT : res;
}

static enum ad_proto
proto_of(const char *p, const char *end)
{
	if (starts(p, end, LIT("UDP/")))
		return AD_PROTO_UDP;
	if (starts(p, end, LIT("TCP/")) || starts(p, end, LIT("TLS/")) ||
	    starts(p, end, LIT("WS/")) || starts(p, end, LIT("WSS/")))
		return AD_PROTO_TCP;
	return AD_PROTO_NONE;
}

/* SecurityEvent="NAME",...,RemoteAddress="IPVx/PROTO/ADDR/PORT"... */
static enum pr_result
security_event(const char *p, const char *end, struct ad_event *ev)
{
	const char *e = p, *ee, *f, *a, *s, *cand[CAND_MAX];
	struct ad_event tmp, got[CAND_MAX];
	enum ad_proto pr[CAND_MAX];
	bool client_after;
	int n = 0, i;
	enum pr_result r = PR_NONE;

	if ((ee = memchr(e, '"', (size_t)(end - e))) == NULL)
		return PR_NONE;
#define EV(s) ((size_t)(ee - e) == sizeof(s) - 1 && memcmp(e, s, sizeof(s) - 1) == 0)
	if (EV("InvalidPassword") || EV("ChallengeResponseFailed"))
		client_after = true;
	else if (EV("InvalidAccountID") || EV("FailedACL") ||
	    EV("AuthMethodNotAllowed") || EV("RequestNotAllowed"))
		client_after = false;
	else
		return PR_NONE;
#undef EV
	for (f = ee; n < CAND_MAX &&
	    (f = find(f, end, LIT(",RemoteAddress=\"IPV"))) != NULL; f++) {
		a = f + 19;
		if (a + 2 >= end || (*a != '4' && *a != '6') || a[1] != '/')
			continue;
		a += 2;
		pr[n] = proto_of(a, end);
		if ((a = memchr(a, '/', (size_t)(end - a))) == NULL)
			break;
		a++;
		if ((s = memchr(a, '/', (size_t)(end - a))) == NULL)
			continue;
		tmp = *ev;
		if (take_src(&a, s, &tmp, NULL) != PR_EVENT || a != s)
			continue;
		s++;
		tmp.src_port = (uint16_t)take_port(&s, end);
		if (s >= end || *s != '"' || (s + 1 < end && s[1] != ','))
			continue;
		cand[n] = f;
		got[n++] = tmp;
	}
	if (n == 0)
		return r;
	for (i = 1; i < n; i++)
		if (!ad_addr_equal(&got[i].src, &got[0].src) && client_after)
			return PR_AMBIGUOUS;
	(void)cand;
	*ev = got[n - 1];
	ev->user = NULL;
	if ((f = find(p, end, LIT(",AccountID=\""))) != NULL && f < end) {
		f += 12;
		if ((s = memchr(f, '"', (size_t)(end - f))) != NULL && s > f) {
			ev->user = f;
			ev->user_len = (size_t)(s - f);
		}
	}
	return sip_hit(ev, "sip", "security-event",
	    pr[n - 1] == AD_PROTO_NONE ? AD_PROTO_UDP : pr[n - 1]);
}

static enum pr_result
parse_asterisk(struct pline *pl, struct ad_event *ev)
{
	const char *m = pl->msg, *end = pl->msg + pl->len, *p, *q;
	enum ad_proto proto = AD_PROTO_UDP;
	struct ad_instant t;
	enum pr_result r;

	end = trim_end(m, end);
	if (end - m < 20)
		return PR_NONE;
	ev->format = "asterisk";
	ev->category = AD_CAT_AUTH_BRUTEFORCE;
	if ((p = find(m, end, LIT("SecurityEvent=\""))) != NULL)
		r = security_event(p + 15, end, ev);
	else if ((p = find(m, end, LIT("Registration from '"))) != NULL ||
	    (p = find(m, end, LIT("Request '"))) != NULL ||
	    (p = find(m, end, LIT("Request from '"))) != NULL) {
		if ((q = find(p, end, LIT("' failed for '"))) == NULL)
			return PR_NONE;
		/* ... failed for 'ADDR[:PORT]' - REASON | ' (callid: ...) - REASON */
		if ((r = framed(p, end, LIT("' failed for '"), LIT("' - "), ev)) ==
		    PR_NONE)
			r = framed(p, end, LIT("' failed for '"),
			    LIT("' (callid: "), ev);
		else if (r == PR_EVENT) {
			struct ad_event tmp = *ev;

			if (framed(p, end, LIT("' failed for '"),
			    LIT("' (callid: "), &tmp) == PR_EVENT &&
			    !ad_addr_equal(&tmp.src, &ev->src))
				return PR_AMBIGUOUS;
		}
		if (r == PR_EVENT)
			r = sip_hit(ev, "sip", "sip-auth-fail", AD_PROTO_UDP);
	} else if ((p = find(m, end, LIT(" rejected because extension not found"))) != NULL) {
		if ((r = call_from(m, end, ev, &proto)) == PR_EVENT)
			r = sip_hit(ev, "sip", "sip-call-rejected", proto);
	} else if ((p = find(m, end, LIT("Rejecting unknown SIP connection from "))) != NULL) {
		p += 38;
		if ((q = memchr(p, '"', (size_t)(end - p))) == NULL)
			q = end;
		if ((r = addr_port(p, q, ev)) == PR_EVENT)
			r = sip_hit(ev, "sip", "sip-unknown-peer", AD_PROTO_UDP);
	} else if ((p = find(m, end, LIT("hacking attempt detected '"))) != NULL) {
		p += 26;
		if ((q = memchr(p, '\'', (size_t)(end - p))) == NULL)
			return PR_NONE;
		if ((r = addr_port(p, q, ev)) == PR_EVENT)
			r = sip_hit(ev, "sip", "sip-hacking", AD_PROTO_UDP);
	} else if ((p = find(m, end, LIT("chan_iax2.c"))) != NULL) {
		if ((q = find(p, end, LIT(": Host "))) != NULL) {
			/* "Host ADDR failed to authenticate as 'P'" / "failed MD5 ..." */
			q += 7;
			if ((r = take_src(&q, end, ev, NULL)) == PR_EVENT) {
				if (!starts(q, end, LIT(" failed ")))
					return PR_NONE;
				r = sip_hit(ev, "iax", "iax-auth-fail", AD_PROTO_UDP);
			}
		} else if (find(p, end, LIT("No registration for peer '")) != NULL &&
		    end[-1] == ')' && (q = rfind(p, end, LIT("' (from "))) != NULL) {
			q += 8;
			if ((r = addr_port(q, end - 1, ev)) == PR_EVENT)
				r = sip_hit(ev, "iax", "iax-unknown-peer",
				    AD_PROTO_UDP);
		} else
			return PR_NONE;
	} else if ((p = find(m, end, LIT("manager.c: "))) != NULL) {
		/* AMI: "ADDR failed to authenticate as 'U'", "ADDR tried to ..." */
		p += 11;
		if ((r = take_src(&p, end, ev, NULL)) != PR_EVENT)
			return r == PR_EVENT ? PR_NONE : PR_NONE;
		if (!starts(p, end, LIT(" failed to authenticate as '")) &&
		    !starts(p, end, LIT(" tried to authenticate with nonexistent user '")))
			return PR_NONE;
		r = sip_hit(ev, "ami", "ami-auth-fail", AD_PROTO_TCP);
	} else
		return PR_NONE;
	if (r != PR_EVENT)
		return r;
	/* The Asterisk log file's own stamp: "[2012-02-13 17:21:54]", "[Jan 18 17:39:50]". */
	if (m[0] == '[') {
		memset(&t, 0, sizeof(t));
		if ((m[1] >= '0' && m[1] <= '9' &&
		    ad_time_scan_iso(m + 1, end, pl->clock, &t) > 0) ||
		    ad_time_scan_bsd(m + 1, end, pl->clock, &t) > 0)
			ev->time = t;
	}
	return PR_EVENT;
}

/* Asterisk's log file: "[STAMP] LEVEL[TID]..." or a bare "LEVEL[TID]". */
static bool
asterisk_claims(const char *m, size_t n)
{
	const char *end = m + (n > 48 ? 48 : n), *p = m, *q;

	if (n < 12)
		return false;
	if (*p == '[') {
		if ((q = memchr(p, ']', (size_t)(end - p))) == NULL ||
		    q - p < 15 || q + 2 >= end || q[1] != ' ')
			return false;
		p = q + 2;
	}
	return starts(p, end, LIT("NOTICE[")) || starts(p, end, LIT("WARNING[")) ||
	    starts(p, end, LIT("SECURITY[")) || starts(p, end, LIT("ERROR[")) ||
	    starts(p, end, LIT("VERBOSE[")) || starts(p, end, LIT("DEBUG[")) ||
	    starts(p, end, LIT("NOTICE ["));
}

static const char *const asterisk_tags[] = { "asterisk", NULL };

static const struct legend asterisk_legends[] = {
	{ "asterisk",
	  "Asterisk PBX log: \"[YYYY-MM-DD hh:mm:ss]\" (the server's local time;\n"
	  "or the system log's stamp), the level and thread (\"NOTICE[1638]\"),\n"
	  "the source file, then the message. \"Registration from 'FROM' failed\n"
	  "for 'ADDRESS:PORT' - REASON\": a SIP phone registration that failed\n"
	  "(wrong password, unknown account); \"Call from 'CALLERID' (ADDRESS:PORT)\n"
	  "to extension 'N' rejected\": a call attempt to a number that does not\n"
	  "exist here (toll-fraud scanning); \"SecurityEvent=...,RemoteAddress=\n"
	  "\\\"IPV4/UDP/ADDRESS/PORT\\\"\": Asterisk's security log, RemoteAddress is\n"
	  "the client. ADDRESS is the remote side; FROM, CALLERID and account\n"
	  "names are what the client sent. SIP over UDP can be forged.\n" },
	{ NULL, NULL }
};

const struct family fam_asterisk = {
	.name = "asterisk",
	.tags = asterisk_tags,
	.claims = asterisk_claims,
	.whole_file = true,
	.parse = parse_asterisk,
	.legends = asterisk_legends,
};
