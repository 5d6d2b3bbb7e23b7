/*
 * format.c - block advice as text: the listing with its costs, and what
 * nft, ipset (iptables) and pf take.
 *
 * IPv4 and IPv6 go to two sets (abusedesk_block and abusedesk_block6)
 * because an nft set or ipset holds one family. The one-time set-up is
 * written as comments, so the output can be piped to sh every run.
 */
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_block.h"
#include "abusedesk/ad_json.h"
#include "abusedesk/ad_time.h"

static const char *const format_names[] = {
	[AD_BLOCK_LIST] = "list",
	[AD_BLOCK_CIDR] = "cidr",
	[AD_BLOCK_NFT] = "nft",
	[AD_BLOCK_IPTABLES] = "iptables",
	[AD_BLOCK_PF] = "pf",
};

const char *
ad_block_format_name(enum ad_block_format f)
{
	return (unsigned)f < sizeof(format_names) / sizeof(format_names[0]) ?
	    format_names[f] : "?";
}

int
ad_block_format_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(name, format_names[i]) == 0)
			return (int)i;
	if (strcmp(name, "ipset") == 0)
		return AD_BLOCK_IPTABLES;
	return -1;
}

/* nft's duration syntax: "7d", "1d12h", "90s" -> "1m30s". */
static char *
duration_text(int64_t s, char buf[32])
{
	static const struct { int64_t sec; char unit; } u[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' },
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < 4 && n < 28; i++) {
		if (s / u[i].sec == 0)
			continue;
		n += (size_t)snprintf(buf + n, 32 - n, "%lld%c",
		    (long long)(s / u[i].sec), u[i].unit);
		s %= u[i].sec;
	}
	return buf;
}

static char *
expiry_text(int64_t expire, int64_t now, char buf[AD_ISO_STRLEN])
{
	struct ad_instant t = { .utc = now + expire, .valid = true };

	return ad_instant_format_utc(&t, buf);
}

/* "256 addresses, 5 offending, legitimate traffic: 3 lines (1 ...)" */
static int
cost_text(struct ad_buf *o, const struct ad_block *b,
    const struct ad_block_entry *e)
{
	char sz[24];
	int r;

	if ((r = ad_buf_addf(o, "%s address%s, %llu offending, ",
	    ad_block_size_text(e->host_bits, sz), e->host_bits ? "es" : "",
	    (unsigned long long)e->offending)) != AD_OK)
		return r;
	if (!b->legit_checked)
		return ad_buf_adds(o, "logs not checked for legitimate traffic");
	if (e->legit_lines == 0)
		return ad_buf_adds(o, "no legitimate traffic seen");
	return ad_buf_addf(o, "legitimate traffic seen: %llu line%s"
	    " (%llu from the offenders)", (unsigned long long)e->legit_lines,
	    e->legit_lines == 1 ? "" : "s",
	    (unsigned long long)e->legit_offender_lines);
}

/* The summary comment every format but cidr starts with. */
static int
header(struct ad_buf *o, const struct ad_block *b, int64_t expire,
    int64_t now)
{
	char d[32], t[AD_ISO_STRLEN];
	int r;

	if ((r = ad_buf_addf(o, "# abusedesk block advice: %zu range%s for %zu"
	    " offending address%s; ", b->n, b->n == 1 ? "" : "s",
	    b->n_offenders, b->n_offenders == 1 ? "" : "es")) != AD_OK)
		return r;
	r = expire ? ad_buf_addf(o, "temporary, %s (until %s)\n",
	    duration_text(expire, d), expiry_text(expire, now, t)) :
	    ad_buf_adds(o, "permanent\n");
	if (r == AD_OK)
		r = ad_buf_adds(o, "# a block is never announced to the network"
		    " that holds the range\n");
	if (r == AD_OK && (b->n_own || b->n_allow))
		r = ad_buf_addf(o, "# not blocked: %zu in our own networks,"
		    " %zu on the allowlist\n", b->n_own, b->n_allow);
	return r;
}

