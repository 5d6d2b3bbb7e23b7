/*
 * test_detect.c - ad_detect.h: aggregation of events into incident deltas
 * per (source, category), window splitting, capped sets and samples,
 * merging, assessment and the batch memory budget.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "abusedesk/ad_detect.h"
#include "abusedesk/ad_ip.h"
#include "test_agg.h"
#include "test_helper.h"


#define T0	1795365903LL	/* 2026-11-22T16:45:03Z */
#define MAXC	16
#define TXT	64

/*
 * A stand-in for the store: what each checkpoint handed to save, copied
 * before the table frees sample lines. save does what the contract asks
 * of it: marks the incident merged, gives it an id, counts stored samples.
 */
struct coll {
	int			n;		/* saves this checkpoint */
	int			fail_at;	/* fail this save (1-based) */
	int64_t			next_id;
	struct ad_incident	inc[MAXC];	/* as save saw them */
	struct ad_sample	smp[MAXC][AD_SAMPLE_MAX];	/* their samples */
	char			text[MAXC][AD_SAMPLE_MAX][TXT];
	size_t			text_len[MAXC][AD_SAMPLE_MAX];
	char			file[MAXC][AD_SAMPLE_MAX][TXT];
};

static struct coll coll;

static int
save(void *arg, struct ad_incident *d)
{
	struct coll *c = arg;
	struct ad_incident *inc;
	uint8_t i;

	if (c->fail_at && c->n + 1 == c->fail_at)
		return 7;
	if (c->n >= MAXC)
		return -1;
	inc = &c->inc[c->n];
	*inc = *d;
	/* The table owns the samples; the copy must not point at them. */
	inc->samples = c->smp[c->n];
	for (i = 0; i < d->n_samples && i < AD_SAMPLE_MAX; i++) {
		inc->samples[i] = d->samples[i];
		snprintf(c->text[c->n][i], TXT, "%s",
		    d->samples[i].text ? d->samples[i].text : "(null)");
		c->text_len[c->n][i] = d->samples[i].text ?
		    strlen(d->samples[i].text) : 0;
		snprintf(c->file[c->n][i], TXT, "%s",
		    d->samples[i].file ? d->samples[i].file : "(null)");
		/* The table owns these; the copy must not point at them. */
		inc->samples[i].text = NULL;
		inc->samples[i].file = NULL;
	}
	c->n++;
	d->merged = true;
	if (d->id == 0)
		d->id = ++c->next_id;
	d->samples_stored = (uint8_t)(d->samples_stored + d->n_samples);
	if (d->samples_stored > AD_SAMPLE_MAX)
		d->samples_stored = AD_SAMPLE_MAX;
	return 0;
}

/* A checkpoint into the stand-in store; keeps ids across checkpoints. */
static int
checkpoint(struct ad_agg *a)
{
	int64_t id = coll.next_id;

	memset(&coll, 0, sizeof(coll));
	coll.next_id = id;
	return checkpoint_all(a, save, &coll);
}

static struct ad_addr
addr(const char *s)
{
	struct ad_addr a;

	if (!ad_addr_parse(s, strlen(s), &a))
		memset(&a, 0, sizeof(a));
	return a;
}

/* An sshd failed-auth event from src at t. */
static struct ad_event
ev_ssh(const char *src, int64_t t, const char *user)
{
	struct ad_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.time.utc = t;
	ev.time.valid = true;
	ev.src = addr(src);
	ev.dst_port = 22;
	ev.proto = AD_PROTO_TCP;
	ev.evidence = AD_EVIDENCE_PROVEN;
	ev.category = AD_CAT_SSH_BRUTEFORCE;
	ev.count = 1;
	ev.service = "ssh";
	ev.kind = "failed-auth";
	ev.format = "sshd";
	ev.user = user;
	ev.user_len = user ? strlen(user) : 0;
	return ev;
}

/* A firewall drop from src to dst:port at t. */
static struct ad_event
ev_fw(const char *src, int64_t t, const char *dst, uint16_t port)
{
	struct ad_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.time.utc = t;
	ev.time.valid = true;
	ev.src = addr(src);
	if (dst)
		ev.dst = addr(dst);
	ev.dst_port = port;
	ev.proto = AD_PROTO_TCP;
	ev.tcp_flags = AD_TCP_SYN;
	ev.evidence = AD_EVIDENCE_SPOOFABLE;
	ev.category = AD_CAT_PORT_SCAN;
	ev.count = 1;
	ev.service = "firewall";
	ev.kind = "drop";
	ev.format = "netfilter";
	return ev;
}

static int
add(struct ad_agg *a, const struct ad_event *ev, uint64_t lineno,
    const char *line)
{
	return ad_agg_add(a, ev, NULL, "auth.log", lineno, line, strlen(line));
}

/* Index of the incident for (src, cat) saved at the last checkpoint. */
static int
find(const char *src, enum ad_category cat, int nth)
{
	struct ad_addr a = addr(src);
	int i;

	for (i = 0; i < coll.n; i++)
		if (coll.inc[i].category == cat &&
		    ad_addr_equal(&coll.inc[i].src, &a) && nth-- == 0)
			return i;
	return -1;
}

static struct ad_agg *
agg_new(const struct ad_detect_config *cfg, size_t budget)
{
	memset(&coll, 0, sizeof(coll));
	return ad_agg_new(cfg, budget);
}

static void
test_aggregate(void)
{
	struct ad_detect_config cfg;
	struct ad_agg *a;
	struct ad_event ev;
	int64_t id_a;
	int i;

	ad_detect_config_defaults(&cfg);

	TEST_START("aggregate per (source, category)");
	a = agg_new(&cfg, 64 << 20);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	ASSERT_INT_EQ(ad_agg_count(a), 0);
	ev = ev_ssh("203.0.113.5", T0, "root");
	ASSERT_INT_EQ(add(a, &ev, 1, "l1"), AD_OK);
	ev = ev_ssh("198.51.100.9", T0 + 5, "guest");
	ASSERT_INT_EQ(add(a, &ev, 2, "l2"), AD_OK);
	ev = ev_ssh("203.0.113.5", T0 + 10, "admin");
	ASSERT_INT_EQ(add(a, &ev, 3, "l3"), AD_OK);
	ev = ev_ssh("198.51.100.9", T0 + 6, "guest");
	ASSERT_INT_EQ(add(a, &ev, 4, "l4"), AD_OK);
	/* The IPv4-mapped spelling is the same source. */
	ev = ev_ssh("::ffff:203.0.113.5", T0 + 20, "root");
	ASSERT_INT_EQ(add(a, &ev, 5, "l5"), AD_OK);
	ev = ev_fw("203.0.113.5", T0 + 30, "192.0.2.1", 80);
	ASSERT_INT_EQ(add(a, &ev, 6, "l6"), AD_OK);
	ASSERT_INT_EQ(ad_agg_count(a), 3);
	ASSERT_INT_EQ(checkpoint(a), 0);
	ASSERT_INT_EQ(coll.n, 3);
	/* Open incidents stay in the table. */
	ASSERT_INT_EQ(ad_agg_count(a), 3);

	i = find("203.0.113.5", AD_CAT_SSH_BRUTEFORCE, 0);
	ASSERT_TRUE(i >= 0);
	if (i >= 0) {
		ASSERT_INT_EQ(coll.inc[i].events, 3);
		ASSERT_INT_EQ(coll.inc[i].proven, 3);
		ASSERT_INT_EQ(coll.inc[i].spoofable, 0);
		ASSERT_INT_EQ(coll.inc[i].first.utc, T0);
		ASSERT_INT_EQ(coll.inc[i].last.utc, T0 + 20);
		ASSERT_INT_EQ(coll.inc[i].services, AD_SVC_SSH);
		ASSERT_INT_EQ(coll.inc[i].n_users, 2);
		ASSERT_STR_EQ(coll.inc[i].users[0], "root");
		ASSERT_STR_EQ(coll.inc[i].users[1], "admin");
		ASSERT_FALSE(coll.inc[i].users_more);
		ASSERT_INT_EQ(coll.inc[i].n_ports, 1);
		ASSERT_INT_EQ(coll.inc[i].ports[0], 22);
		ASSERT_INT_EQ(coll.inc[i].n_targets, 0);
		ASSERT_INT_EQ(coll.inc[i].id, 0);
		/* Later than horizon + window: no stored row can absorb it. */
		ASSERT_TRUE(coll.inc[i].merged);
		ASSERT_TRUE(coll.inc[i].dirty);
	}
	i = find("198.51.100.9", AD_CAT_SSH_BRUTEFORCE, 0);
	ASSERT_TRUE(i >= 0);
	if (i >= 0) {
		ASSERT_INT_EQ(coll.inc[i].events, 2);
		ASSERT_INT_EQ(coll.inc[i].first.utc, T0 + 5);
		ASSERT_INT_EQ(coll.inc[i].last.utc, T0 + 6);
		ASSERT_INT_EQ(coll.inc[i].n_users, 1);
	}
	i = find("203.0.113.5", AD_CAT_PORT_SCAN, 0);
	ASSERT_TRUE(i >= 0);
	if (i >= 0) {
		struct ad_addr want = addr("192.0.2.1");

		ASSERT_INT_EQ(coll.inc[i].events, 1);
		ASSERT_INT_EQ(coll.inc[i].spoofable, 1);
		ASSERT_INT_EQ(coll.inc[i].proven, 0);
		ASSERT_INT_EQ(coll.inc[i].services, AD_SVC_FIREWALL);
		ASSERT_INT_EQ(coll.inc[i].n_ports, 1);
		ASSERT_INT_EQ(coll.inc[i].ports[0], 80);
		ASSERT_INT_EQ(coll.inc[i].n_targets, 1);
		ASSERT_TRUE(ad_addr_equal(&coll.inc[i].targets[0], &want));
		ASSERT_INT_EQ(coll.inc[i].n_users, 0);
	}
	/* The stand-in store numbers saves from 1 in order. */
	i = find("203.0.113.5", AD_CAT_SSH_BRUTEFORCE, 0);
	id_a = i + 1;
	TEST_DONE();

	TEST_START("checkpoint saves only changed incidents");
	ASSERT_INT_EQ(checkpoint(a), 0);
	ASSERT_INT_EQ(coll.n, 0);
	ASSERT_INT_EQ(ad_agg_count(a), 3);
	ev = ev_ssh("203.0.113.5", T0 + 40, "oracle");
	ASSERT_INT_EQ(add(a, &ev, 7, "l7"), AD_OK);
	ASSERT_INT_EQ(ad_agg_count(a), 3);
	ASSERT_INT_EQ(checkpoint(a), 0);
	ASSERT_INT_EQ(coll.n, 1);
	if (coll.n == 1) {
		/* The whole incident, not a delta, with its id kept. */
		ASSERT_INT_EQ(coll.inc[0].events, 4);
		ASSERT_INT_EQ(coll.inc[0].first.utc, T0);
		ASSERT_INT_EQ(coll.inc[0].last.utc, T0 + 40);
		ASSERT_INT_EQ(coll.inc[0].n_users, 3);
		ASSERT_TRUE(coll.inc[0].merged);
		ASSERT_INT_EQ(coll.inc[0].id, id_a);
		/* Only the new line is pending. */
		ASSERT_INT_EQ(coll.inc[0].n_samples, 1);
		ASSERT_STR_EQ(coll.text[0][0], "l7");
	}
	ad_agg_free(a);
	ad_agg_free(NULL);
	TEST_DONE();
}

