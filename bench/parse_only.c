/*
 * parse_only.c - reader + parser throughput, no aggregation, no store:
 * the ceiling the scan pipeline is measured against (bench/README.md).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "abusedesk/ad_ingest.h"
#include "abusedesk/ad_parse.h"

int
main(int argc, char **argv)
{
	struct ad_ctx ctx;
	struct ad_reader *rd;
	struct ad_parser *p;
	struct ad_diag d;
	struct ad_chunk c;
	struct ad_event ev;
	struct timespec t0, t1;
	unsigned long long events = 0, bytes = 0;
	double s;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: parse_only FILE\n");
		return 1;
	}
	ad_ctx_init(&ctx);
	if (ad_reader_open(&ctx, argv[1], &rd, &d) != AD_OK) {
		fprintf(stderr, "%s: %s\n", d.where, d.msg);
		return 1;
	}
	p = ad_parser_new(AD_FAMILY_AUTO, ad_reader_info(rd)->mtime, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((r = ad_reader_chunk(rd, &c, &d)) == 1) {
		const char *q = c.data, *end = c.data + c.len, *line;
		size_t len;

		bytes += c.len;
		while (ad_line_next(&q, end, &line, &len))
			events += (unsigned)ad_parse_line(p, line, len, &ev);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%llu bytes, %llu events, %.3f s, %.0f MB/s\n", bytes, events, s,
	    (double)bytes / 1e6 / s);
	ad_parser_free(p);
	ad_reader_free(rd);
	return 0;
}
