/*
 * test_rdap.c - ad_rdap_parse on small inline responses: abuse entities
 * nested in the registrant, typed abuse emails (RIPE's abuse-mailbox), the
 * old RIPE shape, ranges (zero-padded, "/32" suffixes, cidr0), autnums,
 * entity objects, parent links, events, errors, limits, hostile values.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_netinfo.h"
#include "test_helper.h"
#include "test_ni.h"

static int
parse(const char *base, const char *json)
{
	struct ad_diag d;

	memset(&d, 0, sizeof(d));
	return ad_rdap_parse(json, strlen(json), base, &ni, &d);
}

#define ARIN	"https://rdap.arin.net/registry/"
#define RIPE	"https://rdap.db.ripe.net/"
#define APNIC	"https://rdap.apnic.net/"

static void
test_network(void)
{
	TEST_START("rdap: ARIN network, abuse entity inside the registrant");
	ASSERT_INT_EQ(parse(ARIN,
	    "{\"objectClassName\":\"ip network\",\"handle\":\"NET-74-125-0-0-1\","
	    "\"startAddress\":\"074.125.000.000\","
	    "\"endAddress\":\"074.125.255.255\",\"name\":\"ONE\","
	    "\"parentHandle\":\"NET-74-0-0-0-0\",\"port43\":\"whois.arin.net\","
	    "\"events\":[{\"eventAction\":\"last changed\","
	    "\"eventDate\":\"2012-02-24\"},{\"eventAction\":\"registration\","
	    "\"eventDate\":\"2007-03-13\"}],"
	    "\"links\":[{\"rel\":\"self\",\"href\":\"x\"},{\"rel\":\"up\","
	    "\"href\":\"https://rdap.arin.net/registry/ip/74.0.0.0\"}],"
	    "\"entities\":[{\"handle\":\"ONE\",\"roles\":[\"registrant\"],"
	    "\"vcardArray\":[\"vcard\",[[\"fn\",{},\"text\",\"One Inc.\"],"
	    "[\"kind\",{},\"text\",\"org\"]]],"
	    "\"entities\":[{\"handle\":\"ABUSE1-ARIN\",\"roles\":[\"abuse\","
	    "\"technical\"],\"vcardArray\":[\"vcard\",[[\"email\",{},\"text\","
	    "\"abuse@isp-one.net\"]]]},{\"handle\":\"NOC1\",\"roles\":[\"noc\"],"
	    "\"vcardArray\":[\"vcard\",[[\"email\",{},\"text\","
	    "\"noc@isp-one.net\"]]]}]}]}"), AD_OK);
	ASSERT_STR_EQ(best(), "abuse@isp-one.net");
	ASSERT_INT_EQ(ad_netinfo_best(&ni)->confidence, AD_CONF_HIGH);
	ASSERT_STR_EQ(ad_netinfo_best(&ni)->evidence,
	    "$.entities[0].entities[0].vcardArray[1][0][3]");
	ASSERT_STR_EQ(ad_netinfo_best(&ni)->object,
	    "entity ABUSE1-ARIN (abuse)");
	ASSERT_INT_EQ(contact("noc@isp-one.net")->confidence, AD_CONF_LOW);
	ASSERT_STR_EQ(range0(), "74.125.0.0/16");
	ASSERT_STR_EQ(ni.handle, "NET-74-125-0-0-1");
	ASSERT_STR_EQ(ni.netname, "ONE");
	ASSERT_STR_EQ(ni.org, "One Inc.");
	ASSERT_STR_EQ(ni.parent, "NET-74-0-0-0-0");
	ASSERT_STR_EQ(ni.parent_url,
	    "https://rdap.arin.net/registry/ip/74.0.0.0");
	ASSERT_STR_EQ(ni.registered, "2007-03-13");
	ASSERT_STR_EQ(ni.changed, "2012-02-24");
	ASSERT_STR_EQ(ni.registry, "ARIN");
	ASSERT_STR_EQ(ni.port43, "whois.arin.net");
	ASSERT_STR_EQ(ni.object_class, "ip network");
	TEST_DONE();

	TEST_START("rdap: RIPE typed abuse email; old RIPE untyped is low");
	ASSERT_INT_EQ(parse(RIPE,
	    "{\"objectClassName\":\"autnum\",\"handle\":\"AS49037\","
	    "\"startAutnum\":49037,\"endAutnum\":49037,\"name\":\"PG19\","
	    "\"entities\":[{\"handle\":\"WA1-RIPE\",\"roles\":[\"abuse\"],"
	    "\"vcardArray\":[\"vcard\",[[\"email\",{\"type\":\"email\"},"
	    "\"text\",\"ripe@isp-one.am\"],[\"email\",{\"type\":\"abuse\"},"
	    "\"text\",\"abuse@isp-one.am\"]]]}]}"), AD_OK);
	ASSERT_STR_EQ(best(), "abuse@isp-one.am");
	ASSERT_INT_EQ(contact("ripe@isp-one.am")->confidence, AD_CONF_LOW);
	ASSERT_INT_EQ(ni.asn_start, 49037);
	ASSERT_STR_EQ(ni.object_class, "autnum");
	ASSERT_INT_EQ(parse(RIPE,
	    "{\"handle\":\"62.239.237.0 - 62.239.237.255\","
	    "\"startAddress\":\"62.239.237.0/32\","
	    "\"endAddress\":\"62.239.237.255/32\",\"country\":\"GB\","
	    "\"entities\":[{\"handle\":\"BTCR3-RIPE\",\"roles\":[\"abuse\"],"
	    "\"vcardArray\":[\"vcard\",[[\"email\",{},\"text\","
	    "\"zzdnsr@isp-one.com\"]]]}]}"), AD_OK);
	ASSERT_STR_EQ(ni.object_class, "ip network");
	ASSERT_STR_EQ(range0(), "62.239.237.0/24");
	ASSERT_STR_EQ(ni.country, "GB");
	ASSERT_INT_EQ(contact("zzdnsr@isp-one.com")->confidence, AD_CONF_LOW);
	/* The same shape from ARIN is the abuse POC. */
	ASSERT_INT_EQ(parse(ARIN,
	    "{\"startAddress\":\"62.239.237.0\",\"endAddress\":\"62.239.237.255\","
	    "\"entities\":[{\"handle\":\"X\",\"roles\":[\"abuse\"],"
	    "\"vcardArray\":[\"vcard\",[[\"email\",{},\"text\","
	    "\"zzdnsr@isp-one.com\"]]]}]}"), AD_OK);
	ASSERT_INT_EQ(contact("zzdnsr@isp-one.com")->confidence, AD_CONF_HIGH);
	TEST_DONE();

	TEST_START("rdap: cidr0 when start/end are unusable; v6");
	ASSERT_INT_EQ(parse(APNIC,
	    "{\"objectClassName\":\"ip network\",\"startAddress\":\"junk\","
	    "\"cidr0_cidrs\":[{\"v6prefix\":\"2606:4700::\",\"length\":32}]}"),
	    AD_OK);
	ASSERT_STR_EQ(range0(), "2606:4700::/32");
	ASSERT_INT_EQ(ni.end.b[15], 0xff);
	ASSERT_INT_EQ(parse(APNIC,
	    "{\"objectClassName\":\"ip network\","
	    "\"startAddress\":\"2001:4860:0000:0000:0000:0000:0000:0000\","
	    "\"endAddress\":\"2001:4860:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF\"}"),
	    AD_OK);
	ASSERT_STR_EQ(range0(), "2001:4860::/32");
	TEST_DONE();

	TEST_START("rdap: APNIC block of a NIR refers to it");
	ASSERT_INT_EQ(parse(APNIC,
	    "{\"objectClassName\":\"ip network\",\"handle\":\"2001:0240::/32\","
	    "\"name\":\"IIJ-JPNIC-JP-20000308\",\"country\":\"JP\","
	    "\"startAddress\":\"2001:240::\",\"endAddress\":"
	    "\"2001:240:ffff:ffff:ffff:ffff:ffff:ffff\",\"entities\":[{"
	    "\"handle\":\"JNIC1-AP\",\"roles\":[\"technical\"],\"vcardArray\":"
	    "[\"vcard\",[[\"email\",{},\"text\",\"hostmaster@nic.ad.jp\"]]]}]}"),
	    AD_OK);
	ASSERT_INT_EQ(ni.referral.kind, AD_REF_WHOIS);
	ASSERT_STR_EQ(ni.referral.host, "whois.nic.ad.jp");
	ASSERT_TRUE(contact("hostmaster@nic.ad.jp")->placeholder);
	ASSERT_STR_EQ(best(), "(none)");
	TEST_DONE();
}

