/*
 * cmd_scan.c - abusedesk scan: logs to stored incidents, incrementally.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "abusedesk/ad_lookup.h"
#include "abusedesk/ad_registry.h"
#include "abusedesk/ad_scan.h"
#include "cli.h"

/* scan --lookup: the sources of reportable incidents, to look up. */
struct srcs {
	struct ad_addr	*a;
	size_t		 n, cap;
};

static int
collect_src(void *arg, const struct ad_incident *inc)
{
	struct srcs *s = arg;
	struct ad_addr *na;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (ad_addr_equal(&s->a[i], &inc->src))
			return 0;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;

		if ((na = realloc(s->a, nc * sizeof(*na))) == NULL)
			return AD_ERR_NOMEM;
		s->a = na;
		s->cap = nc;
	}
	s->a[s->n++] = inc->src;
	return 0;
}

struct tally {
	size_t	found, failed;
};

/* ad_lookup_many's callback: counts answers with and without a mailbox. */
static int
tally_answer(void *arg, size_t i, const struct ad_lookup_answer *a, int rc)
{
	struct tally *t = arg;

	(void)i;
	(void)rc;
	if (a->n_abuse)
		t->found++;
	else
		t->failed++;
	return AD_OK;
}

/*
 * Looks up the contact of every reportable incident's source (cached),
 * lookup.parallel at a time.
 */
static int
lookup_sources(struct cli *c, struct ad_store *st)
{
	struct ad_incident_filter f;
	struct ad_registry *reg = NULL;
	struct ad_lookup *l = NULL;
	struct srcs s = { 0 };
	struct tally t = { 0, 0 };
	char (*text)[AD_ADDR_STRLEN] = NULL;
	const char **q = NULL;
	size_t i;
	int r, ret;

	memset(&f, 0, sizeof(f));
	f.reportable_only = true;
	f.category = -1;
	if ((r = ad_store_incident_each(st, &f, collect_src, &s)) != AD_OK) {
		free(s.a);
		return cli_exit_for(r);
	}
	if ((ret = cli_lookup_open(c, st, false, &reg, &l)) != EXIT_OK) {
		free(s.a);
		return ret;
	}
	r = AD_OK;
	if (s.n > 0) {
		text = calloc(s.n, sizeof(*text));
		q = calloc(s.n, sizeof(*q));
		if (text == NULL || q == NULL)
			r = AD_ERR_NOMEM;
		for (i = 0; r == AD_OK && i < s.n; i++)
			q[i] = ad_addr_format(&s.a[i], text[i]);
		if (r == AD_OK)
			r = ad_lookup_many(l, q, s.n, tally_answer, &t);
	}
	if (!c->quiet)
		fprintf(stderr, "  lookup: %zu source(s), %zu with an abuse "
		    "contact, %zu without\n", s.n, t.found, t.failed);
	ad_lookup_free(l);
	ad_registry_free(reg);
	free(q);
	free(text);
	free(s.a);
	return r == AD_ERR_NOMEM || r == AD_ERR_STORE ? cli_exit_for(r) :
	    EXIT_OK;
}

static const char scan_help[] =
"usage: abusedesk scan [--db PATH] [--tz ZONE] [--year YYYY] [--now TIME]\n"
"                      [--format NAME] FILE...\n"
"\n"
"Reads logs and stores incidents: what each source address did, per\n"
"category (ssh-bruteforce, port-scan, web-probe, mail-bruteforce, ...; see\n"
"abusedesk incidents --help), with counters and a sample\n"
"of the log lines. FILE may be plain, gzip-compressed, or - for stdin.\n"
"\n"
"Scanning is incremental: a file is known by its first line, and only the\n"
"bytes added since the last scan are read. Rotated and truncated files are\n"
"detected (and PATH.1 finished first after a rotation). A scan that is\n"
"killed resumes at its last commit, losing and doubling nothing.\n"
"\n"
"  --format NAME  a log family (abusedesk formats), or auto (default)\n"
"  --year YYYY    year of stamps that carry none\n"
"  --now TIME     reference instant instead of the file's mtime\n"
"  --lookup       then look up the abuse contact of every reportable\n"
"                 incident's source (abusedesk lookup; the lookup.* keys\n"
"                 apply); incidents --json shows it as \"contact\"\n"
"\n"
"Configuration keys: threads = 2 (default: both threads read and parse,\n"
"one of them also aggregates and stores; 1 gives the same store on\n"
"one core), checkpoint = 1G (bytes between commits: a killed scan\n"
"redoes about this much), window, threshold.*, own_networks, allowlist.\n"
"\n"
"Prints a summary to stderr (lines, events, skipped lines by reason,\n"
"incidents new/updated, MB/s) and a progress line when stderr is a terminal.\n"
"List the result with 'abusedesk incidents'.\n";

struct progress {
	bool		on;
	struct timespec	t0;
	double		last;
};

