/*
 * parse_suricata_eve.c - Suricata EVE JSON (eve.json), one object a line:
 *
 *   {"timestamp":"2022-07-10T23:50:05.533101+0000","flow_id":1,
 *    "event_type":"alert","src_ip":"1.2.3.4","src_port":52812,
 *    "dest_ip":"10.0.0.1","dest_port":80,"proto":"TCP","app_proto":"http",
 *    "alert":{"action":"allowed","signature_id":2024468,
 *    "signature":"ET ...","category":"Attempted User Privilege Gain",
 *    "severity":1}, ...}
 *
 * A whole-file format (the first line starts {"timestamp": and names an
 * event_type), and the message of the syslog tag "suricata" (EVE sent to
 * syslog, or journald's MESSAGE). Under that tag, a message that is not
 * JSON is Suricata's syslog alert output, the fast.log record without
 * stamp: parse_snort_fast.c reads it.
 *
 * Only event_type "alert" is an event (ids-alert): "anomaly" records
 * decoder and stream oddities (bad checksums, invalid TCP state), which
 * forged or broken packets produce and which accuse nobody; "drop" repeats
 * a packet an alert already named; flow, dns, http, tls, fileinfo, stats,
 * ... describe traffic, not attacks. A line is read further only when its
 * first "event_type": key says "alert": other records cost one short
 * search.
 * Duplicate keys are refused (an injected second "src_ip" cannot win), and
 * every value comes from the top-level object or its "alert" member, never
 * from strings the traffic controls (payload, http fields).
 *
 * Fields: src_ip/src_port -> src, dest_ip/dest_port -> dst, proto,
 * alert.signature -> detail, alert.category -> label, alert.severity ->
 * severity, timestamp (ISO 8601 with offset) -> time. The source is the
 * packet's: for a response signature it is our server, which the detect
 * stage marks internal.
 *
 * Evidence: proven when the alert is on TCP and Suricata identified an
 * application protocol (app_proto set and not "failed"): app-layer parsing
 * runs only on a reassembled, established stream, so the three-way
 * handshake was completed by the source. Otherwise (UDP, ICMP, a SYN scan
 * signature, a stream without app layer) spoofable.
 *
 * Speed: alert lines are read by a bounded hand scanner (scan_object
 * below) that walks the whole object once, validating it as strictly as jansson
 * does (string escapes, numbers, nesting, duplicate keys in every
 * object), and keeps only the values named above. Anything it does not
 * fully understand - an escape in a field it keeps other than signature
 * and category (which it decodes), a string over their caps, \u0000 or a
 * lone surrogate, deep
 * nesting, a huge number, non-ASCII text that might not be UTF-8, more
 * keys than it tracks - goes to jansson instead, so both paths give the
 * same events (tests/cases/parse/ids.txt, the fuzz seeds).
 */
#include <sys/types.h>

#include <jansson.h>
#include <stdlib.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_json.h"
#include "parse_int.h"

#define EVE_SIG_CAP	1024
#define EVE_CAT_CAP	256

/* Decoded strings outlive the JSON tree: detail and label point here. */
struct eve_state {
	char	sig[EVE_SIG_CAP];
	char	cat[EVE_CAT_CAP];
};

static void *
eve_state_new(void)
{
	return ad_calloc(1, sizeof(struct eve_state));
}

static void
eve_state_free(void *s)
{
	ad_free(s);
}

/* --- what an alert record holds, from either reader ------------------ */

enum eve_type { ET_NONE = 0, ET_STRING, ET_INT, ET_OBJECT, ET_OTHER };

struct eve_val {
	uint8_t		 type;		/* enum eve_type; ET_NONE: absent */
	const char	*s;		/* ET_STRING: the text (decoded) */
	size_t		 n;
	long long	 i;		/* ET_INT */
};

enum {
	EK_TIMESTAMP = 0, EK_EVENT_TYPE, EK_SRC_IP, EK_DEST_IP, EK_SRC_PORT,
	EK_DEST_PORT, EK_PROTO, EK_APP_PROTO, EK_ALERT,
	EK_SIGNATURE, EK_CATEGORY, EK_SEVERITY,	/* alert's members */
	EK__COUNT
};

