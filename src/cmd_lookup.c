/*
 * cmd_lookup.c - abusedesk lookup: the abuse contact of addresses and AS
 * numbers; abusedesk tables: show or refresh the registry tables.
 */
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_fetch.h"
#include "abusedesk/ad_lookup.h"
#include "abusedesk/ad_registry.h"
#include "cli.h"

#define LOOKUP_PARALLEL_DEFAULT	4	/* lookup.parallel */

static const char lookup_help[] =
"usage: abusedesk lookup [--json] [--offline] [--db PATH] [OPTIONS]\n"
"                        ADDRESS|ASN... | -\n"
"\n"
"Finds who to write to about an IPv4/IPv6 address or an AS number (AS123\n"
"or 123): the abuse mailbox(es) with a confidence and the evidence, the\n"
"network (ranges, handle, name, organisation, country), the registry and\n"
"the service that answered, and the parent network with its contact (the\n"
"upstream to escalate to). '-' reads one query a line from stdin.\n"
"\n"
"It asks RDAP first (the IANA bootstrap tables compiled in), whois where\n"
"RDAP has no data, and follows referrals (ARIN ReferralServer whois:// and\n"
"rwhois://, RDAP redirects, APNIC to KRNIC/JPNIC/TWNIC, LACNIC to\n"
"registro.br) up to 8 exchanges, never past a registry placeholder\n"
"mailbox. Private, reserved, documentation and own_networks addresses are\n"
"refused before any query. Answers are cached in the store by network\n"
"range: one query covers every address of a network.\n"
"\n"
"  --json               one JSON object a line: query, abuse (list),\n"
"                       confidence (high, medium, low, none), evidence,\n"
"                       network {ranges, handle, name, org, country},\n"
"                       registry, source {protocol, server},\n"
"                       parent {handle, name, abuse}, cached, error\n"
"  --offline            answer from the cache and the bundled tables only\n"
"  --via rdap|whois     protocol of the first query (referrals are still\n"
"                       followed); default: RDAP when known\n"
"  --rdap-bootstrap FILE  IANA RDAP bootstrap JSON (IPv4, IPv6 or ASN, told\n"
"                       apart by content); its entries win over the\n"
"                       shipped ones (may repeat)\n"
"  --whois-servers FILE lines \"CIDR|ASn[-ASm]  host[:port]\" (or\n"
"                       rwhois://host:port); win over the shipped table\n"
"                       (may repeat)\n"
"  --connect-to HOST:PORT:ADDR:PORT  connect there instead, as curl does\n"
"                       (empty HOST or PORT: any); for RDAP, whois and\n"
"                       rwhois alike (may repeat)\n"
"  --cacert FILE        CA certificates for RDAP over HTTPS\n"
"  --timeout SECONDS    per exchange (default 10); a query gets 4 times it\n"
"  --no-parent          do not fetch the parent network's contact\n"
"  --stats              print query and cache counters on stderr\n"
"\n"
"Configuration keys: lookup.rdap_bootstrap, lookup.whois_servers,\n"
"lookup.connect_to, lookup.cacert, lookup.timeout, lookup.via,\n"
"lookup.offline, lookup.parent, lookup.ttl (7d), lookup.negative_ttl (1h),\n"
"lookup.rate (2 queries/s per server), lookup.burst (10), lookup.parallel\n"
"(4 lookups at once; answers still come in input order), lookup.per_server\n"
"(1 query in flight per server), lookup.tables;\n"
"own_networks is never looked up.\n"
"\n"
"Exit status: 0 every query answered (an answer may name no mailbox: see\n"
"\"error\"); 2 some query could not be answered (refused, unknown, servers\n"
"failed or rate limited); 1, 3, 4, 5 as below.\n";

