/*
 * store.c - every SQL statement of abusedesk, and the schema migrations.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "abusedesk/ad_json.h"
#include "abusedesk/ad_store.h"
#include "store_int.h"

/* Migration k brings user_version from k to k+1. Never edit one; append. */
static const char *const migrations[] = {
	/* 0 -> 1: files, incidents (with their sample log lines) */
	"CREATE TABLE files ("
	"  fingerprint TEXT PRIMARY KEY,"
	"  path TEXT NOT NULL,"
	"  dev INTEGER, ino INTEGER, size INTEGER, mtime INTEGER,"
	"  offset INTEGER NOT NULL DEFAULT 0,"
	"  lines INTEGER NOT NULL DEFAULT 0,"
	"  first_scan INTEGER, last_scan INTEGER);"
	"CREATE INDEX files_path ON files(path, last_scan);"
	"CREATE TABLE incidents ("
	"  id INTEGER PRIMARY KEY,"
	"  src TEXT NOT NULL,"
	"  category TEXT NOT NULL,"
	"  first_utc INTEGER NOT NULL, first_usec INTEGER, first_off INTEGER,"
	"  last_utc INTEGER NOT NULL, last_usec INTEGER, last_off INTEGER,"
	"  events INTEGER NOT NULL, proven INTEGER NOT NULL,"
	"  spoofable INTEGER NOT NULL,"
	"  services TEXT, ports TEXT, ports_more INTEGER,"
	"  targets TEXT, targets_more INTEGER,"
	"  users TEXT, users_more INTEGER,"
	"  state TEXT NOT NULL, reportable INTEGER NOT NULL, reason TEXT,"
	"  n_samples INTEGER NOT NULL DEFAULT 0, samples TEXT,"
	"  created INTEGER, updated INTEGER);"
	"CREATE INDEX incidents_key ON incidents(src, category, last_utc);",
	/*
	 * 1 -> 2: the lookup cache, by range (lo..hi, 16-byte big-endian keys:
	 * IPv4-mapped IPv6 for addresses, the AS number in the last 4 bytes
	 * for kind 0), and the back-off of rate-limiting servers.
	 */
	"CREATE TABLE lookup_cache ("
	"  kind INTEGER NOT NULL,"
	"  lo BLOB NOT NULL, hi BLOB NOT NULL,"
	"  answer TEXT NOT NULL,"
	"  negative INTEGER NOT NULL,"
	"  fetched INTEGER NOT NULL, expires INTEGER NOT NULL,"
	"  PRIMARY KEY (kind, lo, hi));"
	"CREATE TABLE lookup_backoff ("
	"  server TEXT PRIMARY KEY,"
	"  until INTEGER NOT NULL,"
	"  reason TEXT);",
	/*
	 * 2 -> 3: incidents held by the scan (new, below threshold, window
	 * open) as one blob (ad_incident_pack records), rewritten with each
	 * checkpoint in the same transaction as the file offsets.
	 */
	("CREATE TABLE held (id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  format INTEGER NOT NULL, data BLOB NOT NULL);"),
	/*
	 * 3 -> 4: held incidents in chunks of whole records (a scan writes
	 * them a few hundred KiB at a time instead of building one blob).
	 */
	"DROP TABLE held;"
	"CREATE TABLE held_chunks (seq INTEGER PRIMARY KEY,"
	"  format INTEGER NOT NULL, data BLOB NOT NULL);",
	/*
	 * 4 -> 5: reports (one message about one source), the incidents each
	 * covers, their trail, the suppression list and the sends that the
	 * rate limits count.
	 */
	"CREATE TABLE reports (id INTEGER PRIMARY KEY,"
	"  token TEXT NOT NULL, src TEXT NOT NULL, state TEXT NOT NULL,"
	"  kind TEXT NOT NULL DEFAULT 'report', thread_id INTEGER,"
	"  seq INTEGER NOT NULL DEFAULT 1, lifecycle TEXT, ticket TEXT,"
	"  form_url TEXT, events_seen INTEGER NOT NULL DEFAULT 0,"
	"  action TEXT, flags INTEGER NOT NULL DEFAULT 0, reasons TEXT,"
	"  rcpt_to TEXT, rcpt_cc TEXT, subject TEXT, message_id TEXT,"
	"  message BLOB, lang TEXT, xarf INTEGER NOT NULL DEFAULT 0,"
	"  events INTEGER NOT NULL DEFAULT 0, created INTEGER, updated INTEGER,"
	"  approved INTEGER, sent INTEGER, next_try INTEGER,"
	"  attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);"
	"CREATE UNIQUE INDEX reports_token ON reports (token, seq);"
	"CREATE INDEX reports_src ON reports (src, state);"
	"CREATE INDEX reports_msgid ON reports (message_id);"
	"CREATE TABLE report_incidents (report_id INTEGER NOT NULL,"
	"  incident_id INTEGER NOT NULL UNIQUE,"
	"  after_sent INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX report_incidents_report ON report_incidents (report_id);"
	"CREATE TABLE report_log (id INTEGER PRIMARY KEY,"
	"  report_id INTEGER NOT NULL, at INTEGER NOT NULL, state TEXT,"
	"  text TEXT);"
	"CREATE INDEX report_log_report ON report_log (report_id);"
	"CREATE TABLE suppressions (pattern TEXT PRIMARY KEY,"
	"  added INTEGER NOT NULL, reason TEXT);"
	"CREATE TABLE sends (id INTEGER PRIMARY KEY, report_id INTEGER,"
	"  domain TEXT NOT NULL, at INTEGER NOT NULL);"
	"CREATE INDEX sends_domain ON sends (domain, at);"
	"CREATE TABLE replies (id INTEGER PRIMARY KEY, report_id INTEGER,"
	"  message_id TEXT, sender TEXT, subject TEXT, date INTEGER,"
	"  received INTEGER NOT NULL, class TEXT NOT NULL, why TEXT,"
	"  ticket TEXT, form_url TEXT, text TEXT, handled INTEGER NOT NULL"
	"  DEFAULT 0);"
	"CREATE UNIQUE INDEX replies_msgid ON replies (message_id)"
	"  WHERE message_id IS NOT NULL AND message_id != '';"
	"CREATE INDEX replies_report ON replies (report_id);",
	/*
	 * 5 -> 6: what a scan keeps between runs besides files and held
	 * records: the horizon (ad_agg_set_horizon), and per file the
	 * parser's state at its offset (ad_parser_save).
	 */
	"CREATE TABLE scan_state (name TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL);"
	"ALTER TABLE files ADD COLUMN parse_state BLOB;",
	/*
	 * 6 -> 7: incidents are found by one integer (ad_incident_key)
	 * instead of (src, category, last_utc) as text: an index entry of 17
	 * bytes instead of about 40, and a scan inserts a row into it at a
	 * random place, so the smaller index stays in SQLite's page cache.
	 */
	"ALTER TABLE incidents ADD COLUMN src_key INTEGER NOT NULL DEFAULT 0;"
	"UPDATE incidents SET src_key = abusedesk_src_key(src, category);"
	"DROP INDEX incidents_key;"
	"CREATE INDEX incidents_src_key ON incidents(src_key);",
	/*
	 * 7 -> 8: the keys move out of the incidents table into a table of
	 * their own, which a scan fills in key order (struct staged_key): an
	 * index on incidents took each new row's key at a random place.
	 */
	"CREATE TABLE incident_keys (src_key INTEGER NOT NULL,"
	"  id INTEGER NOT NULL, PRIMARY KEY (src_key, id)) WITHOUT ROWID;"
	"INSERT INTO incident_keys (src_key, id)"
	"  SELECT src_key, id FROM incidents ORDER BY src_key, id;"
	"DROP INDEX incidents_src_key;",
};
/*
 * Sample lines live in the incident row (JSON Lines text, appended by the
 * UPDATE itself): a scan writes one row per changed incident and no other.
 */

