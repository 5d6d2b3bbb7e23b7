/*
 * test_ip.c - ad_ip.h: scanning and parsing addresses out of log text,
 * canonical formatting, CIDR ranges and special-purpose classification.
 *
 * Expected bytes and strings are worked out from the RFCs (791, 4291,
 * 5952, 6890 and the IANA special-purpose registries), not taken from the
 * program's output.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "abusedesk/ad_ip.h"
#include "test_helper.h"

static size_t
scan(const char *s, struct ad_addr *a)
{
	return ad_addr_scan(s, s + strlen(s), a);
}

static bool
parse(const char *s, struct ad_addr *a)
{
	return ad_addr_parse(s, strlen(s), a);
}

/* Formats the parse of s; "(bad)" if s does not parse. */
static const char *
canon(const char *s, char buf[AD_ADDR_STRLEN])
{
	struct ad_addr a;

	if (!parse(s, &a))
		return "(bad)";
	return ad_addr_format(&a, buf);
}

static bool
bytes_eq(const struct ad_addr *a, const uint8_t want[16])
{
	return memcmp(a->b, want, 16) == 0;
}

static void
test_ipv4(void)
{
	struct ad_addr a;
	static const uint8_t v4[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1
	};
	static const uint8_t padded[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 30, 0, 6
	};

	TEST_START("ipv4 dotted quad stored IPv4-mapped");
	ASSERT_INT_EQ(scan("192.0.2.1", &a), 9);
	ASSERT_INT_EQ(a.af, 4);
	ASSERT_TRUE(bytes_eq(&a, v4));
	ASSERT_TRUE(parse("0.0.0.0", &a));
	ASSERT_INT_EQ(a.af, 4);
	ASSERT_TRUE(parse("255.255.255.255", &a));
	ASSERT_INT_EQ(a.b[12], 255);
	ASSERT_INT_EQ(a.b[15], 255);
	TEST_DONE();

	TEST_START("ipv4 zero-padded octets are decimal");
	ASSERT_TRUE(parse("192.030.0.6", &a));
	ASSERT_INT_EQ(a.af, 4);
	ASSERT_TRUE(bytes_eq(&a, padded));
	/* 010 is ten, not octal eight; 008 is valid decimal. */
	ASSERT_TRUE(parse("010.008.000.001", &a));
	ASSERT_INT_EQ(a.b[12], 10);
	ASSERT_INT_EQ(a.b[13], 8);
	ASSERT_INT_EQ(a.b[14], 0);
	ASSERT_INT_EQ(a.b[15], 1);
	TEST_DONE();

	TEST_START("ipv4 followed by text");
	ASSERT_INT_EQ(scan("203.0.113.5 port 22", &a), 11);
	ASSERT_INT_EQ(scan("203.0.113.5:22", &a), 11);
	ASSERT_INT_EQ(scan("203.0.113.5]", &a), 11);
	ASSERT_INT_EQ(scan("203.0.113.5,x", &a), 11);
	/* A full stop ending a sentence is not part of a host name. */
	ASSERT_INT_EQ(scan("203.0.113.5.", &a), 11);
	ASSERT_INT_EQ(scan("203.0.113.5. Next", &a), 11);
	ASSERT_INT_EQ(a.af, 4);
	TEST_DONE();

	TEST_START("ipv4 malformed or host names rejected");
	ASSERT_INT_EQ(scan("256.1.1.1", &a), 0);
	ASSERT_INT_EQ(scan("1.2.3.256", &a), 0);
	ASSERT_INT_EQ(scan("1.2.3.999", &a), 0);
	ASSERT_INT_EQ(scan("1234.1.1.1", &a), 0);
	ASSERT_INT_EQ(scan("1.2.3.0001", &a), 0);
	ASSERT_INT_EQ(scan("1.2.3", &a), 0);
	ASSERT_INT_EQ(scan("1.2.3.", &a), 0);
	ASSERT_INT_EQ(scan("1..2.3", &a), 0);
	ASSERT_INT_EQ(scan(".1.2.3.4", &a), 0);
	ASSERT_INT_EQ(scan("1.2.3.4.example.com", &a), 0);
	ASSERT_INT_EQ(scan("1.2.3.4x", &a), 0);
	ASSERT_INT_EQ(scan("1.2.3.45abc", &a), 0);
	ASSERT_INT_EQ(scan("1.2.3.4-host", &a), 0);
	ASSERT_INT_EQ(scan("example.com", &a), 0);
	ASSERT_INT_EQ(scan("host.example.com", &a), 0);
	ASSERT_INT_EQ(scan("0x7f.0.0.1", &a), 0);
	ASSERT_INT_EQ(scan("", &a), 0);
	ASSERT_INT_EQ(a.af, 0);
	ASSERT_FALSE(parse("1.2.3.4.example.com", &a));
	ASSERT_FALSE(parse("example.com", &a));
	ASSERT_FALSE(parse("1.2.3.4 ", &a));
	ASSERT_FALSE(ad_addr_parse("1.2.3.4", 0, &a));
	TEST_DONE();

	TEST_START("scan never reads past end");
	/* "1.2.3.45" cut after "1.2.3.4": the 5 is outside the range. */
	{
		static const char cut[] = "1.2.3.45";

		ASSERT_INT_EQ(ad_addr_scan(cut, cut + 7, &a), 7);
	}
	ASSERT_INT_EQ(a.b[15], 4);
	ASSERT_TRUE(ad_addr_parse("10.0.0.1junk", 8, &a));
	ASSERT_INT_EQ(a.b[12], 10);
	ASSERT_INT_EQ(a.b[15], 1);
	TEST_DONE();
}

