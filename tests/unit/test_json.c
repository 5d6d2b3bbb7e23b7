/*
 * test_json.c - ad_buf.h (bounded buffer) and ad_json.h (string escaping,
 * key/value writers, UTF-8 validation).
 *
 * Expected escapes follow RFC 8259 section 7; UTF-8 validity follows
 * RFC 3629 and the Unicode "maximal subpart" practice (a byte that cannot
 * start or continue a well-formed sequence is one U+FFFD).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_json.h"
#include "test_helper.h"

/* Escapes [s, s+n) into a fresh buffer and returns the text (static). */
static const char *
esc(const char *s, size_t n)
{
	static char out[4096];
	struct ad_buf b;

	ad_buf_init(&b, sizeof(out) - 1);
	if (ad_json_str(&b, s, n) != AD_OK)
		snprintf(out, sizeof(out), "(error)");
	else
		snprintf(out, sizeof(out), "%s", ad_buf_str(&b));
	ad_buf_free(&b);
	return out;
}

#define ESC(lit)	esc((lit), sizeof(lit) - 1)

static void
test_buf(void)
{
	struct ad_buf b;
	char *p;
	int r;

	TEST_START("buf empty");
	ad_buf_init(&b, 16);
	ASSERT_STR_EQ(ad_buf_str(&b), "");
	ASSERT_INT_EQ(b.len, 0);
	ASSERT_INT_EQ(ad_buf_add(&b, "", 0), AD_OK);
	ASSERT_STR_EQ(ad_buf_str(&b), "");
	ad_buf_free(&b);
	ASSERT_PTR_NULL(b.p);
	ad_buf_free(&b);	/* twice is harmless */
	TEST_DONE();

	TEST_START("buf appends up to max exactly");
	ad_buf_init(&b, 10);
	ASSERT_INT_EQ(ad_buf_adds(&b, "hello"), AD_OK);
	ASSERT_INT_EQ(ad_buf_add(&b, "world", 5), AD_OK);
	ASSERT_INT_EQ(b.len, 10);
	ASSERT_STR_EQ(ad_buf_str(&b), "helloworld");
	ASSERT_INT_EQ(ad_buf_add(&b, "", 0), AD_OK);
	TEST_DONE();

	TEST_START("buf append past max fails, content unchanged");
	r = ad_buf_addc(&b, 'x');
	ASSERT_INT_EQ(r, AD_ERR_LIMIT);
	ASSERT_INT_EQ(b.len, 10);
	ASSERT_STR_EQ(ad_buf_str(&b), "helloworld");
	r = ad_buf_adds(&b, "!");
	ASSERT_INT_EQ(r, AD_ERR_LIMIT);
	r = ad_buf_addf(&b, "%d", 1);
	ASSERT_INT_EQ(r, AD_ERR_LIMIT);
	ASSERT_INT_EQ(b.len, 10);
	ASSERT_STR_EQ(ad_buf_str(&b), "helloworld");
	ad_buf_free(&b);

	ad_buf_init(&b, 8);
	ASSERT_INT_EQ(ad_buf_adds(&b, "abc"), AD_OK);
	/* 3 + 6 > 8: nothing of the 6 bytes may land. */
	ASSERT_INT_EQ(ad_buf_add(&b, "123456", 6), AD_ERR_LIMIT);
	ASSERT_INT_EQ(b.len, 3);
	ASSERT_STR_EQ(ad_buf_str(&b), "abc");
	ASSERT_INT_EQ(ad_buf_addf(&b, "%s", "xyzxyz"), AD_ERR_LIMIT);
	ASSERT_STR_EQ(ad_buf_str(&b), "abc");
	ASSERT_INT_EQ(ad_buf_add(&b, "12345", 5), AD_OK);
	ASSERT_STR_EQ(ad_buf_str(&b), "abc12345");
	ad_buf_free(&b);
	TEST_DONE();

	TEST_START("buf with max 0");
	ad_buf_init(&b, 0);
	ASSERT_INT_EQ(ad_buf_addc(&b, 'a'), AD_ERR_LIMIT);
	ASSERT_INT_EQ(ad_buf_add(&b, "", 0), AD_OK);
	ASSERT_STR_EQ(ad_buf_str(&b), "");
	ad_buf_free(&b);
	TEST_DONE();

	TEST_START("buf huge append does not wrap");
	ad_buf_init(&b, 100);
	ASSERT_INT_EQ(ad_buf_adds(&b, "ab"), AD_OK);
	ASSERT_INT_EQ(ad_buf_add(&b, "x", SIZE_MAX), AD_ERR_LIMIT);
	ASSERT_INT_EQ(ad_buf_add(&b, "x", SIZE_MAX - 1), AD_ERR_LIMIT);
	ASSERT_STR_EQ(ad_buf_str(&b), "ab");
	ad_buf_free(&b);
	TEST_DONE();

	TEST_START("buf grows over many appends");
	ad_buf_init(&b, 1 << 20);
	{
		size_t i;
		bool ok = true;

		for (i = 0; i < 100000; i++)
			if (ad_buf_addc(&b, (char)('a' + i % 26)) != AD_OK)
				ok = false;
		ASSERT_TRUE(ok);
		ASSERT_INT_EQ(b.len, 100000);
		ASSERT_INT_EQ(strlen(ad_buf_str(&b)), 100000);
		for (i = 0; i < 100000; i++)
			if (b.p[i] != (char)('a' + i % 26))
				ok = false;
		ASSERT_TRUE(ok);
		ASSERT_TRUE(b.cap <= b.max + 1);
	}
	ad_buf_free(&b);
	TEST_DONE();

	TEST_START("buf addf");
	ad_buf_init(&b, 64);
	ASSERT_INT_EQ(ad_buf_addf(&b, "%d-%s", 42, "x"), AD_OK);
	ASSERT_STR_EQ(ad_buf_str(&b), "42-x");
	ASSERT_INT_EQ(ad_buf_addf(&b, "[%05.1f|%-3s|%c]", 2.5, "a", 'z'),
	    AD_OK);
	ASSERT_STR_EQ(ad_buf_str(&b), "42-x[002.5|a  |z]");
	ASSERT_INT_EQ(ad_buf_addf(&b, "%s", ""), AD_OK);
	ASSERT_INT_EQ(b.len, strlen("42-x[002.5|a  |z]"));
	ad_buf_free(&b);
	/* Exactly to the limit is fine. */
	ad_buf_init(&b, 6);
	ASSERT_INT_EQ(ad_buf_addf(&b, "%06d", 7), AD_OK);
	ASSERT_STR_EQ(ad_buf_str(&b), "000007");
	ASSERT_INT_EQ(ad_buf_addf(&b, "%d", 1), AD_ERR_LIMIT);
	ASSERT_STR_EQ(ad_buf_str(&b), "000007");
	ad_buf_free(&b);
	TEST_DONE();

	TEST_START("buf reset keeps working");
	ad_buf_init(&b, 8);
	ASSERT_INT_EQ(ad_buf_adds(&b, "12345678"), AD_OK);
	ad_buf_reset(&b);
	ASSERT_INT_EQ(b.len, 0);
	ASSERT_STR_EQ(ad_buf_str(&b), "");
	ASSERT_INT_EQ(ad_buf_adds(&b, "abcdefgh"), AD_OK);
	ASSERT_STR_EQ(ad_buf_str(&b), "abcdefgh");
	ad_buf_free(&b);
	TEST_DONE();

	TEST_START("buf take");
	ad_buf_init(&b, 32);
	ASSERT_INT_EQ(ad_buf_adds(&b, "abc"), AD_OK);
	p = ad_buf_take(&b);
	ASSERT_STR_EQ(p, "abc");
	ASSERT_INT_EQ(b.len, 0);
	ASSERT_PTR_NULL(b.p);
	ASSERT_STR_EQ(ad_buf_str(&b), "");
	/* The buffer is usable afterwards and independent of p. */
	ASSERT_INT_EQ(ad_buf_adds(&b, "def"), AD_OK);
	ASSERT_STR_EQ(ad_buf_str(&b), "def");
	ASSERT_STR_EQ(p, "abc");
	ad_free(p);
	ad_buf_free(&b);
	/* Taking an empty buffer yields "", not NULL. */
	ad_buf_init(&b, 32);
	p = ad_buf_take(&b);
	ASSERT_PTR_NOT_NULL(p);
	ASSERT_STR_EQ(p, "");
	ad_free(p);
	TEST_DONE();
}

