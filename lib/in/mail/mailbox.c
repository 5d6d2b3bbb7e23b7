/*
 * mailbox.c - Maildir, mbox and single-message readers (ad_reply.h).
 *
 * One message at a time, each at most AD_REPLY_SIZE_MAX bytes: a larger
 * one is skipped (read past, not kept) and reported, so a huge mailbox
 * costs the memory of its largest acceptable message. The mbox is read in
 * pieces of at most LINE_PIECE bytes, so a line without an end cannot grow
 * a buffer either.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_reply.h"

#define LINE_PIECE	8192
#define MAILDIR_FILES_MAX	1000000	/* names listed per subfolder */

struct ad_mailbox {
	enum ad_mailbox_kind kind;
	char		 path[4096];
	FILE		*f;		/* mbox or one message */
	bool		 done;
	/* Maildir: the file names of new/ then cur/, sorted. */
	char		**names;
	size_t		 n_names, next;
	/* mbox */
	unsigned long	 line, msgno;
	char		*piece;		/* LINE_PIECE + 1 */
	bool		 have_from;	/* a "From " line is pending in piece */
	char		 where[4200];
};

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
list_sub(struct ad_mailbox *mb, const char *sub, struct ad_diag *diag)
{
	char dir[4200];
	struct dirent *de;
	size_t start = mb->n_names;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", mb->path, sub);
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? AD_OK : ad_diag_set(diag, AD_ERR_IO,
		    dir, 0, "%s", strerror(errno));
	while ((de = readdir(d)) != NULL) {
		char **nn, *name;
		size_t l;

		/* Maildir writers use dot files while delivering. */
		if (de->d_name[0] == '.')
			continue;
		if (mb->n_names - start >= MAILDIR_FILES_MAX)
			break;
		l = strlen(sub) + strlen(de->d_name) + 2;
		if ((name = ad_malloc(l)) == NULL)
			goto nomem;
		snprintf(name, l, "%s/%s", sub, de->d_name);
		nn = ad_reallocarray(mb->names, mb->n_names + 1,
		    sizeof(*mb->names));
		if (nn == NULL) {
			ad_free(name);
			goto nomem;
		}
		mb->names = nn;
		mb->names[mb->n_names++] = name;
	}
	closedir(d);
	qsort(mb->names + start, mb->n_names - start, sizeof(*mb->names),
	    cmp_names);
	return AD_OK;
nomem:
	closedir(d);
	return ad_diag_set(diag, AD_ERR_NOMEM, dir, 0, "out of memory");
}

int
ad_mailbox_open(const char *path, struct ad_mailbox **out,
    struct ad_diag *diag)
{
	struct ad_mailbox *mb;
	struct stat st;
	int r, c;

	*out = NULL;
	if ((mb = ad_calloc(1, sizeof(*mb))) == NULL)
		return ad_diag_set(diag, AD_ERR_NOMEM, path, 0, "out of memory");
	snprintf(mb->path, sizeof(mb->path), "%s", path);
	if (strcmp(path, "-") == 0)
		mb->f = stdin;
	else if (stat(path, &st) != 0) {
		r = ad_diag_set(diag, AD_ERR_IO, path, 0, "%s", strerror(errno));
		goto fail;
	} else if (S_ISDIR(st.st_mode)) {
		mb->kind = AD_MAILBOX_MAILDIR;
		if ((r = list_sub(mb, "new", diag)) != AD_OK ||
		    (r = list_sub(mb, "cur", diag)) != AD_OK)
			goto fail;
		*out = mb;
		return AD_OK;
	} else if ((mb->f = fopen(path, "rb")) == NULL) {
		r = ad_diag_set(diag, AD_ERR_IO, path, 0, "%s", strerror(errno));
		goto fail;
	}
	if ((mb->piece = ad_malloc(LINE_PIECE + 1)) == NULL) {
		r = ad_diag_set(diag, AD_ERR_NOMEM, path, 0, "out of memory");
		goto fail;
	}
	/* "From " first: an mbox. Peek without losing the bytes (stdin too). */
	mb->piece[0] = '\0';
	if ((c = getc(mb->f)) != EOF) {
		ungetc(c, mb->f);
		if (c == 'F' && fgets(mb->piece, LINE_PIECE + 1, mb->f) != NULL) {
			if (strncmp(mb->piece, "From ", 5) == 0) {
				mb->kind = AD_MAILBOX_MBOX;
				mb->have_from = true;
				mb->line = 1;
			}
		}
	}
	*out = mb;
	return AD_OK;
fail:
	ad_mailbox_close(mb);
	return r;
}

enum ad_mailbox_kind
ad_mailbox_kind(const struct ad_mailbox *mb)
{
	return mb->kind;
}