static void
test_ipv6(void)
{
	struct ad_addr a;
	static const uint8_t doc1[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
	};
	static const uint8_t zero[16] = { 0 };
	static const uint8_t full[16] = {
		0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8
	};
	static const uint8_t nat64[16] = {
		0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 33
	};
	static const uint8_t v4in6[16] = {
		0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 2, 3, 4
	};
	static const uint8_t tail0[16] = {
		0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0
	};
	static const uint8_t lead0[16] = {
		0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8
	};
	static const uint8_t mapped[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4
	};

	TEST_START("ipv6 forms");
	ASSERT_INT_EQ(scan("2001:db8::1", &a), 11);
	ASSERT_INT_EQ(a.af, 6);
	ASSERT_TRUE(bytes_eq(&a, doc1));
	ASSERT_TRUE(parse("2001:0DB8:0000:0000:0000:0000:0000:0001", &a));
	ASSERT_INT_EQ(a.af, 6);
	ASSERT_TRUE(bytes_eq(&a, doc1));
	ASSERT_TRUE(parse("1:2:3:4:5:6:7:8", &a));
	ASSERT_TRUE(bytes_eq(&a, full));
	ASSERT_TRUE(parse("1:2:3:4:5:6:7::", &a));
	ASSERT_TRUE(bytes_eq(&a, tail0));
	ASSERT_TRUE(parse("::2:3:4:5:6:7:8", &a));
	ASSERT_TRUE(bytes_eq(&a, lead0));
	TEST_DONE();

	TEST_START("ipv6 unspecified and loopback");
	ASSERT_INT_EQ(scan("::", &a), 2);
	ASSERT_INT_EQ(a.af, 6);
	ASSERT_TRUE(bytes_eq(&a, zero));
	ASSERT_INT_EQ(scan(":: port 22", &a), 2);
	ASSERT_INT_EQ(a.af, 6);
	ASSERT_TRUE(parse("::1", &a));
	ASSERT_INT_EQ(a.af, 6);
	ASSERT_INT_EQ(a.b[15], 1);
	ASSERT_INT_EQ(a.b[0], 0);
	TEST_DONE();

	TEST_START("ipv6 embedded ipv4");
	ASSERT_TRUE(parse("64:ff9b::192.0.2.33", &a));
	ASSERT_INT_EQ(a.af, 6);
	ASSERT_TRUE(bytes_eq(&a, nat64));
	ASSERT_TRUE(parse("1:2:3:4:5:6:1.2.3.4", &a));
	ASSERT_TRUE(bytes_eq(&a, v4in6));
	/* Seven groups plus a dotted quad is 288 bits. */
	ASSERT_FALSE(parse("1:2:3:4:5:6:7:1.2.3.4", &a));
	ASSERT_FALSE(parse("::ffff:1.2.3.256", &a));
	ASSERT_FALSE(parse("::ffff:1.2.3", &a));
	TEST_DONE();

	TEST_START("ipv6 zone id dropped");
	ASSERT_INT_EQ(scan("fe80::1%eth0", &a), 12);
	ASSERT_INT_EQ(a.af, 6);
	ASSERT_INT_EQ(a.b[0], 0xfe);
	ASSERT_INT_EQ(a.b[1], 0x80);
	ASSERT_INT_EQ(a.b[15], 1);
	ASSERT_INT_EQ(scan("fe80::1%eth0 port 22", &a), 12);
	ASSERT_TRUE(parse("fe80::1%2", &a));
	ASSERT_TRUE(parse("fe80::abcd%en0.100", &a));
	ASSERT_INT_EQ(a.b[14], 0xab);
	ASSERT_INT_EQ(a.b[15], 0xcd);
	TEST_DONE();

	TEST_START("ipv4-mapped ipv6 folded to ipv4");
	ASSERT_TRUE(parse("::ffff:1.2.3.4", &a));
	ASSERT_INT_EQ(a.af, 4);
	ASSERT_TRUE(bytes_eq(&a, mapped));
	ASSERT_TRUE(parse("::FFFF:102:304", &a));
	ASSERT_INT_EQ(a.af, 4);
	ASSERT_TRUE(bytes_eq(&a, mapped));
	ASSERT_TRUE(parse("0:0:0:0:0:ffff:0102:0304", &a));
	ASSERT_INT_EQ(a.af, 4);
	ASSERT_TRUE(bytes_eq(&a, mapped));
	TEST_DONE();

	TEST_START("ipv6 followed by a colon that belongs to the text");
	/* sshd: "Connection closed by 2001:db8::1: 11: Bye" */
	ASSERT_INT_EQ(scan("2001:db8::1: 11:", &a), 11);
	ASSERT_INT_EQ(a.af, 6);
	ASSERT_TRUE(bytes_eq(&a, doc1));
	ASSERT_INT_EQ(scan("2001:db8::1:", &a), 11);
	ASSERT_TRUE(bytes_eq(&a, doc1));
	/* "from ::ffff:1.2.3.4:55990" (address:port) */
	ASSERT_INT_EQ(scan("::ffff:1.2.3.4:55990", &a), 14);
	ASSERT_INT_EQ(a.af, 4);
	ASSERT_TRUE(bytes_eq(&a, mapped));
	ASSERT_INT_EQ(scan("2001:db8::1]:22", &a), 11);
	ASSERT_TRUE(bytes_eq(&a, doc1));
	TEST_DONE();

	TEST_START("ipv6 malformed rejected");
	ASSERT_INT_EQ(scan("2001:db8::12345", &a), 0);
	ASSERT_INT_EQ(scan("12345::1", &a), 0);
	ASSERT_FALSE(parse("2001:db8::12345", &a));
	ASSERT_FALSE(parse("1::2::3", &a));
	ASSERT_FALSE(parse("::1::", &a));
	ASSERT_FALSE(parse("1:2:3:4:5:6:7", &a));
	ASSERT_FALSE(parse("1:2:3:4:5:6:7:8:9", &a));
	ASSERT_FALSE(parse("1::2:3:4:5:6:7:8", &a));
	ASSERT_FALSE(parse(":1:2:3:4:5:6:7", &a));
	ASSERT_FALSE(parse(":::", &a));
	ASSERT_FALSE(parse("2001:db8::g", &a));
	ASSERT_FALSE(parse("2001:db8::1x", &a));
	ASSERT_INT_EQ(scan("2001:db8::1x", &a), 0);
	ASSERT_INT_EQ(scan("abcd", &a), 0);
	ASSERT_INT_EQ(scan("dead.example.com", &a), 0);
	ASSERT_INT_EQ(scan("fe80::1.example.com", &a), 0);
	TEST_DONE();
}

