/*
 * rdap_parse.c - one RDAP response (RFC 9083) to struct ad_netinfo
 * (ad_netinfo.h), with jansson.
 *
 * An ip network, autnum or entity object; an error object only sets flags.
 * Contacts come from the entities, which nest (ARIN puts the abuse POC
 * inside the registrant org): an entity with the role "abuse" gives its
 * vCard emails at HIGH confidence, every other role's at LOW. When some
 * email of the abuse entity carries the vCard parameter type "abuse" (the
 * RIPE DB's abuse-mailbox), only those are HIGH. RIPE's older RDAP put the
 * abuse-c role object's plain e-mail: attributes in the abuse entity and
 * no abuse-mailbox at all: from RIPE, untyped emails of an abuse entity are
 * therefore LOW (whois gives the real one). An abuse entity without an
 * email leaves its handle in abuse_handles for the chain to resolve.
 *
 * Bounds: AD_RDAP_INPUT_MAX bytes; nesting is measured before jansson sees
 * the text (its own limit is 2048, too deep for a recursive walk to be
 * harmless), entities are followed AD_RDAP_ENTITY_DEPTH_MAX deep and at
 * most ENTITIES_MAX in all.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "abusedesk/ad_email.h"
#include "abusedesk/ad_ip.h"
#include "abusedesk/ad_netinfo.h"

#define ENTITIES_MAX	512
#define PATH_MAX_LEN	160

struct rp {
	struct ad_netinfo	*ni;
	unsigned		 entities;
	bool			 ripe;		/* answered by the RIPE DB */
	bool			 org_kind;	/* org came from a kind "org" */
};

/* Copies a JSON string into dst[cap], control bytes as spaces. */
static void
setjs(struct ad_netinfo *ni, char *dst, size_t cap, const json_t *v)
{
	const char *s;
	size_t n;

	if (!json_is_string(v))
		return;
	s = json_string_value(v);
	n = json_string_length(v);
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	ad_netinfo_copy(ni, dst, cap, s, n);
}

static const char *
jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The deepest nesting of [s, s+n), strings skipped; stops past limit. */
static int
json_depth(const char *s, size_t n, int limit)
{
	int d = 0, max = 0;
	bool str = false;
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				str = false;
			continue;
		}
		if (c == '"')
			str = true;
		else if (c == '[' || c == '{') {
			if (++d > max)
				max = d;
			if (max > limit)
				break;
		} else if (c == ']' || c == '}')
			d--;
	}
	return max;
}

/* Registries by RDAP host (base URL or port43). */
static const struct {
	const char	*host;
	const char	*name;
} registries[] = {
	{ "jpnic", "JPNIC" },
	{ "nic.ad.jp", "JPNIC" },
	{ "krnic", "KRNIC" },
	{ "kisa.or.kr", "KRNIC" },
	{ "twnic", "TWNIC" },
	{ "registro.br", "registro.br" },
	{ "nic.br", "registro.br" },
	{ "arin.net", "ARIN" },
	{ "ripe.net", "RIPE NCC" },
	{ "apnic.net", "APNIC" },
	{ "lacnic.net", "LACNIC" },
	{ "afrinic.net", "AFRINIC" },
};

static void
set_registry(struct ad_netinfo *ni, const char *host)
{
	size_t i, n;

	if (host == NULL || ni->registry[0] != '\0')
		return;
	n = strlen(host);
	for (i = 0; i < sizeof(registries) / sizeof(registries[0]); i++) {
		size_t k = strlen(registries[i].host), j;

		for (j = 0; j + k <= n; j++)
			if (strncasecmp(host + j, registries[i].host, k) == 0) {
				snprintf(ni->registry, sizeof(ni->registry),
				    "%s", registries[i].name);
				return;
			}
	}
}

/* An address as RDAP writes it: zero-padded IPv4 and a stray "/32". */
static bool
rdap_addr(const char *s, struct ad_addr *a)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strcspn(s, "/");
	while (n > 0 && s[n - 1] == ' ')
		n--;
	return ad_addr_parse(s, n, a);
}

