/*
 * ad_config.h - the configuration file, and the same keys from flags.
 *
 * Format: one "key = value" per line, '#' starts a comment, blank lines are
 * ignored; list keys (own_networks, allowlist) may repeat and take several
 * space- or comma-separated entries. Unknown keys are an error (a typo in
 * an allowlist must not silently report an audit the user ordered).
 *
 *   db = /var/lib/abusedesk/abusedesk.db
 *   tz = Europe/Berlin
 *   window = 24h                       # s, m, h, d
 *   threshold.ssh-bruteforce = 5       # events
 *   threshold.port-scan = 20
 *   threshold.port-scan.ports = 5      # distinct destination ports
 *   own_networks = 192.0.2.0/24 2001:db8::/32
 *   allowlist = 198.51.100.7           # e.g. the audit we ordered
 *   documentation_as_public = no       # examples and tests only
 *   threads = 2                        # scan: 1, or 2 (parse and store in parallel)
 *   checkpoint = 1G                    # scan: bytes between commits
 *   parse.web-access.format = %h %l %u %t "%r" %>s %b   # family options
 *
 * "parse.FAMILY.KEY = VALUE" keys are kept as given and handed to the
 * parser (ad_parser_option), which knows the families and their keys.
 *
 * Lookup keys (abusedesk lookup; each also a flag of that verb):
 *   lookup.rdap_bootstrap = FILE       # IANA bootstrap JSON (may repeat)
 *   lookup.whois_servers = FILE        # CIDR|ASn[-ASm] host[:port] (may repeat)
 *   lookup.connect_to = H:P:H2:P2      # curl's --connect-to (may repeat)
 *   lookup.cacert = FILE               # CA bundle for RDAP over HTTPS
 *   lookup.timeout = 10s               # per exchange; a query gets 4x
 *   lookup.via = auto                  # auto, rdap or whois (first query)
 *   lookup.ttl = 7d                    # cache lifetime of an answer
 *   lookup.negative_ttl = 1h           # ... of "nobody knows it"
 *   lookup.rate = 2                    # queries per second per server
 *   lookup.burst = 10                  # token bucket size per server
 *   lookup.parallel = 4                # lookups at once (1: one by one)
 *   lookup.per_server = 1              # queries in flight per server
 *   lookup.parent = yes                # fetch the parent's contact (RDAP up)
 *   lookup.offline = no                # cache and bundled tables only
 *   lookup.tables = DIR                # refreshed tables (tables refresh)
 *
 * Report keys (draft, show, send):
 *   report.name = Jane Doe             # who signs the reports
 *   report.org = Example GmbH
 *   report.email = abuse-reports@example.com   # From:; send refuses without
 *   report.phone = +49 30 1234567      # optional
 *   report.victim = our mail servers   # who was bothered, by role
 *   report.templates = DIR             # overrides of the shipped templates
 *   report.contacts = FILE             # "CIDR email [name]" lines: known
 *                                      # contacts, used before any lookup
 *   report.translate = no              # lead with the contact's language
 *   report.xarf = auto                 # auto (xarf_domains), always, never
 *   report.xarf_domains = abuse.example.net ...   # (may repeat)
 *   report.period = 7d                 # one report per source per period
 *   send.per_domain_hour = 10          # reports per recipient domain
 *   send.per_hour = 60                 # reports in all
 *   send.max_attempts = 8              # temporary failures before giving up
 *   send.retry = 15m                   # first retry delay, doubling
 *   followup.after = 7d                # silence before each next step
 *   followup.auto_send = reminder      # steps approved at once (reminder,
 *                                      # upstream, cert; default: none)
 *   followup.certs = FILE              # national CERTs, over data/certs.tsv
 *
 * Assessment keys (ad_assess.h: is it worth a report, whom to trust):
 *   assess.scanners = FILE             # CIDRs and .suffix names (may repeat)
 *   assess.tor_exits = FILE            # TorDNSEL or one address a line
 *   assess.distrust_org = HANDLE ...   # handle, or a word of the org name
 *   assess.distrust_netname = NAME ... # netname; NAME* matches a prefix
 *   assess.distrust_country = CC ...
 *   assess.distrust_domain = DOMAIN .. # contact or reverse-DNS domain
 *   assess.distrust_asn = AS123 ...    # answers that carry an AS number
 *   assess.distrust_action = upstream  # upstream, hold or skip
 *   assess.spoofable = caveat          # caveat or hold
 *   assess.freemail_action = cc-upstream   # cc-upstream, upstream, hold
 *   assess.residential_action = cc-upstream # report, cc-upstream, upstream
 *   assess.low_confidence_action = cc-upstream # report, cc-upstream, hold
 *   assess.no_contact_action = upstream    # upstream or hold
 *   assess.rdns = yes                  # look up reverse names (draft)
 *   assess.dns_servers = IP[:PORT],... # "" = the system's resolv.conf
 *   assess.dns_timeout = 3s            # per reverse/forward query
 * (lists may repeat and take several space- or comma-separated entries)
 *
 * Relay keys (abusedesk send; ad_deliver.h):
 *   relay.url = smtp://mail.example.org:587   # or smtps://host:465;
 *                                      # unset or empty: sendmail -t
 *   relay.user = reports               # AUTH (then TLS is required)
 *   relay.password = ...               # or, better:
 *   relay.password_file = FILE         # first line of FILE
 *   relay.starttls = yes               # require STARTTLS on smtp://
 *                                      # (default: used when offered)
 *   relay.cacert = FILE                # CA bundle for the relay's cert
 *   relay.helo = host.example.org      # EHLO name (default: libcurl's)
 *   relay.sendmail = /usr/sbin/sendmail   # when relay.url is empty
 *   relay.timeout = 60s                # whole exchange, at most 1h
 */
