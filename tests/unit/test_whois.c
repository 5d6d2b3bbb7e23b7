/*
 * test_whois.c - ad_whois_parse on small inline answers, one per quirk the
 * recorded answers in ../shared/fixtures show (README-whois-rdap.md):
 * RIPE/APNIC/AFRINIC abuse comments and abuse-mailbox, ARIN resource POC
 * before org POC, ARIN's several network blocks and referrals, registry
 * placeholders and transfer stubs, LACNIC abuse-c handles and abbreviated
 * prefixes, rwhois, KRNIC, JPNIC, TWNIC, rate limits, hostile bytes.
 *
 * Addresses use domains that are not reserved-filler (example.com is
 * junk to the parser, on purpose).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_netinfo.h"
#include "test_helper.h"
#include "test_ni.h"

static int
parse(const char *server, const char *text)
{
	struct ad_diag d;

	return ad_whois_parse(text, strlen(text), server, &ni, &d);
}

static void
test_ripe(void)
{
	TEST_START("whois: RIPE abuse comment beats remarks");
	ASSERT_INT_EQ(parse("whois.ripe.net",
	    "% Information related to '62.239.237.0 - 62.239.237.255'\n"
	    "\n"
	    "% Abuse contact for '62.239.237.0 - 62.239.237.255' is "
	    "'protect@isp-one.net'\n"
	    "\n"
	    "inetnum:        62.239.237.0 - 62.239.237.255\n"
	    "netname:        ONE-CORP\n"
	    "country:        gb\n"
	    "remarks:        Please send abuse notification to cert@isp-one.net\n"
	    "created:        2008-08-14T14:54:30Z\n"
	    "last-modified:  2009-01-01T00:00:00Z\n"
	    "source:         RIPE # Filtered\n"
	    "\n"
	    "role:           One Registry\n"
	    "nic-hdl:        OR1-RIPE\n"
	    "abuse-mailbox:  protect@isp-one.net\n"
	    "\n"
	    "% Information related to '62.239.0.0/16AS2856'\n"
	    "\n"
	    "route:          62.239.0.0/16\n"
	    "origin:         AS2856\n"), AD_OK);
	ASSERT_STR_EQ(best(), "protect@isp-one.net");
	ASSERT_INT_EQ(contact("protect@isp-one.net")->confidence, AD_CONF_HIGH);
	ASSERT_INT_EQ(contact("cert@isp-one.net")->confidence, AD_CONF_LOW);
	ASSERT_STR_EQ(range0(), "62.239.237.0/24");
	ASSERT_STR_EQ(ni.country, "GB");
	ASSERT_STR_EQ(ni.netname, "ONE-CORP");
	ASSERT_STR_EQ(ni.registry, "RIPE NCC");
	ASSERT_STR_EQ(ni.registered, "2008-08-14T14:54:30Z");
	ASSERT_STR_EQ(ni.changed, "2009-01-01T00:00:00Z");
	ASSERT_INT_EQ(ni.referral.kind, AD_REF_NONE);
	ASSERT_INT_EQ(ni.flags, 0);
	TEST_DONE();

	TEST_START("whois: pre-abuse-c RIPE: abuse-mailbox of a role");
	ASSERT_INT_EQ(parse("whois.ripe.net",
	    "inetnum:        128.79.0.0 - 128.79.63.0\n"
	    "netname:        CABLE\n"
	    "tech-c:         NOC1-RIPE\n"
	    "\n"
	    "role:           NOC\n"
	    "abuse-mailbox:  abuse_box@isp-one.fr\n"
	    "nic-hdl:        NOC1-RIPE\n"), AD_OK);
	ASSERT_STR_EQ(best(), "abuse_box@isp-one.fr");
	ASSERT_INT_EQ(ni.nranges, 7);	/* an a-b range that is no prefix */
	TEST_DONE();

	TEST_START("whois: AFRINIC without abuse contact: remarks only, low");
	ASSERT_INT_EQ(parse("whois.afrinic.net",
	    "% No abuse contact registered for 196.11.239.0 - 196.11.246.255\n"
	    "\n"
	    "inetnum:        196.11.239.0 - 196.11.246.255\n"
	    "remarks:        please send abuse reports to abuse@isp-one.co.za\n"
	    "parent:         196.0.0.0 - 196.255.255.255\n"), AD_OK);
	ASSERT_STR_EQ(best(), "abuse@isp-one.co.za");
	ASSERT_INT_EQ(ni.contacts[0].confidence, AD_CONF_LOW);
	ASSERT_STR_EQ(ni.parent, "196.0.0.0 - 196.255.255.255");
	ASSERT_INT_EQ(ni.nranges, 4);
	TEST_DONE();
}