static void
set_range(struct ad_netinfo *ni, const json_t *root)
{
	struct ad_addr a, b;
	const json_t *cidrs = json_object_get(root, "cidr0_cidrs"), *c;
	size_t i;

	if (rdap_addr(jstr(root, "startAddress"), &a) &&
	    rdap_addr(jstr(root, "endAddress"), &b) && a.af == b.af &&
	    memcmp(a.b, b.b, 16) <= 0) {
		int k = ad_range_to_cidrs(&a, &b, ni->ranges,
		    AD_NI_RANGES_MAX);

		ni->start = a;
		ni->end = b;
		if (k > AD_NI_RANGES_MAX) {
			ni->flags |= AD_NI_TRUNCATED;
			k = AD_NI_RANGES_MAX;
		}
		ni->nranges = k > 0 ? (size_t)k : 0;
		return;
	}
	/* No usable start/end: the cidr0 extension's prefixes. */
	json_array_foreach(cidrs, i, c) {
		const char *p = jstr(c, "v4prefix");
		const json_t *len = json_object_get(c, "length");
		struct ad_cidr cd;
		char t[AD_ADDR_STRLEN + 8];

		if (p == NULL)
			p = jstr(c, "v6prefix");
		if (p == NULL || !json_is_integer(len) ||
		    json_integer_value(len) < 0 ||
		    json_integer_value(len) > 128 ||
		    ni->nranges == AD_NI_RANGES_MAX)
			continue;
		snprintf(t, sizeof(t), "%.*s/%d", AD_ADDR_STRLEN - 1, p,
		    (int)json_integer_value(len));
		if (!ad_cidr_parse(t, strlen(t), &cd))
			continue;
		ni->ranges[ni->nranges++] = cd;
	}
	if (ni->nranges > 0 && ni->start.af == 0) {
		ni->start = ni->ranges[0].addr;
		ni->end = ni->ranges[0].addr;
		{
			const struct ad_cidr *l = &ni->ranges[ni->nranges - 1];
			unsigned w = l->addr.af == 4 ? 32 : 128, k;

			ni->end = l->addr;
			for (k = 0; k < w - l->prefix; k++)
				ni->end.b[15 - k / 8] |= (uint8_t)(1u << (k % 8));
		}
	}
}

static bool
has_role(const json_t *ent, const char *role)
{
	const json_t *roles = json_object_get(ent, "roles"), *r;
	size_t i;

	json_array_foreach(roles, i, r)
		if (json_is_string(r) &&
		    strcasecmp(json_string_value(r), role) == 0)
			return true;
	return false;
}

/* True when a vCard property's parameters say type "abuse". */
static bool
typed_abuse(const json_t *params)
{
	const json_t *t = json_object_get(params, "type"), *x;
	size_t i;

	if (json_is_string(t))
		return strcasecmp(json_string_value(t), "abuse") == 0;
	json_array_foreach(t, i, x)
		if (json_is_string(x) &&
		    strcasecmp(json_string_value(x), "abuse") == 0)
			return true;
	return false;
}

/* The vCard property list of an entity, or NULL. */
static const json_t *
vcard_props(const json_t *ent)
{
	const json_t *va = json_object_get(ent, "vcardArray");

	if (!json_is_array(va) || json_array_size(va) < 2)
		return NULL;
	va = json_array_get(va, 1);
	return json_is_array(va) ? va : NULL;
}

/* The value of the first vCard property `name` (fn, kind), or NULL. */
static const json_t *
vcard_get(const json_t *ent, const char *name)
{
	const json_t *props = vcard_props(ent), *p;
	size_t i;

	json_array_foreach(props, i, p) {
		const json_t *nm = json_array_get(p, 0);

		if (json_is_string(nm) &&
		    strcasecmp(json_string_value(nm), name) == 0 &&
		    json_is_string(json_array_get(p, 3)))
			return json_array_get(p, 3);
	}
	return NULL;
}

static void
add_handle(struct ad_netinfo *ni, const char *h, const char *obj)
{
	size_t i;

	if (h == NULL || *h == '\0' || strlen(h) >= AD_NI_NAME_MAX)
		return;
	for (i = 0; i < ni->nhandles; i++)
		if (strcasecmp(ni->abuse_handles[i].handle, h) == 0)
			return;
	if (ni->nhandles == AD_NI_HANDLES_MAX) {
		ni->flags |= AD_NI_TRUNCATED;
		return;
	}
	snprintf(ni->abuse_handles[ni->nhandles].handle, AD_NI_NAME_MAX, "%s",
	    h);
	snprintf(ni->abuse_handles[ni->nhandles].object, AD_NI_NAME_MAX, "%s",
	    obj);
	ni->nhandles++;
}

