/*
 * reply.c - one reply through GMime into struct ad_reply (ad_reply.h).
 *
 * GMime does the MIME work (charsets, transfer encodings, RFC 2047, broken
 * mail); this file bounds what GMime is given, walks the parsed tree with
 * its own depth and part limits, and copies headers and text out as
 * sanitised, bounded UTF-8. Classification is classify.c, DSN fields dsn.c.
 *
 * GMime builds one object per MIME part and recurses per nesting level,
 * so a hostile 10 MiB message of empty parts or deep nesting would cost
 * far more memory and stack than its size. pre_scan() therefore counts the
 * containers and boundary lines in the raw bytes first and refuses the
 * message before GMime sees it; walk() enforces the same limits on what
 * GMime actually built.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <gmime/gmime.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_json.h"
#include "abusedesk/ad_reply.h"
#include "reply_int.h"

/* g_mime_init() is process-wide and not thread-safe: once, on first use. */
static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void
gmime_start(void)
{
	g_mime_init();
}

void
ad_reply_init(struct ad_reply *r)
{
	memset(r, 0, sizeof(*r));
	ad_buf_init(&r->text, AD_REPLY_TEXT_MAX);
}

void
ad_reply_free(struct ad_reply *r)
{
	if (r == NULL)
		return;
	ad_buf_free(&r->text);
}

const char *
reply_memcasemem(const char *h, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	if (m == 0)
		return h;
	for (i = 0; i + m <= n; i++)
		if (tolower((unsigned char)h[i]) ==
		    tolower((unsigned char)needle[0]) &&
		    strncasecmp(h + i, needle, m) == 0)
			return h + i;
	return NULL;
}

size_t
reply_copy(char *dst, size_t cap, const char *s, size_t n, bool lower,
    bool squeeze)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0, k;

	if (cap == 0)
		return 0;
	while (i < n) {
		k = ad_utf8_seq(p + i, n - i);
		if (k == 0) {
			if (o + 1 >= cap)
				break;
			dst[o++] = '?';
			i++;
			continue;
		}
		if (k == 1 && (p[i] < 0x20 || p[i] == 0x7f)) {
			i++;
			if (squeeze)
				continue;
			if (o + 1 >= cap)
				break;
			dst[o++] = ' ';
			continue;
		}
		if (o + k >= cap)
			break;
		if (k == 1 && lower)
			dst[o++] = (char)tolower(p[i]);
		else
			memcpy(dst + o, p + i, k), o += k;
		i += k;
	}
	dst[o] = '\0';
	return o;
}

/*
 * Bounds in the raw bytes. Over-counting is fine (a body line that looks
 * like a header counts too): the limits are far above real replies.
 */
struct boundary {
	const char	*s;
	size_t		 n;
};

static bool
has_prefix(const char *s, const char *end, const char *prefix)
{
	size_t l = strlen(prefix);

	return (size_t)(end - s) >= l && strncasecmp(s, prefix, l) == 0;
}