struct eve_rec {
	struct eve_val	v[EK__COUNT];
};

static bool
val_is(const struct eve_val *v, const char *s, size_t n)
{
	return v->type == ET_STRING && v->n == n && memcmp(v->s, s, n) == 0;
}

static unsigned
rec_port(const struct eve_val *v)
{
	return v->type == ET_INT && v->i > 0 && v->i <= 65535 ?
	    (unsigned)v->i : 0;
}

/* A string cut at a UTF-8 boundary to fit cap (and at a NUL). */
static size_t
fit(const char *s, size_t n, size_t cap)
{
	const char *z = memchr(s, '\0', n);

	if (z != NULL)
		n = (size_t)(z - s);
	if (n > cap) {
		n = cap;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return n;
}

/*
 * The policy, on the values of one record. copy: signature and category
 * are copied into the state (the jansson tree is freed after); otherwise
 * they already live in the line or the state.
 */
static enum pr_result
eve_decide(struct pline *pl, const struct eve_rec *r, bool copy,
    struct ad_event *ev)
{
	struct eve_state *st = pl->state;
	const struct eve_val *v;
	size_t n;

	if (!val_is(&r->v[EK_EVENT_TYPE], LIT("alert")) ||
	    r->v[EK_ALERT].type != ET_OBJECT)
		return PR_NONE;
	ev->service = "ids";
	ev->format = "suricata-eve";
	ev->kind = "alert";
	ev->category = AD_CAT_IDS_ALERT;
	ev->evidence = AD_EVIDENCE_SPOOFABLE;
	v = &r->v[EK_SRC_IP];
	if (v->type != ET_STRING || !ad_addr_parse(v->s, v->n, &ev->src))
		return PR_BADADDR;
	v = &r->v[EK_DEST_IP];
	if (v->type == ET_STRING && !ad_addr_parse(v->s, v->n, &ev->dst))
		memset(&ev->dst, 0, sizeof(ev->dst));
	ev->src_port = (uint16_t)rec_port(&r->v[EK_SRC_PORT]);
	ev->dst_port = (uint16_t)rec_port(&r->v[EK_DEST_PORT]);
	v = &r->v[EK_PROTO];
	if (v->type == ET_STRING)
		ev->proto = (uint8_t)ad_proto_from_name(v->s, v->n);
	v = &r->v[EK_APP_PROTO];
	if (ev->proto == AD_PROTO_TCP && v->type == ET_STRING && v->n > 0 &&
	    memchr(v->s, '\0', v->n) == NULL && !val_is(v, LIT("failed")) &&
	    !val_is(v, LIT("unknown")))
		ev->evidence = AD_EVIDENCE_PROVEN;
	v = &r->v[EK_SIGNATURE];
	if (v->type == ET_STRING && (n = fit(v->s, v->n, EVE_SIG_CAP)) > 0) {
		if (copy && v->s != st->sig)
			memcpy(st->sig, v->s, n);
		ev->detail = copy ? st->sig : v->s;
		ev->detail_len = n;
	}
	v = &r->v[EK_CATEGORY];
	if (v->type == ET_STRING && (n = fit(v->s, v->n, EVE_CAT_CAP)) > 0) {
		if (copy && v->s != st->cat)
			memcpy(st->cat, v->s, n);
		ev->label = copy ? st->cat : v->s;
		ev->label_len = n;
	}
	v = &r->v[EK_SEVERITY];
	if (v->type == ET_INT && v->i > 0 && v->i < 256)
		ev->severity = (uint8_t)v->i;
	v = &r->v[EK_TIMESTAMP];
	if (v->type == ET_STRING && ad_time_scan_iso(v->s, v->s + v->n,
	    pl->clock, &ev->time) == 0)
		memset(&ev->time, 0, sizeof(ev->time));
	return PR_EVENT;
}

/* --- jansson: the reference reader ---------------------------------- */

static void
jval(json_t *j, struct eve_val *v)
{
	if (json_is_string(j)) {
		v->type = ET_STRING;
		v->s = json_string_value(j);
		v->n = json_string_length(j);
	} else if (json_is_integer(j)) {
		v->type = ET_INT;
		v->i = (long long)json_integer_value(j);
	} else if (json_is_object(j))
		v->type = ET_OBJECT;
	else if (j != NULL)
		v->type = ET_OTHER;
}

static enum pr_result
eve_jansson(struct pline *pl, struct ad_event *ev)
{
	static const char *const top[] = { "timestamp", "event_type",
		"src_ip", "dest_ip", "src_port", "dest_port", "proto",
		"app_proto", "alert" };
	struct eve_rec r;
	json_t *root, *alert;
	enum pr_result res = PR_NONE;
	size_t k;

	root = json_loadb(pl->msg, pl->len, JSON_REJECT_DUPLICATES, NULL);
	if (root == NULL || !json_is_object(root))
		goto out;
	memset(&r, 0, sizeof(r));
	for (k = 0; k <= EK_ALERT; k++)
		jval(json_object_get(root, top[k]), &r.v[k]);
	if ((alert = json_object_get(root, "alert")) != NULL &&
	    json_is_object(alert)) {
		jval(json_object_get(alert, "signature"), &r.v[EK_SIGNATURE]);
		jval(json_object_get(alert, "category"), &r.v[EK_CATEGORY]);
		jval(json_object_get(alert, "severity"), &r.v[EK_SEVERITY]);
	}
	res = eve_decide(pl, &r, true, ev);
out:
	json_decref(root);
	return res;
}

/* --- the hand scanner ------------------------------------------------ */

#define EVE_DEPTH_MAX	32	/* deeper: jansson's business */
#define EVE_KEYS_MAX	48	/* keys per object tracked for duplicates */

enum { SC_OK = 0, SC_FALLBACK = -1 };

struct scan {
	const char	*p, *end;
	bool		 high;		/* non-ASCII seen: UTF-8 to check */
	struct eve_rec	*rec;
	struct eve_state *st;
};

static inline void
ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i, c;

	for (i = 0; i < 4; i++) {
		c = (unsigned char)p[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			c = (c | 0x20) - 'a' + 10;
		else
			return SC_FALLBACK;
		v = v << 4 | (unsigned)c;
	}
	*out = v;
	return SC_OK;
}

/*
 * A string at s->p (at its opening quote). Checks the escapes; *o, *on
 * get the raw text between the quotes, *esc whether it holds escapes.
 * Control bytes, \u0000 and lone surrogates go to jansson.
 */
static int
scan_string(struct scan *s, const char **o, size_t *on, bool *esc)
{
	const char *p = s->p + 1, *end = s->end;
	unsigned u, lo;

	*esc = false;
	*o = p;
	for (;;) {
		while (p < end && *p != '"' && *p != '\\' &&
		    (unsigned char)*p >= 0x20) {
			if ((unsigned char)*p >= 0x80)
				s->high = true;
			p++;
		}
		if (p >= end || (unsigned char)*p < 0x20)
			return SC_FALLBACK;
		if (*p == '"')
			break;
		*esc = true;
		if (end - p < 2)
			return SC_FALLBACK;
		switch (p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			p += 2;
			continue;
		case 'u':
			if (end - p < 6 || hex4(p + 2, &u) != SC_OK || u == 0)
				return SC_FALLBACK;
			p += 6;
			if (u >= 0xdc00 && u <= 0xdfff)
				return SC_FALLBACK;
			if (u >= 0xd800 && u <= 0xdbff) {
				if (end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
				    hex4(p + 2, &lo) != SC_OK ||
				    lo < 0xdc00 || lo > 0xdfff)
					return SC_FALLBACK;
				p += 6;
			}
			continue;
		default:
			return SC_FALLBACK;
		}
	}
	*on = (size_t)(p - *o);
	s->p = p + 1;
	return SC_OK;
}

/* Decodes a checked string into buf (cap bytes); -1 if it does not fit. */
static ssize_t
decode(const char *p, size_t n, char *buf, size_t cap)
{
	const char *end = p + n;
	size_t o = 0;
	unsigned u = 0, lo = 0;
	char c;

	while (p < end) {
		if (*p != '\\') {
			if (o >= cap)
				return -1;
			buf[o++] = *p++;
			continue;
		}
		c = p[1];
		p += 2;
		if (c != 'u') {
			c = c == 'b' ? '\b' : c == 'f' ? '\f' : c == 'n' ? '\n' :
			    c == 'r' ? '\r' : c == 't' ? '\t' : c;
			if (o >= cap)
				return -1;
			buf[o++] = c;
			continue;
		}
		(void)hex4(p, &u);
		p += 4;
		if (u >= 0xd800 && u <= 0xdbff) {
			(void)hex4(p + 2, &lo);
			p += 6;
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
		}
		if (cap - o < 4)
			return -1;
		if (u < 0x80)
			buf[o++] = (char)u;
		else if (u < 0x800) {
			buf[o++] = (char)(0xc0 | u >> 6);
			buf[o++] = (char)(0x80 | (u & 0x3f));
		} else if (u < 0x10000) {
			buf[o++] = (char)(0xe0 | u >> 12);
			buf[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
			buf[o++] = (char)(0x80 | (u & 0x3f));
		} else {
			buf[o++] = (char)(0xf0 | u >> 18);
			buf[o++] = (char)(0x80 | ((u >> 12) & 0x3f));
			buf[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
			buf[o++] = (char)(0x80 | (u & 0x3f));
		}
	}
	return (ssize_t)o;
}

/* A JSON number, as strictly as jansson; *i and *integer for integers. */
static int
scan_number(struct scan *s, bool *integer, long long *i)
{
	const char *p = s->p, *end = s->end, *d;
	long long v = 0;
	bool neg = false;

	*integer = true;
	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	d = p;
	if (p >= end || *p < '0' || *p > '9')
		return SC_FALLBACK;
	if (*p == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '9')
		return SC_FALLBACK;	/* leading zero */
	while (p < end && *p >= '0' && *p <= '9') {
		if (p - d >= 18)
			return SC_FALLBACK;	/* jansson: too big, maybe */
		v = v * 10 + (*p++ - '0');
	}
	if (p < end && *p == '.') {
		*integer = false;
		if (++p >= end || *p < '0' || *p > '9')
			return SC_FALLBACK;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		*integer = false;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		d = p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == d || p - d > 2)
			return SC_FALLBACK;	/* none, or may overflow */
	}
	if (p - s->p > 300)
		return SC_FALLBACK;
	*i = neg ? -v : v;
	s->p = p;
	return SC_OK;
}

/* At '{' or '[': steps in; true (and past it) when `close` follows at once. */
static bool
opens_empty(struct scan *s, char close)
{
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return true;
	}
	return false;
}

/* After a member or element: 0 at ',' (another follows), 1 past `close`, -1 else. */
static int
next_item(struct scan *s, char close)
{
	ws(s);
	if (s->p >= s->end)
		return -1;
	if (*s->p == close) {
		s->p++;
		return 1;
	}
	if (*s->p++ != ',')
		return -1;
	ws(s);
	return 0;
}

/* Which object is being read: its wanted members go into the record. */
enum obj_kind { OBJ_OTHER = 0, OBJ_ROOT, OBJ_ALERT };

static int scan_value(struct scan *s, int depth, int want);
static int scan_object(struct scan *s, int depth, enum obj_kind kind);

/* The key index a member name is kept under, or -1. */
static int
want_key(const char *k, size_t n, bool root)
{
#define K(str, id)	if (n == sizeof(str) - 1 && memcmp(k, str, n) == 0) return id
	if (root) {
		switch (k[0]) {
		case 't': K("timestamp", EK_TIMESTAMP); break;
		case 'e': K("event_type", EK_EVENT_TYPE); break;
		case 's': K("src_ip", EK_SRC_IP); K("src_port", EK_SRC_PORT);
			break;
		case 'd': K("dest_ip", EK_DEST_IP); K("dest_port", EK_DEST_PORT);
			break;
		case 'p': K("proto", EK_PROTO); break;
		case 'a': K("app_proto", EK_APP_PROTO); K("alert", EK_ALERT);
			break;
		}
	} else {
		switch (k[0]) {
		case 's': K("signature", EK_SIGNATURE); K("severity", EK_SEVERITY);
			break;
		case 'c': K("category", EK_CATEGORY); break;
		}
	}
	return -1;
#undef K
}

/* Any value at s->p; want >= 0 keeps it in the record under that key. */
static int
scan_value(struct scan *s, int depth, int want)
{
	struct eve_val *v = want >= 0 ? &s->rec->v[want] : NULL;
	const char *t;
	size_t tn;
	bool esc, integer;
	long long i;
	ssize_t dn;
	char *buf;
	size_t cap;
	int r;

	if (s->p >= s->end)
		return SC_FALLBACK;
	switch (*s->p) {
	case '"':
		if (scan_string(s, &t, &tn, &esc) != SC_OK)
			return SC_FALLBACK;
		if (v == NULL)
			return SC_OK;
		v->type = ET_STRING;
		v->s = t;
		v->n = tn;
		if (!esc)
			return SC_OK;
		/* Only signature and category are decoded here. */
		if (want == EK_SIGNATURE) {
			buf = s->st->sig;
			cap = sizeof(s->st->sig);
		} else if (want == EK_CATEGORY) {
			buf = s->st->cat;
			cap = sizeof(s->st->cat);
		} else
			return SC_FALLBACK;
		if ((dn = decode(t, tn, buf, cap)) < 0)
			return SC_FALLBACK;
		v->s = buf;
		v->n = (size_t)dn;
		return SC_OK;
	case '{':
		if (depth >= EVE_DEPTH_MAX)
			return SC_FALLBACK;
		if (v != NULL)
			v->type = ET_OBJECT;
		return scan_object(s, depth + 1, OBJ_OTHER);
	case '[':
		if (depth >= EVE_DEPTH_MAX)
			return SC_FALLBACK;
		if (v != NULL)
			v->type = ET_OTHER;
		if (opens_empty(s, ']'))
			return SC_OK;
		do {
			if (scan_value(s, depth + 1, -1) != SC_OK)
				return SC_FALLBACK;
		} while ((r = next_item(s, ']')) == 0);
		return r < 0 ? SC_FALLBACK : SC_OK;
	case 't':
		if (!starts(s->p, s->end, LIT("true")))
			return SC_FALLBACK;
		s->p += 4;
		break;
	case 'f':
		if (!starts(s->p, s->end, LIT("false")))
			return SC_FALLBACK;
		s->p += 5;
		break;
	case 'n':
		if (!starts(s->p, s->end, LIT("null")))
			return SC_FALLBACK;
		s->p += 4;
		break;
	default:
		if (scan_number(s, &integer, &i) != SC_OK)
			return SC_FALLBACK;
		if (v != NULL && integer) {
			v->type = ET_INT;
			v->i = i;
			return SC_OK;
		}
		break;
	}
	if (v != NULL)
		v->type = ET_OTHER;
	return SC_OK;
}

/*
 * An object at s->p. Keys are remembered to refuse duplicates (as
 * JSON_REJECT_DUPLICATES: that is jansson's verdict, so it decides); the
 * root's and "alert"'s wanted members go into the record.
 */
static int
scan_object(struct scan *s, int depth, enum obj_kind kind)
{
	const char *key[EVE_KEYS_MAX];
	size_t keyn[EVE_KEYS_MAX];
	const char *k;
	size_t kn, nk = 0, j;
	bool esc;
	int want, r;

	if (opens_empty(s, '}'))
		return SC_OK;
	do {
		if (s->p >= s->end || *s->p != '"' ||
		    scan_string(s, &k, &kn, &esc) != SC_OK || esc ||
		    nk >= EVE_KEYS_MAX)
			return SC_FALLBACK;
		for (j = 0; j < nk; j++)
			if (keyn[j] == kn && memcmp(key[j], k, kn) == 0)
				return SC_FALLBACK;
		key[nk] = k;
		keyn[nk++] = kn;
		ws(s);
		if (s->p >= s->end || *s->p++ != ':')
			return SC_FALLBACK;
		ws(s);
		want = kind != OBJ_OTHER && kn > 0 ?
		    want_key(k, kn, kind == OBJ_ROOT) : -1;
		if (want == EK_ALERT && s->p < s->end && *s->p == '{') {
			if (depth >= EVE_DEPTH_MAX)
				return SC_FALLBACK;
			s->rec->v[EK_ALERT].type = ET_OBJECT;
			if (scan_object(s, depth + 1, OBJ_ALERT) != SC_OK)
				return SC_FALLBACK;
		} else if (scan_value(s, depth, want) != SC_OK)
			return SC_FALLBACK;
	} while ((r = next_item(s, '}')) == 0);
	return r < 0 ? SC_FALLBACK : SC_OK;
}

static enum pr_result
parse_eve(struct pline *pl, struct ad_event *ev)
{
	const char *p = pl->msg, *end = pl->msg + pl->len, *q;
	struct eve_rec rec;
	struct scan s;

	if (p >= end || *p != '{')
		return fam_snort_fast.parse(pl, ev);
	/*
	 * The first "event_type": is the top-level key (Suricata writes it
	 * before any nested object, and a quote inside a string value is
	 * escaped, so traffic cannot forge one); only alerts are read on.
	 */
	if ((q = find(p, end, LIT("\"event_type\":"))) == NULL)
		return PR_NONE;
	q += 13;
	if (q < end && *q == ' ')
		q++;
	if (!starts(q, end, LIT("\"alert\"")))
		return PR_NONE;
	memset(&rec, 0, sizeof(rec));
	s.p = p;
	s.end = end;
	s.high = false;
	s.rec = &rec;
	s.st = pl->state;
	if (scan_object(&s, 1, OBJ_ROOT) != SC_OK)
		return eve_jansson(pl, ev);
	ws(&s);
	if (s.p != end || (s.high && !ad_utf8_valid(p, pl->len)))
		return eve_jansson(pl, ev);
	return eve_decide(pl, &rec, false, ev);
}

/* {"timestamp":"...",...,"event_type":...} */
static bool
eve_claims(const char *m, size_t n)
{
	return starts(m, m + n, LIT("{\"timestamp\":")) &&
	    find(m, m + n, LIT("\"event_type\":")) != NULL;
}

static const char *const eve_tags[] = { "suricata", NULL };
static const char *const eve_aliases[] = { "eve", "suricata", NULL };

static const struct legend eve_legends[] = {
	{ "suricata-eve",
	  "Suricata EVE JSON log (eve.json), one JSON object per line.\n"
	  "timestamp = when the packet was seen, with the sensor's UTC offset;\n"
	  "event_type = kind of record (\"alert\" = a signature matched);\n"
	  "src_ip/src_port = the packet's source, dest_ip/dest_port = its\n"
	  "destination (the source is the remote side for inbound attacks,\n"
	  "our own host for outbound or response signatures); proto = IP\n"
	  "protocol; app_proto = application protocol identified on an\n"
	  "established TCP stream (when present, the source completed the\n"
	  "TCP handshake); flow_id = id of the connection;\n"
	  "alert.signature = the rule's message, alert.signature_id = its id,\n"
	  "alert.category = the rule's class of attack, alert.severity = 1\n"
	  "(high) to 4 (low), alert.action = allowed or blocked (inline IPS).\n" },
	{ NULL, NULL }
};

const struct family fam_suricata_eve = {
	.name = "suricata-eve",
	.aliases = eve_aliases,
	.tags = eve_tags,
	.claims = eve_claims,
	.whole_file = true,
	.parse = parse_eve,
	.state_new = eve_state_new,
	.carries = true,
	.state_free = eve_state_free,
	.legends = eve_legends,
};
