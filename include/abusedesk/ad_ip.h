/*
 * ad_ip.h - IP addresses and CIDR ranges, parsed from untrusted text.
 *
 * Every address is kept in 16 bytes; IPv4 is stored IPv4-mapped
 * (::ffff:a.b.c.d) with af = 4, so one comparison serves both families and
 * a log that writes ::ffff:1.2.3.4 names the same source as one that writes
 * 1.2.3.4. Parsing never allocates and never reads past `end`.
 */
#ifndef AD_IP_H
#define AD_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AD_ADDR_STRLEN	46	/* INET6_ADDRSTRLEN */

struct ad_addr {
	uint8_t	af;	/* 0 = none, 4 or 6 */
	uint8_t	b[16];
};

struct ad_cidr {
	struct ad_addr	addr;	/* network address, host bits cleared */
	uint8_t		prefix;	/* 0..32 for af 4, 0..128 for af 6 */
};

/* What kind of space an address belongs to (IANA special-purpose registries). */
enum ad_addr_class {
	AD_ADDR_PUBLIC = 0,
	AD_ADDR_PRIVATE,	/* RFC 1918, RFC 4193 ULA */
	AD_ADDR_SHARED,		/* RFC 6598 carrier-grade NAT */
	AD_ADDR_LOOPBACK,
	AD_ADDR_LINKLOCAL,
	AD_ADDR_DOCUMENTATION,	/* RFC 5737, RFC 3849 */
	AD_ADDR_MULTICAST,
	AD_ADDR_RESERVED,	/* unspecified, benchmarking, 240/4, ... */
};

/*
 * Parses an address at [p, end). Accepts dotted IPv4 (zero-padded octets are
 * read as decimal, as log writers mean them), IPv6 with an optional %zone
 * (dropped) and embedded IPv4, and folds IPv4-mapped IPv6 to IPv4.
 * Returns the number of bytes consumed, or 0 if the text is not an address.
 * The caller decides what may follow (a space, ':', ']', ...).
 */
size_t	ad_addr_scan(const char *p, const char *end, struct ad_addr *out);

/* Like ad_addr_scan but the whole of [s, s+n) must be the address. */
bool	ad_addr_parse(const char *s, size_t n, struct ad_addr *out);

/* Writes the canonical text form (RFC 5952 for IPv6); returns buf. */
char	*ad_addr_format(const struct ad_addr *a, char buf[AD_ADDR_STRLEN]);

bool	ad_addr_equal(const struct ad_addr *a, const struct ad_addr *b);
/* Total order: IPv4 before IPv6, then numeric (sorting, binary search). */
int	ad_addr_cmp(const struct ad_addr *a, const struct ad_addr *b);

/* Parses "addr/prefix" or a bare address (full-length prefix). */
bool	ad_cidr_parse(const char *s, size_t n, struct ad_cidr *out);
bool	ad_cidr_contains(const struct ad_cidr *c, const struct ad_addr *a);
/* Whether the first bits (of 128; IPv4-mapped) of a are those of net. */
bool	ad_prefix_match(const uint8_t net[16], unsigned bits,
	    const uint8_t a[16]);

enum ad_addr_class ad_addr_classify(const struct ad_addr *a);
/* "public", "private", ... ; static string. */
const char *ad_addr_class_name(enum ad_addr_class c);

#endif