static int
pre_scan(const char *msg, size_t n, struct ad_diag *diag)
{
	const char *p = msg, *end = msg + n, *nl;
	size_t containers = 0, parts = 0, nb = 0, i;
	struct boundary *b = NULL;

	if ((b = ad_calloc(AD_REPLY_PARTS_MAX, sizeof(*b))) == NULL)
		return AD_ERR_NOMEM;
	for (; p < end; p = nl + 1) {
		size_t len;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		len = (size_t)(nl - p);
		if (len > 2 && p[0] == '-' && p[1] == '-' && nb > 0) {
			size_t l = len;

			while (l > 2 && (p[l - 1] == '\r' || p[l - 1] == ' ' ||
			    p[l - 1] == '\t'))
				l--;
			for (i = 0; i < nb; i++)
				if ((l == b[i].n + 2 || l == b[i].n + 4) &&
				    memcmp(p + 2, b[i].s, b[i].n) == 0)
					break;
			if (i < nb && ++parts > AD_REPLY_PARTS_MAX)
				goto limit_parts;
		}
		if (len > 13 && strncasecmp(p, "content-type:", 13) == 0) {
			const char *v = p + 13, *vend, *bp;

			/* The value with its folded continuation lines. */
			vend = nl;
			while (vend + 1 < end && (vend[1] == ' ' ||
			    vend[1] == '\t')) {
				const char *n2 = memchr(vend + 1, '\n',
				    (size_t)(end - vend - 1));

				vend = n2 ? n2 : end;
				if (vend - v > 4096)
					break;
			}
			while (v < vend && isspace((unsigned char)*v))
				v++;
			if (has_prefix(v, vend, "multipart/") ||
			    has_prefix(v, vend, "message/")) {
				if (++containers > AD_REPLY_PARTS_MAX)
					goto limit_parts;
			}
			if (has_prefix(v, vend, "multipart/") &&
			    (bp = reply_memcasemem(v, (size_t)(vend - v),
			    "boundary=")) != NULL && nb < AD_REPLY_PARTS_MAX) {
				const char *s = bp + 9, *e;

				if (s < vend && *s == '"') {
					s++;
					e = memchr(s, '"', (size_t)(vend - s));
					if (e == NULL)
						e = vend;
				} else
					for (e = s; e < vend && *e != ';' &&
					    !isspace((unsigned char)*e); e++)
						;
				if (e > s) {
					b[nb].s = s;
					b[nb].n = (size_t)(e - s);
					nb++;
				}
			}
		}
		if (nl == end)
			break;
	}
	ad_free(b);
	return AD_OK;
limit_parts:
	ad_free(b);
	return ad_diag_set(diag, AD_ERR_LIMIT, "message", 0,
	    "more than %d MIME parts or containers", AD_REPLY_PARTS_MAX);
}

/* What the walk collects; GMime objects are borrowed from the message. */
struct walk {
	struct ad_reply	*r;
	int		 parts;
	int		 err;
	const char	*err_what;
	GMimeTextPart	*plain;
	GMimeTextPart	*html;
	bool		 in_report;	/* below a multipart/report */
};

/* The decoded content of a leaf part, at most AD_REPLY_SIZE_MAX bytes. */
static GByteArray *
part_bytes(GMimePart *part)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *a;

	if (w == NULL)
		return NULL;
	mem = g_mime_stream_mem_new();
	/* The stream keeps the array; owner false so we can take it. */
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_mime_data_wrapper_write_to_stream(w, mem);
	a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_object_unref(mem);
	return a;
}

static void
token_from_text(struct ad_reply *r, const char *s, size_t n,
    enum ad_reply_token_from from)
{
	if (r->token[0] || s == NULL)
		return;
	if (ad_reply_find_token(s, n, false, r->token, &r->token_seq))
		r->token_from = from;
}

static bool
is_attachment(GMimeObject *o)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(o);

	return d != NULL && g_mime_content_disposition_is_attachment(d);
}

