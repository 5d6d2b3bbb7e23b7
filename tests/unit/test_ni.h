/*
 * test_ni.h - what test_whois.c and test_rdap.c ask of the answer their
 * parse() wrote into ni: a contact by email, the best contact, the first
 * range as text, and whether every contact is safe for a mail header.
 */
#ifndef TEST_NI_H
#define TEST_NI_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_email.h"
#include "abusedesk/ad_ip.h"
#include "abusedesk/ad_netinfo.h"

static struct ad_netinfo ni;

/* The contact with this email, or NULL. */
static inline const struct ad_abuse_contact *
contact(const char *email)
{
	size_t i;

	for (i = 0; i < ni.ncontacts; i++)
		if (strcmp(ni.contacts[i].email, email) == 0)
			return &ni.contacts[i];
	return NULL;
}

static inline const char *
best(void)
{
	const struct ad_abuse_contact *c = ad_netinfo_best(&ni);

	return c != NULL ? c->email : "(none)";
}

/* "addr/prefix" of the first range, "(none)"; a static buffer. */
static inline const char *
range0(void)
{
	static char t[AD_ADDR_STRLEN + 8];
	char a[AD_ADDR_STRLEN];

	if (ni.nranges == 0)
		return "(none)";
	snprintf(t, sizeof(t), "%s/%u", ad_addr_format(&ni.ranges[0].addr, a),
	    (unsigned)ni.ranges[0].prefix);
	return t;
}

/* No contact may hold a byte a mail header could be split on. */
static inline bool
contacts_safe(void)
{
	size_t i, k;

	for (i = 0; i < ni.ncontacts; i++) {
		const char *e = ni.contacts[i].email;

		if (!ad_email_valid(e, strlen(e)))
			return false;
		for (k = 0; e[k] != '\0'; k++)
			if ((unsigned char)e[k] <= ' ' ||
			    (unsigned char)e[k] >= 0x7f)
				return false;
	}
	return true;
}

#endif