static void
test_escape(void)
{
	struct ad_buf b;

	TEST_START("json_str plain text");
	ASSERT_STR_EQ(ESC(""), "\"\"");
	ASSERT_STR_EQ(ESC("abc"), "\"abc\"");
	ASSERT_STR_EQ(ESC("a b/c'd"), "\"a b/c'd\"");
	TEST_DONE();

	TEST_START("json_str quotes and backslash");
	ASSERT_STR_EQ(ESC("a\"b"), "\"a\\\"b\"");
	ASSERT_STR_EQ(ESC("a\\b"), "\"a\\\\b\"");
	ASSERT_STR_EQ(ESC("\"\\\""), "\"\\\"\\\\\\\"\"");
	TEST_DONE();

	TEST_START("json_str \\n \\t \\r");
	ASSERT_STR_EQ(ESC("a\nb"), "\"a\\nb\"");
	ASSERT_STR_EQ(ESC("\t"), "\"\\t\"");
	ASSERT_STR_EQ(ESC("x\r\n"), "\"x\\r\\n\"");
	TEST_DONE();

	TEST_START("json_str other control chars as \\u00XX");
	ASSERT_TRUE(strcasecmp(ESC("\x01"), "\"\\u0001\"") == 0);
	ASSERT_TRUE(strcasecmp(ESC("a\x1f" "b"), "\"a\\u001fb\"") == 0);
	ASSERT_TRUE(strcasecmp(ESC("\x1b[31m"), "\"\\u001b[31m\"") == 0);
	/* An embedded NUL is data, not the end. */
	ASSERT_TRUE(strcasecmp(ESC("a\0b"), "\"a\\u0000b\"") == 0);
	/* \b and \f may be short escapes or \u00XX; both are JSON. */
	{
		const char *s = ESC("\b\f");

		ASSERT_TRUE(strcasecmp(s, "\"\\u0008\\u000c\"") == 0 ||
		    strcmp(s, "\"\\b\\f\"") == 0);
	}
	TEST_DONE();

	TEST_START("json_str valid multi-byte UTF-8 kept");
	ASSERT_STR_EQ(ESC("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
	ASSERT_STR_EQ(ESC("\xc2\x80"), "\"\xc2\x80\"");		/* U+0080 */
	ASSERT_STR_EQ(ESC("\xe2\x82\xac"), "\"\xe2\x82\xac\"");	/* euro */
	ASSERT_STR_EQ(ESC("\xe0\xa0\x80"), "\"\xe0\xa0\x80\"");	/* U+0800 */
	ASSERT_STR_EQ(ESC("\xed\x9f\xbf"), "\"\xed\x9f\xbf\"");	/* U+D7FF */
	ASSERT_STR_EQ(ESC("\xee\x80\x80"), "\"\xee\x80\x80\"");	/* U+E000 */
	ASSERT_STR_EQ(ESC("\xef\xbf\xbd"), "\"\xef\xbf\xbd\"");	/* U+FFFD */
	ASSERT_STR_EQ(ESC("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");
	ASSERT_STR_EQ(ESC("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");
	ASSERT_STR_EQ(ESC("\xd0\x9f\xd1\x80\xd0\xb8\"\n"),
	    "\"\xd0\x9f\xd1\x80\xd0\xb8\\\"\\n\"");
	TEST_DONE();

	TEST_START("json_str invalid bytes become \\ufffd");
	ASSERT_STR_EQ(ESC("\xff"), "\"\\ufffd\"");
	ASSERT_STR_EQ(ESC("\xfe"), "\"\\ufffd\"");
	ASSERT_STR_EQ(ESC("\x80"), "\"\\ufffd\"");
	ASSERT_STR_EQ(ESC("a\xfe" "b"), "\"a\\ufffdb\"");
	ASSERT_STR_EQ(ESC("\xbf\xbf"), "\"\\ufffd\\ufffd\"");
	/* Latin-1 "café": é alone is not UTF-8. */
	ASSERT_STR_EQ(ESC("caf\xe9"), "\"caf\\ufffd\"");
	ASSERT_STR_EQ(ESC("\xe9t\xe9"), "\"\\ufffdt\\ufffd\"");
	TEST_DONE();

	TEST_START("json_str overlong sequences rejected");
	ASSERT_STR_EQ(ESC("\xc0\xaf"), "\"\\ufffd\\ufffd\"");	/* '/' */
	ASSERT_STR_EQ(ESC("\xc1\xbf"), "\"\\ufffd\\ufffd\"");
	ASSERT_STR_EQ(ESC("\xc0\x80"), "\"\\ufffd\\ufffd\"");	/* NUL */
	ASSERT_STR_EQ(ESC("\xe0\x80\xaf"), "\"\\ufffd\\ufffd\\ufffd\"");
	ASSERT_STR_EQ(ESC("\xe0\x9f\xbf"), "\"\\ufffd\\ufffd\\ufffd\"");
	ASSERT_STR_EQ(ESC("\xf0\x80\x80\xaf"),
	    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	ASSERT_STR_EQ(ESC("\xf0\x8f\xbf\xbf"),
	    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	TEST_DONE();

	TEST_START("json_str surrogates and out-of-range rejected");
	ASSERT_STR_EQ(ESC("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
	ASSERT_STR_EQ(ESC("\xed\xbf\xbf"), "\"\\ufffd\\ufffd\\ufffd\"");
	/* U+110000 and the never-valid lead bytes F5..FF */
	ASSERT_STR_EQ(ESC("\xf4\x90\x80\x80"),
	    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	ASSERT_STR_EQ(ESC("\xf5\x80\x80\x80"),
	    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	TEST_DONE();

	TEST_START("json_str truncated sequence");
	{
		const char *s;

		/* U+20AC cut after two bytes, then 'A'. */
		s = ESC("\xe2\x82" "A");
		ASSERT_TRUE(strncmp(s, "\"\\ufffd", 7) == 0);
		ASSERT_TRUE(strlen(s) >= 4 &&
		    strcmp(s + strlen(s) - 2, "A\"") == 0);
		ASSERT_TRUE(ad_utf8_valid(s, strlen(s)));
		ASSERT_TRUE(strchr(s, '\xe2') == NULL);
		/* A valid sequence cut by n is invalid. */
		ASSERT_STR_EQ(esc("\xc3\xa9", 1), "\"\\ufffd\"");
		s = esc("\xf0\x9f\x98\x80", 3);
		ASSERT_TRUE(strncmp(s, "\"\\ufffd", 7) == 0);
		ASSERT_TRUE(ad_utf8_valid(s, strlen(s)));
		ASSERT_TRUE(strchr(s, '\xf0') == NULL);
	}
	TEST_DONE();

	TEST_START("json_str output always valid UTF-8");
	{
		char all[256];
		const char *s;
		int i;

		for (i = 0; i < 256; i++)
			all[i] = (char)i;
		s = esc(all, sizeof(all));
		ASSERT_TRUE(ad_utf8_valid(s, strlen(s)));
		/* No raw control character survives. */
		for (i = 0; s[i]; i++)
			if ((unsigned char)s[i] < 0x20)
				TH_FAIL("raw control 0x%02x at %d",
				    (unsigned char)s[i], i);
	}
	TEST_DONE();

	TEST_START("json_str respects the buffer limit");
	ad_buf_init(&b, 5);
	ASSERT_INT_EQ(ad_json_str(&b, "abcdef", 6), AD_ERR_LIMIT);
	ad_buf_free(&b);
	ad_buf_init(&b, 5);
	ASSERT_INT_EQ(ad_json_str(&b, "abc", 3), AD_OK);
	ASSERT_STR_EQ(ad_buf_str(&b), "\"abc\"");
	ad_buf_free(&b);
	TEST_DONE();
}

static void
test_kv(void)
{
	struct ad_buf b;
	bool first = true;

	TEST_START("json key/value writers");
	ad_buf_init(&b, 1024);
	ASSERT_INT_EQ(ad_buf_addc(&b, '{'), AD_OK);
	ASSERT_INT_EQ(ad_json_kv_str(&b, &first, "a", "x\"y"), AD_OK);
	ASSERT_FALSE(first);
	ASSERT_INT_EQ(ad_json_kv_int(&b, &first, "n", -5), AD_OK);
	ASSERT_INT_EQ(ad_json_kv_int(&b, &first, "big", INT64_MIN), AD_OK);
	ASSERT_INT_EQ(ad_json_kv_int(&b, &first, "o", 0), AD_OK);
	ASSERT_INT_EQ(ad_json_kv_int(&b, &first, "m", INT64_MAX), AD_OK);
	ASSERT_INT_EQ(ad_json_kv_bool(&b, &first, "t", true), AD_OK);
	ASSERT_INT_EQ(ad_json_kv_bool(&b, &first, "f", false), AD_OK);
	ASSERT_INT_EQ(ad_json_kv_null(&b, &first, "z"), AD_OK);
	ASSERT_INT_EQ(ad_json_kv_str(&b, &first, "s", NULL), AD_OK);
	ASSERT_INT_EQ(ad_json_kv_strn(&b, &first, "p", "abcdef", 3), AD_OK);
	ASSERT_INT_EQ(ad_json_kv_strn(&b, &first, "q\n", NULL, 3), AD_OK);
	ASSERT_INT_EQ(ad_buf_addc(&b, '}'), AD_OK);
	ASSERT_STR_EQ(ad_buf_str(&b),
	    "{\"a\":\"x\\\"y\",\"n\":-5,\"big\":-9223372036854775808,"
	    "\"o\":0,\"m\":9223372036854775807,\"t\":true,\"f\":false,\"z\":null,\"s\":null,\"p\":\"abc\","
	    "\"q\\n\":null}");
	ad_buf_free(&b);
	TEST_DONE();
}

static void
test_utf8_valid(void)
{
	TEST_START("utf8_valid accepts well-formed text");
	ASSERT_TRUE(ad_utf8_valid("", 0));
	ASSERT_TRUE(ad_utf8_valid("plain ascii", 11));
	ASSERT_TRUE(ad_utf8_valid("a\0b", 3));
	ASSERT_TRUE(ad_utf8_valid("\xc2\x80", 2));
	ASSERT_TRUE(ad_utf8_valid("\xdf\xbf", 2));
	ASSERT_TRUE(ad_utf8_valid("\xe0\xa0\x80", 3));
	ASSERT_TRUE(ad_utf8_valid("\xed\x9f\xbf", 3));
	ASSERT_TRUE(ad_utf8_valid("\xee\x80\x80", 3));
	ASSERT_TRUE(ad_utf8_valid("\xef\xbf\xbf", 3));
	ASSERT_TRUE(ad_utf8_valid("\xf0\x90\x80\x80", 4));
	ASSERT_TRUE(ad_utf8_valid("\xf4\x8f\xbf\xbf", 4));
	ASSERT_TRUE(ad_utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    15));
	TEST_DONE();

	TEST_START("utf8_valid rejects ill-formed text");
	ASSERT_FALSE(ad_utf8_valid("\x80", 1));
	ASSERT_FALSE(ad_utf8_valid("\xbf", 1));
	ASSERT_FALSE(ad_utf8_valid("\xff", 1));
	ASSERT_FALSE(ad_utf8_valid("\xfe", 1));
	ASSERT_FALSE(ad_utf8_valid("a\xe9" "b", 3));
	/* overlong */
	ASSERT_FALSE(ad_utf8_valid("\xc0\xaf", 2));
	ASSERT_FALSE(ad_utf8_valid("\xc1\xbf", 2));
	ASSERT_FALSE(ad_utf8_valid("\xe0\x80\xaf", 3));
	ASSERT_FALSE(ad_utf8_valid("\xe0\x9f\xbf", 3));
	ASSERT_FALSE(ad_utf8_valid("\xf0\x80\x80\xaf", 4));
	ASSERT_FALSE(ad_utf8_valid("\xf0\x8f\xbf\xbf", 4));
	/* surrogates U+D800..U+DFFF */
	ASSERT_FALSE(ad_utf8_valid("\xed\xa0\x80", 3));
	ASSERT_FALSE(ad_utf8_valid("\xed\xbf\xbf", 3));
	ASSERT_FALSE(ad_utf8_valid("\xed\xa0\xbd\xed\xb8\x80", 6));
	/* above U+10FFFF, and 5/6-byte forms */
	ASSERT_FALSE(ad_utf8_valid("\xf4\x90\x80\x80", 4));
	ASSERT_FALSE(ad_utf8_valid("\xf5\x80\x80\x80", 4));
	ASSERT_FALSE(ad_utf8_valid("\xf8\x88\x80\x80\x80", 5));
	ASSERT_FALSE(ad_utf8_valid("\xfc\x84\x80\x80\x80\x80", 6));
	/* truncated, or a bad continuation byte */
	ASSERT_FALSE(ad_utf8_valid("\xe2\x82", 2));
	ASSERT_FALSE(ad_utf8_valid("\xe2\x82\xac", 2));
	ASSERT_FALSE(ad_utf8_valid("\xf0\x9f\x98", 3));
	ASSERT_FALSE(ad_utf8_valid("\xc3", 1));
	ASSERT_FALSE(ad_utf8_valid("\xc3" "A", 2));
	ASSERT_FALSE(ad_utf8_valid("\xe2\x28\xa1", 3));
	ASSERT_FALSE(ad_utf8_valid("\xf0\x9f\x98\x28", 4));
	TEST_DONE();
}

/*
 * Whole words of plain bytes are copied 8 at a time: every byte that needs
 * a look must still be found at every position of a word, and the plain
 * bytes around it come through untouched.
 */
static void
test_escape_positions(void)
{
	static const struct {
		const char *in, *out;
	} special[] = {
		{ "\x01", "\\u0001" }, { "\x1f", "\\u001f" },
		{ "\n", "\\n" }, { "\t", "\\t" }, { "\r", "\\r" },
		{ "\"", "\\\"" }, { "\\", "\\\\" },
		{ "\x7f", "\x7f" },				/* DEL is plain */
		{ " ", " " }, { "!", "!" }, { "#", "#" }, { "[", "[" },
		{ "]", "]" }, { "~", "~" },			/* neighbours */
		{ "\x80", "\\ufffd" }, { "\xff", "\\ufffd" },
		{ "\xc3\xa9", "\xc3\xa9" },			/* é stays */
		{ "\xe2\x82\xac", "\xe2\x82\xac" },	/* € stays */
	};
	char in[64], want[128];
	size_t k, pos, len = 21;
	bool ok = true;

	TEST_START("json_str finds a special byte at every offset");
	for (k = 0; k < sizeof(special) / sizeof(special[0]); k++) {
		for (pos = 0; pos + strlen(special[k].in) <= len; pos++) {
			size_t sl = strlen(special[k].in);

			memset(in, 'a', len);
			memcpy(in + pos, special[k].in, sl);
			snprintf(want, sizeof(want), "\"%.*s%s%.*s\"", (int)pos,
			    in, special[k].out, (int)(len - pos - sl),
			    in + pos + sl);
			if (strcmp(esc(in, len), want) != 0) {
				printf("# byte %zu at %zu: %s, want %s\n", k, pos,
				    esc(in, len), want);
				ok = false;
			}
		}
	}
	ASSERT_TRUE(ok);
	TEST_DONE();
}

int
main(void)
{
	/* Line-buffered: a sanitizer abort must not swallow results. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_buf();
	test_escape();
	test_escape_positions();
	test_kv();
	test_utf8_valid();
	TESTS_END();
}
