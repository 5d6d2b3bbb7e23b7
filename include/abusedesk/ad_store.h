/*
 * ad_store.h - the persistent store: SQLite in WAL mode, all SQL in one file.
 *
 * Why SQLite: one file, no server, transactions that survive a SIGKILL, and
 * a query language for the tracking stages that follow. WAL lets `incidents`
 * read while a `scan` writes. A PostgreSQL backend for several nodes comes
 * later behind the same functions, which is why nothing outside
 * lib/store/ ever sees a SQL string.
 *
 * Crash safety of scanning rests on one rule: a batch's incident changes
 * and the file offset that produced them are committed in one transaction.
 * A scan killed at any point therefore resumes at the last committed offset
 * with exactly the incidents that offset accounts for: nothing lost,
 * nothing counted twice.
 *
 * Schema changes are numbered migrations applied at open (PRAGMA
 * user_version); a store newer than this binary is refused.
 */
#ifndef AD_STORE_H
#define AD_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "ad_ctx.h"
#include "ad_detect.h"
#include "ad_netinfo.h"

struct ad_store;

/* What we know of a log file, keyed by its first-line fingerprint. */
struct ad_file_state {
	char		fp[17];
	char		path[1024];
	int64_t		dev, ino;
	int64_t		size;		/* size on disk at the last scan */
	int64_t		mtime;
	uint64_t	offset;		/* uncompressed bytes consumed */
	uint64_t	lines;		/* lines consumed (for line numbers) */
};

/* A listing filter; zero-initialised means everything. */
struct ad_incident_filter {
	bool		reportable_only;
	int		state;		/* -1 or 0: any; else enum ad_inc_state + 1 */
	int		category;	/* -1: any */
	int64_t		id;		/* 0: any */
	bool		unreported;	/* in no report yet */
	int64_t		report_id;	/* 0: any; else only this report's */
};

/*
 * Opens (creating if needed) the store at path and migrates it.
 * Returns AD_OK, AD_ERR_STORE or AD_ERR_NOMEM with diag filled.
 */
int	ad_store_open(struct ad_ctx *ctx, const char *path, struct ad_store **out,
	    struct ad_diag *diag) AD_WUR;
void	ad_store_close(struct ad_store *st);
/* The schema version this binary writes. */
int	ad_store_schema_version(void);

/*
 * Takes the store's writer lock (a lock file beside it), so that two scans
 * never interleave their in-memory incidents. wait: block until free.
 * Returns AD_OK, or AD_ERR_BUSY when !wait and another writer holds it.
 * Released by ad_store_close().
 */
int	ad_store_lock(struct ad_store *st, bool wait) AD_WUR;

int	ad_store_begin(struct ad_store *st) AD_WUR;
/* Commits; AD_FAULT_STORE_COMMIT makes it fail (and roll back). */
int	ad_store_commit(struct ad_store *st) AD_WUR;
void	ad_store_rollback(struct ad_store *st);
/* The last SQLite error message (borrowed). */
const char *ad_store_errmsg(const struct ad_store *st);

/* Returns 1 found, 0 not found, negative on error. */
int	ad_store_file_by_fp(struct ad_store *st, const char *fp,
	    struct ad_file_state *out) AD_WUR;
int	ad_store_file_by_path(struct ad_store *st, const char *path,
	    struct ad_file_state *out) AD_WUR;
int	ad_store_file_save(struct ad_store *st,
	    const struct ad_file_state *fs) AD_WUR;

/*
 * The stored incident of (src, category) whose span comes within `window`
 * of [from, to]; the latest if several. Returns 1 found, 0 not, <0 error.
 */
int	ad_store_incident_find(struct ad_store *st, const struct ad_addr *src,
	    enum ad_category cat, int64_t from, int64_t to, int64_t window,
	    struct ad_incident *out) AD_WUR;