static int
write_list(struct ad_buf *o, const struct ad_block *b, int64_t expire,
    int64_t now)
{
	const struct ad_block_entry *e;
	char c[AD_ADDR_STRLEN + 4];
	size_t i;
	int r;

	if ((r = header(o, b, expire, now)) != AD_OK)
		return r;
	for (i = 0; i < b->n; i++) {
		e = &b->entries[i];
		if ((r = ad_buf_addf(o, "%-20s ", ad_cidr_format(&e->cidr,
		    c))) != AD_OK || (r = cost_text(o, b, e)) != AD_OK ||
		    (r = ad_buf_addc(o, '\n')) != AD_OK)
			return r;
		if (e->example[0] && ((r = ad_buf_adds(o, "    e.g. ")) !=
		    AD_OK || (r = ad_buf_add_printable(o, e->example,
		    strlen(e->example))) != AD_OK ||
		    (r = ad_buf_addc(o, '\n')) != AD_OK))
			return r;
	}
	return AD_OK;
}

static int
entry_comment(struct ad_buf *o, const struct ad_block *b,
    const struct ad_block_entry *e)
{
	char c[AD_ADDR_STRLEN + 4];
	int r;

	if ((r = ad_buf_addf(o, "# %s: ", ad_cidr_format(&e->cidr, c))) !=
	    AD_OK || (r = cost_text(o, b, e)) != AD_OK)
		return r;
	return ad_buf_addc(o, '\n');
}

static const char nft_setup[] =
"# once:\n"
"#   nft add table inet filter\n"
"#   nft add chain inet filter input '{ type filter hook input priority 0; }'\n"
"#   nft add set inet filter abusedesk_block"
    " '{ type ipv4_addr; flags interval, timeout; }'\n"
"#   nft add set inet filter abusedesk_block6"
    " '{ type ipv6_addr; flags interval, timeout; }'\n"
"#   nft add rule inet filter input ip saddr @abusedesk_block drop\n"
"#   nft add rule inet filter input ip6 saddr @abusedesk_block6 drop\n";

static const char ipset_setup[] =
"# once:\n"
"#   ipset create abusedesk-block hash:net family inet timeout 0\n"
"#   ipset create abusedesk-block6 hash:net family inet6 timeout 0\n"
"#   iptables -I INPUT -m set --match-set abusedesk-block src -j DROP\n"
"#   ip6tables -I INPUT -m set --match-set abusedesk-block6 src -j DROP\n";

static const char pf_setup[] =
"# pf.conf, once:\n"
"#   table <abusedesk_block> persist file \"/etc/pf.abusedesk_block\"\n"
"#   block drop in quick from <abusedesk_block>\n"
"# load this file: pfctl -t abusedesk_block -T replace"
    " -f /etc/pf.abusedesk_block\n";

static int
write_rules(struct ad_buf *o, const struct ad_block *b,
    enum ad_block_format f, int64_t expire, int64_t now)
{
	const struct ad_block_entry *e;
	char c[AD_ADDR_STRLEN + 4], d[32];
	size_t i;
	int r;