static void
test_arin(void)
{
	TEST_START("whois: ARIN resource abuse POC before the org's");
	ASSERT_INT_EQ(parse("whois.arin.net",
	    "NetRange:       74.125.0.0 - 74.125.255.255\n"
	    "CIDR:           74.125.0.0/16\n"
	    "NetName:        NET-ONE\n"
	    "NetHandle:      NET-74-125-0-0-1\n"
	    "Parent:         NET74 (NET-74-0-0-0-0)\n"
	    "RegDate:        2007-03-13\n"
	    "\n"
	    "OrgName:        One Inc.\n"
	    "Country:        US\n"
	    "\n"
	    "OrgAbuseEmail:  org-abuse@isp-one.net\n"
	    "OrgTechEmail:   tech@isp-one.net\n"
	    "\n"
	    "RAbuseEmail:    net-abuse@isp-one.net\n"), AD_OK);
	ASSERT_STR_EQ(best(), "net-abuse@isp-one.net");
	ASSERT_INT_EQ(contact("org-abuse@isp-one.net")->confidence,
	    AD_CONF_MEDIUM);
	ASSERT_INT_EQ(contact("tech@isp-one.net")->confidence, AD_CONF_LOW);
	ASSERT_STR_EQ(ni.handle, "NET-74-125-0-0-1");
	ASSERT_STR_EQ(ni.parent, "NET74 (NET-74-0-0-0-0)");
	ASSERT_STR_EQ(ni.org, "One Inc.");
	ASSERT_STR_EQ(ni.country, "US");
	ASSERT_STR_EQ(ni.registered, "2007-03-13");
	TEST_DONE();

	TEST_START("whois: ARIN several blocks: the last, most specific wins");
	ASSERT_INT_EQ(parse("whois.arin.net",
	    "NetRange:       69.65.0.0 - 69.65.63.255\n"
	    "NetName:        PARENT\n"
	    "ReferralServer: rwhois://rwhois.parent-one.net:4321\n"
	    "OrgAbuseEmail:  abuse@parent-one.net\n"
	    "\n"
	    "NetRange:       69.65.10.0 - 69.65.10.255\n"
	    "NetName:        CHILD\n"
	    "ReferralServer: rwhois://rwhois.child-one.net:4321/\n"
	    "OrgAbuseEmail:  abuse@child-one.net\n"), AD_OK);
	ASSERT_STR_EQ(ni.netname, "CHILD");
	ASSERT_STR_EQ(best(), "abuse@child-one.net");
	ASSERT_PTR_NULL(contact("abuse@parent-one.net"));
	ASSERT_INT_EQ(ni.referral.kind, AD_REF_RWHOIS);
	ASSERT_STR_EQ(ni.referral.host, "rwhois.child-one.net");
	ASSERT_INT_EQ(ni.referral.port, 4321);
	TEST_DONE();

	TEST_START("whois: a reassignment without POCs inherits, one rank lower");
	ASSERT_INT_EQ(parse("whois.arin.net",
	    "NetRange:       10.0.0.0 - 10.255.255.255\n"
	    "NetName:        ISP\n"
	    "OrgAbuseEmail:  abuse@isp-one.net\n"
	    "\n"
	    "NetRange:       10.1.2.0 - 10.1.2.255\n"
	    "NetName:        SHOP\n"
	    "CustName:       Shop One\n"), AD_OK);
	ASSERT_STR_EQ(ni.netname, "SHOP");
	ASSERT_STR_EQ(ni.org, "Shop One");
	ASSERT_STR_EQ(best(), "abuse@isp-one.net");
	ASSERT_INT_EQ(ad_netinfo_best(&ni)->confidence, AD_CONF_MEDIUM);
	ASSERT_STR_EQ(ad_netinfo_best(&ni)->object,
	    "enclosing 10.0.0.0 - 10.255.255.255");
	ASSERT_STR_EQ(ni.parent, "10.0.0.0 - 10.255.255.255");
	TEST_DONE();

	TEST_START("whois: ARIN ERX stub: placeholder, no data, referral");
	ASSERT_INT_EQ(parse("whois.arin.net",
	    "NetRange:       144.130.0.0 - 144.140.255.255\n"
	    "CIDR:           144.132.0.0/14, 144.136.0.0/14\n"
	    "NetName:        APNIC-ERX-144-130-0-0\n"
	    "NetType:        Early Registrations, Transferred to APNIC\n"
	    "Comment:        For details, refer to the APNIC Whois Database via\n"
	    "Comment:        WHOIS.APNIC.NET\n"
	    "\n"
	    "ReferralServer: whois://whois.apnic.net\n"
	    "\n"
	    "OrgAbuseEmail:  search-apnic-not-arin@apnic.net\n"), AD_OK);
	ASSERT_STR_EQ(best(), "(none)");
	ASSERT_TRUE(ni.contacts[0].placeholder);
	ASSERT_TRUE(ni.flags & AD_NI_PLACEHOLDER);
	ASSERT_TRUE(ni.flags & AD_NI_NO_DATA);
	ASSERT_INT_EQ(ni.referral.kind, AD_REF_WHOIS);
	ASSERT_STR_EQ(ni.referral.host, "whois.apnic.net");
	ASSERT_INT_EQ(ni.referral.port, 0);
	ASSERT_INT_EQ(ni.nranges, 4);
	TEST_DONE();

	TEST_START("whois: ARIN ResourceLink as a bare host, http ones skipped");
	ASSERT_INT_EQ(parse("whois.arin.net",
	    "NetRange:       148.222.252.0 - 148.250.255.255\n"
	    "NetType:        Transferred to LACNIC\n"
	    "ResourceLink:  http://lacnic.net/cgi-bin/lacnic/whois\n"
	    "ResourceLink:  whois.lacnic.net\n"
	    "OrgAbuseEmail:  abuse@lacnic.net\n"), AD_OK);
	ASSERT_STR_EQ(ni.referral.host, "whois.lacnic.net");
	ASSERT_STR_EQ(best(), "(none)");
	TEST_DONE();

	TEST_START("whois: ARIN autnum range");
	ASSERT_INT_EQ(parse("whois.arin.net",
	    "ASNumber:       701 - 705\n"
	    "ASName:         UUNET\n"
	    "OrgAbuseEmail:  abuse@isp-one.net\n"), AD_OK);
	ASSERT_INT_EQ(ni.asn_start, 701);
	ASSERT_INT_EQ(ni.asn_end, 705);
	ASSERT_STR_EQ(ni.netname, "UUNET");
	ASSERT_STR_EQ(ni.object_class, "autnum");
	TEST_DONE();
}

