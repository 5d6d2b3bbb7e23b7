/*
 * netinfo_check.h - the contracts fuzz_whois and fuzz_rdap check on every
 * struct ad_netinfo a parser hands back; aborts when one breaks.
 *
 *  - every string field is NUL-terminated inside its array;
 *  - list counts are within their caps;
 *  - every contact passes ad_email_valid() and holds no byte a mail header
 *    could be split on (CR, LF, space, control): the point of the checks;
 *  - ad_netinfo_json succeeds and writes one JSON object jansson accepts.
 */
#ifndef NETINFO_CHECK_H
#define NETINFO_CHECK_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_email.h"
#include "abusedesk/ad_netinfo.h"

static void
ni_fail(const char *who, const char *what)
{
	fprintf(stderr, "%s: %s\n", who, what);
	abort();
}

#define NI_TERM(who, a)	do {						\
		if (memchr((a), '\0', sizeof(a)) == NULL)		\
			ni_fail(who, #a " not terminated");		\
	} while (0)

static void
ni_check(const char *who, const struct ad_netinfo *ni)
{
	struct ad_buf b;
	json_error_t err;
	json_t *root;
	size_t i, k;

	NI_TERM(who, ni->server);
	NI_TERM(who, ni->protocol);
	NI_TERM(who, ni->object_class);
	NI_TERM(who, ni->registry);
	NI_TERM(who, ni->handle);
	NI_TERM(who, ni->netname);
	NI_TERM(who, ni->org);
	NI_TERM(who, ni->country);
	NI_TERM(who, ni->registered);
	NI_TERM(who, ni->changed);
	NI_TERM(who, ni->port43);
	NI_TERM(who, ni->parent);
	NI_TERM(who, ni->parent_url);
	NI_TERM(who, ni->referral.host);
	NI_TERM(who, ni->referral.url);
	NI_TERM(who, ni->referral.query);
	if (ni->nranges > AD_NI_RANGES_MAX || ni->ncontacts >
	    AD_NI_CONTACTS_MAX || ni->nhandles > AD_NI_HANDLES_MAX)
		ni_fail(who, "a count beyond its cap");
	for (i = 0; i < ni->ncontacts; i++) {
		const struct ad_abuse_contact *c = &ni->contacts[i];
		size_t n;

		NI_TERM(who, c->email);
		NI_TERM(who, c->object);
		NI_TERM(who, c->evidence);
		n = strlen(c->email);
		if (!ad_email_valid(c->email, n))
			ni_fail(who, "a contact fails ad_email_valid");
		for (k = 0; k < n; k++)
			if ((unsigned char)c->email[k] <= ' ' ||
			    (unsigned char)c->email[k] >= 0x7f)
				ni_fail(who, "a contact holds a header-unsafe byte");
		if (c->confidence < AD_CONF_LOW || c->confidence > AD_CONF_HIGH)
			ni_fail(who, "a contact without a confidence");
	}
	for (i = 0; i < ni->nhandles; i++) {
		NI_TERM(who, ni->abuse_handles[i].handle);
		NI_TERM(who, ni->abuse_handles[i].object);
	}
	for (i = 0; i < ni->nranges; i++)
		if (ni->ranges[i].addr.af != 4 && ni->ranges[i].addr.af != 6)
			ni_fail(who, "a range without a family");

	ad_buf_init(&b, 1 << 20);
	if (ad_netinfo_json(&b, ni) != AD_OK)
		ni_fail(who, "ad_netinfo_json failed");
	root = json_loadb(b.p, b.len, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL || !json_is_object(root)) {
		fprintf(stderr, "%.*s\n", (int)(b.len > 4000 ? 4000 : b.len),
		    b.p);
		ni_fail(who, "ad_netinfo_json wrote no valid JSON object");
	}
	json_decref(root);
	ad_buf_free(&b);
}

#endif
