/*
 * cmd_block.c - abusedesk block: firewall advice for the sources that kept
 * attacking after they were reported. Reads the store, never writes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_block.h"
#include "abusedesk/ad_time.h"
#include "cli.h"

static const char block_help[] =
"usage: abusedesk block [--format list|cidr|nft|iptables|pf] [--json]\n"
"                       [--source ADDR... | --all-reportable]\n"
"                       [--aggregate PREFIX:MIN] [--aggregate6 PREFIX:MIN]\n"
"                       [--widest PREFIX] [--widest6 PREFIX]\n"
"                       [--expire DURATION | --permanent]\n"
"                       [--check-logs FILE...] [--now TIME] [--db PATH]\n"
"\n"
"Suggests what to block, as the last resort: the smallest set of CIDRs\n"
"that covers the sources that went on attacking after we reported them,\n"
"with what each costs. Nothing is written to the store and nothing is\n"
"sent: a block, temporary or permanent, is never announced to the\n"
"network that holds the range. Apply the output yourself (e.g. pipe the\n"
"nft or iptables format to sh) once you have read it.\n"
"\n"
"Which sources:\n"
"  (default)        the sources of reports that were sent (state sent or\n"
"                   unconfirmed) and that have incidents after the report:\n"
"                   they continued despite it\n"
"  --all-reportable every source of a reportable incident\n"
"  --source ADDR... these addresses (may repeat)\n"
"Addresses in our own networks (own_networks) or on the allowlist are\n"
"never blocked, whatever the source.\n"
"\n"
"How wide:\n"
"  By default one /32 (IPv4) or /128 (IPv6) per address, merged only where\n"
"  every address of a prefix offends (.0 and .1 make a /31; .1 and .2 stay\n"
"  two /32s).\n"
"  --aggregate P:K  block the IPv4 /P when at least K of its addresses\n"
"                   offend, e.g. 24:4 (off unless given)\n"
"  --aggregate6 P:K the same for IPv6, e.g. 64:2\n"
"  --widest N       never a prefix shorter than /N for IPv4 (default 16);\n"
"  --widest6 N      ... for IPv6 (default 32). A range that would cover our\n"
"                   own networks or the allowlist is split around them.\n"
"\n"
"Output:\n"
"  --format FORMAT  list (default): each CIDR with its cost; cidr: one CIDR\n"
"                   per line; nft: 'nft add element' commands for the sets\n"
"                   abusedesk_block and abusedesk_block6; iptables: 'ipset\n"
"                   add' commands for abusedesk-block and abusedesk-block6\n"
"                   (ip6tables for v6); pf: a table file for\n"
"                   <abusedesk_block>. The one-time set-up is in comments.\n"
"  --json           JSON Lines, one object per CIDR: cidr, family, prefix,\n"
"                   addresses (a number, or \"2^N\" from 2^53 up),\n"
"                   host_bits, offending, legit_lines (null: no log\n"
"                   checked), legit_offender_lines, example, expires\n"
"  --expire D       a temporary block lasting D (s, m, h, d; default 7d);\n"
"                   ipset takes at most 2147483 seconds (24d)\n"
"  --permanent      no expiry (still never announced to the holder)\n"
"  --now TIME       the instant expiries count from (ISO 8601; tests)\n"
"\n"
"Cost:\n"
"  Each CIDR says how many addresses it blocks and how many of them\n"
"  offended. --check-logs FILE... (plain, .gz, - for stdin) reads our own\n"
"  logs for lines that show legitimate traffic from inside each CIDR: a\n"
"  successful sshd login ('Accepted publickey for'), a web request\n"
"  answered 2xx or 3xx, mail postfix accepted ('client='), a dovecot\n"
"  'Login:'. A CIDR with such lines may hold a customer: read the example\n"
"  before you block it.\n";

struct opts {
	enum ad_block_format	 format;
	bool			 all_reportable;
	bool			 permanent;
	long long		 expire;
	struct ad_addr		*sources;
	size_t			 n_sources;
	const char		**logs;
	size_t			 n_logs;
	struct ad_block_policy	 pol;
};

/* The sources to block: a growing array the store callbacks fill. */
struct srcs {
	struct ad_addr	*a;
	size_t		 n, cap;
};

static int
add_src(void *arg, const struct ad_addr *src)
{
	struct srcs *s = arg;

	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		struct ad_addr *na = ad_reallocarray(s->a, nc, sizeof(*na));

		if (na == NULL)
			return AD_ERR_NOMEM;
		s->a = na;
		s->cap = nc;
	}
	s->a[s->n++] = *src;	/* duplicates go in ad_block_compute */
	return 0;
}