static const char tables_help[] =
"usage: abusedesk tables show ADDRESS|ASN...\n"
"       abusedesk tables refresh [--from URL] [--out DIR]\n"
"\n"
"show: the RDAP base URL and the whois server the tables pick.\n"
"refresh: fetches the IANA RDAP bootstrap files (ipv4.json, ipv6.json,\n"
"asn.json) from URL (default https://data.iana.org/rdap/) and writes\n"
"DIR/rdap-bootstrap.tsv (default: lookup.tables, else\n"
"$XDG_DATA_HOME/abusedesk/tables), which then replaces the compiled-in\n"
"table. The whois table is kept (national-registry carve-outs are not\n"
"published by IANA); --rdap-bootstrap, --cacert and --connect-to apply.\n";

static void
tables_dir(const struct cli *c, char *buf, size_t n)
{
	const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (c->cfg.lookup.tables[0])
		snprintf(buf, n, "%s", c->cfg.lookup.tables);
	else if (x && *x == '/')
		snprintf(buf, n, "%s/abusedesk/tables", x);
	else
		snprintf(buf, n, "%s/.local/share/abusedesk/tables",
		    home ? home : ".");
}

/* Shipped (or refreshed) tables, then the user's files. */
static int
load_registry(struct cli *c, struct ad_registry **reg)
{
	const struct ad_config_lookup *lk = &c->cfg.lookup;
	struct ad_diag d = { 0 };
	char dir[1024];
	size_t i;
	int r;

	if ((r = ad_registry_new(reg)) != AD_OK)
		return EXIT_INTERNAL;
	tables_dir(c, dir, sizeof(dir));
	if ((r = ad_registry_load_shipped(*reg, dir, &d)) != AD_OK)
		goto bad;
	for (i = 0; i < lk->n_rdap_bootstrap; i++)
		if ((r = ad_registry_load_file(*reg, AD_REG_RDAP, AD_REG_USER,
		    lk->rdap_bootstrap[i], &d)) != AD_OK)
			goto bad;
	for (i = 0; i < lk->n_whois_servers; i++)
		if ((r = ad_registry_load_file(*reg, AD_REG_WHOIS, AD_REG_USER,
		    lk->whois_servers[i], &d)) != AD_OK)
			goto bad;
	return EXIT_OK;
 bad:
	if (d.line)
		cli_err(c, "%s:%lu: %s", d.where, d.line, d.msg);
	else
		cli_err(c, "%s: %s", d.where, d.msg);
	ad_registry_free(*reg);
	*reg = NULL;
	return r == AD_ERR_NOMEM ? EXIT_INTERNAL : EXIT_CONFIG;
}

static void
fetch_opts(const struct cli *c, struct ad_fetch_opts *fo)
{
	const struct ad_config_lookup *lk = &c->cfg.lookup;
	size_t i;

	memset(fo, 0, sizeof(*fo));
	for (i = 0; i < lk->n_connect_to && i < AD_FETCH_CONNECT_TO_MAX; i++)
		fo->connect_to[fo->n_connect_to++] = lk->connect_to[i];
	fo->cacert = lk->cacert[0] ? lk->cacert : NULL;
}

/* Flags become config keys, applied after the file: they win. */
#define MAX_FLAGS 256
struct flags {
	const char	*k[MAX_FLAGS];
	const char	*v[MAX_FLAGS];
	int		 n;
};

static int
flag(struct cli *c, struct flags *f, const char *key, int argc, char **argv,
    int *i)
{
	if (*i + 1 >= argc) {
		cli_err(c, "%s needs an argument", argv[*i]);
		return -1;
	}
	if (f->n >= MAX_FLAGS) {
		cli_err(c, "too many options");
		return -1;
	}
	f->k[f->n] = key;
	f->v[f->n++] = argv[++*i];
	return 1;
}

static int
apply_flags(struct cli *c, const struct flags *f)
{
	struct ad_diag d = { 0 };
	size_t i;
	int k;

	for (k = 0; k < f->n; k++)
		if (ad_config_set(&c->cfg, f->k[k], f->v[k], &d) != AD_OK) {
			cli_err(c, "%s: %s", d.where, d.msg);
			return EXIT_CONFIG;
		}
	for (i = 0; i < c->cfg.lookup.n_connect_to; i++)
		if (ad_fetch_connect_to_check(c->cfg.lookup.connect_to[i],
		    &d) != AD_OK) {
			cli_err(c, "%s", d.msg);
			return EXIT_USAGE;
		}
	return EXIT_OK;
}