static void
test_lacnic(void)
{
	TEST_START("whois: LACNIC abuse-c resolved in the answer, CRLF");
	ASSERT_INT_EQ(parse("whois.lacnic.net",
	    "\r\n% Joint Whois - whois.lacnic.net\r\n"
	    "% LACNIC resource: whois.lacnic.net\r\n\r\n"
	    "inetnum:     200.57.128/19\r\n"
	    "aut-num:     N/A\r\n"
	    "owner:       Triara\r\n"
	    "ownerid:     MX-TSCV6-LACNIC\r\n"
	    "country:     MX\r\n"
	    "owner-c:     RYT2\r\n"
	    "abuse-c:     RYT2\r\n"
	    "created:     20001204\r\n"
	    "changed:     20140716\r\n\r\n"
	    "nic-hdl:     RYT2\r\n"
	    "person:      Someone\r\n"
	    "e-mail:      operacion.redes@ISP-ONE.COM\r\n"), AD_OK);
	ASSERT_STR_EQ(best(), "operacion.redes@isp-one.com");
	ASSERT_INT_EQ(ad_netinfo_best(&ni)->confidence, AD_CONF_MEDIUM);
	ASSERT_STR_EQ(range0(), "200.57.128.0/19");
	ASSERT_STR_EQ(ni.netname, "MX-TSCV6-LACNIC");
	ASSERT_STR_EQ(ni.org, "Triara");
	ASSERT_STR_EQ(ni.changed, "20140716");
	ASSERT_INT_EQ(ni.referral.kind, AD_REF_NONE);
	TEST_DONE();

	TEST_START("whois: unresolved abuse-c is left for the chain");
	ASSERT_INT_EQ(parse("whois.lacnic.net",
	    "% Brazilian resource: whois.registro.br\n\n"
	    "inetnum:     177.0.0.0/14\n"
	    "abuse-c:     XYZ12\n"), AD_OK);
	ASSERT_INT_EQ(ni.nhandles, 1);
	ASSERT_STR_EQ(ni.abuse_handles[0].handle, "XYZ12");
	ASSERT_STR_EQ(ni.abuse_handles[0].object, "abuse-c");
	/* LACNIC's joint whois names registro.br: the chain asks there. */
	ASSERT_STR_EQ(ni.referral.host, "whois.registro.br");
	TEST_DONE();

	TEST_START("whois: zero-padded and abbreviated prefixes, \\r\\r\\n");
	ASSERT_INT_EQ(parse("whois.lacnic.net",
	    "inetnum:     010.0.0/8\r\r\n"), AD_OK);
	ASSERT_STR_EQ(range0(), "10.0.0.0/8");
	ASSERT_INT_EQ(parse("whois.lacnic.net", "inetnum:     192.168/16\r\r\n"),
	    AD_OK);
	ASSERT_STR_EQ(range0(), "192.168.0.0/16");
	ASSERT_INT_EQ(parse(NULL, "inetnum: 2001:43f8:07b0::/48\n"), AD_OK);
	ASSERT_STR_EQ(range0(), "2001:43f8:7b0::/48");
	ASSERT_INT_EQ(parse(NULL, "inetnum: 192.168/24\n"), AD_OK);
	ASSERT_INT_EQ(ni.nranges, 0);	/* /24 names octets not given */
	ASSERT_INT_EQ(parse(NULL, "inetnum: 10.0.0.9 - 10.0.0.1\n"), AD_OK);
	ASSERT_INT_EQ(ni.nranges, 0);
	TEST_DONE();
}