static void
walk(struct walk *w, GMimeObject *o, int depth)
{
	GMimeContentType *ct;

	if (o == NULL || w->err)
		return;
	if (depth > AD_REPLY_DEPTH_MAX) {
		w->err = AD_ERR_LIMIT;
		w->err_what = "MIME nesting deeper than the limit";
		return;
	}
	if (++w->parts > AD_REPLY_PARTS_MAX) {
		w->err = AD_ERR_LIMIT;
		w->err_what = "more MIME parts than the limit";
		return;
	}
	ct = g_mime_object_get_content_type(o);
	if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart *mp = GMIME_MULTIPART(o);
		bool was = w->in_report;
		int i, count = g_mime_multipart_get_count(mp);

		if (ct && g_mime_content_type_is_type(ct, "multipart",
		    "report")) {
			const char *rt = g_mime_content_type_get_parameter(ct,
			    "report-type");

			w->in_report = true;
			if (rt && (strcasecmp(rt, "delivery-status") == 0 ||
			    strcasecmp(rt, "global-delivery-status") == 0))
				w->r->dsn = true;
		}
		for (i = 0; i < count && !w->err; i++)
			walk(w, g_mime_multipart_get_part(mp, i), depth + 1);
		w->in_report = was;
		return;
	}
	if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *m = g_mime_message_part_get_message(
		    GMIME_MESSAGE_PART(o));
		const char *s;

		if (m == NULL)
			return;
		/* A returned or forwarded original: our token, not our text. */
		if ((s = g_mime_message_get_message_id(m)) != NULL)
			token_from_text(w->r, s, strlen(s), AD_TOKEN_RETURNED);
		if ((s = g_mime_message_get_subject(m)) != NULL)
			token_from_text(w->r, s, strlen(s), AD_TOKEN_RETURNED);
		/* Count (and bound) what GMime built inside it. */
		walk(w, g_mime_message_get_mime_part(m), depth + 1);
		return;
	}
	if (!GMIME_IS_PART(o) || ct == NULL)
		return;
	if (g_mime_content_type_is_type(ct, "message", "delivery-status") ||
	    g_mime_content_type_is_type(ct, "message",
	    "global-delivery-status") ||
	    g_mime_content_type_is_type(ct, "text", "rfc822-headers") ||
	    (w->in_report && g_mime_content_type_is_type(ct, "message",
	    "rfc822"))) {
		GByteArray *a = part_bytes(GMIME_PART(o));

		if (a == NULL)
			return;
		/* An empty part has no data pointer at all. */
		if (a->len == 0)
			;
		else if (g_mime_content_type_is_type(ct, "message", "*") &&
		    !g_mime_content_type_is_type(ct, "message", "rfc822"))
			reply_parse_dsn(w->r, (const char *)a->data, a->len);
		else
			token_from_text(w->r, (const char *)a->data, a->len,
			    AD_TOKEN_RETURNED);
		g_byte_array_free(a, TRUE);
		return;
	}
	if (!GMIME_IS_TEXT_PART(o) || is_attachment(o))
		return;
	/* Inside a report the text parts after the first are the original. */
	if (g_mime_content_type_is_type(ct, "text", "plain")) {
		if (w->plain == NULL)
			w->plain = GMIME_TEXT_PART(o);
	} else if (g_mime_content_type_is_type(ct, "text", "html")) {
		if (w->html == NULL)
			w->html = GMIME_TEXT_PART(o);
	}
}

/* Appends text to r->text with CRLF -> LF, valid UTF-8, bounded. */
static void
add_text(struct ad_reply *r, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		k = ad_utf8_seq(p + i, n - i);
		if (k == 0) {
			if (ad_buf_addc(&r->text, '?') != AD_OK)
				goto full;
			i++;
			continue;
		}
		if (k == 1 && (p[i] == '\r' || p[i] == '\0' ||
		    (p[i] < 0x20 && p[i] != '\n' && p[i] != '\t'))) {
			/* A lone CR (old Mac) is a line end; CRLF is one. */
			if (p[i] == '\r' && (i + 1 >= n || p[i + 1] != '\n') &&
			    ad_buf_addc(&r->text, '\n') != AD_OK)
				goto full;
			i++;
			continue;
		}
		if (ad_buf_add(&r->text, p + i, k) != AD_OK)
			goto full;
		i += k;
	}
	return;
full:
	r->text_truncated = true;
}

static int
tag_is(const char *t, size_t n, const char *name)
{
	size_t l = strlen(name);

	if (n > 0 && *t == '/')
		t++, n--;
	return n >= l && strncasecmp(t, name, l) == 0 &&
	    (n == l || !isalnum((unsigned char)t[l]));
}

/*
 * HTML to text, simply: tags dropped, <br> <p> <div> <tr> <li> become line
 * ends, <script>/<style> content dropped, a few entities decoded, and the
 * lines inside <blockquote> prefixed with "> " so the quote cut sees them.
 */
