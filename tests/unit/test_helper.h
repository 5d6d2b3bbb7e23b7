/*
 * test_helper.h - a tiny TAP test helper (after OpenSSH's
 * regress/unittests/test_helper): TEST_START / ASSERT_* / TEST_DONE.
 *
 * Each binary prints "ok N - name" or "not ok N - name" per test, failure
 * details as "# ..." lines, and exits non-zero if any test failed.
 * tests/run counts the ok / not ok lines of every binary.
 */
#ifndef TEST_HELPER_H
#define TEST_HELPER_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int th_n, th_failed_total, th_cur_failed;
static const char *th_name;

#define TEST_START(name) do {						\
		th_name = (name);					\
		th_cur_failed = 0;					\
		th_n++;							\
	} while (0)

#define TEST_DONE() do {						\
		printf("%sok %d - %s\n", th_cur_failed ? "not " : "",	\
		    th_n, th_name);					\
		if (th_cur_failed)					\
			th_failed_total++;				\
	} while (0)

#define TH_FAIL(fmt, ...) do {						\
		printf("#   %s:%d: " fmt "\n", __FILE__, __LINE__,	\
		    __VA_ARGS__);					\
		th_cur_failed = 1;					\
	} while (0)

#define ASSERT_TRUE(x) do {						\
		if (!(x))						\
			TH_FAIL("expected true: %s", #x);		\
	} while (0)
#define ASSERT_FALSE(x) do {						\
		if (x)							\
			TH_FAIL("expected false: %s", #x);		\
	} while (0)
#define ASSERT_INT_EQ(a, b) do {					\
		long long _a = (long long)(a), _b = (long long)(b);	\
		if (_a != _b)						\
			TH_FAIL("%s == %s: %lld != %lld", #a, #b, _a, _b); \
	} while (0)
#define ASSERT_STR_EQ(a, b) do {					\
		const char *_a = (a), *_b = (b);			\
		if (_a == NULL || _b == NULL || strcmp(_a, _b) != 0)	\
			TH_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b,	\
			    _a ? _a : "(null)", _b ? _b : "(null)");	\
	} while (0)
#define ASSERT_PTR_NULL(p)	ASSERT_TRUE((p) == NULL)
#define ASSERT_PTR_NOT_NULL(p)	ASSERT_TRUE((p) != NULL)

#define TESTS_END() do {						\
		printf("1..%d\n", th_n);				\
		return th_failed_total ? 1 : 0;				\
	} while (0)

#endif