/*
 * Held incidents (ad_detect.h): the scan's open incidents, as packed
 * records (ad_incident_pack) in chunks, all replaced at each checkpoint: ad_store_held_clear, then
 * ad_store_held_add per chunk of whole records. ad_store_held_each calls fn
 * for each, with allocated samples that fn takes over
 * (ad_incident_clear_samples). Returns AD_OK or AD_ERR_STORE (a damaged
 * record, a newer format).
 */
int	ad_store_held_clear(struct ad_store *st) AD_WUR;
int	ad_store_held_add(struct ad_store *st, const void *chunk,
	    size_t len) AD_WUR;
int	ad_store_held_each(struct ad_store *st,
	    int (*fn)(void *arg, const struct ad_incident *inc),
	    void *arg) AD_WUR;

/*
 * The parser's state at the file's committed offset (ad_parser_save),
 * set with each checkpoint after ad_store_file_save; read into out (empty
 * when there is none). AD_OK or AD_ERR_STORE / AD_ERR_NOMEM.
 */
int	ad_store_file_parse_state_set(struct ad_store *st, const char *fp,
	    const void *data, size_t len) AD_WUR;
int	ad_store_file_parse_state(struct ad_store *st, const char *fp,
	    struct ad_buf *out) AD_WUR;

/*
 * The scan's horizon (ad_agg_set_horizon), saved with each checkpoint. A
 * store that has none yet answers with its latest incident's last_utc.
 */
int	ad_store_scan_horizon(struct ad_store *st, int64_t *out) AD_WUR;
int	ad_store_scan_horizon_set(struct ad_store *st, int64_t utc) AD_WUR;

/*
 * Inserts (id 0: sets inc->id) or updates the incident, then appends its
 * sample lines until the incident holds AD_SAMPLE_MAX.
 */
int	ad_store_incident_save(struct ad_store *st, struct ad_incident *inc) AD_WUR;

/* Calls fn for each matching incident, oldest id first; stops on non-zero. */
int	ad_store_incident_each(struct ad_store *st,
	    const struct ad_incident_filter *f,
	    int (*fn)(void *arg, const struct ad_incident *inc), void *arg) AD_WUR;

/* Calls fn for each stored sample line of incident id, in order. */
int	ad_store_samples_each(struct ad_store *st, int64_t id,
	    int (*fn)(void *arg, const struct ad_sample *ev), void *arg) AD_WUR;

/*
 * The lookup cache (ad_lookup.h): answers by range. kind 4 and 6 key
 * addresses (struct ad_addr.b), kind 0 AS numbers (big-endian in the last
 * 4 bytes); lo..hi inclusive. An answer is opaque text to the store.
 */
struct ad_store_cached {
	char		*answer;	/* allocated; ad_free */
	bool		 negative;
	int64_t		 expires;
	uint8_t		 lo[16], hi[16];
};

/* The most specific unexpired range holding key: 1 found, 0 not, <0 error. */
int	ad_store_lookup_get(struct ad_store *st, int kind, const uint8_t key[16],
	    int64_t now, struct ad_store_cached *out) AD_WUR;
/* Adds or replaces the answer for exactly (kind, lo, hi). */
int	ad_store_lookup_put(struct ad_store *st, int kind, const uint8_t lo[16],
	    const uint8_t hi[16], const char *answer, bool negative, int64_t now,
	    int64_t expires) AD_WUR;
/* A server's back-off: 1 (and *until) while it lasts, 0 none, <0 error. */
int	ad_store_backoff_get(struct ad_store *st, const char *server,
	    int64_t now, int64_t *until) AD_WUR;
int	ad_store_backoff_set(struct ad_store *st, const char *server,
	    int64_t until, const char *reason) AD_WUR;

/* --- reports (ad_queue.h) ------------------------------------------------
 *
 * A report is one message about one source address, covering one or more
 * of its incidents (report_incidents). Its life is a state plus a trail of
 * dated entries (report_log); the message is stored exactly as composed,
 * so `show` prints what `send` sends.
 */
