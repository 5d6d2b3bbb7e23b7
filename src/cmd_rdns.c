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
"usage: abusedesk rdns [--dns-server IP[:PORT],...] [--timeout MS] ADDRESS...\n"
"\n"
"Looks up the reverse name of each ADDRESS (in turn, one resolver) and\n"
"prints it when its forward records lead back to the address. Servers default to assess.dns_servers,\n"
"else the system's resolv.conf; the timeout (per query, two tries) to\n"
"assess.dns_timeout, else 3 s.\n"
"Exit 0: all printed; 2: for one or more, no (confirmed) name, an invalid name, or the DNS\n"
"failed (the message says which: not found, parse error, I/O error).\n";

int
cmd_rdns(struct cli *c, int argc, char **argv)
{
	const char *servers = NULL;
	struct ad_resolver *res = NULL;
	struct ad_diag diag = { 0 };
	struct ad_addr a;
	char name[256], *e;
	long timeout_ms = -1;
	const char **addrs;
	int i, r, n = 0, rc = EXIT_OK;

	if ((addrs = calloc((size_t)argc, sizeof(*addrs))) == NULL) {
		cli_err(c, "out of memory");
		return EXIT_INTERNAL;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(rdns_help, stdout);
			free(addrs);
			return EXIT_OK;
		}
		if ((r = cli_common_opt(c, argc, argv, &i)) < 0)
			goto usage;
		if (r > 0)
			continue;
		if (strcmp(argv[i], "--dns-server") == 0 && i + 1 < argc)
			servers = argv[++i];
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			timeout_ms = strtol(argv[++i], &e, 10);
			if (*e || timeout_ms < 1 || timeout_ms > 60000) {
				cli_err(c, "--timeout: milliseconds, 1 to 60000");
				goto usage;
			}
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			cli_err(c, "unknown option %s", argv[i]);
			goto usage;
		} else if (!ad_addr_parse(argv[i], strlen(argv[i]), &a)) {
			cli_err(c, "not an address: %s", argv[i]);
			goto usage;
		} else
			addrs[n++] = argv[i];
	}
	if (n == 0) {
		fputs(rdns_help, stderr);
		goto usage;
	}
	if ((r = cli_setup(c)) != EXIT_OK) {
		free(addrs);
		return r;
	}
	if (servers == NULL && c->cfg.assess.dns_servers[0])
		servers = c->cfg.assess.dns_servers;
	if (timeout_ms < 0)
		timeout_ms = c->cfg.assess.dns_timeout * 1000;
	if ((r = ad_resolver_new(servers, (int)timeout_ms, &res, &diag)) !=
	    AD_OK) {
		cli_err(c, "%s", diag.msg);
		free(addrs);
		return cli_exit_for(r);
	}
	for (i = 0; i < n; i++) {
		if (!ad_addr_parse(addrs[i], strlen(addrs[i]), &a))
			continue;	/* checked above */
		r = ad_resolver_ptr(res, &a, name, sizeof(name), &diag);
		if (r == AD_OK) {
			printf("%s\n", name);
			continue;
		}
		cli_err(c, "%s: %s: %s", addrs[i], ad_strerror(r), diag.msg);
		if (r == AD_ERR_NOMEM) {
			rc = EXIT_INTERNAL;
			break;
		}
		rc = EXIT_INPUT;
	}
	ad_resolver_free(res);
	free(addrs);
	return rc;
 usage:
	free(addrs);
	return EXIT_USAGE;
}
