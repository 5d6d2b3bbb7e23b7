/*
 * store_int.h - what the store's source files share (never included
 * outside lib/store/): the handle and the two error helpers.
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <sqlite3.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_store.h"

enum stmt {
	S_FILE_BY_FP,
	S_FILE_BY_PATH,
	S_FILE_SAVE,
	S_INC_FIND,
	S_INC_INSERT,
	S_INC_UPDATE,
	S_EV_LIST,
	S_LC_GET,
	S_LC_PUT,
	S_BO_GET,
	S_BO_SET,
	S_KEY_PUT,
	S_KEYS_PUT,
	S__COUNT
};

/*
 * Keys of rows inserted in the open transaction, written to incident_keys
 * in key order at the latest before a look-up or the commit: a row's key
 * goes to a random place of that B-tree, and written one by one they
 * fetched and spilled one of SQLite's cache pages each once the keys
 * outgrew the cache. KEYS_BATCH go in one statement.
 */
#define KEYS_STAGED	8192
#define KEYS_BATCH	64

struct staged_key {
	int64_t		key;
	int64_t		id;
};

struct ad_store {
	struct ad_ctx	*ctx;
	sqlite3		*db;
	struct ad_buf	 text;		/* scratch for sample lines */
	char		*path;
	int		 lock_fd;
	sqlite3_stmt	*st[S__COUNT];
	struct staged_key *keys;	/* KEYS_STAGED, allocated on first use */
	size_t		 n_keys;
	char		 err[256];
};

/* Records SQLite's error for `what` in st->err; returns AD_ERR_STORE. */
int	store_fail(struct ad_store *st, const char *what);
/* Runs SQL without results; AD_OK or AD_ERR_STORE (st->err says why). */
int	store_exec(struct ad_store *st, const char *sql);

#endif
