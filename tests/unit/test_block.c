/*
 * test_block.c - block advice: exact covers, aggregation, bounds, our own
 * networks, the success-line recogniser and every output format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_block.h"
#include "test_helper.h"

#define MAXA 1100

/* "a b c" -> addresses. */
static size_t
addrs(const char *list, struct ad_addr *out)
{
	size_t n = 0;
	const char *p = list;

	while (*p) {
		size_t l = strcspn(p, " ");

		if (l && !ad_addr_parse(p, l, &out[n++]))
			printf("# bad test address %.*s\n", (int)l, p);
		p += l;
		while (*p == ' ')
			p++;
	}
	return n;
}

static size_t
cidrs(const char *list, struct ad_cidr *out)
{
	size_t n = 0;
	const char *p = list;

	while (*p) {
		size_t l = strcspn(p, " ");

		if (l && !ad_cidr_parse(p, l, &out[n++]))
			printf("# bad test cidr %.*s\n", (int)l, p);
		p += l;
		while (*p == ' ')
			p++;
	}
	return n;
}

/* The cover as "cidr:offending cidr:offending ...". */
static char result[16384];

static const char *
cover_of(const struct ad_addr *a, size_t n, const struct ad_block_policy *pol)
{
	struct ad_block *b;
	struct ad_diag d = { 0 };
	char c[AD_ADDR_STRLEN + 4];
	size_t i, len = 0;

	if (ad_block_compute(a, n, pol, &b, &d) != AD_OK) {
		snprintf(result, sizeof(result), "error: %s", d.msg);
		return result;
	}
	result[0] = '\0';
	for (i = 0; i < b->n && len < sizeof(result) - 80; i++)
		len += (size_t)snprintf(result + len, sizeof(result) - len,
		    "%s%s:%llu", i ? " " : "", ad_cidr_format(
		    &b->entries[i].cidr, c),
		    (unsigned long long)b->entries[i].offending);
	ad_block_free(b);
	return result;
}

static const char *
cover(const char *list, const struct ad_block_policy *pol)
{
	static struct ad_addr a[MAXA];
	size_t n = addrs(list, a);

	return cover_of(a, n, pol);
}

static void
test_exact(void)
{
	struct ad_block_policy pol;

	ad_block_policy_init(&pol);
	TEST_START("exact: one /32 per address, sorted");
	ASSERT_STR_EQ(cover("198.51.100.9 192.0.2.7", &pol),
	    "192.0.2.7/32:1 198.51.100.9/32:1");
	TEST_DONE();

	TEST_START("exact: duplicates and empty input");
	ASSERT_STR_EQ(cover("192.0.2.7 192.0.2.7", &pol), "192.0.2.7/32:1");
	ASSERT_STR_EQ(cover("", &pol), "");
	TEST_DONE();

	TEST_START("exact: .0 and .1 both offend -> /31");
	ASSERT_STR_EQ(cover("192.0.2.0 192.0.2.1", &pol), "192.0.2.0/31:2");
	TEST_DONE();

	TEST_START("exact: .1 and .2 are neighbours but no /31 -> two /32");
	ASSERT_STR_EQ(cover("192.0.2.1 192.0.2.2", &pol),
	    "192.0.2.1/32:1 192.0.2.2/32:1");
	TEST_DONE();

	TEST_START("exact: .0-.3 -> /30; .0-.2 -> /31 + /32");
	ASSERT_STR_EQ(cover("192.0.2.3 192.0.2.1 192.0.2.2 192.0.2.0", &pol),
	    "192.0.2.0/30:4");
	ASSERT_STR_EQ(cover("192.0.2.0 192.0.2.1 192.0.2.2", &pol),
	    "192.0.2.0/31:2 192.0.2.2/32:1");
	TEST_DONE();

	TEST_START("exact: 2 addresses of a /24 stay two /32");
	ASSERT_STR_EQ(cover("203.0.113.5 203.0.113.200", &pol),
	    "203.0.113.5/32:1 203.0.113.200/32:1");
	TEST_DONE();

	TEST_START("exact: all 256 of a /24 -> the /24");
	{
		static struct ad_addr a[300];
		size_t i;

		for (i = 0; i < 256; i++) {
			char t[32];

			snprintf(t, sizeof(t), "203.0.113.%zu", i);
			ASSERT_TRUE(ad_addr_parse(t, strlen(t), &a[i]));
		}
		ASSERT_STR_EQ(cover_of(a, 256, &pol), "203.0.113.0/24:256");
		/* one missing: the minimal partition of the rest */
		ASSERT_STR_EQ(cover_of(a + 1, 255, &pol),
		    "203.0.113.1/32:1 203.0.113.2/31:2 203.0.113.4/30:4 "
		    "203.0.113.8/29:8 203.0.113.16/28:16 203.0.113.32/27:32 "
		    "203.0.113.64/26:64 203.0.113.128/25:128");
	}
	TEST_DONE();

	TEST_START("exact: IPv6 neighbours ::0 and ::1 -> /127; v4 before v6");
	ASSERT_STR_EQ(cover("2001:db8::1 2001:db8::0 192.0.2.9 2001:db8::5",
	    &pol), "192.0.2.9/32:1 2001:db8::/127:2 2001:db8::5/128:1");
	TEST_DONE();

	TEST_START("exact: IPv4-mapped IPv6 is the IPv4 address");
	ASSERT_STR_EQ(cover("::ffff:192.0.2.1 192.0.2.1", &pol),
	    "192.0.2.1/32:1");
	TEST_DONE();

	TEST_START("exact: the top of the v4 space does not join v6");
	ASSERT_STR_EQ(cover("255.255.255.255 ::", &pol),
	    "255.255.255.255/32:1 ::/128:1");
	TEST_DONE();
}

