/*
 * test_ingest.c - ad_ingest.h: chunks of whole lines from plain and gzip
 * files, the final line without a newline, lines longer than the buffer,
 * skipping to an offset, and the first-line fingerprint.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_ingest.h"
#include "test_helper.h"

static char tmpdir[] = "/tmp/test_ingest.XXXXXX";
static struct ad_ctx ctx;

/* What reading a whole file gave. */
struct got {
	char		*data;		/* all chunks, concatenated */
	size_t		 len;
	int		 chunks;
	int		 rc;		/* last ad_reader_chunk result */
	bool		 bad_chunk;	/* a chunk broke the contract */
	bool		 no_newline;	/* the last chunk had the flag */
	uint64_t	 dropped;
	uint64_t	 offset;	/* ad_reader_offset at the end */
	struct ad_file_info info;
	uint64_t	 off_of_last;	/* offset of the last chunk */
};

static const char *
path_of(const char *name)
{
	static char path[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", tmpdir, name);
	return path[k];
}

static const char *
write_plain(const char *name, const char *data, size_t len)
{
	const char *p = path_of(name);
	FILE *f;

	if ((f = fopen(p, "wb")) == NULL)
		return p;
	if (len && fwrite(data, 1, len, f) != len)
		fprintf(stderr, "short write to %s\n", p);
	fclose(f);
	return p;
}

static const char *
write_gz(const char *name, const char *data, size_t len)
{
	const char *p = path_of(name);
	gzFile gz;
	size_t done = 0;

	if ((gz = gzopen(p, "wb")) == NULL)
		return p;
	while (done < len) {
		unsigned n = len - done > (1u << 20) ? (1u << 20) :
		    (unsigned)(len - done);

		if (gzwrite(gz, data + done, n) != (int)n)
			break;
		done += n;
	}
	gzclose(gz);
	return p;
}

/*
 * Reads path to the end (after skipping to `skip` when non-zero) and checks
 * every chunk: whole lines only, contiguous offsets, no_newline only last.
 */
static int
read_all(const char *path, uint64_t skip, struct got *g)
{
	struct ad_reader *r;
	struct ad_diag d;
	struct ad_chunk c;
	uint64_t expect, dropped = 0;
	int rc;

	memset(g, 0, sizeof(*g));
	if ((rc = ad_reader_open(&ctx, path, &r, &d)) != AD_OK)
		return rc;
	g->info = *ad_reader_info(r);
	if (skip && (rc = ad_reader_skip(r, skip, &d)) != AD_OK) {
		ad_reader_free(r);
		return rc;
	}
	expect = skip;
	while ((rc = ad_reader_chunk(r, &c, &d)) == 1) {
		char *n;

		if (g->no_newline)
			g->bad_chunk = true;	/* data after the last line */
		if (c.len == 0 || c.len > AD_READ_BUF)
			g->bad_chunk = true;
		/* Offsets are contiguous except over a dropped line. */
		if (ad_reader_dropped_lines(r) == dropped ? c.offset != expect :
		    c.offset <= expect)
			g->bad_chunk = true;
		dropped = ad_reader_dropped_lines(r);
		if (!c.no_newline && c.data[c.len - 1] != '\n')
			g->bad_chunk = true;
		if (c.no_newline && memchr(c.data, '\n', c.len) != NULL)
			g->bad_chunk = true;
		if ((n = realloc(g->data, g->len + c.len + 1)) == NULL)
			break;
		g->data = n;
		memcpy(g->data + g->len, c.data, c.len);
		g->len += c.len;
		g->data[g->len] = '\0';
		g->chunks++;
		g->no_newline = c.no_newline;
		g->off_of_last = c.offset;
		expect = c.offset + c.len;
	}
	g->rc = rc;
	g->dropped = ad_reader_dropped_lines(r);
	g->offset = ad_reader_offset(r);
	ad_reader_free(r);
	return AD_OK;
}

/* n fixed-width lines of 100 bytes: "0000042 aaaa...\n". */
static char *
make_lines(size_t n, size_t *len)
{
	char *s = malloc(n * 100 + 1);
	size_t i;

	if (s == NULL)
		abort();
	for (i = 0; i < n; i++) {
		char *l = s + i * 100;

		snprintf(l, 9, "%07zu ", i);
		memset(l + 8, 'a' + (int)(i % 26), 91);
		l[99] = '\n';
	}
	s[n * 100] = '\0';
	*len = n * 100;
	return s;
}

static void
test_small(void)
{
	static const char text[] = "line1\nline2\nline3\n";
	struct got g;
	const char *p;

	TEST_START("plain file: whole lines");
	p = write_plain("small.log", text, sizeof(text) - 1);
	ASSERT_INT_EQ(read_all(p, 0, &g), AD_OK);
	ASSERT_INT_EQ(g.rc, 0);
	ASSERT_FALSE(g.bad_chunk);
	ASSERT_INT_EQ(g.len, sizeof(text) - 1);
	ASSERT_TRUE(g.data != NULL && strcmp(g.data, text) == 0);
	ASSERT_FALSE(g.no_newline);
	ASSERT_INT_EQ(g.dropped, 0);
	ASSERT_INT_EQ(g.offset, sizeof(text) - 1);
	ASSERT_FALSE(g.info.gzip);
	ASSERT_TRUE(g.info.seekable);
	ASSERT_INT_EQ(g.info.size, sizeof(text) - 1);
	ASSERT_TRUE(g.info.mtime > 0);
	free(g.data);
	TEST_DONE();

	TEST_START("gzip file: same lines");
	p = write_gz("small.log.gz", text, sizeof(text) - 1);
	ASSERT_INT_EQ(read_all(p, 0, &g), AD_OK);
	ASSERT_INT_EQ(g.rc, 0);
	ASSERT_FALSE(g.bad_chunk);
	ASSERT_TRUE(g.data != NULL && strcmp(g.data, text) == 0);
	ASSERT_INT_EQ(g.offset, sizeof(text) - 1);
	ASSERT_TRUE(g.info.gzip);
	ASSERT_FALSE(g.info.seekable);
	ASSERT_TRUE(g.info.size > 0);
	free(g.data);
	TEST_DONE();

	TEST_START("final line without newline");
	p = write_plain("nonl.log", "a\nbb\nccc", 8);
	ASSERT_INT_EQ(read_all(p, 0, &g), AD_OK);
	ASSERT_INT_EQ(g.rc, 0);
	ASSERT_FALSE(g.bad_chunk);
	ASSERT_TRUE(g.data != NULL && strcmp(g.data, "a\nbb\nccc") == 0);
	ASSERT_TRUE(g.no_newline);
	ASSERT_INT_EQ(g.off_of_last, 5);
	ASSERT_INT_EQ(g.offset, 8);
	free(g.data);
	p = write_gz("nonl.log.gz", "a\nbb\nccc", 8);
	ASSERT_INT_EQ(read_all(p, 0, &g), AD_OK);
	ASSERT_TRUE(g.data != NULL && strcmp(g.data, "a\nbb\nccc") == 0);
	ASSERT_TRUE(g.no_newline);
	ASSERT_FALSE(g.bad_chunk);
	free(g.data);
	/* A file that is one unfinished line. */
	p = write_plain("oneline.log", "partial", 7);
	ASSERT_INT_EQ(read_all(p, 0, &g), AD_OK);
	ASSERT_TRUE(g.data != NULL && strcmp(g.data, "partial") == 0);
	ASSERT_TRUE(g.no_newline);
	ASSERT_INT_EQ(g.chunks, 1);
	free(g.data);
	TEST_DONE();

	TEST_START("empty file");
	p = write_plain("empty.log", "", 0);
	ASSERT_INT_EQ(read_all(p, 0, &g), AD_OK);
	ASSERT_INT_EQ(g.rc, 0);
	ASSERT_INT_EQ(g.chunks, 0);
	ASSERT_INT_EQ(g.offset, 0);
	ASSERT_FALSE(g.info.has_fp);
	free(g.data);
	p = write_gz("empty.log.gz", "", 0);
	ASSERT_INT_EQ(read_all(p, 0, &g), AD_OK);
	ASSERT_INT_EQ(g.rc, 0);
	ASSERT_INT_EQ(g.chunks, 0);
	ASSERT_TRUE(g.info.gzip);
	ASSERT_FALSE(g.info.has_fp);
	free(g.data);
	TEST_DONE();
}

static void
test_large(void)
{
	struct got g;
	const char *p;
	char *text;
	size_t len;

	/* 5 MB: more than two buffers' worth. */
	text = make_lines(50000, &len);

	TEST_START("plain file larger than the buffer, in chunks");
	p = write_plain("big.log", text, len);
	ASSERT_INT_EQ(read_all(p, 0, &g), AD_OK);
	ASSERT_INT_EQ(g.rc, 0);
	ASSERT_FALSE(g.bad_chunk);
	ASSERT_TRUE(g.chunks >= 3);
	ASSERT_INT_EQ(g.len, len);
	ASSERT_TRUE(g.data != NULL && memcmp(g.data, text, len) == 0);
	ASSERT_INT_EQ(g.offset, len);
	ASSERT_INT_EQ(g.dropped, 0);
	free(g.data);
	TEST_DONE();

	TEST_START("gzip file larger than the buffer, in chunks");
	p = write_gz("big.log.gz", text, len);
	ASSERT_INT_EQ(read_all(p, 0, &g), AD_OK);
	ASSERT_INT_EQ(g.rc, 0);
	ASSERT_FALSE(g.bad_chunk);
	ASSERT_TRUE(g.chunks >= 3);
	ASSERT_INT_EQ(g.len, len);
	ASSERT_TRUE(g.data != NULL && memcmp(g.data, text, len) == 0);
	ASSERT_INT_EQ(g.offset, len);
	free(g.data);
	TEST_DONE();

	TEST_START("skip far into a plain file (seek)");
	p = path_of("big.log");
	ASSERT_INT_EQ(read_all(p, 3000000, &g), AD_OK);
	ASSERT_INT_EQ(g.rc, 0);
	ASSERT_FALSE(g.bad_chunk);
	ASSERT_INT_EQ(g.len, len - 3000000);
	ASSERT_TRUE(g.data != NULL &&
	    memcmp(g.data, text + 3000000, len - 3000000) == 0);
	ASSERT_TRUE(g.data != NULL && strncmp(g.data, "0030000 ", 8) == 0);
	ASSERT_INT_EQ(g.offset, len);
	free(g.data);
	TEST_DONE();

	TEST_START("skip far into a gzip file (read and discard)");
	p = path_of("big.log.gz");
	ASSERT_INT_EQ(read_all(p, 3000000, &g), AD_OK);
	ASSERT_INT_EQ(g.rc, 0);
	ASSERT_FALSE(g.bad_chunk);
	ASSERT_INT_EQ(g.len, len - 3000000);
	ASSERT_TRUE(g.data != NULL &&
	    memcmp(g.data, text + 3000000, len - 3000000) == 0);
	ASSERT_INT_EQ(g.offset, len);
	free(g.data);
	TEST_DONE();

	TEST_START("skip within the first buffer");
	p = path_of("big.log");
	ASSERT_INT_EQ(read_all(p, 500, &g), AD_OK);
	ASSERT_FALSE(g.bad_chunk);
	ASSERT_INT_EQ(g.len, len - 500);
	ASSERT_TRUE(g.data != NULL && strncmp(g.data, "0000005 ", 8) == 0);
	free(g.data);
	p = path_of("big.log.gz");
	ASSERT_INT_EQ(read_all(p, 500, &g), AD_OK);
	ASSERT_FALSE(g.bad_chunk);
	ASSERT_INT_EQ(g.len, len - 500);
	ASSERT_TRUE(g.data != NULL && strncmp(g.data, "0000005 ", 8) == 0);
	free(g.data);
	TEST_DONE();

	TEST_START("skip past the end");
	p = path_of("big.log");
	ASSERT_INT_EQ(read_all(p, len + 1000, &g), AD_OK);
	ASSERT_INT_EQ(g.rc, 0);
	ASSERT_INT_EQ(g.chunks, 0);
	free(g.data);
	p = path_of("big.log.gz");
	ASSERT_INT_EQ(read_all(p, len + 1000, &g), AD_OK);
	ASSERT_INT_EQ(g.rc, 0);
	ASSERT_INT_EQ(g.chunks, 0);
	free(g.data);
	TEST_DONE();

	free(text);
}

static void
test_small_skip(void)
{
	static const char text[] = "aaaa\nbbbb\ncccc\n";
	struct got g;
	const char *p;

	TEST_START("skip on a small plain and gzip file");
	p = write_plain("skip.log", text, sizeof(text) - 1);
	ASSERT_INT_EQ(read_all(p, 5, &g), AD_OK);
	ASSERT_TRUE(g.data != NULL && strcmp(g.data, "bbbb\ncccc\n") == 0);
	ASSERT_FALSE(g.bad_chunk);
	ASSERT_INT_EQ(g.offset, 15);
	free(g.data);
	p = write_gz("skip.log.gz", text, sizeof(text) - 1);
	ASSERT_INT_EQ(read_all(p, 10, &g), AD_OK);
	ASSERT_TRUE(g.data != NULL && strcmp(g.data, "cccc\n") == 0);
	ASSERT_FALSE(g.bad_chunk);
	ASSERT_INT_EQ(g.offset, 15);
	free(g.data);
	TEST_DONE();
}

static void
test_long_lines(void)
{
	size_t big = AD_READ_BUF + 10, len;
	char *text;
	struct got g;
	const char *p;

	text = malloc(2 * AD_READ_BUF + 100);
	if (text == NULL)
		abort();

	TEST_START("a line longer than the buffer is dropped and counted");
	len = 0;
	memcpy(text, "first\n", 6);
	len += 6;
	memset(text + len, 'x', big);
	len += big;
	text[len++] = '\n';
	memcpy(text + len, "after\n", 6);
	len += 6;
	p = write_plain("long.log", text, len);
	ASSERT_INT_EQ(read_all(p, 0, &g), AD_OK);
	ASSERT_INT_EQ(g.rc, 0);
	ASSERT_FALSE(g.bad_chunk);
	ASSERT_TRUE(g.data != NULL && strcmp(g.data, "first\nafter\n") == 0);
	ASSERT_INT_EQ(g.dropped, 1);
	/* Offsets stay those of the file: "after" starts after the drop. */
	ASSERT_INT_EQ(g.off_of_last, 6 + big + 1);
	ASSERT_INT_EQ(g.offset, len);
	free(g.data);
	TEST_DONE();

	TEST_START("a too-long line in a gzip file");
	p = write_gz("long.log.gz", text, len);
	ASSERT_INT_EQ(read_all(p, 0, &g), AD_OK);
	ASSERT_INT_EQ(g.rc, 0);
	ASSERT_FALSE(g.bad_chunk);
	ASSERT_TRUE(g.data != NULL && strcmp(g.data, "first\nafter\n") == 0);
	ASSERT_INT_EQ(g.dropped, 1);
	ASSERT_INT_EQ(g.offset, len);
	free(g.data);
	TEST_DONE();

	TEST_START("two too-long lines in a row, and one at the start");
	len = 0;
	memset(text, 'x', big);
	len += big;
	text[len++] = '\n';
	memset(text + len, 'z', AD_READ_BUF);
	len += AD_READ_BUF;
	text[len++] = '\n';
	memcpy(text + len, "ok\n", 3);
	len += 3;
	p = write_plain("long2.log", text, len);
	ASSERT_INT_EQ(read_all(p, 0, &g), AD_OK);
	ASSERT_INT_EQ(g.rc, 0);
	ASSERT_FALSE(g.bad_chunk);
	ASSERT_TRUE(g.data != NULL && strcmp(g.data, "ok\n") == 0);
	ASSERT_INT_EQ(g.dropped, 2);
	ASSERT_INT_EQ(g.off_of_last, len - 3);
	/* The fingerprint covers the first AD_FP_BYTES of a long line. */
	ASSERT_TRUE(g.info.has_fp);
	free(g.data);
	TEST_DONE();

	TEST_START("a too-long final line without newline");
	len = 0;
	memcpy(text, "a\n", 2);
	len += 2;
	memset(text + len, 'x', AD_READ_BUF + 5);
	len += AD_READ_BUF + 5;
	p = write_plain("long3.log", text, len);
	ASSERT_INT_EQ(read_all(p, 0, &g), AD_OK);
	ASSERT_INT_EQ(g.rc, 0);
	ASSERT_FALSE(g.bad_chunk);
	ASSERT_TRUE(g.data != NULL && strcmp(g.data, "a\n") == 0);
	ASSERT_INT_EQ(g.dropped, 1);
	ASSERT_INT_EQ(g.offset, len);
	free(g.data);
	TEST_DONE();

	TEST_START("a line of exactly AD_READ_BUF bytes fits");
	len = 0;
	memset(text, 'y', AD_READ_BUF - 1);
	len += AD_READ_BUF - 1;
	text[len++] = '\n';
	memcpy(text + len, "z\n", 2);
	len += 2;
	p = write_plain("exact.log", text, len);
	ASSERT_INT_EQ(read_all(p, 0, &g), AD_OK);
	ASSERT_INT_EQ(g.rc, 0);
	ASSERT_FALSE(g.bad_chunk);
	ASSERT_INT_EQ(g.dropped, 0);
	ASSERT_INT_EQ(g.len, len);
	ASSERT_TRUE(g.data != NULL && memcmp(g.data, text, len) == 0);
	free(g.data);
	TEST_DONE();

	free(text);
}

static void
test_fingerprint(void)
{
	static const char a[] = "Nov 22 10:00:00 host sshd[1]: first\n"
	    "Nov 22 10:00:01 host sshd[1]: second\n";
	static const char b[] = "Nov 22 10:00:00 host sshd[1]: other\n"
	    "Nov 22 10:00:01 host sshd[1]: second\n";
	static const char c[] = "Nov 22 10:00:00 host sshd[1]: first\n"
	    "Nov 22 10:00:09 host sshd[1]: grown later\n"
	    "Nov 22 10:00:10 host sshd[1]: and more\n";
	struct got ga, gz, gb, gc;
	const char *p;
	size_t i;

	TEST_START("fingerprint: plain file and its gzip copy are equal");
	p = write_plain("fp-a.log", a, sizeof(a) - 1);
	ASSERT_INT_EQ(read_all(p, 0, &ga), AD_OK);
	p = write_gz("fp-a.log.1.gz", a, sizeof(a) - 1);
	ASSERT_INT_EQ(read_all(p, 0, &gz), AD_OK);
	ASSERT_TRUE(ga.info.has_fp);
	ASSERT_TRUE(gz.info.has_fp);
	ASSERT_INT_EQ(strlen(ga.info.fp), 16);
	for (i = 0; i < 16; i++)
		if (strchr("0123456789abcdef", ga.info.fp[i]) == NULL)
			TH_FAIL("fp char %zu is '%c'", i, ga.info.fp[i]);
	ASSERT_STR_EQ(ga.info.fp, gz.info.fp);
	TEST_DONE();

	TEST_START("fingerprint: different first lines differ");
	p = write_plain("fp-b.log", b, sizeof(b) - 1);
	ASSERT_INT_EQ(read_all(p, 0, &gb), AD_OK);
	ASSERT_TRUE(gb.info.has_fp);
	ASSERT_TRUE(strcmp(ga.info.fp, gb.info.fp) != 0);
	TEST_DONE();

	TEST_START("fingerprint: a grown file keeps its fingerprint");
	p = write_plain("fp-c.log", c, sizeof(c) - 1);
	ASSERT_INT_EQ(read_all(p, 0, &gc), AD_OK);
	ASSERT_TRUE(gc.info.has_fp);
	ASSERT_STR_EQ(ga.info.fp, gc.info.fp);
	free(ga.data);
	free(gz.data);
	free(gb.data);
	free(gc.data);
	TEST_DONE();

	TEST_START("fingerprint: none while the first line is unfinished");
	p = write_plain("fp-d.log", "Nov 22 10:00:00 host", 20);
	ASSERT_INT_EQ(read_all(p, 0, &ga), AD_OK);
	ASSERT_FALSE(ga.info.has_fp);
	free(ga.data);
	TEST_DONE();
}

static void
test_errors(void)
{
	struct ad_reader *r = NULL;
	struct ad_diag d;
	struct ad_chunk c;
	const char *p;
	int rc;

	TEST_START("open: missing file and directory");
	memset(&d, 0, sizeof(d));
	p = path_of("does-not-exist.log");
	ASSERT_INT_EQ(ad_reader_open(&ctx, p, &r, &d), AD_ERR_IO);
	ASSERT_PTR_NULL(r);
	ASSERT_STR_EQ(d.where, p);
	ASSERT_TRUE(d.msg[0] != '\0');
	ASSERT_INT_EQ(ad_reader_open(&ctx, tmpdir, &r, &d), AD_ERR_IO);
	ASSERT_PTR_NULL(r);
	ad_reader_free(NULL);
	TEST_DONE();

	TEST_START("read fault at open and mid-file");
	p = path_of("small.log");
	ctx.fault = AD_FAULT_READ;
	ctx.fault_countdown = 1;
	ASSERT_INT_EQ(ad_reader_open(&ctx, p, &r, &d), AD_ERR_IO);
	ASSERT_PTR_NULL(r);
	ctx.fault = AD_FAULT_READ;
	ctx.fault_countdown = 2;
	rc = ad_reader_open(&ctx, p, &r, &d);
	ASSERT_INT_EQ(rc, AD_OK);
	if (rc == AD_OK) {
		ASSERT_INT_EQ(ad_reader_chunk(r, &c, &d), 1);
		ASSERT_INT_EQ(ad_reader_chunk(r, &c, &d), AD_ERR_IO);
		ad_reader_free(r);
	}
	ad_ctx_init(&ctx);
	TEST_DONE();
}

static void
cleanup(void)
{
	static const char *const names[] = {
		"small.log", "small.log.gz", "nonl.log", "nonl.log.gz",
		"oneline.log", "empty.log", "empty.log.gz", "big.log",
		"big.log.gz", "skip.log", "skip.log.gz", "long.log",
		"long.log.gz", "long2.log", "long3.log", "exact.log",
		"fp-a.log", "fp-a.log.1.gz", "fp-b.log", "fp-c.log",
		"fp-d.log", "bufs.log",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(path_of(names[i]));
	rmdir(tmpdir);
}

/* With n buffers, a chunk stays readable for n - 1 more chunks. */
static void
test_buffers(void)
{
	enum { N = 4, LINES = 250000 };
	struct ad_reader *r;
	struct ad_chunk c, keep[N];
	struct ad_diag d;
	char *text;
	size_t len = 0, i;
	int k = 0, got, j, chunks = 0;
	bool intact = true;

	TEST_START("n buffers keep the last n chunks readable");
	text = malloc((size_t)LINES * 40);
	if (text == NULL)
		abort();
	for (i = 0; i < LINES; i++)
		len += (size_t)sprintf(text + len, "line %zu of the many\n", i);
	ASSERT_INT_EQ(ad_reader_open(&ctx, write_plain("bufs.log", text, len),
	    &r, &d), AD_OK);
	ASSERT_INT_EQ(ad_reader_buffers(r, N), AD_OK);
	ASSERT_INT_EQ(ad_reader_buffers(r, 2), AD_ERR_USAGE);	/* no shrinking */
	ASSERT_INT_EQ(ad_reader_buffers(r, AD_READ_BUFS_MAX + 1), AD_ERR_USAGE);
	while ((got = ad_reader_chunk(r, &c, &d)) == 1) {
		keep[k] = c;
		k = (k + 1) % N;
		chunks++;
		/* Every chunk still held matches the file at its offset. */
		for (j = 0; j < N && j < chunks; j++)
			if (memcmp(keep[j].data, text + keep[j].offset,
			    keep[j].len) != 0)
				intact = false;
	}
	ASSERT_INT_EQ(got, 0);
	ASSERT_TRUE(chunks > 2 * N);
	ASSERT_TRUE(intact);
	ad_reader_free(r);
	free(text);
	TEST_DONE();
}

/*
 * The line splitter against the plain definition (memchr): a newline at
 * every position of a 16-byte block and around it, none at all, several
 * in a row, and the bytes either side of '\n' (0x09, 0x0b, 0x8a).
 */
static void
test_line_next(void)
{
	char buf[96];
	size_t n, k, j;
	bool same = true;

	TEST_START("line splitter: every newline position");
	for (n = 0; n <= 80 && same; n++) {
		for (k = 0; k <= n && same; k++) {
			const char *p = buf, *q = buf, *line, *end = buf + n;
			size_t len;

			for (j = 0; j < n; j++)
				buf[j] = "a\t\x0b\x8a"[j % 4];
			if (k < n)
				buf[k] = '\n';	/* k == n: no newline */
			if (k + 3 < n)
				buf[k + 3] = '\n';
			while (same) {
				const char *nl = q < end ?
				    memchr(q, '\n', (size_t)(end - q)) : NULL;
				bool more = ad_line_next(&p, end, &line, &len);

				if (more != (q < end))
					same = false;
				if (!more || !same)
					break;
				if (line != q || len != (size_t)((nl ? nl : end) - q))
					same = false;
				q = nl ? nl + 1 : end;
			}
		}
	}
	ASSERT_TRUE(same);
	TEST_DONE();
}

int
main(void)
{
	/* Line-buffered: a sanitizer abort must not swallow results. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	atexit(cleanup);
	ad_ctx_init(&ctx);
	test_line_next();
	test_small();
	test_large();
	test_small_skip();
	test_long_lines();
	test_buffers();
	test_fingerprint();
	test_errors();
	TESTS_END();
}