/* Options shared by lookup and tables; 1 taken, 0 not ours, -1 error. */
static int
lookup_opt(struct cli *c, struct flags *f, int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (strcmp(a, "--rdap-bootstrap") == 0)
		return flag(c, f, "lookup.rdap_bootstrap", argc, argv, i);
	if (strcmp(a, "--whois-servers") == 0)
		return flag(c, f, "lookup.whois_servers", argc, argv, i);
	if (strcmp(a, "--connect-to") == 0)
		return flag(c, f, "lookup.connect_to", argc, argv, i);
	if (strcmp(a, "--cacert") == 0)
		return flag(c, f, "lookup.cacert", argc, argv, i);
	if (strcmp(a, "--timeout") == 0)
		return flag(c, f, "lookup.timeout", argc, argv, i);
	if (strcmp(a, "--via") == 0)
		return flag(c, f, "lookup.via", argc, argv, i);
	return cli_common_opt(c, argc, argv, i);
}

static void
print_human(const struct ad_lookup_answer *a)
{
	size_t i;

	printf("%s:", a->query);
	if (a->n_abuse == 0)
		printf(" no abuse contact%s%s\n", a->error[0] ? ": " : "",
		    a->error);
	else {
		for (i = 0; i < a->n_abuse; i++)
			printf("%s%s", i ? ", " : " ", a->abuse[i]);
		printf(" (%s confidence%s)\n", ad_confidence_name(a->confidence),
		    a->cached ? ", cached" : "");
	}
	if (a->n_ranges || a->name[0] || a->handle[0]) {
		printf("  network:");
		for (i = 0; i < a->n_ranges; i++)
			printf(" %s", a->ranges[i]);
		if (a->name[0])
			printf(" %s", a->name);
		if (a->handle[0])
			printf(" (%s)", a->handle);
		if (a->country[0])
			printf(" %s", a->country);
		printf("\n");
	}
	if (a->org[0])
		printf("  org: %s\n", a->org);
	if (a->server[0])
		printf("  source: %s %s%s%s\n", a->protocol, a->server,
		    a->registry[0] ? ", " : "", a->registry);
	if (a->evidence[0])
		printf("  evidence: %s\n", a->evidence);
	if (a->parent_handle[0] || a->n_parent_abuse) {
		printf("  parent: %s%s%s", a->parent_handle,
		    a->parent_name[0] ? " " : "", a->parent_name);
		for (i = 0; i < a->n_parent_abuse; i++)
			printf("%s%s", i ? ", " : " abuse ", a->parent_abuse[i]);
		printf("\n");
	}
}

/* The lookup options of the configuration (flags applied). */
static void
lookup_opts(const struct cli *c, struct ad_lookup_opts *o)
{
	const struct ad_config_lookup *lk = &c->cfg.lookup;

	memset(o, 0, sizeof(*o));
	fetch_opts(c, &o->fetch);
	o->via = (enum ad_lookup_via)lk->via;
	o->offline = lk->offline;
	o->parent = !lk->no_parent;
	o->timeout_ms = (int)(lk->timeout * 1000);
	o->ttl = lk->ttl;
	o->negative_ttl = lk->negative_ttl;
	o->rate = lk->rate;
	o->burst = lk->burst;
	o->parallel = lk->parallel ? lk->parallel : LOOKUP_PARALLEL_DEFAULT;
	o->per_server = lk->per_server ? lk->per_server : 1;
	o->own = c->cfg.own;
	o->n_own = c->cfg.n_own;
}

/* For other verbs (scan --lookup, incidents): a lookup from the config. */
int
cli_lookup_open(struct cli *c, struct ad_store *st, bool offline,
    struct ad_registry **reg, struct ad_lookup **l)
{
	struct ad_lookup_opts o;
	struct flags f = { .n = 0 };
	int ret;

