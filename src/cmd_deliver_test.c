/*
 * cmd_deliver_test.c - abusedesk deliver-test: hands one message file to
 * the configured transport (ad_deliver_send) and prints how it ended.
 *
 * Not in the main help: it exists to test the transports against a real
 * MTA (tests/e2e/deliver_mta.sh) and to check a relay configuration by
 * hand. No store, no queue, no rate limits: `send` is the verb that sends
 * reports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_deliver.h"
#include "cli.h"

static const char deliver_test_help[] =
"usage: abusedesk deliver-test [--relay URL] --from ADDRESS --to ADDRESS\n"
"           [--to ADDRESS...] FILE|-\n"
"\n"
"Sends the RFC 5322 message in FILE as it is through the relay of the\n"
"configuration (relay.* keys, or --set relay.KEY=VALUE; --relay URL sets\n"
"relay.url, \"\" for sendmail -t) and prints one line:\n"
"  accepted|temporary|permanent|refused <TAB> SMTP code <TAB> detail\n"
"Exit status 0 accepted, 1 refused before sending, 2 the transport failed,\n"
"4 bad configuration.\n";

int
cmd_deliver_test(struct cli *c, int argc, char **argv)
{
	const char *from = NULL, *file = NULL, *relay = NULL;
	const char *to[AD_DELIVER_RCPT_MAX];
	size_t n_to = 0, len = 0, cap = 0;
	struct ad_send_result res;
	struct ad_diag diag;
	char *msg = NULL, *np;
	FILE *f;
	int i, r, k;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(deliver_test_help, stdout);
			return EXIT_OK;
		}
		if ((k = cli_common_opt(c, argc, argv, &i)) < 0)
			return EXIT_USAGE;
		if (k > 0)
			continue;
		if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
			from = argv[++i];
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc) {
			if (n_to >= AD_DELIVER_RCPT_MAX) {
				cli_err(c, "at most %d --to", AD_DELIVER_RCPT_MAX);
				return EXIT_USAGE;
			}
			to[n_to++] = argv[++i];
		} else if (strcmp(argv[i], "--relay") == 0 && i + 1 < argc)
			relay = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			cli_err(c, "unknown option %s", argv[i]);
			return EXIT_USAGE;
		} else if (file == NULL)
			file = argv[i];
		else {
			cli_err(c, "one message at a time");
			return EXIT_USAGE;
		}
	}
	if (from == NULL || n_to == 0 || file == NULL) {
		fputs(deliver_test_help, stderr);
		return EXIT_USAGE;
	}
	if ((r = cli_setup(c)) != EXIT_OK)
		return r;
	memset(&diag, 0, sizeof(diag));
	if (relay != NULL &&
	    ad_config_set(&c->cfg, "relay.url", relay, &diag) != AD_OK) {
		cli_err(c, "--relay: %s", diag.msg);
		return EXIT_CONFIG;
	}
	if ((f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb")) == NULL) {
		cli_err(c, "%s: %s", file, strerror(errno));
		return EXIT_INPUT;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			if (cap > AD_DELIVER_MSG_MAX ||
			    (np = realloc(msg, cap ? cap * 2 : 65536)) == NULL) {
				cli_err(c, "%s: too big", file);
				free(msg);
				if (f != stdin)
					fclose(f);
				return EXIT_INPUT;
			}
			msg = np;
			cap = cap ? cap * 2 : 65536;
		}
		if ((got = fread(msg + len, 1, cap - len, f)) == 0)
			break;
		len += got;
	}
	if (f != stdin)
		fclose(f);
	r = ad_deliver_send(&c->cfg.relay, from, to, n_to, msg, len, &res,
	    &diag);
	free(msg);
	printf("%s\t%d\t%s\n", res.accepted ? "accepted" :
	    r == AD_ERR_USAGE || r == AD_ERR_CONFIG ? "refused" :
	    res.permanent ? "permanent" : "temporary", res.smtp_code,
	    res.detail);
	if (r == AD_OK)
		return EXIT_OK;
	return r == AD_ERR_IO ? EXIT_INPUT : cli_exit_for(r);
}
