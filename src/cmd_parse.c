/*
 * cmd_parse.c - abusedesk parse: hostile lines as events, stores nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_ingest.h"
#include "abusedesk/ad_parse.h"
#include "cli.h"

static const char parse_help[] =
"usage: abusedesk parse [--json] [--tz ZONE] [--year YYYY] [--now TIME]\n"
"                       [--format NAME] [FILE...]\n"
"\n"
"Prints one event per hostile log line; stores nothing. FILE may be plain,\n"
"gzip-compressed, or - for standard input (the default).\n"
"\n"
"  --json         JSON Lines on stdout: file, line, time, src, src_port, dst,\n"
"                 dst_port, proto, service, kind, user, evidence (proven or\n"
"                 spoofable), category, count, format; and where the log\n"
"                 says it: detail (request, signature), label (why it is\n"
"                 hostile), status, severity\n"
"  --format NAME  treat every line as NAME instead of choosing by program tag\n"
"                 or by sniffing the file (`abusedesk formats` lists them)\n"
"  --year YYYY    year of stamps that carry none (default: placed before the\n"
"                 file's modification time, with December/January rollover)\n"
"  --now TIME     reference instant instead of the file's mtime\n"
"                 (ISO 8601, e.g. 2026-11-22T10:00:00+01:00)\n"
"\n"
"A summary (lines, events, skipped lines by reason) goes to stderr.\n";

int
cli_input_opt(struct cli *c, int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (strcmp(a, "--format") == 0 || strcmp(a, "--year") == 0 ||
	    strcmp(a, "--now") == 0) {
		const char *v;

		if (*i + 1 >= argc) {
			cli_err(c, "%s needs an argument", a);
			return -1;
		}
		v = argv[++*i];
		if (strcmp(a, "--format") == 0) {
			if ((c->family = ad_family_from_name(v)) < 0) {
				cli_err(c, "unknown format \"%s\" (abusedesk "
				    "formats lists them)", v);
				return -1;
			}
		} else if (strcmp(a, "--year") == 0) {
			char *e;
			long y = strtol(v, &e, 10);

			if (*e || y < 1970 || y > 9999) {
				cli_err(c, "--year wants a year like 2026");
				return -1;
			}
			c->year = (int)y;
		} else if (cli_now_opt(c, v) != 0)
			return -1;
		return 1;
	}
	return 0;
}

void
cli_print_skips(const struct ad_parse_stats *s)
{
	uint64_t total = 0;
	int k;

	for (k = 0; k < AD_SKIP__COUNT; k++)
		total += s->skipped[k];
	fprintf(stderr, "  skipped: %llu", (unsigned long long)total);
	for (k = 0; k < AD_SKIP__COUNT; k++)
		if (s->skipped[k])
			fprintf(stderr, "%s %llu %s", total ? "," : "",
			    (unsigned long long)s->skipped[k],
			    ad_skip_name((enum ad_skip)k));
	fputc('\n', stderr);
}

static int
parse_file(struct cli *c, struct ad_parser *p, const char *path,
    struct ad_buf *out)
{
	struct ad_reader *rd;
	struct ad_diag d = { 0 };
	struct ad_chunk ch;
	struct ad_event ev;
	uint64_t lineno = 0, dropped = 0;
	int r;

	if ((r = ad_reader_open(&c->ctx, path, &rd, &d)) != AD_OK) {
		cli_err(c, "%s: %s", d.where, d.msg);
		return r;
	}
	ad_parser_reset(p, c->now ? c->now : ad_reader_info(rd)->mtime);
	while ((r = ad_reader_chunk(rd, &ch, &d)) == 1) {
		const char *s = ch.data, *end = ch.data + ch.len, *line;
		size_t len;

		for (; dropped < ad_reader_dropped_lines(rd); dropped++) {
			ad_parser_count_skip(p, AD_SKIP_TOO_LONG);
			lineno++;
		}
		while (ad_line_next(&s, end, &line, &len)) {
			lineno++;
			if (ad_parse_line(p, line, len, &ev) == 1) {
				char a[AD_ADDR_STRLEN], t[AD_ISO_STRLEN];

				if (c->json) {
					if (ad_event_to_json(out, &ev, path,
					    lineno) != AD_OK ||
					    ad_buf_addc(out, '\n') != AD_OK)
						r = AD_ERR_NOMEM;
				} else if (ad_buf_add_printable(out, path,
				    strlen(path)) != AD_OK ||
				    ad_buf_addf(out, ":%llu %s %s %s%s",
				    (unsigned long long)lineno,
				    ev.time.valid ? ad_instant_format(&ev.time, t) : "-",
				    ad_addr_format(&ev.src, a), ev.kind,
				    ev.user ? " user=" : "") != AD_OK ||
				    (ev.user && ad_buf_add_printable(out, ev.user,
				    ev.user_len) != AD_OK) ||
				    ad_buf_addc(out, '\n') != AD_OK)
					r = AD_ERR_NOMEM;
				if (r == AD_ERR_NOMEM)
					break;
			}
		}
		if (r == AD_ERR_NOMEM)
			break;
		fwrite(out->p ? out->p : "", 1, out->len, stdout);
		ad_buf_reset(out);
	}
	for (; dropped < ad_reader_dropped_lines(rd); dropped++)
		ad_parser_count_skip(p, AD_SKIP_TOO_LONG);
	if (r >= 0 && ad_reader_truncated(rd)) {
		cli_err(c, "%s: compressed data ends early (truncated .gz); "
		    "the %llu lines before were read", path,
		    (unsigned long long)lineno);
		r = AD_ERR_IO;
		ad_reader_free(rd);
		return r;
	}
	if (r < 0)
		cli_err(c, "%s: %s", path, r == AD_ERR_NOMEM ?
		    "out of memory" : d.msg);
	ad_reader_free(rd);
	return r < 0 ? r : AD_OK;
}

int
cmd_parse(struct cli *c, int argc, char **argv)
{
	struct ad_parser *p;
	struct ad_buf out;
	const struct ad_parse_stats *s;
	int i, r, ret = EXIT_OK, nfiles = 0;
	char **files;

	if ((files = calloc((size_t)argc + 1, sizeof(*files))) == NULL)
		return EXIT_INTERNAL;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			printf("%s\n%s", parse_help, cli_common_help);
			free(files);
			return EXIT_OK;
		}
		if (strcmp(a, "--json") == 0) {
			c->json = true;
			continue;
		}
		if ((r = cli_input_opt(c, argc, argv, &i)) == 0)
			r = cli_common_opt(c, argc, argv, &i);
		if (r < 0) {
			free(files);
			return EXIT_USAGE;
		}
		if (r == 1)
			continue;
		if (a[0] == '-' && a[1] != '\0') {
			cli_err(c, "parse: unknown option %s", a);
			free(files);
			return EXIT_USAGE;
		}
		files[nfiles++] = argv[i];
	}
	if (nfiles == 0)
		files[nfiles++] = "-";
	if ((r = cli_setup(c)) != EXIT_OK) {
		free(files);
		return r;
	}
	if ((p = ad_parser_new((enum ad_family)c->family, c->now, c->year)) == NULL ||
	    ad_parser_options(p, c->cfg.parse, c->cfg.n_parse, NULL) != AD_OK) {
		ad_parser_free(p);
		free(files);
		return EXIT_INTERNAL;
	}
	ad_buf_init(&out, 64u << 20);
	for (i = 0; i < nfiles; i++) {
		r = parse_file(c, p, files[i], &out);
		if (r == AD_ERR_NOMEM) {
			ret = EXIT_INTERNAL;
			break;
		}
		if (r != AD_OK)
			ret = EXIT_INPUT;
	}
	fflush(stdout);
	s = ad_parser_stats(p);
	if (!c->quiet) {
		fprintf(stderr, "abusedesk parse: %llu lines, %llu events\n",
		    (unsigned long long)s->lines, (unsigned long long)s->events);
		cli_print_skips(s);
	}
	ad_buf_free(&out);
	ad_parser_free(p);
	free(files);
	return ret;
}