static void
test_window(void)
{
	struct ad_detect_config cfg;
	struct ad_agg *a;
	struct ad_event ev;

	ad_detect_config_defaults(&cfg);
	cfg.window = 3600;

	TEST_START("events more than window apart split incidents");
	a = agg_new(&cfg, 64 << 20);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	ev = ev_ssh("203.0.113.5", T0, "a");
	ASSERT_INT_EQ(add(a, &ev, 1, "w1"), AD_OK);
	ev = ev_ssh("203.0.113.5", T0 + 100, "b");
	ASSERT_INT_EQ(add(a, &ev, 2, "w2"), AD_OK);
	/* 3601 s after the last event: a new incident. */
	ev = ev_ssh("203.0.113.5", T0 + 100 + 3601, "c");
	ASSERT_INT_EQ(add(a, &ev, 3, "w3"), AD_OK);
	/* Exactly window after the last: still the same incident. */
	ev = ev_ssh("203.0.113.5", T0 + 100 + 3601 + 3600, "d");
	ASSERT_INT_EQ(add(a, &ev, 4, "w4"), AD_OK);
	ASSERT_INT_EQ(ad_agg_count(a), 2);
	ASSERT_INT_EQ(checkpoint(a), 0);
	ASSERT_INT_EQ(coll.n, 2);
	/* The closed window comes first. */
	ASSERT_INT_EQ(coll.inc[0].events, 2);
	ASSERT_INT_EQ(coll.inc[0].first.utc, T0);
	ASSERT_INT_EQ(coll.inc[0].last.utc, T0 + 100);
	ASSERT_INT_EQ(coll.inc[0].n_users, 2);
	/* Below its threshold it kept its first line only. */
	ASSERT_INT_EQ(coll.inc[0].n_samples, 1);
	ASSERT_STR_EQ(coll.text[0][0], "w1");
	ASSERT_INT_EQ(coll.inc[1].events, 2);
	ASSERT_INT_EQ(coll.inc[1].first.utc, T0 + 3701);
	ASSERT_INT_EQ(coll.inc[1].last.utc, T0 + 7301);
	ASSERT_INT_EQ(coll.inc[1].n_users, 2);
	ASSERT_STR_EQ(coll.inc[1].users[0], "c");
	ASSERT_STR_EQ(coll.text[1][0], "w3");
	ASSERT_INT_EQ(coll.inc[1].samples[0].line, 3);
	/* The closed one is gone after the checkpoint. */
	ASSERT_INT_EQ(ad_agg_count(a), 1);
	ad_agg_free(a);
	TEST_DONE();

	TEST_START("a window closing after a checkpoint opens a fresh one");
	a = agg_new(&cfg, 64 << 20);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	ev = ev_ssh("203.0.113.5", T0, "a");
	ASSERT_INT_EQ(add(a, &ev, 1, "x"), AD_OK);
	ASSERT_INT_EQ(checkpoint(a), 0);
	ASSERT_INT_EQ(coll.n, 1);
	ev = ev_ssh("203.0.113.5", T0 + 10000, "b");
	ASSERT_INT_EQ(add(a, &ev, 2, "y"), AD_OK);
	ASSERT_INT_EQ(ad_agg_count(a), 2);
	ASSERT_INT_EQ(checkpoint(a), 0);
	{
		int i = find("203.0.113.5", AD_CAT_SSH_BRUTEFORCE,
		    coll.n - 1);

		/* The new window is a new incident: no id. */
		ASSERT_TRUE(i >= 0);
		if (i >= 0) {
			ASSERT_INT_EQ(coll.inc[i].events, 1);
			ASSERT_INT_EQ(coll.inc[i].first.utc, T0 + 10000);
			ASSERT_INT_EQ(coll.inc[i].id, 0);
			ASSERT_INT_EQ(coll.inc[i].samples_stored, 0);
			ASSERT_INT_EQ(coll.inc[i].n_users, 1);
			ASSERT_STR_EQ(coll.inc[i].users[0], "b");
		}
	}
	ASSERT_INT_EQ(ad_agg_count(a), 1);
	ad_agg_free(a);
	TEST_DONE();

	TEST_START("three windows for one source");
	a = agg_new(&cfg, 64 << 20);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	ev = ev_ssh("203.0.113.5", T0, NULL);
	ASSERT_INT_EQ(add(a, &ev, 1, "x"), AD_OK);
	ev = ev_ssh("203.0.113.5", T0 + 10000, NULL);
	ASSERT_INT_EQ(add(a, &ev, 2, "x"), AD_OK);
	ev = ev_ssh("203.0.113.5", T0 + 20000, NULL);
	ASSERT_INT_EQ(add(a, &ev, 3, "x"), AD_OK);
	/* Another source in between is not affected. */
	ev = ev_ssh("198.51.100.1", T0 + 1, NULL);
	ASSERT_INT_EQ(add(a, &ev, 4, "x"), AD_OK);
	ev = ev_ssh("198.51.100.1", T0 + 3000, NULL);
	ASSERT_INT_EQ(add(a, &ev, 5, "x"), AD_OK);
	ASSERT_INT_EQ(ad_agg_count(a), 4);
	ASSERT_INT_EQ(checkpoint(a), 0);
	ASSERT_INT_EQ(coll.n, 4);
	ASSERT_TRUE(find("203.0.113.5", AD_CAT_SSH_BRUTEFORCE, 2) >= 0);
	{
		int i = find("198.51.100.1", AD_CAT_SSH_BRUTEFORCE, 0);

		ASSERT_TRUE(i >= 0);
		if (i >= 0)
			ASSERT_INT_EQ(coll.inc[i].events, 2);
	}
	/*
	 * Closed windows are dropped; so is 198.51.100.1, whose window has
	 * passed (last event T0+3000, newest event T0+20000, window 3600).
	 */
	ASSERT_INT_EQ(ad_agg_count(a), 1);
	ad_agg_free(a);
	TEST_DONE();

	TEST_START("an earlier event within the window extends first");
	a = agg_new(&cfg, 64 << 20);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	ev = ev_ssh("203.0.113.5", T0 + 100, NULL);
	ASSERT_INT_EQ(add(a, &ev, 1, "x"), AD_OK);
	ev = ev_ssh("203.0.113.5", T0, NULL);
	ASSERT_INT_EQ(add(a, &ev, 2, "x"), AD_OK);
	ASSERT_INT_EQ(ad_agg_count(a), 1);
	ASSERT_INT_EQ(checkpoint(a), 0);
	ASSERT_INT_EQ(coll.n, 1);
	ASSERT_INT_EQ(coll.inc[0].first.utc, T0);
	ASSERT_INT_EQ(coll.inc[0].last.utc, T0 + 100);
	ASSERT_INT_EQ(coll.inc[0].events, 2);
	ad_agg_free(a);
	TEST_DONE();

	TEST_START("an event long before the window starts its own incident");
	a = agg_new(&cfg, 64 << 20);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	ev = ev_ssh("203.0.113.5", T0 + 10000, NULL);
	ASSERT_INT_EQ(add(a, &ev, 1, "x"), AD_OK);
	ev = ev_ssh("203.0.113.5", T0, NULL);
	ASSERT_INT_EQ(add(a, &ev, 2, "x"), AD_OK);
	ASSERT_INT_EQ(ad_agg_count(a), 2);
	ASSERT_INT_EQ(checkpoint(a), 0);
	ASSERT_INT_EQ(coll.n, 2);
	if (coll.n == 2) {
		ASSERT_INT_EQ(coll.inc[0].events + coll.inc[1].events, 2);
		ASSERT_INT_EQ(coll.inc[0].first.utc, coll.inc[0].last.utc);
		ASSERT_INT_EQ(coll.inc[1].first.utc, coll.inc[1].last.utc);
		ASSERT_TRUE(coll.inc[0].first.utc != coll.inc[1].first.utc);
	}
	ad_agg_free(a);
	TEST_DONE();

	TEST_START("fallback time for events without a stamp");
	a = agg_new(&cfg, 64 << 20);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	{
		struct ad_instant fb;

		memset(&fb, 0, sizeof(fb));
		fb.valid = true;
		fb.utc = T0 + 77;
		ev = ev_ssh("203.0.113.5", 0, NULL);
		ev.time.valid = false;
		ASSERT_INT_EQ(ad_agg_add(a, &ev, &fb, "f", 9, "nostamp", 7),
		    AD_OK);
		ASSERT_INT_EQ(checkpoint(a), 0);
		ASSERT_INT_EQ(coll.n, 1);
		ASSERT_INT_EQ(coll.inc[0].first.utc, T0 + 77);
		ASSERT_INT_EQ(coll.inc[0].last.utc, T0 + 77);
		ASSERT_INT_EQ(coll.inc[0].samples[0].time.utc, T0 + 77);
		ASSERT_INT_EQ(coll.inc[0].samples[0].line, 9);
		ASSERT_STR_EQ(coll.file[0][0], "f");
	}
	ad_agg_free(a);
	TEST_DONE();
}

