/*
 * test_alloc.c - allocation failure: every allocation in turn is made to
 * fail (ad_alloc_fail_after(n), n = 1, 2, ...) while an ad_agg, ad_parser,
 * ad_buf, configuration list and reader are created and used. Each failure
 * must come back as AD_ERR_NOMEM or NULL, never as a crash or another
 * error; the objects must stay usable and freeable. Under ASan the run
 * must not leak.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_config.h"
#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_detect.h"
#include "abusedesk/ad_ingest.h"
#include "abusedesk/ad_json.h"
#include "abusedesk/ad_parse.h"
#include "test_agg.h"
#include "test_helper.h"


#define T0		1795365903LL
#define MAX_RUNS	20000

/* Outcome of one run: all went well, a failure was handled, or not. */
enum outcome {
	RUN_OK = 0,
	RUN_NOMEM = 1,
	RUN_BROKEN = -1,
};

static char tmpdir[] = "/tmp/test_alloc.XXXXXX";
static char logpath[600];

/* Folds one result into the run's outcome. */
static void
note(enum outcome *o, int r)
{
	if (r == AD_OK)
		return;
	if (r == AD_ERR_NOMEM) {
		if (*o == RUN_OK)
			*o = RUN_NOMEM;
		return;
	}
	*o = RUN_BROKEN;
}

static struct ad_event
event(const char *src, int64_t t, enum ad_category cat, uint16_t port)
{
	struct ad_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.time.utc = t;
	ev.time.valid = true;
	if (!ad_addr_parse(src, strlen(src), &ev.src))
		abort();
	ev.dst_port = port;
	ev.proto = AD_PROTO_TCP;
	ev.evidence = AD_EVIDENCE_PROVEN;
	ev.category = cat;
	ev.count = 1;
	ev.service = cat == AD_CAT_PORT_SCAN ? "firewall" : "ssh";
	ev.kind = "failed-auth";
	ev.format = "sshd";
	ev.user = "root";
	ev.user_len = 4;
	return ev;
}

/* What the checkpoints saved. */
struct saved {
	uint64_t	events;
	uint64_t	samples;
};

static int
save(void *arg, struct ad_incident *inc)
{
	struct saved *sv = arg;

	sv->events += inc->events;
	sv->samples += inc->n_samples;
	inc->merged = true;
	inc->samples_stored = (uint8_t)(inc->samples_stored + inc->n_samples);
	return 0;
}

/* Enough sources to grow the table, enough windows to grow the closed list. */
static enum outcome
run_agg(size_t budget)
{
	struct ad_detect_config cfg;
	struct ad_agg *a;
	enum outcome o = RUN_OK;
	struct ad_event ev;
	char src[32];
	struct saved saved = { 0, 0 };
	int i;

	ad_detect_config_defaults(&cfg);
	cfg.window = 60;
	if ((a = ad_agg_new(&cfg, budget)) == NULL)
		return RUN_NOMEM;
	for (i = 0; i < 520; i++) {
		snprintf(src, sizeof(src), "2001:db8::%d", i);
		ev = event(src, T0 + i, AD_CAT_SSH_BRUTEFORCE, 22);
		note(&o, ad_agg_add(a, &ev, NULL, "auth.log", (uint64_t)i,
		    "a log line", 10));
	}
	for (i = 0; i < 70; i++) {
		ev = event("203.0.113.5", T0 + (int64_t)i * 1000,
		    AD_CAT_PORT_SCAN, (uint16_t)(i + 1));
		note(&o, ad_agg_add(a, &ev, NULL, "fw.log", (uint64_t)i,
		    "another line", 12));
	}
	/* A checkpoint may fail for memory too (sorting, the held blob). */
	note(&o, checkpoint_all(a, save, &saved));
	/* 520 sources and 70 windows of one event and one sample each. */
	if (o == RUN_OK && (saved.events != 520 + 70 ||
	    saved.samples != 520 + 70))
		o = RUN_BROKEN;
	/* Still usable after a checkpoint (and maybe an eviction). */
	for (i = 0; i < 20; i++) {
		snprintf(src, sizeof(src), "2001:db8::%d", i * 7);
		ev = event(src, T0 + i * 7 + 10, AD_CAT_SSH_BRUTEFORCE, 22);
		note(&o, ad_agg_add(a, &ev, NULL, "auth.log", 1, "again", 5));
	}
	/* A checkpoint may fail for memory too (sorting, the held blob). */
	note(&o, checkpoint_all(a, save, &saved));
	/*
	 * The 20 incidents are saved whole: 2 events each if they were kept,
	 * 1 if they had been evicted (their window has passed, or the table
	 * was over budget).
	 */
	if (o == RUN_OK && (saved.events < 520 + 70 + 20 ||
	    saved.events > 520 + 70 + 40 || saved.samples != 520 + 70 + 20))
		o = RUN_BROKEN;
	ad_agg_free(a);
	return o;
}

