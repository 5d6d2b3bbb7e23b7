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
	ad_free(inc->samples);
	inc->samples = NULL;
	inc->n_samples = inc->cap_samples = 0;
}

/* --- held incidents as bytes ---------------------------------------- */

/* Little-endian integers, so a store can move between machines. */
static int
put_u(struct ad_buf *b, uint64_t v, int n)
{
	unsigned char x[8];
	int i;

	for (i = 0; i < n; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	return ad_buf_add(b, x, (size_t)n);
}

static int
put_instant(struct ad_buf *b, const struct ad_instant *t)
{
	int r;

	if ((r = put_u(b, (uint64_t)t->utc, 8)) != AD_OK ||
	    (r = put_u(b, (uint64_t)(uint32_t)t->usec, 4)) != AD_OK ||
	    (r = put_u(b, (uint64_t)(uint16_t)t->off_min, 2)) != AD_OK)
		return r;
	return put_u(b, t->valid, 1);
}

static int
put_addr(struct ad_buf *b, const struct ad_addr *a)
{
	int r;

	if ((r = put_u(b, a->af, 1)) != AD_OK)
		return r;
	return ad_buf_add(b, a->b, 16);
}

static int
put_bytes(struct ad_buf *b, const char *s, size_t n, int lenbytes)
{
	int r;

	if ((r = put_u(b, n, lenbytes)) != AD_OK)
		return r;
	return n ? ad_buf_add(b, s, n) : AD_OK;
}

int
ad_incident_pack(const struct ad_incident *inc, struct ad_buf *b)
{
	uint8_t i;
	int r;

	if ((r = put_addr(b, &inc->src)) || (r = put_u(b, inc->category, 1)) ||
	    (r = put_instant(b, &inc->first)) ||
	    (r = put_instant(b, &inc->last)) ||
	    (r = put_u(b, inc->events, 8)) || (r = put_u(b, inc->proven, 8)) ||
	    (r = put_u(b, inc->spoofable, 8)) ||
	    (r = put_u(b, inc->services, 4)) ||
	    (r = put_u(b, inc->n_ports, 1)) || (r = put_u(b, inc->ports_more, 1)))
		return r;
	for (i = 0; i < inc->n_ports; i++)
		if ((r = put_u(b, inc->ports[i], 2)) != AD_OK)
			return r;
	if ((r = put_u(b, inc->n_targets, 1)) ||
	    (r = put_u(b, inc->targets_more, 1)))
		return r;
	for (i = 0; i < inc->n_targets; i++)
		if ((r = put_addr(b, &inc->targets[i])) != AD_OK)
			return r;
	if ((r = put_u(b, inc->n_users, 1)) || (r = put_u(b, inc->users_more, 1)))
		return r;
	for (i = 0; i < inc->n_users; i++)
		if ((r = put_bytes(b, inc->users[i], strlen(inc->users[i]), 1)))
			return r;
	if ((r = put_u(b, inc->state, 1)) || (r = put_u(b, inc->reportable, 1)) ||
	    (r = put_bytes(b, inc->reason, strlen(inc->reason), 1)) ||
	    (r = put_u(b, inc->n_samples, 1)) != AD_OK)
		return r;
	for (i = 0; i < inc->n_samples; i++) {
		const struct ad_sample *e = &inc->samples[i];

		if ((r = put_bytes(b, e->file ? e->file : "",
		    e->file ? strlen(e->file) : 0, 2)) ||
		    (r = put_u(b, e->line, 8)) || (r = put_instant(b, &e->time)) ||
		    (r = put_bytes(b, e->text, e->len, 4)) ||
		    (r = put_bytes(b, e->format, strlen(e->format), 1)))
			return r;
	}
	if ((r = put_u(b, (uint64_t)inc->id, 8)) != AD_OK ||
	    (r = put_u(b, inc->samples_stored, 1)) != AD_OK)
		return r;
	return put_u(b, inc->dirty, 1);
}

struct reader {
	const unsigned char *p, *end;
	bool bad;
};

static uint64_t
get_u(struct reader *rd, int n)
{
	uint64_t v = 0;
	int i;

	if (rd->bad || rd->end - rd->p < n) {
		rd->bad = true;
		return 0;
	}
	for (i = 0; i < n; i++)
		v |= (uint64_t)rd->p[i] << (8 * i);
	rd->p += n;
	return v;
}

static const unsigned char *
get_span(struct reader *rd, size_t n)
{
	const unsigned char *s = rd->p;

	if (rd->bad || (size_t)(rd->end - rd->p) < n) {
		rd->bad = true;
		return NULL;
	}
	rd->p += n;
	return s;
}

static void
get_instant(struct reader *rd, struct ad_instant *t)
{
	t->utc = (int64_t)get_u(rd, 8);
	t->usec = (int32_t)(uint32_t)get_u(rd, 4);
	t->off_min = (int16_t)(uint16_t)get_u(rd, 2);
	t->valid = get_u(rd, 1) != 0;
	if (t->usec < 0 || t->usec > 999999 || t->off_min < -1440 ||
	    t->off_min > 1440)
		rd->bad = true;
}

static void
get_addr(struct reader *rd, struct ad_addr *a)
{
	const unsigned char *s;

	a->af = (uint8_t)get_u(rd, 1);
	if ((s = get_span(rd, 16)) != NULL)
		memcpy(a->b, s, 16);
	if (a->af != 0 && a->af != 4 && a->af != 6)
		rd->bad = true;
}

int
ad_incident_unpack(const unsigned char **p, const unsigned char *end,
    unsigned format, struct ad_incident *out)
{
	struct reader rd = { *p, end, false };
	const unsigned char *s;
	uint8_t i, n;
	size_t l;

	memset(out, 0, sizeof(*out));
	if (format < 1 || format > AD_PACK_FORMAT)
		return AD_ERR_PARSE;
	get_addr(&rd, &out->src);
	out->category = (enum ad_category)get_u(&rd, 1);
	if ((unsigned)out->category >= AD_CAT__COUNT)
		rd.bad = true;
	get_instant(&rd, &out->first);
	get_instant(&rd, &out->last);
	out->events = get_u(&rd, 8);
	out->proven = get_u(&rd, 8);
	out->spoofable = get_u(&rd, 8);
	out->services = (uint32_t)get_u(&rd, 4);
	n = (uint8_t)get_u(&rd, 1);
	out->ports_more = get_u(&rd, 1) != 0;
	for (i = 0; i < n && !rd.bad; i++)
		if (i < AD_INC_PORTS_MAX)
			out->ports[out->n_ports++] = (uint16_t)get_u(&rd, 2);
		else
			rd.bad = true;
	n = (uint8_t)get_u(&rd, 1);
	out->targets_more = get_u(&rd, 1) != 0;
	for (i = 0; i < n && !rd.bad; i++)
		if (i < AD_INC_TARGETS_MAX)
			get_addr(&rd, &out->targets[out->n_targets++]);
		else
			rd.bad = true;
	n = (uint8_t)get_u(&rd, 1);
	out->users_more = get_u(&rd, 1) != 0;
	for (i = 0; i < n && !rd.bad; i++) {
		l = (size_t)get_u(&rd, 1);
		if (i >= AD_INC_USERS_MAX || l > AD_INC_USER_LEN ||
		    (s = get_span(&rd, l)) == NULL) {
			rd.bad = true;
			break;
		}
		memcpy(out->users[out->n_users], s, l);
		out->users[out->n_users++][l] = '\0';
	}
	out->state = (enum ad_inc_state)get_u(&rd, 1);
	if ((unsigned)out->state >= AD_STATE__COUNT)
		rd.bad = true;
	out->reportable = get_u(&rd, 1) != 0;
	l = (size_t)get_u(&rd, 1);
	if (l >= sizeof(out->reason) || (s = get_span(&rd, l)) == NULL)
		rd.bad = true;
	else {
		memcpy(out->reason, s, l);
		out->reason[l] = '\0';
	}
	n = (uint8_t)get_u(&rd, 1);
	if (n > AD_SAMPLE_MAX)
		rd.bad = true;
	else if (n > 0 && !rd.bad) {
		if ((out->samples = ad_calloc(n, sizeof(*out->samples))) == NULL)
			return AD_ERR_NOMEM;
		out->cap_samples = n;
	}
	for (i = 0; i < n && !rd.bad; i++) {
		struct ad_sample *e = &out->samples[i];
		const unsigned char *f, *t;
		size_t fl, tl;

		fl = (size_t)get_u(&rd, 2);
		f = get_span(&rd, fl);
		e->line = get_u(&rd, 8);
		get_instant(&rd, &e->time);
		tl = (size_t)get_u(&rd, 4);
		if (tl > AD_SAMPLE_LINE_MAX)
			rd.bad = true;
		t = get_span(&rd, tl);
		if (format >= 2) {
			const unsigned char *fm;
			size_t fml = (size_t)get_u(&rd, 1);

			if (fml >= sizeof(e->format))
				rd.bad = true;
			else if ((fm = get_span(&rd, fml)) != NULL) {
				memcpy(e->format, fm, fml);
				e->format[fml] = '\0';
			}
		}
		if (rd.bad)
			break;
		if ((e->text = ad_malloc(tl + 1 + fl + 1)) == NULL) {
			ad_incident_clear_samples(out);
			return AD_ERR_NOMEM;
		}
		memcpy(e->text, t, tl);
		e->text[tl] = '\0';
		memcpy(e->text + tl + 1, f, fl);
		e->text[tl + 1 + fl] = '\0';
		e->len = tl;
		e->file = e->text + tl + 1;
		e->file_owned = true;
		out->n_samples++;
	}
	if (format >= 3) {
		out->id = (int64_t)get_u(&rd, 8);
		out->samples_stored = (uint8_t)get_u(&rd, 1);
		out->dirty = get_u(&rd, 1) != 0;
		if (out->id < 0 || out->samples_stored > AD_SAMPLE_MAX ||
		    (out->id == 0 && out->samples_stored != 0))
			rd.bad = true;
	} else
		out->dirty = true;	/* never stored */
	if (rd.bad) {
		ad_incident_clear_samples(out);
		return AD_ERR_PARSE;
	}
	out->held = true;
	out->merged = true;	/* it holds its row's state, if it has one */
	*p = rd.p;
	return AD_OK;
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

int64_t
ad_incident_key(const struct ad_addr *src, const char *category)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const unsigned char *c = (const unsigned char *)category;
	size_t i;

	h = (h ^ src->af) * 0x100000001b3ULL;
	for (i = 0; i < 16; i++)
		h = (h ^ src->b[i]) * 0x100000001b3ULL;
	for (; *c != '\0'; c++)
		h = (h ^ *c) * 0x100000001b3ULL;
	return (int64_t)h;
}

bool
ad_below_threshold(const struct ad_detect_config *cfg, enum ad_category cat,
    uint64_t events, unsigned n_ports, bool ports_more)
{
	uint32_t min_ev = cfg->min_events[cat];
	uint32_t min_ports = cfg->min_ports[cat];

	if (min_ev == 0 && min_ports == 0)
		return true;		/* never an incident */
	return !((min_ev && events >= min_ev) ||
	    (min_ports && n_ports >= min_ports) ||
	    (min_ports && ports_more));
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
	if (!ad_below_threshold(cfg, inc->category, inc->events, inc->n_ports,
	    inc->ports_more)) {
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
	    (r = inc->id == 0 ? ad_json_kv_null(b, &first, "id") :
	    ad_json_kv_int(b, &first, "id", inc->id)) != AD_OK ||
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
