/*
 * cmd_netinfo.c - abusedesk whois-parse / rdap-parse: one recorded registry
 * answer through the parser, the ad_netinfo record as one JSON line.
 *
 * Not in the main help: they exist to debug the parsers and to score them
 * against recorded answers (tests/accuracy/score_lookup.py). No network.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_netinfo.h"
#include "cli.h"

static const char netinfo_help[] =
"usage: abusedesk whois-parse [--server HOST[:PORT]] FILE|-\n"
"       abusedesk rdap-parse [--server BASE-URL] FILE|-\n"
"\n"
"Parses one recorded whois or RDAP answer (no network) and prints what\n"
"abusedesk reads from it as one JSON object: network (ranges, start, end,\n"
"handle, name, org, country, registered, changed), asn, registry, parent,\n"
"abuse (email, confidence, placeholder, object, evidence), abuse_handles\n"
"(to resolve next), referral (kind, host, port, url, query) and flags\n"
"(placeholder, rate-limited, no-data, not-found, truncated, error,\n"
"hostile).\n"
"--server names who answered; it selects the registry's quirks.\n";

/* Reads at most max bytes (+1 to see that there were more). */
static int
slurp(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf;
	size_t n = 0;

	if (f == NULL)
		return AD_ERR_IO;
	if ((buf = malloc(max + 2)) == NULL) {
		if (f != stdin)
			fclose(f);
		return AD_ERR_NOMEM;
	}
	while (n < max + 1) {
		size_t r = fread(buf + n, 1, max + 1 - n, f);

		if (r == 0)
			break;
		n += r;
	}
	if (ferror(f)) {
		free(buf);
		if (f != stdin)
			fclose(f);
		return AD_ERR_IO;
	}
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return AD_OK;
}

int
cmd_netinfo(struct cli *c, int argc, char **argv, bool rdap)
{
	const char *server = NULL, *file = NULL;
	struct ad_netinfo ni;
	struct ad_diag diag;
	struct ad_buf b;
	char *text = NULL;
	size_t len = 0;
	int i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(netinfo_help, stdout);
			return EXIT_OK;
		}
		if (strcmp(argv[i], "--server") == 0 && i + 1 < argc)
			server = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			;	/* always JSON */
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			cli_err(c, "unknown option %s", argv[i]);
			return EXIT_USAGE;
		} else if (file == NULL)
			file = argv[i];
		else {
			cli_err(c, "one file at a time");
			return EXIT_USAGE;
		}
	}
	if (file == NULL) {
		fputs(netinfo_help, stderr);
		return EXIT_USAGE;
	}
	r = slurp(file, rdap ? AD_RDAP_INPUT_MAX : AD_WHOIS_INPUT_MAX, &text,
	    &len);
	if (r != AD_OK) {
		cli_err(c, "%s: %s", file, r == AD_ERR_IO ? strerror(errno) :
		    ad_strerror(r));
		return r == AD_ERR_IO ? EXIT_INPUT : EXIT_INTERNAL;
	}
	memset(&diag, 0, sizeof(diag));
	r = rdap ? ad_rdap_parse(text, len, server, &ni, &diag) :
	    ad_whois_parse(text, len, server, &ni, &diag);
	free(text);
	if (r != AD_OK) {
		cli_err(c, "%s: %s%s%s", file, ad_strerror(r),
		    diag.msg[0] ? ": " : "", diag.msg);
		return r == AD_ERR_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
	}
	ad_buf_init(&b, 1 << 20);
	if ((r = ad_netinfo_json(&b, &ni)) != AD_OK ||
	    (r = ad_buf_addc(&b, '\n')) != AD_OK) {
		ad_buf_free(&b);
		cli_err(c, "%s", ad_strerror(r));
		return EXIT_INTERNAL;
	}
	fwrite(b.p, 1, b.len, stdout);
	ad_buf_free(&b);
	ad_netinfo_free(&ni);
	return EXIT_OK;
}
