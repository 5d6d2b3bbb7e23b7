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
 * ... describe traffic, not attacks. A line is handed to jansson only when
 * its first "event_type": key says "alert": other records cost one short
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
 */
#include <jansson.h>
#include <stdlib.h>

#include "abusedesk/ad_ctx.h"
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

/* Copies a JSON string, cut at a UTF-8 boundary to fit; returns its length. */
static size_t
copy_str(json_t *v, char *buf, size_t cap)
{
	const char *s;
	size_t n;

	if (!json_is_string(v))
		return 0;
	s = json_string_value(v);
	n = json_string_length(v);
	if (memchr(s, '\0', n) != NULL)
		n = strlen(s);
	if (n > cap) {
		n = cap;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, s, n);
	return n;
}

static unsigned
port_of(json_t *v)
{
	json_int_t p;

	if (!json_is_integer(v))
		return 0;
	p = json_integer_value(v);
	return p > 0 && p <= 65535 ? (unsigned)p : 0;
}

static enum pr_result
parse_eve(struct pline *pl, struct ad_event *ev)
{
	struct eve_state *st = pl->state;
	const char *p = pl->msg, *end = pl->msg + pl->len, *q;
	json_t *root, *alert, *v;
	const char *s;
	enum pr_result r = PR_NONE;
	size_t n;

	if (p >= end || *p != '{')
		return fam_snort_fast.parse(pl, ev);
	/*
	 * The first "event_type": is the top-level key (Suricata writes it
	 * before any nested object, and a quote inside a string value is
	 * escaped, so traffic cannot forge one); only alerts go on to jansson.
	 */
	if ((q = find(p, end, LIT("\"event_type\":"))) == NULL)
		return PR_NONE;
	q += 13;
	if (q < end && *q == ' ')
		q++;
	if (!starts(q, end, LIT("\"alert\"")))
		return PR_NONE;
	root = json_loadb(p, pl->len, JSON_REJECT_DUPLICATES, NULL);
	if (root == NULL || !json_is_object(root))
		goto out;
	v = json_object_get(root, "event_type");
	alert = json_object_get(root, "alert");
	if (!json_is_string(v) || strcmp(json_string_value(v), "alert") != 0 ||
	    !json_is_object(alert))
		goto out;
	ev->service = "ids";
	ev->format = "suricata-eve";
	ev->kind = "alert";
	ev->category = AD_CAT_IDS_ALERT;
	ev->evidence = AD_EVIDENCE_SPOOFABLE;
	v = json_object_get(root, "src_ip");
	if (!json_is_string(v)) {
		r = PR_BADADDR;
		goto out;
	}
	s = json_string_value(v);
	if (!ad_addr_parse(s, json_string_length(v), &ev->src)) {
		r = PR_BADADDR;
		goto out;
	}
	v = json_object_get(root, "dest_ip");
	if (json_is_string(v) && !ad_addr_parse(json_string_value(v),
	    json_string_length(v), &ev->dst))
		memset(&ev->dst, 0, sizeof(ev->dst));
	ev->src_port = (uint16_t)port_of(json_object_get(root, "src_port"));
	ev->dst_port = (uint16_t)port_of(json_object_get(root, "dest_port"));
	v = json_object_get(root, "proto");
	if (json_is_string(v))
		ev->proto = (uint8_t)ad_proto_from_name(json_string_value(v),
		    json_string_length(v));
	v = json_object_get(root, "app_proto");
	if (ev->proto == AD_PROTO_TCP && json_is_string(v) &&
	    json_string_length(v) > 0 &&
	    strcmp(json_string_value(v), "failed") != 0 &&
	    strcmp(json_string_value(v), "unknown") != 0)
		ev->evidence = AD_EVIDENCE_PROVEN;
	if ((n = copy_str(json_object_get(alert, "signature"), st->sig,
	    sizeof(st->sig))) > 0) {
		ev->detail = st->sig;
		ev->detail_len = n;
	}
	if ((n = copy_str(json_object_get(alert, "category"), st->cat,
	    sizeof(st->cat))) > 0) {
		ev->label = st->cat;
		ev->label_len = n;
	}
	v = json_object_get(alert, "severity");
	if (json_is_integer(v) && json_integer_value(v) > 0 &&
	    json_integer_value(v) < 256)
		ev->severity = (uint8_t)json_integer_value(v);
	v = json_object_get(root, "timestamp");
	if (json_is_string(v)) {
		s = json_string_value(v);
		if (ad_time_scan_iso(s, s + json_string_length(v), pl->clock,
		    &ev->time) == 0)
			memset(&ev->time, 0, sizeof(ev->time));
	}
	r = PR_EVENT;
out:
	json_decref(root);
	return r;
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
	.state_free = eve_state_free,
	.legends = eve_legends,
};
