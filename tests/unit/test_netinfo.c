/*
 * test_netinfo.c - ad_email.h (mailbox syntax, placeholders) and the
 * ad_netinfo record: contacts, range to CIDR cover, JSON form.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_email.h"
#include "abusedesk/ad_ip.h"
#include "abusedesk/ad_netinfo.h"
#include "test_helper.h"

#define EV(lit)	ad_email_valid((lit), sizeof(lit) - 1)

static void
test_email(void)
{
	char big[300];

	TEST_START("email: accepted");
	ASSERT_TRUE(EV("abuse@example.com"));
	ASSERT_TRUE(EV("arin-contact@google.com"));
	ASSERT_TRUE(EV("sistemas.red@UCO.EDU.CO"));
	ASSERT_TRUE(EV("a+b_c@x-y.example.net"));
	TEST_DONE();

	TEST_START("email: header injection and junk refused");
	ASSERT_FALSE(EV("abuse@example.com\r\nBcc: x@y.z"));
	ASSERT_FALSE(EV("abuse@example.com\n"));
	ASSERT_FALSE(EV("abuse @example.com"));
	ASSERT_FALSE(EV("abuse@exa mple.com"));
	ASSERT_FALSE(EV("abuse@example.com\t"));
	ASSERT_FALSE(ad_email_valid("abuse@ex\0ample.com", 18));
	ASSERT_FALSE(EV("abuse@@example.com"));
	ASSERT_FALSE(EV("a@b@example.com"));
	ASSERT_FALSE(EV("abuse@localhost"));
	ASSERT_FALSE(EV("abuse@[192.0.2.1]"));
	ASSERT_FALSE(EV("\"abuse\"@example.com"));
	ASSERT_FALSE(EV(".abuse@example.com"));
	ASSERT_FALSE(EV("ab..use@example.com"));
	ASSERT_FALSE(EV("abuse.@example.com"));
	ASSERT_FALSE(EV("abuse@example..com"));
	ASSERT_FALSE(EV("abuse@example.com."));
	ASSERT_FALSE(EV("abuse@-example.com"));
	ASSERT_FALSE(EV("abuse@example-.com"));
	ASSERT_FALSE(EV("abuse@1.2.3.4"));
	ASSERT_FALSE(EV("@example.com"));
	ASSERT_FALSE(EV("abuse@"));
	ASSERT_FALSE(EV("abuse@ex\xc3\xa9mple.com"));
	ASSERT_FALSE(EV("ab<use>@example.com"));
	ASSERT_FALSE(EV("abuse@example.com,x@y.com"));
	memset(big, 'a', sizeof(big));
	memcpy(big + 200, "@example.com", 12);
	ASSERT_FALSE(ad_email_valid(big, 212));	/* local part > 64 */
	memcpy(big, "a@", 2);
	memcpy(big + 250, ".com", 4);
	ASSERT_FALSE(ad_email_valid(big, 254));	/* label > 63 */
	TEST_DONE();

	TEST_START("email: placeholders");
	ASSERT_TRUE(ad_email_placeholder("search-apnic-not-arin@apnic.net", 31));
	ASSERT_TRUE(ad_email_placeholder("HOSTMASTER@RIPE.NET", 19));
	ASSERT_TRUE(ad_email_placeholder("abuse@lacnic.net", 16));
	ASSERT_TRUE(ad_email_placeholder("whois-contact@lacnic.net", 24));
	ASSERT_TRUE(ad_email_placeholder("hostmaster@nic.or.kr", 20));
	ASSERT_FALSE(ad_email_placeholder("abuse@example.com", 17));
	ASSERT_FALSE(ad_email_placeholder("abuse@lacnic.net.evil", 21));
	TEST_DONE();
}

static int
cover(const char *a, const char *b, char *out, size_t outsz)
{
	struct ad_addr x, y;
	struct ad_cidr c[AD_NI_RANGES_MAX];
	char t[AD_ADDR_STRLEN];
	size_t o = 0;
	int n, i;

	out[0] = '\0';
	if (!ad_addr_parse(a, strlen(a), &x) || !ad_addr_parse(b, strlen(b), &y))
		return -2;
	n = ad_range_to_cidrs(&x, &y, c, AD_NI_RANGES_MAX);
	for (i = 0; i < n && i < AD_NI_RANGES_MAX; i++)
		o += (size_t)snprintf(out + o, outsz - o, "%s%s/%u",
		    i ? " " : "", ad_addr_format(&c[i].addr, t),
		    (unsigned)c[i].prefix);
	return n;
}