	*l = NULL;
	if ((ret = apply_flags(c, &f)) != EXIT_OK ||
	    (ret = load_registry(c, reg)) != EXIT_OK)
		return ret;
	lookup_opts(c, &o);
	o.offline = o.offline || offline;
	if (ad_lookup_new(&c->ctx, st, *reg, &o, l) != AD_OK) {
		ad_registry_free(*reg);
		*reg = NULL;
		return EXIT_INTERNAL;
	}
	return EXIT_OK;
}

struct emit {
	struct cli	*c;
	struct ad_buf	*out;
	bool		 failed;
};

/* ad_lookup_many's callback: prints one answer. */
static int
emit(void *arg, size_t i, const struct ad_lookup_answer *a, int rc)
{
	struct emit *e = arg;
	int r;

	(void)i;
	(void)rc;
	if (a->err != AD_OK)
		e->failed = true;
	if (e->c->json) {
		ad_buf_reset(e->out);
		if ((r = ad_lookup_answer_json(e->out, a)) != AD_OK ||
		    (r = ad_buf_addc(e->out, '\n')) != AD_OK)
			return r;
		fwrite(e->out->p, 1, e->out->len, stdout);
	} else
		print_human(a);
	return AD_OK;
}

/*
 * Queries from stdin, one a line, in batches of STDIN_BATCH (read ahead so
 * the workers have work; line by line with lookup.parallel = 1 or when
 * someone types them).
 */
#define STDIN_BATCH	256
#define LINE_MAX_LEN	512

static int
lookup_stdin(struct ad_lookup *l, struct emit *e, size_t batch)
{
	char (*lines)[LINE_MAX_LEN];
	const char *q[STDIN_BATCH];
	size_t n = 0;
	bool eof = false;
	int r = AD_OK;

	if ((lines = ad_calloc(STDIN_BATCH, LINE_MAX_LEN)) == NULL)
		return AD_ERR_NOMEM;
	while (r == AD_OK && !eof) {
		n = 0;
		while (n < batch) {
			size_t k;

			if (fgets(lines[n], LINE_MAX_LEN, stdin) == NULL) {
				eof = true;
				break;
			}
			k = strcspn(lines[n], "\r\n");
			lines[n][k] = '\0';
			if (k == 0 || lines[n][0] == '#')
				continue;
			q[n] = lines[n];
			n++;
		}
		if (n > 0)
			r = ad_lookup_many(l, q, n, emit, e);
		fflush(stdout);
	}
	ad_free(lines);
	return r;
}

