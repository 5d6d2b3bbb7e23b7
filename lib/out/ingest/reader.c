/*
 * reader.c - chunked reading of plain, gzip and stdin logs.
 *
 * zlib reads gzip (and, for stdin, passes plain data through untouched);
 * plain files use read() directly, which avoids one copy per byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "abusedesk/ad_ingest.h"

struct ad_reader {
	struct ad_ctx		*ctx;
	struct ad_file_info	 info;
	char			*path;
	int			 fd;
	gzFile			 gz;
	char			*buf;		/* bufs[cur] */
	char			*bufs[AD_READ_BUFS_MAX];	/* [1..]: NULL, or
						   more buffers (ad_reader_buffers) */
	int			 n_bufs, cur;
	bool			 handed;	/* a chunk of buf was returned */
	size_t			 start, end;	/* unread bytes are buf[start, end) */
	uint64_t		 offset;	/* stream offset of buf[start] */
	bool			 eof;
	bool			 truncated;	/* gzip stream ended early */
	bool			 discarding;	/* inside a line too long to hold */
	uint64_t		 dropped;
};

static int
fill(struct ad_reader *r, struct ad_diag *diag)
{
	ssize_t n;

	if (r->eof)
		return AD_OK;
	if (r->n_bufs > 1 && r->handed) {
		/* The chunks handed out stay readable: go on in the next buffer. */
		r->cur = (r->cur + 1) % r->n_bufs;
		memcpy(r->bufs[r->cur], r->buf + r->start, r->end - r->start);
		r->buf = r->bufs[r->cur];
		r->end -= r->start;
		r->start = 0;
		r->handed = false;
	} else if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == AD_READ_BUF)
		return AD_OK;
	if (ad_fault(r->ctx, AD_FAULT_READ))
		return ad_diag_set(diag, AD_ERR_IO, r->path, 0,
		    "read failed: injected fault");
	if (r->gz) {
		int k = gzread(r->gz, r->buf + r->end,
		    (unsigned)(AD_READ_BUF - r->end));

		if (k < 0) {
			int zerr;
			const char *msg = gzerror(r->gz, &zerr);

			return ad_diag_set(diag, AD_ERR_IO, r->path, 0,
			    "gzip: %s", msg);
		}
		if (k == 0) {
			int zerr;

			/* Z_BUF_ERROR at the end: the input stopped mid-stream. */
			(void)gzerror(r->gz, &zerr);
			if (zerr == Z_BUF_ERROR)
				r->truncated = true;
		}
		n = k;
	} else {
		do
			n = read(r->fd, r->buf + r->end, AD_READ_BUF - r->end);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return ad_diag_set(diag, AD_ERR_IO, r->path, 0,
			    "read: %s", strerror(errno));
	}
	if (n == 0)
		r->eof = true;
	r->end += (size_t)n;
	return AD_OK;
}

/* FNV-1a 64 over the first line (at most AD_FP_BYTES of it). */
static void
fingerprint(struct ad_reader *r)
{
	const char *nl = memchr(r->buf, '\n', r->end);
	size_t n = nl ? (size_t)(nl - r->buf) + 1 : r->end;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	if (n > AD_FP_BYTES)
		n = AD_FP_BYTES;
	else if (nl == NULL)
		return;		/* first line still being written */
	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		h ^= (unsigned char)r->buf[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(r->info.fp, sizeof(r->info.fp), "%016llx", (unsigned long long)h);
	r->info.has_fp = true;
}

int
ad_reader_open(struct ad_ctx *ctx, const char *path, struct ad_reader **out,
    struct ad_diag *diag)
{
	struct ad_reader *r;
	struct stat st;
	unsigned char magic[2];
	int ret = AD_ERR_NOMEM;

	*out = NULL;
	if ((r = ad_calloc(1, sizeof(*r))) == NULL)
		return ad_diag_set(diag, AD_ERR_NOMEM, path, 0, "out of memory");
	r->ctx = ctx;
	r->fd = -1;
	if ((r->path = ad_strndup(path, strlen(path))) == NULL ||
	    (r->buf = r->bufs[0] = ad_malloc(AD_READ_BUF)) == NULL)
		goto fail;
	r->n_bufs = 1;
	if (strcmp(path, "-") == 0) {
		r->fd = dup(STDIN_FILENO);
		r->info.size = -1;
		if (r->fd < 0 || fstat(r->fd, &st) != 0) {
			ret = ad_diag_set(diag, AD_ERR_IO, path, 0, "stdin: %s",
			    strerror(errno));
			goto fail;
		}
		/* zlib passes plain text through, so stdin may be either. */
		if ((r->gz = gzdopen(r->fd, "rb")) == NULL)
			goto fail;
		r->fd = -1;
		r->info.mtime = (int64_t)st.st_mtime;
	} else {
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0 || fstat(r->fd, &st) != 0) {
			ret = ad_diag_set(diag, AD_ERR_IO, path, 0, "%s",
			    strerror(errno));
			goto fail;
		}
		if (S_ISDIR(st.st_mode)) {
			ret = ad_diag_set(diag, AD_ERR_IO, path, 0,
			    "is a directory");
			goto fail;
		}
		r->info.dev = st.st_dev;
		r->info.ino = st.st_ino;
		r->info.size = (int64_t)st.st_size;
		r->info.mtime = (int64_t)st.st_mtime;
		if (!S_ISREG(st.st_mode)) {
			/* A pipe or FIFO: no peeking; zlib passes plain text through. */
			r->info.size = -1;
			if ((r->gz = gzdopen(r->fd, "rb")) == NULL)
				goto fail;
			r->fd = -1;
		} else if (pread(r->fd, magic, 2, 0) == 2 && magic[0] == 0x1f &&
		    magic[1] == 0x8b) {
			r->info.gzip = true;
			if ((r->gz = gzdopen(r->fd, "rb")) == NULL)
				goto fail;
			r->fd = -1;	/* owned by gz now */
			gzbuffer(r->gz, 256 * 1024);
		} else
			r->info.seekable = S_ISREG(st.st_mode);
	}
	if ((ret = fill(r, diag)) != AD_OK)
		goto fail;
	fingerprint(r);
	*out = r;
	return AD_OK;
fail:
	if (ret == AD_ERR_NOMEM)
		ad_diag_set(diag, ret, path, 0, "cannot open: out of memory");
	ad_reader_free(r);
	return ret;
}

