/*
 * scan.c - drive ingest, parse, detect and store over files.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abusedesk/ad_ingest.h"
#include "abusedesk/ad_scan.h"

struct hit {
	struct ad_event	 ev;
	const char	*line;
	size_t		 len;
	uint64_t	 rel;		/* line number within the chunk */
	struct ad_conn_work work;	/* two threads: ad_parser_resolve's */
	uint32_t	 hash;		/* ad_agg_hash, set by absorb */
	bool		 event;		/* false: connection work only, or
					   the connection was unknown */
};

/*
 * One chunk on its way from the file to the table: read, parsed, then
 * aggregated and stored. With one thread the main thread does it all, in
 * slot 0. With two, a worker reads and parses chunks into N_SLOTS slots
 * while the main thread aggregates and stores them in file order, and
 * parses a chunk of its own (read after the worker's) whenever it would
 * otherwise wait for the worker.
 *
 * Side by side, the two parsers give what one parser reading every line
 * in order gives:
 *  - the sshd connection map is deferred to the main thread, which does
 *    each line's connection work as it absorbs it (ad_parser_defer_conns),
 *    so the map is exact at every absorbed offset (a checkpoint saves it);
 *  - each chunk is parsed from the carry (ad_parse_carry: sniffed format,
 *    clock of year-less stamps) the parser had, and absorbed only when
 *    that is the carry the chunk before it left;
 *  - a line of a family whose state carries across lines stops the
 *    chunk's parse (ad_parser_speculate).
 * When a check fails the main thread stops the worker, parses the chunks
 * not yet absorbed again in order with the worker's parser, and the
 * stream goes on without side-by-side parsing.
 *
 * Each reads its own chunks: a copy out of the page cache then lands in
 * the cache of the core that parses it. More than two slots absorb the
 * difference in cost between chunks (a sweep that writes a thousand rows,
 * a burst of hostile lines), so neither thread waits for the other's slow
 * chunk.
 */
#define N_SLOTS		4

enum slot_state {
	SLOT_FREE = 0,		/* absorbed: may be read into */
	SLOT_BUSY,		/* read, being parsed */
	SLOT_PARSED,		/* read and parsed, to be absorbed */
};

struct slot {
	uint64_t		 seq;		/* read order */
	const char		*data;		/* the chunk (a reader buffer) */
	size_t			 len;
	uint64_t		 end_offset;	/* stream offset after the chunk */
	uint64_t		 dropped_before; /* too-long lines before it */
	bool			 truncated;	/* the end: an unfinished line */
	uint64_t		 lines;
	struct hit		*hits;
	size_t			 n, cap;
	bool			 stopped;	/* speculating: needs the order */
	bool			 by_main;	/* parsed by the helper */
	struct ad_parse_carry	 from, to;	/* the parser's, before and after */
	struct ad_parse_stats	 stats;		/* what its parse counted */
	int			 status;	/* 1: a chunk; 0: the end; <0: error */
	struct ad_diag		 diag;		/* the reader's error */
	enum slot_state		 state;		/* two threads: under mu */
};

struct ad_scan {
	struct ad_ctx			*ctx;
	struct ad_store			*store;
	const struct ad_detect_config	*cfg;
	struct ad_scan_opts		 opts;
	struct ad_parser		*parser;	/* the worker's (or only) */
	struct ad_parser		*helper;	/* the main thread's */
	struct ad_agg			*agg;
	struct ad_scan_summary		 sum;
	int				 depth;	/* PATH.1 recursion guard */
	struct slot			 slots[N_SLOTS];
	/* The reader, and with two threads the hand-over of slots (mu). */
	struct ad_reader		*rd;
	uint64_t			 dropped_seen;	/* reader's too-long lines counted */
	uint64_t			 seq_read;	/* chunks read */
	bool				 at_end;	/* the reader has no more */
	pthread_mutex_t			 mu;
	pthread_cond_t			 cv;
	bool				 stop;		/* the main thread gave up */
	bool				 side_by_side;	/* both threads parse */
	bool				 pause;		/* the worker must wait */
	bool				 worker_busy;	/* parsing a chunk */
	struct ad_parse_carry		 published;	/* the worker's, after its
							   last chunk */
	bool				 threaded;	/* slots hand over between threads */
	bool				 held_loaded;	/* the store's held incidents are in agg */
	bool				 in_txn;	/* a batch's transaction is open */
	struct ad_parse_carry		 carry;		/* after the last absorbed chunk */
	struct ad_buf			 pstate;	/* the parser's saved state */
	struct ad_parse_stats		 stats;		/* of the absorbed chunks */
	struct ad_parse_stats		 undo;		/* of deferred lines that
							   came to nothing */
	uint64_t			 dropped;	/* of the open batch */
};