static void
test_nir(void)
{
	TEST_START("whois: APNIC -> KRNIC: NIR catch-all and referral");
	ASSERT_INT_EQ(parse("whois.apnic.net",
	    "% Information related to '210.107.0.0 - 210.107.127.255'\n\n"
	    "inetnum:        210.107.0.0 - 210.107.127.255\n"
	    "netname:        BORANET\n"
	    "country:        KR\n"
	    "mnt-irt:        IRT-KRNIC-KR\n"
	    "source:         APNIC\n\n"
	    "irt:            IRT-KRNIC-KR\n"
	    "e-mail:         hostmaster@nic.or.kr\n"
	    "abuse-mailbox:  hostmaster@nic.or.kr\n\n"
	    "% Information related to '210.106.224.0 - 210.107.127.255'\n\n"
	    "inetnum:        210.106.224.0 - 210.107.127.255\n"
	    "remarks:        please use the KRNIC whois server at "
	    "whois.krnic.net.\n"
	    "source:         KRNIC\n"), AD_OK);
	ASSERT_STR_EQ(range0(), "210.107.0.0/17");
	ASSERT_STR_EQ(best(), "(none)");
	ASSERT_TRUE(contact("hostmaster@nic.or.kr")->placeholder);
	ASSERT_STR_EQ(ni.referral.host, "whois.krnic.net");
	TEST_DONE();

	TEST_START("whois: APNIC -> JPNIC and TWNIC referrals");
	ASSERT_INT_EQ(parse("whois.apnic.net",
	    "inetnum:        133.0.0.0 - 133.255.255.255\n"
	    "netname:        JPNIC-NET-JP\n"
	    "source:         JPNIC\n"), AD_OK);
	ASSERT_STR_EQ(ni.referral.host, "whois.nic.ad.jp");
	ASSERT_INT_EQ(parse("whois.apnic.net",
	    "inetnum:        114.32.0.0 - 114.47.255.255\n"
	    "mnt-by:         MAINT-TW-TWNIC\n"), AD_OK);
	ASSERT_STR_EQ(ni.referral.host, "whois.twnic.net");
	/* The ISP's own abuse desk in APNIC's answer: no need to ask. */
	ASSERT_INT_EQ(parse("whois.apnic.net",
	    "inetnum:        114.32.0.0 - 114.47.255.255\n"
	    "mnt-by:         MAINT-TW-TWNIC\n"
	    "mnt-irt:        IRT-ISP-TW\n\n"
	    "irt:            IRT-ISP-TW\n"
	    "abuse-mailbox:  abuse@isp-one.tw\n"), AD_OK);
	ASSERT_STR_EQ(best(), "abuse@isp-one.tw");
	ASSERT_INT_EQ(ni.referral.kind, AD_REF_NONE);
	TEST_DONE();

	TEST_START("whois: KRNIC: Korean block, customer without name, junk");
	ASSERT_INT_EQ(parse("whois.krnic.net",
	    "query : 61.255.108.136\n\n"
	    "\xc1\xb6\xc8\xb8 IPv4 : 61.254.160.0 - 61.255.255.255\n\n"
	    "[ Network Information ]\n"
	    "IPv4 Address       : 61.254.160.0 - 61.255.255.255 (/16+/18+/19)\n"
	    "Service Name       : broadNnet\n\n"
	    "Name               : IP Manager\n"
	    "E-Mail             : ip-adm@isp-one.com\n\n"
	    "More specific assignment information is as follows.\n\n"
	    "[ Network Information ]\n"
	    "IPv4 Address       : 61.255.108.0 - 61.255.108.255 (/24)\n"
	    "Organization Name  : Some Customer\n"
	    "Network Type       : CUSTOMER\n\n"
	    "E-Mail             : bbb@aaa.com\n"), AD_OK);
	ASSERT_STR_EQ(range0(), "61.255.108.0/24");
	ASSERT_STR_EQ(ni.netname, "broadNnet");
	ASSERT_STR_EQ(ni.country, "KR");
	ASSERT_STR_EQ(ni.org, "Some Customer");
	ASSERT_PTR_NULL(contact("bbb@aaa.com"));
	ASSERT_STR_EQ(best(), "ip-adm@isp-one.com");
	ASSERT_INT_EQ(ad_netinfo_best(&ni)->confidence, AD_CONF_LOW);
	TEST_DONE();

	TEST_START("whois: JPNIC (web gateway HTML, Shift_JIS bytes)");
	ASSERT_INT_EQ(parse("whois.nic.ad.jp",
	    "\n<HTML><HEAD><META charset=Shift_JIS></HEAD><BODY><PRE>\n"
	    "a. [Network Number]     <A HREF=\"x?k=1\">133.1.0.0/16</A>\n"
	    "b. [Network Name]       OSAKAU-NET\n"
	    "g. [Organization]       \x91\xe5\x8d\xe3 &amp; Co\n"
	    "[Last Update]           2015/01/14 11:50:03(JST)\n"
	    "</PRE></BODY></HTML>\n"), AD_OK);
	ASSERT_STR_EQ(range0(), "133.1.0.0/16");
	ASSERT_STR_EQ(ni.netname, "OSAKAU-NET");
	ASSERT_STR_EQ(ni.country, "JP");
	ASSERT_STR_EQ(ni.changed, "2015/01/14 11:50:03(JST)");
	ASSERT_TRUE(strstr(ni.org, "& Co") != NULL);
	TEST_DONE();

	TEST_START("whois: TWNIC indented contacts, low");
	ASSERT_INT_EQ(parse("whois.twnic.net",
	    "\n   Netname: HINET-NET\n   Netblock: 114.45.0.0/16\n\n"
	    "   Administrator contact:\n      network-adm@isp-one.net\n"),
	    AD_OK);
	ASSERT_STR_EQ(ni.netname, "HINET-NET");
	ASSERT_STR_EQ(ni.country, "TW");
	ASSERT_STR_EQ(best(), "network-adm@isp-one.net");
	ASSERT_INT_EQ(ad_netinfo_best(&ni)->confidence, AD_CONF_LOW);
	TEST_DONE();
}