static void
add_html(struct ad_reply *r, const char *s, size_t n)
{
	static const struct { const char *e; const char *t; } ent[] = {
		{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" },
		{ "&quot;", "\"" }, { "&#39;", "'" }, { "&apos;", "'" },
		{ "&nbsp;", " " }, { "&#160;", " " },
	};
	size_t i = 0, j;
	int quote = 0, skip = 0;
	bool bol = true;

	while (i < n && !r->text_truncated) {
		if (s[i] == '<') {
			const char *gt = memchr(s + i, '>', n - i);
			const char *t = s + i + 1;
			size_t tl;

			if (gt == NULL)
				break;
			tl = (size_t)(gt - t);
			if (tag_is(t, tl, "script") || tag_is(t, tl, "style"))
				skip += *t == '/' ? (skip > 0 ? -1 : 0) : 1;
			else if (tag_is(t, tl, "blockquote"))
				quote += *t == '/' ? (quote > 0 ? -1 : 0) : 1;
			if (tag_is(t, tl, "br") || tag_is(t, tl, "p") ||
			    tag_is(t, tl, "div") || tag_is(t, tl, "tr") ||
			    tag_is(t, tl, "li") || tag_is(t, tl, "blockquote")) {
				add_text(r, "\n", 1);
				bol = true;
			}
			i = (size_t)(gt - s) + 1;
			continue;
		}
		if (skip > 0) {
			i++;
			continue;
		}
		if (s[i] == '\r' || s[i] == '\n') {
			/* Source line breaks are spaces in HTML. */
			if (!bol)
				add_text(r, " ", 1);
			i++;
			continue;
		}
		if (bol && quote > 0)
			add_text(r, "> ", 2);
		bol = false;
		if (s[i] == '&') {
			for (j = 0; j < sizeof(ent) / sizeof(ent[0]); j++) {
				size_t l = strlen(ent[j].e);

				if (n - i >= l && strncasecmp(s + i, ent[j].e,
				    l) == 0) {
					add_text(r, ent[j].t, strlen(ent[j].t));
					i += l;
					break;
				}
			}
			if (j < sizeof(ent) / sizeof(ent[0]))
				continue;
		}
		add_text(r, s + i, 1);
		i++;
	}
}

static void
take_text(struct ad_reply *r, GMimeTextPart *tp, bool html)
{
	const char *cs = g_mime_object_get_content_type_parameter(
	    GMIME_OBJECT(tp), "charset");
	char *t = NULL;

	/*
	 * 8-bit text without a charset: GMime hands the bytes over as they
	 * are; when they are not UTF-8 they are most likely Windows-1252
	 * (old mailers in western Europe), which beats '?' for every letter.
	 */
	if (cs == NULL) {
		GByteArray *a = part_bytes(GMIME_PART(tp));

		if (a != NULL && a->len > 0 && !ad_utf8_valid((const char *)
		    a->data, a->len))
			t = g_convert((const char *)a->data, (gssize)a->len,
			    "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
		if (a != NULL)
			g_byte_array_free(a, TRUE);
	}
	if (t == NULL)
		t = g_mime_text_part_get_text(tp);
	if (t == NULL)
		return;
	if (html)
		add_html(r, t, strlen(t));
	else
		add_text(r, t, strlen(t));
	g_free(t);
}

/* A message-id without <> and blanks, or "". */
static void
copy_msgid(char dst[AD_REPLY_MSGID_MAX], const char *s)
{
	if (s == NULL) {
		dst[0] = '\0';
		return;
	}
	reply_copy(dst, AD_REPLY_MSGID_MAX, s, strlen(s), false, true);
	if (strpbrk(dst, " <>") != NULL)
		dst[0] = '\0';
}

static void
read_ids(struct ad_reply *r, GMimeObject *top)
{
	const char *irt = g_mime_object_get_header(top, "In-Reply-To");
	const char *refs = g_mime_object_get_header(top, "References");
	GMimeReferences *l;
	int i, count, first;

	if (irt != NULL && (l = g_mime_references_parse(NULL, irt)) != NULL) {
		if (g_mime_references_length(l) > 0)
			copy_msgid(r->in_reply_to,
			    g_mime_references_get_message_id(l, 0));
		g_mime_references_free(l);
	}
	if (refs != NULL && (l = g_mime_references_parse(NULL, refs)) != NULL) {
		count = g_mime_references_length(l);
		/* The newest are last; keep those. */
		first = count > AD_REPLY_REFS_MAX ? count - AD_REPLY_REFS_MAX : 0;
		for (i = first; i < count; i++) {
			copy_msgid(r->references[r->n_references],
			    g_mime_references_get_message_id(l, i));
			if (r->references[r->n_references][0])
				r->n_references++;
		}
		g_mime_references_free(l);
	}
}

static bool
header_says_auto(GMimeObject *top)
{
	static const char *const hdr[] = {
		"Auto-Submitted", "X-Autoreply", "X-Autorespond",
		"X-Autogenerated", "X-Auto-Response",
	};
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++) {
		if ((v = g_mime_object_get_header(top, hdr[i])) == NULL)
			continue;
		while (isspace((unsigned char)*v))
			v++;
		if (*v && strncasecmp(v, "no", 2) != 0)
			return true;
	}
	v = g_mime_object_get_header(top, "Precedence");
	return v != NULL && reply_memcasemem(v, strlen(v), "auto_reply") != NULL;
}

static void
read_headers(struct ad_reply *r, GMimeMessage *m)
{
	GMimeObject *top = GMIME_OBJECT(m);
	InternetAddressList *from = g_mime_message_get_from(m);
	GDateTime *dt = g_mime_message_get_date(m);
	const char *s;

	copy_msgid(r->message_id, g_mime_message_get_message_id(m));
	read_ids(r, top);
	if (from != NULL && internet_address_list_length(from) > 0) {
		InternetAddress *a = internet_address_list_get_address(from, 0);

		if (INTERNET_ADDRESS_IS_MAILBOX(a) &&
		    (s = internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(a))) != NULL)
			reply_copy(r->from, sizeof(r->from), s, strlen(s),
			    true, true);
		if (strchr(r->from, ' ') != NULL)
			r->from[0] = '\0';
	}
	if ((s = g_mime_message_get_subject(m)) != NULL)
		reply_copy(r->subject, sizeof(r->subject), s, strlen(s), false,
		    false);
	if (dt != NULL) {
		r->date.utc = g_date_time_to_unix(dt);
		r->date.off_min = (int16_t)(g_date_time_get_utc_offset(dt) /
		    G_TIME_SPAN_MINUTE);
		r->date.valid = true;
	}
	r->auto_submitted = header_says_auto(top);
	/* Exim names what failed in a header; the body says it again. */
	if ((s = g_mime_object_get_header(top, "X-Failed-Recipients")) != NULL) {
		const char *p = s, *e;

		while (*p) {
			while (*p == ',' || isspace((unsigned char)*p))
				p++;
			for (e = p; *e && *e != ',' && !isspace((unsigned char)*e);
			    e++)
				;
			if (e > p)
				(void)reply_add_rcpt(r, p, (size_t)(e - p));
			p = e;
		}
	}
}