/* The table's horizon, from the store (ad_agg_set_horizon). */
static int
load_horizon(struct ad_scan *sc)
{
	int64_t h;
	int r;

	if ((r = ad_store_scan_horizon(sc->store, &h)) == AD_OK)
		ad_agg_set_horizon(sc->agg, h);
	return r;
}

struct ad_scan *
ad_scan_new(struct ad_ctx *ctx, struct ad_store *store,
    const struct ad_detect_config *cfg, const struct ad_scan_opts *opts)
{
	struct ad_scan *sc;

	if ((sc = ad_calloc(1, sizeof(*sc))) == NULL)
		return NULL;
	sc->ctx = ctx;
	sc->store = store;
	sc->cfg = cfg;
	sc->opts = *opts;
	ad_buf_init(&sc->pstate, 1u << 20);
	if (sc->opts.batch_bytes == 0)
		sc->opts.batch_bytes = AD_SCAN_BATCH_DEFAULT;
	if (sc->opts.agg_budget == 0)
		sc->opts.agg_budget = 13u << 20;
	sc->parser = ad_parser_new(opts->family, opts->now, opts->year);
	sc->agg = ad_agg_new(cfg, sc->opts.agg_budget);
	if (sc->parser == NULL || sc->agg == NULL) {
		ad_scan_free(sc);
		return NULL;
	}
	if (ad_parser_options(sc->parser, opts->parse_opts, opts->n_parse_opts,
	    NULL) != AD_OK) {
		ad_scan_free(sc);
		return NULL;
	}
	if (opts->threads != 1) {
		if ((sc->helper = ad_parser_new(opts->family, opts->now,
		    opts->year)) == NULL || ad_parser_options(sc->helper,
		    opts->parse_opts, opts->n_parse_opts, NULL) != AD_OK) {
			ad_scan_free(sc);
			return NULL;
		}
		ad_parser_defer_conns(sc->helper, true);
		ad_parser_speculate(sc->helper, true);
		pthread_mutex_init(&sc->mu, NULL);
		pthread_cond_init(&sc->cv, NULL);
		sc->threaded = true;
	}
	if (load_horizon(sc) != AD_OK) {
		ad_scan_free(sc);
		return NULL;
	}
	return sc;
}

void
ad_scan_free(struct ad_scan *sc)
{
	int k;

	if (sc == NULL)
		return;
	if (sc->in_txn)
		ad_store_rollback(sc->store);
	ad_parser_free(sc->parser);
	ad_parser_free(sc->helper);
	ad_buf_free(&sc->pstate);
	ad_agg_free(sc->agg);
	for (k = 0; k < N_SLOTS; k++)
		ad_free(sc->slots[k].hits);
	if (sc->threaded) {
		pthread_mutex_destroy(&sc->mu);
		pthread_cond_destroy(&sc->cv);
	}
	ad_free(sc);
}

const struct ad_scan_summary *
ad_scan_summary(const struct ad_scan *sc)
{
	return &sc->sum;
}

/*
 * A new incident whose events come within a window of a row the table let
 * go (an older file scanned after a newer one, lines out of order, an
 * incident evicted over budget) is merged with that row, if it exists.
 */
static int
resolve_incident(void *arg, struct ad_incident *inc)
{
	struct ad_scan *sc = arg;
	struct ad_incident row;
	int r;

	r = ad_store_incident_find(sc->store, &inc->src, inc->category,
	    inc->first.utc, inc->last.utc, sc->cfg->window, &row);
	if (r < 0)
		return r;
	if (r == 1) {
		ad_incident_merge(&row, inc);
		row.samples = inc->samples;	/* moves */
		row.n_samples = inc->n_samples;
		row.cap_samples = inc->cap_samples;
		row.dirty = true;
		*inc = row;
	}
	inc->merged = true;
	return AD_OK;
}

/*
 * Stores one incident (ad_agg_checkpoint decides which). New incidents
 * below their threshold are not stored while their window is open (held
 * records) and only counted once it closed: on a firewall that is most of
 * the noise, and a row per stray packet's source would cost more than the
 * whole scan, while none of them can ever be worth a report.
 */
static int
save_incident(void *arg, struct ad_incident *inc)
{
	struct ad_scan *sc = arg;

	if (!inc->counted) {
		if (inc->id != 0)
			sc->sum.incidents_updated++;
		else
			sc->sum.incidents_new++;
		inc->counted = true;
	}
	ad_incident_assess(inc, sc->cfg);
	sc->sum.incident_writes++;
	return ad_store_incident_save(sc->store, inc);
}

