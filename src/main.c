/*
 * main.c - verb dispatch and the options every verb shares.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "abusedesk/ad_parse.h"
#include "abusedesk/ad_time.h"
#include "cli.h"

#define VERSION "0.1.0"

const char cli_common_help[] =
"Common options:\n"
"  --db PATH        store file (default: $XDG_DATA_HOME/abusedesk/abusedesk.db,\n"
"                   i.e. ~/.local/share/abusedesk/abusedesk.db)\n"
"  --config PATH    configuration file (default:\n"
"                   $XDG_CONFIG_HOME/abusedesk/config, if it exists)\n"
"  --set KEY=VALUE  set a configuration key (may repeat; wins over the file)\n"
"  --tz ZONE        zone of logs whose stamps carry none (RFC 3164), e.g.\n"
"                   Europe/Berlin or UTC (default: config, then the machine's)\n"
"  -q, --quiet      no summary or progress on stderr\n"
"  -h, --help       this help\n"
"\n"
"Exit status:\n"
"  0 success; 1 usage error; 2 an input could not be read (the others were\n"
"  processed); 3 store error; 4 configuration error; 5 internal error.\n";

static const char main_help[] =
"usage: abusedesk VERB [OPTIONS] [ARGS]\n"
"\n"
"abusedesk finds the attackers in your logs and (in later versions) writes\n"
"the abuse reports that networks act on, and sorts the complaints your own\n"
"abuse desk receives.\n"
"\n"
"Verbs:\n"
"  scan FILE...       read logs (plain, .gz, - for stdin) incrementally and\n"
"                     store incidents: attackers per source and category\n"
"  parse FILE...      print the hostile lines of logs as events (stateless)\n"
"  incidents          list stored incidents\n"
"  formats [FORMAT]   the log families read, and each format's field legend\n"
"  lookup ADDRESS|ASN...  the abuse contact of addresses and AS numbers\n"
"                     (RDAP and whois with referrals, cached by range)\n"
"  tables show|refresh  the registry tables lookup starts from\n"
"  draft [INCIDENT...]  write reports (one per source) for review; sends\n"
"                     nothing\n"
"  reports            list reports and their states (draft, held, sent, ...)\n"
"  show REPORT        the full message of a report (--public, --trail)\n"
"  approve REPORT...  approve reports for sending (--all: every draft)\n"
"  send [--dry-run]   send the approved reports, with rate limits\n"
"  suppress ADDRESS|@DOMAIN  never send reports there\n"
"  inbox PATH|-       read replies (Maildir, mbox, one message) into the cases\n"
"  history REPORT     a case's life cycle, messages, trail and replies\n"
"  followup           reminders after a week of silence, then escalation to\n"
"                     the upstream and the national CERT (drafts; cron-safe)\n"
"  status             what needs attention today, and how the cases stand\n"
"  close REPORT...    end cases by hand (--blocked: you blocked the source)\n"
"  version            print the version\n"
"\n"
"Run 'abusedesk VERB --help' for the options of a verb.\n";

void
cli_err(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", c->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_exit_for(int err)
{
	switch (err) {
	case AD_OK:		return EXIT_OK;
	case AD_ERR_IO:
	case AD_ERR_PARSE:	return EXIT_INPUT;
	case AD_ERR_STORE:	return EXIT_STORE;
	case AD_ERR_CONFIG:	return EXIT_CONFIG;
	case AD_ERR_USAGE:	return EXIT_USAGE;
	default:		return EXIT_INTERNAL;
	}
}

/* --set KEY=VALUE and flags are applied after the file: keep them here. */
#define MAX_SETS 512
static const char *sets[MAX_SETS];
static int n_sets;

static time_t
fixed_clock(void *arg)
{
	return (time_t)*(const long long *)arg;
}

int
cli_now_opt(struct cli *c, const char *v)
{
	struct ad_instant t;

	if (!ad_instant_parse(v, &t)) {
		cli_err(c, "--now wants an ISO 8601 time");
		return -1;
	}
	c->now = t.utc;
	c->ctx.clock = fixed_clock;
	c->ctx.clock_arg = &c->now;
	return 0;
}

