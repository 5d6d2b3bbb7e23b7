/*
 * test_agg.h - a checkpoint sink for tests that store every changed
 * incident (a scan's last checkpoint, nothing may stay unstored) and
 * ignore the packed records of the open ones.
 */
#ifndef TEST_AGG_H
#define TEST_AGG_H

#include "abusedesk/ad_detect.h"

/* Open incidents are packed after being stored; the tests look at rows. */
static int
no_blob(void *arg, bool first, const void *blob, size_t len)
{
	(void)arg;
	(void)first;
	(void)blob;
	(void)len;
	return 0;
}

static int
checkpoint_all(struct ad_agg *a, int (*save)(void *, struct ad_incident *),
    void *arg)
{
	struct ad_agg_sink sk = { arg, save, no_blob, NULL, true, true, 0 };

	return ad_agg_checkpoint(a, &sk);
}

#endif