static void
test_aggregate(void)
{
	struct ad_block_policy pol;
	struct ad_diag d = { 0 };

	ad_block_policy_init(&pol);
	TEST_START("aggregate 24:4: 4 offenders -> the /24, 3 -> exact");
	ASSERT_INT_EQ(ad_block_parse_aggregate(&pol, 4, "24:4", &d), AD_OK);
	ASSERT_STR_EQ(cover("203.0.113.1 203.0.113.50 203.0.113.99 "
	    "203.0.113.254 198.51.100.1 198.51.100.2 198.51.100.3", &pol),
	    "198.51.100.1/32:1 198.51.100.2/31:2 203.0.113.0/24:4");
	TEST_DONE();

	TEST_START("aggregate: two adjacent /24s merge into a /23");
	ASSERT_STR_EQ(cover("203.0.112.1 203.0.112.2 203.0.112.3 203.0.112.4 "
	    "203.0.113.1 203.0.113.2 203.0.113.3 203.0.113.4", &pol),
	    "203.0.112.0/23:8");
	TEST_DONE();

	TEST_START("aggregate applies to v4 only unless v6 is asked");
	ASSERT_STR_EQ(cover("2001:db8:1::1 2001:db8:1::2 2001:db8:1::3 "
	    "2001:db8:1::9", &pol), "2001:db8:1::1/128:1 2001:db8:1::2/127:2 "
	    "2001:db8:1::9/128:1");
	ASSERT_INT_EQ(ad_block_parse_aggregate(&pol, 6, "64:2", &d), AD_OK);
	ASSERT_STR_EQ(cover("2001:db8:1::1 2001:db8:1::9 2001:db8:2::1",
	    &pol), "2001:db8:1::/64:2 2001:db8:2::1/128:1");
	TEST_DONE();

	TEST_START("aggregate: bad specifications");
	ASSERT_INT_EQ(ad_block_parse_aggregate(&pol, 4, "33:2", &d),
	    AD_ERR_USAGE);
	ASSERT_INT_EQ(ad_block_parse_aggregate(&pol, 4, "24", &d),
	    AD_ERR_USAGE);
	ASSERT_INT_EQ(ad_block_parse_aggregate(&pol, 4, "24:0", &d),
	    AD_ERR_USAGE);
	ASSERT_INT_EQ(ad_block_parse_aggregate(&pol, 4, "24:x", &d),
	    AD_ERR_USAGE);
	ASSERT_INT_EQ(ad_block_parse_aggregate(&pol, 4, "0:1", &d),
	    AD_ERR_USAGE);
	ASSERT_INT_EQ(ad_block_parse_aggregate(&pol, 6, "129:1", &d),
	    AD_ERR_USAGE);
	TEST_DONE();
}