#define SCHEMA_VERSION	((int)(sizeof(migrations) / sizeof(migrations[0])))

#define INC_COLS \
	"id, src, category, first_utc, first_usec, first_off, last_utc," \
	" last_usec, last_off, events, proven, spoofable, services, ports," \
	" ports_more, targets, targets_more, users, users_more, state," \
	" reportable, reason, n_samples"

/* KEYS_BATCH pairs of parameters: "(?,?),(?,?),..." */
#define KEYS_V2		"(?,?),(?,?)"
#define KEYS_V8		KEYS_V2 "," KEYS_V2 "," KEYS_V2 "," KEYS_V2
#define KEYS_V32	KEYS_V8 "," KEYS_V8 "," KEYS_V8 "," KEYS_V8
#define KEYS_VALUES	KEYS_V32 "," KEYS_V32

static const char *const sql[S__COUNT] = {
	[S_FILE_BY_FP] =
	    "SELECT fingerprint, path, dev, ino, size, mtime, offset, lines"
	    " FROM files WHERE fingerprint = ?1",
	[S_FILE_BY_PATH] =
	    "SELECT fingerprint, path, dev, ino, size, mtime, offset, lines"
	    " FROM files WHERE path = ?1 ORDER BY last_scan DESC LIMIT 1",
	[S_FILE_SAVE] =
	    "INSERT INTO files (fingerprint, path, dev, ino, size, mtime, offset,"
	    "  lines, first_scan, last_scan)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, strftime('%s','now'),"
	    "  strftime('%s','now'))"
	    " ON CONFLICT(fingerprint) DO UPDATE SET path = ?2, dev = ?3,"
	    "  ino = ?4, size = ?5, mtime = ?6, offset = ?7, lines = ?8,"
	    "  last_scan = strftime('%s','now')",
	[S_INC_FIND] =
	    "SELECT " INC_COLS " FROM incidents"
	    " WHERE id IN (SELECT id FROM incident_keys WHERE src_key = ?6)"
	    "  AND src = ?1 AND category = ?2"
	    "  AND last_utc >= ?3 - ?5 AND first_utc <= ?4 + ?5"
	    " ORDER BY last_utc DESC LIMIT 1",
	[S_INC_INSERT] =
	    "INSERT INTO incidents (src, category, first_utc, first_usec,"
	    "  first_off, last_utc, last_usec, last_off, events, proven,"
	    "  spoofable, services, ports, ports_more, targets, targets_more,"
	    "  users, users_more, state, reportable, reason, n_samples, samples,"
	    "  src_key, created, updated)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    "  ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?23, ?24, ?25, ?26, ?26)",
	[S_INC_UPDATE] =
	    "UPDATE incidents SET src = ?1, category = ?2, first_utc = ?3,"
	    "  first_usec = ?4, first_off = ?5, last_utc = ?6, last_usec = ?7,"
	    "  last_off = ?8, events = ?9, proven = ?10, spoofable = ?11,"
	    "  services = ?12, ports = ?13, ports_more = ?14, targets = ?15,"
	    "  targets_more = ?16, users = ?17, users_more = ?18, state = ?19,"
	    "  reportable = ?20, reason = ?21, n_samples = ?23,"
	    "  samples = coalesce(samples, '') || ?24, updated = ?26"
	    " WHERE id = ?22",
	[S_EV_LIST] =
	    "SELECT samples FROM incidents WHERE id = ?1",
	/* The most specific live range holding the key: ranges nest, so the
	 * innermost has the largest lo (then the smallest hi). */
	[S_LC_GET] =
	    "SELECT answer, negative, expires, lo, hi FROM lookup_cache"
	    " WHERE kind = ?1 AND lo <= ?2 AND hi >= ?2 AND expires > ?3"
	    " ORDER BY lo DESC, hi ASC LIMIT 1",
	[S_LC_PUT] =
	    "INSERT OR REPLACE INTO lookup_cache (kind, lo, hi, answer,"
	    "  negative, fetched, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_BO_GET] =
	    "SELECT until FROM lookup_backoff WHERE server = ?1 AND until > ?2",
	[S_BO_SET] =
	    "INSERT OR REPLACE INTO lookup_backoff (server, until, reason)"
	    " VALUES (?1, ?2, ?3)",
	[S_KEY_PUT] =
	    "INSERT INTO incident_keys (src_key, id) VALUES (?1, ?2)",
	/*
	 * OR IGNORE, though no key can conflict: a statement of many rows
	 * that may abort keeps a statement journal, a temporary file SQLite
	 * copies every page it changes to (pwrite calls +50 % on sshd 1 GB).
	 */
	[S_KEYS_PUT] =
	    "INSERT OR IGNORE INTO incident_keys (src_key, id)"
	    " VALUES " KEYS_VALUES,
};


