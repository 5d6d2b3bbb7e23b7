/*
 * block_store.c - the store's side of block advice: which sources went on
 * attacking after a report about them was sent. Read-only.
 */
#include <sqlite3.h>
#include <string.h>

#include "abusedesk/ad_ip.h"
#include "abusedesk/ad_store.h"
#include "store_int.h"

int
ad_store_block_sources(struct ad_store *st,
    int (*fn)(void *arg, const struct ad_addr *src), void *arg)
{
	sqlite3_stmt *s;
	int rc, r = AD_OK;

	/* "unconfirmed" may have been sent (a crash after the relay took it):
	 * for blocking, it counts as sent. */
	if (sqlite3_prepare_v2(st->db,
	    "SELECT DISTINCT r.src FROM reports r"
	    "  JOIN report_incidents ri ON ri.report_id = r.id"
	    " WHERE r.state IN ('sent', 'unconfirmed') AND ri.after_sent = 1"
	    " ORDER BY r.src", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "block sources");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		struct ad_addr a;

		if (t == NULL || !ad_addr_parse(t, strlen(t), &a))
			continue;
		if ((r = fn(arg, &a)) != 0)
			break;
	}
	if (r == AD_OK && rc != SQLITE_DONE)
		r = store_fail(st, "block sources");
	sqlite3_finalize(s);
	return r;
}