void
ad_reader_free(struct ad_reader *r)
{
	int i;

	if (r == NULL)
		return;
	if (r->gz)
		gzclose(r->gz);
	if (r->fd >= 0)
		close(r->fd);
	for (i = 0; i < AD_READ_BUFS_MAX; i++)
		ad_free(r->bufs[i]);
	ad_free(r->path);
	ad_free(r);
}

int
ad_reader_buffers(struct ad_reader *r, int n)
{
	if (n < 1 || n > AD_READ_BUFS_MAX || n < r->n_bufs)
		return AD_ERR_USAGE;
	for (; r->n_bufs < n; r->n_bufs++)
		if ((r->bufs[r->n_bufs] = ad_malloc(AD_READ_BUF)) == NULL)
			return AD_ERR_NOMEM;
	return AD_OK;
}

const struct ad_file_info *
ad_reader_info(const struct ad_reader *r)
{
	return &r->info;
}

uint64_t
ad_reader_dropped_lines(const struct ad_reader *r)
{
	return r->dropped;
}

bool
ad_reader_truncated(const struct ad_reader *r)
{
	return r->truncated;
}

uint64_t
ad_reader_offset(const struct ad_reader *r)
{
	return r->offset;
}

int
ad_reader_skip(struct ad_reader *r, uint64_t off, struct ad_diag *diag)
{
	int ret;

	if (off <= r->offset + (r->end - r->start) && off >= r->offset) {
		r->start += (size_t)(off - r->offset);
		r->offset = off;
		return AD_OK;
	}
	if (r->info.seekable) {
		if (lseek(r->fd, (off_t)off, SEEK_SET) < 0)
			return ad_diag_set(diag, AD_ERR_IO, r->path, 0,
			    "seek: %s", strerror(errno));
		r->start = r->end = 0;
		r->offset = off;
		r->eof = false;
		return fill(r, diag);
	}
	while (r->offset < off) {
		size_t avail = r->end - r->start;

		if (avail == 0) {
			if (r->eof)
				return AD_OK;	/* shorter than before: caller sees EOF */
			r->start = r->end = 0;
			if ((ret = fill(r, diag)) != AD_OK)
				return ret;
			continue;
		}
		if (avail > off - r->offset)
			avail = (size_t)(off - r->offset);
		r->start += avail;
		r->offset += avail;
	}
	return AD_OK;
}

int
ad_reader_chunk(struct ad_reader *r, struct ad_chunk *c, struct ad_diag *diag)
{
	const char *nl;
	size_t n;
	int ret;

	for (;;) {
		n = r->end - r->start;
		if (r->discarding) {
			nl = n ? memchr(r->buf + r->start, '\n', n) : NULL;
			if (nl == NULL) {
				r->offset += n;
				r->start = r->end = 0;
				if (r->eof) {
					r->discarding = false;
					return 0;
				}
				if ((ret = fill(r, diag)) != AD_OK)
					return ret;
				continue;
			}
			n = (size_t)(nl - (r->buf + r->start)) + 1;
			r->start += n;
			r->offset += n;
			r->discarding = false;
			continue;
		}
		if (n > 0) {
			nl = memrchr(r->buf + r->start, '\n', n);
			if (nl != NULL) {
				c->data = r->buf + r->start;
				c->len = (size_t)(nl - c->data) + 1;
				c->offset = r->offset;
				c->no_newline = false;
				r->start += c->len;
				r->offset += c->len;
				r->handed = true;
				return 1;
			}
			if (r->eof) {
				c->data = r->buf + r->start;
				c->len = n;
				c->offset = r->offset;
				c->no_newline = true;
				r->start = r->end;
				r->offset += n;
				r->handed = true;
				return 1;
			}
			if (n == AD_READ_BUF) {
				/* One line fills the buffer: drop it, find its end. */
				r->dropped++;
				r->discarding = true;
				r->offset += n;
				r->start = r->end = 0;
				if ((ret = fill(r, diag)) != AD_OK)
					return ret;
				continue;
			}
		} else if (r->eof)
			return 0;
		if ((ret = fill(r, diag)) != AD_OK)
			return ret;
	}
}
