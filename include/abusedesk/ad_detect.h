/*
 * ad_detect.h - events to incidents: aggregation per source and category.
 *
 * An incident is everything one source address did in one category while
 * its events were no more than `window` seconds apart. It keeps counters,
 * small capped sets (ports, targets, services, users) and a sample of the
 * log lines - never every event - so memory per attacker is fixed.
 *
 * struct ad_agg is the in-memory table of the incidents a scan is working
 * on: every open one (its window has not passed). A checkpoint writes the
 * closed ones as rows - usually their only write - and packs the open ones
 * into the "held" records stored with the file offsets, so a killed scan
 * resumes with the same table. Only the last checkpoint of a scan also
 * writes the open incidents worth a row, so listings and reports see them.
 * When the table outgrows its memory budget, the least recently active
 * entries are written and evicted. Attackers come and go, so memory stays
 * flat however large the input.
 *
 * A stored row can absorb a new event only while the event is within a
 * window of the row's last one. The table knows the latest `last` of the
 * rows it let go (the horizon): a new key whose event comes later than
 * horizon + window needs no look-up in the store, which for a log read in
 * order is every key.
 *
 * Whether an incident is worth reporting is decided by ad_incident_assess():
 * thresholds per category, own networks and private space (still recorded -
 * an internal attacker matters - but never reported to an outside network),
 * and an allowlist of sources the user ordered (an audit, monitoring).
 */
#ifndef AD_DETECT_H
#define AD_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_buf.h"
#include "ad_err.h"
#include "ad_event.h"
#include "ad_ip.h"
#include "ad_time.h"

#define AD_INC_PORTS_MAX	16	/* distinct destination ports kept */
#define AD_INC_TARGETS_MAX	8	/* distinct destination addresses kept */
#define AD_INC_USERS_MAX	8	/* distinct user names kept */
#define AD_INC_USER_LEN		32	/* ... each cut to this length */
#define AD_SAMPLE_MAX		10	/* sample lines stored per incident */
#define AD_SAMPLE_MEM		3	/* sample lines kept in memory until
					   the incident's row is written (one
					   while it is below its threshold) */
#define AD_SAMPLE_LINE_MAX	2048	/* longer lines are cut (and marked) */

/* Services, as a bit set. */
#define AD_SVC_SSH		0x01
#define AD_SVC_FIREWALL		0x02

enum ad_inc_state {
	AD_STATE_BELOW = 0,	/* below the category's threshold */
	AD_STATE_NEW,		/* worth reporting, not yet handled */
	AD_STATE_INTERNAL,	/* private/reserved space or our own network */
	AD_STATE_ALLOWLISTED,	/* the user said never to report this source */
	AD_STATE__COUNT
};

struct ad_sample {
	const char	*file;		/* borrowed, unless file_owned */
	uint64_t	 line;		/* 1-based */
	struct ad_instant time;
	char		*text;		/* owned, cut to AD_SAMPLE_LINE_MAX */
	size_t		 len;		/* bytes of text */
	bool		 file_owned;	/* file lives in text's block, after it */
	/* The log format the line is in (an event's `format`, for the
	 * report's field legend, ad_format_legend); "" when unknown. */
	char		 format[32];
};


struct ad_incident {
	int64_t			id;		/* store row id, 0 if not stored */
	struct ad_addr		src;
	enum ad_category	category;
	struct ad_instant	first, last;
	uint64_t		events;
	uint64_t		proven, spoofable;	/* events by evidence */
	uint32_t		services;	/* AD_SVC_* */
	uint16_t		ports[AD_INC_PORTS_MAX];
	uint8_t			n_ports;
	bool			ports_more;	/* more distinct ports than kept */
	struct ad_addr		targets[AD_INC_TARGETS_MAX];
	uint8_t			n_targets;
	bool			targets_more;
	char			users[AD_INC_USERS_MAX][AD_INC_USER_LEN + 1];
	uint8_t			n_users;
	bool			users_more;
	enum ad_inc_state	state;
	bool			reportable;
	char			reason[96];	/* why (not) reportable */
	uint8_t			samples_stored;	/* sample lines in the store */
	bool			counted;	/* in this run's new/updated count */
	/* Sample lines not yet stored (never loaded back from the store). */
	struct ad_sample	*samples;	/* owned; NULL when none */
	uint8_t			cap_samples;
	uint8_t			n_samples;
	/* Aggregation state. */
	bool			dirty;		/* changed since its row was written
						   (or never written) */
	bool			merged;		/* holds its stored row's state too,
						   or no stored row can absorb it */
	/*
	 * Read back from the held records (ad_store_held_each): an open
	 * incident of the last checkpoint. Without id it has no row yet
	 * (new and below threshold, or not yet written) and its samples
	 * are all in memory.
	 */
	bool			held;
};

