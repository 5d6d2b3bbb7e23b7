/*
 * test_agg.h - a checkpoint sink for tests that store every changed
 * incident and hold none (the aggregation contract without held records).
 */
#ifndef TEST_AGG_H
#define TEST_AGG_H

#include "abusedesk/ad_detect.h"

static bool
never_hold(void *arg, const struct ad_incident *inc)
{
	(void)arg;
	(void)inc;
	return false;
}

/* Nothing is held, so nothing but the empty start of a set may arrive. */
static int
no_blob(void *arg, bool first, const void *blob, size_t len)
{
	(void)arg;
	(void)first;
	(void)blob;
	return len == 0 ? 0 : -99;
}

static int
checkpoint_all(struct ad_agg *a, int (*save)(void *, struct ad_incident *),
    void *arg)
{
	struct ad_agg_sink sk = { arg, save, never_hold, no_blob, 0 };

	return ad_agg_checkpoint(a, &sk);
}

#endif