static void
test_capped(void)
{
	struct ad_detect_config cfg;
	struct ad_agg *a;
	struct ad_event ev;
	char dst[32], user[32];
	int i;

	ad_detect_config_defaults(&cfg);

	TEST_START("ports capped at AD_INC_PORTS_MAX");
	a = agg_new(&cfg, 64 << 20);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	for (i = 0; i < 20; i++) {
		ev = ev_fw("203.0.113.7", T0 + i, NULL, (uint16_t)(1000 + i));
		ASSERT_INT_EQ(add(a, &ev, (uint64_t)i + 1, "p"), AD_OK);
	}
	/* Repeats and "no port" add nothing. */
	ev = ev_fw("203.0.113.7", T0 + 30, NULL, 1000);
	ASSERT_INT_EQ(add(a, &ev, 21, "p"), AD_OK);
	ev = ev_fw("203.0.113.7", T0 + 31, NULL, 0);
	ASSERT_INT_EQ(add(a, &ev, 22, "p"), AD_OK);
	/* Exactly AD_INC_PORTS_MAX distinct ports: not "more". */
	for (i = 0; i < AD_INC_PORTS_MAX; i++) {
		ev = ev_fw("203.0.113.8", T0 + i, NULL, (uint16_t)(2000 + i));
		ASSERT_INT_EQ(add(a, &ev, (uint64_t)i + 1, "p"), AD_OK);
	}
	ev = ev_fw("203.0.113.8", T0 + 99, NULL, 2000);
	ASSERT_INT_EQ(add(a, &ev, 99, "p"), AD_OK);
	ASSERT_INT_EQ(checkpoint(a), 0);
	i = find("203.0.113.7", AD_CAT_PORT_SCAN, 0);
	ASSERT_TRUE(i >= 0);
	if (i >= 0) {
		int k;

		ASSERT_INT_EQ(coll.inc[i].events, 22);
		ASSERT_INT_EQ(coll.inc[i].n_ports, AD_INC_PORTS_MAX);
		ASSERT_TRUE(coll.inc[i].ports_more);
		for (k = 0; k < AD_INC_PORTS_MAX; k++)
			ASSERT_INT_EQ(coll.inc[i].ports[k], 1000 + k);
		ASSERT_INT_EQ(coll.inc[i].n_targets, 0);
		ASSERT_FALSE(coll.inc[i].targets_more);
	}
	i = find("203.0.113.8", AD_CAT_PORT_SCAN, 0);
	ASSERT_TRUE(i >= 0);
	if (i >= 0) {
		ASSERT_INT_EQ(coll.inc[i].n_ports, AD_INC_PORTS_MAX);
		ASSERT_FALSE(coll.inc[i].ports_more);
	}
	/* The cap holds across checkpoints. */
	ev = ev_fw("203.0.113.8", T0 + 100, NULL, 3000);
	ASSERT_INT_EQ(add(a, &ev, 100, "p"), AD_OK);
	ASSERT_INT_EQ(checkpoint(a), 0);
	ASSERT_INT_EQ(coll.n, 1);
	ASSERT_INT_EQ(coll.inc[0].n_ports, AD_INC_PORTS_MAX);
	ASSERT_TRUE(coll.inc[0].ports_more);
	ad_agg_free(a);
	TEST_DONE();

	TEST_START("targets capped at AD_INC_TARGETS_MAX");
	a = agg_new(&cfg, 64 << 20);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	for (i = 0; i < 10; i++) {
		snprintf(dst, sizeof(dst), "192.0.2.%d", i + 1);
		ev = ev_fw("203.0.113.9", T0 + i, dst, 22);
		ASSERT_INT_EQ(add(a, &ev, 1, "t"), AD_OK);
	}
	ev = ev_fw("203.0.113.9", T0 + 50, "192.0.2.1", 22);
	ASSERT_INT_EQ(add(a, &ev, 1, "t"), AD_OK);
	/* Exactly AD_INC_TARGETS_MAX targets, with repeats. */
	for (i = 0; i < 2 * AD_INC_TARGETS_MAX; i++) {
		snprintf(dst, sizeof(dst), "2001:db8::%d",
		    i % AD_INC_TARGETS_MAX + 1);
		ev = ev_fw("203.0.113.10", T0 + i, dst, 22);
		ASSERT_INT_EQ(add(a, &ev, 1, "t"), AD_OK);
	}
	ASSERT_INT_EQ(checkpoint(a), 0);
	i = find("203.0.113.9", AD_CAT_PORT_SCAN, 0);
	ASSERT_TRUE(i >= 0);
	if (i >= 0) {
		struct ad_addr want = addr("192.0.2.8");

		ASSERT_INT_EQ(coll.inc[i].n_targets, AD_INC_TARGETS_MAX);
		ASSERT_TRUE(coll.inc[i].targets_more);
		ASSERT_TRUE(ad_addr_equal(&coll.inc[i].targets[7], &want));
		ASSERT_INT_EQ(coll.inc[i].n_ports, 1);
		ASSERT_FALSE(coll.inc[i].ports_more);
	}
	i = find("203.0.113.10", AD_CAT_PORT_SCAN, 0);
	ASSERT_TRUE(i >= 0);
	if (i >= 0) {
		ASSERT_INT_EQ(coll.inc[i].n_targets, AD_INC_TARGETS_MAX);
		ASSERT_FALSE(coll.inc[i].targets_more);
	}
	ad_agg_free(a);
	TEST_DONE();

	TEST_START("users capped, deduplicated and cut");
	a = agg_new(&cfg, 64 << 20);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	for (i = 0; i < 10; i++) {
		snprintf(user, sizeof(user), "user%d", i);
		ev = ev_ssh("203.0.113.11", T0 + i, user);
		ASSERT_INT_EQ(add(a, &ev, 1, "u"), AD_OK);
	}
	ev = ev_ssh("203.0.113.11", T0 + 20, "user0");
	ASSERT_INT_EQ(add(a, &ev, 1, "u"), AD_OK);
	/* A user longer than AD_INC_USER_LEN, and one given by length. */
	ev = ev_ssh("203.0.113.12", T0,
	    "abcdefghijklmnopqrstuvwxyz0123456789ABCD");
	ASSERT_INT_EQ(add(a, &ev, 1, "u"), AD_OK);
	ev = ev_ssh("203.0.113.12", T0 + 1, "rootkit");
	ev.user_len = 4;
	ASSERT_INT_EQ(add(a, &ev, 2, "u"), AD_OK);
	ev = ev_ssh("203.0.113.12", T0 + 2, "root");
	ASSERT_INT_EQ(add(a, &ev, 3, "u"), AD_OK);
	/* "ro" is not "root": a prefix is a different user. */
	ev = ev_ssh("203.0.113.12", T0 + 3, "rootkit");
	ev.user_len = 2;
	ASSERT_INT_EQ(add(a, &ev, 4, "u"), AD_OK);
	ASSERT_INT_EQ(checkpoint(a), 0);
	i = find("203.0.113.11", AD_CAT_SSH_BRUTEFORCE, 0);
	ASSERT_TRUE(i >= 0);
	if (i >= 0) {
		ASSERT_INT_EQ(coll.inc[i].n_users, AD_INC_USERS_MAX);
		ASSERT_TRUE(coll.inc[i].users_more);
		ASSERT_STR_EQ(coll.inc[i].users[0], "user0");
		ASSERT_STR_EQ(coll.inc[i].users[7], "user7");
		ASSERT_INT_EQ(coll.inc[i].events, 11);
	}
	i = find("203.0.113.12", AD_CAT_SSH_BRUTEFORCE, 0);
	ASSERT_TRUE(i >= 0);
	if (i >= 0) {
		ASSERT_INT_EQ(coll.inc[i].n_users, 3);
		ASSERT_FALSE(coll.inc[i].users_more);
		ASSERT_STR_EQ(coll.inc[i].users[0],
		    "abcdefghijklmnopqrstuvwxyz012345");
		ASSERT_INT_EQ(strlen(coll.inc[i].users[0]), AD_INC_USER_LEN);
		ASSERT_STR_EQ(coll.inc[i].users[1], "root");
		ASSERT_STR_EQ(coll.inc[i].users[2], "ro");
	}
	ad_agg_free(a);
	TEST_DONE();
}

