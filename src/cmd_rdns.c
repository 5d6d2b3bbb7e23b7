/*
 * cmd_rdns.c - abusedesk rdns ADDRESS: one reverse-DNS lookup through the
 * assessment's resolver (c-ares, forward-confirmed), as `draft` does it.
 *
 * Not in the main help: it exists to debug the resolver and to test it
 * against a DNS server on loopback (tests/e2e/assess_rdns.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_assess.h"
#include "cli.h"

static const char rdns_help[] =
"usage: abusedesk rdns [--dns-server IP[:PORT],...] [--timeout MS] ADDRESS\n"
"\n"
"Looks up the reverse name of ADDRESS and prints it when its forward\n"
"records lead back to the address. Servers default to assess.dns_servers,\n"
"else the system's resolv.conf; the timeout (per query, two tries) to\n"
"assess.dns_timeout, else 3 s.\n"
"Exit 0: printed; 2: no (confirmed) name, an invalid name, or the DNS\n"
"failed (the message says which: not found, parse error, I/O error).\n";

int
cmd_rdns(struct cli *c, int argc, char **argv)
{
	const char *servers = NULL, *query = NULL;
	struct ad_resolver *res = NULL;
	struct ad_diag diag = { 0 };
	struct ad_addr a;
	char name[256], *e;
	long timeout_ms = -1;
	int i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(rdns_help, stdout);
			return EXIT_OK;
		}
		if ((r = cli_common_opt(c, argc, argv, &i)) < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		if (strcmp(argv[i], "--dns-server") == 0 && i + 1 < argc)
			servers = argv[++i];
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			timeout_ms = strtol(argv[++i], &e, 10);
			if (*e || timeout_ms < 1 || timeout_ms > 60000) {
				cli_err(c, "--timeout: milliseconds, 1 to 60000");
				return EXIT_USAGE;
			}
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			cli_err(c, "unknown option %s", argv[i]);
			return EXIT_USAGE;
		} else if (query == NULL)
			query = argv[i];
		else {
			cli_err(c, "one address at a time");
			return EXIT_USAGE;
		}
	}
	if (query == NULL) {
		fputs(rdns_help, stderr);
		return EXIT_USAGE;
	}
	if (!ad_addr_parse(query, strlen(query), &a)) {
		cli_err(c, "not an address: %s", query);
		return EXIT_USAGE;
	}
	if ((r = cli_setup(c)) != EXIT_OK)
		return r;
	if (servers == NULL && c->cfg.assess.dns_servers[0])
		servers = c->cfg.assess.dns_servers;
	if (timeout_ms < 0)
		timeout_ms = c->cfg.assess.dns_timeout * 1000;
	if ((r = ad_resolver_new(servers, (int)timeout_ms, &res, &diag)) !=
	    AD_OK) {
		cli_err(c, "%s", diag.msg);
		return cli_exit_for(r);
	}
	r = ad_resolver_ptr(res, &a, name, sizeof(name), &diag);
	ad_resolver_free(res);
	if (r != AD_OK) {
		cli_err(c, "%s: %s: %s", query, ad_strerror(r), diag.msg);
		return r == AD_ERR_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
	}
	printf("%s\n", name);
	return EXIT_OK;
}
