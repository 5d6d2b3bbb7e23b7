/*
 * assess_int.h - what policy.c (the loaded lists) gives assess.c (the
 * decision): the policy's layout and its matchers. Not a public header.
 */
#ifndef AD_ASSESS_INT_H
#define AD_ASSESS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "abusedesk/ad_assess.h"

/* A name with what it stands for: ".shodan.io" -> "Shodan". */
struct named {
	char	*key;
	char	*label;
};

struct named_cidr {
	struct ad_cidr	 c;
	char		*label;
};

struct ad_assess_policy {
	/* The allowlist, copied from the config (it may be freed first). */
	struct ad_cidr		*allow;
	size_t			 n_allow;

	struct named		*freemail;	/* "gmail.com", "yahoo.*" */
	size_t			 n_freemail;
	struct named		*scan_names;	/* ".shodan.io" */
	size_t			 n_scan_names;
	struct named_cidr	*scan_ranges;
	size_t			 n_scan_ranges;
	struct named		*large_domains;	/* "amazonaws.com" */
	size_t			 n_large_domains;
	struct named		*large_words;	/* "amazon", "china telecom" */
	size_t			 n_large_words;

	struct ad_addr		*tor;		/* sorted, distinct */
	size_t			 n_tor;
	size_t			 tor_bad_lines;

	/* Distrust lists (copied) and the actions the config chose. */
	char			**distrust_org, **distrust_netname,
				**distrust_country, **distrust_domain;
	size_t			 n_distrust_org, n_distrust_netname,
				 n_distrust_country, n_distrust_domain;
	uint32_t		*distrust_asn;
	size_t			 n_distrust_asn;
	enum ad_policy_choice	 distrust_action, spoofable, freemail_action,
				 residential_action, low_confidence_action,
				 no_contact_action;
};

/* The registrable part of a lower-case domain (see ad_assess.h); a
 * pointer into d. */
const char	*assess_registrable(const char *d);
/* True when d is suffix or ends with "." suffix (suffix without dot). */
bool		 assess_domain_under(const char *d, const char *suffix);
/* True when word occurs in text as a whole word, case-insensitively. */
bool		 assess_has_word(const char *text, const char *word);

/* The label of the matching entry, or NULL. d lower case. */
const char	*assess_freemail(const struct ad_assess_policy *p,
		    const char *domain);
const char	*assess_scanner(const struct ad_assess_policy *p,
		    const struct ad_addr *a, const char *rdns);
const char	*assess_large(const struct ad_assess_policy *p,
		    const char *contact_domain, const char *org,
		    const char *netname);
bool		 assess_tor_exit(const struct ad_assess_policy *p,
		    const struct ad_addr *a);

#endif