int
ad_store_schema_version(void)
{
	return SCHEMA_VERSION;
}

const char *
ad_store_errmsg(const struct ad_store *st)
{
	return st->err;
}

int
store_fail(struct ad_store *st, const char *what)
{
	snprintf(st->err, sizeof(st->err), "%s: %s", what,
	    st->db ? sqlite3_errmsg(st->db) : "no database");
	return AD_ERR_STORE;
}

int
store_exec(struct ad_store *st, const char *s)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, s, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(st->err, sizeof(st->err), "%s", msg ? msg : "?");
		sqlite3_free(msg);
		return AD_ERR_STORE;
	}
	return AD_OK;
}

static int
user_version(struct ad_store *st, int *v)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) !=
	    SQLITE_OK)
		return store_fail(st, "user_version");
	rc = sqlite3_step(s);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? AD_OK : store_fail(st, "user_version");
}

static int
migrate(struct ad_store *st)
{
	int v, r;
	char set[64];

	if ((r = user_version(st, &v)) != AD_OK)
		return r;
	if (v > SCHEMA_VERSION) {
		snprintf(st->err, sizeof(st->err),
		    "store schema %d is newer than this abusedesk (%d)",
		    v, SCHEMA_VERSION);
		return AD_ERR_STORE;
	}
	if (v == SCHEMA_VERSION)
		return AD_OK;
	/* All steps in one transaction: a new store costs one commit. */
	if ((r = store_exec(st, "BEGIN IMMEDIATE")) != AD_OK)
		return r;
	/* Another process may have migrated while we waited. */
	if ((r = user_version(st, &v)) != AD_OK) {
		(void)store_exec(st, "ROLLBACK");
		return r;
	}
	for (; v < SCHEMA_VERSION; v++) {
		snprintf(set, sizeof(set), "PRAGMA user_version = %d", v + 1);
		if ((r = store_exec(st, migrations[v])) != AD_OK ||
		    (r = store_exec(st, set)) != AD_OK) {
			char keep[256];

			memcpy(keep, st->err, sizeof(keep));
			(void)store_exec(st, "ROLLBACK");
			memcpy(st->err, keep, sizeof(keep));
			return r;
		}
	}
	return store_exec(st, "COMMIT");
}

/*
 * abusedesk_src_key(src, category): ad_incident_key of a row's text
 * columns, for migration 7. An unparsable address keys as af 0.
 */
static void
sql_src_key(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const char *src = (const char *)sqlite3_value_text(argv[0]);
	const char *cat = (const char *)sqlite3_value_text(argv[1]);
	struct ad_addr a;

	(void)argc;
	memset(&a, 0, sizeof(a));
	if (src == NULL || !ad_addr_parse(src, strlen(src), &a))
		memset(&a, 0, sizeof(a));
	sqlite3_result_int64(cx, ad_incident_key(&a, cat ? cat : ""));
}

/* Pragmas and migrations of a freshly opened connection. */
static int
setup(struct ad_store *st)
{
	int r;

	/*
	 * Bigger pages: a scan writes many rows at once, and each page is
	 * one system call in and out of the WAL. Takes effect only on a new,
	 * empty store (before the journal mode and the first table).
	 */
	if ((r = store_exec(st, "PRAGMA page_size = 16384")) != AD_OK ||
	    (r = store_exec(st, "PRAGMA journal_mode = WAL")) != AD_OK ||
	    (r = store_exec(st, "PRAGMA synchronous = NORMAL")) != AD_OK ||
	    /* Fewer, larger WAL checkpoints: a scan writes in bursts. */
	    (r = store_exec(st, "PRAGMA wal_autocheckpoint = 4096")) != AD_OK ||
	    (r = store_exec(st, "PRAGMA cache_size = -2048")) != AD_OK ||
	    (r = store_exec(st, "PRAGMA foreign_keys = ON")) != AD_OK)
		return r;
	return migrate(st);
}

int
ad_store_open(struct ad_ctx *ctx, const char *path, struct ad_store **out,
    struct ad_diag *diag)
{
	struct ad_store *st;
	int i, r;