static void
test_samples_counts(void)
{
	struct ad_detect_config cfg;
	struct ad_agg *a;
	struct ad_event ev;
	char line[32], longline[3000];
	int i, round, n = 0;

	ad_detect_config_defaults(&cfg);

	TEST_START("sample lines: the first, then from the threshold on");
	a = agg_new(&cfg, 64 << 20);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	for (i = 1; i <= 5; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		ev = ev_ssh("203.0.113.5", T0 + i, "root");
		ASSERT_INT_EQ(ad_agg_add(a, &ev, NULL, "/var/log/auth.log",
		    (uint64_t)i * 10, line, strlen(line)), AD_OK);
	}
	ASSERT_INT_EQ(checkpoint(a), 0);
	ASSERT_INT_EQ(coll.n, 1);
	/* Lines 2-4 came while it was below its threshold (5 events). */
	ASSERT_INT_EQ(coll.inc[0].n_samples, 2);
	ASSERT_INT_EQ(coll.inc[0].events, 5);
	ASSERT_STR_EQ(coll.text[0][0], "line 1");
	ASSERT_STR_EQ(coll.text[0][1], "line 5");
	ASSERT_STR_EQ(coll.file[0][0], "/var/log/auth.log");
	ASSERT_INT_EQ(coll.inc[0].samples[0].line, 10);
	ASSERT_INT_EQ(coll.inc[0].samples[1].line, 50);
	ASSERT_INT_EQ(coll.inc[0].samples[1].time.utc, T0 + 5);
	TEST_DONE();

	TEST_START("sample lines: AD_SAMPLE_MEM per write, AD_SAMPLE_MAX stored");
	/* 2 stored; then 3 + 3 + 2 more reach AD_SAMPLE_MAX (10). */
	for (round = 0; round < 4; round++) {
		for (i = 1; i <= 5; i++) {
			n++;
			snprintf(line, sizeof(line), "more %d", n);
			ev = ev_ssh("203.0.113.5", T0 + 100 + n, "root");
			ASSERT_INT_EQ(add(a, &ev, (uint64_t)n, line), AD_OK);
		}
		ASSERT_INT_EQ(checkpoint(a), 0);
		ASSERT_INT_EQ(coll.n, 1);
		ASSERT_INT_EQ(coll.inc[0].n_samples,
		    round < 2 ? 3 : round == 2 ? 2 : 0);
		ASSERT_INT_EQ(coll.inc[0].events, 5 + 5 * (round + 1));
	}
	ASSERT_STR_EQ(coll.text[0][0], "");
	ad_agg_free(a);
	TEST_DONE();

	TEST_START("sample line taken by length, long lines cut");
	a = agg_new(&cfg, 64 << 20);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	ev = ev_ssh("203.0.113.5", T0, "root");
	ASSERT_INT_EQ(ad_agg_add(a, &ev, NULL, "f", 1, "abcdef-not-this", 6),
	    AD_OK);
	memset(longline, 'x', sizeof(longline));
	ev = ev_ssh("198.51.100.5", T0, "root");
	ASSERT_INT_EQ(ad_agg_add(a, &ev, NULL, "f", 2, longline,
	    sizeof(longline)), AD_OK);
	ASSERT_INT_EQ(checkpoint(a), 0);
	i = find("203.0.113.5", AD_CAT_SSH_BRUTEFORCE, 0);
	ASSERT_TRUE(i >= 0);
	if (i >= 0)
		ASSERT_STR_EQ(coll.text[i][0], "abcdef");
	i = find("198.51.100.5", AD_CAT_SSH_BRUTEFORCE, 0);
	ASSERT_TRUE(i >= 0);
	if (i >= 0) {
		ASSERT_TRUE(coll.text_len[i][0] > 0);
		ASSERT_TRUE(coll.text_len[i][0] <= AD_SAMPLE_LINE_MAX);
		ASSERT_TRUE(strncmp(coll.text[i][0], "xxxxxxxxxx", 10) == 0);
	}
	ad_agg_free(a);
	TEST_DONE();

	TEST_START("repeated messages count N events");
	a = agg_new(&cfg, 64 << 20);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	ev = ev_ssh("203.0.113.5", T0, "root");
	ev.count = 5;
	ASSERT_INT_EQ(add(a, &ev, 1, "message repeated 5 times"), AD_OK);
	ev = ev_fw("203.0.113.5", T0 + 1, NULL, 22);
	ev.category = AD_CAT_SSH_BRUTEFORCE;
	ev.count = 3;
	ASSERT_INT_EQ(add(a, &ev, 2, "fw"), AD_OK);
	ev = ev_ssh("203.0.113.5", T0 + 2, "root");
	ASSERT_INT_EQ(add(a, &ev, 3, "one"), AD_OK);
	ASSERT_INT_EQ(checkpoint(a), 0);
	ASSERT_INT_EQ(coll.n, 1);
	ASSERT_INT_EQ(coll.inc[0].events, 9);
	ASSERT_INT_EQ(coll.inc[0].proven, 6);
	ASSERT_INT_EQ(coll.inc[0].spoofable, 3);
	ASSERT_INT_EQ(coll.inc[0].services, AD_SVC_SSH | AD_SVC_FIREWALL);
	ASSERT_INT_EQ(coll.inc[0].n_samples, 3);
	ad_agg_free(a);
	TEST_DONE();
}

static int
count_cb(void *arg, struct ad_incident *d)
{
	int *n = arg;

	if (d->events != 1)
		return -1;
	d->merged = true;
	d->samples_stored = (uint8_t)(d->samples_stored + d->n_samples);
	(*n)++;
	return 0;
}

/* How often a checkpoint asked for a stored row to merge with. */
static int resolved;

static int
resolve_cb(void *arg, struct ad_incident *d)
{
	(void)arg;
	resolved++;
	d->merged = true;
	return 0;
}

/* Counts saves of changed incidents, which must all be merged by then. */
static int
count_resolved(void *arg, struct ad_incident *d)
{
	int *m = arg;

	if (!d->merged || !d->dirty)
		return -1;
	(*m)++;
	return 0;
}