#ifndef AD_CONFIG_H
#define AD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_deliver.h"
#include "ad_detect.h"
#include "ad_err.h"

#define AD_CONFIG_LIST_MAX	4096	/* entries per list */
#define AD_CONFIG_PARSE_MAX	64	/* parse.* options */

/* One "parse.FAMILY.KEY = VALUE" option. */
struct ad_parse_opt {
	char	family[32];
	char	key[64];
	char	*value;
};

#define AD_CONFIG_FILES_MAX	8
#define AD_CONFIG_CONNECT_TO_MAX 64

struct ad_config_lookup {
	char		rdap_bootstrap[AD_CONFIG_FILES_MAX][1024];
	size_t		n_rdap_bootstrap;
	char		whois_servers[AD_CONFIG_FILES_MAX][1024];
	size_t		n_whois_servers;
	char		connect_to[AD_CONFIG_CONNECT_TO_MAX][300];
	size_t		n_connect_to;
	char		cacert[1024];
	char		tables[1024];	/* "" = $XDG_DATA_HOME/abusedesk/tables */
	long long	timeout;	/* seconds; 0 = default */
	int		via;		/* enum ad_lookup_via */
	long long	ttl, negative_ttl;
	double		rate, burst;
	int		parallel, per_server;	/* 0 = default (4, 1) */
	bool		no_parent;
	bool		offline;
};

#define AD_CONFIG_XARF_MAX	32

struct ad_config_report {
	char		name[128];
	char		org[128];
	char		email[256];
	char		phone[64];
	char		victim[128];
	char		templates[1024];
	char		contacts[1024];
	bool		translate;
	int		xarf;		/* 0 auto, 1 always, -1 never */
	char		xarf_domains[AD_CONFIG_XARF_MAX][256];
	size_t		n_xarf_domains;
	long long	period;		/* seconds; 0 = 7 days */
	long		per_domain_hour, per_hour;	/* 0 = defaults */
	int		max_attempts;
	long long	retry;		/* seconds; 0 = 15 min */
	long long	followup_after;	/* seconds; 0 = 7 days */
	bool		auto_send[3];	/* reminder, upstream, cert */
	char		certs[1024];	/* "" = shipped table only */
};

/*
 * Choices of the assess.*_action keys; AD_POL_DEFAULT lets ad_assess pick
 * its documented default.
 */
enum ad_policy_choice {
	AD_POL_DEFAULT = 0,
	AD_POL_REPORT,
	AD_POL_CC_UPSTREAM,
	AD_POL_UPSTREAM,
	AD_POL_HOLD,
	AD_POL_SKIP,
	AD_POL_CAVEAT,
};

/* A list of words from a config key (heap, freed by ad_config_free). */
struct ad_config_words {
	char	**v;
	size_t	  n;
};

struct ad_config_assess {
	char			scanners[AD_CONFIG_FILES_MAX][1024];
	size_t			n_scanners;
	char			tor_exits[AD_CONFIG_FILES_MAX][1024];
	size_t			n_tor_exits;
	struct ad_config_words	distrust_org, distrust_netname,
				distrust_country, distrust_domain;
	uint32_t		*distrust_asn;
	size_t			n_distrust_asn;
	enum ad_policy_choice	distrust_action, spoofable, freemail_action,
				residential_action, low_confidence_action,
				no_contact_action;
	bool			no_rdns;	/* assess.rdns = no */
	char			dns_servers[256];
	long long		dns_timeout;	/* seconds; 0 = default */
};

struct ad_config {
	char			db[1024];	/* "" = default */
	char			tz[128];	/* "" = the machine's */
	int			threads;	/* scan: 1, or 2 (a pipeline) */
	uint64_t		checkpoint;	/* scan: bytes between commits
						   (0: AD_SCAN_BATCH_DEFAULT) */
	struct ad_detect_config	detect;		/* own/allow point at the lists below */
	struct ad_cidr		*own;
	size_t			n_own;
	struct ad_cidr		*allow;
	size_t			n_allow;
	struct ad_config_lookup	lookup;
	struct ad_config_report	report;
	struct ad_config_assess	assess;
	struct ad_relay		relay;
	struct ad_parse_opt	parse[AD_CONFIG_PARSE_MAX];
	size_t			n_parse;
};

void	ad_config_init(struct ad_config *cfg);
void	ad_config_free(struct ad_config *cfg);

/* Reads a file; a missing file is not an error when !must_exist. */
int	ad_config_load(struct ad_config *cfg, const char *path, bool must_exist,
	    struct ad_diag *diag) AD_WUR;

/* Sets one key (as from the file or a flag). */
int	ad_config_set(struct ad_config *cfg, const char *key, const char *value,
	    struct ad_diag *diag) AD_WUR;

/* Parses "90", "90s", "15m", "24h", "7d" into seconds; -1 if invalid. */
long long ad_parse_duration(const char *s);

#endif