	*out = NULL;
	if ((st = ad_calloc(1, sizeof(*st))) == NULL)
		return ad_diag_set(diag, AD_ERR_NOMEM, path, 0, "out of memory");
	st->ctx = ctx;
	st->lock_fd = -1;
	ad_buf_init(&st->text, AD_SAMPLE_MAX * (AD_SAMPLE_LINE_MAX * 6 + 512));
	if ((st->path = ad_strndup(path, strlen(path))) == NULL) {
		r = ad_diag_set(diag, AD_ERR_NOMEM, path, 0, "out of memory");
		goto fail;
	}
	if (ad_fault(ctx, AD_FAULT_STORE_OPEN)) {
		r = ad_diag_set(diag, AD_ERR_STORE, path, 0, "injected fault");
		goto fail;
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		r = store_fail(st, "open");
		goto fail_diag;
	}
	sqlite3_busy_timeout(st->db, 10000);
	if (sqlite3_create_function_v2(st->db, "abusedesk_src_key", 2,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_src_key, NULL, NULL,
	    NULL) != SQLITE_OK) {
		r = store_fail(st, "open");
		goto fail_diag;
	}
	/*
	 * WAL with synchronous=NORMAL: a committed transaction survives the
	 * process being killed (our crash model); only an OS crash may lose
	 * the last commits, which a rescan then redoes from the older offset.
	 */
	/*
	 * Two processes opening a new store at once: switching a fresh file
	 * to WAL fails at once with SQLITE_BUSY instead of waiting, so the
	 * setup is retried for a while (busy_timeout does not cover it).
	 */
	for (i = 0; (r = setup(st)) != AD_OK; i++) {
		int code = sqlite3_errcode(st->db);

		if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || i >= 500)
			goto fail_diag;
		usleep(10000);
	}
	for (i = 0; i < S__COUNT; i++)
		if (sqlite3_prepare_v3(st->db, sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->st[i], NULL) != SQLITE_OK) {
			r = store_fail(st, "prepare");
			goto fail_diag;
		}
	*out = st;
	return AD_OK;
fail_diag:
	ad_diag_set(diag, r, path, 0, "%s", st->err);
fail:
	ad_store_close(st);
	return r;
}

void
ad_store_close(struct ad_store *st)
{
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < S__COUNT; i++)
		sqlite3_finalize(st->st[i]);
	sqlite3_close(st->db);
	if (st->lock_fd >= 0)
		close(st->lock_fd);	/* releases the flock */
	ad_free(st->path);
	ad_free(st->keys);
	ad_buf_free(&st->text);
	ad_free(st);
}

int
ad_store_lock(struct ad_store *st, bool wait)
{
	char lp[4096];

	if (st->lock_fd >= 0)
		return AD_OK;
	if (snprintf(lp, sizeof(lp), "%s.lock", st->path) >= (int)sizeof(lp)) {
		snprintf(st->err, sizeof(st->err), "path too long");
		return AD_ERR_LIMIT;
	}
	st->lock_fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (st->lock_fd < 0) {
		snprintf(st->err, sizeof(st->err), "%.200s: %s", lp,
		    strerror(errno));
		return AD_ERR_STORE;
	}
	while (flock(st->lock_fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0) {
		if (errno == EINTR)
			continue;
		snprintf(st->err, sizeof(st->err), "%.200s: %s", lp,
		    errno == EWOULDBLOCK ? "another scan holds the store" :
		    strerror(errno));
		close(st->lock_fd);
		st->lock_fd = -1;
		return errno == EWOULDBLOCK ? AD_ERR_BUSY : AD_ERR_STORE;
	}
	return AD_OK;
}

/* --- incident keys (struct staged_key) ------------------------------- */

_Static_assert(KEYS_BATCH == 64, "KEYS_VALUES holds 64 pairs");

static int
by_key(const void *x, const void *y)
{
	const struct staged_key *a = x, *b = y;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/* Writes the staged keys in key order; on failure the caller rolls back. */
static int
keys_flush(struct ad_store *st)
{
	sqlite3_stmt *s;
	size_t i = 0, j, k, n = st->n_keys;
	int rc = SQLITE_DONE;

	if (n == 0)
		return AD_OK;
	st->n_keys = 0;
	qsort(st->keys, n, sizeof(*st->keys), by_key);
	for (; i < n && rc == SQLITE_DONE; i += k) {
		if (n - i >= KEYS_BATCH) {
			s = st->st[S_KEYS_PUT];
			k = KEYS_BATCH;
		} else {
			s = st->st[S_KEY_PUT];
			k = 1;
		}
		sqlite3_reset(s);
		for (j = 0; j < k; j++) {
			sqlite3_bind_int64(s, (int)(2 * j + 1), st->keys[i + j].key);
			sqlite3_bind_int64(s, (int)(2 * j + 2), st->keys[i + j].id);
		}
		rc = sqlite3_step(s);
		sqlite3_reset(s);
	}
	return rc == SQLITE_DONE ? AD_OK : store_fail(st, "incident keys");
}

/*
 * A new row's key: staged in a transaction, written at once outside one
 * (no commit would flush it).
 */
static int
key_put(struct ad_store *st, int64_t key, int64_t id)
{
	int r;

	if (st->keys == NULL && (st->keys = ad_reallocarray(NULL, KEYS_STAGED,
	    sizeof(*st->keys))) == NULL)
		return AD_ERR_NOMEM;
	if (st->n_keys == KEYS_STAGED && (r = keys_flush(st)) != AD_OK)
		return r;
	st->keys[st->n_keys].key = key;
	st->keys[st->n_keys].id = id;
	st->n_keys++;
	return sqlite3_get_autocommit(st->db) ? keys_flush(st) : AD_OK;
}

int
ad_store_begin(struct ad_store *st)
{
	st->n_keys = 0;
	return store_exec(st, "BEGIN IMMEDIATE");
}

int
ad_store_commit(struct ad_store *st)
{
	int r;

	if (ad_fault(st->ctx, AD_FAULT_STORE_COMMIT)) {
		snprintf(st->err, sizeof(st->err), "commit: injected fault");
		ad_store_rollback(st);
		return AD_ERR_FAULT;
	}
	if ((r = keys_flush(st)) != AD_OK)
		return r;
	return store_exec(st, "COMMIT");
}

void
ad_store_rollback(struct ad_store *st)
{
	st->n_keys = 0;		/* their rows are gone */
	if (!sqlite3_get_autocommit(st->db))
		(void)store_exec(st, "ROLLBACK");
}

/* --- files ----------------------------------------------------------- */

static void
copy_col(char *dst, size_t n, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(dst, n, "%s", t ? (const char *)t : "");
}

static int
file_get(struct ad_store *st, enum stmt k, const char *key,
    struct ad_file_state *out)
{
	sqlite3_stmt *s = st->st[k];
	int rc, r;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		copy_col(out->fp, sizeof(out->fp), s, 0);
		copy_col(out->path, sizeof(out->path), s, 1);
		out->dev = sqlite3_column_int64(s, 2);
		out->ino = sqlite3_column_int64(s, 3);
		out->size = sqlite3_column_int64(s, 4);
		out->mtime = sqlite3_column_int64(s, 5);
		out->offset = (uint64_t)sqlite3_column_int64(s, 6);
		out->lines = (uint64_t)sqlite3_column_int64(s, 7);
		r = 1;
	} else
		r = rc == SQLITE_DONE ? 0 : store_fail(st, "file lookup");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return r;
}

int
ad_store_file_by_fp(struct ad_store *st, const char *fp,
    struct ad_file_state *out)
{
	return file_get(st, S_FILE_BY_FP, fp, out);
}

int
ad_store_file_by_path(struct ad_store *st, const char *path,
    struct ad_file_state *out)
{
	return file_get(st, S_FILE_BY_PATH, path, out);
}

int
ad_store_file_save(struct ad_store *st, const struct ad_file_state *fs)
{
	sqlite3_stmt *s = st->st[S_FILE_SAVE];
	int rc;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, fs->fp, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, fs->path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, fs->dev);
	sqlite3_bind_int64(s, 4, fs->ino);
	sqlite3_bind_int64(s, 5, fs->size);
	sqlite3_bind_int64(s, 6, fs->mtime);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)fs->offset);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)fs->lines);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? AD_OK : store_fail(st, "file save");
}

