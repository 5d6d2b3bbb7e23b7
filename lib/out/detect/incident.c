/*
 * incident.c - merging incident deltas and deciding reportability.
 */
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_detect.h"
#include "abusedesk/ad_json.h"

void
ad_detect_config_defaults(struct ad_detect_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->window = 24 * 3600;
	/* fail2ban's maxretry is 5; one attacker line is rarely one attempt. */
	cfg->min_events[AD_CAT_SSH_BRUTEFORCE] = 5;
	cfg->min_events[AD_CAT_SSH_PROBE] = 5;
	/* Five distinct ports is a scan; twenty drops to one port is a flood. */
	cfg->min_events[AD_CAT_PORT_SCAN] = 20;
	cfg->min_ports[AD_CAT_PORT_SCAN] = 5;
	/* A few probes for known holes are intent; one could be a mistake. */
	cfg->min_events[AD_CAT_WEB_PROBE] = 3;
	cfg->min_events[AD_CAT_WEB_BRUTEFORCE] = 10;
	cfg->min_events[AD_CAT_WEB_FLOOD] = 50;
	cfg->min_events[AD_CAT_WEB_BAD_BOT] = 3;
	cfg->min_events[AD_CAT_WEB_SPAM] = 0;		/* never, by default */
	/* Worm noise is its own class: later stages decide whom to tell. */
	cfg->min_events[AD_CAT_WORM] = 1;
	cfg->min_events[AD_CAT_MAIL_BRUTEFORCE] = 5;
	cfg->min_events[AD_CAT_MAIL_SPAM] = 5;
	cfg->min_events[AD_CAT_FTP_BRUTEFORCE] = 5;
	cfg->min_events[AD_CAT_AUTH_BRUTEFORCE] = 5;
	cfg->min_events[AD_CAT_IDS_ALERT] = 1;
	cfg->min_events[AD_CAT_DNS_ABUSE] = 20;
	cfg->min_events[AD_CAT_PROXY_ABUSE] = 10;
	cfg->min_events[AD_CAT_REPEAT_OFFENDER] = 3;
}

void
ad_incident_clear_samples(struct ad_incident *inc)
{
	uint8_t i;

	for (i = 0; i < inc->n_samples; i++)
		ad_free(inc->samples[i].text);
	inc->n_samples = 0;
}

unsigned
ad_incident_samples_wanted(const struct ad_incident *inc)
{
	unsigned have = (unsigned)inc->samples_stored + inc->n_samples;

	if (have >= AD_SAMPLE_MAX)
		return 0;
	if (inc->n_samples >= AD_SAMPLE_MEM)
		return 0;
	return AD_SAMPLE_MAX - have;
}

void
ad_incident_merge(struct ad_incident *inc, const struct ad_incident *d)
{
	uint8_t i, j;

	if (d->first.utc < inc->first.utc)
		inc->first = d->first;
	if (d->last.utc >= inc->last.utc)
		inc->last = d->last;
	inc->events += d->events;
	inc->proven += d->proven;
	inc->spoofable += d->spoofable;
	inc->services |= d->services;
	for (i = 0; i < d->n_ports; i++) {
		for (j = 0; j < inc->n_ports && inc->ports[j] != d->ports[i]; j++)
			;
		if (j < inc->n_ports)
			continue;
		if (inc->n_ports < AD_INC_PORTS_MAX)
			inc->ports[inc->n_ports++] = d->ports[i];
		else
			inc->ports_more = true;
	}
	inc->ports_more |= d->ports_more;
	for (i = 0; i < d->n_targets; i++) {
		for (j = 0; j < inc->n_targets &&
		    !ad_addr_equal(&inc->targets[j], &d->targets[i]); j++)
			;
		if (j < inc->n_targets)
			continue;
		if (inc->n_targets < AD_INC_TARGETS_MAX)
			inc->targets[inc->n_targets++] = d->targets[i];
		else
			inc->targets_more = true;
	}
	inc->targets_more |= d->targets_more;
	for (i = 0; i < d->n_users; i++) {
		for (j = 0; j < inc->n_users &&
		    strcmp(inc->users[j], d->users[i]) != 0; j++)
			;
		if (j < inc->n_users)
			continue;
		if (inc->n_users < AD_INC_USERS_MAX)
			memcpy(inc->users[inc->n_users++], d->users[i],
			    sizeof(d->users[i]));
		else
			inc->users_more = true;
	}
	inc->users_more |= d->users_more;
}

