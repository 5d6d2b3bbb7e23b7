/*
 * test_registry.c - ad_registry.h: the TSV and IANA bootstrap loaders,
 * longest-prefix and narrowest-AS-range matching, user tables winning over
 * shipped ones, and the refresh writer's round trip; ad_fetch.h's
 * --connect-to rule syntax; ad_lookup.h's answer JSON round trip.
 */
#include <string.h>

#include "abusedesk/ad_fetch.h"
#include "abusedesk/ad_lookup.h"
#include "abusedesk/ad_registry.h"
#include "test_helper.h"

static const char *
find(struct ad_registry *r, enum ad_registry_kind k, const char *addr)
{
	const char *t[AD_REGISTRY_TARGETS_MAX];
	struct ad_addr a;
	size_t n = 0;

	if (!ad_addr_parse(addr, strlen(addr), &a))
		return "(bad address)";
	if (ad_registry_find(r, k, &a, t, AD_REGISTRY_TARGETS_MAX, &n) != 1)
		return "(none)";
	return t[0];
}

static const char *
find_as(struct ad_registry *r, enum ad_registry_kind k, uint32_t asn)
{
	const char *t[AD_REGISTRY_TARGETS_MAX];
	size_t n = 0;

	if (ad_registry_find_asn(r, k, asn, t, AD_REGISTRY_TARGETS_MAX, &n) != 1)
		return "(none)";
	return t[0];
}

static const char tsv[] =
    "# comment\n"
    "0.0.0.0/1\twhois.arin.net\n"
    "1.0.0.0/8\twhois.apnic.net\n"
    "1.2.0.0/16   whois.nic.or.kr   # carve-out\n"
    "\n"
    "2001:200::/23\twhois.apnic.net\n"
    "AS1-AS1000\twhois.arin.net\n"
    "AS100-AS200\twhois.ripe.net\n"
    "AS300\trwhois://rw.example.net:4321\n";

static const char boot4[] =
    "{\"version\":\"1.0\",\"services\":[[[\"1.0.0.0/8\",\"27.0.0.0/8\"],"
    "[\"http://rdap.apnic.net/\",\"https://rdap.apnic.net/\"]]]}";
static const char boot_as[] =
    "{\"services\":[[[\"1-1876\",\"1902-2042\"],"
    "[\"https://rdap.arin.net/registry/\"]]]}";