/* --- incidents ------------------------------------------------------- */

/*
 * The list columns, by hand: a scan writes thousands of rows, and printf
 * was a visible part of each. Appends sep (unless first) and s to buf
 * while the whole of both fit, as the callers' buffers are sized to.
 */
static void
list_add(char *buf, size_t n, size_t *l, bool first, char sep, const char *s,
    size_t sl)
{
	size_t need = (first ? 0 : 1) + sl;

	if (*l + need >= n)
		return;
	if (!first)
		buf[(*l)++] = sep;
	memcpy(buf + *l, s, sl);
	*l += sl;
	buf[*l] = '\0';
}

static void
ports_text(const struct ad_incident *inc, char *buf, size_t n)
{
	char d[AD_DEC_MAX], *q;
	size_t l = 0;
	uint8_t i;

	buf[0] = '\0';
	for (i = 0; i < inc->n_ports; i++) {
		q = ad_dec_u64(d + sizeof(d), inc->ports[i]);
		list_add(buf, n, &l, i == 0, ',', q, (size_t)(d + sizeof(d) - q));
	}
}

static void
targets_text(const struct ad_incident *inc, char *buf, size_t n)
{
	char a[AD_ADDR_STRLEN];
	size_t l = 0;
	uint8_t i;

	buf[0] = '\0';
	for (i = 0; i < inc->n_targets; i++) {
		ad_addr_format(&inc->targets[i], a);
		list_add(buf, n, &l, i == 0, ',', a, strlen(a));
	}
}

/* User names may hold commas, never newlines (sshd escapes those). */
static void
users_text(const struct ad_incident *inc, char *buf, size_t n)
{
	size_t l = 0;
	uint8_t i;

	buf[0] = '\0';
	for (i = 0; i < inc->n_users; i++)
		list_add(buf, n, &l, i == 0, '\n', inc->users[i],
		    strlen(inc->users[i]));
}

static void
parse_ports(struct ad_incident *inc, const char *t)
{
	while (t && *t && inc->n_ports < AD_INC_PORTS_MAX) {
		char *e;
		unsigned long v = strtoul(t, &e, 10);

		if (e == t)
			break;
		inc->ports[inc->n_ports++] = (uint16_t)v;
		t = *e == ',' ? e + 1 : e;
	}
}

static void
parse_targets(struct ad_incident *inc, const char *t)
{
	while (t && *t && inc->n_targets < AD_INC_TARGETS_MAX) {
		const char *c = strchr(t, ',');
		size_t l = c ? (size_t)(c - t) : strlen(t);

		if (ad_addr_parse(t, l, &inc->targets[inc->n_targets]))
			inc->n_targets++;
		t = c ? c + 1 : t + l;
	}
}

static void
parse_users(struct ad_incident *inc, const char *t)
{
	while (t && *t && inc->n_users < AD_INC_USERS_MAX) {
		const char *c = strchr(t, '\n');
		size_t l = c ? (size_t)(c - t) : strlen(t);

		if (l > AD_INC_USER_LEN)
			l = AD_INC_USER_LEN;
		memcpy(inc->users[inc->n_users], t, l);
		inc->users[inc->n_users][l] = '\0';
		inc->n_users++;
		t = c ? c + 1 : t + strlen(t);
	}
}

static const char *
col_text(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	return t ? (const char *)t : "";
}

