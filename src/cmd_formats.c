/*
 * cmd_formats.c - abusedesk formats: the log families this build reads,
 * and the field legend of each format (what reports quote for a reader
 * who has never seen that log).
 */
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_json.h"
#include "abusedesk/ad_parse.h"
#include "cli.h"

static const char formats_help[] =
"usage: abusedesk formats [--json] [FORMAT...]\n"
"\n"
"Without FORMAT, lists the log families abusedesk reads (the names --format\n"
"takes). With FORMAT (an event's \"format\", e.g. sshd, netfilter), prints\n"
"its field legend: the plain explanation of the log's fields that reports\n"
"include beside the log lines.\n"
"\n"
"  --json   JSON Lines: {\"family\": NAME} per family, or\n"
"           {\"format\": NAME, \"legend\": TEXT} per format\n"
"\n"
"Exit status: 0; 1 for an unknown FORMAT (the others are still printed).\n";

struct legend_list {
	struct ad_buf	*out;
	bool		 json;
	int		 r;
};

static void
put_legend(const char *format, const char *text, void *arg)
{
	struct legend_list *l = arg;
	bool first = true;

	if (l->r != AD_OK)
		return;
	if (l->json) {
		if ((l->r = ad_buf_addc(l->out, '{')) != AD_OK ||
		    (l->r = ad_json_kv_str(l->out, &first, "format", format)) ||
		    (l->r = ad_json_kv_str(l->out, &first, "legend", text)) ||
		    (l->r = ad_buf_add(l->out, "}\n", 2)) != AD_OK)
			return;
	} else {
		if ((l->r = ad_buf_addf(l->out, "%s\n", format)) != AD_OK)
			return;
		for (const char *p = text; *p; ) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);

			if ((l->r = ad_buf_addf(l->out, "    %.*s\n", (int)n,
			    p)) != AD_OK)
				return;
			p += n + (nl != NULL);
		}
	}
}

int
cmd_formats(struct cli *c, int argc, char **argv)
{
	struct ad_buf out;
	struct legend_list l;
	int i, r, ret = EXIT_OK, f;
	bool any = false;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(formats_help, stdout);
			return EXIT_OK;
		}
		if (strcmp(argv[i], "--json") == 0)
			c->json = true;
		else if (argv[i][0] == '-') {
			cli_err(c, "unknown option %s (try --help)", argv[i]);
			return EXIT_USAGE;
		} else
			any = true;
	}
	ad_buf_init(&out, 1u << 20);
	l.out = &out;
	l.json = c->json;
	l.r = AD_OK;
	if (!any) {
		for (f = 1; f < AD_FAMILY__COUNT && l.r == AD_OK; f++) {
			bool first = true;
			const char *name = ad_family_name((enum ad_family)f);

			if (!ad_family_available((enum ad_family)f))
				continue;
			if (c->json) {
				if ((l.r = ad_buf_addc(&out, '{')) == AD_OK &&
				    (l.r = ad_json_kv_str(&out, &first, "family",
				    name)) == AD_OK)
					l.r = ad_buf_add(&out, "}\n", 2);
			} else
				l.r = ad_buf_addf(&out, "%s\n", name);
		}
	}
	for (i = 1; i < argc && l.r == AD_OK; i++) {
		const char *text;

		if (argv[i][0] == '-')
			continue;
		if ((text = ad_format_legend(argv[i])) == NULL) {
			cli_err(c, "no legend for format \"%s\"", argv[i]);
			ret = EXIT_USAGE;
			continue;
		}
		put_legend(argv[i], text, &l);
	}
	r = l.r;
	if (r == AD_OK)
		fwrite(out.p, 1, out.len, stdout);
	ad_buf_free(&out);
	return r == AD_OK ? ret : EXIT_INTERNAL;
}