/* One entity: its emails by role, then the entities inside it. */
static void
walk_entity(struct rp *r, const json_t *ent, const char *path, int depth,
    bool top)
{
	const json_t *props, *p, *subs, *sub;
	const char *handle = jstr(ent, "handle");
	bool abuse = has_role(ent, "abuse"), typed = false, any = false;
	char obj[AD_NI_NAME_MAX], ev[AD_NI_TEXT_MAX], sp[PATH_MAX_LEN];
	size_t i;

	if (!json_is_object(ent) || depth > AD_RDAP_ENTITY_DEPTH_MAX ||
	    r->entities >= ENTITIES_MAX) {
		r->ni->flags |= AD_NI_TRUNCATED;
		return;
	}
	r->entities++;
	snprintf(obj, sizeof(obj), "entity %.80s%s", handle ? handle : "?",
	    abuse ? " (abuse)" : "");
	props = vcard_props(ent);
	json_array_foreach(props, i, p) {
		const json_t *nm = json_array_get(p, 0);

		if (json_is_string(nm) &&
		    strcasecmp(json_string_value(nm), "email") == 0 &&
		    typed_abuse(json_array_get(p, 1)))
			typed = true;
	}
	json_array_foreach(props, i, p) {
		const json_t *nm = json_array_get(p, 0), *v = json_array_get(p, 3);
		enum ad_confidence c = AD_CONF_LOW;
		const char *s;
		size_t n;

		if (!json_is_string(nm) ||
		    strcasecmp(json_string_value(nm), "email") != 0 ||
		    !json_is_string(v))
			continue;
		s = json_string_value(v);
		n = json_string_length(v);
		/* "mailto:" URIs appear in some vCards. */
		if (n > 7 && strncasecmp(s, "mailto:", 7) == 0) {
			s += 7;
			n -= 7;
		}
		if (abuse) {
			if (typed)
				c = typed_abuse(json_array_get(p, 1)) ?
				    AD_CONF_HIGH : AD_CONF_LOW;
			else
				c = r->ripe ? AD_CONF_LOW : AD_CONF_HIGH;
		}
		if (!ad_email_valid(s, n) || ad_email_junk(s, n))
			continue;
		any = true;
		snprintf(ev, sizeof(ev), "%s.vcardArray[1][%zu][3]", path, i);
		(void)ad_netinfo_add_contact(r->ni, s, n, c, obj, ev);
	}
	if (abuse && !any)
		add_handle(r->ni, handle, "abuse entity");
	/* The registrant's name is the organisation; RIPE lists its
	 * maintainers as registrants too, so a vCard of kind "org" wins. */
	if (has_role(ent, "registrant") && !r->org_kind &&
	    vcard_get(ent, "fn") != NULL) {
		const json_t *kind = vcard_get(ent, "kind");
		bool org = kind != NULL &&
		    strcasecmp(json_string_value(kind), "org") == 0;

		if (org || r->ni->org[0] == '\0')
			setjs(r->ni, r->ni->org, sizeof(r->ni->org),
			    vcard_get(ent, "fn"));
		r->org_kind = org;
	}
	(void)top;

	subs = json_object_get(ent, "entities");
	json_array_foreach(subs, i, sub) {
		snprintf(sp, sizeof(sp), "%s.entities[%zu]", path, i);
		walk_entity(r, sub, sp, depth + 1, false);
	}
}

/* Mailboxes quoted in remarks: low confidence, as in whois. */
static void
remark_emails(struct rp *r, const json_t *root)
{
	const json_t *remarks = json_object_get(root, "remarks"), *rm, *d, *line;
	size_t i, j;

	json_array_foreach(remarks, i, rm) {
		d = json_object_get(rm, "description");
		json_array_foreach(d, j, line) {
			const char *s, *end, *at;
			char ev[64];

			if (!json_is_string(line))
				continue;
			s = json_string_value(line);
			end = s + json_string_length(line);
			while ((at = memchr(s, '@', (size_t)(end - s))) != NULL) {
				const char *a = at, *b = at + 1;

				while (a > s && (strchr("._-+%", a[-1]) ||
				    (a[-1] >= 'a' && a[-1] <= 'z') ||
				    (a[-1] >= 'A' && a[-1] <= 'Z') ||
				    (a[-1] >= '0' && a[-1] <= '9')) && a[-1])
					a--;
				while (b < end && (*b == '.' || *b == '-' ||
				    (*b >= 'a' && *b <= 'z') ||
				    (*b >= 'A' && *b <= 'Z') ||
				    (*b >= '0' && *b <= '9')))
					b++;
				while (b > at + 1 && b[-1] == '.')
					b--;
				snprintf(ev, sizeof(ev),
				    "remarks[%zu].description[%zu]", i, j);
				if (ad_email_valid(a, (size_t)(b - a)) &&
				    !ad_email_junk(a, (size_t)(b - a)))
					(void)ad_netinfo_add_contact(r->ni, a,
					    (size_t)(b - a), AD_CONF_LOW,
					    "remarks", ev);
				s = at + 1;
			}
		}
	}
}