	if ((r = header(o, b, expire, now)) != AD_OK ||
	    (r = ad_buf_adds(o, f == AD_BLOCK_NFT ? nft_setup :
	    f == AD_BLOCK_IPTABLES ? ipset_setup : pf_setup)) != AD_OK)
		return r;
	if (f == AD_BLOCK_PF && (r = ad_buf_addf(o, "# or one by one: pfctl"
	    " -t abusedesk_block -T add %s\n", b->n ? ad_cidr_format(
	    &b->entries[0].cidr, c) : "ADDRESS")) != AD_OK)
		return r;
	/* pf tables keep no per-entry timeout: age them out instead. */
	if (f == AD_BLOCK_PF && expire && (r = ad_buf_addf(o, "# expire"
	    " (daily): pfctl -t abusedesk_block -T expire %lld\n",
	    (long long)expire)) != AD_OK)
		return r;
	for (i = 0; i < b->n; i++) {
		bool v6;

		e = &b->entries[i];
		v6 = e->cidr.addr.af == 6;
		ad_cidr_format(&e->cidr, c);
		if ((r = entry_comment(o, b, e)) != AD_OK)
			return r;
		if (f == AD_BLOCK_NFT)
			r = ad_buf_addf(o, "nft add element inet filter "
			    "abusedesk_block%s { %s%s%s }\n", v6 ? "6" : "", c,
			    expire ? " timeout " : "",
			    expire ? duration_text(expire, d) : "");
		else if (f == AD_BLOCK_IPTABLES && expire)
			r = ad_buf_addf(o, "ipset -exist add abusedesk-block%s"
			    " %s timeout %lld\n", v6 ? "6" : "", c,
			    (long long)expire);
		else if (f == AD_BLOCK_IPTABLES)
			r = ad_buf_addf(o, "ipset -exist add abusedesk-block%s"
			    " %s\n", v6 ? "6" : "", c);
		else
			r = ad_buf_addf(o, "%s\n", c);
		if (r != AD_OK)
			return r;
	}
	return AD_OK;
}

int
ad_block_write(struct ad_buf *o, const struct ad_block *b,
    enum ad_block_format f, int64_t expire, int64_t now)
{
	char c[AD_ADDR_STRLEN + 4];
	size_t i;
	int r;

	if (expire < 0 || (f == AD_BLOCK_IPTABLES &&
	    expire > AD_BLOCK_IPSET_TIMEOUT_MAX))
		return AD_ERR_USAGE;
	switch (f) {
	case AD_BLOCK_LIST:
		return write_list(o, b, expire, now);
	case AD_BLOCK_CIDR:
		for (i = 0; i < b->n; i++)
			if ((r = ad_buf_addf(o, "%s\n", ad_cidr_format(
			    &b->entries[i].cidr, c))) != AD_OK)
				return r;
		return AD_OK;
	case AD_BLOCK_NFT:
	case AD_BLOCK_IPTABLES:
	case AD_BLOCK_PF:
		return write_rules(o, b, f, expire, now);
	}
	return AD_ERR_USAGE;
}

int
ad_block_entry_json(struct ad_buf *o, const struct ad_block *b,
    const struct ad_block_entry *e, int64_t expire, int64_t now)
{
	char c[AD_ADDR_STRLEN + 4], sz[24], t[AD_ISO_STRLEN];
	bool first = true;
	int r;

	if ((r = ad_buf_addc(o, '{')) != AD_OK ||
	    (r = ad_json_kv_str(o, &first, "cidr", ad_cidr_format(&e->cidr,
	    c))) != AD_OK ||
	    (r = ad_json_kv_int(o, &first, "family", e->cidr.addr.af)) ||
	    (r = ad_json_kv_int(o, &first, "prefix", e->cidr.prefix)))
		return r;
	if (e->host_bits < 53)
		r = ad_json_kv_int(o, &first, "addresses",
		    (int64_t)1 << e->host_bits);
	else
		r = ad_json_kv_str(o, &first, "addresses",
		    ad_block_size_text(e->host_bits, sz));
	if (r != AD_OK ||
	    (r = ad_json_kv_int(o, &first, "host_bits", e->host_bits)) ||
	    (r = ad_json_kv_int(o, &first, "offending",
	    (int64_t)e->offending)) != AD_OK)
		return r;
	if (b->legit_checked)
		r = ad_json_kv_int(o, &first, "legit_lines",
		    (int64_t)e->legit_lines);
	else
		r = ad_json_kv_null(o, &first, "legit_lines");
	if (r != AD_OK ||
	    (r = ad_json_kv_int(o, &first, "legit_offender_lines",
	    (int64_t)e->legit_offender_lines)) != AD_OK ||
	    (r = ad_json_kv_str(o, &first, "example", e->example[0] ?
	    e->example : NULL)) != AD_OK ||
	    (r = ad_json_kv_str(o, &first, "expires", expire ?
	    expiry_text(expire, now, t) : NULL)) != AD_OK)
		return r;
	return ad_buf_addc(o, '}');
}