static int
save_held(void *arg, bool first, const void *chunk, size_t len)
{
	struct ad_scan *sc = arg;
	int r;

	if (first && (r = ad_store_held_clear(sc->store)) != AD_OK)
		return r;
	return ad_store_held_add(sc->store, chunk, len);
}

/* Puts the held incidents of the last run back into the table. */
static int
put_held(void *arg, const struct ad_incident *inc)
{
	struct ad_scan *sc = arg;
	struct ad_incident tmp = *inc;
	int r;

	r = ad_agg_put(sc->agg, inc);	/* copies the sample lines */
	ad_incident_clear_samples(&tmp);
	return r;
}

static void
sink_init(struct ad_scan *sc, struct ad_agg_sink *sink, bool final)
{
	sink->arg = sc;
	sink->save = save_incident;
	sink->held = save_held;
	sink->resolve = resolve_incident;
	sink->final = final;
	sink->store_below = false;
	sink->dropped = 0;
}

/*
 * After a failed write the table may hold ids the rollback took back:
 * start afresh, from the held incidents of the last commit (reloaded by
 * the next file).
 */
static void
discard_batch(struct ad_scan *sc)
{
	if (sc->in_txn)
		ad_store_rollback(sc->store);
	sc->in_txn = false;
	sc->dropped = 0;
	ad_agg_free(sc->agg);
	sc->agg = ad_agg_new(sc->cfg, sc->opts.agg_budget);
	sc->held_loaded = false;
	if (sc->agg != NULL)
		(void)load_horizon(sc);
}

static int
batch_fail(struct ad_scan *sc, const struct ad_file_state *fs, int r,
    struct ad_diag *diag)
{
	int ret = ad_diag_set(diag, r, fs->path, 0, "store: %s",
	    r == AD_ERR_NOMEM ? "out of memory" : ad_store_errmsg(sc->store));

	discard_batch(sc);
	return ret;
}

/*
 * The store's transaction stays open between checkpoints: closed incidents
 * are written into it as they close (ad_agg_sweep), so memory holds only
 * open ones, and a crash before the checkpoint loses none of them - the
 * rows go with the offsets they came from.
 */
static int
begin_batch(struct ad_scan *sc)
{
	int r;

	if (sc->in_txn)
		return AD_OK;
	if ((r = ad_store_begin(sc->store)) == AD_OK)
		sc->in_txn = true;
	return r;
}

static int
sweep_batch(struct ad_scan *sc, const struct ad_file_state *fs,
    struct ad_diag *diag)
{
	struct ad_agg_sink sink;
	int r;

	sink_init(sc, &sink, false);
	if ((r = begin_batch(sc)) != AD_OK ||
	    (r = ad_agg_sweep(sc->agg, &sink)) != AD_OK)
		return batch_fail(sc, fs, r, diag);
	sc->dropped += sink.dropped;
	return AD_OK;
}

/*
 * The parser's state at the committed offset goes with it: a resumed scan
 * then knows the sshd connections opened before that offset. That state
 * is the connection map, which is at the offset with one thread (the
 * parser is) and with two (the main thread resolves it as it absorbs).
 */
static int
save_parser(struct ad_scan *sc, const struct ad_file_state *fs)
{
	int r;

	ad_buf_reset(&sc->pstate);
	if ((r = ad_parser_save(sc->parser, &sc->pstate)) != AD_OK)
		return r;
	return ad_store_file_parse_state_set(sc->store, fs->fp, sc->pstate.p,
	    sc->pstate.len);
}

/*
 * Ends the batch: the table's checkpoint, the horizon, the file's offset
 * and the parser's state there, in one commit.
 */
static int
commit_batch(struct ad_scan *sc, const struct ad_file_state *fs, bool final,
    struct ad_diag *diag)
{
	struct ad_agg_sink sink;
	int r;

	sink_init(sc, &sink, final);
	if ((r = begin_batch(sc)) != AD_OK ||
	    (r = ad_agg_checkpoint(sc->agg, &sink)) != AD_OK ||
	    (r = ad_store_scan_horizon_set(sc->store,
	    ad_agg_horizon(sc->agg))) != AD_OK ||
	    (r = ad_store_file_save(sc->store, fs)) != AD_OK ||
	    (r = save_parser(sc, fs)) != AD_OK)
		return batch_fail(sc, fs, r, diag);
	/* A failed COMMIT leaves the transaction open: batch_fail rolls back. */
	if ((r = ad_store_commit(sc->store)) != AD_OK)
		return batch_fail(sc, fs, r, diag);
	sc->in_txn = false;
	sc->sum.batches++;
	sc->sum.incidents_unstored += sc->dropped + sink.dropped;
	sc->dropped = 0;
	if (ad_fault(sc->ctx, AD_FAULT_SCAN_AFTER_BATCH))
		return ad_diag_set(diag, AD_ERR_FAULT, fs->path, 0,
		    "stopped after a batch (injected fault)");
	return AD_OK;
}

