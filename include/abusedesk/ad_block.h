/*
 * ad_block.h - block advice: the smallest set of CIDRs that covers the
 * addresses that kept attacking, what each costs, and the firewall text.
 *
 * Blocking is the last resort (issue 6), so the cover is exact unless the
 * user asks otherwise: one /32 (/128) per offending address, merged only
 * where every address of a prefix offends (two neighbours .0 and .1 become
 * a /31; .1 and .2 stay two /32s, because .0/30 would block .0 and .3).
 * That is the minimal CIDR partition of the set itself (ad_range_to_cidrs
 * over each run of consecutive addresses).
 *
 * Aggregation is opt-in per family ("24:4": block the /24 when at least 4
 * of its addresses offend). Two rules bound every cover:
 *   - never a prefix shorter than `widest` (default /16 and /32): a wider
 *     result is cut into pieces of that size;
 *   - never an address of our own networks or of the allowlist: such an
 *     offender is dropped (and counted), and an aggregate that would cover
 *     one is split in halves until no piece does; a piece still holding at
 *     least `min` offenders stays aggregated, the others fall back to exact
 *     addresses, and pieces without offenders are dropped.
 *
 * Cost per CIDR: its size (2^host_bits addresses, written "256" or "2^64"),
 * how many offenders it holds, and the lines of our own logs that show
 * legitimate traffic from inside it (ad_block_check_file): a successful
 * sshd login, a web request answered 2xx/3xx, a postfix "client=" line
 * (mail it accepted), a dovecot "Login:". The log parsers (ad_parse.h)
 * report hostile lines only, so the few success lines are recognised here,
 * in one place (ad_block_legit_line).
 *
 * Block advice never writes to the store and never sends anything: a block
 * is not announced to the network that holds the range.
 *
 * Everything here is pure except ad_block_check_file, which reads a log.
 */
#ifndef AD_BLOCK_H
#define AD_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_buf.h"
#include "ad_ctx.h"
#include "ad_err.h"
#include "ad_ip.h"

#define AD_BLOCK_EXAMPLE_MAX	200	/* bytes of the example line kept */
/* ipset refuses timeouts above this many seconds (about 24.8 days). */
#define AD_BLOCK_IPSET_TIMEOUT_MAX	2147483LL

/* Index of the per-family fields of a policy: [AD_BLOCK_V4], [AD_BLOCK_V6]. */
enum { AD_BLOCK_V4 = 0, AD_BLOCK_V6 = 1 };

struct ad_block_policy {
	/* Aggregation: prefix 0 = off (exact cover). */
	uint8_t			 agg_prefix[2];
	unsigned		 agg_min[2];
	/* Never a prefix shorter than this (0 = the defaults 16 and 32). */
	uint8_t			 widest[2];
	/* Never covered; borrowed (cfg own_networks and allowlist). */
	const struct ad_cidr	*own;
	size_t			 n_own;
	const struct ad_cidr	*allow;
	size_t			 n_allow;
};

struct ad_block_entry {
	struct ad_cidr	cidr;
	unsigned	host_bits;	/* it blocks 2^host_bits addresses */
	uint64_t	offending;	/* offenders inside */
	uint64_t	legit_lines;	/* success lines from inside ... */
	uint64_t	legit_offender_lines;	/* ... of which from offenders */
	/* The first success line seen, preferably from a non-offender. */
	char		example[AD_BLOCK_EXAMPLE_MAX + 1];
	bool		example_from_offender;
};

struct ad_block {
	struct ad_block_entry	*entries;	/* sorted, disjoint */
	size_t			 n;
	struct ad_addr		*offenders;	/* sorted, unique, blockable */
	size_t			 n_offenders;
	size_t			 n_own;		/* offenders dropped: own networks */
	size_t			 n_allow;	/* ... the allowlist */
	bool			 legit_checked;	/* a log was read for it */
};

/* Sets the defaults: exact cover, widest /16 and /32, no exclusions. */
void	ad_block_policy_init(struct ad_block_policy *pol);

/*
 * Reads an aggregation "PREFIX:MIN" (e.g. "24:4", "64:2") for family af
 * (4 or 6) into pol. Returns AD_OK, or AD_ERR_USAGE with diag filled
 * (bad text, a prefix out of range for the family, MIN < 1).
 */