static bool
in_list(const struct ad_cidr *list, size_t n, const struct ad_addr *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ad_cidr_contains(&list[i], a))
			return true;
	return false;
}

void
ad_incident_assess(struct ad_incident *inc, const struct ad_detect_config *cfg)
{
	enum ad_addr_class cls = ad_addr_classify(&inc->src);
	uint32_t min_ev = cfg->min_events[inc->category];
	uint32_t min_ports = cfg->min_ports[inc->category];

	if (inc->state > AD_STATE_ALLOWLISTED)
		return;		/* a later stage owns it now */
	inc->reportable = false;
	if (in_list(cfg->allow, cfg->n_allow, &inc->src)) {
		inc->state = AD_STATE_ALLOWLISTED;
		snprintf(inc->reason, sizeof(inc->reason),
		    "source is on the allowlist");
		return;
	}
	if (in_list(cfg->own, cfg->n_own, &inc->src)) {
		inc->state = AD_STATE_INTERNAL;
		snprintf(inc->reason, sizeof(inc->reason),
		    "source is in our own networks");
		return;
	}
	if (cls != AD_ADDR_PUBLIC &&
	    !(cls == AD_ADDR_DOCUMENTATION && cfg->documentation_public)) {
		inc->state = AD_STATE_INTERNAL;
		snprintf(inc->reason, sizeof(inc->reason),
		    "%s address space: no outside network to report to",
		    ad_addr_class_name(cls));
		return;
	}
	if (min_ev == 0 && min_ports == 0) {
		inc->state = AD_STATE_BELOW;
		snprintf(inc->reason, sizeof(inc->reason),
		    "never an incident by default (threshold.%s = 0)",
		    ad_category_name(inc->category));
		return;
	}
	if ((min_ev && inc->events >= min_ev) ||
	    (min_ports && inc->n_ports >= min_ports) ||
	    (min_ports && inc->ports_more)) {
		inc->state = AD_STATE_NEW;
		inc->reportable = true;
		if (inc->spoofable && !inc->proven)
			snprintf(inc->reason, sizeof(inc->reason),
			    "over threshold; source could be spoofed");
		else
			snprintf(inc->reason, sizeof(inc->reason),
			    "over threshold");
		return;
	}
	inc->state = AD_STATE_BELOW;
	if (min_ports)
		snprintf(inc->reason, sizeof(inc->reason),
		    "below threshold (%u events or %u ports)", min_ev, min_ports);
	else
		snprintf(inc->reason, sizeof(inc->reason),
		    "below threshold (%u events)", min_ev);
}

static const char *const state_names[AD_STATE__COUNT] = {
	[AD_STATE_BELOW] = "below-threshold",
	[AD_STATE_NEW] = "new",
	[AD_STATE_INTERNAL] = "internal",
	[AD_STATE_ALLOWLISTED] = "allowlisted",
};

const char *
ad_inc_state_name(enum ad_inc_state s)
{
	return (unsigned)s < AD_STATE__COUNT ? state_names[s] : "?";
}

int
ad_inc_state_from_name(const char *name)
{
	int i;

	for (i = 0; i < AD_STATE__COUNT; i++)
		if (strcmp(name, state_names[i]) == 0)
			return i;
	return -1;
}

static const struct {
	uint32_t	 bit;
	const char	*name;
} services[] = {
	{ AD_SVC_SSH, "ssh" },
	{ AD_SVC_FIREWALL, "firewall" },
};

uint32_t
ad_service_bit(const char *service)
{
	size_t i;

	for (i = 0; service && i < sizeof(services) / sizeof(services[0]); i++)
		if (strcmp(services[i].name, service) == 0)
			return services[i].bit;
	return 0;
}

const char *
ad_services_name(uint32_t set, char *buf, size_t n)
{
	size_t i, l = 0;

	if (n)
		buf[0] = '\0';
	for (i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		if (!(set & services[i].bit))
			continue;
		l += (size_t)snprintf(buf + l, l < n ? n - l : 0, "%s%s",
		    l ? "," : "", services[i].name);
		if (l >= n)
			break;
	}
	return buf;
}

