/*
 * test_store.c - an incident's sample lines through the store: the
 * compact encoding (file and format only when they change, default time
 * fields left out) reads back whole, across writes of one row, and rows
 * written in the older, complete form still read as before; a store of
 * schema 6 gets its rows' keys (migrations 7 and 8) and finds them again;
 * keys of rows written in a transaction are staged, found before the
 * commit, all written by it, and gone with a rollback.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_detect.h"
#include "abusedesk/ad_store.h"
#include "test_helper.h"

#define MAXS	8

struct got {
	size_t		 n;
	char		 file[MAXS][64];
	char		 format[MAXS][32];
	char		 text[MAXS][128];
	uint64_t	 line[MAXS];
	struct ad_instant time[MAXS];
};

static int
collect(void *arg, const struct ad_sample *s)
{
	struct got *g = arg;

	if (g->n == MAXS)
		return -1;
	snprintf(g->file[g->n], sizeof(g->file[0]), "%s", s->file);
	snprintf(g->format[g->n], sizeof(g->format[0]), "%s", s->format);
	snprintf(g->text[g->n], sizeof(g->text[0]), "%.*s", (int)s->len,
	    s->text);
	g->line[g->n] = s->line;
	g->time[g->n] = s->time;
	g->n++;
	return 0;
}

static void
sample(struct ad_sample *s, const char *file, const char *format,
    uint64_t line, int64_t utc, int32_t usec, int16_t off, bool valid,
    const char *text)
{
	memset(s, 0, sizeof(*s));
	s->file = file;
	snprintf(s->format, sizeof(s->format), "%s", format);
	s->line = line;
	s->time.utc = utc;
	s->time.usec = usec;
	s->time.off_min = off;
	s->time.valid = valid;
	s->text = (char *)text;
	s->len = strlen(text);
}

static void
incident(struct ad_incident *inc, struct ad_sample *s, uint8_t n)
{
	memset(inc, 0, sizeof(*inc));
	(void)ad_addr_parse("203.0.113.9", 11, &inc->src);
	inc->category = AD_CAT_SSH_BRUTEFORCE;
	inc->first = s[0].time;
	inc->last = s[n - 1].time;
	inc->events = n;
	inc->samples = s;
	inc->n_samples = n;
	inc->cap_samples = n;
}

/* More rows than the store stages before writing their keys. */
#define KEYED_ROWS	20000

/* Row i of the key tests: its own source, one sample line. */
static void
keyed(struct ad_incident *inc, struct ad_sample *s, int i)
{
	char a[32];

	sample(&s[0], "/var/log/auth.log", "sshd", (uint64_t)i + 1,
	    100000 + i, 0, 0, true, "keyed");
	incident(inc, s, 1);
	snprintf(a, sizeof(a), "198.18.%d.%d", (i >> 8) & 255, i & 255);
	(void)ad_addr_parse(a, strlen(a), &inc->src);
}

/*
 * Rows without their key, or keys without their row, as another process
 * sees the store (-1 on error).
 */
static int
unkeyed(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	int n = -1;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT"
	    " (SELECT count(*) FROM incidents i WHERE NOT EXISTS (SELECT 1"
	    "   FROM incident_keys k WHERE k.id = i.id"
	    "   AND k.src_key = i.src_key)) +"
	    " (SELECT count(*) FROM incident_keys k WHERE NOT EXISTS"
	    "   (SELECT 1 FROM incidents i WHERE i.id = k.id))",
	    -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return n;
}

