/*
 * test_parse.c - ad_parse_line's checks on a hit's line: a NUL byte or
 * ill-formed UTF-8 anywhere in it skips the line (counted by reason),
 * well-formed UTF-8 anywhere keeps it (the byte goes to every position of
 * user names of 1..40 bytes); and line_bytes, the one pass behind both.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_parse.h"
#include "out/parse/parse_int.h"
#include "test_helper.h"

/*
 * line_bytes against the plain definition: a NUL or a high byte at every
 * position of lines of 0..80 bytes (blocks of 16 and the tail), a NUL
 * after a high byte, and none at all.
 */
static void
test_line_bytes(void)
{
	char buf[80];
	size_t n, k;
	bool same = true;

	TEST_START("line_bytes: a NUL or a high byte at every position");
	for (n = 0; n <= sizeof(buf) && same; n++) {
		memset(buf, 'a', sizeof(buf));
		if (line_bytes(buf, n) != 0)
			same = false;
		for (k = 0; k < n && same; k++) {
			memset(buf, 'a', sizeof(buf));
			buf[k] = '\0';
			if (line_bytes(buf, n) != LINE_NUL)
				same = false;
			buf[k] = (char)0x80;
			if (line_bytes(buf, n) != LINE_HIGH)
				same = false;
			if (k + 1 < n) {
				buf[k + 1] = '\0';
				if (line_bytes(buf, n) != LINE_NUL)
					same = false;
			}
			if (!same)
				printf("# length %zu, position %zu\n", n, k);
		}
	}
	ASSERT_TRUE(same);
	TEST_DONE();
}

/* The line "...Failed password for USER from 203.0.113.9 port 2 ssh2" */
static size_t
failure(char *buf, size_t cap, const char *user, size_t ulen)
{
	static const char head[] = "Mar  3 12:00:01 web1 sshd[42]: "
	    "Failed password for ";
	static const char tail[] = " from 203.0.113.9 port 2 ssh2";
	size_t n = 0;

	if (sizeof(head) + ulen + sizeof(tail) > cap)
		return 0;
	memcpy(buf, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	memcpy(buf + n, user, ulen);
	n += ulen;
	memcpy(buf + n, tail, sizeof(tail) - 1);
	return n + sizeof(tail) - 1;
}

/*
 * For users of 1..40 bytes with `bad` (blen bytes) at each position:
 * true when every line gave `want` (1: an event) and the skip counter of
 * `why` counted exactly the others.
 */
static bool
every_position(const char *bad, size_t blen, int want, enum ad_skip why)
{
	struct ad_parser *p = ad_parser_new(AD_FAMILY_AUTO, 1772600000, 0);
	char user[64], line[256];
	struct ad_event ev;
	size_t ulen, k, n;
	uint64_t lines = 0;
	bool ok = p != NULL;

	for (ulen = blen; ulen <= 40 && ok; ulen++)
		for (k = 0; k + blen <= ulen && ok; k++) {
			memset(user, 'u', ulen);
			memcpy(user + k, bad, blen);
			n = failure(line, sizeof(line), user, ulen);
			if (ad_parse_line(p, line, n, &ev) != want) {
				printf("# user %zu bytes, bad byte at %zu\n", ulen, k);
				ok = false;
			}
			lines++;
		}
	if (ok && want == 0)
		ok = ad_parser_stats(p)->skipped[why] == lines;
	if (ok && want == 1)
		ok = ad_parser_stats(p)->events == lines;
	ad_parser_free(p);
	return ok;
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_line_bytes();

	TEST_START("a NUL byte anywhere in a hit's line skips it");
	ASSERT_TRUE(every_position("\0", 1, 0, AD_SKIP_NUL));
	TEST_DONE();

	TEST_START("ill-formed UTF-8 anywhere in a hit's line skips it");
	ASSERT_TRUE(every_position("\xff", 1, 0, AD_SKIP_UTF8));
	ASSERT_TRUE(every_position("\xc3(", 2, 0, AD_SKIP_UTF8));
	TEST_DONE();

	TEST_START("well-formed UTF-8 anywhere in a hit's line keeps it");
	ASSERT_TRUE(every_position("\xc3\xa9", 2, 1, AD_SKIP_UTF8));
	ASSERT_TRUE(every_position("\xf0\x9f\x98\x80", 4, 1, AD_SKIP_UTF8));
	TEST_DONE();

	TEST_START("a NUL before ill-formed UTF-8 counts as NUL");
	ASSERT_TRUE(every_position("\xff\0", 2, 0, AD_SKIP_NUL));
	TEST_DONE();
	TESTS_END();
}