/* The token: subject, In-Reply-To, References (newest first), body. */
static void
find_token(struct ad_reply *r)
{
	char tok[AD_REPLY_TOKEN_MAX];
	unsigned seq = 0;
	size_t i;

	if (ad_reply_find_token(r->subject, strlen(r->subject), true, tok,
	    &seq)) {
		memcpy(r->token, tok, sizeof(tok));
		r->token_from = AD_TOKEN_SUBJECT;
		r->token_seq = 0;
	}
	/* The message-id also says which message of the thread it answers. */
	if (ad_reply_find_token(r->in_reply_to, strlen(r->in_reply_to), false,
	    tok, &seq) && (r->token[0] == '\0' || strcmp(tok, r->token) == 0)) {
		if (r->token[0] == '\0') {
			memcpy(r->token, tok, sizeof(tok));
			r->token_from = AD_TOKEN_IN_REPLY_TO;
		}
		r->token_seq = seq;
		return;
	}
	for (i = r->n_references; i-- > 0;) {
		if (!ad_reply_find_token(r->references[i],
		    strlen(r->references[i]), false, tok, &seq))
			continue;
		if (r->token[0] == '\0') {
			memcpy(r->token, tok, sizeof(tok));
			r->token_from = AD_TOKEN_REFERENCES;
		}
		if (strcmp(tok, r->token) == 0) {
			r->token_seq = seq;
			return;
		}
	}
}

