/*
 * ad_ingest.h - reading logs: plain files, gzip-rotated files, stdin.
 *
 * The reader hands out chunks of whole lines from a fixed buffer
 * (AD_READ_BUF), never a whole file, so memory stays bounded whatever the
 * input. A line longer than the buffer is dropped and counted, and reading
 * resumes after its newline. Offsets are in uncompressed bytes, so a scan
 * can resume in a .gz that was once the plain file it had half read.
 *
 * A file is recognised by the fingerprint of its first line, not by its
 * name: after rotation "auth.log.1" is the file that was "auth.log", and a
 * rescan of it resumes where the last scan stopped instead of counting its
 * lines twice.
 */
#ifndef AD_INGEST_H
#define AD_INGEST_H

#include <stdbool.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "ad_ctx.h"

#define AD_READ_BUF	(256u * 1024)	/* a chunk, in one of ad_reader_buffers */
#define AD_READ_BUFS_MAX 8
#define AD_FP_BYTES	1024	/* fingerprint: first line, at most this much */

struct ad_reader;

struct ad_file_info {
	dev_t		dev;
	ino_t		ino;
	int64_t		size;		/* on disk (compressed for .gz); -1 for stdin */
	int64_t		mtime;
	bool		gzip;
	bool		seekable;	/* plain regular file */
	bool		has_fp;		/* false: empty, or first line unfinished */
	char		fp[17];		/* hex FNV-1a 64 of the first line */
};

struct ad_chunk {
	const char	*data;		/* borrowed until the next call */
	size_t		 len;
	uint64_t	 offset;	/* uncompressed offset of data[0] */
	bool		 no_newline;	/* data is a final line without '\n' */
};

/*
 * Opens path ("-" = stdin) and reads its first block. Returns AD_OK, or
 * AD_ERR_IO with diag filled.
 */
int	ad_reader_open(struct ad_ctx *ctx, const char *path,
	    struct ad_reader **out, struct ad_diag *diag) AD_WUR;
void	ad_reader_free(struct ad_reader *r);

const struct ad_file_info *ad_reader_info(const struct ad_reader *r);

/*
 * Skips forward to uncompressed offset off (seek, or read and discard).
 * Only plain files can go back; a stream ignores an earlier offset.
 */
int	ad_reader_skip(struct ad_reader *r, uint64_t off, struct ad_diag *diag) AD_WUR;

/*
 * Next chunk of whole lines. Returns 1 with c filled, 0 at end of input,
 * or a negative error (diag filled). The chunk's bytes stay valid until
 * the next call; after ad_reader_buffers(r, n), until n calls later
 * (other threads work on n - 1 chunks while the next is read). n is at
 * most AD_READ_BUFS_MAX and never shrinks; AD_ERR_USAGE otherwise.
 */
int	ad_reader_buffers(struct ad_reader *r, int n) AD_WUR;
int	ad_reader_chunk(struct ad_reader *r, struct ad_chunk *c,
	    struct ad_diag *diag) AD_WUR;

/*
 * The newline ending the line at p, or NULL. Log lines are ~100 bytes:
 * sixteen at a time inline costs less than a call to memchr per line
 * (parse-only 4-7 % faster on sshd logs); memchr does the rest.
 */
static inline const char *
ad_line_end(const char *p, const char *end)
{
#if defined(__SSE2__)
	const __m128i nl = _mm_set1_epi8('\n');

	for (; end - p >= 16; p += 16) {
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
		    _mm_loadu_si128((const __m128i *)(const void *)p), nl));

		if (m != 0)
			return p + __builtin_ctz(m);
	}
#endif
	return memchr(p, '\n', (size_t)(end - p));
}

/*
 * Steps through the lines of a chunk: sets *line and *len (without the
 * '\n') and advances *p; false at the end. The one line splitter of the
 * pipeline (scan, parse, benchmarks).
 */
static inline bool
ad_line_next(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl;

	if (*p >= end)
		return false;
	nl = ad_line_end(*p, end);
	*line = *p;
	*len = (size_t)((nl ? nl : end) - *p);
	*p = nl ? nl + 1 : end;
	return true;
}

/* Lines dropped so far for exceeding the buffer. */
uint64_t ad_reader_dropped_lines(const struct ad_reader *r);
/* True after the end of a gzip file that stopped in mid-stream. */
bool	ad_reader_truncated(const struct ad_reader *r);
/* Uncompressed bytes consumed so far (end of the last chunk). */
uint64_t ad_reader_offset(const struct ad_reader *r);

#endif