static void
test_entities(void)
{
	TEST_START("rdap: entity object: own emails low, nested abuse high");
	ASSERT_INT_EQ(parse(ARIN,
	    "{\"objectClassName\":\"entity\",\"handle\":\"GOVI\","
	    "\"vcardArray\":[\"vcard\",[[\"fn\",{},\"text\",\"Gov Inc\"],"
	    "[\"email\",{},\"text\",\"info@isp-one.net\"]]],"
	    "\"entities\":[{\"handle\":\"GTS7-ARIN\",\"roles\":[\"abuse\"],"
	    "\"vcardArray\":[\"vcard\",[[\"email\",{},\"text\","
	    "\"support@isp-one.net\"]]]}]}"), AD_OK);
	ASSERT_STR_EQ(best(), "support@isp-one.net");
	ASSERT_INT_EQ(contact("info@isp-one.net")->confidence, AD_CONF_LOW);
	ASSERT_STR_EQ(ni.netname, "Gov Inc");
	TEST_DONE();

	TEST_START("rdap: many low contacts first never crowd out the abuse one");
	ASSERT_INT_EQ(parse(ARIN,
	    "{\"objectClassName\":\"ip network\",\"entities\":["
	    "{\"roles\":[\"technical\"],\"vcardArray\":[\"vcard\",["
	    "[\"email\",{},\"text\",\"t1@isp-one.net\"],"
	    "[\"email\",{},\"text\",\"t2@isp-one.net\"],"
	    "[\"email\",{},\"text\",\"t3@isp-one.net\"],"
	    "[\"email\",{},\"text\",\"t4@isp-one.net\"],"
	    "[\"email\",{},\"text\",\"t5@isp-one.net\"],"
	    "[\"email\",{},\"text\",\"t6@isp-one.net\"],"
	    "[\"email\",{},\"text\",\"t7@isp-one.net\"],"
	    "[\"email\",{},\"text\",\"t8@isp-one.net\"],"
	    "[\"email\",{},\"text\",\"t9@isp-one.net\"]]]},"
	    "{\"roles\":[\"abuse\"],\"vcardArray\":[\"vcard\",["
	    "[\"email\",{},\"text\",\"abuse@isp-one.net\"]]]}]}"), AD_OK);
	ASSERT_INT_EQ(ni.ncontacts, AD_NI_CONTACTS_MAX);
	ASSERT_STR_EQ(best(), "abuse@isp-one.net");
	ASSERT_TRUE(ni.flags & AD_NI_TRUNCATED);
	TEST_DONE();

	TEST_START("rdap: abuse entity without email leaves its handle");
	ASSERT_INT_EQ(parse("https://rdap.registro.br/",
	    "{\"objectClassName\":\"autnum\",\"handle\":\"53170\","
	    "\"startAutnum\":53170,\"country\":\"BR\",\"entities\":[{"
	    "\"handle\":\"BRI2\",\"roles\":[\"administrative\",\"abuse\"]}]}"),
	    AD_OK);
	ASSERT_INT_EQ(ni.nhandles, 1);
	ASSERT_STR_EQ(ni.abuse_handles[0].handle, "BRI2");
	ASSERT_STR_EQ(ni.registry, "registro.br");
	ASSERT_INT_EQ(ni.asn_end, 53170);
	TEST_DONE();

	TEST_START("rdap: hostile emails, mailto:, wrong types");
	ASSERT_INT_EQ(parse(ARIN,
	    "{\"objectClassName\":\"ip network\",\"startAddress\":7,"
	    "\"entities\":[{\"roles\":[\"abuse\"],\"vcardArray\":[\"vcard\",["
	    "[\"email\",{},\"text\",\"abuse@isp-one.net\\r\\nBcc: x@isp-two.net\"],"
	    "[\"email\",{},\"text\",\"a b@isp-one.net\"],"
	    "[\"email\",{},\"text\",\"x@isp-one.net\\u0000y@isp-two.net\"],"
	    "[\"email\",{},\"text\",\"mailto:Abuse@ISP-ONE.net\"],"
	    "[\"email\",{},\"text\",17],[\"email\"],7]]},"
	    "{\"roles\":\"abuse\"},\"junk\",{\"vcardArray\":\"x\"}],"
	    "\"links\":{\"rel\":\"up\"},\"events\":[1]}"), AD_OK);
	ASSERT_INT_EQ(ni.ncontacts, 1);
	ASSERT_TRUE(contacts_safe());
	ASSERT_STR_EQ(best(), "Abuse@isp-one.net");
	ASSERT_INT_EQ(ni.nranges, 0);
	TEST_DONE();
}