static void
row_to_incident(sqlite3_stmt *s, struct ad_incident *inc)
{
	int c;

	memset(inc, 0, sizeof(*inc));
	inc->id = sqlite3_column_int64(s, 0);
	ad_addr_parse(col_text(s, 1), strlen(col_text(s, 1)), &inc->src);
	c = ad_category_from_name(col_text(s, 2));
	inc->category = c < 0 ? AD_CAT_SSH_BRUTEFORCE : (enum ad_category)c;
	inc->first.utc = sqlite3_column_int64(s, 3);
	inc->first.usec = sqlite3_column_int(s, 4);
	inc->first.off_min = (int16_t)sqlite3_column_int(s, 5);
	inc->first.valid = true;
	inc->last.utc = sqlite3_column_int64(s, 6);
	inc->last.usec = sqlite3_column_int(s, 7);
	inc->last.off_min = (int16_t)sqlite3_column_int(s, 8);
	inc->last.valid = true;
	inc->events = (uint64_t)sqlite3_column_int64(s, 9);
	inc->proven = (uint64_t)sqlite3_column_int64(s, 10);
	inc->spoofable = (uint64_t)sqlite3_column_int64(s, 11);
	inc->services = ad_services_from_name(col_text(s, 12));
	parse_ports(inc, col_text(s, 13));
	inc->ports_more = sqlite3_column_int(s, 14) != 0;
	parse_targets(inc, col_text(s, 15));
	inc->targets_more = sqlite3_column_int(s, 16) != 0;
	parse_users(inc, col_text(s, 17));
	inc->users_more = sqlite3_column_int(s, 18) != 0;
	c = ad_inc_state_from_name(col_text(s, 19));
	inc->state = c < 0 ? AD_STATE_BELOW : (enum ad_inc_state)c;
	inc->reportable = sqlite3_column_int(s, 20) != 0;
	snprintf(inc->reason, sizeof(inc->reason), "%s", col_text(s, 21));
	c = sqlite3_column_int(s, 22);
	inc->samples_stored = (uint8_t)(c < 0 ? 0 : c > 255 ? 255 : c);
	inc->merged = true;
}

int
ad_store_incident_find(struct ad_store *st, const struct ad_addr *src,
    enum ad_category cat, int64_t from, int64_t to, int64_t window,
    struct ad_incident *out)
{
	sqlite3_stmt *s = st->st[S_INC_FIND];
	char a[AD_ADDR_STRLEN];
	int rc, r;

	/* The rows of this transaction too. */
	if ((r = keys_flush(st)) != AD_OK)
		return r;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, ad_addr_format(src, a), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, ad_category_name(cat), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, from);
	sqlite3_bind_int64(s, 4, to);
	sqlite3_bind_int64(s, 5, window);
	sqlite3_bind_int64(s, 6, ad_incident_key(src, ad_category_name(cat)));
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_to_incident(s, out);
		r = 1;
	} else
		r = rc == SQLITE_DONE ? 0 : store_fail(st, "incident lookup");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return r;
}


int
ad_store_held_clear(struct ad_store *st)
{
	return store_exec(st, "DELETE FROM held_chunks");
}

int
ad_store_held_add(struct ad_store *st, const void *chunk, size_t len)
{
	sqlite3_stmt *s;
	int rc;

	if (len == 0)
		return AD_OK;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO held_chunks (format, data)"
	    " VALUES (?1, ?2)", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "held incidents");
	sqlite3_bind_int(s, 1, AD_PACK_FORMAT);
	sqlite3_bind_blob64(s, 2, chunk, len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? AD_OK : store_fail(st, "held incidents");
}

int
ad_store_held_each(struct ad_store *st,
    int (*fn)(void *, const struct ad_incident *), void *arg)
{
	sqlite3_stmt *s;
	const unsigned char *p, *end;
	struct ad_incident inc;
	int rc, r = AD_OK;

	if (sqlite3_prepare_v2(st->db, "SELECT format, data FROM held_chunks"
	    " ORDER BY seq", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "held incidents");
	while (r == AD_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int format = sqlite3_column_int(s, 0);

		if (format < 1 || format > AD_PACK_FORMAT) {
			sqlite3_finalize(s);
			snprintf(st->err, sizeof(st->err), "held incidents: "
			    "format %d, this version reads %d", format,
			    AD_PACK_FORMAT);
			return AD_ERR_STORE;
		}
		p = sqlite3_column_blob(s, 1);
		end = p + sqlite3_column_bytes(s, 1);
		while (p != NULL && p < end) {
			if ((r = ad_incident_unpack(&p, end, (unsigned)format, &inc)) != AD_OK) {
				if (r == AD_ERR_PARSE) {
					snprintf(st->err, sizeof(st->err),
					    "held incidents: damaged record");
					r = AD_ERR_STORE;
				}
				break;
			}
			r = fn(arg, &inc);	/* fn owns inc's samples now */
			if (r != AD_OK)
				break;
		}
	}
	if (r == AD_OK && rc != SQLITE_DONE)
		r = store_fail(st, "held incidents");
	sqlite3_finalize(s);
	return r;
}

int
ad_store_file_parse_state_set(struct ad_store *st, const char *fp,
    const void *data, size_t len)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "UPDATE files SET parse_state = ?2"
	    " WHERE fingerprint = ?1", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "parser state");
	sqlite3_bind_text(s, 1, fp, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(s, 2, data, len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? AD_OK : store_fail(st, "parser state");
}

int
ad_store_file_parse_state(struct ad_store *st, const char *fp,
    struct ad_buf *out)
{
	sqlite3_stmt *s;
	int rc, r = AD_OK;

	ad_buf_reset(out);
	if (sqlite3_prepare_v2(st->db, "SELECT parse_state FROM files"
	    " WHERE fingerprint = ?1", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "parser state");
	sqlite3_bind_text(s, 1, fp, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW && sqlite3_column_bytes(s, 0) > 0)
		r = ad_buf_add(out, sqlite3_column_blob(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0));
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = store_fail(st, "parser state");
	sqlite3_finalize(s);
	return r;
}

int
ad_store_scan_horizon(struct ad_store *st, int64_t *out)
{
	sqlite3_stmt *s;
	int rc;

	*out = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT coalesce((SELECT value FROM"
	    " scan_state WHERE name = 'horizon'),"
	    " (SELECT max(last_utc) FROM incidents), 0)", -1, &s,
	    NULL) != SQLITE_OK)
		return store_fail(st, "scan horizon");
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? AD_OK : store_fail(st, "scan horizon");
}

int
ad_store_scan_horizon_set(struct ad_store *st, int64_t utc)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO scan_state (name, value)"
	    " VALUES ('horizon', ?1) ON CONFLICT(name) DO UPDATE SET"
	    " value = ?1", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "scan horizon");
	sqlite3_bind_int64(s, 1, utc);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? AD_OK : store_fail(st, "scan horizon");
}

