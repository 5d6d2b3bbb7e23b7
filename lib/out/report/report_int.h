/*
 * report_int.h - what the report composer's files share: templates, MIME
 * encoders and the --public masking. Not a public interface.
 *
 * Template syntax (templates/<lang>/<name>.txt, see README.md):
 *   {name}       replaced by the value of placeholder `name` ([a-z0-9_]+);
 *                an unknown name makes the template malformed
 *   {{           a literal '{'
 *   # ...        a line starting with '#' is a comment and left out
 *   a line whose placeholders all expand to "" is left out (so
 *   "Phone: {phone}" disappears when no phone is configured).
 * Phrase tables (phrases.txt) are "key = text" lines; the text is itself a
 * template.
 */
#ifndef AD_REPORT_INT_H
#define AD_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_err.h"
#include "abusedesk/ad_ip.h"

#define TPL_FILE_MAX	(64 * 1024)	/* an override larger than this is refused */

/* One placeholder and its (already safe, printable) value. */
struct tpl_var {
	const char	*name;
	const char	*value;
};

/* The templates of one composition: shipped ones, overridden from dir. */
struct tpl_set {
	const char	*dir;		/* NULL: shipped only */
	struct ad_buf	 file;		/* the last override read */
	struct ad_diag	*diag;
};

/*
 * Finds template `lang/name` (the override first). Sets *text and *len to the
 * bytes (borrowed until the next call on ts). Returns AD_OK, or
 * AD_ERR_NOTFOUND (diag) when it exists nowhere or the override cannot be
 * read or is not clean UTF-8 text.
 */
int	tpl_get(struct tpl_set *ts, const char *lang, const char *name,
	    const char **text, size_t *len) AD_WUR;

/*
 * Renders template text into out with vars (see the syntax above). `where`
 * names it for diag. Returns AD_OK, AD_ERR_NOTFOUND (malformed: unknown
 * placeholder, unclosed brace) or AD_ERR_LIMIT/NOMEM.
 */
int	tpl_render(const char *text, size_t len, const struct tpl_var *vars,
	    size_t n_vars, struct ad_buf *out, const char *where,
	    struct ad_diag *diag) AD_WUR;

/* Renders template lang/name (tpl_get + tpl_render). */
int	tpl_render_file(struct tpl_set *ts, const char *lang, const char *name,
	    const struct tpl_var *vars, size_t n_vars, struct ad_buf *out)
	    AD_WUR;

/*
 * Looks `key` up in lang/phrases.txt and renders its text into out.
 * Returns AD_OK, or AD_ERR_NOTFOUND (diag set) when the key or the table
 * is missing (the caller may fall back to English) or malformed.
 */
int	tpl_phrase(struct tpl_set *ts, const char *lang, const char *key,
	    const struct tpl_var *vars, size_t n_vars, struct ad_buf *out)
	    AD_WUR;

/* Appends text with lines longer than `width` columns broken at spaces;
 * lines starting with a blank (preformatted) are kept as they are. */
int	text_wrap(struct ad_buf *out, const char *s, size_t n, size_t width)
	    AD_WUR;

/* --- MIME ------------------------------------------------------------ */

/* Base64 of [p, p+n); wrap > 0 breaks lines (CRLF) after wrap characters. */
int	mime_base64(struct ad_buf *b, const void *p, size_t n, size_t wrap)
	    AD_WUR;
/* Quoted-printable (RFC 2045) of LF-ended text, CRLF line ends. */
int	mime_qp(struct ad_buf *b, const char *s, size_t n) AD_WUR;
/* LF-ended text with CRLF line ends. */
int	mime_crlf(struct ad_buf *b, const char *s, size_t n) AD_WUR;
/* The longest line of [s, s+n), in bytes. */
size_t	mime_longest_line(const char *s, size_t n);
/*
 * "Name: value" + CRLF; a value with non-ASCII bytes becomes RFC 2047
 * encoded words (UTF-8, B), folded. The value must pass ad_header_value_ok.
 */
int	mime_header(struct ad_buf *b, const char *name, const char *value)
	    AD_WUR;
/*
 * From: "Name" <address>, the name quoted (or RFC 2047-encoded when not
 * ASCII); the bare address when name is "". Both must be header-safe.
 */
int	mime_from(struct ad_buf *m, const char *name, const char *addr) AD_WUR;
/* The RFC 5322 date of a UTC instant: "Sun, 22 Nov 2026 18:00:00 +0000". */
void	mime_date(int64_t t, char buf[40]);

/* --- --public -------------------------------------------------------- */

struct mask_set {
	const struct ad_cidr	*own;
	size_t			 n_own;
	const struct ad_addr	*addrs;	/* further addresses (targets) */
	size_t			 n_addrs;
	bool			 on;
};

/* True when a is one of ours (masked in the public view). */
bool	mask_hit(const struct mask_set *m, const struct ad_addr *a);
/* "192.0.2.x", "2001:db8:1:2::x": the network stays readable, the host goes. */
void	mask_format(const struct ad_addr *a, char buf[AD_ADDR_STRLEN]);
/* An address for the reader: masked when it is ours and masking is on. */
void	mask_addr(const struct mask_set *m, const struct ad_addr *a,
	    char buf[AD_ADDR_STRLEN]);
/* Appends text with every address of ours in it masked. */
int	mask_text(const struct mask_set *m, struct ad_buf *b, const char *s,
	    size_t n) AD_WUR;

/* --- X-ARF ----------------------------------------------------------- */

/* What re-parsing an incident's sample lines tells beyond the incident. */
struct sample_facts {
	uint8_t		 proto;		/* enum ad_proto; 0 unknown */
	uint16_t	 src_port;	/* 0 unknown */
	const char	*service;	/* static; NULL unknown */
};

struct ad_report_input;
struct ad_report_item;

/*
 * Appends the XARF v4 JSON object for item `it` (the report's main
 * incident). `from` is our address, `evidence` the quoted log lines (already
 * printable and masked). Addresses of ours are left out when masking.
 */
int	xarf_json(struct ad_buf *out, const struct ad_report_input *in,
	    const struct ad_report_item *it, const struct sample_facts *f,
	    const char *from, const char *evidence, size_t evidence_len,
	    const struct mask_set *mask) AD_WUR;

#endif