/* Reads f to its end into raw; over the cap: AD_ERR_LIMIT, read on. */
static int
read_all(FILE *f, struct ad_buf *raw, struct ad_diag *diag,
    const char *where)
{
	char chunk[65536];
	bool over = false;
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (!over && ad_buf_add(raw, chunk, n) != AD_OK)
			over = true;
	if (ferror(f))
		return ad_diag_set(diag, AD_ERR_IO, where, 0, "read error");
	if (over) {
		ad_buf_reset(raw);
		return ad_diag_set(diag, AD_ERR_LIMIT, where, 0,
		    "message over the %d MiB limit, skipped",
		    AD_REPLY_SIZE_MAX / (1024 * 1024));
	}
	return 1;
}

static int
next_maildir(struct ad_mailbox *mb, struct ad_buf *raw, struct ad_diag *diag)
{
	char path[8400];
	const char *name;
	FILE *f;
	int r;

	if (mb->next >= mb->n_names)
		return 0;
	name = mb->names[mb->next++];
	snprintf(mb->where, sizeof(mb->where), "%s", name);
	snprintf(path, sizeof(path), "%s/%s", mb->path, name);
	if ((f = fopen(path, "rb")) == NULL)
		/* Moved by a mail client since we listed it: not an error. */
		return errno == ENOENT ? next_maildir(mb, raw, diag) :
		    ad_diag_set(diag, AD_ERR_IO, path, 0, "%s",
		    strerror(errno));
	r = read_all(f, raw, diag, path);
	fclose(f);
	return r;
}

/* ">From ", ">>From " ...: mboxrd quoting; one '>' comes off. */
static bool
quoted_from(const char *s)
{
	while (*s == '>')
		s++;
	return strncmp(s, "From ", 5) == 0;
}

static int
next_mbox(struct ad_mailbox *mb, struct ad_buf *raw, struct ad_diag *diag)
{
	bool over = false, bol = true, blank_before = false;
	unsigned long first_line;

	if (mb->done || !mb->have_from)
		return 0;
	mb->have_from = false;
	mb->msgno++;
	first_line = mb->line;
	snprintf(mb->where, sizeof(mb->where), "%s: message %lu (line %lu)",
	    mb->path, mb->msgno, first_line);
	for (;;) {
		const char *s = mb->piece;
		size_t l;

		if (fgets(mb->piece, LINE_PIECE + 1, mb->f) == NULL) {
			mb->done = true;
			break;
		}
		l = strlen(mb->piece);
		if (bol) {
			mb->line++;
			if (blank_before && strncmp(s, "From ", 5) == 0) {
				mb->have_from = true;
				break;
			}
			if (s[0] == '>' && quoted_from(s))
				s++, l--;
			blank_before = s[0] == '\n' || (s[0] == '\r' &&
			    s[1] == '\n');
		} else
			blank_before = false;
		bol = l > 0 && s[l - 1] == '\n';
		if (!over && ad_buf_add(raw, s, l) != AD_OK)
			over = true;
	}
	if (ferror(mb->f))
		return ad_diag_set(diag, AD_ERR_IO, mb->where, 0, "read error");
	if (over) {
		ad_buf_reset(raw);
		return ad_diag_set(diag, AD_ERR_LIMIT, mb->where, 0,
		    "message over the %d MiB limit, skipped",
		    AD_REPLY_SIZE_MAX / (1024 * 1024));
	}
	/* The blank line before the next "From " belongs to the mbox. */
	if (mb->have_from && raw->len > 0 && raw->p[raw->len - 1] == '\n') {
		raw->len--;
		if (raw->len > 0 && raw->p[raw->len - 1] == '\r')
			raw->len--;
		raw->p[raw->len] = '\0';
	}
	return 1;
}

int
ad_mailbox_next(struct ad_mailbox *mb, struct ad_buf *raw,
    const char **where, struct ad_diag *diag)
{
	int r;

	ad_buf_free(raw);
	ad_buf_init(raw, AD_REPLY_SIZE_MAX);
	mb->where[0] = '\0';
	*where = mb->where;
	switch (mb->kind) {
	case AD_MAILBOX_MAILDIR:
		return next_maildir(mb, raw, diag);
	case AD_MAILBOX_MBOX:
		return next_mbox(mb, raw, diag);
	default:
		if (mb->done)
			return 0;
		mb->done = true;
		snprintf(mb->where, sizeof(mb->where), "%s", mb->path);
		/* The peeked first line, if fgets took one. */
		if (mb->piece[0] && ad_buf_adds(raw, mb->piece) != AD_OK)
			return AD_ERR_NOMEM;
		r = read_all(mb->f, raw, diag, mb->where);
		return r;
	}
}

void
ad_mailbox_close(struct ad_mailbox *mb)
{
	size_t i;

	if (mb == NULL)
		return;
	if (mb->f != NULL && mb->f != stdin)
		fclose(mb->f);
	for (i = 0; i < mb->n_names; i++)
		ad_free(mb->names[i]);
	ad_free(mb->names);
	ad_free(mb->piece);
	ad_free(mb);
}