/*
 * Reads the next chunk into sl (with two threads under mu: the reader is
 * shared, and chunks are numbered in the order read). At the end of the
 * data, or on an error, the slot says so and nothing more is read.
 */
static void
read_slot(struct ad_scan *sc, struct slot *sl)
{
	const struct ad_file_info *info = ad_reader_info(sc->rd);
	struct ad_chunk c;
	uint64_t dropped;

	sl->seq = sc->seq_read++;
	sl->n = 0;
	sl->lines = 0;
	sl->len = 0;
	sl->dropped_before = 0;
	sl->truncated = false;
	sl->stopped = false;
	sl->by_main = false;
	memset(&sl->stats, 0, sizeof(sl->stats));
	if ((sl->status = ad_reader_chunk(sc->rd, &c, &sl->diag)) != 1) {
		sc->at_end = true;
		return;
	}
	if (c.no_newline && info->seekable) {
		/* Maybe still being written: read it next time. */
		sl->truncated = true;
		sl->status = 0;
		sc->at_end = true;
		return;
	}
	dropped = ad_reader_dropped_lines(sc->rd);
	sl->dropped_before = dropped - sc->dropped_seen;
	sc->dropped_seen = dropped;
	sl->end_offset = c.offset + c.len;
	sl->data = c.data;
	sl->len = c.len;
}

/*
 * Parses sl's chunk with p (deferred: keeping each line's connection
 * work), recording the carry before and after and what it counted.
 */
static void
parse_slot(struct ad_parser *p, struct slot *sl, bool deferred)
{
	struct ad_parse_stats before = *ad_parser_stats(p);
	const struct ad_parse_stats *after;
	const char *q = sl->data, *end = sl->data + sl->len, *line;
	struct hit *h;
	size_t len;
	int r, k;

	sl->n = 0;
	sl->lines = 0;
	sl->stopped = false;
	ad_parser_carry_get(p, &sl->from);
	while (ad_line_next(&q, end, &line, &len)) {
		sl->lines++;
		/* Room for one more hit first: the event is parsed in place. */
		if (sl->n == sl->cap) {
			size_t cap = sl->cap ? sl->cap * 2 : 1024;
			struct hit *nh;

			if ((nh = ad_reallocarray(sl->hits, cap,
			    sizeof(*nh))) == NULL) {
				sl->status = ad_diag_set(&sl->diag,
				    AD_ERR_NOMEM, NULL, 0, "out of memory");
				return;
			}
			sl->hits = nh;
			sl->cap = cap;
		}
		h = &sl->hits[sl->n];
		if ((r = ad_parse_line(p, line, len, &h->ev)) == 0)
			continue;
		if (r < 0) {
			sl->stopped = true;
			break;
		}
		if (deferred)
			ad_parser_conn_work(p, &h->work);
		else
			h->work.ops = 0;
		h->event = r == 1;
		h->line = line;
		h->len = len;
		h->rel = sl->lines;
		sl->n++;
	}
	ad_parser_carry_get(p, &sl->to);
	after = ad_parser_stats(p);
	sl->stats.lines = after->lines - before.lines;
	sl->stats.bytes = after->bytes - before.bytes;
	sl->stats.events = after->events - before.events;
	for (k = 0; k < AD_SKIP__COUNT; k++)
		sl->stats.skipped[k] = after->skipped[k] - before.skipped[k];
}

/* A free slot (under mu), or NULL. */
static struct slot *
free_slot(struct ad_scan *sc)
{
	int k;

	for (k = 0; k < N_SLOTS; k++)
		if (sc->slots[k].state == SLOT_FREE)
			return &sc->slots[k];
	return NULL;
}

/*
 * Two cores: the worker reads and parses chunk after chunk into free
 * slots, while the main thread aggregates and stores them in order (and
 * parses one of its own when it would wait).
 */
