/*
 * ad_scan.h - the outbound pipeline up to incidents, for whole files:
 * ingest -> parse -> detect -> store, incrementally and crash-safe.
 *
 * A scan reads each file from where the last scan of that file (known by
 * its first-line fingerprint) stopped, parses the new lines, aggregates
 * events into a bounded batch, and commits the batch together with the new
 * offset (see ad_store.h for why that makes SIGKILL harmless).
 *
 * Rotation: a file whose fingerprint is new but whose path we know was
 * rotated or truncated and is read from the start; if "PATH.1" is the old
 * file (same inode), its unread tail is scanned first, so lines written
 * between the last scan and the rotation are not lost. A plain file's last
 * line without a newline is left for the next scan (it may still be being
 * written); in a .gz or on stdin it is read.
 */
#ifndef AD_SCAN_H
#define AD_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "ad_ctx.h"
#include "ad_detect.h"
#include "ad_parse.h"
#include "ad_store.h"

/*
 * Bytes between checkpoints by default: a killed scan redoes at most this
 * much (a second or two of work); each checkpoint rewrites the open
 * incidents' held records (some 5 MB for 24,000 of them), which takes as
 * long as scanning 50 MB while the parser thread waits.
 */
#define AD_SCAN_BATCH_DEFAULT	((uint64_t)1 << 30)

struct ad_scan_opts {
	enum ad_family	 family;	/* AD_FAMILY_AUTO: by program tag */
	int		 year;		/* > 0: year of year-less stamps */
	int64_t		 now;		/* > 0: reference instant instead of mtime */
	uint64_t	 batch_bytes;	/* commit at least this often (0: the
					   default) */
	size_t		 agg_budget;	/* working-table memory (0: 16 MiB) */
	int		 threads;	/* 1: one thread; else the parser runs
					   on a second one, ahead of the table */
	/* parse.* options (ad_config.h), checked by the caller beforehand. */
	const struct ad_parse_opt *parse_opts;
	size_t		 n_parse_opts;
	/* Called after each chunk; total is -1 when unknown (gzip, stdin). */
	void		(*progress)(void *arg, const char *path, uint64_t done,
			    int64_t total);
	void		*progress_arg;
};

struct ad_scan_summary {
	struct ad_parse_stats parse;
	uint64_t	files;
	uint64_t	files_rotated;	/* new content at a known path */
	uint64_t	files_truncated;
	uint64_t	files_unchanged;
	uint64_t	bytes_read;	/* new bytes this run */
	uint64_t	incidents_new;
	uint64_t	incidents_updated;
	uint64_t	batches;	/* checkpoints committed */
	uint64_t	incident_writes;	/* rows written (one per changed incident per checkpoint) */
	/* Closed while below threshold and never stored: counted, not kept. */
	uint64_t	incidents_unstored;
	/* Two threads: chunks the main thread parsed, and parsed again. */
	uint64_t	chunks;
	uint64_t	chunks_main;
	uint64_t	chunks_again;
};

struct ad_scan;

struct ad_scan *ad_scan_new(struct ad_ctx *ctx, struct ad_store *store,
	    const struct ad_detect_config *cfg, const struct ad_scan_opts *opts);
void	ad_scan_free(struct ad_scan *sc);

/* Scans one file ("-" = stdin). Returns AD_OK or an error with diag. */
int	ad_scan_file(struct ad_scan *sc, const char *path,
	    struct ad_diag *diag) AD_WUR;

const struct ad_scan_summary *ad_scan_summary(const struct ad_scan *sc);

#endif