static void
test_errors(void)
{
	char *deep;
	size_t i;

	TEST_START("rdap: error objects and rate limits");
	ASSERT_INT_EQ(parse(ARIN, "{\"errorCode\":404,\"title\":\"Not Found\"}"),
	    AD_OK);
	ASSERT_TRUE(ni.flags & AD_NI_NOT_FOUND);
	ASSERT_TRUE(ni.flags & AD_NI_ERROR);
	ASSERT_INT_EQ(parse(ARIN, "{\"errorCode\":429}"), AD_OK);
	ASSERT_TRUE(ni.flags & AD_NI_RATE_LIMITED);
	ASSERT_INT_EQ(parse("https://rdap.lacnic.net/rdap/",
	    "{\"notices\":[{\"title\":\"Rate Limit Notice\",\"description\":"
	    "[\"Rate Limit is maxed at 10 queries per 1 minutes.\"]}]}"), AD_OK);
	ASSERT_TRUE(ni.flags & AD_NI_RATE_LIMITED);
	TEST_DONE();

	TEST_START("rdap: not JSON, not an object, too deep, too big");
	ASSERT_INT_EQ(parse(ARIN, "{\"a\":"), AD_ERR_PARSE);
	ASSERT_INT_EQ(parse(ARIN, "[1,2]"), AD_ERR_PARSE);
	ASSERT_INT_EQ(parse(ARIN, ""), AD_ERR_PARSE);
	deep = malloc(2 * (AD_RDAP_DEPTH_MAX + 1) + 1);
	ASSERT_PTR_NOT_NULL(deep);
	if (deep != NULL) {
		for (i = 0; i <= AD_RDAP_DEPTH_MAX; i++) {
			deep[i] = '[';
			deep[2 * (AD_RDAP_DEPTH_MAX + 1) - 1 - i] = ']';
		}
		deep[2 * (AD_RDAP_DEPTH_MAX + 1)] = '\0';
		ASSERT_INT_EQ(parse(ARIN, deep), AD_ERR_LIMIT);
		free(deep);
	}
	/* Brackets inside strings are not nesting. */
	ASSERT_INT_EQ(parse(ARIN, "{\"name\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}"),
	    AD_OK);
	ASSERT_INT_EQ(ad_rdap_parse("{}", AD_RDAP_INPUT_MAX + 1, ARIN, &ni,
	    NULL), AD_ERR_LIMIT);
	ASSERT_INT_EQ(ad_rdap_parse(NULL, 0, NULL, NULL, NULL), AD_ERR_USAGE);
	TEST_DONE();
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_network();
	test_entities();
	test_errors();
	TESTS_END();
}