static int
add_incident_src(void *arg, const struct ad_incident *inc)
{
	return add_src(arg, &inc->src);
}

/* The sources from the store (default or --all-reportable). */
static int
store_sources(struct cli *c, const struct opts *o, struct srcs *s)
{
	struct ad_store *st;
	int r, ret;

	if ((ret = cli_open_store(c, &st)) != EXIT_OK)
		return ret;
	if (o->all_reportable) {
		struct ad_incident_filter f;

		memset(&f, 0, sizeof(f));
		f.reportable_only = true;
		f.category = -1;
		r = ad_store_incident_each(st, &f, add_incident_src, s);
	} else
		r = ad_store_block_sources(st, add_src, s);
	if (r != AD_OK) {
		cli_err(c, "block: %s", r == AD_ERR_STORE ?
		    ad_store_errmsg(st) : ad_strerror(r));
		ret = cli_exit_for(r);
	}
	ad_store_close(st);
	return ret;
}

/* Arguments after an option up to the next option ("-" is stdin). */
static size_t
list_args(int argc, char **argv, int i)
{
	size_t n = 0;

	while (i + 1 + (int)n < argc && (argv[i + 1 + n][0] != '-' ||
	    strcmp(argv[i + 1 + n], "-") == 0))
		n++;
	return n;
}

static int
parse_prefix(struct cli *c, const char *opt, const char *v, int af,
    uint8_t *out)
{
	char *e;
	long p = strtol(v, &e, 10);

	if (*v == '\0' || *e || p < 1 || p > (af == 4 ? 32 : 128)) {
		cli_err(c, "%s wants an IPv%d prefix length, got \"%s\"", opt,
		    af, v);
		return -1;
	}
	*out = (uint8_t)p;
	return 0;
}

static int
parse_opts(struct cli *c, int argc, char **argv, struct opts *o)
{
	struct ad_diag d = { 0 };
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = strcmp(a, "--format") == 0 ||
		    strcmp(a, "--aggregate") == 0 ||
		    strcmp(a, "--aggregate6") == 0 ||
		    strcmp(a, "--widest") == 0 || strcmp(a, "--widest6") == 0 ||
		    strcmp(a, "--expire") == 0 || strcmp(a, "--now") == 0;

		if (takes && v == NULL) {
			cli_err(c, "%s needs an argument", a);
			return -1;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			printf("%s\n%s", block_help, cli_common_help);
			return 1;
		} else if (strcmp(a, "--json") == 0)
			c->json = true;
		else if (strcmp(a, "--all-reportable") == 0)
			o->all_reportable = true;
		else if (strcmp(a, "--permanent") == 0)
			o->permanent = true;
		else if (strcmp(a, "--format") == 0) {
			if ((r = ad_block_format_from_name(v)) < 0) {
				cli_err(c, "unknown block format \"%s\" (list,"
				    " cidr, nft, iptables, pf)", v);
				return -1;
			}
			o->format = (enum ad_block_format)r;
			i++;
		} else if (strcmp(a, "--aggregate") == 0 ||
		    strcmp(a, "--aggregate6") == 0) {
			if (ad_block_parse_aggregate(&o->pol, a[11] ? 6 : 4, v,
			    &d) != AD_OK) {
				cli_err(c, "%s: %s", a, d.msg);
				return -1;
			}
			i++;
		} else if (strcmp(a, "--widest") == 0 ||
		    strcmp(a, "--widest6") == 0) {
			int six = a[8] != '\0';

			if (parse_prefix(c, a, v, six ? 6 : 4,
			    &o->pol.widest[six ? AD_BLOCK_V6 : AD_BLOCK_V4]))
				return -1;
			i++;
		} else if (strcmp(a, "--expire") == 0) {
			if ((o->expire = ad_parse_duration(v)) <= 0) {
				cli_err(c, "--expire wants a duration like 7d,"
				    " 36h or 3600s, got \"%s\"", v);
				return -1;
			}
			i++;
		} else if (strcmp(a, "--now") == 0) {
			if (cli_now_opt(c, v) != 0)
				return -1;
			i++;
		} else if (strcmp(a, "--source") == 0) {
			size_t k, n = list_args(argc, argv, i);

			if (n == 0) {
				cli_err(c, "--source needs an address");
				return -1;
			}
			for (k = 0; k < n; k++) {
				struct ad_addr ad;

				v = argv[++i];
				if (!ad_addr_parse(v, strlen(v), &ad)) {
					cli_err(c, "--source: \"%s\" is not an"
					    " IP address", v);
					return -1;
				}
				o->sources[o->n_sources++] = ad;
			}
		} else if (strcmp(a, "--check-logs") == 0) {
			size_t n = list_args(argc, argv, i);

			if (n == 0) {
				cli_err(c, "--check-logs needs a file");
				return -1;
			}
			while (n--)
				o->logs[o->n_logs++] = argv[++i];
		} else if ((r = cli_common_opt(c, argc, argv, &i)) != 1) {
			if (r == 0)
				cli_err(c, "block: unknown option %s", a);
			return -1;
		}
	}
	if (o->permanent && o->expire) {
		cli_err(c, "--expire and --permanent exclude each other");
		return -1;
	}
	if (o->n_sources && o->all_reportable) {
		cli_err(c, "--source and --all-reportable exclude each other");
		return -1;
	}
	if (!o->permanent && o->expire == 0)
		o->expire = 7 * 86400;
	if (o->permanent)
		o->expire = 0;
	if (o->format == AD_BLOCK_IPTABLES &&
	    o->expire > AD_BLOCK_IPSET_TIMEOUT_MAX) {
		cli_err(c, "ipset keeps an entry at most %lld seconds (24d);"
		    " use a shorter --expire or --permanent",
		    AD_BLOCK_IPSET_TIMEOUT_MAX);
		return -1;
	}
	return 0;
}