enum ad_report_state {
	AD_RS_DRAFT = 0,	/* composed, waiting for approval */
	AD_RS_HELD,		/* a person must decide (reasons say why) */
	AD_RS_SKIPPED,		/* not to be reported (reasons say why) */
	AD_RS_APPROVED,		/* the user said send; send will */
	AD_RS_SENDING,		/* handed to the relay, outcome not recorded */
	AD_RS_SENT,		/* the relay accepted it */
	AD_RS_FAILED,		/* refused for good, or retries exhausted */
	AD_RS_UNCONFIRMED,	/* found SENDING after a crash: maybe sent */
	AD_RS_SUPPRESSED,	/* the recipient asked for no reports */
	AD_RS__COUNT
};

#define AD_TOKEN_MAX	16

/*
 * A thread is the first report about a source and every later message of
 * the same case (follow-up, escalations): they share the token, and seq
 * numbers them (Message-ID <TOKEN.SEQ.abusedesk@host>).
 */
struct ad_report_row {
	int64_t			id;		/* 0: not stored yet */
	char			token[AD_TOKEN_MAX];	/* "AD-7F3K9Q" */
	char			kind[16];	/* "report", "followup",
						   "upstream", "cert" */
	int64_t			thread_id;	/* the first report's id
						   (0: this is it) */
	int			seq;		/* 1 for the first */
	char			lifecycle[24];	/* the case's state (first
						   report only), "" = new */
	char			ticket[128];	/* the desk's ticket number */
	char			form_url[512];	/* "use our web form" */
	struct ad_addr		src;
	enum ad_report_state	state;
	char			action[24];	/* ad_action_name() */
	unsigned		flags;		/* AD_AS_* */
	char			reasons[1024];
	char			to[AD_NI_EMAIL_MAX + 1];
	char			cc[AD_NI_EMAIL_MAX + 1];
	char			subject[256];
	char			message_id[320];
	char			*message;	/* owned (ad_free); NULL: none */
	size_t			message_len;
	char			lang[8];
	bool			xarf;
	uint64_t		events;		/* events the message covers */
	uint64_t		events_seen;	/* its incidents' events when
						   draft last looked */
	int64_t			created, updated, approved, sent;
	int64_t			next_try;	/* approved: not before */
	int			attempts;
	char			last_error[512];
};

/* A listing filter; zero-initialised: every report. */
struct ad_report_filter {
	unsigned	states;		/* bit (1 << state); 0: any */
	const struct ad_addr *src;	/* NULL: any */
	int64_t		id;		/* 0: any */
	const char	*token;		/* NULL: any */
	int64_t		thread;		/* 0: any; else that thread's rows */
	bool		first_only;	/* only the first report of threads */
};

void	ad_report_row_free(struct ad_report_row *r);
const char *ad_report_state_name(enum ad_report_state s);
int	ad_report_state_from_name(const char *name);

/* Inserts (id 0: sets id) or updates the whole row. */
int	ad_store_report_save(struct ad_store *st, struct ad_report_row *r) AD_WUR;
/*
 * Calls fn for each matching report, oldest first; the row (message
 * included) is borrowed for the call. Stops on non-zero.
 */
int	ad_store_report_each(struct ad_store *st,
	    const struct ad_report_filter *f,
	    int (*fn)(void *arg, const struct ad_report_row *r), void *arg) AD_WUR;
/*
 * The ids of the matching reports, oldest first, into *ids (allocated,
 * ad_free; NULL when none) and *n: for passes that change the rows they
 * walk. Returns AD_OK, AD_ERR_NOMEM or AD_ERR_STORE.
 */
int	ad_store_report_ids(struct ad_store *st,
	    const struct ad_report_filter *f, int64_t **ids, size_t *n) AD_WUR;
/* The one report with this id or token: 1 found (out owns its message), 0 not. */
int	ad_store_report_get(struct ad_store *st, int64_t id, const char *token,
	    struct ad_report_row *out) AD_WUR;
/*
 * Moves *row (owned) to its thread's first report, where the case lives;
 * a first report stays as it is. 1 done, 0 the first is gone, <0 error.
 */
