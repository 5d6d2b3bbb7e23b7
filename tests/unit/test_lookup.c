/*
 * test_lookup.c - ad_lookup_many without a network (offline, no store):
 * with several workers the answers still come in input order, each the
 * answer ad_lookup_query gives alone (refusals, offline misses naming the
 * registry); a callback that says stop ends the batch there; the
 * counters add up. The manners against servers are in
 * tests/e2e/lookup_parallel.sh.
 */
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_lookup.h"
#include "abusedesk/ad_registry.h"
#include "test_helper.h"

#define N	300

static const char *const kinds[] = {
	"10.0.0.1", "8.8.8.8", "AS64500", "junk", "2001:db8::1", "1.1.1.1",
	"AS3320", "193.0.6.139",
};
#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

struct seen {
	struct ad_lookup	*solo;	/* answers one by one, to compare */
	size_t			 n, bad_order, bad_answer;
	size_t			 stop_at;	/* return AD_ERR_LIMIT there */
};

static int
on_answer(void *arg, size_t i, const struct ad_lookup_answer *a, int rc)
{
	struct seen *s = arg;
	struct ad_lookup_answer b;

	if (i != s->n)
		s->bad_order++;
	s->n++;
	if (s->solo != NULL) {
		if (ad_lookup_query(s->solo, kinds[i % NKINDS], &b) != b.err ||
		    strcmp(a->query, kinds[i % NKINDS]) != 0 || rc != a->err ||
		    a->err != b.err || strcmp(a->error, b.error) != 0 ||
		    strcmp(a->registry, b.registry) != 0)
			s->bad_answer++;
	}
	return i == s->stop_at ? AD_ERR_LIMIT : AD_OK;
}

int
main(void)
{
	struct ad_ctx ctx;
	struct ad_registry *reg = NULL;
	struct ad_lookup *l = NULL, *solo = NULL;
	struct ad_lookup_opts o;
	struct ad_lookup_stats st;
	struct ad_diag d;
	const char *q[N];
	struct seen s;
	size_t i, refused;

	ad_ctx_init(&ctx);
	memset(&d, 0, sizeof(d));
	for (i = 0; i < N; i++)
		q[i] = kinds[i % NKINDS];
	memset(&o, 0, sizeof(o));
	o.offline = true;
	o.parallel = 4;

	TEST_START("lookup_many: 4 workers, input order, same answers as alone");
	ASSERT_INT_EQ(ad_registry_new(&reg), AD_OK);
	ASSERT_INT_EQ(ad_registry_load_shipped(reg, NULL, &d), AD_OK);
	ASSERT_INT_EQ(ad_lookup_new(&ctx, NULL, reg, &o, &l), AD_OK);
	o.parallel = 1;
	ASSERT_INT_EQ(ad_lookup_new(&ctx, NULL, reg, &o, &solo), AD_OK);
	memset(&s, 0, sizeof(s));
	s.solo = solo;
	s.stop_at = N;
	ASSERT_INT_EQ(ad_lookup_many(l, q, N, on_answer, &s), AD_OK);
	ASSERT_INT_EQ(s.n, N);
	ASSERT_INT_EQ(s.bad_order, 0);
	ASSERT_INT_EQ(s.bad_answer, 0);
	ad_lookup_get_stats(l, &st);
	ASSERT_INT_EQ(st.queries, N);
	ASSERT_INT_EQ(st.sent, 0);
	/* 10.0.0.1, AS64500, 2001:db8::1 (kinds 0, 2, 4) */
	for (i = 0, refused = 0; i < N; i++)
		if (i % NKINDS == 0 || i % NKINDS == 2 || i % NKINDS == 4)
			refused++;
	ASSERT_INT_EQ(st.refused, refused);
	TEST_DONE();

	TEST_START("lookup_many: the callback stops the batch");
	memset(&s, 0, sizeof(s));
	s.stop_at = 57;
	ASSERT_INT_EQ(ad_lookup_many(l, q, N, on_answer, &s), AD_ERR_LIMIT);
	ASSERT_INT_EQ(s.n, 58);
	ASSERT_INT_EQ(s.bad_order, 0);
	/* and the lookup still works after */
	memset(&s, 0, sizeof(s));
	s.stop_at = N;
	ASSERT_INT_EQ(ad_lookup_many(l, q, 5, on_answer, &s), AD_OK);
	ASSERT_INT_EQ(s.n, 5);
	TEST_DONE();

	TEST_START("lookup_many: one query, no query");
	memset(&s, 0, sizeof(s));
	s.stop_at = N;
	ASSERT_INT_EQ(ad_lookup_many(l, q, 1, on_answer, &s), AD_OK);
	ASSERT_INT_EQ(s.n, 1);
	ASSERT_INT_EQ(ad_lookup_many(l, q, 0, on_answer, &s), AD_OK);
	ASSERT_INT_EQ(s.n, 1);
	TEST_DONE();

	ad_lookup_free(l);
	ad_lookup_free(solo);
	ad_registry_free(reg);
	TESTS_END();
}