static void
test_bounds(void)
{
	struct ad_block_policy pol;
	struct ad_diag d = { 0 };

	TEST_START("bound: aggregation wider than the bound is refused");
	ad_block_policy_init(&pol);
	ASSERT_INT_EQ(ad_block_parse_aggregate(&pol, 4, "8:2", &d), AD_OK);
	ASSERT_STR_EQ(cover("192.0.2.1", &pol),
	    "error: aggregation to /8 is wider than the bound /16");
	ad_block_policy_init(&pol);
	ASSERT_INT_EQ(ad_block_parse_aggregate(&pol, 6, "24:2", &d), AD_OK);
	ASSERT_STR_EQ(cover("2001:db8::1", &pol),
	    "error: aggregation to /24 is wider than the bound /32");
	TEST_DONE();

	TEST_START("bound: merged aggregates are cut at the bound");
	ad_block_policy_init(&pol);
	pol.widest[AD_BLOCK_V4] = 24;
	ASSERT_INT_EQ(ad_block_parse_aggregate(&pol, 4, "24:1", &d), AD_OK);
	ASSERT_STR_EQ(cover("198.51.100.1 198.51.101.1", &pol),
	    "198.51.100.0/24:1 198.51.101.0/24:1");
	pol.widest[AD_BLOCK_V4] = 16;
	ASSERT_STR_EQ(cover("198.51.100.1 198.51.101.1", &pol),
	    "198.51.100.0/23:2");
	TEST_DONE();

	TEST_START("bound: a full exact run wider than the bound is cut");
	ad_block_policy_init(&pol);
	pol.widest[AD_BLOCK_V4] = 31;
	ASSERT_STR_EQ(cover("192.0.2.0 192.0.2.1 192.0.2.2 192.0.2.3", &pol),
	    "192.0.2.0/31:2 192.0.2.2/31:2");
	TEST_DONE();
}

static void
test_exclusions(void)
{
	struct ad_block_policy pol;
	struct ad_diag d = { 0 };
	struct ad_cidr own[4], allow[4];
	struct ad_block *b;
	struct ad_addr a[8];
	size_t n;

	ad_block_policy_init(&pol);
	pol.n_own = cidrs("203.0.113.64/26 2001:db8:beef::/48", own);
	pol.own = own;
	pol.n_allow = cidrs("198.51.100.7", allow);
	pol.allow = allow;

	TEST_START("exclusion: our own and allowlisted offenders are dropped");
	n = addrs("203.0.113.70 198.51.100.7 198.51.100.6 2001:db8:beef::5",
	    a);
	ASSERT_INT_EQ(ad_block_compute(a, n, &pol, &b, &d), AD_OK);
	ASSERT_INT_EQ(b->n, 1);
	ASSERT_INT_EQ(b->n_own, 2);
	ASSERT_INT_EQ(b->n_allow, 1);
	ad_block_free(b);
	/* .6 and .7 would be a /31, but .7 is allowlisted */
	ASSERT_STR_EQ(cover("198.51.100.6 198.51.100.7", &pol),
	    "198.51.100.6/32:1");
	TEST_DONE();

	TEST_START("exclusion: an aggregate over our /26 is split around it");
	ASSERT_INT_EQ(ad_block_parse_aggregate(&pol, 4, "24:4", &d), AD_OK);
	/* 203.0.113.0/24 holds our .64/26: the /24 splits into .0/26
	 * (3 offenders: exact), .128/25 (4 offenders: kept whole). */
	ASSERT_STR_EQ(cover("203.0.113.1 203.0.113.2 203.0.113.9 "
	    "203.0.113.130 203.0.113.140 203.0.113.150 203.0.113.200", &pol),
	    "203.0.113.1/32:1 203.0.113.2/32:1 203.0.113.9/32:1 "
	    "203.0.113.128/25:4");
	TEST_DONE();

	TEST_START("exclusion: an aggregate over one allowlisted address");
	/* 198.51.100.0/24 with .7 allowed: halving around .7 ends at .0/30
	 * (3 offenders) and .4/30 (1): exact; .128/25 (4) stays whole. */
	ASSERT_STR_EQ(cover("198.51.100.1 198.51.100.2 198.51.100.3 "
	    "198.51.100.5 198.51.100.128 198.51.100.129 198.51.100.130 "
	    "198.51.100.131", &pol),
	    "198.51.100.1/32:1 198.51.100.2/31:2 198.51.100.5/32:1 "
	    "198.51.100.128/25:4");
	TEST_DONE();

	TEST_START("exclusion: v6 aggregate next to our /48");
	ASSERT_INT_EQ(ad_block_parse_aggregate(&pol, 6, "32:2", &d), AD_OK);
	ASSERT_STR_EQ(cover("2001:db8:1::1 2001:db8:2::1", &pol),
	    "2001:db8::/33:2");
	ASSERT_STR_EQ(cover("2001:db8:beee::1 2001:db8:beef:1::1 "
	    "2001:db8:bef0::1", &pol),
	    "2001:db8:beee::1/128:1 2001:db8:bef0::1/128:1");
	TEST_DONE();
}

