/*
 * template.c - the report's wording: template files shipped in the binary
 * (templates/<lang>/<name>.txt, compiled into gen/templates.c by the
 * Makefile), an override directory, and the placeholder renderer.
 *
 * The syntax is deliberately tiny (report_int.h): no conditionals, no
 * loops. What varies with the data (lists, optional blocks) is decided in
 * compose.c; a template only words it, so a translator or a user editing
 * an override cannot break the message's structure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "abusedesk/ad_json.h"
#include "report_int.h"

/* Generated: "lang/name.txt", text, ..., NULL. */
extern const char *const ad_templates[];

static int
read_override(struct tpl_set *ts, const char *path, bool *found)
{
	char chunk[4096];
	ssize_t n;
	int fd, r = AD_OK;

	*found = false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return AD_OK;
		return ad_diag_set(ts->diag, AD_ERR_NOTFOUND, path, 0,
		    "template override unreadable: %s", strerror(errno));
	}
	ad_buf_reset(&ts->file);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = ad_diag_set(ts->diag, AD_ERR_NOTFOUND, path, 0,
			    "template override unreadable: %s",
			    strerror(errno));
			break;
		}
		if ((r = ad_buf_add(&ts->file, chunk, (size_t)n)) != AD_OK) {
			r = ad_diag_set(ts->diag, AD_ERR_NOTFOUND, path, 0,
			    "template override larger than %d bytes",
			    TPL_FILE_MAX);
			break;
		}
	}
	close(fd);
	if (r != AD_OK)
		return r;
	if (memchr(ts->file.p ? ts->file.p : "", '\0', ts->file.len) != NULL ||
	    !ad_utf8_valid(ad_buf_str(&ts->file), ts->file.len))
		return ad_diag_set(ts->diag, AD_ERR_NOTFOUND, path, 0,
		    "template override is not UTF-8 text");
	*found = true;
	return AD_OK;
}

int
tpl_get(struct tpl_set *ts, const char *lang, const char *name,
    const char **text, size_t *len)
{
	char key[128], path[4096];
	size_t i;
	int r;

	snprintf(key, sizeof(key), "%s/%s", lang, name);
	if (ts->dir != NULL) {
		bool found;

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", ts->dir,
		    key) >= sizeof(path))
			return ad_diag_set(ts->diag, AD_ERR_NOTFOUND, ts->dir,
			    0, "template directory name too long");
		if ((r = read_override(ts, path, &found)) != AD_OK)
			return r;
		if (found) {
			*text = ad_buf_str(&ts->file);
			*len = ts->file.len;
			return AD_OK;
		}
	}
	for (i = 0; ad_templates[i] != NULL; i += 2)
		if (strcmp(ad_templates[i], key) == 0) {
			*text = ad_templates[i + 1];
			*len = strlen(*text);
			return AD_OK;
		}
	return ad_diag_set(ts->diag, AD_ERR_NOTFOUND, key, 0,
	    "no such template (language \"%s\")", lang);
}

static const struct tpl_var *
var_find(const struct tpl_var *vars, size_t n, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(vars[i].name) == len &&
		    memcmp(vars[i].name, name, len) == 0)
			return &vars[i];
	return NULL;
}

static bool
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Renders one line [p, e) (no newline); *used and *filled say whether it had
 * placeholders and whether any of them expanded to text. */
static int
render_line(const char *p, const char *e, const struct tpl_var *vars,
    size_t n_vars, struct ad_buf *out, bool *used, bool *filled,
    const char *where, unsigned long lineno, struct ad_diag *diag)
{
	const char *run = p, *q, *nm;
	const struct tpl_var *v;
	int r;

	*used = *filled = false;
	while (p < e) {
		if (*p != '{') {
			p++;
			continue;
		}
		if ((r = ad_buf_add(out, run, (size_t)(p - run))) != AD_OK)
			return r;
		if (p + 1 < e && p[1] == '{') {
			if ((r = ad_buf_addc(out, '{')) != AD_OK)
				return r;
			p += 2;
			run = p;
			continue;
		}
		nm = p + 1;
		for (q = nm; q < e && name_char(*q); q++)
			;
		if (q == e || *q != '}' || q == nm)
			return ad_diag_set(diag, AD_ERR_NOTFOUND, where, lineno,
			    "malformed template: '{' without a placeholder "
			    "name and '}' (write {{ for a brace)");
		v = var_find(vars, n_vars, nm, (size_t)(q - nm));
		if (v == NULL)
			return ad_diag_set(diag, AD_ERR_NOTFOUND, where, lineno,
			    "malformed template: unknown placeholder {%.*s}",
			    (int)(q - nm), nm);
		*used = true;
		if (v->value != NULL && v->value[0] != '\0') {
			*filled = true;
			if ((r = ad_buf_adds(out, v->value)) != AD_OK)
				return r;
		}
		p = q + 1;
		run = p;
	}
	return ad_buf_add(out, run, (size_t)(p - run));
}