int
cmd_lookup(struct cli *c, int argc, char **argv)
{
	struct ad_lookup_opts o;
	struct ad_registry *reg = NULL;
	struct ad_store *st = NULL;
	struct ad_lookup *l = NULL;
	struct ad_buf out;
	struct flags f = { .n = 0 };
	struct emit e;
	const char *queries[4096];
	int nq = 0, i, r, ret;
	bool stats = false, failed = false, from_stdin = false;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			printf("%s\n%s", lookup_help, cli_common_help);
			return EXIT_OK;
		} else if (strcmp(a, "--json") == 0)
			c->json = true;
		else if (strcmp(a, "--offline") == 0) {
			if (f.n >= MAX_FLAGS)
				return EXIT_USAGE;
			f.k[f.n] = "lookup.offline";
			f.v[f.n++] = "yes";
		} else if (strcmp(a, "--no-parent") == 0) {
			if (f.n >= MAX_FLAGS)
				return EXIT_USAGE;
			f.k[f.n] = "lookup.parent";
			f.v[f.n++] = "no";
		} else if (strcmp(a, "--stats") == 0)
			stats = true;
		else if (strcmp(a, "-") == 0)
			from_stdin = true;
		else if (a[0] == '-' && a[1] != '\0' && !(a[1] >= '0' &&
		    a[1] <= '9')) {
			if ((r = lookup_opt(c, &f, argc, argv, &i)) != 1) {
				if (r == 0)
					cli_err(c, "lookup: unknown option %s",
					    a);
				return EXIT_USAGE;
			}
		} else if (nq < (int)(sizeof(queries) / sizeof(queries[0])))
			queries[nq++] = a;
		else {
			cli_err(c, "lookup: more than %zu queries; use -",
			    sizeof(queries) / sizeof(queries[0]));
			return EXIT_USAGE;
		}
	}
	if (nq == 0 && !from_stdin) {
		cli_err(c, "lookup: no address or AS number (try --help)");
		return EXIT_USAGE;
	}
	if ((ret = cli_setup(c)) != EXIT_OK ||
	    (ret = apply_flags(c, &f)) != EXIT_OK ||
	    (ret = load_registry(c, &reg)) != EXIT_OK)
		return ret;
	if ((ret = cli_open_store(c, &st)) != EXIT_OK)
		goto out;
	lookup_opts(c, &o);
	if ((r = ad_lookup_new(&c->ctx, st, reg, &o, &l)) != AD_OK) {
		cli_err(c, "lookup: %s", ad_strerror(r));
		ret = EXIT_INTERNAL;
		goto out;
	}
	ad_buf_init(&out, 1u << 20);
	e.c = c;
	e.out = &out;
	e.failed = false;
	r = ad_lookup_many(l, queries, (size_t)nq, emit, &e);
	if (from_stdin && r == AD_OK)
		r = lookup_stdin(l, &e, o.parallel > 1 && !isatty(0) ?
		    STDIN_BATCH : 1);
	failed = e.failed;
	fflush(stdout);
	ad_buf_free(&out);
	if (r != AD_OK) {
		cli_err(c, "lookup: %s", r == AD_ERR_STORE ?
		    ad_store_errmsg(st) : ad_strerror(r));
		ret = cli_exit_for(r);
	} else
		ret = failed ? EXIT_INPUT : EXIT_OK;
	if (stats) {
		struct ad_lookup_stats s;

		ad_lookup_get_stats(l, &s);
		fprintf(stderr, "lookup: %llu queries, %llu sent to servers, "
		    "%llu from memory, %llu from the store, %llu refused\n",
		    (unsigned long long)s.queries, (unsigned long long)s.sent,
		    (unsigned long long)s.mem_hits,
		    (unsigned long long)s.store_hits,
		    (unsigned long long)s.refused);
	}
 out:
	ad_lookup_free(l);
	ad_store_close(st);
	ad_registry_free(reg);
	return ret;
}

/* --- tables ---------------------------------------------------------------- */

static int
tables_show(struct cli *c, struct ad_registry *reg, int argc,
    const char **argv, int first)
{
	const char *t[AD_REGISTRY_TARGETS_MAX];
	int i, ret = EXIT_OK;

	for (i = first; i < argc; i++) {
		struct ad_addr a;
		const char *q = argv[i];
		size_t n = 0, k;

		unsigned long asn;
		char *e;
		int kind;

		if (q[0] == '-')
			continue;
		for (kind = AD_REG_RDAP; kind <= AD_REG_WHOIS; kind++) {
			if (ad_addr_parse(q, strlen(q), &a))
				(void)ad_registry_find(reg, kind, &a, t,
				    AD_REGISTRY_TARGETS_MAX, &n);
			else {
				const char *p = (q[0] == 'A' || q[0] == 'a') ?
				    q + 2 : q;

				asn = strtoul(p, &e, 10);
				if (e == p || *e || asn > 0xffffffffUL) {
					cli_err(c, "\"%s\" is not an address or"
					    " AS number", q);
					ret = EXIT_INPUT;
					break;
				}
				(void)ad_registry_find_asn(reg, kind,
				    (uint32_t)asn, t, AD_REGISTRY_TARGETS_MAX,
				    &n);
			}
			printf("%s %s", q, kind == AD_REG_RDAP ? "rdap" :
			    "whois");
			for (k = 0; k < n; k++)
				printf(" %s", t[k]);
			printf("%s\n", n ? "" : " -");
		}
	}
	return ret;
}

