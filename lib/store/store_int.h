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
	S__COUNT
};

struct ad_store {
	struct ad_ctx	*ctx;
	sqlite3		*db;
	struct ad_buf	 text;		/* scratch for sample lines */
	char		*path;
	int		 lock_fd;
	sqlite3_stmt	*st[S__COUNT];
	char		 err[256];
};

/* Records SQLite's error for `what` in st->err; returns AD_ERR_STORE. */
int	store_fail(struct ad_store *st, const char *what);
/* Runs SQL without results; AD_OK or AD_ERR_STORE (st->err says why). */
int	store_exec(struct ad_store *st, const char *sql);

#endif