static void
test_many_and_budget(void)
{
	struct ad_detect_config cfg;
	struct ad_agg *a;
	struct ad_event ev;
	char src[32], line[2000];
	int i, n;
	bool ok;

	ad_detect_config_defaults(&cfg);

	TEST_START("thousands of sources (table growth)");
	a = agg_new(&cfg, (size_t)1 << 30);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	ok = true;
	for (i = 0; i < 3000; i++) {
		snprintf(src, sizeof(src), "2001:db8::%x:%x", i / 256, i % 256);
		ev = ev_ssh(src, T0 + i, NULL);
		if (add(a, &ev, (uint64_t)i, "x") != AD_OK)
			ok = false;
	}
	ASSERT_TRUE(ok);
	/* Same sources, other category: new entries. */
	for (i = 0; i < 3000; i += 7) {
		snprintf(src, sizeof(src), "2001:db8::%x:%x", i / 256, i % 256);
		ev = ev_fw(src, T0 + i, NULL, 80);
		if (add(a, &ev, (uint64_t)i, "x") != AD_OK)
			ok = false;
	}
	ASSERT_TRUE(ok);
	ASSERT_INT_EQ(ad_agg_count(a), 3000 + 429);
	n = 0;
	ASSERT_INT_EQ(checkpoint_all(a, count_cb, &n), 0);
	ASSERT_INT_EQ(n, 3429);
	ASSERT_INT_EQ(ad_agg_count(a), 3429);
	/* Every source is found again after the growth. */
	ev = ev_ssh("2001:db8::b:b7", T0 + 5000, NULL);
	ASSERT_INT_EQ(add(a, &ev, 1, "x"), AD_OK);
	ASSERT_INT_EQ(ad_agg_count(a), 3429);
	ad_agg_free(a);
	TEST_DONE();

	TEST_START("a sweep lets expired entries go and keeps every other findable");
	{
		struct ad_detect_config wcfg = cfg;
		struct ad_agg_sink sk = { &n, count_cb, no_blob, NULL, false,
		    true, 0 };

		wcfg.window = 100;
		a = agg_new(&wcfg, (size_t)1 << 30);
		ASSERT_PTR_NOT_NULL(a);
		if (a == NULL)
			return;
		ok = true;
		for (i = 0; i < 2000; i++) {
			snprintf(src, sizeof(src), "2001:db8::%x:%x", i / 256, i % 256);
			ev = ev_ssh(src, T0 + i, NULL);
			if (add(a, &ev, (uint64_t)i, "x") != AD_OK)
				ok = false;
		}
		ev = ev_ssh("203.0.113.99", T0 + 2050, NULL);	/* newest */
		ASSERT_INT_EQ(add(a, &ev, 1, "x"), AD_OK);
		ASSERT_TRUE(ok);
		n = 0;
		ASSERT_INT_EQ(ad_agg_sweep(a, &sk), 0);
		ASSERT_INT_EQ(n, 1950);			/* last < 2050 - 100 */
		ASSERT_INT_EQ(ad_agg_count(a), 51);
		/* The survivors are found again, not added twice. */
		for (i = 1950; i < 2000; i++) {
			snprintf(src, sizeof(src), "2001:db8::%x:%x", i / 256, i % 256);
			ev = ev_ssh(src, T0 + 2040, NULL);
			if (add(a, &ev, (uint64_t)i, "x") != AD_OK)
				ok = false;
		}
		ASSERT_TRUE(ok);
		ASSERT_INT_EQ(ad_agg_count(a), 51);
		ad_agg_free(a);
	}
	TEST_DONE();

	TEST_START("checkpoint stops at the first failing save");
	a = agg_new(&cfg, 64 << 20);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	for (i = 0; i < 5; i++) {
		snprintf(src, sizeof(src), "203.0.113.%d", i + 1);
		ev = ev_ssh(src, T0, NULL);
		ASSERT_INT_EQ(add(a, &ev, 1, "x"), AD_OK);
	}
	memset(&coll, 0, sizeof(coll));
	coll.fail_at = 2;
	ASSERT_INT_EQ(checkpoint_all(a, save, &coll), 7);
	ASSERT_INT_EQ(coll.n, 1);
	/* The caller discards the table; that must not leak. */
	ad_agg_free(a);
	TEST_DONE();

	TEST_START("agg_full with a tiny budget");
	a = agg_new(&cfg, 1);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	ev = ev_ssh("203.0.113.5", T0, NULL);
	ASSERT_INT_EQ(add(a, &ev, 1, "x"), AD_OK);
	ASSERT_TRUE(ad_agg_full(a));
	ASSERT_INT_EQ(checkpoint(a), 0);
	ASSERT_INT_EQ(coll.n, 1);
	/* Evicted or not, the source can come back. */
	ev = ev_ssh("203.0.113.5", T0 + 1, NULL);
	ASSERT_INT_EQ(add(a, &ev, 2, "x"), AD_OK);
	ASSERT_INT_EQ(checkpoint(a), 0);
	ASSERT_INT_EQ(coll.n, 1);
	ad_agg_free(a);

	a = agg_new(&cfg, (size_t)64 << 20);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	ASSERT_INT_EQ(add(a, &ev, 1, "x"), AD_OK);
	ASSERT_FALSE(ad_agg_full(a));
	ad_agg_free(a);
	TEST_DONE();

	TEST_START("sample lines count against the budget");
	a = agg_new(&cfg, (size_t)1 << 20);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	memset(line, 'y', sizeof(line));
	ev = ev_ssh("198.51.100.1", T0, NULL);
	ASSERT_INT_EQ(ad_agg_add(a, &ev, NULL, "f", 1, line, 1000), AD_OK);
	ASSERT_FALSE(ad_agg_full(a));
	/* 1 MiB of 1000-byte sample lines: full after at most ~1049. */
	for (i = 0; i < 1100 && !ad_agg_full(a); i++) {
		snprintf(src, sizeof(src), "10.%d.%d.1", i / 256, i % 256);
		ev = ev_ssh(src, T0, NULL);
		if (ad_agg_add(a, &ev, NULL, "f", 1, line, 1000) != AD_OK)
			break;
	}
	ASSERT_TRUE(ad_agg_full(a));
	ASSERT_TRUE(i > 10);
	/* A checkpoint frees the lines (and evicts if needed). */
	n = 0;
	ASSERT_INT_EQ(checkpoint_all(a, count_cb, &n), 0);
	ASSERT_INT_EQ(n, i + 1);
	ASSERT_FALSE(ad_agg_full(a));
	ad_agg_free(a);
	TEST_DONE();

	TEST_START("eviction drops the least recently active entries");
	{
		struct ad_agg_sink sk = { &n, count_resolved, no_blob,
		    resolve_cb, true, true, 0 };
		int m;

		a = agg_new(&cfg, 40000);
		ASSERT_PTR_NOT_NULL(a);
		if (a == NULL)
			return;
		for (i = 0; i < 400; i++) {
			snprintf(src, sizeof(src), "198.18.%d.%d", i / 256,
			    i % 256);
			ev = ev_ssh(src, T0 + i, NULL);
			ASSERT_INT_EQ(add(a, &ev, 1, "z"), AD_OK);
		}
		ASSERT_TRUE(ad_agg_full(a));
		n = 0;
		ASSERT_INT_EQ(checkpoint_all(a, count_cb, &n), 0);
		ASSERT_INT_EQ(n, 400);
		ASSERT_FALSE(ad_agg_full(a));
		ASSERT_TRUE(ad_agg_count(a) > 0);
		ASSERT_TRUE(ad_agg_count(a) < 400);
		/* The evicted rows' last events set the horizon. */
		ASSERT_TRUE(ad_agg_horizon(a) >= T0 && ad_agg_horizon(a) < T0 + 399);
		/* The newest source is still there: no row to look for ... */
		ev = ev_ssh("198.18.1.143", T0 + 1000, NULL);
		ASSERT_INT_EQ(add(a, &ev, 2, "z"), AD_OK);
		resolved = 0;
		m = 0;
		sk.arg = &m;
		ASSERT_INT_EQ(ad_agg_checkpoint(a, &sk), 0);
		ASSERT_INT_EQ(m, 1);
		ASSERT_INT_EQ(resolved, 0);
		/* ... the oldest was evicted: its row is looked for. */
		ev = ev_ssh("198.18.0.0", T0 + 1000, NULL);
		ASSERT_INT_EQ(add(a, &ev, 3, "z"), AD_OK);
		m = 0;
		ASSERT_INT_EQ(ad_agg_checkpoint(a, &sk), 0);
		ASSERT_INT_EQ(m, 1);
		ASSERT_INT_EQ(resolved, 1);
		ad_agg_free(a);
	}
	TEST_DONE();

	TEST_START("budget accounting survives NUL bytes in sample lines");
	/*
	 * One source, a new window each round: after every checkpoint the
	 * table holds one entry and no sample lines, so it can never be
	 * full with a 1 MiB budget, whatever bytes the lines held.
	 */
	a = agg_new(&cfg, (size_t)1 << 20);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	memset(line, 'n', sizeof(line));
	line[0] = '\0';
	ok = true;
	for (i = 0; i < 1000; i++) {
		ev = ev_ssh("198.51.100.77", T0 + (int64_t)i * 2 * cfg.window,
		    NULL);
		n = 0;
		if (ad_agg_add(a, &ev, NULL, "f", 1, line, sizeof(line)) !=
		    AD_OK || checkpoint_all(a, count_cb, &n) != 0)
			ok = false;
	}
	ASSERT_TRUE(ok);
	ASSERT_INT_EQ(ad_agg_count(a), 1);
	ASSERT_FALSE(ad_agg_full(a));
	ad_agg_free(a);
	TEST_DONE();
}