/* --json: one object per CIDR. */
static int
write_json(struct ad_buf *out, const struct ad_block *b, int64_t expire,
    int64_t now)
{
	size_t i;
	int r;

	for (i = 0; i < b->n; i++)
		if ((r = ad_block_entry_json(out, b, &b->entries[i], expire,
		    now)) != AD_OK || (r = ad_buf_addc(out, '\n')) != AD_OK)
			return r;
	return AD_OK;
}

int
cmd_block(struct cli *c, int argc, char **argv)
{
	struct opts o;
	struct srcs s = { 0 };
	struct ad_block *b = NULL;
	struct ad_diag d = { 0 };
	struct ad_buf out;
	int64_t now;
	size_t i;
	int r, ret = EXIT_OK;

	memset(&o, 0, sizeof(o));
	ad_block_policy_init(&o.pol);
	ad_buf_init(&out, 256u << 20);
	/* argc bounds both lists: each entry is one argument. */
	o.sources = ad_calloc((size_t)argc, sizeof(*o.sources));
	o.logs = ad_calloc((size_t)argc, sizeof(*o.logs));
	if (o.sources == NULL || o.logs == NULL) {
		ret = EXIT_INTERNAL;
		goto out;
	}
	if ((r = parse_opts(c, argc, argv, &o)) != 0) {
		ret = r > 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	if ((ret = cli_setup(c)) != EXIT_OK)
		goto out;
	o.pol.own = c->cfg.own;
	o.pol.n_own = c->cfg.n_own;
	o.pol.allow = c->cfg.allow;
	o.pol.n_allow = c->cfg.n_allow;
	if (o.n_sources) {
		s.a = o.sources;
		s.n = o.n_sources;
		o.sources = NULL;
	} else if ((ret = store_sources(c, &o, &s)) != EXIT_OK)
		goto out;

	if ((r = ad_block_compute(s.a, s.n, &o.pol, &b, &d)) != AD_OK) {
		cli_err(c, "block: %s", r == AD_ERR_USAGE ? d.msg :
		    ad_strerror(r));
		ret = cli_exit_for(r);
		goto out;
	}
	for (i = 0; i < o.n_logs; i++) {
		uint64_t lines;

		if (ad_block_check_file(&c->ctx, b, o.logs[i], &lines, &d) !=
		    AD_OK) {
			cli_err(c, "%s: %s", o.logs[i], d.msg);
			ret = EXIT_INPUT;	/* the others are still read */
		}
	}
	now = (int64_t)ad_ctx_now(&c->ctx);	/* --now sets the clock */
	r = c->json ? write_json(&out, b, o.expire, now) :
	    ad_block_write(&out, b, o.format, o.expire, now);
	if (r != AD_OK) {
		cli_err(c, "block: %s", ad_strerror(r));
		ret = cli_exit_for(r);
		goto out;
	}
	fwrite(out.p ? out.p : "", 1, out.len, stdout);
	fflush(stdout);
	if (!c->quiet && b->n_offenders == 0)
		fprintf(stderr, "block: no source to block%s\n",
		    o.n_sources || o.all_reportable ? "" : " (none continued "
		    "after a sent report; --all-reportable takes every "
		    "reportable incident's source)");
out:
	ad_block_free(b);
	ad_free(s.a);
	ad_free(o.sources);
	ad_free(o.logs);
	ad_buf_free(&out);
	return ret;
}