static void
test_sizes(void)
{
	char buf[24];

	TEST_START("sizes: decimal below 2^53, else 2^N");
	ASSERT_STR_EQ(ad_block_size_text(0, buf), "1");
	ASSERT_STR_EQ(ad_block_size_text(8, buf), "256");
	ASSERT_STR_EQ(ad_block_size_text(32, buf), "4294967296");
	ASSERT_STR_EQ(ad_block_size_text(52, buf), "4503599627370496");
	ASSERT_STR_EQ(ad_block_size_text(64, buf), "2^64");
	ASSERT_STR_EQ(ad_block_size_text(128, buf), "2^128");
	TEST_DONE();
}

/* The address a success line names, or "-" when it is not one. */
static const char *
legit(const char *line)
{
	static char t[AD_ADDR_STRLEN];
	struct ad_addr a;

	if (!ad_block_legit_line(line, strlen(line), &a))
		return "-";
	return ad_addr_format(&a, t);
}

static void
test_legit(void)
{
	TEST_START("legit: sshd Accepted (syslog, ISO, sshd-session)");
	ASSERT_STR_EQ(legit("Mar  3 10:00:01 web1 sshd[812]: Accepted "
	    "publickey for deploy from 203.0.113.9 port 50022 ssh2: ED25519 "
	    "SHA256:abc"), "203.0.113.9");
	ASSERT_STR_EQ(legit("2025-03-03T10:00:01+00:00 web1 sshd[1]: "
	    "Accepted password for bob from 2001:db8::7 port 22 ssh2"),
	    "2001:db8::7");
	ASSERT_STR_EQ(legit("Mar  3 10:00:01 web1 sshd-session[9]: Accepted "
	    "keyboard-interactive/pam for a from 198.51.100.2 port 1 ssh2"),
	    "198.51.100.2");
	TEST_DONE();

	TEST_START("legit: sshd failures and injected user names are not");
	ASSERT_STR_EQ(legit("Mar  3 10:00:01 web1 sshd[812]: Failed password "
	    "for root from 203.0.113.9 port 50022 ssh2"), "-");
	ASSERT_STR_EQ(legit("Mar  3 10:00:01 web1 sshd[812]: Invalid user "
	    "Accepted publickey for x from 192.0.2.1 from 203.0.113.9 port 1"),
	    "-");
	/* the last " from " wins: the injected one is inside the user */
	ASSERT_STR_EQ(legit("Mar  3 10:00:01 web1 sshd[812]: Accepted "
	    "password for x from 192.0.2.1 from 203.0.113.9 port 1 ssh2"),
	    "203.0.113.9");
	ASSERT_STR_EQ(legit("Mar  3 10:00:01 web1 cron[5]: Accepted "
	    "password for x from 192.0.2.1 port 1 ssh2"), "-");
	TEST_DONE();

	TEST_START("legit: web access 2xx/3xx, not 4xx/5xx");
	ASSERT_STR_EQ(legit("203.0.113.9 - - [03/Mar/2025:10:00:01 +0000] "
	    "\"GET / HTTP/1.1\" 200 512 \"-\" \"curl/8\""), "203.0.113.9");
	ASSERT_STR_EQ(legit("203.0.113.9 - - [03/Mar/2025:10:00:01 +0000] "
	    "\"GET /old HTTP/1.1\" 301 0"), "203.0.113.9");
	ASSERT_STR_EQ(legit("www.example.org:443 2001:db8::9 - - [03/Mar/2025"
	    ":10:00:01 +0000] \"GET / HTTP/1.1\" 204 0 \"-\" \"x\""),
	    "2001:db8::9");
	ASSERT_STR_EQ(legit("203.0.113.9 - - [03/Mar/2025:10:00:01 +0000] "
	    "\"GET /wp-login.php HTTP/1.1\" 404 0"), "-");
	ASSERT_STR_EQ(legit("203.0.113.9 - - [03/Mar/2025:10:00:01 +0000] "
	    "\"GET /\\\" 200 x HTTP/1.1\" 500 0"), "-");
	TEST_DONE();

	TEST_START("legit: postfix client= and dovecot Login:");
	ASSERT_STR_EQ(legit("Mar  3 10:00:01 mx postfix/smtpd[33]: 4XyZ1abc: "
	    "client=mail.example.net[198.51.100.25]"), "198.51.100.25");
	ASSERT_STR_EQ(legit("Mar  3 10:00:01 mx postfix/submission/smtpd[3]:"
	    " 4XyZ1abc: client=unknown[2001:db8::25], sasl_method=PLAIN"),
	    "2001:db8::25");
	ASSERT_STR_EQ(legit("Mar  3 10:00:01 mx postfix/smtpd[33]: connect "
	    "from unknown[198.51.100.25]"), "-");
	ASSERT_STR_EQ(legit("Mar  3 10:00:01 mx dovecot: imap-login: Login: "
	    "user=<ann>, method=PLAIN, rip=198.51.100.30, lip=192.0.2.1, "
	    "mpid=1, TLS"), "198.51.100.30");
	ASSERT_STR_EQ(legit("Mar  3 10:00:01 mx dovecot[7]: pop3-login: "
	    "Disconnected (auth failed, 1 attempts): user=<ann>, "
	    "rip=198.51.100.30, lip=192.0.2.1"), "-");
	ASSERT_STR_EQ(legit(""), "-");
	TEST_DONE();
}