/*
 * The pending sample lines the incident still has room for, as JSON Lines
 * into b; advances samples_stored. Sample lines are most of a row's bytes,
 * and a row's bytes are most of what a scan writes, so a line leaves out
 * what the reader can infer: "file" and "format" when they repeat the line
 * before (the first line of each write names both), "usec" and "off" when
 * 0, "valid" when true.
 */
static int
samples_text(struct ad_incident *inc, struct ad_buf *b)
{
	const char *file = NULL, *format = NULL;
	uint8_t i;
	int r;

	for (i = 0; i < inc->n_samples && inc->samples_stored < AD_SAMPLE_MAX;
	    i++) {
		const struct ad_sample *e = &inc->samples[i];
		bool first = true;

		if ((r = ad_buf_addc(b, '{')) != AD_OK ||
		    ((file == NULL || strcmp(file, e->file) != 0) &&
		    (r = ad_json_kv_str(b, &first, "file", e->file)) != AD_OK) ||
		    (r = ad_json_kv_int(b, &first, "line",
		    (int64_t)e->line)) != AD_OK ||
		    (r = ad_json_kv_int(b, &first, "utc", e->time.utc)) != AD_OK ||
		    (e->time.usec != 0 && (r = ad_json_kv_int(b, &first, "usec",
		    e->time.usec)) != AD_OK) ||
		    (e->time.off_min != 0 && (r = ad_json_kv_int(b, &first, "off",
		    e->time.off_min)) != AD_OK) ||
		    (!e->time.valid && (r = ad_json_kv_bool(b, &first, "valid",
		    false)) != AD_OK) ||
		    (r = ad_json_kv_strn(b, &first, "text", e->text,
		    e->len)) != AD_OK ||
		    ((format == NULL || strcmp(format, e->format) != 0) &&
		    (r = ad_json_kv_str(b, &first, "format", e->format)) != AD_OK) ||
		    (r = ad_buf_adds(b, "}\n")) != AD_OK)
			return r;
		file = e->file;
		format = e->format;
		inc->samples_stored++;
	}
	return AD_OK;
}