int
main(void)
{
	char dir[] = "/tmp/abusedesk-ts.XXXXXX", path[256];
	struct ad_ctx ctx;
	struct ad_store *st = NULL;
	struct ad_sample s[4];
	struct ad_incident inc, found;
	struct got g;
	sqlite3 *db;
	int64_t id;
	int i;

	ad_ctx_init(&ctx);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/db", dir);
	ASSERT_INT_EQ(ad_store_open(&ctx, path, &st, NULL), AD_OK);

	TEST_START("sample lines: compact rows read back whole");
	sample(&s[0], "/var/log/auth.log.1", "sshd", 7, 1000, 0, 0, true,
	    "a \"quoted\" line");
	sample(&s[1], "/var/log/auth.log.1", "sshd", 9, 1001, 250, 60, true,
	    "second");
	sample(&s[2], "/var/log/auth.log", "pam", 1, 1002, 0, -300, false,
	    "third, other file and format");
	incident(&inc, s, 3);
	ASSERT_INT_EQ(ad_store_incident_save(st, &inc), AD_OK);
	id = inc.id;
	ASSERT_TRUE(id > 0);
	ASSERT_INT_EQ(inc.samples_stored, 3);
	/* A later write of the same row starts with the same file again. */
	sample(&s[3], "/var/log/auth.log", "pam", 2, 1003, 0, 0, true,
	    "fourth, written later");
	inc.samples = &s[3];
	inc.n_samples = 1;
	inc.last = s[3].time;
	ASSERT_INT_EQ(ad_store_incident_save(st, &inc), AD_OK);
	ASSERT_INT_EQ(inc.id, id);
	memset(&g, 0, sizeof(g));
	ASSERT_INT_EQ(ad_store_samples_each(st, id, collect, &g), AD_OK);
	ASSERT_INT_EQ(g.n, 4);
	ASSERT_STR_EQ(g.file[0], "/var/log/auth.log.1");
	ASSERT_STR_EQ(g.file[1], "/var/log/auth.log.1");
	ASSERT_STR_EQ(g.file[2], "/var/log/auth.log");
	ASSERT_STR_EQ(g.file[3], "/var/log/auth.log");
	ASSERT_STR_EQ(g.format[0], "sshd");
	ASSERT_STR_EQ(g.format[1], "sshd");
	ASSERT_STR_EQ(g.format[2], "pam");
	ASSERT_STR_EQ(g.format[3], "pam");
	ASSERT_STR_EQ(g.text[0], "a \"quoted\" line");
	ASSERT_STR_EQ(g.text[3], "fourth, written later");
	ASSERT_INT_EQ(g.line[1], 9);
	ASSERT_INT_EQ(g.time[1].utc, 1001);
	ASSERT_INT_EQ(g.time[1].usec, 250);
	ASSERT_INT_EQ(g.time[1].off_min, 60);
	ASSERT_TRUE(g.time[1].valid);
	ASSERT_INT_EQ(g.time[0].usec, 0);
	ASSERT_INT_EQ(g.time[0].off_min, 0);
	ASSERT_TRUE(g.time[0].valid);
	ASSERT_INT_EQ(g.time[2].off_min, -300);
	ASSERT_TRUE(!g.time[2].valid);
	TEST_DONE();

	TEST_START("sample lines: rows in the older, complete form");
	ASSERT_INT_EQ(sqlite3_open(path, &db), SQLITE_OK);
	ASSERT_INT_EQ(sqlite3_exec(db, "UPDATE incidents SET samples = "
	    "'{\"file\":\"/a\",\"line\":3,\"utc\":5,\"usec\":0,\"off\":0,"
	    "\"valid\":true,\"text\":\"x\",\"format\":\"sshd\"}\n"
	    "{\"file\":\"/b\",\"line\":4,\"utc\":6,\"usec\":1,\"off\":-60,"
	    "\"valid\":false,\"text\":\"y\"}\n'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	memset(&g, 0, sizeof(g));
	ASSERT_INT_EQ(ad_store_samples_each(st, id, collect, &g), AD_OK);
	ASSERT_INT_EQ(g.n, 2);
	ASSERT_STR_EQ(g.file[0], "/a");
	ASSERT_STR_EQ(g.file[1], "/b");
	ASSERT_STR_EQ(g.format[0], "sshd");
	ASSERT_TRUE(g.time[0].valid);
	ASSERT_TRUE(!g.time[1].valid);
	ASSERT_INT_EQ(g.time[1].usec, 1);
	ASSERT_INT_EQ(g.time[1].off_min, -60);
	ASSERT_STR_EQ(g.text[1], "y");
	TEST_DONE();

	TEST_START("migrations 7 and 8 key the rows of an older store");
	ASSERT_INT_EQ(ad_store_incident_find(st, &inc.src, inc.category, 1000,
	    1003, 60, &found), 1);
	ASSERT_INT_EQ(found.id, id);
	ad_incident_clear_samples(&found);
	ad_store_close(st);
	st = NULL;
	/* Back to schema 6: no key column, the old text index. */
	ASSERT_INT_EQ(sqlite3_open(path, &db), SQLITE_OK);
	ASSERT_INT_EQ(sqlite3_exec(db, "DROP TABLE incident_keys;"
	    "ALTER TABLE incidents DROP COLUMN src_key;"
	    "CREATE INDEX incidents_key ON incidents(src, category, last_utc);"
	    "PRAGMA user_version = 6;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ASSERT_INT_EQ(ad_store_open(&ctx, path, &st, NULL), AD_OK);
	ASSERT_INT_EQ(ad_store_incident_find(st, &inc.src, inc.category, 1000,
	    1003, 60, &found), 1);
	ASSERT_INT_EQ(found.id, id);
	ad_incident_clear_samples(&found);
	/* Another category of the same source is another key. */
	ASSERT_INT_EQ(ad_store_incident_find(st, &inc.src, AD_CAT_SSH_PROBE,
	    1000, 1003, 60, &found), 0);
	TEST_DONE();

	TEST_START("keys: staged in a transaction, found before the commit");
	ASSERT_INT_EQ(ad_store_begin(st), AD_OK);
	for (i = 0; i < KEYED_ROWS; i++) {
		keyed(&inc, s, i);
		ASSERT_INT_EQ(ad_store_incident_save(st, &inc), AD_OK);
	}
	/* The last one is still staged, an early one was written. */
	id = inc.id;
	keyed(&inc, s, KEYED_ROWS - 1);
	ASSERT_INT_EQ(ad_store_incident_find(st, &inc.src, inc.category,
	    inc.first.utc, inc.last.utc, 60, &found), 1);
	ASSERT_INT_EQ(found.id, id);
	ad_incident_clear_samples(&found);
	keyed(&inc, s, 3);
	ASSERT_INT_EQ(ad_store_incident_find(st, &inc.src, inc.category,
	    inc.first.utc, inc.last.utc, 60, &found), 1);
	ad_incident_clear_samples(&found);
	ASSERT_INT_EQ(ad_store_commit(st), AD_OK);
	ASSERT_INT_EQ(unkeyed(path), 0);
	TEST_DONE();

	TEST_START("keys: a rolled-back row leaves none; one outside a "
	    "transaction gets its key at once");
	ASSERT_INT_EQ(ad_store_begin(st), AD_OK);
	keyed(&inc, s, KEYED_ROWS + 1);
	ASSERT_INT_EQ(ad_store_incident_save(st, &inc), AD_OK);
	ad_store_rollback(st);
	ASSERT_INT_EQ(unkeyed(path), 0);
	ASSERT_INT_EQ(ad_store_incident_find(st, &inc.src, inc.category,
	    inc.first.utc, inc.last.utc, 60, &found), 0);
	inc.id = 0;
	ASSERT_INT_EQ(ad_store_incident_save(st, &inc), AD_OK);
	ASSERT_INT_EQ(unkeyed(path), 0);
	ASSERT_INT_EQ(ad_store_incident_find(st, &inc.src, inc.category,
	    inc.first.utc, inc.last.utc, 60, &found), 1);
	ASSERT_INT_EQ(found.id, inc.id);
	ad_incident_clear_samples(&found);
	TEST_DONE();

	ad_store_close(st);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	return system(path) == 0 ? 0 : 1;
}