int	ad_block_parse_aggregate(struct ad_block_policy *pol, int af,
	    const char *s, struct ad_diag *diag) AD_WUR;

/*
 * Computes the cover of addrs[0..n) (any mix of families; af 0 entries and
 * duplicates are ignored) under pol. *out is allocated (ad_block_free).
 * Returns AD_OK, AD_ERR_USAGE (diag: an aggregation wider than `widest`),
 * AD_ERR_NOMEM.
 */
int	ad_block_compute(const struct ad_addr *addrs, size_t n,
	    const struct ad_block_policy *pol, struct ad_block **out,
	    struct ad_diag *diag) AD_WUR;
void	ad_block_free(struct ad_block *b);

/* "203.0.113.0/24"; returns buf. */
char	*ad_cidr_format(const struct ad_cidr *c, char buf[AD_ADDR_STRLEN + 4]);
/* 2^bits as decimal when below 2^53, else "2^64"; returns buf. */
char	*ad_block_size_text(unsigned host_bits, char buf[24]);

/*
 * Recognises a line showing legitimate traffic and its client address:
 *   sshd      "Accepted <method> for USER from ADDR port N"
 *   web       an access-log line (common, combined, vhost) whose first
 *             field is the client address, answered 2xx or 3xx
 *   postfix   "<queue id>: client=NAME[ADDR]" (mail it accepted)
 *   dovecot   "<proto>-login: Login: user=<..>, ..., rip=ADDR"
 * The syslog tag is found first and the message must start with the
 * marker, so a user name that quotes one cannot fake a line.
 * Returns true with *client set, false otherwise.
 */
bool	ad_block_legit_line(const char *line, size_t len,
	    struct ad_addr *client);

/*
 * Counts one success line of client against the entry that contains it
 * (if any); keeps the first line as the example. Returns true if counted.
 */
bool	ad_block_note_legit(struct ad_block *b, const struct ad_addr *client,
	    const char *line, size_t len);

/*
 * Reads a log (plain, .gz, "-" stdin; ad_ingest.h) and notes every success
 * line. *lines (may be NULL) gets the number of lines read.
 * Returns AD_OK or AD_ERR_IO with diag filled.
 */
int	ad_block_check_file(struct ad_ctx *ctx, struct ad_block *b,
	    const char *path, uint64_t *lines, struct ad_diag *diag) AD_WUR;

enum ad_block_format {
	AD_BLOCK_LIST = 0,	/* the human listing with costs */
	AD_BLOCK_CIDR,		/* one CIDR per line, nothing else */
	AD_BLOCK_NFT,		/* nft add element ... (sets abusedesk_block{,6}) */
	AD_BLOCK_IPTABLES,	/* ipset add ... (sets abusedesk-block{,6}) */
	AD_BLOCK_PF,		/* a pf table file <abusedesk_block> */
};

/* "list", "cidr", "nft", "iptables", "pf" and back; -1 unknown. */
const char *ad_block_format_name(enum ad_block_format f);
int	ad_block_format_from_name(const char *name);

/*
 * Appends the advice in format f. expire: seconds a temporary block lasts,
 * 0 = permanent. now: the UTC second the listing dates expiries from.
 * Returns AD_OK, AD_ERR_LIMIT (buffer maximum), AD_ERR_USAGE (an expiry
 * ipset cannot hold, with the iptables format).
 */
int	ad_block_write(struct ad_buf *out, const struct ad_block *b,
	    enum ad_block_format f, int64_t expire, int64_t now) AD_WUR;

/*
 * Appends entry e of b as a JSON object (no newline): cidr, family,
 * prefix, addresses (a number below 2^53, else the text "2^N"), host_bits,
 * offending, legit_lines (null when no log was checked),
 * legit_offender_lines, example (null: none), expires (UTC ISO 8601, null
 * when permanent).
 */
int	ad_block_entry_json(struct ad_buf *out, const struct ad_block *b,
	    const struct ad_block_entry *e, int64_t expire, int64_t now) AD_WUR;

#endif