static void *
worker(void *arg)
{
	struct ad_scan *sc = arg;
	struct slot *sl = NULL;
	bool speculate;

	/* Named for top -H and perf: "abusedesk" is the other thread. */
	(void)pthread_setname_np(pthread_self(), "abusedesk-parse");
	for (;;) {
		pthread_mutex_lock(&sc->mu);
		while (!sc->stop && !sc->at_end &&
		    (sc->pause || (sl = free_slot(sc)) == NULL))
			pthread_cond_wait(&sc->cv, &sc->mu);
		if (sc->stop || sc->at_end || sl == NULL) {
			pthread_mutex_unlock(&sc->mu);
			break;
		}
		read_slot(sc, sl);
		sl->state = SLOT_BUSY;
		sc->worker_busy = true;
		speculate = sc->side_by_side;
		pthread_mutex_unlock(&sc->mu);
		ad_parser_speculate(sc->parser, speculate);
		if (sc->ctx->fault == AD_FAULT_SCAN_WORKER_SLOW)
			usleep(2000);	/* tests: the main thread parses too */
		if (sl->status == 1)
			parse_slot(sc->parser, sl, true);
		/*
		 * Once parsed, the slot is the main thread's: it may absorb it
		 * and free it before we look again.
		 */
		pthread_mutex_lock(&sc->mu);
		sl->state = SLOT_PARSED;
		sc->worker_busy = false;
		sc->published = sl->to;
		pthread_cond_broadcast(&sc->cv);
		pthread_mutex_unlock(&sc->mu);
		if (sc->ctx->fault == AD_FAULT_SCAN_WORKER_LAG)
			usleep(2000);	/* tests: the main thread runs ahead */
	}
	return NULL;
}

/*
 * The slot of chunk seq once parsed. While the worker parses it, the main
 * thread reads the next chunk and parses it with its own parser, from the
 * carry the worker published last (checked when it is absorbed).
 */
static struct slot *
take_slot(struct ad_scan *sc, uint64_t seq)
{
	struct ad_parse_carry from;
	struct slot *sl, *own;
	int k;

	pthread_mutex_lock(&sc->mu);
	for (;;) {
		for (k = 0, sl = NULL; k < N_SLOTS && sl == NULL; k++)
			if (sc->slots[k].state != SLOT_FREE &&
			    sc->slots[k].seq == seq)
				sl = &sc->slots[k];
		if (sl != NULL && sl->state == SLOT_PARSED)
			break;
		if (sl != NULL && sc->side_by_side && !sc->at_end &&
		    !sc->pause && (own = free_slot(sc)) != NULL) {
			read_slot(sc, own);
			own->state = SLOT_BUSY;
			own->by_main = true;
			from = sc->published;
			pthread_mutex_unlock(&sc->mu);
			if (own->status == 1) {
				ad_parser_carry_set(sc->helper, &from);
				parse_slot(sc->helper, own, true);
			}
			pthread_mutex_lock(&sc->mu);
			own->state = SLOT_PARSED;
			continue;
		}
		pthread_cond_wait(&sc->cv, &sc->mu);
	}
	pthread_mutex_unlock(&sc->mu);
	return sl;
}

static void
give_back(struct ad_scan *sc, struct slot *sl)
{
	pthread_mutex_lock(&sc->mu);
	sl->state = SLOT_FREE;
	pthread_cond_broadcast(&sc->cv);
	pthread_mutex_unlock(&sc->mu);
}

/*
 * A chunk parsed side by side that is not what one parser would have
 * made of it (its carry differs, or it stopped at a line that needs the
 * order): the worker waits, its parser goes back to the absorbed carry,
 * and every chunk from sl on is parsed again in order with it. The
 * stream goes on without side-by-side parsing. Nothing of the chunks
 * parsed again had been absorbed, and their lines are still in the
 * reader's buffers.
 */
static void
parse_again(struct ad_scan *sc, uint64_t seq)
{
	struct slot *sl;
	int k;

	pthread_mutex_lock(&sc->mu);
	sc->side_by_side = false;
	sc->pause = true;
	while (sc->worker_busy)
		pthread_cond_wait(&sc->cv, &sc->mu);
	pthread_mutex_unlock(&sc->mu);
	ad_parser_speculate(sc->parser, false);
	ad_parser_carry_set(sc->parser, &sc->carry);
	for (; seq < sc->seq_read; seq++) {
		for (k = 0, sl = NULL; k < N_SLOTS && sl == NULL; k++)
			if (sc->slots[k].state == SLOT_PARSED &&
			    sc->slots[k].seq == seq)
				sl = &sc->slots[k];
		if (sl != NULL && sl->status == 1) {
			parse_slot(sc->parser, sl, true);
			sl->by_main = false;
			sc->sum.chunks_again++;
		}
	}
	pthread_mutex_lock(&sc->mu);
	sc->pause = false;
	pthread_cond_broadcast(&sc->cv);
	pthread_mutex_unlock(&sc->mu);
}

