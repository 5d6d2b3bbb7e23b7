/*
 * cli.h - what the verbs of the abusedesk command share.
 *
 * src/ is a thin layer: options, output, exit codes. Anything a test would
 * want to call lives in lib/.
 */
#ifndef AD_CLI_H
#define AD_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "abusedesk/ad_config.h"
#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_store.h"

/* Exit codes; scripts rely on them (documented in --help and README). */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,		/* bad command line */
	EXIT_INPUT = 2,		/* an input could not be read (others were) */
	EXIT_STORE = 3,		/* the store could not be opened or written */
	EXIT_CONFIG = 4,	/* bad configuration file or value */
	EXIT_INTERNAL = 5,	/* out of memory, internal error */
};

struct cli {
	struct ad_ctx		 ctx;
	struct ad_config	 cfg;
	const char		*prog;
	const char		*config_path;	/* NULL: default location */
	bool			 quiet;
	bool			 json;
	int			 year;
	long long		 now;		/* --now, 0 if unset */
	int			 family;	/* enum ad_family */
};

/* Common options every verb takes; returns 1 consumed (with *i moved), 0 not ours, -1 error. */
int	cli_common_opt(struct cli *c, int argc, char **argv, int *i);
/* --now TIME: the instant to act at (ISO 8601), also the context's clock
 * (tests, replays). Returns 0, or -1 after saying why. */
int	cli_now_opt(struct cli *c, const char *v);
/* --format, --year, --now (parse and scan); same return convention. */
int	cli_input_opt(struct cli *c, int argc, char **argv, int *i);
/* "skipped: N, k reason, ..." on stderr. */
struct ad_parse_stats;
void	cli_print_skips(const struct ad_parse_stats *s);
/* Loads the config file, then applies TZ; call after option parsing. */
int	cli_setup(struct cli *c);
/* Opens the store at --db / config / XDG default, creating its folder. */
int	cli_open_store(struct cli *c, struct ad_store **st);
void	cli_err(const struct cli *c, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Exit code for a library error. */
int	cli_exit_for(int err);

extern const char cli_common_help[];

int	cmd_scan(struct cli *c, int argc, char **argv);
int	cmd_parse(struct cli *c, int argc, char **argv);
int	cmd_incidents(struct cli *c, int argc, char **argv);
int	cmd_lookup(struct cli *c, int argc, char **argv);
/* A lookup (ad_lookup.h) set up from the lookup.* config keys; free both. */
struct ad_lookup;
struct ad_registry;
int	cli_lookup_open(struct cli *c, struct ad_store *st, bool offline,
	    struct ad_registry **reg, struct ad_lookup **l);
int	cmd_tables(struct cli *c, int argc, char **argv);
int	cmd_formats(struct cli *c, int argc, char **argv);
/* The review queue (cmd_report.c). */
int	cmd_draft(struct cli *c, int argc, char **argv);
int	cmd_reports(struct cli *c, int argc, char **argv);
int	cmd_show(struct cli *c, int argc, char **argv);
int	cmd_approve(struct cli *c, int argc, char **argv);
int	cmd_send(struct cli *c, int argc, char **argv);
int	cmd_suppress(struct cli *c, int argc, char **argv);
int	cmd_followup(struct cli *c, int argc, char **argv);
int	cmd_status(struct cli *c, int argc, char **argv);
/* A report named on the command line: its id, or its token "AD-7F3K9Q". */
void	cli_report_ref(const char *a, int64_t *id, const char **token);
/* Following through (cmd_track.c). */
int	cmd_inbox(struct cli *c, int argc, char **argv);
int	cmd_history(struct cli *c, int argc, char **argv);
int	cmd_close(struct cli *c, int argc, char **argv);
/* Hidden: whois-parse (rdap false) and rdap-parse (rdap true). */
int	cmd_netinfo(struct cli *c, int argc, char **argv, bool rdap);
/* Hidden: rdns (ad_resolver_ptr against --dns-server). */
int	cmd_rdns(struct cli *c, int argc, char **argv);
/* Hidden: one message through the relay (tests/e2e/deliver_mta.sh). */
int	cmd_deliver_test(struct cli *c, int argc, char **argv);
/* Hidden: reply-parse (ad_reply.h over a message or mailbox). */
int	cmd_reply(struct cli *c, int argc, char **argv);
/* Block advice (cmd_block.c); reads the store, never writes it. */
int	cmd_block(struct cli *c, int argc, char **argv);

#endif