static const char *
render(struct ad_block *b, enum ad_block_format f, int64_t expire)
{
	static struct ad_buf o;
	int r;

	ad_buf_free(&o);
	ad_buf_init(&o, 1u << 20);
	if ((r = ad_block_write(&o, b, f, expire, 1741000000)) != AD_OK)
		return ad_strerror(r);
	return ad_buf_str(&o);
}

static void
test_formats(void)
{
	struct ad_block_policy pol;
	struct ad_diag d = { 0 };
	struct ad_cidr own[1];
	struct ad_block *b;
	struct ad_addr a[8], cl;
	struct ad_buf o;
	const char *ok = "Mar  3 10:00:01 web1 sshd[5]: Accepted publickey "
	    "for deploy from 203.0.113.1 port 22 ssh2";
	size_t n;

	ad_block_policy_init(&pol);
	pol.n_own = cidrs("192.0.2.0/24", own);
	pol.own = own;
	n = addrs("203.0.113.0 203.0.113.1 2001:db8::9 192.0.2.5", a);
	if (ad_block_compute(a, n, &pol, &b, &d) != AD_OK)
		return;

	TEST_START("format cidr");
	ASSERT_STR_EQ(render(b, AD_BLOCK_CIDR, 604800),
	    "203.0.113.0/31\n2001:db8::9/128\n");
	TEST_DONE();

	TEST_START("format list, logs not checked");
	ASSERT_STR_EQ(render(b, AD_BLOCK_LIST, 604800),
	    "# abusedesk block advice: 2 ranges for 3 offending addresses;"
	    " temporary, 7d (until 2025-03-10T11:06:40Z)\n"
	    "# a block is never announced to the network that holds the range\n"
	    "# not blocked: 1 in our own networks, 0 on the allowlist\n"
	    "203.0.113.0/31       2 addresses, 2 offending, logs not checked"
	    " for legitimate traffic\n"
	    "2001:db8::9/128      1 address, 1 offending, logs not checked"
	    " for legitimate traffic\n");
	TEST_DONE();

	TEST_START("legit lines are counted against their entry");
	b->legit_checked = true;
	ASSERT_TRUE(ad_block_legit_line(ok, strlen(ok), &cl));
	ASSERT_TRUE(ad_block_note_legit(b, &cl, ok, strlen(ok)));
	ASSERT_TRUE(ad_addr_parse("2001:db8::8", 11, &cl));
	ASSERT_FALSE(ad_block_note_legit(b, &cl, "x", 1));
	ASSERT_INT_EQ(b->entries[0].legit_lines, 1);
	ASSERT_INT_EQ(b->entries[0].legit_offender_lines, 1);
	ASSERT_INT_EQ(b->entries[1].legit_lines, 0);
	TEST_DONE();

	TEST_START("format list with legitimate traffic, permanent");
	ASSERT_STR_EQ(render(b, AD_BLOCK_LIST, 0),
	    "# abusedesk block advice: 2 ranges for 3 offending addresses;"
	    " permanent\n"
	    "# a block is never announced to the network that holds the range\n"
	    "# not blocked: 1 in our own networks, 0 on the allowlist\n"
	    "203.0.113.0/31       2 addresses, 2 offending, legitimate traffic"
	    " seen: 1 line (1 from the offenders)\n"
	    "    e.g. Mar  3 10:00:01 web1 sshd[5]: Accepted publickey for"
	    " deploy from 203.0.113.1 port 22 ssh2\n"
	    "2001:db8::9/128      1 address, 1 offending, no legitimate"
	    " traffic seen\n");
	TEST_DONE();

	TEST_START("format nft, temporary");
	ASSERT_STR_EQ(render(b, AD_BLOCK_NFT, 90000),
	    "# abusedesk block advice: 2 ranges for 3 offending addresses;"
	    " temporary, 1d1h (until 2025-03-04T12:06:40Z)\n"
	    "# a block is never announced to the network that holds the range\n"
	    "# not blocked: 1 in our own networks, 0 on the allowlist\n"
	    "# once:\n"
	    "#   nft add table inet filter\n"
	    "#   nft add chain inet filter input '{ type filter hook input"
	    " priority 0; }'\n"
	    "#   nft add set inet filter abusedesk_block '{ type ipv4_addr;"
	    " flags interval, timeout; }'\n"
	    "#   nft add set inet filter abusedesk_block6 '{ type ipv6_addr;"
	    " flags interval, timeout; }'\n"
	    "#   nft add rule inet filter input ip saddr @abusedesk_block drop\n"
	    "#   nft add rule inet filter input ip6 saddr @abusedesk_block6"
	    " drop\n"
	    "# 203.0.113.0/31: 2 addresses, 2 offending, legitimate traffic"
	    " seen: 1 line (1 from the offenders)\n"
	    "nft add element inet filter abusedesk_block { 203.0.113.0/31"
	    " timeout 1d1h }\n"
	    "# 2001:db8::9/128: 1 address, 1 offending, no legitimate traffic"
	    " seen\n"
	    "nft add element inet filter abusedesk_block6 { 2001:db8::9/128"
	    " timeout 1d1h }\n");
	TEST_DONE();

	TEST_START("format iptables (ipset), temporary and permanent");
	ASSERT_STR_EQ(render(b, AD_BLOCK_IPTABLES, 604800),
	    "# abusedesk block advice: 2 ranges for 3 offending addresses;"
	    " temporary, 7d (until 2025-03-10T11:06:40Z)\n"
	    "# a block is never announced to the network that holds the range\n"
	    "# not blocked: 1 in our own networks, 0 on the allowlist\n"
	    "# once:\n"
	    "#   ipset create abusedesk-block hash:net family inet timeout 0\n"
	    "#   ipset create abusedesk-block6 hash:net family inet6 timeout 0\n"
	    "#   iptables -I INPUT -m set --match-set abusedesk-block src -j"
	    " DROP\n"
	    "#   ip6tables -I INPUT -m set --match-set abusedesk-block6 src -j"
	    " DROP\n"
	    "# 203.0.113.0/31: 2 addresses, 2 offending, legitimate traffic"
	    " seen: 1 line (1 from the offenders)\n"
	    "ipset -exist add abusedesk-block 203.0.113.0/31 timeout 604800\n"
	    "# 2001:db8::9/128: 1 address, 1 offending, no legitimate traffic"
	    " seen\n"
	    "ipset -exist add abusedesk-block6 2001:db8::9/128 timeout"
	    " 604800\n");
	ASSERT_TRUE(strstr(render(b, AD_BLOCK_IPTABLES, 0),
	    "\nipset -exist add abusedesk-block 203.0.113.0/31\n") != NULL);
	ASSERT_STR_EQ(render(b, AD_BLOCK_IPTABLES, 30 * 86400),
	    ad_strerror(AD_ERR_USAGE));
	TEST_DONE();

	TEST_START("format pf");
	ASSERT_STR_EQ(render(b, AD_BLOCK_PF, 604800),
	    "# abusedesk block advice: 2 ranges for 3 offending addresses;"
	    " temporary, 7d (until 2025-03-10T11:06:40Z)\n"
	    "# a block is never announced to the network that holds the range\n"
	    "# not blocked: 1 in our own networks, 0 on the allowlist\n"
	    "# pf.conf, once:\n"
	    "#   table <abusedesk_block> persist file"
	    " \"/etc/pf.abusedesk_block\"\n"
	    "#   block drop in quick from <abusedesk_block>\n"
	    "# load this file: pfctl -t abusedesk_block -T replace -f"
	    " /etc/pf.abusedesk_block\n"
	    "# or one by one: pfctl -t abusedesk_block -T add 203.0.113.0/31\n"
	    "# expire (daily): pfctl -t abusedesk_block -T expire 604800\n"
	    "# 203.0.113.0/31: 2 addresses, 2 offending, legitimate traffic"
	    " seen: 1 line (1 from the offenders)\n"
	    "203.0.113.0/31\n"
	    "# 2001:db8::9/128: 1 address, 1 offending, no legitimate traffic"
	    " seen\n"
	    "2001:db8::9/128\n");
	TEST_DONE();

	TEST_START("json entry");
	ad_buf_init(&o, 4096);
	ASSERT_INT_EQ(ad_block_entry_json(&o, b, &b->entries[0], 604800,
	    1741000000), AD_OK);
	ASSERT_STR_EQ(ad_buf_str(&o), "{\"cidr\":\"203.0.113.0/31\","
	    "\"family\":4,\"prefix\":31,\"addresses\":2,\"host_bits\":1,"
	    "\"offending\":2,\"legit_lines\":1,\"legit_offender_lines\":1,"
	    "\"example\":\"Mar  3 10:00:01 web1 sshd[5]: Accepted publickey for"
	    " deploy from 203.0.113.1 port 22 ssh2\","
	    "\"expires\":\"2025-03-10T11:06:40Z\"}");
	ad_buf_reset(&o);
	ASSERT_INT_EQ(ad_block_entry_json(&o, b, &b->entries[1], 0,
	    1741000000), AD_OK);
	ASSERT_STR_EQ(ad_buf_str(&o), "{\"cidr\":\"2001:db8::9/128\","
	    "\"family\":6,\"prefix\":128,\"addresses\":1,\"host_bits\":0,"
	    "\"offending\":1,\"legit_lines\":0,\"legit_offender_lines\":0,"
	    "\"example\":null,\"expires\":null}");
	ad_buf_free(&o);
	TEST_DONE();

	TEST_START("format names");
	ASSERT_INT_EQ(ad_block_format_from_name("nft"), AD_BLOCK_NFT);
	ASSERT_INT_EQ(ad_block_format_from_name("ipset"), AD_BLOCK_IPTABLES);
	ASSERT_INT_EQ(ad_block_format_from_name("bogus"), -1);
	ASSERT_STR_EQ(ad_block_format_name(AD_BLOCK_PF), "pf");
	TEST_DONE();
	ad_block_free(b);
	(void)render(NULL, AD_BLOCK_CIDR, -1);	/* frees the static buffer */
}