static void
test_rwhois(void)
{
	TEST_START("whois: rwhois Abuse-Contact as handle and as email");
	ASSERT_INT_EQ(parse("rwhois.isp-one.net:4321",
	    "%rwhois V-1.5:003eff:00 rwhois.isp-one.net\n"
	    "network:Class-Name:network\n"
	    "network:ID:ORG-1.184-154-139-0/26\n"
	    "network:IP-Network:184.154.139.0/26\n"
	    "network:Organization:Shop One\n"
	    "network:Country-Code:US\n"
	    "network:Abuse-Contact;I:ABUSE2492-ARIN\n"
	    "network:Updated-By:hostmaster@isp-one.net\n\n"
	    "%referral rwhois://root.rwhois.net:4321/auth-area=.\n%ok\n"),
	    AD_OK);
	ASSERT_STR_EQ(range0(), "184.154.139.0/26");
	ASSERT_STR_EQ(ni.org, "Shop One");
	ASSERT_STR_EQ(ni.country, "US");
	ASSERT_INT_EQ(ni.nhandles, 1);
	ASSERT_STR_EQ(ni.abuse_handles[0].handle, "ABUSE2492-ARIN");
	ASSERT_INT_EQ(ad_netinfo_best(&ni)->confidence, AD_CONF_LOW);
	/* An upward referral beside data is not followed. */
	ASSERT_INT_EQ(ni.referral.kind, AD_REF_NONE);
	ASSERT_INT_EQ(parse("rwhois.isp-one.net:4321",
	    "%rwhois V-1.5\nnetwork:IP-Network:10.0.0.0/8\n"
	    "network:Abuse-Contact:abuse@isp-one.net\n"), AD_OK);
	ASSERT_STR_EQ(best(), "abuse@isp-one.net");
	ASSERT_INT_EQ(ad_netinfo_best(&ni)->confidence, AD_CONF_HIGH);
	/* The handle's contact object in the same answer. */
	ASSERT_INT_EQ(parse("rwhois.isp-one.net:4321",
	    "%rwhois V-1.5\nnetwork:IP-Network:10.0.0.0/8\n"
	    "network:Abuse-Contact;I:AB-1\n\n"
	    "contact:Class-Name:contact\ncontact:ID:AB-1\n"
	    "contact:Email:noc@isp-one.net\n"), AD_OK);
	ASSERT_STR_EQ(best(), "noc@isp-one.net");
	ASSERT_INT_EQ(ad_netinfo_best(&ni)->confidence, AD_CONF_MEDIUM);
	ASSERT_INT_EQ(ni.nhandles, 0);
	TEST_DONE();
}

