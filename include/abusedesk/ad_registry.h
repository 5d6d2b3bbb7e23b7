/*
 * ad_registry.h - which service to ask first: RDAP base URLs and whois
 * servers by address range or AS number range.
 *
 * Two kinds of table, each matched by the longest (most specific) prefix or
 * the narrowest AS range:
 *   - the shipped tables, data/rdap-bootstrap.tsv and data/whois-servers.tsv,
 *     built by scripts/gen-tables.py from the IANA and RIR registries and
 *     compiled into the binary (or replaced by a refreshed copy, see
 *     `abusedesk tables refresh`);
 *   - tables the user adds (--rdap-bootstrap FILE in IANA's JSON format,
 *     --whois-servers FILE in our TSV format). A user entry that matches
 *     wins over every shipped entry, however specific: the user said so.
 *
 * TSV format, one entry a line, '#' comments:
 *   CIDR|ASn|ASn-ASm <TAB or spaces> target [target...]
 * where a target is an RDAP base URL (https://host/path/) in the RDAP table,
 * and host, host:port, whois://host[:port] or rwhois://host:port in the
 * whois table.
 *
 * A registry owns copies of everything it loaded; returned strings are
 * borrowed until ad_registry_free().
 */
#ifndef AD_REGISTRY_H
#define AD_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_err.h"
#include "ad_ip.h"

#define AD_REGISTRY_ENTRIES_MAX	100000	/* per table */
#define AD_REGISTRY_TARGETS_MAX	4	/* URLs kept per entry */
#define AD_REGISTRY_LINE_MAX	2048

enum ad_registry_kind {
	AD_REG_RDAP,
	AD_REG_WHOIS,
};

/* Whether a table came with abusedesk or from the user (user wins). */
enum ad_registry_origin {
	AD_REG_SHIPPED,
	AD_REG_USER,
};

struct ad_registry;

/* Creates an empty registry; *out is NULL on failure. AD_OK or AD_ERR_NOMEM. */
int	ad_registry_new(struct ad_registry **out) AD_WUR;
void	ad_registry_free(struct ad_registry *r);

/*
 * Adds the compiled-in tables (data/ tables at build time) as SHIPPED, unless
 * dir is non-NULL and holds a refreshed rdap-bootstrap.tsv/whois-servers.tsv
 * (each file found there replaces its compiled-in table).
 */
int	ad_registry_load_shipped(struct ad_registry *r, const char *dir,
	    struct ad_diag *diag) AD_WUR;

/* Adds a TSV table from memory; `where` names it in diagnostics. */
int	ad_registry_load_tsv(struct ad_registry *r, enum ad_registry_kind kind,
	    enum ad_registry_origin origin, const char *text, size_t len,
	    const char *where, struct ad_diag *diag) AD_WUR;

/*
 * Adds an IANA RDAP bootstrap file (RFC 9224: {"services": [[[keys],
 * [urls]], ...]}); IPv4, IPv6 and ASN files are told apart by their keys,
 * so any of the three may be given. Only https URLs are kept when a service
 * lists one. AD_ERR_PARSE on a malformed file.
 */
int	ad_registry_load_bootstrap(struct ad_registry *r,
	    enum ad_registry_origin origin, const char *json, size_t len,
	    const char *where, struct ad_diag *diag) AD_WUR;

/* Reads a file and calls the loader for its kind (bootstrap when kind is RDAP
 * and the file starts with '{', TSV otherwise). */
int	ad_registry_load_file(struct ad_registry *r, enum ad_registry_kind kind,
	    enum ad_registry_origin origin, const char *path,
	    struct ad_diag *diag) AD_WUR;

/*
 * The targets for an address (asn == false) or an AS number: fills up to
 * max borrowed strings into out and sets *n. Returns 1 found, 0 none.
 */
int	ad_registry_find(const struct ad_registry *r, enum ad_registry_kind kind,
	    const struct ad_addr *addr, const char **out, size_t max, size_t *n);
int	ad_registry_find_asn(const struct ad_registry *r,
	    enum ad_registry_kind kind, uint32_t asn, const char **out,
	    size_t max, size_t *n);

/* The registry name ("ARIN", "RIPE NCC", "JPNIC", ...) a server or URL
 * belongs to, from its host name; "" when unknown. Static string. */
const char *ad_registry_name(const char *server_or_url);

/*
 * Writes a TSV table from IANA bootstrap JSON files (any of ipv4, ipv6, asn,
 * in any order) with a header naming `source` and `date`: what
 * `abusedesk tables refresh` writes. *out is allocated (ad_free).
 */
int	ad_registry_bootstrap_to_tsv(const char *const *json, const size_t *len,
	    size_t n, const char *source, const char *date, char **out,
	    struct ad_diag *diag) AD_WUR;

#endif
