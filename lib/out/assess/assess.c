/*
 * assess.c - the decision for one source: is it worth a report, and whom
 * to write to (ad_assess.h says the order and the defaults).
 *
 * Each finding appends one plain sentence to v->reasons; the user reads
 * them in `abusedesk reports`, so they name the address, the contact or
 * the list that decided. Text from registries and reverse names is
 * untrusted: it is cut and any byte outside printable ASCII becomes '?'.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "abusedesk/ad_assess.h"
#include "assess_int.h"

/* --- names --------------------------------------------------------------- */

const char *
ad_action_name(enum ad_action a)
{
	switch (a) {
	case AD_ACT_REPORT: return "report";
	case AD_ACT_REPORT_CC: return "report+cc-upstream";
	case AD_ACT_UPSTREAM: return "upstream";
	case AD_ACT_HOLD: return "hold";
	case AD_ACT_SKIP: return "skip";
	}
	return "unknown";
}

char *
ad_assess_flags_name(unsigned flags, char *buf, size_t n)
{
	static const struct {
		unsigned	 bit;
		const char	*name;
	} names[] = {
		{ AD_AS_ALLOWLISTED, "allowlisted" },
		{ AD_AS_SCANNER, "scanner" },
		{ AD_AS_TOR_EXIT, "tor-exit" },
		{ AD_AS_WORM_LARGE, "worm-large-provider" },
		{ AD_AS_SPOOFABLE, "spoofable" },
		{ AD_AS_NO_CONTACT, "no-contact" },
		{ AD_AS_FREEMAIL, "freemail" },
		{ AD_AS_RESIDENTIAL, "residential" },
		{ AD_AS_DISTRUSTED, "distrusted" },
		{ AD_AS_NO_UPSTREAM, "no-upstream" },
		{ AD_AS_LOW_CONFIDENCE, "low-confidence" },
	};
	size_t i, len = 0;

	if (n == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int w;

		if (!(flags & names[i].bit))
			continue;
		w = snprintf(buf + len, n - len, "%s%s", len ? "," : "",
		    names[i].name);
		if (w < 0 || (size_t)w >= n - len) {
			buf[len] = '\0';	/* whole names only */
			break;
		}
		len += (size_t)w;
	}
	return buf;
}

bool
ad_rdns_name_valid(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (++label > 63)
				return false;
		} else
			return false;
	}
	return label > 0;
}

/* --- building the verdict ------------------------------------------------ */

/* Appends one sentence, "; "-separated; untrusted bytes are defanged. */
static void reason(struct ad_verdict *v, const char *fmt, ...)
    AD_PRINTF(2, 3);