static enum outcome
run_agg_big(void)
{
	return run_agg((size_t)1 << 30);
}

static enum outcome
run_agg_tiny(void)
{
	return run_agg(1);
}

static enum outcome
run_parser(void)
{
	static const char *const lines[] = {
		"Nov 22 16:45:03 host sshd[123]: Failed password for root "
		    "from 203.0.113.5 port 55990 ssh2",
		"Nov 22 16:45:04 host sshd[123]: Invalid user admin from "
		    "2001:db8::1 port 22",
		"Nov 22 16:45:05 host kernel: [UFW BLOCK] IN=eth0 OUT= "
		    "SRC=198.51.100.7 DST=192.0.2.1 PROTO=TCP SPT=1 DPT=23 SYN",
		"2026-11-22T16:45:06+01:00 host sshd[9]: Connection closed by "
		    "203.0.113.9 port 4 [preauth]",
		"garbage",
	};
	struct ad_parser *p;
	struct ad_event ev;
	size_t i;

	if ((p = ad_parser_new(AD_FAMILY_AUTO, T0, 0)) == NULL)
		return RUN_NOMEM;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		int r = ad_parse_line(p, lines[i], strlen(lines[i]), &ev);

		if (r != 0 && r != 1) {
			ad_parser_free(p);
			return RUN_BROKEN;
		}
	}
	ad_parser_reset(p, T0);
	ad_parser_free(p);
	return RUN_OK;
}

/* A failed append must leave the buffer as it was. */
static void
buf_step(const struct ad_buf *b, enum outcome *o, int r, size_t before)
{
	note(o, r);
	if (r != AD_OK && (b->len != before ||
	    strlen(ad_buf_str(b)) != before))
		*o = RUN_BROKEN;
}

static enum outcome
run_buf(void)
{
	struct ad_buf b;
	struct ad_event ev;
	struct ad_incident inc;
	enum outcome o = RUN_OK;
	bool first = true;
	char *s;
	size_t n;
	int i;

	ad_buf_init(&b, 1 << 20);
	buf_step(&b, &o, ad_buf_adds(&b, "{"), 0);
	note(&o, ad_json_kv_str(&b, &first, "text", "caf\xc3\xa9 \x01\xff"));
	note(&o, ad_json_kv_int(&b, &first, "n", 42));
	for (i = 0; i < 200; i++) {
		size_t before = b.len;

		buf_step(&b, &o, ad_buf_addf(&b, ",\"k%d\":%d", i, i * i),
		    before);
	}
	n = b.len;
	buf_step(&b, &o, ad_buf_addc(&b, '}'), n);

	ev = event("203.0.113.5", T0, AD_CAT_SSH_BRUTEFORCE, 22);
	note(&o, ad_event_to_json(&b, &ev, "auth.log", 7));
	memset(&inc, 0, sizeof(inc));
	inc.src = ev.src;
	inc.first = inc.last = ev.time;
	inc.events = 3;
	inc.n_ports = 1;
	inc.ports[0] = 22;
	note(&o, ad_incident_to_json(&b, &inc));

	if ((s = ad_buf_take(&b)) == NULL) {
		if (o == RUN_OK)
			o = RUN_NOMEM;
	} else if (o == RUN_OK && (s[0] != '{' || s[strlen(s) - 1] != '}'))
		o = RUN_BROKEN;
	ad_free(s);
	ad_buf_free(&b);
	return o;
}