int
cli_common_opt(struct cli *c, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	const char *v = NULL;

#define NEEDS_ARG(name) do {						\
		if (*i + 1 >= argc) {					\
			cli_err(c, "%s needs an argument", name);	\
			return -1;					\
		}							\
		v = argv[++*i];						\
	} while (0)

	if (strcmp(a, "--db") == 0) {
		NEEDS_ARG(a);
		if (n_sets + 1 >= MAX_SETS)
			return -1;
		sets[n_sets++] = "db";
		sets[n_sets++] = v;
	} else if (strcmp(a, "--tz") == 0) {
		NEEDS_ARG(a);
		if (n_sets + 1 >= MAX_SETS)
			return -1;
		sets[n_sets++] = "tz";
		sets[n_sets++] = v;
	} else if (strcmp(a, "--set") == 0) {
		const char *eq;

		NEEDS_ARG(a);
		if ((eq = strchr(v, '=')) == NULL) {
			cli_err(c, "--set wants KEY=VALUE");
			return -1;
		}
		if (n_sets + 1 >= MAX_SETS) {
			cli_err(c, "too many --set options (at most %d)",
			    MAX_SETS / 2);
			return -1;
		}
		sets[n_sets++] = v;
		sets[n_sets++] = NULL;	/* marks "KEY=VALUE in one" */
	} else if (strcmp(a, "--config") == 0) {
		NEEDS_ARG(a);
		c->config_path = v;
	} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
		c->quiet = true;
	} else
		return 0;
	return 1;
#undef NEEDS_ARG
}

static void
default_path(char *buf, size_t n, const char *xdg_var, const char *home_rel,
    const char *leaf)
{
	const char *x = getenv(xdg_var), *home = getenv("HOME");

	if (x && *x == '/')
		snprintf(buf, n, "%s/abusedesk/%s", x, leaf);
	else
		snprintf(buf, n, "%s/%s/abusedesk/%s", home ? home : ".",
		    home_rel, leaf);
}

int
cli_setup(struct cli *c)
{
	struct ad_diag d = { 0 };
	char path[1024];
	int i, r;

	if (c->config_path)
		r = ad_config_load(&c->cfg, c->config_path, true, &d);
	else {
		default_path(path, sizeof(path), "XDG_CONFIG_HOME", ".config",
		    "config");
		r = ad_config_load(&c->cfg, path, false, &d);
	}
	if (r != AD_OK) {
		cli_err(c, "%s:%lu: %s", d.where, d.line, d.msg);
		return EXIT_CONFIG;
	}
	for (i = 0; i < n_sets; i += 2) {
		char key[128];
		const char *val = sets[i + 1];

		if (val == NULL) {	/* --set KEY=VALUE */
			const char *eq = strchr(sets[i], '=');
			size_t kl = (size_t)(eq - sets[i]);

			if (kl >= sizeof(key))
				kl = sizeof(key) - 1;
			memcpy(key, sets[i], kl);
			key[kl] = '\0';
			val = eq + 1;
		} else
			snprintf(key, sizeof(key), "%s", sets[i]);
		if ((r = ad_config_set(&c->cfg, key, val, &d)) != AD_OK) {
			cli_err(c, "%s: %s", d.where, d.msg);
			return EXIT_CONFIG;
		}
	}
	/* The library reads local time through the process zone (ad_time.h). */
	if (c->cfg.tz[0]) {
		char probe[160];

		if (strcmp(c->cfg.tz, "UTC") != 0 && c->cfg.tz[0] != ':' &&
		    strchr(c->cfg.tz, ',') == NULL) {
			struct stat st;

			snprintf(probe, sizeof(probe), "/usr/share/zoneinfo/%s",
			    c->cfg.tz);
			if (stat(probe, &st) != 0 && strpbrk(c->cfg.tz, "0123456789") == NULL) {
				cli_err(c, "unknown time zone \"%s\"", c->cfg.tz);
				return EXIT_CONFIG;
			}
		}
		setenv("TZ", c->cfg.tz, 1);
	}
	tzset();
	/* parse.* options: a bad one is a config error now, not mid-scan. */
	if (c->cfg.n_parse > 0) {
		struct ad_parser *p = ad_parser_new(AD_FAMILY_AUTO, 0, 0);

		if (p == NULL)
			return EXIT_INTERNAL;
		r = ad_parser_options(p, c->cfg.parse, c->cfg.n_parse, &d);
		ad_parser_free(p);
		if (r != AD_OK) {
			cli_err(c, "%s", d.msg);
			return EXIT_CONFIG;
		}
	}
	return EXIT_OK;
}