/* APNIC answers for space a national registry manages, with no usable
 * abuse desk of their own: ask the NIR. */
static void
nir_referral(struct ad_netinfo *ni, const json_t *root)
{
	static const struct {
		const char	*marker;
		const char	*host;
	} nirs[] = {
		{ "JPNIC", "whois.nic.ad.jp" },
		{ "@nic.ad.jp", "whois.nic.ad.jp" },
		{ "KRNIC", "whois.krnic.net" },
		{ "@nic.or.kr", "whois.krnic.net" },
		{ "TWNIC", "whois.twnic.net" },
		{ "CNNIC", "whois.cnnic.cn" },
	};
	const char *fields[4];
	size_t i, k;

	if (strcmp(ni->registry, "APNIC") != 0 ||
	    ni->referral.kind != AD_REF_NONE || (ad_netinfo_best(ni) != NULL &&
	    ad_netinfo_best(ni)->confidence > AD_CONF_LOW))
		return;
	fields[0] = ni->netname;
	fields[1] = ni->handle;
	fields[2] = ni->ncontacts > 0 ? ni->contacts[0].email : "";
	fields[3] = jstr(root, "type") ? jstr(root, "type") : "";
	for (k = 0; k < sizeof(nirs) / sizeof(nirs[0]); k++)
		for (i = 0; i < 4; i++) {
			size_t j, m = strlen(nirs[k].marker), n = strlen(fields[i]);

			for (j = 0; j + m <= n; j++)
				if (strncasecmp(fields[i] + j, nirs[k].marker,
				    m) == 0) {
					ni->referral.kind = AD_REF_WHOIS;
					snprintf(ni->referral.host,
					    sizeof(ni->referral.host), "%s",
					    nirs[k].host);
					return;
				}
		}
	/* Any contact at a NIR's domain says the same. */
	for (i = 0; i < ni->ncontacts; i++)
		for (k = 0; k < sizeof(nirs) / sizeof(nirs[0]); k++)
			if (nirs[k].marker[0] == '@' &&
			    strcasestr(ni->contacts[i].email, nirs[k].marker)) {
				ni->referral.kind = AD_REF_WHOIS;
				snprintf(ni->referral.host,
				    sizeof(ni->referral.host), "%s",
				    nirs[k].host);
				return;
			}
}

int
ad_rdap_parse(const char *json, size_t len, const char *base_url,
    struct ad_netinfo *out, struct ad_diag *diag)
{
	struct rp r;
	json_t *root = NULL;
	json_error_t err;
	const json_t *v, *ents, *e, *links, *events;
	const char *cls;
	size_t i;
	int ret = AD_OK;

	if (out == NULL || (json == NULL && len > 0))
		return ad_diag_set(diag, AD_ERR_USAGE, "rdap", 0,
		    "no text or no result");
	ad_netinfo_init(out);
	snprintf(out->protocol, sizeof(out->protocol), "rdap");
	if (base_url != NULL)
		snprintf(out->server, sizeof(out->server), "%s", base_url);
	if (len > AD_RDAP_INPUT_MAX)
		return ad_diag_set(diag, AD_ERR_LIMIT, "rdap", 0,
		    "response larger than %d bytes", AD_RDAP_INPUT_MAX);
	if (json_depth(json, len, AD_RDAP_DEPTH_MAX) > AD_RDAP_DEPTH_MAX)
		return ad_diag_set(diag, AD_ERR_LIMIT, "rdap", 0,
		    "JSON nested deeper than %d", AD_RDAP_DEPTH_MAX);
	root = json_loadb(len > 0 ? json : "", len, JSON_ALLOW_NUL, &err);
	if (root == NULL)
		return ad_diag_set(diag, AD_ERR_PARSE, "rdap",
		    (unsigned long)(err.line > 0 ? err.line : 0), "%s",
		    err.text);
	if (!json_is_object(root)) {
		ret = ad_diag_set(diag, AD_ERR_PARSE, "rdap", 0,
		    "not a JSON object");
		goto out;
	}
	memset(&r, 0, sizeof(r));
	r.ni = out;

	set_registry(out, base_url);
	set_registry(out, jstr(root, "port43"));
	r.ripe = strcmp(out->registry, "RIPE NCC") == 0;
	setjs(out, out->port43, sizeof(out->port43),
	    json_object_get(root, "port43"));

