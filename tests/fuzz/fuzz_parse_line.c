/*
 * fuzz_parse_line.c - libFuzzer target for the log line parser (ad_parse.h).
 *
 * The input is a log file. It is split at '\n' and every line goes through
 * one parser that picks the family by program tag (AD_FAMILY_AUTO), then
 * through a second parser whose family is forced by the first byte of the
 * input (1 + byte % (AD_FAMILY__COUNT - 1), when that family is written),
 * so each family parser also sees lines
 * its tag would never hand it. Both parsers keep their state (the sniffed
 * envelope, the year inference) across the lines of one input, as they do
 * over a real file.
 *
 * ad_parse_line takes a line without its newline and not NUL-terminated.
 * Each line is therefore copied into a heap block of exactly its length:
 * a read one byte past the line is a heap-buffer-overflow under ASan, where
 * a NUL-terminated copy or a pointer into the whole input would hide it.
 *
 * Every event is written with ad_event_to_json into a bounded ad_buf. Beyond
 * what the sanitizers catch, the target checks the contracts a caller relies
 * on and aborts when one breaks:
 *  - ad_event_to_json succeeds (its bound is far above any event) and
 *    writes one JSON object that jansson accepts;
 *  - the stats count every line, and an event or at most one skip per line.
 *
 * Built with -DFUZZ_AVOID_KNOWN (make -f tests/fuzz/Makefile.fuzz
 * AVOID_KNOWN=1), lines that trip a bug already saved as a crash-* seed are
 * not parsed, so that a long run can look for the next one. The replay test
 * never defines it: it must fail until the bug is fixed.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_event.h"
#include "abusedesk/ad_parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * An event's JSON is a few hundred bytes plus the user name, at most one
 * line (AD_LINE_MAX) with every byte escaped as \u00XX: 6 * 64 KiB.
 */
#define EVENT_JSON_MAX	(1024 * 1024)

/* 2023-11-14T22:13:20Z: year-less stamps are placed relative to it. */
#define REF_TIME	INT64_C(1700000000)


#ifdef FUZZ_AVOID_KNOWN
/*
 * True for a line that trips a bug saved as a crash-* seed and not fixed
 * yet. None at the moment; fixed so far: pri-only ("<1>", an over-read
 * after the PRI) and netfilter-bare-min (NULL + 64 for a line without a
 * stamp), now ordinary seeds.
 */
static bool
known_bug(const char *s, size_t n)
{
	(void)s;
	(void)n;
	return false;
}
#endif

static void
fail(const char *what, const struct ad_buf *b)
{
	fprintf(stderr, "fuzz_parse_line: %s\n", what);
	if (b != NULL && b->p != NULL)
		fprintf(stderr, "  json: %.*s\n",
		    (int)(b->len > 2000 ? 2000 : b->len), b->p);
	abort();
}

static void
check_json(const struct ad_buf *b)
{
	json_error_t err;
	json_t *root;

	/* "\u0000" is valid JSON: a journal MESSAGE may carry one. */
	root = json_loadb(b->p, b->len,
	    JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
	if (root == NULL)
		fail("ad_event_to_json wrote invalid JSON", b);
	if (!json_is_object(root))
		fail("ad_event_to_json wrote no JSON object", b);
	json_decref(root);
}

static void
check_stats(const struct ad_parser *p, uint64_t lines, uint64_t events)
{
	const struct ad_parse_stats *st = ad_parser_stats(p);
	struct ad_parse_stats sum;
	uint64_t skipped = 0;
	int i;

	memset(&sum, 0, sizeof(sum));
	ad_parse_stats_add(&sum, st);
	for (i = 0; i < AD_SKIP__COUNT; i++)
		skipped += sum.skipped[i];
	if (sum.lines != lines)
		fail("stats.lines is not the number of lines parsed", NULL);
	if (sum.events != events)
		fail("stats.events is not the number of events returned", NULL);
	if (sum.events + skipped > sum.lines)
		fail("more events and skips than lines", NULL);
}

/* Runs every line of the input through p. Returns false when out of memory. */
static bool
run(struct ad_parser *p, const uint8_t *data, size_t size, struct ad_buf *b)
{
	const uint8_t *s = data, *end = data + size, *nl;
	uint64_t lineno = 0, events = 0;

	while (s < end) {
		struct ad_event ev;
		size_t len;
		char *line;
		int r;

		nl = memchr(s, '\n', (size_t)(end - s));
		len = (size_t)((nl != NULL ? nl : end) - s);
		/* Exactly len bytes: no newline, no NUL, no slack. */
		if ((line = malloc(len)) == NULL && len > 0)
			return false;
		if (len > 0)
			memcpy(line, s, len);
		lineno++;
#ifdef FUZZ_AVOID_KNOWN
		if (known_bug(line, len)) {
			free(line);
			ad_parser_count_skip(p, AD_SKIP_UNKNOWN_FORMAT);
			if (nl == NULL)
				break;
			s = nl + 1;
			continue;
		}
#endif
		memset(&ev, 0xa5, sizeof(ev));	/* garbage, as on a caller's stack */
		r = ad_parse_line(p, line, len, &ev);
		if (r != 0 && r != 1)
			fail("ad_parse_line returned neither 0 nor 1", NULL);
		if (r == 1) {
			events++;
			ad_buf_reset(b);
			/* ev borrows from line: serialise before freeing it. */
			if (ad_event_to_json(b, &ev, "fuzz", lineno) != AD_OK)
				fail("ad_event_to_json failed", b);
			check_json(b);
		}
		free(line);
		if (nl == NULL)
			break;
		s = nl + 1;
	}
	check_stats(p, lineno, events);
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool tz_set;
	struct ad_parser *p;
	enum ad_family forced;
	struct ad_buf b;

	if (!tz_set) {
		/*
		 * A fixed zone with DST rules (fail2ban's test zone, written
		 * out so it needs no tzdata): local stamps then hit the gap
		 * and the fold, and runs do not depend on the host.
		 */
		setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
		tzset();
		tz_set = true;
	}
	if (size == 0)
		return 0;
	ad_buf_init(&b, EVENT_JSON_MAX);

	/* As a scan does it: family by tag, year relative to the file. */
	if ((p = ad_parser_new(AD_FAMILY_AUTO, REF_TIME, 0)) != NULL) {
		(void)run(p, data, size, &b);
		ad_parser_free(p);
	}

	/* As --format=FAMILY does it, with a fixed --year. */
	forced = (enum ad_family)(1 + data[0] % (AD_FAMILY__COUNT - 1));
	if (ad_family_available(forced) &&
	    (p = ad_parser_new(forced, REF_TIME, 2024)) != NULL) {
		(void)run(p, data, size, &b);
		ad_parser_free(p);
	}

	ad_buf_free(&b);
	return 0;
}
