/*
 * fuzz_assess.c - libFuzzer target for the assessment's string handling
 * (ad_assess.h): reverse names, netnames, org names and mailboxes come
 * from strangers (PTR records, registry answers).
 *
 * The input is split at newlines into: reverse name, netname, org, abuse
 * mailbox, parent mailbox, country. One policy (shipped tables, a distrust
 * list) decides for an IPv4 and an IPv6 source. Checked: the verdict's
 * reasons hold no control byte, `to`/`cc` are empty or valid mailboxes,
 * and the rdns kept is a valid host name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_assess.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ad_assess_policy *policy;

static void
field(const uint8_t **p, const uint8_t *end, char *dst, size_t n)
{
	size_t k = 0;

	while (*p < end && **p != '\n') {
		if (k + 1 < n)
			dst[k++] = (char)**p;
		(*p)++;
	}
	if (*p < end)
		(*p)++;
	dst[k] = '\0';
}

static void
check(const struct ad_verdict *v)
{
	size_t i;

	for (i = 0; v->reasons[i]; i++)
		if ((unsigned char)v->reasons[i] < 0x20 ||
		    (unsigned char)v->reasons[i] >= 0x7f)
			abort();
	if ((v->to[0] && !ad_email_valid(v->to, strlen(v->to))) ||
	    (v->cc[0] && !ad_email_valid(v->cc, strlen(v->cc))))
		abort();
	if (v->rdns[0] && !ad_rdns_name_valid(v->rdns, strlen(v->rdns)))
		abort();
	if (v->action > AD_ACT_SKIP)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const srcs[] = { "198.51.100.40", "2001:db8::40" };
	const uint8_t *p = data, *end = data + size;
	struct ad_lookup_answer *who;
	struct ad_incident inc;
	const struct ad_incident *incs[1] = { &inc };
	struct ad_verdict v;
	char rdns[600];
	size_t i;

	if (policy == NULL) {
		struct ad_config cfg;
		struct ad_diag d;

		ad_config_init(&cfg);
		if (ad_config_set(&cfg, "assess.distrust_netname", "BAD-*", &d) ||
		    ad_assess_policy_new(&cfg, &policy, &d))
			abort();
		ad_config_free(&cfg);
	}
	if ((who = calloc(1, sizeof(*who))) == NULL)
		return 0;
	field(&p, end, rdns, sizeof(rdns));
	field(&p, end, who->name, sizeof(who->name));
	field(&p, end, who->org, sizeof(who->org));
	field(&p, end, who->abuse[0], sizeof(who->abuse[0]));
	field(&p, end, who->parent_abuse[0], sizeof(who->parent_abuse[0]));
	field(&p, end, who->country, sizeof(who->country));
	who->n_abuse = who->abuse[0][0] ? 1 : 0;
	who->n_parent_abuse = who->parent_abuse[0][0] ? 1 : 0;
	who->confidence = size & 1 ? AD_CONF_HIGH : AD_CONF_LOW;
	for (i = 0; i < 2; i++) {
		memset(&inc, 0, sizeof(inc));
		ad_addr_parse(srcs[i], strlen(srcs[i]), &inc.src);
		inc.category = size & 2 ? AD_CAT_WORM : AD_CAT_PORT_SCAN;
		inc.spoofable = 3;
		inc.proven = size & 4;
		who->addr = inc.src;
		ad_assess(policy, incs, 1, who, rdns, &v);
		check(&v);
	}
	(void)ad_rdns_name_valid((const char *)data, size);
	free(who);
	return 0;
}