/* A bare incident for merge/assess tests. */
static struct ad_incident
inc_new(const char *src, enum ad_category cat, uint64_t events)
{
	struct ad_incident inc;

	memset(&inc, 0, sizeof(inc));
	inc.src = addr(src);
	inc.category = cat;
	inc.events = events;
	inc.proven = events;
	inc.first.valid = inc.last.valid = true;
	inc.first.utc = T0;
	inc.last.utc = T0 + 60;
	return inc;
}

static void
test_merge(void)
{
	struct ad_incident inc, d;
	int i;

	TEST_START("merge counters, times and sets");
	inc = inc_new("203.0.113.5", AD_CAT_SSH_BRUTEFORCE, 3);
	inc.services = AD_SVC_SSH;
	inc.ports[0] = 22;
	inc.ports[1] = 80;
	inc.n_ports = 2;
	snprintf(inc.users[0], sizeof(inc.users[0]), "root");
	inc.n_users = 1;
	inc.targets[0] = addr("192.0.2.1");
	inc.n_targets = 1;

	d = inc_new("203.0.113.5", AD_CAT_SSH_BRUTEFORCE, 2);
	d.proven = 0;
	d.spoofable = 2;
	d.first.utc = T0 - 100;
	d.last.utc = T0 + 500;
	d.services = AD_SVC_FIREWALL;
	d.ports[0] = 80;
	d.ports[1] = 443;
	d.n_ports = 2;
	snprintf(d.users[0], sizeof(d.users[0]), "admin");
	snprintf(d.users[1], sizeof(d.users[1]), "root");
	d.n_users = 2;
	d.targets[0] = addr("192.0.2.1");
	d.targets[1] = addr("2001:db8::1");
	d.n_targets = 2;

	ad_incident_merge(&inc, &d);
	ASSERT_INT_EQ(inc.events, 5);
	ASSERT_INT_EQ(inc.proven, 3);
	ASSERT_INT_EQ(inc.spoofable, 2);
	ASSERT_INT_EQ(inc.first.utc, T0 - 100);
	ASSERT_INT_EQ(inc.last.utc, T0 + 500);
	ASSERT_INT_EQ(inc.services, AD_SVC_SSH | AD_SVC_FIREWALL);
	ASSERT_INT_EQ(inc.n_ports, 3);
	ASSERT_INT_EQ(inc.ports[0], 22);
	ASSERT_INT_EQ(inc.ports[1], 80);
	ASSERT_INT_EQ(inc.ports[2], 443);
	ASSERT_FALSE(inc.ports_more);
	ASSERT_INT_EQ(inc.n_users, 2);
	ASSERT_STR_EQ(inc.users[0], "root");
	ASSERT_STR_EQ(inc.users[1], "admin");
	ASSERT_INT_EQ(inc.n_targets, 2);
	ASSERT_FALSE(inc.targets_more);
	ASSERT_FALSE(inc.users_more);
	TEST_DONE();

	TEST_START("merge keeps wider times");
	d = inc_new("203.0.113.5", AD_CAT_SSH_BRUTEFORCE, 1);
	d.first.utc = T0 + 10;
	d.last.utc = T0 + 20;
	ad_incident_merge(&inc, &d);
	ASSERT_INT_EQ(inc.first.utc, T0 - 100);
	ASSERT_INT_EQ(inc.last.utc, T0 + 500);
	ASSERT_INT_EQ(inc.events, 6);
	ASSERT_INT_EQ(inc.proven, 4);
	TEST_DONE();

	TEST_START("merge into full sets sets *_more");
	inc = inc_new("203.0.113.5", AD_CAT_PORT_SCAN, 16);
	for (i = 0; i < AD_INC_PORTS_MAX; i++)
		inc.ports[i] = (uint16_t)(100 + i);
	inc.n_ports = AD_INC_PORTS_MAX;
	for (i = 0; i < AD_INC_USERS_MAX; i++)
		snprintf(inc.users[i], sizeof(inc.users[i]), "u%d", i);
	inc.n_users = AD_INC_USERS_MAX;
	for (i = 0; i < AD_INC_TARGETS_MAX; i++) {
		char t[32];

		snprintf(t, sizeof(t), "192.0.2.%d", i + 1);
		inc.targets[i] = addr(t);
	}
	inc.n_targets = AD_INC_TARGETS_MAX;

	/* Only known members: nothing is "more". */
	d = inc_new("203.0.113.5", AD_CAT_PORT_SCAN, 1);
	d.ports[0] = 100;
	d.n_ports = 1;
	snprintf(d.users[0], sizeof(d.users[0]), "u3");
	d.n_users = 1;
	d.targets[0] = addr("192.0.2.8");
	d.n_targets = 1;
	ad_incident_merge(&inc, &d);
	ASSERT_FALSE(inc.ports_more);
	ASSERT_FALSE(inc.users_more);
	ASSERT_FALSE(inc.targets_more);
	ASSERT_INT_EQ(inc.n_ports, AD_INC_PORTS_MAX);

	d.ports[0] = 9999;
	snprintf(d.users[0], sizeof(d.users[0]), "new");
	d.targets[0] = addr("192.0.2.99");
	ad_incident_merge(&inc, &d);
	ASSERT_TRUE(inc.ports_more);
	ASSERT_TRUE(inc.users_more);
	ASSERT_TRUE(inc.targets_more);
	ASSERT_INT_EQ(inc.n_ports, AD_INC_PORTS_MAX);
	ASSERT_INT_EQ(inc.n_users, AD_INC_USERS_MAX);
	ASSERT_INT_EQ(inc.n_targets, AD_INC_TARGETS_MAX);
	TEST_DONE();

	TEST_START("merge carries the delta's *_more flags");
	inc = inc_new("203.0.113.5", AD_CAT_PORT_SCAN, 1);
	d = inc_new("203.0.113.5", AD_CAT_PORT_SCAN, 1);
	d.ports_more = true;
	d.users_more = true;
	d.targets_more = true;
	ad_incident_merge(&inc, &d);
	ASSERT_TRUE(inc.ports_more);
	ASSERT_TRUE(inc.users_more);
	ASSERT_TRUE(inc.targets_more);
	TEST_DONE();
}