struct ad_detect_config {
	int64_t		 window;			/* seconds */
	uint32_t	 min_events[AD_CAT__COUNT];
	uint32_t	 min_ports[AD_CAT__COUNT];	/* 0: not a criterion */
	struct ad_cidr	*own;		/* borrowed */
	size_t		 n_own;
	struct ad_cidr	*allow;		/* borrowed */
	size_t		 n_allow;
	/* Examples and tests only: treat RFC 5737/3849 space as public. */
	bool		 documentation_public;
};

/* Fills the defaults: 24 h window; ssh 5 events; port scan 5 ports or 20. */
void	ad_detect_config_defaults(struct ad_detect_config *cfg);

/* --- aggregation of one batch ---------------------------------------- */

struct ad_agg;

/* budget: bytes of entries + sample lines before ad_agg_full() says so. */
struct ad_agg *ad_agg_new(const struct ad_detect_config *cfg, size_t budget);
void	ad_agg_free(struct ad_agg *a);

/*
 * Adds one event. `line`/`len` is the raw log line (for the sample), `file`
 * and `lineno` say where it came from; when ev->time is not valid, `fallback`
 * stands in for it. Returns AD_OK or AD_ERR_NOMEM.
 */
int	ad_agg_add(struct ad_agg *a, const struct ad_event *ev,
	    const struct ad_instant *fallback, const char *file,
	    uint64_t lineno, const char *line, size_t len) AD_WUR;
/* The same, with ev's ad_agg_hash already at hand. */
int	ad_agg_add_hashed(struct ad_agg *a, const struct ad_event *ev,
	    uint32_t hash, const struct ad_instant *fallback, const char *file,
	    uint64_t lineno, const char *line, size_t len) AD_WUR;
/*
 * A hint for an ad_agg_add of ev to come: stage 0 fetches its slot of
 * the table into the cache, stage 1 the entry in that slot, stage 2 the
 * entry's neighbours on the activity list. A caller with many events asks
 * for stage 0 some events ahead, for stage 1 fewer and for stage 2 fewer
 * still, so the add finds them all in the cache.
 */
void	ad_agg_prefetch(const struct ad_agg *a, uint32_t hash, int stage);
/* ev's hash, for ad_agg_prefetch and ad_agg_add_hashed: computed once. */
uint32_t ad_agg_hash(const struct ad_event *ev);

/* True when the table outgrew its budget: time for a checkpoint. */
bool	ad_agg_full(const struct ad_agg *a);
/* Entries in memory (open and closed). */
size_t	ad_agg_count(const struct ad_agg *a);
/*
 * The latest event time seen. An incident whose last event is more than a
 * window before it is closed: no later line of an in-order log can add to
 * it, and the next checkpoint frees it.
 */
int64_t	ad_agg_newest(const struct ad_agg *a);

/*
 * The latest `last` of the stored rows the table no longer has (written and
 * let go); events of a new key later than horizon + window cannot belong to
 * any of them. Set it from the store when the table is created (a store
 * without it: the latest incident's last); a checkpoint advances it.
 */
void	ad_agg_set_horizon(struct ad_agg *a, int64_t utc);
int64_t	ad_agg_horizon(const struct ad_agg *a);

/* Where a checkpoint sends the table's changes (see ad_agg_checkpoint). */
struct ad_agg_sink {
	void	*arg;
	/*
	 * Stores inc (insert when id is 0, else update), sets id and
	 * samples_stored. Returns 0 or an error.
	 */
	int	(*save)(void *arg, struct ad_incident *inc);
	/*
	 * The packed open incidents (ad_incident_pack): first=true starts a
	 * checkpoint's set (the old one is replaced), then chunks of whole
	 * records follow; called at least once per checkpoint.
	 */
	int	(*held)(void *arg, bool first, const void *chunk, size_t len);
	/*
	 * Merges inc (merged false: a stored row might absorb it) with that
	 * row if there is one, and sets merged. NULL: nothing to merge with.
	 */
	int	(*resolve)(void *arg, struct ad_incident *inc);
	bool	 final;		/* in: the scan's last checkpoint */
	/*
	 * in: store never-stored incidents below their threshold too
	 * (tests); else they are held while open and dropped when closed.
	 */
	bool	 store_below;
	uint64_t dropped;	/* out: closed below threshold, never stored */
};