int
ad_store_incident_save(struct ad_store *st, struct ad_incident *inc)
{
	sqlite3_stmt *s = st->st[inc->id ? S_INC_UPDATE : S_INC_INSERT];
	char a[AD_ADDR_STRLEN], svc[64], ports[AD_INC_PORTS_MAX * 6 + 1];
	char targets[AD_INC_TARGETS_MAX * AD_ADDR_STRLEN + 1];
	char users[AD_INC_USERS_MAX * (AD_INC_USER_LEN + 1) + 1];
	uint8_t stored;
	int64_t key = 0;
	int rc, r;

	ports_text(inc, ports, sizeof(ports));
	targets_text(inc, targets, sizeof(targets));
	users_text(inc, users, sizeof(users));
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, ad_addr_format(&inc->src, a), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, ad_category_name(inc->category), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, inc->first.utc);
	sqlite3_bind_int(s, 4, inc->first.usec);
	sqlite3_bind_int(s, 5, inc->first.off_min);
	sqlite3_bind_int64(s, 6, inc->last.utc);
	sqlite3_bind_int(s, 7, inc->last.usec);
	sqlite3_bind_int(s, 8, inc->last.off_min);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)inc->events);
	sqlite3_bind_int64(s, 10, (sqlite3_int64)inc->proven);
	sqlite3_bind_int64(s, 11, (sqlite3_int64)inc->spoofable);
	sqlite3_bind_text(s, 12, ad_services_name(inc->services, svc,
	    sizeof(svc)), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, ports, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 14, inc->ports_more);
	sqlite3_bind_text(s, 15, targets, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 16, inc->targets_more);
	sqlite3_bind_text(s, 17, users, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 18, inc->users_more);
	sqlite3_bind_text(s, 19, ad_inc_state_name(inc->state), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int(s, 20, inc->reportable);
	sqlite3_bind_text(s, 21, inc->reason, -1, SQLITE_STATIC);
	if (inc->id)
		sqlite3_bind_int64(s, 22, inc->id);
	else
		sqlite3_bind_int64(s, 25, key = ad_incident_key(&inc->src,
		    ad_category_name(inc->category)));
	stored = inc->samples_stored;
	ad_buf_reset(&st->text);
	if ((r = samples_text(inc, &st->text)) != AD_OK) {
		inc->samples_stored = stored;
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		snprintf(st->err, sizeof(st->err), "samples: %s", ad_strerror(r));
		return r;
	}
	sqlite3_bind_int(s, 23, inc->samples_stored);
	/* The clock here, not SQLite's date functions: a scan writes many. */
	sqlite3_bind_int64(s, 26, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(s, 24, ad_buf_str(&st->text), (int)st->text.len,
	    SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		inc->samples_stored = stored;
		return store_fail(st, "incident save");
	}
	if (inc->id == 0) {
		inc->id = sqlite3_last_insert_rowid(st->db);
		if ((r = key_put(st, key, inc->id)) != AD_OK)
			return r;
	}
	return AD_OK;
}

int
ad_store_incident_each(struct ad_store *st, const struct ad_incident_filter *f,
    int (*fn)(void *, const struct ad_incident *), void *arg)
{
	sqlite3_stmt *s;
	struct ad_incident inc;
	int rc, r = AD_OK;

	if (sqlite3_prepare_v2(st->db,
	    "SELECT " INC_COLS " FROM incidents"
	    " WHERE (?1 = 0 OR reportable = 1)"
	    "  AND (?2 IS NULL OR state = ?2)"
	    "  AND (?3 IS NULL OR category = ?3)"
	    "  AND (?4 = 0 OR id = ?4)"
	    "  AND (?5 = 0 OR id NOT IN (SELECT incident_id"
	    "   FROM report_incidents))"
	    "  AND (?6 = 0 OR id IN (SELECT incident_id FROM report_incidents"
	    "   WHERE report_id = ?6))"
	    " ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "incident list");
	sqlite3_bind_int(s, 1, f && f->reportable_only);
	if (f && f->state > 0)
		sqlite3_bind_text(s, 2, ad_inc_state_name(
		    (enum ad_inc_state)(f->state - 1)), -1, SQLITE_STATIC);
	if (f && f->category >= 0)
		sqlite3_bind_text(s, 3, ad_category_name(
		    (enum ad_category)f->category), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, f ? f->id : 0);
	sqlite3_bind_int(s, 5, f && f->unreported);
	sqlite3_bind_int64(s, 6, f ? f->report_id : 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_to_incident(s, &inc);
		if ((r = fn(arg, &inc)) != 0)
			break;
	}
	if (r == AD_OK && rc != SQLITE_DONE)
		r = store_fail(st, "incident list");
	sqlite3_finalize(s);
	return r;
}

int
ad_store_samples_each(struct ad_store *st, int64_t id,
    int (*fn)(void *, const struct ad_sample *), void *arg)
{
	sqlite3_stmt *s = st->st[S_EV_LIST];
	const char *p, *end;
	char file[PATH_MAX], format[sizeof(((struct ad_sample *)0)->format)];
	int rc, r = AD_OK;

	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? AD_OK : store_fail(st, "sample list");
	}
	p = (const char *)sqlite3_column_text(s, 0);
	end = p ? p + sqlite3_column_bytes(s, 0) : NULL;
	/*
	 * A line without "file" or "format" has the line before's (see
	 * samples_text); rows written before that omitted only an empty
	 * format, and kept every other key.
	 */
	file[0] = format[0] = '\0';
	while (p && p < end && r == AD_OK) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = (size_t)((nl ? nl : end) - p);
		json_t *o = json_loadb(p, l, 0, NULL), *v;
		struct ad_sample e;

		p = nl ? nl + 1 : end;
		if (!json_is_object(o)) {
			json_decref(o);
			continue;	/* never written by us: skip it */
		}
		memset(&e, 0, sizeof(e));
		if (json_is_string(v = json_object_get(o, "file")))
			snprintf(file, sizeof(file), "%s", json_string_value(v));
		if (json_is_string(v = json_object_get(o, "format")))
			snprintf(format, sizeof(format), "%s", json_string_value(v));
		e.file = file;
		memcpy(e.format, format, sizeof(e.format));
		e.line = (uint64_t)json_integer_value(json_object_get(o, "line"));
		e.time.utc = json_integer_value(json_object_get(o, "utc"));
		e.time.usec = (int32_t)json_integer_value(json_object_get(o, "usec"));
		e.time.off_min = (int16_t)json_integer_value(json_object_get(o, "off"));
		v = json_object_get(o, "valid");
		e.time.valid = v == NULL || json_is_true(v);
		e.text = (char *)json_string_value(json_object_get(o, "text"));
		e.len = e.text ? json_string_length(json_object_get(o, "text")) : 0;
		if (e.text == NULL)
			e.text = (char *)"";
		r = fn(arg, &e);
		json_decref(o);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return r;
}

/* --- lookup cache ------------------------------------------------------ */

int
ad_store_lookup_get(struct ad_store *st, int kind, const uint8_t key[16],
    int64_t now, struct ad_store_cached *out)
{
	sqlite3_stmt *s = st->st[S_LC_GET];
	int rc, r = 0;

	memset(out, 0, sizeof(*out));
	sqlite3_bind_int(s, 1, kind);
	sqlite3_bind_blob(s, 2, key, 16, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *lo = sqlite3_column_blob(s, 3);
		const void *hi = sqlite3_column_blob(s, 4);
		const unsigned char *t = sqlite3_column_text(s, 0);
		int n = sqlite3_column_bytes(s, 0);

		out->negative = sqlite3_column_int(s, 1) != 0;
		out->expires = sqlite3_column_int64(s, 2);
		if (lo && sqlite3_column_bytes(s, 3) == 16)
			memcpy(out->lo, lo, 16);
		if (hi && sqlite3_column_bytes(s, 4) == 16)
			memcpy(out->hi, hi, 16);
		if ((out->answer = ad_strndup(t ? (const char *)t : "",
		    t ? (size_t)n : 0)) == NULL)
			r = AD_ERR_NOMEM;
		else
			r = 1;
	} else if (rc != SQLITE_DONE)
		r = store_fail(st, "lookup cache");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return r;
}

int
ad_store_lookup_put(struct ad_store *st, int kind, const uint8_t lo[16],
    const uint8_t hi[16], const char *answer, bool negative, int64_t now,
    int64_t expires)
{
	sqlite3_stmt *s = st->st[S_LC_PUT];
	int rc;

	sqlite3_bind_int(s, 1, kind);
	sqlite3_bind_blob(s, 2, lo, 16, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, hi, 16, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, answer, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, negative ? 1 : 0);
	sqlite3_bind_int64(s, 6, now);
	sqlite3_bind_int64(s, 7, expires);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? AD_OK : store_fail(st, "lookup cache");
}

int
ad_store_backoff_get(struct ad_store *st, const char *server, int64_t now,
    int64_t *until)
{
	sqlite3_stmt *s = st->st[S_BO_GET];
	int rc, r = 0;

	*until = 0;
	sqlite3_bind_text(s, 1, server, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*until = sqlite3_column_int64(s, 0);
		r = 1;
	} else if (rc != SQLITE_DONE)
		r = store_fail(st, "lookup back-off");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return r;
}

int
ad_store_backoff_set(struct ad_store *st, const char *server, int64_t until,
    const char *reason)
{
	sqlite3_stmt *s = st->st[S_BO_SET];
	int rc;

	sqlite3_bind_text(s, 1, server, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, until);
	sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? AD_OK : store_fail(st, "lookup back-off");
}