/*
 * How many events ahead absorb fetches a table slot, its entry, and the
 * entry's neighbours on the activity list.
 */
#define PREFETCH_SLOT	16
#define PREFETCH_ENTRY	8
#define PREFETCH_NEIGHBOURS 4

/*
 * A hit's first step in absorb, PREFETCH_SLOT hits ahead of its add and in
 * line order: its connection work (two threads), which may change its
 * source or category or find it is no event; then its hash, and the fetch
 * of its table slot.
 */
static void
prepare(struct ad_scan *sc, struct hit *h)
{
	if (h->work.ops != 0 && !ad_parser_resolve(sc->parser, &h->work,
	    &h->ev, &sc->undo))
		h->event = false;
	h->hash = ad_agg_hash(&h->ev);
	ad_agg_prefetch(sc->agg, h->hash, 0);
}

/* Aggregates a parsed chunk; advances the file state past it. */
static int
absorb(struct ad_scan *sc, struct slot *sl, struct ad_file_state *fs,
    const struct ad_instant *fallback, struct ad_diag *diag)
{
	struct hit *h = sl->hits;
	size_t i;
	int r;

	fs->lines += sl->dropped_before;
	sc->stats.lines += sl->dropped_before;
	sc->stats.skipped[AD_SKIP_TOO_LONG] += sl->dropped_before;
	ad_parse_stats_add(&sc->stats, &sl->stats);
	sc->carry = sl->to;
	/* The table is bigger than the cache: fetch ahead (a hint). */
	for (i = 0; i < sl->n && i < PREFETCH_SLOT; i++)
		prepare(sc, &h[i]);
	for (i = 0; i < sl->n; i++) {
		if (i + PREFETCH_SLOT < sl->n)
			prepare(sc, &h[i + PREFETCH_SLOT]);
		if (i + PREFETCH_ENTRY < sl->n)
			ad_agg_prefetch(sc->agg, h[i + PREFETCH_ENTRY].hash, 1);
		if (i + PREFETCH_NEIGHBOURS < sl->n)
			ad_agg_prefetch(sc->agg, h[i + PREFETCH_NEIGHBOURS].hash,
			    2);
		if (!h[i].event)
			continue;
		if ((r = ad_agg_add_hashed(sc->agg, &h[i].ev, h[i].hash,
		    fallback, fs->path, fs->lines + h[i].rel, h[i].line,
		    h[i].len)) != AD_OK)
			return ad_diag_set(diag, r, fs->path, fs->lines + h[i].rel,
			    "%s", ad_strerror(r));
	}
	fs->lines += sl->lines;
	fs->offset = sl->end_offset;
	return AD_OK;
}

/* After a chunk: progress, sweep, and a checkpoint when one is due. */
static int
after_chunk(struct ad_scan *sc, const struct slot *sl,
    struct ad_file_state *fs, uint64_t *since_commit, struct ad_diag *diag)
{
	const struct ad_file_info *info = ad_reader_info(sc->rd);
	int r;

	if (sc->opts.progress)
		sc->opts.progress(sc->opts.progress_arg, fs->path, fs->offset,
		    info->seekable ? info->size : -1);
	if ((r = sweep_batch(sc, fs, diag)) != AD_OK)
		return r;
	*since_commit += sl->len;
	if (*since_commit < sc->opts.batch_bytes && !ad_agg_full(sc->agg))
		return AD_OK;
	/*
	 * At the end of the data the final checkpoint comes next: a second
	 * one just before it would write every page twice.
	 */
	if (info->seekable && fs->offset >= (uint64_t)info->size)
		return AD_OK;
	if ((r = commit_batch(sc, fs, false, diag)) != AD_OK)
		return r;
	*since_commit = 0;
	return AD_OK;
}