static void
test_v6_sizes(void)
{
	struct ad_block_policy pol;
	struct ad_diag d = { 0 };
	struct ad_block *b;
	struct ad_addr a[2];
	struct ad_buf o;

	ad_block_policy_init(&pol);
	TEST_START("v6 /64: 2^64 addresses, in the listing and JSON");
	ASSERT_INT_EQ(ad_block_parse_aggregate(&pol, 6, "64:1", &d), AD_OK);
	if (ad_block_compute(a, addrs("2001:db8:0:5::1", a), &pol, &b, &d) !=
	    AD_OK) {
		TH_FAIL("%s", d.msg);
		TEST_DONE();
		return;
	}
	ad_buf_init(&o, 4096);
	ASSERT_INT_EQ(ad_block_write(&o, b, AD_BLOCK_CIDR, 0, 0), AD_OK);
	ASSERT_STR_EQ(ad_buf_str(&o), "2001:db8:0:5::/64\n");
	ad_buf_reset(&o);
	ASSERT_INT_EQ(ad_block_entry_json(&o, b, &b->entries[0], 0, 0), AD_OK);
	ASSERT_TRUE(strstr(ad_buf_str(&o),
	    "\"addresses\":\"2^64\",\"host_bits\":64,") != NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&o), "\"legit_lines\":null") != NULL);
	ad_buf_free(&o);
	ad_block_free(b);
	TEST_DONE();
}

int
main(void)
{
	test_exact();
	test_aggregate();
	test_bounds();
	test_exclusions();
	test_sizes();
	test_legit();
	test_formats();
	test_v6_sizes();
	TESTS_END();
}
