/*
 * event.c - names of event enums (the JSON and store vocabulary).
 */
#include <string.h>
#include <strings.h>

#include "abusedesk/ad_event.h"
#include "abusedesk/ad_json.h"

static const char *const category_names[AD_CAT__COUNT] = {
	[AD_CAT_SSH_BRUTEFORCE] = "ssh-bruteforce",
	[AD_CAT_SSH_PROBE] = "ssh-probe",
	[AD_CAT_PORT_SCAN] = "port-scan",
	[AD_CAT_WEB_PROBE] = "web-probe",
	[AD_CAT_WEB_BRUTEFORCE] = "web-bruteforce",
	[AD_CAT_WEB_FLOOD] = "web-flood",
	[AD_CAT_WEB_BAD_BOT] = "web-bad-bot",
	[AD_CAT_WEB_SPAM] = "web-spam",
	[AD_CAT_WORM] = "worm",
	[AD_CAT_MAIL_BRUTEFORCE] = "mail-bruteforce",
	[AD_CAT_MAIL_SPAM] = "mail-spam",
	[AD_CAT_FTP_BRUTEFORCE] = "ftp-bruteforce",
	[AD_CAT_AUTH_BRUTEFORCE] = "auth-bruteforce",
	[AD_CAT_IDS_ALERT] = "ids-alert",
	[AD_CAT_DNS_ABUSE] = "dns-abuse",
	[AD_CAT_PROXY_ABUSE] = "proxy-abuse",
	[AD_CAT_REPEAT_OFFENDER] = "repeat-offender",
};

const char *
ad_category_name(enum ad_category c)
{
	return (unsigned)c < AD_CAT__COUNT ? category_names[c] : "?";
}

int
ad_category_from_name(const char *name)
{
	int i;

	for (i = 0; i < AD_CAT__COUNT; i++)
		if (strcmp(name, category_names[i]) == 0)
			return i;
	return -1;
}

const char *
ad_proto_name(enum ad_proto p)
{
	switch (p) {
	case AD_PROTO_NONE:	return NULL;
	case AD_PROTO_TCP:	return "tcp";
	case AD_PROTO_UDP:	return "udp";
	case AD_PROTO_ICMP:	return "icmp";
	case AD_PROTO_ICMPV6:	return "icmpv6";
	case AD_PROTO_OTHER:	return "other";
	}
	return NULL;
}

enum ad_proto
ad_proto_from_name(const char *s, size_t n)
{
	if (n == 3 && strncasecmp(s, "tcp", 3) == 0)
		return AD_PROTO_TCP;
	if ((n == 3 && strncasecmp(s, "udp", 3) == 0) ||
	    (n == 7 && strncasecmp(s, "udplite", 7) == 0))
		return AD_PROTO_UDP;
	if (n == 4 && strncasecmp(s, "icmp", 4) == 0)
		return AD_PROTO_ICMP;
	if ((n == 6 && strncasecmp(s, "icmpv6", 6) == 0) ||
	    (n == 9 && strncasecmp(s, "ipv6-icmp", 9) == 0))
		return AD_PROTO_ICMPV6;
	return AD_PROTO_OTHER;
}

const char *
ad_evidence_name(enum ad_evidence e)
{
	return e == AD_EVIDENCE_PROVEN ? "proven" : "spoofable";
}

static int
kv_addr(struct ad_buf *b, bool *first, const char *key, const struct ad_addr *a)
{
	char s[AD_ADDR_STRLEN];

	if (a->af == 0)
		return ad_json_kv_null(b, first, key);
	return ad_json_kv_str(b, first, key, ad_addr_format(a, s));
}

static int
kv_port(struct ad_buf *b, bool *first, const char *key, uint16_t port)
{
	if (port == 0)
		return ad_json_kv_null(b, first, key);
	return ad_json_kv_int(b, first, key, port);
}

int
ad_event_to_json(struct ad_buf *b, const struct ad_event *ev, const char *file,
    uint64_t line)
{
	char t[AD_ISO_STRLEN];
	bool first = true;
	int r;

	if ((r = ad_buf_addc(b, '{')) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "file", file)) != AD_OK ||
	    (r = ad_json_kv_int(b, &first, "line", (int64_t)line)) != AD_OK)
		return r;
	if (ev->time.valid)
		r = ad_json_kv_str(b, &first, "time",
		    ad_instant_format(&ev->time, t));
	else
		r = ad_json_kv_null(b, &first, "time");
	if (r != AD_OK ||
	    (r = kv_addr(b, &first, "src", &ev->src)) != AD_OK ||
	    (r = kv_port(b, &first, "src_port", ev->src_port)) != AD_OK ||
	    (r = kv_addr(b, &first, "dst", &ev->dst)) != AD_OK ||
	    (r = kv_port(b, &first, "dst_port", ev->dst_port)) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "proto",
	    ad_proto_name((enum ad_proto)ev->proto))) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "service", ev->service)) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "kind", ev->kind)) != AD_OK ||
	    (r = ad_json_kv_strn(b, &first, "user", ev->user,
	    ev->user_len)) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "evidence",
	    ad_evidence_name((enum ad_evidence)ev->evidence))) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "category",
	    ad_category_name(ev->category))) != AD_OK ||
	    (r = ad_json_kv_int(b, &first, "count", ev->count)) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "format", ev->format)) != AD_OK)
		return r;
	/* Family-specific fields only when present: the common shape stays small. */
	if (ev->detail != NULL &&
	    (r = ad_json_kv_strn(b, &first, "detail", ev->detail,
	    ev->detail_len)) != AD_OK)
		return r;
	if (ev->label != NULL &&
	    (r = ad_json_kv_strn(b, &first, "label", ev->label,
	    ev->label_len > 0 ? ev->label_len : strlen(ev->label))) != AD_OK)
		return r;
	if (ev->status != 0 &&
	    (r = ad_json_kv_int(b, &first, "status", ev->status)) != AD_OK)
		return r;
	if (ev->severity != 0 &&
	    (r = ad_json_kv_int(b, &first, "severity", ev->severity)) != AD_OK)
		return r;
	return ad_buf_addc(b, '}');
}