static void
test_status(void)
{
	TEST_START("whois: rate limits (RIPE %ERROR:201, notices)");
	ASSERT_INT_EQ(parse("whois.ripe.net",
	    "%ERROR:201: access denied for 192.0.2.1\n%\n"
	    "% Sorry, access from your host has been permanently\n"
	    "% denied because of a repeated excessive querying.\n"), AD_OK);
	ASSERT_TRUE(ni.flags & AD_NI_RATE_LIMITED);
	ASSERT_TRUE(ni.flags & AD_NI_ERROR);
	ASSERT_INT_EQ(parse("whois.lacnic.net",
	    "% Query rate limit exceeded. Please try again later.\n"), AD_OK);
	ASSERT_TRUE(ni.flags & AD_NI_RATE_LIMITED);
	ASSERT_INT_EQ(parse("whois.arin.net",
	    "# Query terminated: you have exceeded the query limit\n"), AD_OK);
	ASSERT_TRUE(ni.flags & AD_NI_RATE_LIMITED);
	/* Policy text beside data is no throttling. */
	ASSERT_INT_EQ(parse("whois.lacnic.net",
	    "% rate limits apply to this service\n\ninetnum: 10.0.0.0/8\n"),
	    AD_OK);
	ASSERT_FALSE(ni.flags & AD_NI_RATE_LIMITED);
	TEST_DONE();

	TEST_START("whois: not found, not managed here, empty");
	ASSERT_INT_EQ(parse("whois.ripe.net",
	    "%ERROR:101: no entries found\n"), AD_OK);
	ASSERT_TRUE(ni.flags & AD_NI_NOT_FOUND);
	ASSERT_INT_EQ(parse("whois.apnic.net",
	    "% This network range is not allocated to APNIC.\n\n"
	    "inetnum:        0.0.0.0 - 255.255.255.255\n"
	    "netname:        IANA-BLOCK\n"), AD_OK);
	ASSERT_TRUE(ni.flags & AD_NI_NO_DATA);
	/* RIPE's stub names every RIR: no single referral. */
	ASSERT_INT_EQ(parse("whois.ripe.net",
	    "% Information related to '6.0.0.0 - 13.115.255.255'\n\n"
	    "% No abuse contact registered for 6.0.0.0 - 13.115.255.255\n\n"
	    "inetnum:        6.0.0.0 - 13.115.255.255\n"
	    "netname:        NON-RIPE-NCC-MANAGED-ADDRESS-BLOCK\n"
	    "descr:          IPv4 address block not managed by the RIPE NCC\n"
	    "remarks:        AFRINIC (Africa)\n"
	    "remarks:        http://www.afrinic.net/ whois.afrinic.net\n"
	    "remarks:        APNIC (Asia Pacific)\n"
	    "remarks:        http://www.apnic.net/ whois.apnic.net\n"), AD_OK);
	ASSERT_TRUE(ni.flags & AD_NI_NO_DATA);
	ASSERT_INT_EQ(ni.referral.kind, AD_REF_NONE);
	ASSERT_INT_EQ(parse("whois.apnic.net",
	    "inetnum:        8.0.0.0 - 8.255.255.255\n"
	    "netname:        IANA-NETBLOCK-8\n"
	    "descr:          This network range is not allocated to APNIC.\n"
	    "descr:          Please search the other RIRs at whois.arin.net\n"
	    "descr:          or whois.ripe.net for more information.\n"), AD_OK);
	ASSERT_TRUE(ni.flags & AD_NI_NO_DATA);
	ASSERT_INT_EQ(ni.referral.kind, AD_REF_NONE);
	ASSERT_INT_EQ(parse("whois.apnic.net",
	    "inetnum:        144.130.0.0 - 144.140.255.255\n"
	    "netname:        ERX-NETBLOCK\n"
	    "descr:          Early registration addresses\n"
	    "remarks:        transferred from ARIN, see whois.arin.net\n"), AD_OK);
	ASSERT_TRUE(ni.flags & AD_NI_NO_DATA);
	ASSERT_STR_EQ(ni.referral.host, "whois.arin.net");
	ASSERT_INT_EQ(parse("whois.ripe.net", ""), AD_OK);
	ASSERT_TRUE(ni.flags & AD_NI_NOT_FOUND);
	ASSERT_INT_EQ(ad_whois_parse(NULL, 1, NULL, &ni, NULL), AD_ERR_USAGE);
	TEST_DONE();
}

