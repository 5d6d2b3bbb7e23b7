/*
 * xarf.c - the machine-readable part: one XARF v4 JSON object (xarf.org,
 * schema 4.x: xarf-core.json plus the category/type schemas) for the
 * report's main incident, so a desk that tickets automatically can take
 * the report without reading the prose.
 *
 * Our categories map onto XARF's category/type pairs as closely as the
 * types allow (login attempts are connection/login_attack, a firewall port
 * scan connection/port_scan, web probes connection/vulnerability_scan, ...).
 * Addresses of ours are left out of the public view: XARF wants a valid IP
 * address or nothing, never a masked one.
 */
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_json.h"
#include "abusedesk/ad_report.h"
#include "report_int.h"

#define XARF_VERSION	"4.2.0"

struct xarf_type {
	const char	*category, *type;
	const char	*extra_key, *extra_value;	/* a required field */
	const char	*evidence_source;
	uint8_t		 proto;				/* when not in the lines */
};

static const struct xarf_type types[AD_CAT__COUNT] = {
	[AD_CAT_SSH_BRUTEFORCE] = { "connection", "login_attack", NULL, NULL,
	    "server_logs", AD_PROTO_TCP },
	[AD_CAT_SSH_PROBE] = { "connection", "vulnerability_scan", "scan_type",
	    "service_enumeration", "server_logs", AD_PROTO_TCP },
	[AD_CAT_PORT_SCAN] = { "connection", "port_scan", NULL, NULL,
	    "firewall_logs", AD_PROTO_TCP },
	[AD_CAT_WEB_PROBE] = { "connection", "vulnerability_scan", "scan_type",
	    "web_vuln_scan", "server_logs", AD_PROTO_TCP },
	[AD_CAT_WEB_BRUTEFORCE] = { "connection", "login_attack", NULL, NULL,
	    "server_logs", AD_PROTO_TCP },
	[AD_CAT_WEB_FLOOD] = { "connection", "vulnerability_scan", "scan_type",
	    "directory_brute_force", "server_logs", AD_PROTO_TCP },
	[AD_CAT_WEB_BAD_BOT] = { "connection", "infected_host", "bot_type",
	    "malicious", "server_logs", AD_PROTO_TCP },
	[AD_CAT_WEB_SPAM] = { "connection", "infected_host", "bot_type",
	    "malicious", "server_logs", AD_PROTO_TCP },
	[AD_CAT_WORM] = { "connection", "infected_host", "bot_type",
	    "malicious", "server_logs", AD_PROTO_TCP },
	[AD_CAT_MAIL_BRUTEFORCE] = { "connection", "login_attack", NULL, NULL,
	    "server_logs", AD_PROTO_TCP },
	/* messaging/spam over smtp would require the envelope sender, which
	 * a rejected connection often never gave: an infected host it is. */
	[AD_CAT_MAIL_SPAM] = { "connection", "infected_host", "bot_type",
	    "malicious", "server_logs", AD_PROTO_TCP },
	[AD_CAT_FTP_BRUTEFORCE] = { "connection", "login_attack", NULL, NULL,
	    "server_logs", AD_PROTO_TCP },
	[AD_CAT_AUTH_BRUTEFORCE] = { "connection", "login_attack", NULL, NULL,
	    "server_logs", AD_PROTO_TCP },
	[AD_CAT_IDS_ALERT] = { "connection", "vulnerability_scan", "scan_type",
	    "mixed", "ids_detection", AD_PROTO_TCP },
	[AD_CAT_DNS_ABUSE] = { "connection", "ddos", NULL, NULL,
	    "traffic_monitoring", AD_PROTO_UDP },
	[AD_CAT_PROXY_ABUSE] = { "connection", "vulnerability_scan",
	    "scan_type", "service_enumeration", "server_logs", AD_PROTO_TCP },
	[AD_CAT_REPEAT_OFFENDER] = { "reputation", "blocklist", "threat_type",
	    "repeat_offender", "server_logs", AD_PROTO_NONE },
};