static void
test_format(void)
{
	char buf[AD_ADDR_STRLEN];
	struct ad_addr a;

	TEST_START("format ipv4");
	ASSERT_STR_EQ(canon("192.0.2.1", buf), "192.0.2.1");
	ASSERT_STR_EQ(canon("192.030.0.6", buf), "192.30.0.6");
	ASSERT_STR_EQ(canon("0.0.0.0", buf), "0.0.0.0");
	ASSERT_STR_EQ(canon("255.255.255.255", buf), "255.255.255.255");
	ASSERT_STR_EQ(canon("::ffff:1.2.3.4", buf), "1.2.3.4");
	ASSERT_STR_EQ(canon("::ffff:c000:0201", buf), "192.0.2.1");
	TEST_DONE();

	TEST_START("format ipv6 RFC 5952");
	/* 4.2.1: longest run of zero groups compressed. */
	ASSERT_STR_EQ(canon("2001:0db8:0000:0000:0000:0000:0000:0001", buf),
	    "2001:db8::1");
	/* 4.3: lower case. */
	ASSERT_STR_EQ(canon("2001:DB8::ABCD", buf), "2001:db8::abcd");
	/* 4.1: leading zeros suppressed. */
	ASSERT_STR_EQ(canon("2001:0db8:0001:0010:0100:1000:00ab:000c", buf),
	    "2001:db8:1:10:100:1000:ab:c");
	/* 4.2.2: a single zero group is not compressed. */
	ASSERT_STR_EQ(canon("2001:db8:0:1:1:1:1:1", buf),
	    "2001:db8:0:1:1:1:1:1");
	/* 4.2.3: equal runs, the first one is compressed. */
	ASSERT_STR_EQ(canon("2001:db8:0:0:1:0:0:1", buf),
	    "2001:db8::1:0:0:1");
	/* 4.2.3: the longer run wins even when later. */
	ASSERT_STR_EQ(canon("2001:0:0:1:0:0:0:1", buf), "2001:0:0:1::1");
	ASSERT_STR_EQ(canon("2001:db8:0:0:1::", buf), "2001:db8:0:0:1::");
	ASSERT_STR_EQ(canon("1:2:3:4:5:6:7::", buf), "1:2:3:4:5:6:7:0");
	ASSERT_STR_EQ(canon("::", buf), "::");
	ASSERT_STR_EQ(canon("::1", buf), "::1");
	ASSERT_STR_EQ(canon("fe80::1%eth0", buf), "fe80::1");
	ASSERT_STR_EQ(canon("1:2:3:4:5:6:7:8", buf), "1:2:3:4:5:6:7:8");
	TEST_DONE();

	TEST_START("format af 0 is empty");
	memset(&a, 0, sizeof(a));
	buf[0] = 'x';
	ASSERT_STR_EQ(ad_addr_format(&a, buf), "");
	TEST_DONE();

	TEST_START("addr_equal");
	{
		struct ad_addr b, c;

		ASSERT_TRUE(parse("1.2.3.4", &b));
		ASSERT_TRUE(parse("::ffff:1.2.3.4", &c));
		ASSERT_TRUE(ad_addr_equal(&b, &c));
		ASSERT_TRUE(parse("1.2.3.5", &c));
		ASSERT_FALSE(ad_addr_equal(&b, &c));
		ASSERT_TRUE(parse("2001:db8::1", &b));
		ASSERT_TRUE(parse("2001:DB8:0::0:1", &c));
		ASSERT_TRUE(ad_addr_equal(&b, &c));
		/* ::102:304 is not the mapped address of 1.2.3.4. */
		ASSERT_TRUE(parse("1.2.3.4", &b));
		ASSERT_TRUE(parse("::102:304", &c));
		ASSERT_FALSE(ad_addr_equal(&b, &c));
	}
	TEST_DONE();
}