static void
test_ranges(void)
{
	char s[2048];

	TEST_START("range to CIDRs");
	ASSERT_INT_EQ(cover("196.11.239.0", "196.11.246.255", s, sizeof(s)), 4);
	ASSERT_STR_EQ(s, "196.11.239.0/24 196.11.240.0/22 196.11.244.0/23"
	    " 196.11.246.0/24");
	ASSERT_INT_EQ(cover("210.107.0.0", "210.107.127.255", s, sizeof(s)), 1);
	ASSERT_STR_EQ(s, "210.107.0.0/17");
	ASSERT_INT_EQ(cover("0.0.0.0", "255.255.255.255", s, sizeof(s)), 1);
	ASSERT_STR_EQ(s, "0.0.0.0/0");
	ASSERT_INT_EQ(cover("255.255.255.255", "255.255.255.255", s,
	    sizeof(s)), 1);
	ASSERT_STR_EQ(s, "255.255.255.255/32");
	ASSERT_INT_EQ(cover("0.0.0.1", "255.255.255.254", s, sizeof(s)), 62);
	ASSERT_INT_EQ(cover("2001:4860::",
	    "2001:4860:ffff:ffff:ffff:ffff:ffff:ffff", s, sizeof(s)), 1);
	ASSERT_STR_EQ(s, "2001:4860::/32");
	ASSERT_INT_EQ(cover("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	    s, sizeof(s)), 1);
	ASSERT_STR_EQ(s, "::/0");
	ASSERT_INT_EQ(cover("::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe",
	    s, sizeof(s)), 254);
	ASSERT_INT_EQ(cover("10.0.0.1", "10.0.0.0", s, sizeof(s)), -1);
	ASSERT_INT_EQ(cover("10.0.0.0", "::1", s, sizeof(s)), -1);
	TEST_DONE();
}

static void
test_contacts_json(void)
{
	struct ad_netinfo ni;
	struct ad_buf b;
	json_error_t err;
	json_t *root;

	TEST_START("contacts: validated, deduplicated, best");
	ad_netinfo_init(&ni);
	ASSERT_INT_EQ(ad_netinfo_add_contact(&ni, "x@y.com\r\nBcc: z@w.com",
	    21, AD_CONF_HIGH, NULL, NULL), 0);
	ASSERT_INT_EQ(ad_netinfo_add_contact(&ni, "hostmaster@nic.or.kr", 20,
	    AD_CONF_HIGH, "irt: IRT-KRNIC-KR", "e-mail: hostmaster@nic.or.kr"),
	    1);
	ASSERT_INT_EQ(ad_netinfo_add_contact(&ni, "Abuse@Bora.NET", 14,
	    AD_CONF_LOW, "remarks", "remarks: abuse\x01 here"), 1);
	ASSERT_INT_EQ(ad_netinfo_add_contact(&ni, "Abuse@bora.net", 14,
	    AD_CONF_LOW, NULL, NULL), 0);
	ASSERT_INT_EQ(ad_netinfo_add_contact(&ni, "Abuse@bora.net", 14,
	    AD_CONF_MEDIUM, "person", "e-mail: Abuse@bora.net"), 1);
	ASSERT_INT_EQ(ni.ncontacts, 2);
	ASSERT_TRUE(ni.contacts[0].placeholder);
	ASSERT_TRUE(ni.flags & AD_NI_PLACEHOLDER);
	ASSERT_STR_EQ(ni.contacts[1].email, "Abuse@bora.net");
	ASSERT_PTR_NOT_NULL(ad_netinfo_best(&ni));
	ASSERT_STR_EQ(ad_netinfo_best(&ni)->email, "Abuse@bora.net");
	ASSERT_INT_EQ(ad_netinfo_best(&ni)->confidence, AD_CONF_MEDIUM);
	TEST_DONE();

	TEST_START("json: valid and complete");
	ad_buf_init(&b, 1 << 20);
	snprintf(ni.server, sizeof(ni.server), "whois.apnic.net");
	snprintf(ni.country, sizeof(ni.country), "KR");
	ni.referral.kind = AD_REF_WHOIS;
	snprintf(ni.referral.host, sizeof(ni.referral.host), "whois.krnic.net");
	ni.nranges = 1;
	ASSERT_TRUE(ad_cidr_parse("210.107.0.0/17", 14, &ni.ranges[0]));
	ASSERT_INT_EQ(ad_netinfo_json(&b, &ni), AD_OK);
	root = json_loadb(b.p, b.len, 0, &err);
	ASSERT_PTR_NOT_NULL(root);
	if (root != NULL) {
		json_t *net = json_object_get(root, "network");

		ASSERT_STR_EQ(json_string_value(json_object_get(net,
		    "country")), "KR");
		ASSERT_STR_EQ(json_string_value(json_array_get(
		    json_object_get(net, "ranges"), 0)), "210.107.0.0/17");
		ASSERT_INT_EQ(json_array_size(json_object_get(root, "abuse")),
		    2);
		ASSERT_STR_EQ(json_string_value(json_object_get(
		    json_object_get(root, "referral"), "host")),
		    "whois.krnic.net");
		ASSERT_STR_EQ(json_string_value(json_array_get(
		    json_object_get(root, "flags"), 0)), "placeholder");
		json_decref(root);
	}
	ad_buf_free(&b);
	ad_netinfo_free(&ni);
	TEST_DONE();
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_email();
	test_ranges();
	test_contacts_json();
	TESTS_END();
}