/* FNV-1a: a report id that is stable for a Message-ID, not a secret. */
static uint64_t
fnv(const char *s, uint64_t h)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* A UUID (version 4 layout) derived from the Message-ID. */
static void
report_uuid(const char *msgid, char out[37])
{
	uint64_t a = fnv(msgid, 0xcbf29ce484222325ull);
	uint64_t b = fnv(msgid, a ^ 0x9e3779b97f4a7c15ull);

	snprintf(out, 37, "%08x-%04x-4%03x-%04x-%012llx",
	    (unsigned)(a >> 32), (unsigned)(a >> 16 & 0xffff),
	    (unsigned)(a & 0xfff), (unsigned)(0x8000 | (b >> 48 & 0x3fff)),
	    (unsigned long long)(b & 0xffffffffffffull));
}

static const char *
xarf_proto(uint8_t p)
{
	switch (p) {
	case AD_PROTO_TCP:	return "tcp";
	case AD_PROTO_UDP:	return "udp";
	case AD_PROTO_ICMP:
	case AD_PROTO_ICMPV6:	return "icmp";
	default:		return NULL;
	}
}

static int
contact_obj(struct ad_buf *b, bool *first, const char *key, const char *org,
    const char *from)
{
	const char *at = strrchr(from, '@');
	bool f = true;
	int r;

	if ((r = ad_json_key(b, first, key)) != AD_OK ||
	    (r = ad_buf_addc(b, '{')) != AD_OK ||
	    (r = ad_json_kv_str(b, &f, "org", org)) != AD_OK ||
	    (r = ad_json_kv_str(b, &f, "contact", from)) != AD_OK ||
	    (r = ad_json_kv_str(b, &f, "domain", at ? at + 1 : from)) != AD_OK)
		return r;
	return ad_buf_addc(b, '}');
}