static void
test_assess(void)
{
	struct ad_detect_config cfg;
	struct ad_incident inc;
	struct ad_cidr own[1], allow[1];
	const char *priv[] = {
		"10.0.0.5", "192.168.1.1", "172.16.0.9", "127.0.0.1",
		"100.64.1.1", "169.254.0.1", "fd00::1", "fe80::1", "::1",
		"224.0.0.5", "0.0.0.0",
	};
	size_t k;

	ad_detect_config_defaults(&cfg);

	TEST_START("assess: threshold by events");
	inc = inc_new("8.8.4.4", AD_CAT_SSH_BRUTEFORCE, 4);
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_BELOW);
	ASSERT_FALSE(inc.reportable);
	ASSERT_TRUE(inc.reason[0] != '\0');
	inc.events = inc.proven = 5;
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_NEW);
	ASSERT_TRUE(inc.reportable);
	ASSERT_TRUE(inc.reason[0] != '\0');
	ASSERT_TRUE(strstr(inc.reason, "spoof") == NULL);
	/* Per-category thresholds from the config. */
	cfg.min_events[AD_CAT_SSH_BRUTEFORCE] = 6;
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_BELOW);
	ASSERT_FALSE(inc.reportable);
	ad_detect_config_defaults(&cfg);
	TEST_DONE();

	TEST_START("assess: port scan by distinct ports or events");
	inc = inc_new("8.8.4.4", AD_CAT_PORT_SCAN, 19);
	inc.n_ports = 4;
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_BELOW);
	ASSERT_FALSE(inc.reportable);
	inc = inc_new("8.8.4.4", AD_CAT_PORT_SCAN, 5);
	inc.n_ports = 5;
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_NEW);
	ASSERT_TRUE(inc.reportable);
	inc = inc_new("8.8.4.4", AD_CAT_PORT_SCAN, 20);
	inc.n_ports = 1;
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_NEW);
	/* ssh-bruteforce has no port criterion. */
	inc = inc_new("8.8.4.4", AD_CAT_SSH_BRUTEFORCE, 1);
	inc.n_ports = 10;
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_BELOW);
	TEST_DONE();

	TEST_START("assess: spoofable-only evidence is said so");
	inc = inc_new("8.8.4.4", AD_CAT_PORT_SCAN, 20);
	inc.proven = 0;
	inc.spoofable = 20;
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_NEW);
	ASSERT_TRUE(inc.reportable);
	ASSERT_TRUE(strstr(inc.reason, "spoof") != NULL);
	TEST_DONE();

	TEST_START("assess: private and special space is internal");
	for (k = 0; k < sizeof(priv) / sizeof(priv[0]); k++) {
		inc = inc_new(priv[k], AD_CAT_SSH_BRUTEFORCE, 1000);
		ad_incident_assess(&inc, &cfg);
		if (inc.state != AD_STATE_INTERNAL || inc.reportable)
			TH_FAIL("%s: state %s reportable %d", priv[k],
			    ad_inc_state_name(inc.state), inc.reportable);
	}
	TEST_DONE();

	TEST_START("assess: documentation space");
	inc = inc_new("203.0.113.5", AD_CAT_SSH_BRUTEFORCE, 1000);
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_INTERNAL);
	ASSERT_FALSE(inc.reportable);
	cfg.documentation_public = true;
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_NEW);
	ASSERT_TRUE(inc.reportable);
	inc = inc_new("2001:db8::5", AD_CAT_SSH_BRUTEFORCE, 1000);
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_NEW);
	inc = inc_new("203.0.113.5", AD_CAT_SSH_BRUTEFORCE, 2);
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_BELOW);
	/* It does not make private space public. */
	inc = inc_new("10.0.0.5", AD_CAT_SSH_BRUTEFORCE, 1000);
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_INTERNAL);
	ASSERT_FALSE(inc.reportable);
	cfg.documentation_public = false;
	TEST_DONE();

	TEST_START("assess: own networks");
	ASSERT_TRUE(ad_cidr_parse("8.8.4.0/24", 10, &own[0]));
	cfg.own = own;
	cfg.n_own = 1;
	inc = inc_new("8.8.4.4", AD_CAT_SSH_BRUTEFORCE, 1000);
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_INTERNAL);
	ASSERT_FALSE(inc.reportable);
	inc = inc_new("8.8.8.8", AD_CAT_SSH_BRUTEFORCE, 1000);
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_NEW);
	ASSERT_TRUE(inc.reportable);
	cfg.own = NULL;
	cfg.n_own = 0;
	TEST_DONE();

	TEST_START("assess: allowlist");
	ASSERT_TRUE(ad_cidr_parse("8.8.4.4", 7, &allow[0]));
	inc = inc_new("8.8.4.4", AD_CAT_SSH_BRUTEFORCE, 1000);
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_NEW);
	cfg.allow = allow;
	cfg.n_allow = 1;
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_ALLOWLISTED);
	ASSERT_FALSE(inc.reportable);
	ASSERT_TRUE(inc.reason[0] != '\0');
	inc = inc_new("8.8.4.5", AD_CAT_SSH_BRUTEFORCE, 1000);
	ad_incident_assess(&inc, &cfg);
	ASSERT_INT_EQ(inc.state, AD_STATE_NEW);
	TEST_DONE();

	TEST_START("state and service names");
	ASSERT_STR_EQ(ad_inc_state_name(AD_STATE_NEW), "new");
	ASSERT_INT_EQ(ad_inc_state_from_name(
	    ad_inc_state_name(AD_STATE_ALLOWLISTED)), AD_STATE_ALLOWLISTED);
	ASSERT_INT_EQ(ad_inc_state_from_name("no-such-state"), -1);
	{
		char b[32];

		ASSERT_STR_EQ(ad_services_name(AD_SVC_SSH | AD_SVC_FIREWALL,
		    b, sizeof(b)), "ssh,firewall");
		ASSERT_STR_EQ(ad_services_name(0, b, sizeof(b)), "");
		ASSERT_INT_EQ(ad_services_from_name("ssh,firewall"),
		    AD_SVC_SSH | AD_SVC_FIREWALL);
		ASSERT_INT_EQ(ad_services_from_name("firewall"),
		    AD_SVC_FIREWALL);
		ASSERT_INT_EQ(ad_services_from_name("sshd"), 0);
		ASSERT_INT_EQ(ad_service_bit("ssh"), AD_SVC_SSH);
		ASSERT_INT_EQ(ad_service_bit(NULL), 0);
	}
	TEST_DONE();
}

/* --- held incidents ------------------------------------------------ */

struct holdsink {
	int		 saved;
	struct ad_buf	 blob;
};

static int
hs_save(void *arg, struct ad_incident *inc)
{
	struct holdsink *h = arg;

	h->saved++;
	inc->merged = true;
	if (inc->id == 0)
		inc->id = 1000 + h->saved;
	inc->samples_stored = (uint8_t)(inc->samples_stored + inc->n_samples);
	return 0;
}

static int
hs_held(void *arg, bool first, const void *blob, size_t len)
{
	struct holdsink *h = arg;

	if (first)
		ad_buf_reset(&h->blob);
	return ad_buf_add(&h->blob, blob, len);
}

static void
test_held(void)
{
	struct ad_detect_config cfg;
	struct ad_agg *a, *b;
	struct holdsink h;
	struct ad_agg_sink sk;
	struct ad_event ev;
	struct ad_incident back;
	const unsigned char *p, *end;
	int i, n;

	ad_detect_config_defaults(&cfg);
	cfg.window = 3600;
	cfg.documentation_public = true;
	memset(&h, 0, sizeof(h));
	ad_buf_init(&h.blob, 1u << 20);
	sk.arg = &h;
	sk.save = hs_save;
	sk.held = hs_held;
	sk.resolve = NULL;
	sk.final = true;
	sk.store_below = false;
	sk.dropped = 0;

	TEST_START("below threshold and new: held in the blob, not saved");
	a = ad_agg_new(&cfg, 1u << 20);
	ASSERT_PTR_NOT_NULL(a);
	for (i = 0; i < 3; i++) {
		ev = ev_ssh("198.51.100.7", T0 + i, "pi");
		ASSERT_INT_EQ(add(a, &ev, (uint64_t)i + 1, "line one two"), AD_OK);
	}
	ev = ev_ssh("198.51.100.8", T0 + 5, "root");	/* will be saved */
	for (i = 0; i < 6; i++)
		ASSERT_INT_EQ(add(a, &ev, 100, "other"), AD_OK);
	ASSERT_INT_EQ(ad_agg_checkpoint(a, &sk), 0);
	ASSERT_INT_EQ(h.saved, 1);
	ASSERT_TRUE(h.blob.len > 0);
	TEST_DONE();

	TEST_START("a held incident packs and unpacks whole, with its lines");
	p = (const unsigned char *)h.blob.p;
	end = p + h.blob.len;
	ASSERT_INT_EQ(ad_incident_unpack(&p, end, AD_PACK_FORMAT, &back), AD_OK);
	{
		/* The stored open one follows, with its row id and no lines. */
		const unsigned char *q = p;
		struct ad_incident other;

		ASSERT_INT_EQ(ad_incident_unpack(&q, end, AD_PACK_FORMAT,
		    &other), AD_OK);
		ASSERT_TRUE(q == end);
		ASSERT_INT_EQ(other.id, 1001);
		ASSERT_INT_EQ(other.events, 6);
		ASSERT_INT_EQ(other.n_samples, 0);
		ASSERT_INT_EQ(other.samples_stored, 3);
		ASSERT_FALSE(other.dirty);
		ad_incident_clear_samples(&other);
	}
	ASSERT_INT_EQ(back.events, 3);
	ASSERT_INT_EQ(back.id, 0);
	ASSERT_TRUE(back.dirty);
	ASSERT_TRUE(back.held && back.merged);
	ASSERT_INT_EQ(back.n_samples, 1);	/* below threshold: the first */
	ASSERT_STR_EQ(back.samples[0].text, "line one two");
	ASSERT_STR_EQ(back.samples[0].file, "auth.log");
	ASSERT_STR_EQ(back.samples[0].format, "sshd");
	ASSERT_INT_EQ(back.samples[0].line, 1);
	ASSERT_INT_EQ(back.n_users, 1);
	ASSERT_STR_EQ(back.users[0], "pi");
	ASSERT_INT_EQ(back.state, AD_STATE_BELOW);
	{
		/* a record of an unknown (newer) format is refused */
		const unsigned char *q = (const unsigned char *)h.blob.p;
		struct ad_incident other;

		ASSERT_INT_EQ(ad_incident_unpack(&q, end, AD_PACK_FORMAT + 1,
		    &other), AD_ERR_PARSE);
	}
	TEST_DONE();

	TEST_START("a held incident rejoins a new table and grows past its threshold");
	b = ad_agg_new(&cfg, 1u << 20);
	ASSERT_PTR_NOT_NULL(b);
	ASSERT_INT_EQ(ad_agg_put(b, &back), AD_OK);	/* b copies them */
	ad_incident_clear_samples(&back);
	for (i = 0; i < 7; i++) {
		ev = ev_ssh("198.51.100.7", T0 + 10 + i, "pi");
		ASSERT_INT_EQ(add(b, &ev, (uint64_t)i + 4, "later line"), AD_OK);
	}
	h.saved = 0;
	ASSERT_INT_EQ(ad_agg_checkpoint(b, &sk), 0);
	ASSERT_INT_EQ(h.saved, 1);		/* 10 events: stored now */
	p = (const unsigned char *)h.blob.p;	/* still open: packed, with id */
	end = p + h.blob.len;
	ASSERT_INT_EQ(ad_incident_unpack(&p, end, AD_PACK_FORMAT, &back), AD_OK);
	ASSERT_TRUE(p == end);
	ASSERT_INT_EQ(back.events, 10);
	ASSERT_TRUE(back.id != 0);
	ad_incident_clear_samples(&back);
	ad_agg_free(b);
	TEST_DONE();

	TEST_START("closed below threshold and never stored: counted, dropped");
	h.saved = 0;
	sk.dropped = 0;
	ev = ev_ssh("198.51.100.7", T0 + 100000, "pi");	/* the window passed */
	ASSERT_INT_EQ(add(a, &ev, 50, "much later"), AD_OK);
	ASSERT_INT_EQ(ad_agg_checkpoint(a, &sk), 0);
	ASSERT_INT_EQ(sk.dropped, 1);		/* the held one of 3 events */
	/* The new one (1 event, open) and nothing else is held. */
	p = (const unsigned char *)h.blob.p;
	end = p + h.blob.len;
	n = 0;
	while (p < end) {
		ASSERT_INT_EQ(ad_incident_unpack(&p, end, AD_PACK_FORMAT, &back), AD_OK);
		ASSERT_INT_EQ(back.events, 1);
		ad_incident_clear_samples(&back);
		n++;
	}
	ASSERT_INT_EQ(n, 1);
	ad_agg_free(a);
	TEST_DONE();

	TEST_START("a damaged held blob is an error, never a crash");
	{
		struct ad_incident inc;
		unsigned char buf[512];
		size_t len, cut;

		memset(&inc, 0, sizeof(inc));
		inc.src = addr("203.0.113.9");
		inc.category = AD_CAT_SSH_BRUTEFORCE;
		inc.events = 2;
		ad_buf_reset(&h.blob);
		ASSERT_INT_EQ(ad_incident_pack(&inc, &h.blob), AD_OK);
		len = h.blob.len;
		ASSERT_TRUE(len < sizeof(buf));
		memcpy(buf, h.blob.p, len);
		for (cut = 0; cut < len; cut++) {	/* every truncation */
			p = buf;
			ASSERT_INT_EQ(ad_incident_unpack(&p, buf + cut, AD_PACK_FORMAT, &back),
			    AD_ERR_PARSE);
		}
		buf[17] = 99;			/* category out of range */
		p = buf;
		ASSERT_INT_EQ(ad_incident_unpack(&p, buf + len, AD_PACK_FORMAT, &back),
		    AD_ERR_PARSE);
	}
	TEST_DONE();
	ad_buf_free(&h.blob);
}