int
ad_reply_parse(const char *msg, size_t n, struct ad_reply *r,
    struct ad_diag *diag)
{
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *m = NULL;
	struct walk w;
	int err;

	ad_buf_free(&r->text);
	ad_reply_init(r);
	if (msg == NULL)
		msg = "", n = 0;
	if (n > AD_REPLY_SIZE_MAX)
		return ad_diag_set(diag, AD_ERR_LIMIT, "message", 0,
		    "message of %zu bytes is over the %d MiB limit", n,
		    AD_REPLY_SIZE_MAX / (1024 * 1024));
	if ((err = pre_scan(msg, n, diag)) != AD_OK)
		return err;
	pthread_once(&gmime_once, gmime_start);
	stream = g_mime_stream_mem_new_with_buffer(msg, n);
	parser = g_mime_parser_new_with_stream(stream);
	m = g_mime_parser_construct_message(parser, NULL);
	if (m == NULL) {
		err = ad_diag_set(diag, AD_ERR_PARSE, "message", 0,
		    "not a mail message (no header)");
		goto out;
	}
	read_headers(r, m);
	memset(&w, 0, sizeof(w));
	w.r = r;
	walk(&w, g_mime_message_get_mime_part(m), 1);
	if (w.err) {
		err = ad_diag_set(diag, w.err, "message", 0, "%s (%d)",
		    w.err_what, w.err_what[0] == 'M' ? AD_REPLY_DEPTH_MAX :
		    AD_REPLY_PARTS_MAX);
		goto out;
	}
	if (w.plain != NULL)
		take_text(r, w.plain, false);
	else if (w.html != NULL)
		take_text(r, w.html, true);
	find_token(r);
	token_from_text(r, ad_buf_str(&r->text), r->text.len, AD_TOKEN_BODY);
	ad_reply_classify(r);
	err = AD_OK;
out:
	if (m != NULL)
		g_object_unref(m);
	if (parser != NULL)
		g_object_unref(parser);
	if (stream != NULL)
		g_object_unref(stream);
	return err;
}

static const char *const class_names[AD_REPLY_CLASS_COUNT] = {
	[AD_REPLY_UNKNOWN] = "unknown",
	[AD_REPLY_AUTO_ACK] = "auto-ack",
	[AD_REPLY_WEB_FORM] = "web-form",
	[AD_REPLY_FORWARDED] = "forwarded",
	[AD_REPLY_RESOLVED] = "resolved",
	[AD_REPLY_NOT_OUR_NETWORK] = "not-our-network",
	[AD_REPLY_MORE_INFO] = "more-info",
	[AD_REPLY_STOP] = "stop",
	[AD_REPLY_BOUNCE] = "bounce",
};

const char *
ad_reply_class_name(enum ad_reply_class c)
{
	if ((unsigned)c >= AD_REPLY_CLASS_COUNT)
		return "unknown";
	return class_names[c];
}

int
ad_reply_class_from_name(const char *name)
{
	int i;

	for (i = 0; i < AD_REPLY_CLASS_COUNT; i++)
		if (strcmp(name, class_names[i]) == 0)
			return i;
	return -1;
}