static int
tables_refresh(struct cli *c, const char *from, const char *outdir)
{
	static const char *const files[] = { "ipv4.json", "ipv6.json",
	    "asn.json" };
	struct ad_fetch_result res[3];
	struct ad_fetch_opts fo;
	struct ad_diag d = { 0 };
	const char *json[3];
	size_t len[3];
	char dir[1024], path[1200], tmp[1300], date[32];
	char *tsv = NULL;
	time_t now = time(NULL);
	struct tm tm;
	FILE *fp;
	int i, r, ret = EXIT_OK;

	memset(res, 0, sizeof(res));
	fetch_opts(c, &fo);
	fo.max_bytes = 4u << 20;
	for (i = 0; i < 3; i++) {
		char url[1200];
		size_t fl = strlen(from);

		snprintf(url, sizeof(url), "%s%s%s", from, fl && from[fl - 1] ==
		    '/' ? "" : "/", files[i]);
		r = ad_fetch_http(&c->ctx, &fo, url, ad_fetch_now_ms() +
		    (c->cfg.lookup.timeout ? c->cfg.lookup.timeout : 30) * 1000,
		    &res[i]);
		if (r != AD_OK || res[i].status != 200) {
			cli_err(c, "tables refresh: %s: %s", url, r != AD_OK ?
			    res[i].error : "HTTP error");
			if (r == AD_OK)
				fprintf(stderr, "  (status %ld)\n", res[i].status);
			ret = EXIT_INPUT;
			goto out;
		}
		json[i] = res[i].body;
		len[i] = res[i].len;
	}
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	if ((r = ad_registry_bootstrap_to_tsv(json, len, 3, from, date, &tsv,
	    &d)) != AD_OK) {
		cli_err(c, "tables refresh: %s: %s", d.where, d.msg);
		ret = EXIT_INPUT;
		goto out;
	}
	if (outdir)
		snprintf(dir, sizeof(dir), "%s", outdir);
	else
		tables_dir(c, dir, sizeof(dir));
	{
		char *s;

		for (s = dir + 1; *s; s++)
			if (*s == '/') {
				*s = '\0';
				(void)mkdir(dir, 0700);
				*s = '/';
			}
		(void)mkdir(dir, 0700);
	}
	snprintf(path, sizeof(path), "%s/rdap-bootstrap.tsv", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fp = fopen(tmp, "w")) == NULL || fputs(tsv, fp) == EOF ||
	    fclose(fp) != 0 || rename(tmp, path) != 0) {
		cli_err(c, "tables refresh: %s: %s", path, strerror(errno));
		ret = EXIT_STORE;
		goto out;
	}
	if (!c->quiet)
		fprintf(stderr, "tables refresh: wrote %s\n", path);
 out:
	for (i = 0; i < 3; i++)
		ad_fetch_result_free(&res[i]);
	ad_free(tsv);
	return ret;
}

int
cmd_tables(struct cli *c, int argc, char **argv)
{
	struct ad_registry *reg = NULL;
	struct flags f = { .n = 0 };
	const char *from = "https://data.iana.org/rdap/", *outdir = NULL;
	const char *pos[256];
	int i, r, ret, npos = 0;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		printf("%s\n%s", tables_help, cli_common_help);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (strcmp(argv[1], "show") != 0 && strcmp(argv[1], "refresh") != 0) {
		cli_err(c, "tables: unknown action \"%s\" (show, refresh)",
		    argv[1]);
		return EXIT_USAGE;
	}
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			printf("%s\n%s", tables_help, cli_common_help);
			return EXIT_OK;
		} else if (strcmp(a, "--from") == 0 && i + 1 < argc)
			from = argv[++i];
		else if (strcmp(a, "--out") == 0 && i + 1 < argc)
			outdir = argv[++i];
		else if (a[0] == '-') {
			if ((r = lookup_opt(c, &f, argc, argv, &i)) != 1) {
				if (r == 0)
					cli_err(c, "tables: unknown option %s",
					    a);
				return EXIT_USAGE;
			}
		} else if (npos < 256)
			pos[npos++] = a;
	}
	if ((ret = cli_setup(c)) != EXIT_OK ||
	    (ret = apply_flags(c, &f)) != EXIT_OK)
		return ret;
	if (strcmp(argv[1], "refresh") == 0)
		return tables_refresh(c, from, outdir);
	if ((ret = load_registry(c, &reg)) != EXIT_OK)
		return ret;
	ret = tables_show(c, reg, npos, pos, 0);
	ad_registry_free(reg);
	return ret;
}