uint32_t
ad_services_from_name(const char *s)
{
	uint32_t set = 0;
	size_t i;

	for (i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		const char *p = s;
		size_t l = strlen(services[i].name);

		while ((p = strstr(p, services[i].name)) != NULL) {
			if ((p == s || p[-1] == ',') && (p[l] == ',' || p[l] == '\0'))
				set |= services[i].bit;
			p += l;
		}
	}
	return set;
}

static int
json_list_begin(struct ad_buf *b, bool *first, const char *key)
{
	int r;

	if ((r = ad_json_key(b, first, key)) != AD_OK)
		return r;
	return ad_buf_addc(b, '[');
}

int
ad_incident_to_json(struct ad_buf *b, const struct ad_incident *inc)
{
	char a[AD_ADDR_STRLEN], t[AD_ISO_STRLEN];
	bool first = true;
	uint8_t i;
	int r, n;

	if ((r = ad_buf_addc(b, '{')) != AD_OK ||
	    (r = ad_json_kv_int(b, &first, "id", inc->id)) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "src",
	    ad_addr_format(&inc->src, a))) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "category",
	    ad_category_name(inc->category))) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "first",
	    ad_instant_format(&inc->first, t))) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "last",
	    ad_instant_format(&inc->last, t))) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "first_utc",
	    ad_instant_format_utc(&inc->first, t))) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "last_utc",
	    ad_instant_format_utc(&inc->last, t))) != AD_OK ||
	    (r = ad_json_kv_int(b, &first, "events",
	    (int64_t)inc->events)) != AD_OK)
		return r;
	if ((r = json_list_begin(b, &first, "services")) != AD_OK)
		return r;
	for (i = 0, n = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		if (!(inc->services & services[i].bit))
			continue;
		if ((n++ && (r = ad_buf_addc(b, ',')) != AD_OK) ||
		    (r = ad_json_str(b, services[i].name,
		    strlen(services[i].name))) != AD_OK)
			return r;
	}
	if ((r = ad_buf_addc(b, ']')) != AD_OK ||
	    (r = json_list_begin(b, &first, "targets")) != AD_OK)
		return r;
	for (i = 0; i < inc->n_targets; i++) {
		ad_addr_format(&inc->targets[i], a);
		if ((i && (r = ad_buf_addc(b, ',')) != AD_OK) ||
		    (r = ad_json_str(b, a, strlen(a))) != AD_OK)
			return r;
	}
	if ((r = ad_buf_addc(b, ']')) != AD_OK ||
	    (r = json_list_begin(b, &first, "ports")) != AD_OK)
		return r;
	for (i = 0; i < inc->n_ports; i++)
		if ((r = ad_buf_addf(b, "%s%u", i ? "," : "",
		    inc->ports[i])) != AD_OK)
			return r;
	if ((r = ad_buf_addc(b, ']')) != AD_OK ||
	    (r = json_list_begin(b, &first, "users")) != AD_OK)
		return r;
	for (i = 0; i < inc->n_users; i++)
		if ((i && (r = ad_buf_addc(b, ',')) != AD_OK) ||
		    (r = ad_json_str(b, inc->users[i],
		    strlen(inc->users[i]))) != AD_OK)
			return r;
	if ((r = ad_buf_addc(b, ']')) != AD_OK ||
	    (r = ad_json_kv_bool(b, &first, "more_ports", inc->ports_more)) ||
	    (r = ad_json_kv_bool(b, &first, "more_targets",
	    inc->targets_more)) ||
	    (r = ad_json_kv_bool(b, &first, "more_users", inc->users_more)) ||
	    (r = ad_json_kv_str(b, &first, "state",
	    ad_inc_state_name(inc->state))) != AD_OK ||
	    (r = ad_json_kv_bool(b, &first, "reportable",
	    inc->reportable)) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "reason", inc->reason)) != AD_OK ||
	    (r = ad_json_kv_str(b, &first, "evidence",
	    inc->proven && inc->spoofable ? "mixed" :
	    inc->proven ? "proven" : "spoofable")) != AD_OK ||
	    (r = ad_json_kv_int(b, &first, "proven_events",
	    (int64_t)inc->proven)) != AD_OK ||
	    (r = ad_json_kv_int(b, &first, "spoofable_events",
	    (int64_t)inc->spoofable)) != AD_OK)
		return r;
	return ad_buf_addc(b, '}');
}