int	ad_store_report_thread(struct ad_store *st, struct ad_report_row *row) AD_WUR;
/* 1 when the token is taken (by another thread), 0 not, <0 error. */
int	ad_store_token_used(struct ad_store *st, const char *token) AD_WUR;
/* Puts incident_id into the report (after: it came after the report was sent). */
int	ad_store_report_link(struct ad_store *st, int64_t report_id,
	    int64_t incident_id, bool after) AD_WUR;
/* Appends a dated line to the report's trail. */
int	ad_store_report_log(struct ad_store *st, int64_t report_id, int64_t at,
	    const char *state, const char *text) AD_WUR;
/* Calls fn for each trail line of a report, oldest first. */
int	ad_store_report_trail(struct ad_store *st, int64_t report_id,
	    int (*fn)(void *arg, int64_t at, const char *state,
	    const char *text), void *arg) AD_WUR;

/* Suppression: "user@domain" or "@domain" (lower case). */
int	ad_store_suppress_add(struct ad_store *st, const char *pattern,
	    int64_t at, const char *reason) AD_WUR;
/* 1 removed, 0 was not there. */
int	ad_store_suppress_remove(struct ad_store *st, const char *pattern) AD_WUR;
/* 1 when the address or its domain (or a parent domain) is suppressed. */
int	ad_store_suppressed(struct ad_store *st, const char *email) AD_WUR;
int	ad_store_suppress_each(struct ad_store *st,
	    int (*fn)(void *arg, const char *pattern, int64_t at,
	    const char *reason), void *arg) AD_WUR;

/* Sends for the rate limits: record one; count since `since` (domain NULL: all). */
int	ad_store_send_record(struct ad_store *st, int64_t report_id,
	    const char *domain, int64_t at) AD_WUR;
int	ad_store_send_count(struct ad_store *st, const char *domain,
	    int64_t since, int64_t *count) AD_WUR;

/* --- replies (abusedesk inbox) --------------------------------------------
 * The correspondence trail: every reply read, matched to a thread's first
 * report or not (report_id 0: kept for a human), never dropped.
 */
struct ad_reply_row {
	int64_t		id;
	int64_t		report_id;	/* the thread's first report; 0 none */
	char		message_id[256];
	char		sender[AD_NI_EMAIL_MAX + 1];
	char		subject[512];
	int64_t		date;		/* their Date:, 0 unknown */
	int64_t		received;	/* when inbox read it */
	char		cls[24];	/* ad_reply_class_name() */
	char		why[160];
	char		ticket[128];
	char		form_url[512];
	const char	*text;		/* what they wrote (borrowed) */
	bool		handled;	/* a person marked it read */
};

/* 1 stored, 0 already there (same Message-ID), <0 error. Sets r->id. */
int	ad_store_reply_add(struct ad_store *st, struct ad_reply_row *r) AD_WUR;
/*
 * Calls fn for replies of report_id (0: all, -1: unmatched only), oldest
 * first; unhandled_only skips those marked handled.
 */
int	ad_store_reply_each(struct ad_store *st, int64_t report_id,
	    bool unhandled_only,
	    int (*fn)(void *arg, const struct ad_reply_row *r), void *arg) AD_WUR;
/* Marks reply id (0: every reply) as read by a person: 1 done, 0 none. */
int	ad_store_reply_handled(struct ad_store *st, int64_t id) AD_WUR;
/* The report whose Message-ID is msgid (without <>): 1 found, 0 not. */
int	ad_store_report_by_msgid(struct ad_store *st, const char *msgid,
	    struct ad_report_row *out) AD_WUR;

/*
 * Block advice (ad_block.h; lib/store/block_store.c): calls fn for each
 * source of a report that was sent (state sent or unconfirmed) and that
 * has an incident linked after it was sent (it continued despite the
 * report), each source once, in text order. Read-only. Stops on non-zero.
 */
int	ad_store_block_sources(struct ad_store *st,
	    int (*fn)(void *arg, const struct ad_addr *src), void *arg) AD_WUR;

#endif