static void
reason(struct ad_verdict *v, const char *fmt, ...)
{
	size_t len = strlen(v->reasons), i;
	va_list ap;

	if (len + 3 >= sizeof(v->reasons))
		return;
	if (len) {
		memcpy(v->reasons + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(v->reasons + len, sizeof(v->reasons) - len, fmt, ap);
	va_end(ap);
	for (i = len; v->reasons[i]; i++)
		if ((unsigned char)v->reasons[i] < 0x20 ||
		    (unsigned char)v->reasons[i] >= 0x7f)
			v->reasons[i] = '?';
}

/* The most careful of the two actions (the enum is in that order). */
static void
raise_to(struct ad_verdict *v, enum ad_action a)
{
	if (a > v->action)
		v->action = a;
}

/* Lower-case domain of a (valid) mailbox into d. */
static void
mail_domain(const char *email, char *d, size_t n)
{
	const char *at = strrchr(email, '@');
	size_t i;

	snprintf(d, n, "%s", at ? at + 1 : "");
	for (i = 0; d[i]; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
}

/* --- residential/dynamic pools ------------------------------------------- */

/* Words that name a dynamic or residential pool in a reverse name or a
 * netname; matched as whole alphabetic tokens (split at -._ and digits),
 * so "poolside-hosting" is not a pool. */
static const char *const pool_words[] = {
	"adsl", "bb", "broadband", "cable", "cpe", "cust", "customer",
	"customers", "dhcp", "dial", "dialin", "dialup", "dsl", "dyn",
	"dynamic", "dynip", "fios", "ftth", "fttb", "fttp", "fttx", "pool",
	"pools", "ppp", "pppoe", "residential", "resi", "sdsl", "subscriber",
	"subscribers", "vdsl", "xdsl",
};
/* Long words that are unambiguous even inside a netname written as one
 * word ("FPTDYNAMICIP-NET"). */
static const char *const pool_infixes[] = {
	"dynamic", "residential", "broadband", "dialup", "pppoe",
};
/* Tokens of a server naming scheme: an address in such a name is a
 * hosting convention ("static.1.2.3.4.clients.example.de",
 * "ec2-1-2-3-4.compute-1.amazonaws.com"), not a dynamic pool. */
static const char *const server_words[] = {
	"cloud", "colo", "compute", "dedicated", "ec2", "host", "hosted",
	"hosting", "server", "servers", "srv", "static", "vds", "vps",
};

static bool
in_list(const char *tok, size_t l, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == l && strncasecmp(tok, list[i], l) == 0)
			return true;
	return false;
}

#define NWORDS(a)	(sizeof(a) / sizeof((a)[0]))

/* The first pool word among the alphabetic tokens of s[0..n), or NULL;
 * *server says whether a server-scheme token was seen. */
static const char *
pool_token(const char *s, size_t n, bool *server)
{
	size_t i = 0, j;
	const char *found = NULL;

	*server = false;
	while (i < n) {
		if (!isalpha((unsigned char)s[i])) {
			i++;
			continue;
		}
		for (j = i; j < n && isalpha((unsigned char)s[j]); j++)
			;
		if (in_list(s + i, j - i, server_words, NWORDS(server_words)))
			*server = true;
		for (size_t k = 0; found == NULL && k < NWORDS(pool_words); k++)
			if (strlen(pool_words[k]) == j - i &&
			    strncasecmp(s + i, pool_words[k], j - i) == 0)
				found = pool_words[k];
		i = j;
	}
	return found;
}

static unsigned long
digits(const char *s, size_t n)
{
	unsigned long v = 0;

	while (n--)
		v = v * 10 + (unsigned long)(*s++ - '0');
	return v;
}

/* True when the IPv4 address is written into s[0..n): four consecutive
 * numbers equal to its octets, in order or reversed (1-2-3-4, 1.2.3.4,
 * 004.003.002.001), or its eight hex digits as one token. */
static bool
embeds_address(const char *s, size_t n, const struct ad_addr *a)
{
	const uint8_t *o = a->b + 12;
	unsigned long nums[64];
	size_t k = 0, i = 0, j;
	char hex[9];

	if (a->af != 4)
		return false;
	snprintf(hex, sizeof(hex), "%02x%02x%02x%02x", o[0], o[1], o[2], o[3]);
	while (i < n) {
		if (!isalnum((unsigned char)s[i])) {
			i++;
			continue;
		}
		for (j = i; j < n && isalnum((unsigned char)s[j]); j++)
			;
		if (j - i == 8 && strncasecmp(s + i, hex, 8) == 0)
			return true;
		/* digit runs inside the token: a number each, except twelve
		 * digits, which are four zero-padded octets */
		for (size_t d = i; d < j;) {
			size_t e = d, q;

			if (!isdigit((unsigned char)s[d])) {
				d++;
				continue;
			}
			while (e < j && isdigit((unsigned char)s[e]))
				e++;
			for (q = 0; q < (e - d == 12 ? 4 : 1) &&
			    k < NWORDS(nums); q++)
				nums[k++] = e - d == 12 ? digits(s + d + 3 * q, 3) :
				    e - d <= 3 ? digits(s + d, e - d) : 1000;
			d = e;
		}
		i = j;
	}
	for (i = 0; k >= 4 && i + 4 <= k; i++) {
		if (nums[i] == o[0] && nums[i + 1] == o[1] &&
		    nums[i + 2] == o[2] && nums[i + 3] == o[3])
			return true;
		if (nums[i] == o[3] && nums[i + 1] == o[2] &&
		    nums[i + 2] == o[1] && nums[i + 3] == o[0])
			return true;
	}
	return false;
}

/*
 * Why the address looks residential/dynamic, into why (""): the reverse
 * name's host part (without its registrable domain, which is the
 * provider's name, not a description) or the netname.
 */
static bool
residential(const struct ad_addr *a, const char *rdns, const char *netname,
    char *why, size_t n)
{
	bool server = false;
	const char *w;

	why[0] = '\0';
	if (rdns && *rdns) {
		size_t host = (size_t)(assess_registrable(rdns) - rdns);

		if ((w = pool_token(rdns, host, &server)) != NULL) {
			snprintf(why, n, "its reverse name %.200s says \"%s\"",
			    rdns, w);
			return true;
		}
		if (!server && embeds_address(rdns, host, a)) {
			snprintf(why, n, "its reverse name %.200s is made from "
			    "the address", rdns);
			return true;
		}
	}
	if (netname && *netname) {
		size_t i;

		if ((w = pool_token(netname, strlen(netname), &server)) == NULL)
			for (i = 0; w == NULL && i < NWORDS(pool_infixes); i++)
				if (strcasestr(netname, pool_infixes[i]))
					w = pool_infixes[i];
		if (w) {
			snprintf(why, n, "its network name %.100s says \"%s\"",
			    netname, w);
			return true;
		}
	}
	return false;
}

/* --- the contact --------------------------------------------------------- */

/*
 * True when the freemail contact's domain belongs to the network anyway:
 * the reverse name is under the same registrable domain, or the domain's
 * first label is a whole word of the org name or netname.
 */
static bool
own_domain(const char *domain, const char *rdns, const char *org,
    const char *netname)
{
	const char *reg = assess_registrable(domain);
	char label[64];
	size_t l = strcspn(reg, ".");

	if (rdns && *rdns && strcasecmp(assess_registrable(rdns), reg) == 0)
		return true;
	if (l < 3 || l >= sizeof(label))
		return false;
	memcpy(label, reg, l);
	label[l] = '\0';
	return assess_has_word(org, label) || assess_has_word(netname, label);
}

/*
 * A freemail contact outside the network's domain. A large provider's ISP
 * mail domain (comcast.net is in both tables) counts as the network's own
 * when the parent's contact is in it too: abuse@comcast.net on a
 * customer's reassignment under Comcast is Comcast's desk. A parent in
 * the same webmail domain (gmail.com) vouches for nothing.
 */
static bool
freemail_outside(const struct ad_assess_policy *p, const char *email,
    const struct ad_lookup_answer *who, const char *rdns)
{
	char d[AD_EMAIL_MAX + 1], pd[AD_EMAIL_MAX + 1];
	size_t i;

	mail_domain(email, d, sizeof(d));
	if (assess_freemail(p, d) == NULL ||
	    own_domain(d, rdns, who->org, who->name))
		return false;
	for (i = 0; i < who->n_parent_abuse; i++) {
		mail_domain(who->parent_abuse[i], pd, sizeof(pd));
		if (strcasecmp(assess_registrable(pd), assess_registrable(d)) ==
		    0 && assess_large(p, d, NULL, NULL) != NULL)
			return false;
	}
	return true;
}

/* Which distrust list names this network; "" none. */
static bool
distrusted(const struct ad_assess_policy *p, const struct ad_lookup_answer *w,
    const char *contact_domain, const char *rdns, char *why, size_t n)
{
	size_t i;

	for (i = 0; i < p->n_distrust_org; i++)
		if (strcasecmp(w->handle, p->distrust_org[i]) == 0 ||
		    assess_has_word(w->org, p->distrust_org[i])) {
			snprintf(why, n, "organisation %.100s", p->distrust_org[i]);
			return true;
		}
	for (i = 0; i < p->n_distrust_netname; i++) {
		const char *d = p->distrust_netname[i];
		size_t l = strlen(d);

		if (w->name[0] && (l > 1 && d[l - 1] == '*' ?
		    strncasecmp(w->name, d, l - 1) == 0 :
		    strcasecmp(w->name, d) == 0)) {
			snprintf(why, n, "network name %.100s", w->name);
			return true;
		}
	}
	for (i = 0; i < p->n_distrust_country; i++)
		if (strcasecmp(w->country, p->distrust_country[i]) == 0) {
			snprintf(why, n, "country %.2s", w->country);
			return true;
		}
	for (i = 0; i < p->n_distrust_asn; i++)
		if (w->asn && w->asn == p->distrust_asn[i]) {
			snprintf(why, n, "AS%u", (unsigned)w->asn);
			return true;
		}
	for (i = 0; i < p->n_distrust_domain; i++)
		if ((contact_domain[0] && assess_domain_under(contact_domain,
		    p->distrust_domain[i])) || (rdns && *rdns &&
		    assess_domain_under(rdns, p->distrust_domain[i]))) {
			snprintf(why, n, "domain %.100s", p->distrust_domain[i]);
			return true;
		}
	return false;
}

/* --- the decision -------------------------------------------------------- */

static void
legitimacy(const struct ad_assess_policy *p,
    const struct ad_incident *const *incs, size_t n,
    const struct ad_lookup_answer *who, const char *rdns,
    const struct ad_addr *src, const char *srcs, struct ad_verdict *v)
{
	const char *label;
	size_t i, worms = 0;
	bool allow = false;

	for (i = 0; i < p->n_allow && !allow; i++)
		allow = ad_cidr_contains(&p->allow[i], src);
	for (i = 0; i < n && !allow; i++)
		allow = incs[i]->state == AD_STATE_ALLOWLISTED;
	if (allow) {
		v->flags |= AD_AS_ALLOWLISTED;
		reason(v, "not reported: %s is on the allowlist (an audit or "
		    "monitoring you ordered)", srcs);
	}
	if ((label = assess_scanner(p, src, rdns)) != NULL) {
		v->flags |= AD_AS_SCANNER;
		reason(v, "not reported: %s is a known research or security "
		    "scanner (%.200s%s%.200s)", srcs, label,
		    rdns && *rdns ? "; reverse name " : "", rdns ? rdns : "");
	}
	if (assess_tor_exit(p, src)) {
		v->flags |= AD_AS_TOR_EXIT;
		reason(v, "not reported: %s is a Tor exit on the exit list; "
		    "its operator cannot tell who sent the traffic", srcs);
	}
	for (i = 0; i < n; i++)
		if (incs[i]->category == AD_CAT_WORM)
			worms++;
	if (n > 0 && worms == n && who && who->err == AD_OK) {
		char d[AD_EMAIL_MAX + 1] = "";

		if (who->n_abuse)
			mail_domain(who->abuse[0], d, sizeof(d));
		if ((label = assess_large(p, d, who->org, who->name)) != NULL) {
			v->flags |= AD_AS_WORM_LARGE;
			reason(v, "not reported: worm noise (Nimda/Code Red "
			    "class) from a large provider's network (%.100s), "
			    "which handles it on its own", label);
		}
	}
	if (v->flags)
		v->action = AD_ACT_SKIP;
}

/*
 * What a finding's policy asks for, given whether an upstream is known:
 * cc-upstream without an upstream falls back to `alone`, upstream without
 * one to HOLD (the caller flags NO_UPSTREAM).
 */
static enum ad_action
choose(enum ad_policy_choice c, enum ad_policy_choice dflt, bool upstream,
    enum ad_action alone, bool *no_upstream)
{
	if (c == AD_POL_DEFAULT)
		c = dflt;
	switch (c) {
	case AD_POL_REPORT:
		return AD_ACT_REPORT;
	case AD_POL_CC_UPSTREAM:
		return upstream ? AD_ACT_REPORT_CC : alone;
	case AD_POL_UPSTREAM:
		if (upstream)
			return AD_ACT_UPSTREAM;
		*no_upstream = true;
		return alone;
	case AD_POL_SKIP:
		return AD_ACT_SKIP;
	case AD_POL_HOLD:
	default:
		return AD_ACT_HOLD;
	}
}

void
ad_assess(const struct ad_assess_policy *p,
    const struct ad_incident *const *incs, size_t n,
    const struct ad_lookup_answer *who, const char *rdns,
    struct ad_verdict *v)
{
	char srcs[AD_ADDR_STRLEN] = "the source", why[300];
	char contact_domain[AD_EMAIL_MAX + 1] = "";
	const char *contact = NULL, *upstream = NULL;
	struct ad_addr src = { 0 };
	uint64_t proven = 0, spoofable = 0;
	bool no_up = false;
	enum ad_action a;
	size_t i;

	memset(v, 0, sizeof(*v));
	v->action = AD_ACT_REPORT;
	if (rdns && ad_rdns_name_valid(rdns, strlen(rdns))) {
		/* lower case, no final dot: the form every matcher expects */
		for (i = 0; rdns[i] && i + 1 < sizeof(v->rdns); i++)
			v->rdns[i] = (char)tolower((unsigned char)rdns[i]);
		if (i > 0 && v->rdns[i - 1] == '.')
			i--;
		v->rdns[i] = '\0';
	}
	rdns = v->rdns[0] ? v->rdns : NULL;	/* a hostile one: ignored */
	if (n > 0)
		src = incs[0]->src;
	else if (who)
		src = who->addr;
	if (src.af)
		ad_addr_format(&src, srcs);
	if (who && who->err != AD_OK)
		who = NULL;

	/* 1. Is the traffic worth a report at all? */
	legitimacy(p, incs, n, who, rdns, &src, srcs, v);
	if (v->action == AD_ACT_SKIP)
		return;

	/* 2. Whom to write to. */
	for (i = 0; who && i < who->n_abuse && contact == NULL; i++)
		if (ad_email_valid(who->abuse[i], strlen(who->abuse[i])) &&
		    !freemail_outside(p, who->abuse[i], who, rdns))
			contact = who->abuse[i];
	if (contact == NULL && who && who->n_abuse &&
	    ad_email_valid(who->abuse[0], strlen(who->abuse[0]))) {
		contact = who->abuse[0];
		v->flags |= AD_AS_FREEMAIL;
	}
	if (contact)
		mail_domain(contact, contact_domain, sizeof(contact_domain));
	if (who && who->n_parent_abuse && ad_email_valid(who->parent_abuse[0],
	    strlen(who->parent_abuse[0])) && (contact == NULL ||
	    strcasecmp(who->parent_abuse[0], contact) != 0))
		upstream = who->parent_abuse[0];

	if (contact == NULL) {
		v->flags |= AD_AS_NO_CONTACT;
		a = choose(p->no_contact_action, AD_POL_UPSTREAM,
		    upstream != NULL, AD_ACT_HOLD, &no_up);
		reason(v, "no abuse contact is known for %s%s", srcs,
		    a == AD_ACT_UPSTREAM ? ", so the report goes to the "
		    "upstream network" : "");
		raise_to(v, a);
	}
	if (v->flags & AD_AS_FREEMAIL) {
		a = choose(p->freemail_action, AD_POL_CC_UPSTREAM,
		    upstream != NULL, AD_ACT_HOLD, &no_up);
		if (who->name[0])
			snprintf(why, sizeof(why), " (network %.100s)",
			    who->name);
		else
			why[0] = '\0';
		reason(v, "the contact %s is a freemail address outside the "
		    "network's own domain%s", contact, why);
		raise_to(v, a);
	}
	if (residential(&src, rdns, who ? who->name : NULL, why, sizeof(why))) {
		v->flags |= AD_AS_RESIDENTIAL;
		a = choose(p->residential_action, AD_POL_CC_UPSTREAM,
		    upstream != NULL, AD_ACT_REPORT, &no_up);
		reason(v, "%s looks like a residential or dynamic address: %s",
		    srcs, why);
		raise_to(v, a);
	}
	if (who && distrusted(p, who, contact_domain, rdns, why, sizeof(why))) {
		v->flags |= AD_AS_DISTRUSTED;
		a = choose(p->distrust_action, AD_POL_UPSTREAM,
		    upstream != NULL, AD_ACT_HOLD, &no_up);
		reason(v, "the network is on your distrust list (%s)", why);
		raise_to(v, a);
	}
	if (contact && !(v->flags & AD_AS_FREEMAIL) &&
	    who->confidence <= AD_CONF_LOW) {
		v->flags |= AD_AS_LOW_CONFIDENCE;
		a = choose(p->low_confidence_action, AD_POL_CC_UPSTREAM,
		    upstream != NULL, AD_ACT_HOLD, &no_up);
		reason(v, "the contact %s comes only from remarks or a "
		    "technical contact, not a declared abuse mailbox", contact);
		raise_to(v, a);
	}
	if (no_up) {
		v->flags |= AD_AS_NO_UPSTREAM;
		reason(v, "no upstream network contact is known");
	}

	/* 3. Could the source be spoofed? */
	for (i = 0; i < n; i++) {
		proven += incs[i]->proven;
		spoofable += incs[i]->spoofable;
	}
	if (n > 0 && proven == 0 && spoofable > 0) {
		v->flags |= AD_AS_SPOOFABLE;
		if (p->spoofable == AD_POL_HOLD) {
			raise_to(v, AD_ACT_HOLD);
			reason(v, "no event proves the source (no completed "
			    "session or login): it could be spoofed, so the "
			    "report is held");
		} else {
			v->spoof_caveat = true;
			reason(v, "no event proves the source (no completed "
			    "session or login): it could be spoofed, and the "
			    "report says so");
		}
	}

	/* Addresses: only for the actions that send something. */
	switch (v->action) {
	case AD_ACT_REPORT_CC:
		snprintf(v->cc, sizeof(v->cc), "%s", upstream);
		/* FALLTHROUGH */
	case AD_ACT_REPORT:
		snprintf(v->to, sizeof(v->to), "%s", contact ? contact : "");
		break;
	case AD_ACT_UPSTREAM:
		snprintf(v->to, sizeof(v->to), "%s", upstream);
		reason(v, "the report goes to the upstream %s instead",
		    upstream);
		break;
	case AD_ACT_HOLD:
		reason(v, "held for review");
		break;
	case AD_ACT_SKIP:
		reason(v, "not reported");
		break;
	}
	if (v->action == AD_ACT_REPORT_CC)
		reason(v, "the upstream %s is in Cc", upstream);
}