static int
mkdirs(char *path)
{
	char *s;

	for (s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return 0;
}

int
cli_open_store(struct cli *c, struct ad_store **st)
{
	struct ad_diag d = { 0 };
	char path[1024];
	int r;

	if (c->cfg.db[0])
		snprintf(path, sizeof(path), "%s", c->cfg.db);
	else
		default_path(path, sizeof(path), "XDG_DATA_HOME", ".local/share",
		    "abusedesk.db");
	if (mkdirs(path) != 0) {
		cli_err(c, "cannot create the folder of %s: %s", path,
		    strerror(errno));
		return EXIT_STORE;
	}
	if ((r = ad_store_open(&c->ctx, path, st, &d)) != AD_OK) {
		cli_err(c, "store %s: %s", path, d.msg);
		return EXIT_STORE;
	}
	return EXIT_OK;
}

static void
log_stderr(void *arg, enum ad_log_level level, const char *msg)
{
	(void)arg;
	fprintf(stderr, "abusedesk: %s%s\n",
	    level == AD_LOG_ERROR ? "error: " : level == AD_LOG_WARN ?
	    "warning: " : "", msg);
}

int
main(int argc, char **argv)
{
	struct cli c;
	const char *verb, *fault;
	int r;

	memset(&c, 0, sizeof(c));
	c.prog = "abusedesk";
	ad_ctx_init(&c.ctx);
	/*
	 * Tests only: ABUSEDESK_TEST_FAULT=N fails fault point N (enum
	 * ad_fault) the first time it is passed, e.g. 5 = die between the
	 * relay accepting a report and the store recording it.
	 */
	if ((fault = getenv("ABUSEDESK_TEST_FAULT")) != NULL && *fault) {
		c.ctx.fault = (enum ad_fault)atoi(fault);
		c.ctx.fault_countdown = 1;
	}
	c.ctx.log = log_stderr;
	ad_config_init(&c.cfg);
	if (argc < 2) {
		fputs(main_help, stderr);
		return EXIT_USAGE;
	}
	verb = argv[1];
	if (strcmp(verb, "-h") == 0 || strcmp(verb, "--help") == 0 ||
	    strcmp(verb, "help") == 0) {
		fputs(main_help, stdout);
		printf("\n%s", cli_common_help);
		return EXIT_OK;
	}
	if (strcmp(verb, "version") == 0 || strcmp(verb, "--version") == 0) {
		printf("abusedesk %s (store schema %d)\n", VERSION,
		    ad_store_schema_version());
		return EXIT_OK;
	}
	if (strcmp(verb, "scan") == 0)
		r = cmd_scan(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "parse") == 0)
		r = cmd_parse(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "incidents") == 0)
		r = cmd_incidents(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "lookup") == 0)
		r = cmd_lookup(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "tables") == 0)
		r = cmd_tables(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "formats") == 0)
		r = cmd_formats(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "draft") == 0)
		r = cmd_draft(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "reports") == 0)
		r = cmd_reports(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "show") == 0)
		r = cmd_show(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "approve") == 0)
		r = cmd_approve(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "send") == 0)
		r = cmd_send(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "suppress") == 0)
		r = cmd_suppress(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "status") == 0)
		r = cmd_status(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "followup") == 0)
		r = cmd_followup(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "inbox") == 0)
		r = cmd_inbox(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "close") == 0)
		r = cmd_close(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "history") == 0)
		r = cmd_history(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "whois-parse") == 0 ||
	    strcmp(verb, "rdap-parse") == 0)
		r = cmd_netinfo(&c, argc - 1, argv + 1, verb[0] == 'r');
	else if (strcmp(verb, "rdns") == 0)
		r = cmd_rdns(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "deliver-test") == 0)
		r = cmd_deliver_test(&c, argc - 1, argv + 1);
	else if (strcmp(verb, "reply-parse") == 0)
		r = cmd_reply(&c, argc - 1, argv + 1);
	else {
		cli_err(&c, "unknown verb \"%s\" (try abusedesk --help)", verb);
		r = EXIT_USAGE;
	}
	ad_config_free(&c.cfg);
	return r;
}