static void
test_hostile(void)
{
	char big[4096], *huge;
	size_t i;

	TEST_START("whois: header injection never reaches a contact");
	ASSERT_INT_EQ(parse("whois.ripe.net",
	    "% Abuse contact for '192.0.2.0 - 192.0.2.255' is "
	    "'abuse@isp-one.net\r\nBcc: victim@isp-two.net'\n"
	    "inetnum:        192.0.2.0 - 192.0.2.255\n"
	    "abuse-mailbox:  abuse@isp-one.net\rBcc: evil@isp-two.net\n"
	    "abuse-mailbox:  x@isp-one.net\x00y@isp-two.net\n"
	    "abuse-mailbox:  abuse @isp-one.net\n"
	    "abuse-mailbox:  \"q\"@isp-one.net\n"
	    "OrgAbuseEmail:  a@b\n"
	    "remarks:        <abuse@isp-one.net>, not abuse@@isp-one.net\n"),
	    AD_OK);
	ASSERT_TRUE(contacts_safe());
	ASSERT_PTR_NULL(contact("evil@isp-two.net"));
	ASSERT_PTR_NULL(contact("y@isp-two.net"));
	ASSERT_TRUE(ni.flags & AD_NI_HOSTILE);
	ASSERT_STR_EQ(best(), "abuse@isp-one.net");
	TEST_DONE();

	TEST_START("whois: duplicated objects give one contact");
	ASSERT_INT_EQ(parse("whois.ripe.net",
	    "inetnum: 192.0.2.0 - 192.0.2.255\nabuse-c: AB1\n\n"
	    "role: R\nnic-hdl: AB1\nabuse-mailbox: abuse@isp-one.net\n\n"
	    "role: R\nnic-hdl: AB1\nabuse-mailbox: ABUSE@ISP-ONE.NET\n\n"
	    "role: R\nnic-hdl: AB1\nabuse-mailbox: abuse@isp-one.net\n"),
	    AD_OK);
	ASSERT_INT_EQ(ni.ncontacts, 1);
	ASSERT_INT_EQ(ni.contacts[0].confidence, AD_CONF_HIGH);
	TEST_DONE();

	TEST_START("whois: caps hold on long values and many addresses");
	memcpy(big, "inetnum: 10.0.0.0/8\nnetname: ", 29);
	for (i = 29; i < sizeof(big) - 200; i++)
		big[i] = 'N';
	big[i] = '\0';
	snprintf(big + i, sizeof(big) - i, "%s",
	    "\nremarks: a1@x1.net a2@x2.net a3@x3.net a4@x4.net "
	    "a5@x5.net a6@x6.net a7@x7.net a8@x8.net a9@x9.net\n");
	ASSERT_INT_EQ(parse(NULL, big), AD_OK);
	ASSERT_INT_EQ(strlen(ni.netname), AD_NI_NAME_MAX - 1);
	ASSERT_INT_EQ(ni.ncontacts, AD_NI_CONTACTS_MAX);
	ASSERT_TRUE(ni.flags & AD_NI_TRUNCATED);
	TEST_DONE();

	TEST_START("whois: an answer over AD_WHOIS_INPUT_MAX is cut, not refused");
	huge = malloc(AD_WHOIS_INPUT_MAX + 4096);
	ASSERT_PTR_NOT_NULL(huge);
	if (huge != NULL) {
		const char head[] = "inetnum: 10.0.0.0/8\nabuse-mailbox: "
		    "abuse@isp-one.net\nremarks: ";

		memcpy(huge, head, sizeof(head) - 1);
		memset(huge + sizeof(head) - 1, 'x',
		    AD_WHOIS_INPUT_MAX + 4096 - sizeof(head) + 1);
		ASSERT_INT_EQ(ad_whois_parse(huge, AD_WHOIS_INPUT_MAX + 4096,
		    NULL, &ni, NULL), AD_OK);
		ASSERT_TRUE(ni.flags & AD_NI_TRUNCATED);
		ASSERT_STR_EQ(best(), "abuse@isp-one.net");
		free(huge);
	}
	TEST_DONE();
}