/* Scans chunks from the reader's current position to the end. */
static int
scan_stream(struct ad_scan *sc, struct ad_reader *rd, struct ad_file_state *fs,
    const struct ad_instant *fallback, struct ad_diag *diag)
{
	uint64_t since_commit = 0, seq;
	struct slot *sl;
	pthread_t tid;
	bool threaded = sc->threaded;
	int k, r = AD_OK;

	sc->rd = rd;
	sc->dropped_seen = ad_reader_dropped_lines(rd);
	sc->seq_read = 0;
	sc->at_end = false;
	sc->stop = false;
	sc->pause = false;
	sc->worker_busy = false;
	for (k = 0; k < N_SLOTS; k++)
		sc->slots[k].state = SLOT_FREE;
	ad_parser_carry_get(sc->parser, &sc->carry);
	sc->published = sc->carry;
	/*
	 * Deferred before the worker starts: it parses from its first line.
	 * Side by side only on a stream whose first chunk the worker sniffed
	 * (the helper starts from the carry it publishes).
	 */
	ad_parser_defer_conns(sc->parser, threaded);
	sc->side_by_side = false;
	if (threaded && (ad_reader_buffers(rd, N_SLOTS) != AD_OK ||
	    pthread_create(&tid, NULL, worker, sc) != 0)) {
		threaded = false;	/* no thread: do it here */
		ad_parser_defer_conns(sc->parser, false);
	}
	for (seq = 0;; seq++) {
		if (threaded) {
			sl = take_slot(sc, seq);
			/* One parser's result, or parsed again to be. */
			if (sl->status == 1 && (sl->stopped ||
			    !ad_parse_carry_same(&sl->from, &sc->carry)))
				parse_again(sc, seq);
			if (seq == 0) {
				pthread_mutex_lock(&sc->mu);
				sc->side_by_side = !sc->pause && sl->status == 1;
				pthread_mutex_unlock(&sc->mu);
			}
		} else {
			sl = &sc->slots[0];
			read_slot(sc, sl);
			if (sl->status == 1)
				parse_slot(sc->parser, sl, false);
		}
		if (sl->truncated) {
			sc->stats.lines++;
			sc->stats.skipped[AD_SKIP_TRUNCATED]++;
		}
		if (sl->status != 1) {
			if (sl->status < 0) {
				*diag = sl->diag;
				if (diag->where[0] == '\0')
					snprintf(diag->where, sizeof(diag->where),
					    "%.*s", (int)sizeof(diag->where) - 1,
					    fs->path);
				r = sl->status;
			}
			break;
		}
		sc->sum.bytes_read += sl->len;
		sc->sum.chunks++;
		sc->sum.chunks_main += sl->by_main;
		if ((r = absorb(sc, sl, fs, fallback, diag)) != AD_OK ||
		    (r = after_chunk(sc, sl, fs, &since_commit, diag)) != AD_OK)
			break;
		if (threaded)
			give_back(sc, sl);
	}
	if (threaded) {
		pthread_mutex_lock(&sc->mu);
		sc->stop = true;
		pthread_cond_broadcast(&sc->cv);
		pthread_mutex_unlock(&sc->mu);
		pthread_join(tid, NULL);
		ad_parser_defer_conns(sc->parser, false);
	}
	sc->rd = NULL;
	if (r != AD_OK)
		return r;
	/* The worker is done: the parser itself is at the end now. */
	if ((r = commit_batch(sc, fs, true, diag)) != AD_OK)
		return r;
	if (ad_reader_truncated(rd))
		return ad_diag_set(diag, AD_ERR_IO, fs->path, fs->lines,
		    "compressed data ends early (truncated .gz); the %llu "
		    "lines before were read", (unsigned long long)fs->lines);
	return AD_OK;
}

static int scan_path(struct ad_scan *, const char *, struct ad_diag *);


/*
 * New content at PATH: if PATH.1 is a file we have read part of (known by
 * its fingerprint, whatever its name was then), it is the rotated old PATH:
 * finish it first, so the lines written just before the rotation are not
 * lost. Keyed by fingerprint, this also holds when an earlier scan was
 * killed in the middle of finishing it.
 */
static int
finish_rotated(struct ad_scan *sc, const char *path, struct ad_diag *diag)
{
	char prev[PATH_MAX];
	struct ad_reader *rd;
	struct ad_file_state fs;
	struct ad_diag ignore;
	const struct ad_file_info *info;
	int known = 0;

	if (sc->depth > 1 ||
	    snprintf(prev, sizeof(prev), "%s.1", path) >= (int)sizeof(prev) ||
	    access(prev, R_OK) != 0)
		return AD_OK;
	if (ad_reader_open(sc->ctx, prev, &rd, &ignore) != AD_OK)
		return AD_OK;	/* not ours to complain about */
	info = ad_reader_info(rd);
	if (info->has_fp)
		known = ad_store_file_by_fp(sc->store, info->fp, &fs);
	if (known == 1 && info->seekable && (uint64_t)info->size <= fs.offset)
		known = 0;	/* already complete */
	ad_reader_free(rd);
	if (known < 0)
		return ad_diag_set(diag, known, prev, 0, "store: %s",
		    ad_store_errmsg(sc->store));
	return known == 1 ? scan_path(sc, prev, diag) : AD_OK;
}