int
tpl_render(const char *text, size_t len, const struct tpl_var *vars,
    size_t n_vars, struct ad_buf *out, const char *where, struct ad_diag *diag)
{
	const char *p = text, *end = text + len, *nl;
	unsigned long lineno = 0;
	bool used, filled;
	size_t mark;
	int r;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		lineno++;
		if (*p == '#') {
			p = nl + (nl < end);
			continue;
		}
		mark = out->len;
		r = render_line(p, nl, vars, n_vars, out, &used, &filled,
		    where, lineno, diag);
		if (r != AD_OK)
			return r;
		if (used && !filled) {
			/* Every placeholder empty: the line has nothing to say. */
			out->len = mark;
			if (out->p != NULL)
				out->p[mark] = '\0';
		} else if (nl < end && (r = ad_buf_addc(out, '\n')) != AD_OK)
			return r;
		p = nl + (nl < end);
	}
	return AD_OK;
}

int
tpl_render_file(struct tpl_set *ts, const char *lang, const char *name,
    const struct tpl_var *vars, size_t n_vars, struct ad_buf *out)
{
	const char *text;
	char where[128];
	size_t len;
	int r;

	if ((r = tpl_get(ts, lang, name, &text, &len)) != AD_OK)
		return r;
	snprintf(where, sizeof(where), "%s/%s", lang, name);
	return tpl_render(text, len, vars, n_vars, out, where, ts->diag);
}

int
tpl_phrase(struct tpl_set *ts, const char *lang, const char *key,
    const struct tpl_var *vars, size_t n_vars, struct ad_buf *out)
{
	const char *text, *p, *end, *nl, *eq, *k, *ke;
	char where[128];
	size_t len, klen = strlen(key);
	unsigned long lineno = 0;
	int r;

	if ((r = tpl_get(ts, lang, "phrases.txt", &text, &len)) != AD_OK)
		return r;
	snprintf(where, sizeof(where), "%s/phrases.txt", lang);
	for (p = text, end = text + len; p < end; p = nl + (nl < end)) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		lineno++;
		if (p == nl || *p == '#')
			continue;
		eq = memchr(p, '=', (size_t)(nl - p));
		if (eq == NULL)
			return ad_diag_set(ts->diag, AD_ERR_NOTFOUND, where,
			    lineno, "malformed phrase table: no \"key = text\"");
		for (k = p; k < eq && *k == ' '; k++)
			;
		for (ke = eq; ke > k && ke[-1] == ' '; ke--)
			;
		if ((size_t)(ke - k) != klen || memcmp(k, key, klen) != 0)
			continue;
		for (eq++; eq < nl && *eq == ' '; eq++)
			;
		return tpl_render(eq, (size_t)(nl - eq), vars, n_vars, out,
		    where, ts->diag);
	}
	return ad_diag_set(ts->diag, AD_ERR_NOTFOUND, where, 0,
	    "no phrase \"%s\"", key);
}

/* Columns of the UTF-8 text [s, s+n): continuation bytes take none. */
static size_t
columns(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* CJK text has no spaces to break at and wide characters: left whole
 * (a paragraph stays far below SMTP's 998-byte line limit). */
static bool
has_cjk(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 0xe3 && c <= 0xe9) || c == 0xef)
			return true;
	}
	return false;
}

int
text_wrap(struct ad_buf *out, const char *s, size_t n, size_t width)
{
	const char *p = s, *end = s + n, *nl, *cut, *q;
	int r;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		/* Preformatted lines (indented) are data: never broken. */
		while (*p != ' ' && columns(p, (size_t)(nl - p)) > width &&
		    !has_cjk(p, (size_t)(nl - p))) {
			cut = NULL;
			for (q = p; q < nl; q++)
				if (*q == ' ') {
					if (cut != NULL &&
					    columns(p, (size_t)(q - p)) > width)
						break;
					cut = q;
				}
			if (cut == NULL)
				break;	/* one long word (or CJK): keep it */
			if ((r = ad_buf_add(out, p, (size_t)(cut - p))) != AD_OK ||
			    (r = ad_buf_addc(out, '\n')) != AD_OK)
				return r;
			p = cut + 1;
		}
		if ((r = ad_buf_add(out, p, (size_t)(nl - p))) != AD_OK)
			return r;
		if (nl < end && (r = ad_buf_addc(out, '\n')) != AD_OK)
			return r;
		p = nl + (nl < end);
	}
	return AD_OK;
}