const char *
ad_reply_token_from_name(enum ad_reply_token_from f)
{
	switch (f) {
	case AD_TOKEN_SUBJECT:		return "subject";
	case AD_TOKEN_IN_REPLY_TO:	return "in-reply-to";
	case AD_TOKEN_REFERENCES:	return "references";
	case AD_TOKEN_RETURNED:		return "returned";
	case AD_TOKEN_BODY:		return "body";
	default:			return "none";
	}
}

/* "" as null: absent fields read as absent in JSON. */
static int
kv_opt(struct ad_buf *b, bool *first, const char *key, const char *s)
{
	return ad_json_kv_str(b, first, key, s && *s ? s : NULL);
}

/* The first error of a series of appends; later ones are not tried. */
#define J(x)	do { if (e == AD_OK) e = (x); } while (0)

int
ad_reply_json(const struct ad_reply *r, bool with_text, struct ad_buf *b)
{
	char t[AD_ISO_STRLEN], tu[AD_ISO_STRLEN];
	bool first = true, f2;
	size_t i;
	int e = AD_OK;

	J(ad_buf_addc(b, '{'));
	J(kv_opt(b, &first, "message_id", r->message_id));
	J(kv_opt(b, &first, "in_reply_to", r->in_reply_to));
	J(ad_json_key(b, &first, "references"));
	J(ad_buf_addc(b, '['));
	for (i = 0; i < r->n_references; i++) {
		if (i > 0)
			J(ad_buf_addc(b, ','));
		J(ad_json_str(b, r->references[i], strlen(r->references[i])));
	}
	J(ad_buf_addc(b, ']'));
	J(kv_opt(b, &first, "from", r->from));
	J(ad_json_kv_str(b, &first, "subject", r->subject));
	J(kv_opt(b, &first, "date", r->date.valid ?
	    ad_instant_format(&r->date, t) : NULL));
	J(kv_opt(b, &first, "date_utc", r->date.valid ?
	    ad_instant_format_utc(&r->date, tu) : NULL));
	J(ad_json_kv_bool(b, &first, "auto_submitted", r->auto_submitted));
	J(kv_opt(b, &first, "token", r->token));
	J(ad_json_kv_str(b, &first, "token_from",
	    ad_reply_token_from_name(r->token_from)));
	J(ad_json_kv_int(b, &first, "token_seq", r->token_seq));
	J(ad_json_kv_str(b, &first, "class", ad_reply_class_name(r->cls)));
	J(ad_json_kv_str(b, &first, "why", r->why));
	J(kv_opt(b, &first, "ticket", r->ticket));
	J(kv_opt(b, &first, "form_url", r->form_url));
	J(ad_json_kv_bool(b, &first, "dsn", r->dsn));
	J(ad_json_kv_bool(b, &first, "permanent", r->permanent));
	J(ad_json_key(b, &first, "recipients"));
	J(ad_buf_addc(b, '['));
	for (i = 0; i < r->n_rcpt; i++) {
		const struct ad_reply_rcpt *rc = &r->rcpt[i];

		if (i > 0)
			J(ad_buf_addc(b, ','));
		f2 = true;
		J(ad_buf_addc(b, '{'));
		J(ad_json_kv_str(b, &f2, "addr", rc->addr));
		J(kv_opt(b, &f2, "action", rc->action));
		J(kv_opt(b, &f2, "status", rc->status));
		J(kv_opt(b, &f2, "diagnostic", rc->diag));
		J(ad_json_kv_bool(b, &f2, "permanent", rc->permanent));
		J(ad_buf_addc(b, '}'));
	}
	J(ad_buf_addc(b, ']'));
	J(ad_json_kv_bool(b, &first, "text_truncated", r->text_truncated));
	if (with_text) {
		J(ad_json_kv_strn(b, &first, "text", ad_buf_str(&r->text),
		    r->text_own_len));
		J(ad_json_kv_strn(b, &first, "quoted",
		    ad_buf_str(&r->text) + r->text_own_len,
		    r->text.len - r->text_own_len));
	}
	J(ad_buf_addc(b, '}'));
	return e;
}