/*
 * Writes the table's changes: closed incidents are stored (or, never
 * stored and below threshold, only counted in sk->dropped); incidents
 * evicted over budget are stored too; every other open incident is packed
 * for sk->held, after being stored if sk->final and it is worth a row
 * (changed since its row was written; or never stored and not below its
 * threshold).
 * Stored incidents' sample lines are freed. On failure the table no longer
 * matches the store: the caller rolls the store back and discards the
 * table (a rescan redoes the work from the committed offset). Returns 0 or
 * the first error.
 */
int	ad_agg_checkpoint(struct ad_agg *a, struct ad_agg_sink *sk);

/*
 * Lets go of what needs no checkpoint to leave: closed incidents, and
 * open ones whose window passed (found cheaply, least recently active
 * first).
 * They are stored through sk as in ad_agg_checkpoint (sk->held and
 * sk->final unused) and freed, so memory holds only open incidents while
 * the store's transaction gathers the rows until the next checkpoint.
 * Returns 0 or the first error (then the caller discards the table).
 */
int	ad_agg_sweep(struct ad_agg *a, struct ad_agg_sink *sk);

/*
 * Puts a held incident (ad_incident_unpack) back into the table, copying
 * its sample lines (the caller still frees them).
 */
int	ad_agg_put(struct ad_agg *a, const struct ad_incident *inc) AD_WUR;

/* --- incidents ------------------------------------------------------- */

/* Merges delta into inc (counters, times, capped sets; not samples). */
void	ad_incident_merge(struct ad_incident *inc, const struct ad_incident *delta);
/*
 * True when an incident of category cat with these counts is below the
 * category's threshold (whatever its state): the one threshold test, for
 * whole incidents and the scan's compact working entries alike.
 */
bool	ad_below_threshold(const struct ad_detect_config *cfg,
	    enum ad_category cat, uint64_t events, unsigned n_ports,
	    bool ports_more);
/*
 * The store's key of (source, category names): 64-bit FNV-1a of the
 * address family, its 16 bytes and the category's name, as a signed
 * integer (SQLite's). Stored in every row and indexed, so it must never
 * change; a scan writes its rows in this order (see aggregate.c).
 */
int64_t	ad_incident_key(const struct ad_addr *src, const char *category);
/* Decides state, reportable and reason from cfg (keeps later states). */
void	ad_incident_assess(struct ad_incident *inc,
	    const struct ad_detect_config *cfg);
/*
 * Held incidents travel between checkpoints and runs as one blob:
 * ad_incident_pack appends inc (with its pending samples) in a portable
 * binary form (AD_PACK_FORMAT); ad_incident_unpack reads one record of the
 * given format (this one or an older) back from [*p, end), advancing
 * *p, with samples (text and file name) allocated (free with
 * ad_incident_clear_samples). Returns AD_OK, AD_ERR_NOMEM, or AD_ERR_PARSE
 * for a damaged blob.
 */
/*
 * 1: the first; 2: samples carry their log format; 3: any open incident,
 * with its row id, stored sample count and dirty flag.
 */
#define AD_PACK_FORMAT	3
int	ad_incident_pack(const struct ad_incident *inc, struct ad_buf *b) AD_WUR;
int	ad_incident_unpack(const unsigned char **p, const unsigned char *end,
	    unsigned format,
	    struct ad_incident *out) AD_WUR;

/* Frees the sample lines of inc (not inc itself). */
void	ad_incident_clear_samples(struct ad_incident *inc);

/*
 * Appends the incident's JSON object (no newline): id, src, category,
 * first, last (log time with offset), first_utc, last_utc, events,
 * services, targets, ports, users, state, reportable, reason, evidence.
 */
int	ad_incident_to_json(struct ad_buf *b, const struct ad_incident *inc) AD_WUR;

const char *ad_inc_state_name(enum ad_inc_state s);
int	ad_inc_state_from_name(const char *name);
/* Comma-separated service names of a set: "ssh,firewall". */
const char *ad_services_name(uint32_t services, char *buf, size_t n);
uint32_t ad_services_from_name(const char *s);
uint32_t ad_service_bit(const char *service);

#endif