static double
elapsed(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
show_progress(void *arg, const char *path, uint64_t done, int64_t total)
{
	struct progress *pg = arg;
	double s = elapsed(&pg->t0);
	const char *base = strrchr(path, '/');

	if (!pg->on || s - pg->last < 0.2)
		return;
	pg->last = s;
	base = base ? base + 1 : path;
	if (total > 0)
		fprintf(stderr, "\r\033[Kscanning %.40s %3.0f%% %.0f MB",
		    base, 100.0 * (double)done / (double)total, (double)done / 1e6);
	else
		fprintf(stderr, "\r\033[Kscanning %.40s %.0f MB", base,
		    (double)done / 1e6);
}

int
cmd_scan(struct cli *c, int argc, char **argv)
{
	struct ad_store *st = NULL;
	struct ad_scan *sc = NULL;
	struct ad_scan_opts opts;
	struct progress pg;
	const struct ad_scan_summary *sum;
	char **files;
	int i, r, nfiles = 0, ret = EXIT_OK;
	bool lookup = false;
	double secs;

	if ((files = calloc((size_t)argc + 1, sizeof(*files))) == NULL)
		return EXIT_INTERNAL;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			printf("%s\n%s", scan_help, cli_common_help);
			free(files);
			return EXIT_OK;
		}
		if (strcmp(a, "--lookup") == 0) {
			lookup = true;
			continue;
		}
		if ((r = cli_input_opt(c, argc, argv, &i)) == 0)
			r = cli_common_opt(c, argc, argv, &i);
		if (r < 0)
			goto usage;
		if (r == 1)
			continue;
		if (a[0] == '-' && a[1] != '\0') {
			cli_err(c, "scan: unknown option %s", a);
			goto usage;
		}
		files[nfiles++] = argv[i];
	}
	if (nfiles == 0) {
		cli_err(c, "scan: no log files given (use - for stdin)");
		goto usage;
	}
	if ((ret = cli_setup(c)) != EXIT_OK || (ret = cli_open_store(c, &st)) != EXIT_OK)
		goto out;
	if ((r = ad_store_lock(st, false)) == AD_ERR_BUSY) {
		if (!c->quiet)
			fprintf(stderr, "abusedesk scan: waiting for another scan "
			    "of this store to finish\n");
		r = ad_store_lock(st, true);
	}
	if (r != AD_OK) {
		cli_err(c, "scan: %s", ad_store_errmsg(st));
		ret = EXIT_STORE;
		goto out;
	}
	memset(&opts, 0, sizeof(opts));
	memset(&pg, 0, sizeof(pg));
	clock_gettime(CLOCK_MONOTONIC, &pg.t0);
	pg.on = !c->quiet && isatty(STDERR_FILENO);
	opts.family = (enum ad_family)c->family;
	opts.parse_opts = c->cfg.parse;
	opts.n_parse_opts = c->cfg.n_parse;
	opts.year = c->year;
	opts.now = c->now;
	opts.threads = c->cfg.threads;
	opts.batch_bytes = c->cfg.checkpoint;
	opts.progress = show_progress;
	opts.progress_arg = &pg;
	if ((sc = ad_scan_new(&c->ctx, st, &c->cfg.detect, &opts)) == NULL) {
		ret = EXIT_INTERNAL;
		goto out;
	}
	for (i = 0; i < nfiles; i++) {
		struct ad_diag d = { 0 };

		if ((r = ad_scan_file(sc, files[i], &d)) != AD_OK) {
			if (pg.on)
				fputs("\r\033[K", stderr);
			cli_err(c, "%s%s%s", d.where, d.where[0] ? ": " : "", d.msg);
			if (r != AD_ERR_IO) {
				ret = cli_exit_for(r);
				break;
			}
			ret = EXIT_INPUT;	/* go on with the other files */
		}
	}
	if (pg.on)
		fputs("\r\033[K", stderr);
	sum = ad_scan_summary(sc);
	secs = elapsed(&pg.t0);
	if (!c->quiet) {
		fprintf(stderr, "abusedesk scan: %llu file(s), %llu lines, "
		    "%llu events, %.1f MB in %.2f s (%.0f MB/s)\n",
		    (unsigned long long)sum->files,
		    (unsigned long long)sum->parse.lines,
		    (unsigned long long)sum->parse.events,
		    (double)sum->bytes_read / 1e6, secs,
		    secs > 0 ? (double)sum->bytes_read / 1e6 / secs : 0.0);
		cli_print_skips(&sum->parse);
		fprintf(stderr, "  incidents: %llu new, %llu updated",
		    (unsigned long long)sum->incidents_new,
		    (unsigned long long)sum->incidents_updated);
		fprintf(stderr, " (%llu writes in %llu checkpoints)",
		    (unsigned long long)sum->incident_writes,
		    (unsigned long long)sum->batches);
		if (sum->incidents_unstored)
			fprintf(stderr, "; %llu closed below threshold (counted, "
			    "not stored)",
			    (unsigned long long)sum->incidents_unstored);
		if (sum->files_rotated || sum->files_truncated)
			fprintf(stderr, "; %llu rotated, %llu truncated file(s) "
			    "read from the start",
			    (unsigned long long)sum->files_rotated,
			    (unsigned long long)sum->files_truncated);
		fputc('\n', stderr);
		if (sum->chunks_main || sum->chunks_again)
			fprintf(stderr, "  two threads: the main thread parsed "
			    "%llu of %llu chunks; %llu parsed again in order\n",
			    (unsigned long long)sum->chunks_main,
			    (unsigned long long)sum->chunks,
			    (unsigned long long)sum->chunks_again);
	}
	if (lookup && (ret == EXIT_OK || ret == EXIT_INPUT)) {
		int lr = lookup_sources(c, st);

		if (lr != EXIT_OK)
			ret = lr;
	}
out:
	ad_scan_free(sc);
	ad_store_close(st);
	free(files);
	return ret;
usage:
	free(files);
	return EXIT_USAGE;
}