static enum outcome
run_config(void)
{
	struct ad_config cfg;
	struct ad_diag d;
	enum outcome o = RUN_OK;
	int i;

	ad_config_init(&cfg);
	for (i = 0; i < 5; i++) {
		note(&o, ad_config_set(&cfg, "own_networks",
		    "192.0.2.0/24 2001:db8::/32, 10.0.0.0/8", &d));
		note(&o, ad_config_set(&cfg, "allowlist", "198.51.100.7", &d));
	}
	note(&o, ad_config_set(&cfg, "window", "1h", &d));
	if (cfg.detect.own != cfg.own || cfg.detect.n_own != cfg.n_own ||
	    cfg.detect.allow != cfg.allow || cfg.detect.n_allow != cfg.n_allow)
		o = RUN_BROKEN;
	if (o == RUN_OK && (cfg.n_own != 15 || cfg.n_allow != 5))
		o = RUN_BROKEN;
	ad_config_free(&cfg);
	return o;
}

static enum outcome
run_reader(void)
{
	struct ad_ctx ctx;
	struct ad_reader *r;
	struct ad_diag d;
	struct ad_chunk c;
	int rc;
	size_t total = 0;

	ad_ctx_init(&ctx);
	rc = ad_reader_open(&ctx, logpath, &r, &d);
	if (rc != AD_OK)
		return rc == AD_ERR_NOMEM && r == NULL ? RUN_NOMEM :
		    RUN_BROKEN;
	while ((rc = ad_reader_chunk(r, &c, &d)) == 1)
		total += c.len;
	ad_reader_free(r);
	if (rc != 0 || total != 12)
		return RUN_BROKEN;
	return RUN_OK;
}

/*
 * Fails allocation 1, 2, ... until runs need no more. Some failures are
 * absorbed on purpose (eviction just waits for the next checkpoint), so a
 * clean run alone does not mean the end: stop after CLEAN_STREAK of them.
 */
#define CLEAN_STREAK	64

static void
torture(const char *name, enum outcome (*fn)(void))
{
	unsigned long n;
	int handled = 0, broken = 0, clean = 0;
	enum outcome o;

	TEST_START(name);
	for (n = 1; n <= MAX_RUNS && clean < CLEAN_STREAK; n++) {
		ad_alloc_fail_after(n);
		o = fn();
		ad_alloc_fail_after(0);
		if (o == RUN_OK) {
			clean++;
			continue;
		}
		clean = 0;
		if (o == RUN_NOMEM)
			handled++;
		else if (broken++ < 5)
			TH_FAIL("failing allocation %lu: broken", n);
	}
	if (clean < CLEAN_STREAK)
		TH_FAIL("no clean run within %d allocations", MAX_RUNS);
	ASSERT_TRUE(handled > 0);
	ASSERT_INT_EQ(broken, 0);
	/* And once more with no failure at all. */
	ASSERT_INT_EQ(fn(), RUN_OK);
	printf("# %s: %d failing allocations handled\n", name, handled);
	TEST_DONE();
}

int
main(void)
{
	FILE *f;

	/* Line-buffered: a sanitizer abort must not swallow results. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(logpath, sizeof(logpath), "%s/a.log", tmpdir);
	if ((f = fopen(logpath, "w")) == NULL) {
		perror(logpath);
		return 1;
	}
	fputs("one\ntwo\nend\n", f);
	fclose(f);

	torture("alloc failures: ad_agg", run_agg_big);
	torture("alloc failures: ad_agg over budget (eviction)", run_agg_tiny);
	torture("alloc failures: ad_parser", run_parser);
	torture("alloc failures: ad_buf and JSON writers", run_buf);
	torture("alloc failures: config lists", run_config);
	torture("alloc failures: reader", run_reader);

	unlink(logpath);
	rmdir(tmpdir);
	TESTS_END();
}