static void
test_registro(void)
{
	TEST_START("whois: registro.br nic-hdl-br and ARIN RDAP ResourceLink");
	ASSERT_INT_EQ(parse("whois.registro.br",
	    "inetnum:     177.8.0.0/20\n"
	    "owner:       Provedor Um\n"
	    "abuse-c:     ABC12\n"
	    "country:     BR\n\n"
	    "nic-hdl-br:  ABC12\n"
	    "person:      Fulano\n"
	    "e-mail:      abuse@provedor-um.com.br\n"), AD_OK);
	ASSERT_STR_EQ(best(), "abuse@provedor-um.com.br");
	ASSERT_INT_EQ(ad_netinfo_best(&ni)->confidence, AD_CONF_MEDIUM);
	ASSERT_STR_EQ(ni.registry, "registro.br");
	ASSERT_INT_EQ(parse("whois.arin.net",
	    "NetRange:  177.0.0.0 - 177.255.255.255\n"
	    "NetType:   Allocated to LACNIC\n"
	    "ResourceLink:  https://rdap.lacnic.net/rdap/\n"), AD_OK);
	ASSERT_INT_EQ(ni.referral.kind, AD_REF_RDAP);
	ASSERT_STR_EQ(ni.referral.url, "https://rdap.lacnic.net/rdap/");
	ASSERT_TRUE(ni.flags & AD_NI_NO_DATA);
	ASSERT_INT_EQ(parse("whois.arin.net",
	    "NetRange:  18.0.0.0 - 18.255.255.255\n"
	    "NetType:   Early Registrations, Maintained by ARIN\n"
	    "OrgAbuseEmail: abuse@isp-one.net\n"), AD_OK);
	ASSERT_FALSE(ni.flags & AD_NI_NO_DATA);
	TEST_DONE();
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_ripe();
	test_arin();
	test_lacnic();
	test_nir();
	test_rwhois();
	test_status();
	test_hostile();
	test_registro();
	TESTS_END();
}