	/* An error object (RFC 9083 section 6). */
	v = json_object_get(root, "errorCode");
	if (json_is_integer(v)) {
		json_int_t code = json_integer_value(v);

		out->flags |= AD_NI_ERROR;
		if (code == 404)
			out->flags |= AD_NI_NOT_FOUND;
		if (code == 429)
			out->flags |= AD_NI_RATE_LIMITED;
		goto out;
	}

	/* LACNIC's throttled answers carry a "Rate Limit Notice" and no
	 * object; its ordinary answers no notice of that title. */
	v = json_object_get(root, "notices");
	json_array_foreach(v, i, e) {
		const char *t = jstr(e, "title");

		if (t != NULL && strcasestr(t, "rate limit") != NULL &&
		    json_object_get(root, "objectClassName") == NULL &&
		    json_object_get(root, "handle") == NULL)
			out->flags |= AD_NI_RATE_LIMITED;
	}

	cls = jstr(root, "objectClassName");
	if (cls == NULL) {
		if (json_object_get(root, "startAddress") != NULL)
			cls = "ip network";
		else if (json_object_get(root, "startAutnum") != NULL)
			cls = "autnum";
		else if (json_object_get(root, "vcardArray") != NULL)
			cls = "entity";
		else
			cls = "";
	}
	snprintf(out->object_class, sizeof(out->object_class), "%.31s", cls);

	setjs(out, out->handle, sizeof(out->handle),
	    json_object_get(root, "handle"));
	setjs(out, out->netname, sizeof(out->netname),
	    json_object_get(root, "name"));
	if ((v = json_object_get(root, "country")) != NULL &&
	    json_is_string(v) && json_string_length(v) == 2) {
		const char *c = json_string_value(v);
		char cc[3] = { (char)(c[0] & ~0x20), (char)(c[1] & ~0x20), 0 };

		if (cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z')
			memcpy(out->country, cc, 3);
	}
	setjs(out, out->parent, sizeof(out->parent),
	    json_object_get(root, "parentHandle"));

	if (strcmp(cls, "ip network") == 0)
		set_range(out, root);
	else if (strcmp(cls, "autnum") == 0) {
		const json_t *s = json_object_get(root, "startAutnum");
		const json_t *en = json_object_get(root, "endAutnum");

		if (json_is_integer(s) && json_integer_value(s) >= 0 &&
		    json_integer_value(s) <= UINT32_MAX) {
			out->asn_start = (uint32_t)json_integer_value(s);
			out->asn_end = out->asn_start;
			if (json_is_integer(en) &&
			    json_integer_value(en) >= json_integer_value(s) &&
			    json_integer_value(en) <= UINT32_MAX)
				out->asn_end = (uint32_t)json_integer_value(en);
		}
	} else if (strcmp(cls, "entity") == 0 && out->netname[0] == '\0')
		setjs(out, out->netname, sizeof(out->netname),
		    vcard_get(root, "fn"));

	links = json_object_get(root, "links");
	json_array_foreach(links, i, e) {
		const char *rel = jstr(e, "rel"), *href = jstr(e, "href");

		if (rel != NULL && href != NULL && strcasecmp(rel, "up") == 0 &&
		    out->parent_url[0] == '\0')
			setjs(out, out->parent_url, sizeof(out->parent_url),
			    json_object_get(e, "href"));
	}
	events = json_object_get(root, "events");
	json_array_foreach(events, i, e) {
		const char *act = jstr(e, "eventAction");

		if (act == NULL)
			continue;
		if (strcasecmp(act, "registration") == 0 &&
		    out->registered[0] == '\0')
			setjs(out, out->registered, sizeof(out->registered),
			    json_object_get(e, "eventDate"));
		else if (strcasecmp(act, "last changed") == 0 &&
		    out->changed[0] == '\0')
			setjs(out, out->changed, sizeof(out->changed),
			    json_object_get(e, "eventDate"));
	}

	/* The object itself (an entity lookup), then its entities. */
	if (strcmp(cls, "entity") == 0)
		walk_entity(&r, root, "$", 0, true);
	else {
		ents = json_object_get(root, "entities");
		json_array_foreach(ents, i, e) {
			char path[PATH_MAX_LEN];

			snprintf(path, sizeof(path), "$.entities[%zu]", i);
			walk_entity(&r, e, path, 1, false);
		}
	}
	remark_emails(&r, root);
	nir_referral(out, root);
out:
	json_decref(root);
	return ret;
}