static int
scan_path(struct ad_scan *sc, const char *path, struct ad_diag *diag)
{
	struct ad_reader *rd = NULL;
	const struct ad_file_info *info;
	struct ad_file_state fs, prev;
	struct ad_instant fallback;
	char real[PATH_MAX];
	int r, found;

	if ((r = ad_reader_open(sc->ctx, path, &rd, diag)) != AD_OK)
		return r;
	info = ad_reader_info(rd);
	if (!info->has_fp) {	/* empty, or first line unfinished */
		sc->sum.files_unchanged++;
		r = AD_OK;
		goto out;
	}
	memset(&fs, 0, sizeof(fs));
	memcpy(fs.fp, info->fp, sizeof(fs.fp));
	if (strcmp(path, "-") == 0 || realpath(path, real) == NULL)
		snprintf(fs.path, sizeof(fs.path), "%.*s",
		    (int)sizeof(fs.path) - 1, path);
	else
		snprintf(fs.path, sizeof(fs.path), "%.*s",
		    (int)sizeof(fs.path) - 1, real);
	fs.dev = (int64_t)info->dev;
	fs.ino = (int64_t)info->ino;
	fs.size = info->size;
	fs.mtime = info->mtime;

	if ((found = ad_store_file_by_fp(sc->store, fs.fp, &prev)) < 0) {
		r = ad_diag_set(diag, found, path, 0, "store: %s",
		    ad_store_errmsg(sc->store));
		goto out;
	}
	if (found && info->seekable && (uint64_t)info->size < prev.offset) {
		/* Same first line, less data: truncated and rewritten. */
		sc->sum.files_truncated++;
		found = 0;
	}
	if (found) {
		fs.offset = prev.offset;
		fs.lines = prev.lines;
		if (info->seekable && (uint64_t)info->size == prev.offset)
			sc->sum.files_unchanged++;
	} else if (strcmp(path, "-") != 0) {
		if (ad_store_file_by_path(sc->store, fs.path, &prev) == 1 &&
		    strcmp(prev.fp, fs.fp) != 0) {
			if (prev.ino == fs.ino && prev.dev == fs.dev)
				sc->sum.files_truncated++;	/* copytruncate */
			else
				sc->sum.files_rotated++;
		}
		sc->depth++;
		r = finish_rotated(sc, path, diag);
		sc->depth--;
		if (r != AD_OK)
			goto out;
	}
	if ((r = ad_reader_skip(rd, fs.offset, diag)) != AD_OK)
		goto out;
	ad_parser_reset(sc->parser, sc->opts.now > 0 ? sc->opts.now : info->mtime);
	/* Resuming: the connections known at the committed offset. */
	if (fs.offset > 0) {
		if ((r = ad_store_file_parse_state(sc->store, fs.fp,
		    &sc->pstate)) == AD_ERR_NOMEM)
			goto out;
		if (r != AD_OK || ad_parser_restore(sc->parser, sc->pstate.p,
		    sc->pstate.len) != AD_OK)
			ad_parser_reset(sc->parser, sc->opts.now > 0 ?
			    sc->opts.now : info->mtime);	/* start afresh */
	}
	memset(&fallback, 0, sizeof(fallback));
	fallback.utc = sc->opts.now > 0 ? sc->opts.now : info->mtime;
	fallback.off_min = (int16_t)(ad_local_offset_at(fallback.utc) / 60);
	fallback.valid = true;
	r = scan_stream(sc, rd, &fs, &fallback, diag);
	if (r != AD_OK && sc->in_txn)
		discard_batch(sc);	/* rows without their offsets */
out:
	ad_reader_free(rd);
	return r;
}

int
ad_scan_file(struct ad_scan *sc, const char *path, struct ad_diag *diag)
{
	int r, k;

	sc->sum.files++;	/* files asked for; PATH.1 rides along */
	if (!sc->held_loaded) {
		/* The last run's held incidents rejoin the table first. */
		if ((r = ad_store_held_each(sc->store, put_held, sc)) != AD_OK)
			return ad_diag_set(diag, r, path, 0, "store: %s",
			    r == AD_ERR_NOMEM ? "out of memory" :
			    ad_store_errmsg(sc->store));
		sc->held_loaded = true;
	}
	r = scan_path(sc, path, diag);

	/*
	 * The summary always reflects what was parsed, even after an error;
	 * less what deferred lines counted that their connection undid.
	 */
	sc->sum.parse = sc->stats;
	sc->sum.parse.events -= sc->undo.events;
	for (k = 0; k < AD_SKIP__COUNT; k++)
		sc->sum.parse.skipped[k] -= sc->undo.skipped[k];
	return r;
}