int
xarf_json(struct ad_buf *b, const struct ad_report_input *in,
    const struct ad_report_item *it, const struct sample_facts *f,
    const char *from, const char *evidence, size_t evidence_len,
    const struct mask_set *mask)
{
	const struct ad_incident *inc = it->inc;
	const struct xarf_type *t = &types[(unsigned)inc->category <
	    AD_CAT__COUNT ? inc->category : AD_CAT_IDS_ALERT];
	struct xarf_type fallback;
	const char *org, *proto;
	char id[37], a[AD_ADDR_STRLEN], iso[AD_ISO_STRLEN], desc[256];
	bool first = true, ef = true;
	int r;

	/*
	 * login_attack, port_scan and ddos require the source port (CGNAT
	 * operators cannot find a subscriber without it). A log that does not
	 * say it still makes a valid report: threat intelligence (the
	 * types without a further required field are exactly those three).
	 */
	if (f->src_port == 0 && t->extra_key == NULL) {
		fallback = (struct xarf_type){ "reputation", "threat_intelligence",
		    "threat_type", ad_category_name(inc->category),
		    t->evidence_source, t->proto };
		t = &fallback;
	}
	org = in->me->org[0] ? in->me->org : in->me->name[0] ? in->me->name :
	    strrchr(from, '@') + 1;
	report_uuid(in->message_id, id);
	ad_addr_format(&inc->src, a);
	if ((r = ad_buf_addc(b, '{')) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "xarf_version", XARF_VERSION))
	    != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "report_id", id)) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "timestamp", inc->first.valid ?
	    ad_instant_format_utc(&inc->first, iso) : "1970-01-01T00:00:00Z"))
	    != AD_OK ||
	    (r = contact_obj(b, &first, "reporter", org, from)) != AD_OK ||
	    (r = contact_obj(b, &first, "sender", org, from)) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "source_identifier", a)) != AD_OK)
		return r;
	if (f->src_port && (r = ad_json_kv_int(b, &first, "source_port",
	    f->src_port)) != AD_OK)
		return r;
	if ((r = ad_json_kv_str(b, &first, "category", t->category)) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "type", t->type)) != AD_OK ||
	    (t->extra_key && (r = ad_json_kv_str(b, &first, t->extra_key,
	    t->extra_value)) != AD_OK) ||
	    (r = ad_json_kv_str(b, &first, "evidence_source",
	    t->evidence_source)) != AD_OK)
		return r;
	if (inc->n_targets && !mask_hit(mask, &inc->targets[0])) {
		ad_addr_format(&inc->targets[0], a);
		if ((r = ad_json_kv_str(b, &first, "destination_ip", a)) != AD_OK)
			return r;
	}
	if (inc->n_ports && (r = ad_json_kv_int(b, &first, "destination_port",
	    inc->ports[0])) != AD_OK)
		return r;
	proto = xarf_proto(f->proto ? f->proto : t->proto);
	if (proto != NULL && (r = ad_json_kv_str(b, &first, "protocol", proto))
	    != AD_OK)
		return r;
	if (f->service != NULL && (r = ad_json_kv_str(b, &first, "service",
	    f->service)) != AD_OK)
		return r;
	if (inc->first.valid && (r = ad_json_kv_str(b, &first, "first_seen",
	    ad_instant_format_utc(&inc->first, iso))) != AD_OK)
		return r;
	if (inc->last.valid && (r = ad_json_kv_str(b, &first, "last_seen",
	    ad_instant_format_utc(&inc->last, iso))) != AD_OK)
		return r;
	ad_addr_format(&inc->src, a);
	snprintf(desc, sizeof(desc), "%s from %s: %llu events",
	    ad_report_category_phrase(inc->category), a,
	    (unsigned long long)inc->events);
	if ((r = ad_json_kv_str(b, &first, "description", desc)) != AD_OK)
		return r;
	if (evidence_len) {
		snprintf(desc, sizeof(desc), "Log lines (%zu of %llu events), "
		    "verbatim, times in the log's own zone",
		    it->n_samples < AD_REPORT_LINES_MAX ? it->n_samples :
		    (size_t)AD_REPORT_LINES_MAX, (unsigned long long)inc->events);
		if ((r = ad_json_key(b, &first, "evidence")) != AD_OK ||
		    (r = ad_buf_add(b, "[{", 2)) != AD_OK ||
		    (r = ad_json_kv_str(b, &ef, "content_type", "text/plain"))
		    != AD_OK ||
		    (r = ad_json_kv_str(b, &ef, "description", desc)) != AD_OK ||
		    (r = ad_json_key(b, &ef, "payload")) != AD_OK ||
		    (r = ad_buf_addc(b, '"')) != AD_OK ||
		    (r = mime_base64(b, evidence, evidence_len, 0)) != AD_OK ||
		    (r = ad_buf_addc(b, '"')) != AD_OK ||
		    (r = ad_json_kv_int(b, &ef, "size", (int64_t)evidence_len))
		    != AD_OK || (r = ad_buf_add(b, "}]", 2)) != AD_OK)
			return r;
	}
	/* Counts under the names the type schemas and samples use. */
	if (strcmp(t->type, "login_attack") == 0)
		r = ad_json_kv_int(b, &first, "attempt_count",
		    (int64_t)inc->events);
	else if (strcmp(t->type, "vulnerability_scan") == 0 ||
	    strcmp(t->type, "infected_host") == 0)
		r = ad_json_kv_int(b, &first, "total_requests",
		    (int64_t)inc->events);
	else
		r = ad_json_kv_int(b, &first, "event_count",
		    (int64_t)inc->events);
	if (r != AD_OK)
		return r;
	snprintf(desc, sizeof(desc), "abusedesk:%s",
	    ad_category_name(inc->category));
	if ((r = ad_json_key(b, &first, "tags")) != AD_OK ||
	    (r = ad_buf_addc(b, '[')) != AD_OK ||
	    (r = ad_json_str(b, desc, strlen(desc))) != AD_OK ||
	    (r = ad_buf_addc(b, ']')) != AD_OK)
		return r;
	if ((r = ad_json_kv_bool(b, &first, "source_proven",
	    inc->spoofable == 0 && inc->proven > 0)) != AD_OK)
		return r;
	return ad_buf_add(b, "}\n", 2);
}