int
main(void)
{
	struct ad_registry *r = NULL;
	struct ad_diag d = { 0 };

	TEST_START("tsv: longest prefix wins, comments and blanks");
	ASSERT_INT_EQ(ad_registry_new(&r), AD_OK);
	ASSERT_INT_EQ(ad_registry_load_tsv(r, AD_REG_WHOIS, AD_REG_SHIPPED,
	    tsv, strlen(tsv), "t", &d), AD_OK);
	ASSERT_STR_EQ(find(r, AD_REG_WHOIS, "1.2.3.4"), "whois.nic.or.kr");
	ASSERT_STR_EQ(find(r, AD_REG_WHOIS, "1.3.3.4"), "whois.apnic.net");
	ASSERT_STR_EQ(find(r, AD_REG_WHOIS, "8.8.8.8"), "whois.arin.net");
	ASSERT_STR_EQ(find(r, AD_REG_WHOIS, "200.1.1.1"), "(none)");
	ASSERT_STR_EQ(find(r, AD_REG_WHOIS, "2001:200::1"), "whois.apnic.net");
	ASSERT_STR_EQ(find(r, AD_REG_RDAP, "1.2.3.4"), "(none)");
	TEST_DONE();

	TEST_START("tsv: narrowest AS range wins");
	ASSERT_STR_EQ(find_as(r, AD_REG_WHOIS, 150), "whois.ripe.net");
	ASSERT_STR_EQ(find_as(r, AD_REG_WHOIS, 50), "whois.arin.net");
	ASSERT_STR_EQ(find_as(r, AD_REG_WHOIS, 300),
	    "rwhois://rw.example.net:4321");
	ASSERT_STR_EQ(find_as(r, AD_REG_WHOIS, 5000), "(none)");
	TEST_DONE();

	TEST_START("user table wins over a more specific shipped entry");
	ASSERT_INT_EQ(ad_registry_load_tsv(r, AD_REG_WHOIS, AD_REG_USER,
	    "0.0.0.0/0 whois.example.net:4343\n", 33, "u", &d), AD_OK);
	ASSERT_STR_EQ(find(r, AD_REG_WHOIS, "1.2.3.4"), "whois.example.net:4343");
	TEST_DONE();

	TEST_START("tsv errors name the line");
	ASSERT_INT_EQ(ad_registry_load_tsv(r, AD_REG_WHOIS, AD_REG_USER,
	    "1.0.0.0/8 a\nnonsense b\n", 23, "bad", &d), AD_ERR_PARSE);
	ASSERT_INT_EQ(d.line, 2);
	ASSERT_INT_EQ(ad_registry_load_tsv(r, AD_REG_WHOIS, AD_REG_USER,
	    "1.0.0.0/8\n", 10, "bad", &d), AD_ERR_PARSE);
	ASSERT_INT_EQ(ad_registry_load_tsv(r, AD_REG_WHOIS, AD_REG_USER,
	    "1.0.0.0/33 x\n", 13, "bad", &d), AD_ERR_PARSE);
	TEST_DONE();

	TEST_START("bootstrap: https kept, IPv4 and ASN by content");
	ASSERT_INT_EQ(ad_registry_load_bootstrap(r, AD_REG_USER, boot4,
	    strlen(boot4), "b4", &d), AD_OK);
	ASSERT_INT_EQ(ad_registry_load_bootstrap(r, AD_REG_USER, boot_as,
	    strlen(boot_as), "bas", &d), AD_OK);
	ASSERT_STR_EQ(find(r, AD_REG_RDAP, "27.1.1.1"), "https://rdap.apnic.net/");
	ASSERT_STR_EQ(find_as(r, AD_REG_RDAP, 2000),
	    "https://rdap.arin.net/registry/");
	ASSERT_STR_EQ(find_as(r, AD_REG_RDAP, 1880), "(none)");
	ASSERT_INT_EQ(ad_registry_load_bootstrap(r, AD_REG_USER, "[1]", 3,
	    "x", &d), AD_ERR_PARSE);
	ASSERT_INT_EQ(ad_registry_load_bootstrap(r, AD_REG_USER, "{", 1,
	    "x", &d), AD_ERR_PARSE);
	ad_registry_free(r);
	TEST_DONE();

	TEST_START("shipped tables: carve-outs, recovered space, IPv6, ASN");
	ASSERT_INT_EQ(ad_registry_new(&r), AD_OK);
	ASSERT_INT_EQ(ad_registry_load_shipped(r, NULL, &d), AD_OK);
	ASSERT_STR_EQ(find(r, AD_REG_WHOIS, "210.107.73.73"), "whois.nic.or.kr");
	ASSERT_STR_EQ(find(r, AD_REG_WHOIS, "133.1.2.5"), "whois.nic.ad.jp");
	ASSERT_STR_EQ(find(r, AD_REG_WHOIS, "45.65.70.1"), "whois.ripe.net");
	ASSERT_STR_EQ(find(r, AD_REG_RDAP, "62.239.237.1"),
	    "https://rdap.db.ripe.net/");
	ASSERT_STR_EQ(find(r, AD_REG_RDAP, "2001:4860::1"),
	    "https://rdap.arin.net/registry/");
	ASSERT_STR_EQ(find_as(r, AD_REG_RDAP, 13335),
	    "https://rdap.arin.net/registry/");
	ASSERT_STR_EQ(find_as(r, AD_REG_WHOIS, 2515), "whois.nic.ad.jp");
	ad_registry_free(r);
	TEST_DONE();

	TEST_START("refresh writer: bootstrap to TSV and back");
	{
		const char *js[2] = { boot4, boot_as };
		size_t ls[2] = { strlen(boot4), strlen(boot_as) };
		char *out = NULL;

		ASSERT_INT_EQ(ad_registry_bootstrap_to_tsv(js, ls, 2, "test",
		    "2026-01-01", &out, &d), AD_OK);
		ASSERT_TRUE(out && strstr(out, "27.0.0.0/8\thttps://rdap.apnic.net/\n"));
		ASSERT_TRUE(out && strstr(out, "AS1902-AS2042\thttps://rdap.arin.net/registry/\n"));
		ASSERT_TRUE(out && !strstr(out, "http://"));
		ASSERT_INT_EQ(ad_registry_new(&r), AD_OK);
		ASSERT_INT_EQ(ad_registry_load_tsv(r, AD_REG_RDAP, AD_REG_SHIPPED,
		    out, strlen(out), "rt", &d), AD_OK);
		ASSERT_STR_EQ(find(r, AD_REG_RDAP, "1.1.1.1"), "https://rdap.apnic.net/");
		ad_registry_free(r);
		ad_free(out);
	}
	TEST_DONE();

	TEST_START("registry names from servers and URLs");
	ASSERT_STR_EQ(ad_registry_name("whois.nic.or.kr"), "KRNIC");
	ASSERT_STR_EQ(ad_registry_name("https://rdap.db.ripe.net/"), "RIPE NCC");
	ASSERT_STR_EQ(ad_registry_name("jpnic.rdap.apnic.net"), "JPNIC");
	ASSERT_STR_EQ(ad_registry_name("rwhois.example.net"), "");
	TEST_DONE();

	TEST_START("--connect-to rules");
	ASSERT_INT_EQ(ad_fetch_connect_to_check("whois.ripe.net:43:127.0.0.1:4343", &d), AD_OK);
	ASSERT_INT_EQ(ad_fetch_connect_to_check("::127.0.0.1:9", &d), AD_OK);
	ASSERT_INT_EQ(ad_fetch_connect_to_check("[::1]:443:[::1]:8443", &d), AD_OK);
	ASSERT_INT_EQ(ad_fetch_connect_to_check(":443::", &d), AD_OK);
	ASSERT_INT_EQ(ad_fetch_connect_to_check("a:b:c:d", &d), AD_ERR_USAGE);
	ASSERT_INT_EQ(ad_fetch_connect_to_check("a:43:b", &d), AD_ERR_USAGE);
	ASSERT_INT_EQ(ad_fetch_connect_to_check("a:70000:b:1", &d), AD_ERR_USAGE);
	ASSERT_INT_EQ(ad_fetch_connect_to_check("a:1:b:1:extra", &d), AD_ERR_USAGE);
	TEST_DONE();

	TEST_START("whois refuses CR/LF in a query");
	{
		struct ad_fetch_result res;
		struct ad_ctx ctx;

		ad_ctx_init(&ctx);
		ASSERT_INT_EQ(ad_fetch_whois(&ctx, NULL, "127.0.0.1", 9, false,
		    "1.2.3.4\r\nsecond", ad_fetch_now_ms() + 1000, &res),
		    AD_ERR_USAGE);
		ad_fetch_result_free(&res);
	}
	TEST_DONE();

	TEST_START("answer JSON round trip; invalid mailboxes dropped on read");
	{
		struct ad_lookup_answer a, b;
		struct ad_buf buf;

		memset(&a, 0, sizeof(a));
		strcpy(a.query, "192.0.2.1");
		strcpy(a.abuse[0], "abuse@example.net");
		a.n_abuse = 1;
		a.confidence = AD_CONF_HIGH;
		strcpy(a.ranges[0], "192.0.2.0/24");
		a.n_ranges = 1;
		strcpy(a.country, "NL");
		strcpy(a.protocol, "rdap");
		strcpy(a.server, "https://rdap.db.ripe.net/");
		strcpy(a.parent_abuse[0], "noc@upstream.example");
		a.n_parent_abuse = 1;
		ad_buf_init(&buf, 65536);
		ASSERT_INT_EQ(ad_lookup_answer_json(&buf, &a), AD_OK);
		ASSERT_INT_EQ(ad_lookup_answer_from_json(buf.p, buf.len, &b), AD_OK);
		ASSERT_STR_EQ(b.abuse[0], "abuse@example.net");
		ASSERT_INT_EQ(b.confidence, AD_CONF_HIGH);
		ASSERT_STR_EQ(b.ranges[0], "192.0.2.0/24");
		ASSERT_STR_EQ(b.server, "https://rdap.db.ripe.net/");
		ASSERT_STR_EQ(b.parent_abuse[0], "noc@upstream.example");
		ad_buf_free(&buf);
		{
		static const char inj[] =
		    "{\"abuse\":[\"a@b.example\\r\\nBcc: x@y.example\"]}";

		ASSERT_INT_EQ(ad_lookup_answer_from_json(inj, strlen(inj),
		    &b), AD_OK);
	}
		ASSERT_INT_EQ(b.n_abuse, 0);
		ASSERT_INT_EQ(ad_lookup_answer_from_json("[", 1, &b),
		    AD_ERR_PARSE);
	}
	TEST_DONE();
	TESTS_END();
}