static bool
cidr(const char *s, struct ad_cidr *c)
{
	return ad_cidr_parse(s, strlen(s), c);
}

static bool
in(const struct ad_cidr *c, const char *addr)
{
	struct ad_addr a;

	if (!parse(addr, &a))
		return false;
	return ad_cidr_contains(c, &a);
}

static void
test_cidr(void)
{
	char buf[AD_ADDR_STRLEN];
	struct ad_cidr c;

	TEST_START("cidr v4");
	ASSERT_TRUE(cidr("192.0.2.0/24", &c));
	ASSERT_INT_EQ(c.prefix, 24);
	ASSERT_INT_EQ(c.addr.af, 4);
	ASSERT_TRUE(in(&c, "192.0.2.0"));
	ASSERT_TRUE(in(&c, "192.0.2.255"));
	ASSERT_FALSE(in(&c, "192.0.3.0"));
	ASSERT_FALSE(in(&c, "192.0.1.255"));
	ASSERT_TRUE(in(&c, "::ffff:192.0.2.9"));
	ASSERT_FALSE(in(&c, "2001:db8::1"));
	ASSERT_TRUE(cidr("192.168.1.0/25", &c));
	ASSERT_TRUE(in(&c, "192.168.1.127"));
	ASSERT_FALSE(in(&c, "192.168.1.128"));
	ASSERT_TRUE(cidr("10.0.0.0/13", &c));
	ASSERT_TRUE(in(&c, "10.7.255.255"));
	ASSERT_FALSE(in(&c, "10.8.0.0"));
	TEST_DONE();

	TEST_START("cidr v4 host bits masked");
	ASSERT_TRUE(cidr("192.0.2.77/24", &c));
	ASSERT_STR_EQ(ad_addr_format(&c.addr, buf), "192.0.2.0");
	ASSERT_TRUE(in(&c, "192.0.2.1"));
	ASSERT_TRUE(cidr("10.15.255.255/12", &c));
	ASSERT_STR_EQ(ad_addr_format(&c.addr, buf), "10.0.0.0");
	ASSERT_TRUE(in(&c, "10.15.0.1"));
	ASSERT_FALSE(in(&c, "10.16.0.0"));
	ASSERT_TRUE(cidr("203.0.113.200/0", &c));
	ASSERT_STR_EQ(ad_addr_format(&c.addr, buf), "0.0.0.0");
	TEST_DONE();

	TEST_START("cidr v4 bare address and /0, /32");
	ASSERT_TRUE(cidr("10.1.2.3", &c));
	ASSERT_INT_EQ(c.prefix, 32);
	ASSERT_TRUE(in(&c, "10.1.2.3"));
	ASSERT_FALSE(in(&c, "10.1.2.4"));
	ASSERT_TRUE(cidr("10.1.2.3/32", &c));
	ASSERT_INT_EQ(c.prefix, 32);
	ASSERT_TRUE(in(&c, "10.1.2.3"));
	ASSERT_FALSE(in(&c, "10.1.2.2"));
	ASSERT_TRUE(cidr("0.0.0.0/0", &c));
	ASSERT_INT_EQ(c.prefix, 0);
	ASSERT_TRUE(in(&c, "8.8.8.8"));
	ASSERT_TRUE(in(&c, "255.255.255.255"));
	ASSERT_TRUE(in(&c, "0.0.0.0"));
	ASSERT_FALSE(in(&c, "2001:db8::1"));
	TEST_DONE();

	TEST_START("cidr v6");
	ASSERT_TRUE(cidr("2001:db8::/32", &c));
	ASSERT_INT_EQ(c.prefix, 32);
	ASSERT_INT_EQ(c.addr.af, 6);
	ASSERT_TRUE(in(&c, "2001:db8::1"));
	ASSERT_TRUE(in(&c, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
	ASSERT_FALSE(in(&c, "2001:db9::"));
	ASSERT_FALSE(in(&c, "2001:db7:ffff::"));
	ASSERT_FALSE(in(&c, "32.1.13.184"));
	ASSERT_TRUE(cidr("2001:db8:abcd:12ff::/56", &c));
	ASSERT_STR_EQ(ad_addr_format(&c.addr, buf), "2001:db8:abcd:1200::");
	ASSERT_TRUE(in(&c, "2001:db8:abcd:12ab::1"));
	ASSERT_FALSE(in(&c, "2001:db8:abcd:1300::"));
	ASSERT_TRUE(cidr("fe80::/10", &c));
	ASSERT_TRUE(in(&c, "febf::1"));
	ASSERT_FALSE(in(&c, "fec0::1"));
	ASSERT_TRUE(cidr("2001:db8::1", &c));
	ASSERT_INT_EQ(c.prefix, 128);
	ASSERT_TRUE(in(&c, "2001:db8::1"));
	ASSERT_FALSE(in(&c, "2001:db8::2"));
	ASSERT_TRUE(cidr("2001:db8::1/128", &c));
	ASSERT_FALSE(in(&c, "2001:db8::"));
	ASSERT_TRUE(cidr("::/0", &c));
	ASSERT_INT_EQ(c.prefix, 0);
	ASSERT_TRUE(in(&c, "2001:db8::1"));
	ASSERT_TRUE(in(&c, "ffff::1"));
	ASSERT_TRUE(cidr("2001:db8::ff/0", &c));
	ASSERT_STR_EQ(ad_addr_format(&c.addr, buf), "::");
	TEST_DONE();

	TEST_START("cidr bad prefixes");
	ASSERT_FALSE(cidr("192.0.2.0/33", &c));
	ASSERT_FALSE(cidr("192.0.2.0/", &c));
	ASSERT_FALSE(cidr("192.0.2.0/-1", &c));
	ASSERT_FALSE(cidr("192.0.2.0/+8", &c));
	ASSERT_FALSE(cidr("192.0.2.0/2a", &c));
	ASSERT_FALSE(cidr("192.0.2.0/ 24", &c));
	ASSERT_FALSE(cidr("192.0.2.0/24/8", &c));
	ASSERT_FALSE(cidr("192.0.2.0/4294967320", &c));
	ASSERT_FALSE(cidr("192.0.2.0/99999999999999999999", &c));
	ASSERT_FALSE(cidr("2001:db8::/129", &c));
	ASSERT_FALSE(cidr("2001:db8::/256", &c));
	ASSERT_FALSE(cidr("/24", &c));
	ASSERT_FALSE(cidr("", &c));
	ASSERT_FALSE(cidr("example.com/24", &c));
	ASSERT_FALSE(cidr("192.0.2/24", &c));
	ASSERT_FALSE(cidr("192.0.2.0 /24", &c));
	TEST_DONE();
}

struct cls_case {
	const char		*addr;
	enum ad_addr_class	 cls;
};

static void
test_classify(void)
{
	static const struct cls_case cases[] = {
		/* RFC 1918, RFC 4193 */
		{ "10.0.0.0", AD_ADDR_PRIVATE },
		{ "10.255.255.255", AD_ADDR_PRIVATE },
		{ "172.16.0.1", AD_ADDR_PRIVATE },
		{ "172.31.255.255", AD_ADDR_PRIVATE },
		{ "192.168.1.1", AD_ADDR_PRIVATE },
		{ "fc00::1", AD_ADDR_PRIVATE },
		{ "fd12:3456:789a::1", AD_ADDR_PRIVATE },
		{ "::ffff:10.1.2.3", AD_ADDR_PRIVATE },
		/* RFC 6598 */
		{ "100.64.0.1", AD_ADDR_SHARED },
		{ "100.127.255.255", AD_ADDR_SHARED },
		/* loopback */
		{ "127.0.0.1", AD_ADDR_LOOPBACK },
		{ "127.255.255.254", AD_ADDR_LOOPBACK },
		{ "::1", AD_ADDR_LOOPBACK },
		/* link-local */
		{ "169.254.1.1", AD_ADDR_LINKLOCAL },
		{ "fe80::1", AD_ADDR_LINKLOCAL },
		{ "febf:ffff::1", AD_ADDR_LINKLOCAL },
		/* RFC 5737, RFC 3849 */
		{ "192.0.2.1", AD_ADDR_DOCUMENTATION },
		{ "198.51.100.7", AD_ADDR_DOCUMENTATION },
		{ "203.0.113.255", AD_ADDR_DOCUMENTATION },
		{ "2001:db8::1", AD_ADDR_DOCUMENTATION },
		{ "2001:db8:ffff::1", AD_ADDR_DOCUMENTATION },
		/* multicast */
		{ "224.0.0.1", AD_ADDR_MULTICAST },
		{ "239.255.255.250", AD_ADDR_MULTICAST },
		{ "ff02::1", AD_ADDR_MULTICAST },
		/* reserved: unspecified, "this network", benchmarking, 240/4 */
		{ "0.0.0.0", AD_ADDR_RESERVED },
		{ "0.1.2.3", AD_ADDR_RESERVED },
		{ "198.18.0.1", AD_ADDR_RESERVED },
		{ "198.19.255.255", AD_ADDR_RESERVED },
		{ "240.0.0.1", AD_ADDR_RESERVED },
		{ "255.255.255.255", AD_ADDR_RESERVED },
		{ "::", AD_ADDR_RESERVED },
		/* public, including the neighbours of special ranges */
		{ "8.8.8.8", AD_ADDR_PUBLIC },
		{ "1.1.1.1", AD_ADDR_PUBLIC },
		{ "9.255.255.255", AD_ADDR_PUBLIC },
		{ "11.0.0.0", AD_ADDR_PUBLIC },
		{ "100.63.255.255", AD_ADDR_PUBLIC },
		{ "100.128.0.0", AD_ADDR_PUBLIC },
		{ "172.15.255.255", AD_ADDR_PUBLIC },
		{ "172.32.0.0", AD_ADDR_PUBLIC },
		{ "192.0.3.1", AD_ADDR_PUBLIC },
		{ "192.169.0.1", AD_ADDR_PUBLIC },
		{ "198.51.101.1", AD_ADDR_PUBLIC },
		{ "203.0.114.1", AD_ADDR_PUBLIC },
		{ "223.255.255.255", AD_ADDR_PUBLIC },
		{ "2606:4700:4700::1111", AD_ADDR_PUBLIC },
		{ "2a00:1450:4001::1", AD_ADDR_PUBLIC },
		{ "2001:db9::1", AD_ADDR_PUBLIC },
		{ "::ffff:8.8.4.4", AD_ADDR_PUBLIC },
	};
	size_t i;

	TEST_START("classify special ranges and public space");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ad_addr a;
		int got;

		if (!parse(cases[i].addr, &a)) {
			TH_FAIL("%s does not parse", cases[i].addr);
			continue;
		}
		got = (int)ad_addr_classify(&a);
		if (got != (int)cases[i].cls)
			TH_FAIL("%s: class %s, want %s", cases[i].addr,
			    ad_addr_class_name((enum ad_addr_class)got),
			    ad_addr_class_name(cases[i].cls));
	}
	TEST_DONE();

	TEST_START("class names");
	ASSERT_STR_EQ(ad_addr_class_name(AD_ADDR_PUBLIC), "public");
	ASSERT_STR_EQ(ad_addr_class_name(AD_ADDR_PRIVATE), "private");
	ASSERT_STR_EQ(ad_addr_class_name(AD_ADDR_LOOPBACK), "loopback");
	ASSERT_STR_EQ(ad_addr_class_name(AD_ADDR_DOCUMENTATION),
	    "documentation");
	ASSERT_STR_EQ(ad_addr_class_name(AD_ADDR_MULTICAST), "multicast");
	ASSERT_STR_EQ(ad_addr_class_name(AD_ADDR_RESERVED), "reserved");
	TEST_DONE();
}

/* IPv4 text is written by hand: the C library's inet_ntop is the reference. */
static void
test_format_v4_all(void)
{
	char got[AD_ADDR_STRLEN], want[INET_ADDRSTRLEN];
	struct ad_addr a;
	unsigned v, k, bad = 0;

	TEST_START("IPv4 text of every octet value in every position");
	for (k = 0; k < 4; k++) {
		for (v = 0; v < 256; v++) {
			memset(&a, 0, sizeof(a));
			a.af = 4;
			a.b[10] = a.b[11] = 0xff;
			a.b[12] = 203; a.b[13] = 0; a.b[14] = 113; a.b[15] = 9;
			a.b[12 + k] = (uint8_t)v;
			inet_ntop(AF_INET, a.b + 12, want, sizeof(want));
			if (strcmp(ad_addr_format(&a, got), want) != 0) {
				printf("# %s, want %s\n", got, want);
				bad++;
			}
		}
	}
	ASSERT_INT_EQ(bad, 0);
	TEST_DONE();
}

int
main(void)
{
	/* Line-buffered: a sanitizer abort must not swallow results. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_ipv4();
	test_ipv6();
	test_format();
	test_format_v4_all();
	test_cidr();
	test_classify();
	TESTS_END();
}