/* The order a sweep's rows reach the store, and the saves before a look-up. */
static char order[8][AD_ADDR_STRLEN];
static int n_order, saves_at_resolve[8], n_resolve;

static int
order_cb(void *arg, struct ad_incident *d)
{
	(void)arg;
	if (n_order == 8)
		return -1;
	ad_addr_format(&d->src, order[n_order++]);
	d->id = n_order;
	d->samples_stored = (uint8_t)(d->samples_stored + d->n_samples);
	return 0;
}

static int
order_resolve(void *arg, struct ad_incident *d)
{
	(void)arg;
	if (n_resolve < 8)
		saves_at_resolve[n_resolve++] = n_order;
	d->merged = true;
	return 0;
}

static void
test_sweep_order(void)
{
	static const char *const srcs[] = { "203.0.113.30", "198.51.100.7",
	    "203.0.113.4" };
	struct ad_detect_config wcfg;
	struct ad_agg_sink sk = { NULL, order_cb, no_blob, NULL, true, true,
	    0 };
	struct ad_agg *a;
	struct ad_event ev;
	int i;

	ad_detect_config_defaults(&wcfg);
	wcfg.window = 100;
	TEST_START("a sweep writes the rows that left, in the order they left");
	a = agg_new(&wcfg, (size_t)1 << 30);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	for (i = 0; i < 3; i++) {
		ev = ev_ssh(srcs[i], T0 + i, NULL);
		ASSERT_INT_EQ(add(a, &ev, 1, "x"), AD_OK);
	}
	ev = ev_ssh("192.0.2.1", T0 + 500, NULL);	/* the others expire */
	ASSERT_INT_EQ(add(a, &ev, 2, "x"), AD_OK);
	n_order = 0;
	ASSERT_INT_EQ(ad_agg_sweep(a, &sk), 0);
	ASSERT_INT_EQ(n_order, 3);
	for (i = 0; i < 3; i++)
		ASSERT_STR_EQ(order[i], srcs[i]);	/* least recent first */
	ASSERT_INT_EQ(ad_agg_count(a), 1);
	ASSERT_INT_EQ(ad_agg_checkpoint(a, &sk), 0);
	ASSERT_INT_EQ(n_order, 4);
	ASSERT_STR_EQ(order[3], "192.0.2.1");	/* open: the last checkpoint */
	ad_agg_free(a);
	TEST_DONE();

	TEST_START("a sweep passes an incident that got newer, not stopping at it");
	a = agg_new(&wcfg, (size_t)1 << 30);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	for (i = 0; i < 3; i++) {
		ev = ev_ssh(srcs[i], T0 + i, NULL);
		ASSERT_INT_EQ(add(a, &ev, 1, "x"), AD_OK);
	}
	ev = ev_ssh(srcs[0], T0 + 95, NULL);	/* the first one, again */
	ASSERT_INT_EQ(add(a, &ev, 2, "x"), AD_OK);
	ev = ev_ssh("192.0.2.1", T0 + 150, NULL);
	ASSERT_INT_EQ(add(a, &ev, 3, "x"), AD_OK);
	n_order = 0;
	ASSERT_INT_EQ(ad_agg_sweep(a, &sk), 0);
	ASSERT_INT_EQ(n_order, 2);
	ASSERT_STR_EQ(order[0], srcs[1]);
	ASSERT_STR_EQ(order[1], srcs[2]);
	ASSERT_INT_EQ(ad_agg_count(a), 2);
	ev = ev_ssh("192.0.2.2", T0 + 250, NULL);	/* now it expires too */
	ASSERT_INT_EQ(add(a, &ev, 4, "x"), AD_OK);
	ASSERT_INT_EQ(ad_agg_sweep(a, &sk), 0);
	ASSERT_INT_EQ(n_order, 3);
	ASSERT_STR_EQ(order[2], srcs[0]);
	ASSERT_INT_EQ(ad_agg_count(a), 2);
	ad_agg_free(a);
	TEST_DONE();

	TEST_START("a leaver that needs a look-up sees the rows written before it");
	a = agg_new(&wcfg, (size_t)1 << 30);
	ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	/* A let-go row just before: new keys may merge, so they look up. */
	ad_agg_set_horizon(a, T0 + 400);
	sk.resolve = order_resolve;
	for (i = 0; i < 3; i++) {
		ev = ev_ssh(srcs[i], T0 + 300 + i, NULL);
		ASSERT_INT_EQ(add(a, &ev, 1, "x"), AD_OK);
	}
	ev = ev_ssh("192.0.2.1", T0 + 500, NULL);
	ASSERT_INT_EQ(add(a, &ev, 2, "x"), AD_OK);
	n_order = n_resolve = 0;
	ASSERT_INT_EQ(ad_agg_sweep(a, &sk), 0);
	ASSERT_INT_EQ(n_resolve, 3);
	ASSERT_INT_EQ(saves_at_resolve[0], 0);
	ASSERT_INT_EQ(saves_at_resolve[1], 1);
	ASSERT_INT_EQ(saves_at_resolve[2], 2);
	ad_agg_free(a);
	TEST_DONE();
}

int
main(void)
{
	/* Line-buffered: a sanitizer abort must not swallow results. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_aggregate();
	test_window();
	test_capped();
	test_samples_counts();
	test_many_and_budget();
	test_sweep_order();
	test_merge();
	test_assess();
	test_held();
	TESTS_END();
}
