/*
 * compose.c - one incident source in, one RFC 5322 message out (see
 * ad_report.h for the order of the parts and why).
 *
 * The body is assembled with LF line ends from templates and only turned
 * into CRLF (or quoted-printable, when a quoted log line is longer than
 * SMTP's 998-byte limit) at the end, so the parts need not care. Every
 * value that came from outside (log lines, whois text, config) is made
 * printable before it reaches a template, and every header value is
 * checked; nothing from a log or a registry can start a header or a MIME
 * part.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_json.h"
#include "abusedesk/ad_parse.h"
#include "abusedesk/ad_report.h"
#include "report_int.h"

#define MESSAGE_MAX	(4u << 20)	/* 50 long lines, escaped, and X-ARF fit */
#define WRAP		72
#define NVARS		48
#define USER_TEXT_MAX	(AD_INC_USER_LEN * 6 + 1)	/* escaped */

static const char *const languages[] = {
	"de", "fr", "es", "pt", "it", "nl", "pl", "ru", "zh", "ja", NULL
};

static const char *const phrases[AD_CAT__COUNT] = {
	[AD_CAT_SSH_BRUTEFORCE] = "SSH brute force",
	[AD_CAT_SSH_PROBE] = "SSH probing",
	[AD_CAT_PORT_SCAN] = "Port scan",
	[AD_CAT_WEB_PROBE] = "Web vulnerability probing",
	[AD_CAT_WEB_BRUTEFORCE] = "Web login brute force",
	[AD_CAT_WEB_FLOOD] = "Web request flood",
	[AD_CAT_WEB_BAD_BOT] = "Abusive web crawler",
	[AD_CAT_WEB_SPAM] = "Referrer spam",
	[AD_CAT_WORM] = "Worm traffic",
	[AD_CAT_MAIL_BRUTEFORCE] = "Mail login brute force",
	[AD_CAT_MAIL_SPAM] = "Spam and relay attempts",
	[AD_CAT_FTP_BRUTEFORCE] = "FTP brute force",
	[AD_CAT_AUTH_BRUTEFORCE] = "Login brute force",
	[AD_CAT_IDS_ALERT] = "Intrusion attempts",
	[AD_CAT_DNS_ABUSE] = "DNS abuse",
	[AD_CAT_PROXY_ABUSE] = "Open proxy probing",
	[AD_CAT_REPEAT_OFFENDER] = "Repeated attacks",
};

const char *
ad_report_category_phrase(enum ad_category c)
{
	return (unsigned)c < AD_CAT__COUNT && phrases[c] ? phrases[c] :
	    "Unwanted traffic";
}

const char *const *
ad_report_languages(void)
{
	return languages;
}

/*
 * Where a country's network is likely read. Only countries where one of
 * our languages is the working language of most networks are mapped; CH
 * gets German (the majority language and what most Swiss network operators
 * use), BE gets Dutch (the larger community), CA none (English is read
 * there anyway): a wrong guess is worse than English alone.
 */
static const struct {
	const char	*cc;
	const char	*lang;
} country_lang[] = {
	{ "AT", "de" }, { "CH", "de" }, { "DE", "de" }, { "LI", "de" },
	{ "FR", "fr" }, { "LU", "fr" }, { "MC", "fr" }, { "SN", "fr" },
	{ "CI", "fr" }, { "CM", "fr" }, { "MA", "fr" }, { "TN", "fr" },
	{ "DZ", "fr" }, { "BF", "fr" }, { "ML", "fr" }, { "NE", "fr" },
	{ "BJ", "fr" }, { "TG", "fr" }, { "GA", "fr" }, { "CD", "fr" },
	{ "CG", "fr" }, { "MG", "fr" }, { "HT", "fr" },
	{ "ES", "es" }, { "MX", "es" }, { "AR", "es" }, { "CO", "es" },
	{ "CL", "es" }, { "PE", "es" }, { "VE", "es" }, { "EC", "es" },
	{ "GT", "es" }, { "CU", "es" }, { "BO", "es" }, { "DO", "es" },
	{ "HN", "es" }, { "PY", "es" }, { "SV", "es" }, { "NI", "es" },
	{ "CR", "es" }, { "PA", "es" }, { "UY", "es" }, { "PR", "es" },
	{ "PT", "pt" }, { "BR", "pt" }, { "AO", "pt" }, { "MZ", "pt" },
	{ "CV", "pt" }, { "GW", "pt" }, { "ST", "pt" },
	{ "IT", "it" }, { "SM", "it" }, { "VA", "it" },
	{ "NL", "nl" }, { "BE", "nl" }, { "SR", "nl" },
	{ "PL", "pl" },
	{ "RU", "ru" }, { "BY", "ru" }, { "KZ", "ru" }, { "KG", "ru" },
	{ "CN", "zh" }, { "TW", "zh" }, { "HK", "zh" }, { "MO", "zh" },
	{ "JP", "ja" },
};

const char *
ad_report_lang_for_country(const char *country)
{
	size_t i;

	if (country == NULL || strlen(country) != 2)
		return NULL;
	for (i = 0; i < sizeof(country_lang) / sizeof(country_lang[0]); i++)
		if ((country[0] & ~0x20) == country_lang[i].cc[0] &&
		    (country[1] & ~0x20) == country_lang[i].cc[1])
			return country_lang[i].lang;
	return NULL;
}

bool
ad_header_value_ok(const char *s, size_t n)
{
	size_t i;

	if (s == NULL || n > 998)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return ad_utf8_valid(s, n);
}

void
ad_report_out_init(struct ad_report_out *o)
{
	ad_buf_init(&o->message, MESSAGE_MAX);
	o->subject[0] = '\0';
}

void
ad_report_out_free(struct ad_report_out *o)
{
	ad_buf_free(&o->message);
	o->subject[0] = '\0';
}

/*
 * Length of a code point at p that is valid UTF-8 but must not reach a
 * reader as is: C1 controls, zero-width and direction marks, bidi
 * embeddings and isolates, line and paragraph separators, BOM. A log line
 * with an RLO in its user name would otherwise display reordered.
 */
static size_t
invisible(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
		return 2;
	if (n < 3)
		return 0;
	if (p[0] == 0xe2 && p[1] == 0x80 && ((p[2] >= 0x8b && p[2] <= 0x8f) ||
	    (p[2] >= 0xa8 && p[2] <= 0xae)))
		return 3;
	if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
		return 3;
	if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return 3;
	return 0;
}

/*
 * Appends untrusted text for the report: printable as on a terminal
 * (ad_buf_add_printable: control bytes and invalid UTF-8 become \xHH), and
 * invisible or reordering code points become \u escapes.
 */
static int
add_text(struct ad_buf *b, const char *s, size_t n)
{
	const unsigned char *p;
	size_t start = b->len, i, l, run;
	struct ad_buf tmp;
	int r;

	if ((r = ad_buf_add_printable(b, s, n)) != AD_OK)
		return r;
	p = (const unsigned char *)b->p + start;
	for (i = 0; i < b->len - start; i++)
		if (invisible(p + i, b->len - start - i))
			break;
	if (b->p == NULL || i == b->len - start)
		return AD_OK;	/* the common case: nothing to escape */
	ad_buf_init(&tmp, b->max);
	r = ad_buf_add(&tmp, b->p + start, b->len - start);
	b->len = start;
	b->p[start] = '\0';
	p = (const unsigned char *)ad_buf_str(&tmp);
	for (i = 0, run = 0; r == AD_OK && i < tmp.len; ) {
		if ((l = invisible(p + i, tmp.len - i)) == 0) {
			i++;
			run++;
			continue;
		}
		unsigned cp = l == 2 ? (unsigned)(p[i + 1] & 0x3f) | 0x80 :
		    ((unsigned)(p[i] & 0x0f) << 12) |
		    ((unsigned)(p[i + 1] & 0x3f) << 6) | (p[i + 2] & 0x3f);

		if ((r = ad_buf_add(b, p + i - run, run)) == AD_OK)
			r = ad_buf_addf(b, "\\u%04x", cp);
		run = 0;
		i += l;
	}
	if (r == AD_OK)
		r = ad_buf_add(b, p + i - run, run);
	ad_buf_free(&tmp);
	return r;
}

/* --- the composition ------------------------------------------------- */

struct comp {
	const struct ad_report_input	*in;
	struct ad_diag			*diag;
	struct tpl_set			 ts;
	struct mask_set			 mask;
	struct ad_addr			*ours;		/* the targets, masked */
	struct sample_facts		*facts;		/* per item */
	size_t				 main;		/* item with most events */
	const char			*from;
	struct ad_buf			 body;		/* LF line ends */
	struct ad_buf			 tmp;
	struct ad_buf			 val;
	struct ad_buf			 lines;		/* main item's, for X-ARF */
	/* Values of the placeholders (owned copies). */
	struct tpl_var			 vars[NVARS];
	char				*vals[NVARS];
	size_t				 n_vars;
};

static void
vars_clear(struct comp *c)
{
	size_t i;

	for (i = 0; i < c->n_vars; i++)
		ad_free(c->vals[i]);
	c->n_vars = 0;
}

/* Sets placeholder name to value (copied; later sets of a name win). */
static int
var_set(struct comp *c, const char *name, const char *value)
{
	size_t i;
	char *v = ad_strndup(value, strlen(value));

	if (v == NULL)
		return AD_ERR_NOMEM;
	for (i = 0; i < c->n_vars; i++)
		if (strcmp(c->vars[i].name, name) == 0) {
			ad_free(c->vals[i]);
			c->vals[i] = v;
			c->vars[i].value = v;
			return AD_OK;
		}
	if (c->n_vars == NVARS) {
		ad_free(v);
		return AD_ERR_LIMIT;
	}
	c->vars[c->n_vars].name = name;
	c->vars[c->n_vars].value = v;
	c->vals[c->n_vars++] = v;
	return AD_OK;
}

static int
var_setf(struct comp *c, const char *name, const char *fmt, ...)
    AD_PRINTF(3, 4);

static int
var_setf(struct comp *c, const char *name, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return var_set(c, name, buf);
}

/* Sets name to printable(s): outside text never brings its own lines. */
static int
var_set_printable(struct comp *c, const char *name, const char *s, size_t n)
{
	int r;

	ad_buf_reset(&c->val);
	if ((r = add_text(&c->val, s, n)) != AD_OK)
		return r;
	return var_set(c, name, ad_buf_str(&c->val));
}

/* Renders an English phrase into name. */
static int
var_phrase(struct comp *c, const char *name, const char *key)
{
	int r;

	ad_buf_reset(&c->val);
	if ((r = tpl_phrase(&c->ts, "en", key, c->vars, c->n_vars,
	    &c->val)) != AD_OK)
		return r;
	return var_set(c, name, ad_buf_str(&c->val));
}

/* n_events: "84 events" or "1 event", from the current {events}. */
static int
var_events(struct comp *c, uint64_t events)
{
	int r;

	if ((r = var_setf(c, "events", "%llu", (unsigned long long)events))
	    != AD_OK)
		return r;
	return var_phrase(c, "n_events", events == 1 ? "events.one" :
	    "events");
}

/* Renders template lang/name, wrapped, into the body. */
static int
part(struct comp *c, const char *lang, const char *name)
{
	int r;

	ad_buf_reset(&c->tmp);
	if ((r = tpl_render_file(&c->ts, lang, name, c->vars, c->n_vars,
	    &c->tmp)) != AD_OK)
		return r;
	return text_wrap(&c->body, ad_buf_str(&c->tmp), c->tmp.len, WRAP);
}

/* "2026-11-22 17:45:03 UTC+01:00" or, utc, "2026-11-22 16:45:03 UTC". */
static void
time_text(const struct ad_instant *t, bool utc, char *out, size_t n)
{
	char iso[AD_ISO_STRLEN], *p;
	size_t l;

	if (utc)
		ad_instant_format_utc(t, iso);
	else
		ad_instant_format(t, iso);
	if ((p = strchr(iso, 'T')) != NULL)
		*p = ' ';
	l = strlen(iso);
	if (utc && l > 0 && iso[l - 1] == 'Z') {
		iso[l - 1] = '\0';
		snprintf(out, n, "%s UTC", iso);
	} else if (!utc && l >= 6) {
		snprintf(out, n, "%.*s UTC%s", (int)(l - 6), iso, iso + l - 6);
	} else
		snprintf(out, n, "%s", iso);
}

/* "+01:00" of an offset in minutes. */
static void
offset_text(int off, char out[8])
{
	int a = off < 0 ? -off : off;

	snprintf(out, 8, "%c%02d:%02d", off < 0 ? '-' : '+', a / 60 % 100,
	    a % 60);
}

/* Sets name to the time as time_text writes it, or to "unknown". */
static int
var_time(struct comp *c, const char *name, const struct ad_instant *t,
    bool utc)
{
	char buf[64];

	if (!t->valid)
		return var_phrase(c, name, "unknown");
	time_text(t, utc, buf, sizeof(buf));
	return var_set(c, name, buf);
}

/* Re-parses the sample lines: protocol, source port and service are in
 * the lines but not in the incident. */
static int
sample_facts(const struct ad_report_item *it, struct sample_facts *f)
{
	struct ad_parser *p;
	struct ad_event ev;
	size_t i;

	memset(f, 0, sizeof(*f));
	p = ad_parser_new(AD_FAMILY_AUTO, 0, 2000);
	if (p == NULL)
		return AD_ERR_NOMEM;
	for (i = 0; i < it->n_samples; i++) {
		ad_parser_reset(p, 0);
		if (it->samples[i].text == NULL ||
		    ad_parse_line(p, it->samples[i].text, it->samples[i].len,
		    &ev) != 1 || !ad_addr_equal(&ev.src, &it->inc->src))
			continue;
		if (f->proto == 0)
			f->proto = ev.proto;
		if (f->src_port == 0)
			f->src_port = ev.src_port;
		if (f->service == NULL)
			f->service = ev.service;
	}
	ad_parser_free(p);
	return AD_OK;
}

static bool
token_ok(const char *t)
{
	size_t n = strlen(t), i;

	if (n == 0 || n > AD_REPORT_TOKEN_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' &&
		    t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9') ||
		    t[i] == '-'))
			return false;
	return true;
}

static bool
msgid_ok(const char *m)
{
	size_t n = strlen(m);

	return n >= 5 && m[0] == '<' && m[n - 1] == '>' &&
	    strchr(m, '@') != NULL && strpbrk(m, " \t") == NULL &&
	    strchr(m + 1, '<') == NULL && strchr(m, '>') == m + n - 1 &&
	    ad_header_value_ok(m, n);
}

/*
 * The fallback sender "user@host" (no identity configured) may name a host
 * without a domain; otherwise it is held to ad_email_valid's plain syntax.
 */
static bool
fallback_ok(const char *a)
{
	const char *at = strchr(a, '@'), *p;

	if (ad_email_valid(a, strlen(a)))
		return true;
	if (at == NULL || at == a || at[1] == '\0' || strlen(a) > AD_EMAIL_MAX)
		return false;
	for (p = a; p < at; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("._+-", *p) != NULL))
			return false;
	for (p = at + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return at[1] != '-';
}

/* Checks every value that reaches a header (or frames the body). */
static int
check_input(struct comp *c)
{
	const struct ad_report_input *in = c->in;
	const struct ad_report_contact *k = in->contact;
	const struct ad_identity *me = in->me;
	size_t i;
	struct {
		const char *what, *s;
	} plain[] = {
		{ "identity name", me->name }, { "identity org", me->org },
		{ "identity phone", me->phone }, { "identity victim", me->victim },
	};

	if (in->n_items == 0 || in->items == NULL)
		return ad_diag_set(c->diag, AD_ERR_USAGE, "report", 0,
		    "nothing to report");
	for (i = 0; i < in->n_items; i++)
		if (in->items[i].inc == NULL ||
		    (in->items[i].n_samples && in->items[i].samples == NULL))
			return ad_diag_set(c->diag, AD_ERR_USAGE, "report", 0,
			    "item %zu has no incident", i);
	if (k->to[0] == '\0')
		return ad_diag_set(c->diag, AD_ERR_USAGE, "report", 0,
		    "no recipient");
	if (!ad_header_value_ok(k->to, strlen(k->to)) ||
	    !ad_email_valid(k->to, strlen(k->to)))
		return ad_diag_set(c->diag, AD_ERR_PARSE, "To", 0,
		    "unsafe recipient address refused");
	if (k->cc[0] != '\0' && (!ad_header_value_ok(k->cc, strlen(k->cc)) ||
	    !ad_email_valid(k->cc, strlen(k->cc))))
		return ad_diag_set(c->diag, AD_ERR_PARSE, "Cc", 0,
		    "unsafe copy address refused");
	c->from = me->email[0] != '\0' ? me->email : in->from_fallback;
	if (c->from == NULL || c->from[0] == '\0')
		return ad_diag_set(c->diag, AD_ERR_USAGE, "From", 0,
		    "no sender address");
	if (!ad_header_value_ok(c->from, strlen(c->from)) ||
	    !(c->from == me->email ? ad_email_valid(c->from, strlen(c->from)) :
	    fallback_ok(c->from)))
		return ad_diag_set(c->diag, AD_ERR_PARSE, "From", 0,
		    "unsafe sender address refused");
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (!ad_header_value_ok(plain[i].s, strlen(plain[i].s)))
			return ad_diag_set(c->diag, AD_ERR_PARSE, plain[i].what,
			    0, "control characters or invalid UTF-8 refused");
	if (in->token == NULL || !token_ok(in->token))
		return ad_diag_set(c->diag, AD_ERR_PARSE, "token", 0,
		    "a token is 1-%d letters, digits or '-'",
		    AD_REPORT_TOKEN_MAX);
	if (in->message_id == NULL || !msgid_ok(in->message_id))
		return ad_diag_set(c->diag, AD_ERR_PARSE, "Message-ID", 0,
		    "not a <local@domain> message id");
	if (in->lang != NULL && in->lang[0] != '\0' &&
	    strcmp(in->lang, "en") != 0) {
		for (i = 0; languages[i] != NULL; i++)
			if (strcmp(languages[i], in->lang) == 0)
				break;
		if (languages[i] == NULL)
			return ad_diag_set(c->diag, AD_ERR_NOTFOUND, in->lang,
			    0, "no templates for this language");
	}
	if (in->template_dir != NULL) {
		struct stat st;

		if (stat(in->template_dir, &st) != 0 || !S_ISDIR(st.st_mode))
			return ad_diag_set(c->diag, AD_ERR_NOTFOUND,
			    in->template_dir, 0,
			    "template directory does not exist");
	}
	return AD_OK;
}

/* Events of every item: what the first paragraph counts. */
static uint64_t
events_total(const struct comp *c)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < c->in->n_items; i++)
		n += c->in->items[i].inc->events;
	return n;
}

/* The values every part may use. */
static int
common_vars(struct comp *c)
{
	const struct ad_report_input *in = c->in;
	const struct ad_report_item *m = &in->items[c->main];
	struct ad_instant first = m->inc->first, last = m->inc->last;
	char a[AD_ADDR_STRLEN], t[64];
	size_t i;
	int r;

	for (i = 0; i < in->n_items; i++) {
		const struct ad_incident *inc = in->items[i].inc;

		if (inc->first.valid && (!first.valid ||
		    inc->first.utc < first.utc))
			first = inc->first;
		if (inc->last.valid && (!last.valid || inc->last.utc > last.utc))
			last = inc->last;
	}
	ad_addr_format(&m->inc->src, a);
	if ((r = var_set(c, "source", a)) != AD_OK ||
	    (r = var_set(c, "token", in->token)) != AD_OK ||
	    (r = var_set(c, "reply_to", c->from)) != AD_OK ||
	    (r = var_events(c, events_total(c))) != AD_OK)
		return r;
	if ((r = var_time(c, "first_utc", &first, true)) != AD_OK ||
	    (r = var_time(c, "last_utc", &last, true)) != AD_OK ||
	    (r = var_phrase(c, "period", first.utc == last.utc ?
	    "period.one" : "period")) != AD_OK)
		return r;
	if (in->me->victim[0] != '\0')
		r = var_set(c, "victim", in->me->victim);
	else
		r = var_phrase(c, "victim", "victim");
	if (r != AD_OK)
		return r;
	if ((r = var_set(c, "category",
	    ad_report_category_phrase(m->inc->category))) != AD_OK)
		return r;
	/* Other categories: the subject names the main one and says so. */
	for (i = 0; i < in->n_items; i++)
		if (in->items[i].inc->category != m->inc->category)
			break;
	if (i < in->n_items) {
		ad_buf_reset(&c->val);
		if ((r = ad_buf_addc(&c->val, ' ')) != AD_OK ||
		    (r = tpl_phrase(&c->ts, "en", "more", c->vars, c->n_vars,
		    &c->val)) != AD_OK ||
		    (r = var_set(c, "more", ad_buf_str(&c->val))) != AD_OK ||
		    (r = var_phrase(c, "also", "also")) != AD_OK)
			return r;
	} else if ((r = var_set(c, "more", "")) != AD_OK ||
	    (r = var_set(c, "also", "")) != AD_OK)
		return r;
	snprintf(t, sizeof(t), "activity.%s",
	    ad_category_name(m->inc->category));
	if ((r = var_phrase(c, "activity", t)) != AD_OK)
		return r;
	if ((r = var_set(c, "name", in->me->name)) != AD_OK ||
	    (r = var_set(c, "org", in->me->org)) != AD_OK ||
	    (r = var_set(c, "email", c->from)) != AD_OK ||
	    (r = var_set(c, "phone", in->me->phone)) != AD_OK)
		return r;
	return AD_OK;
}

/* "a, b, c and more" of the n strings. */
static int
list_text(struct comp *c, struct ad_buf *b, bool more, size_t n,
    const char *(*get)(struct comp *, const void *, size_t, char *),
    const void *arg)
{
	char tmp[AD_ADDR_STRLEN + USER_TEXT_MAX];
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		if (i && (r = ad_buf_adds(b, ", ")) != AD_OK)
			return r;
		if ((r = ad_buf_adds(b, get(c, arg, i, tmp))) != AD_OK)
			return r;
	}
	if (n && more) {
		size_t mark = b->len;

		if ((r = ad_buf_addc(b, ' ')) != AD_OK ||
		    (r = tpl_phrase(&c->ts, "en", "and_more", c->vars,
		    c->n_vars, b)) != AD_OK) {
			b->len = mark;
			return r;
		}
	}
	return AD_OK;
}

static const char *
get_target(struct comp *c, const void *arg, size_t i, char *buf)
{
	const struct ad_incident *inc = arg;

	mask_addr(&c->mask, &inc->targets[i], buf);
	return buf;
}

static const char *
get_port(struct comp *c, const void *arg, size_t i, char *buf)
{
	const struct ad_incident *inc = arg;

	(void)c;
	snprintf(buf, 8, "%u", (unsigned)inc->ports[i]);
	return buf;
}

static const char *
get_user(struct comp *c, const void *arg, size_t i, char *buf)
{
	const struct ad_incident *inc = arg;
	struct ad_buf b;

	/* Attacker-chosen: printable, and cut to the field's width. */
	ad_buf_init(&b, USER_TEXT_MAX - 1);
	if (add_text(&b, inc->users[i],
	    strnlen(inc->users[i], AD_INC_USER_LEN)) != AD_OK)
		snprintf(buf, 4, "?");
	else
		snprintf(buf, USER_TEXT_MAX, "%s", ad_buf_str(&b));
	ad_buf_free(&b);
	(void)c;
	return buf;
}

static int
var_list(struct comp *c, const char *name, bool more, size_t n,
    const char *(*get)(struct comp *, const void *, size_t, char *),
    const void *arg)
{
	int r;

	ad_buf_reset(&c->val);
	if ((r = list_text(c, &c->val, more, n, get, arg)) != AD_OK)
		return r;
	return var_set(c, name, ad_buf_str(&c->val));
}

static int
item_vars(struct comp *c, size_t idx)
{
	const struct ad_report_item *it = &c->in->items[idx];
	const struct ad_incident *inc = it->inc;
	const struct sample_facts *f = &c->facts[idx];
	char svc[64];
	const char *proto;
	int r;

	if ((r = var_set(c, "category",
	    ad_report_category_phrase(inc->category))) != AD_OK ||
	    (r = var_events(c, inc->events)) != AD_OK ||
	    (r = var_setf(c, "proven", "%llu",
	    (unsigned long long)inc->proven)) != AD_OK ||
	    (r = var_list(c, "targets", inc->targets_more, inc->n_targets,
	    get_target, inc)) != AD_OK ||
	    (r = var_list(c, "ports", inc->ports_more, inc->n_ports,
	    get_port, inc)) != AD_OK ||
	    (r = var_list(c, "users", inc->users_more, inc->n_users,
	    get_user, inc)) != AD_OK)
		return r;
	if ((r = var_time(c, "first_local", &inc->first, false)) != AD_OK ||
	    (r = var_time(c, "first_utc", &inc->first, true)) != AD_OK ||
	    (r = var_time(c, "last_local", &inc->last, false)) != AD_OK ||
	    (r = var_time(c, "last_utc", &inc->last, true)) != AD_OK)
		return r;
	proto = ad_proto_name(f->proto);
	/* "firewall" and "ids" name our logger, not the service attacked. */
	if (f->service != NULL && (strcmp(f->service, "firewall") == 0 ||
	    strcmp(f->service, "ids") == 0) && proto != NULL)
		snprintf(svc, sizeof(svc), "%s", proto);
	else if (f->service != NULL && proto != NULL)
		snprintf(svc, sizeof(svc), "%s (%s)", f->service, proto);
	else if (f->service != NULL || proto != NULL)
		snprintf(svc, sizeof(svc), "%s", f->service ? f->service : proto);
	else
		ad_services_name(inc->services, svc, sizeof(svc));
	if ((r = var_set(c, "service", svc)) != AD_OK)
		return r;
	if (inc->proven + inc->spoofable == 0)
		r = var_set(c, "evidence", "");
	else if (inc->spoofable == 0)
		r = var_phrase(c, "evidence", "evidence.proven");
	else if (inc->proven == 0)
		r = var_phrase(c, "evidence", "evidence.spoofable");
	else
		r = var_phrase(c, "evidence", "evidence.mixed");
	return r;
}

/* The k-th item to show: the main one first, the others in order. */
static size_t
item_at(const struct comp *c, size_t k)
{
	if (k == 0)
		return c->main;
	return k <= c->main ? k - 1 : k;
}

static int
summary(struct comp *c)
{
	size_t i, k;
	int r;

	if ((r = part(c, "en", "summary.txt")) != AD_OK)
		return r;
	for (k = 0; k < c->in->n_items; k++) {
		i = item_at(c, k);
		if (k && (r = ad_buf_addc(&c->body, '\n')) != AD_OK)
			return r;
		if ((r = item_vars(c, i)) != AD_OK ||
		    (r = part(c, "en", "summary-item.txt")) != AD_OK)
			return r;
	}
	return ad_buf_addc(&c->body, '\n');
}

/* One quoted line: printable, ours masked. */
static int
quote_line(struct comp *c, struct ad_buf *b, const struct ad_sample *s)
{
	int r;

	ad_buf_reset(&c->val);
	if (s->text != NULL && (r = add_text(&c->val, s->text,
	    s->len)) != AD_OK)
		return r;
	return mask_text(&c->mask, b, ad_buf_str(&c->val), c->val.len);
}

static int
log_lines(struct comp *c)
{
	size_t i, j, k, shown;
	int r;

	for (k = 0; k < c->in->n_items; k++) {
		const struct ad_report_item *it = &c->in->items[item_at(c, k)];

		shown = it->n_samples < AD_REPORT_LINES_MAX ? it->n_samples :
		    AD_REPORT_LINES_MAX;
		i = item_at(c, k);
		if ((r = item_vars(c, i)) != AD_OK ||
		    (r = var_setf(c, "shown", "%zu", shown)) != AD_OK ||
		    (r = var_setf(c, "rest", "%llu", it->inc->events > shown ?
		    (unsigned long long)(it->inc->events - shown) : 0)) != AD_OK ||
		    (r = part(c, "en", "lines.txt")) != AD_OK ||
		    (r = ad_buf_addc(&c->body, '\n')) != AD_OK)
			return r;
		for (j = 0; j < shown; j++) {
			if ((r = ad_buf_adds(&c->body, "  ")) != AD_OK ||
			    (r = quote_line(c, &c->body, &it->samples[j]))
			    != AD_OK || (r = ad_buf_addc(&c->body, '\n')) != AD_OK)
				return r;
			if (i == c->main && ((r = quote_line(c, &c->lines,
			    &it->samples[j])) != AD_OK ||
			    (r = ad_buf_addc(&c->lines, '\n')) != AD_OK))
				return r;
		}
		if (it->inc->events > shown) {
			if ((r = ad_buf_adds(&c->body, "  ")) != AD_OK ||
			    (r = tpl_phrase(&c->ts, "en", it->inc->events ==
			    shown + 1 ? "lines.more.one" : "lines.more", c->vars,
			    c->n_vars, &c->body)) != AD_OK ||
			    (r = ad_buf_addc(&c->body, '\n')) != AD_OK)
				return r;
		}
		if ((r = ad_buf_addc(&c->body, '\n')) != AD_OK)
			return r;
	}
	return AD_OK;
}

/* The time zones and the field legend of each format quoted. */
static int
legend(struct comp *c)
{
	const struct ad_report_input *in = c->in;
	const char *seen[AD_REPORT_LINES_MAX * 4];
	int offs[16];
	size_t i, j, k, n_seen = 0, n_offs = 0;
	char o[8];
	int r;

	ad_buf_reset(&c->val);
	for (i = 0; i < in->n_items; i++)
		for (j = 0; j < in->items[i].n_samples &&
		    j < AD_REPORT_LINES_MAX; j++) {
			const struct ad_sample *s = &in->items[i].samples[j];

			if (!s->time.valid)
				continue;
			for (k = 0; k < n_offs && offs[k] != s->time.off_min; k++)
				;
			if (k < n_offs || n_offs == 16)
				continue;
			offs[n_offs++] = s->time.off_min;
			offset_text(s->time.off_min, o);
			if ((r = ad_buf_addf(&c->val, "%s%s",
			    c->val.len ? ", " : "", o)) != AD_OK)
				return r;
		}
	if (n_offs == 0)
		r = var_phrase(c, "offsets", "unknown");
	else
		r = var_set(c, "offsets", ad_buf_str(&c->val));
	if (r != AD_OK ||
	    (r = part(c, "en", "legend.txt")) != AD_OK)
		return r;
	for (i = 0; i < in->n_items; i++)
		for (j = 0; j < in->items[i].n_samples &&
		    j < AD_REPORT_LINES_MAX; j++) {
			const char *fmt = in->items[i].samples[j].format;
			const char *text, *p, *nl;

			if (fmt[0] == '\0' || strnlen(fmt, 32) == 32 ||
			    (text = ad_format_legend(fmt)) == NULL)
				continue;
			for (k = 0; k < n_seen && strcmp(seen[k], fmt) != 0; k++)
				;
			if (k < n_seen ||
			    n_seen == sizeof(seen) / sizeof(seen[0]))
				continue;
			seen[n_seen++] = fmt;
			if ((r = var_set(c, "format", fmt)) != AD_OK ||
			    (r = ad_buf_adds(&c->body, "\n  ")) != AD_OK ||
			    (r = tpl_phrase(&c->ts, "en", "legend.format",
			    c->vars, c->n_vars, &c->body)) != AD_OK ||
			    (r = ad_buf_addc(&c->body, '\n')) != AD_OK)
				return r;
			for (p = text; *p; p = nl + (*nl != '\0')) {
				nl = strchr(p, '\n');
				if (nl == NULL)
					nl = p + strlen(p);
				if ((r = ad_buf_adds(&c->body, "    ")) != AD_OK ||
				    (r = ad_buf_add(&c->body, p,
				    (size_t)(nl - p))) != AD_OK ||
				    (r = ad_buf_addc(&c->body, '\n')) != AD_OK)
					return r;
			}
		}
	return ad_buf_addc(&c->body, '\n');
}

static int
contact(struct comp *c)
{
	const struct ad_report_contact *k = c->in->contact;
	const char *p, *end, *nl;
	int r;

	if ((r = var_set(c, "to", k->to)) != AD_OK)
		return r;
	if (k->network[0] != '\0')
		r = var_set_printable(c, "network", k->network,
		    strnlen(k->network, sizeof(k->network)));
	else
		r = var_phrase(c, "network", "network.unknown");
	if (r != AD_OK)
		return r;
	if (k->service[0] != '\0')
		r = var_set_printable(c, "lookup_service", k->service,
		    strnlen(k->service, sizeof(k->service)));
	else
		r = var_phrase(c, "lookup_service", "service.unknown");
	if (r != AD_OK)
		return r;
	/* The evidence may span lines: each printable, indented alike. */
	ad_buf_reset(&c->tmp);
	p = k->evidence;
	end = p + strnlen(k->evidence, sizeof(k->evidence));
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl > p && nl[-1] == '\r')
			nl--;
		if (c->tmp.len && (r = ad_buf_adds(&c->tmp, "\n  ")) != AD_OK)
			return r;
		if ((r = add_text(&c->tmp, p, (size_t)(nl - p)))
		    != AD_OK)
			return r;
		if (nl < end && *nl == '\r')
			nl++;
	}
	if ((r = var_set(c, "evidence", ad_buf_str(&c->tmp))) != AD_OK)
		return r;
	if ((r = part(c, "en", k->to_upstream ? "contact-upstream.txt" :
	    "contact.txt")) != AD_OK)
		return r;
	return ad_buf_addc(&c->body, '\n');
}

/* The subject: one line from subject.txt. */
static int
subject(struct comp *c, struct ad_report_out *o)
{
	int r;

	ad_buf_reset(&c->tmp);
	if ((r = tpl_render_file(&c->ts, "en", "subject.txt", c->vars,
	    c->n_vars, &c->tmp)) != AD_OK)
		return r;
	while (c->tmp.len && c->tmp.p[c->tmp.len - 1] == '\n')
		c->tmp.p[--c->tmp.len] = '\0';
	if (!ad_header_value_ok(ad_buf_str(&c->tmp), c->tmp.len) ||
	    c->tmp.len >= sizeof(o->subject))
		return ad_diag_set(c->diag, AD_ERR_PARSE, "Subject", 0,
		    "subject is not one line of at most %zu bytes",
		    sizeof(o->subject) - 1);
	memcpy(o->subject, ad_buf_str(&c->tmp), c->tmp.len + 1);
	return AD_OK;
}

/* From: "Name" <address> (mime_from). */
static int
from_header(struct comp *c, struct ad_buf *m)
{
	return mime_from(m, c->in->me->name, c->from);
}

static int
text_part_headers(struct ad_buf *m, bool qp)
{
	return ad_buf_addf(m, "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: %s\r\n", qp ? "quoted-printable" :
	    "8bit");
}

static int
text_part_body(struct comp *c, struct ad_buf *m, bool qp)
{
	if (qp)
		return mime_qp(m, ad_buf_str(&c->body), c->body.len);
	return mime_crlf(m, ad_buf_str(&c->body), c->body.len);
}

static int
message(struct comp *c, struct ad_report_out *o)
{
	const struct ad_report_input *in = c->in;
	struct ad_buf *m = &o->message;
	bool qp = mime_longest_line(ad_buf_str(&c->body), c->body.len) > 998;
	char date[40], boundary[48];
	int r;

	mime_date(in->date, date);
	snprintf(boundary, sizeof(boundary), "=_abusedesk_%s", in->token);
	if ((r = from_header(c, m)) != AD_OK ||
	    (r = mime_header(m, "To", in->contact->to)) != AD_OK ||
	    (in->contact->cc[0] != '\0' &&
	    (r = mime_header(m, "Cc", in->contact->cc)) != AD_OK) ||
	    (r = mime_header(m, "Subject", o->subject)) != AD_OK ||
	    (r = mime_header(m, "Date", date)) != AD_OK ||
	    (r = mime_header(m, "Message-ID", in->message_id)) != AD_OK ||
	    (r = mime_header(m, "X-Abusedesk-Token", in->token)) != AD_OK ||
	    (r = ad_buf_adds(m, "MIME-Version: 1.0\r\n")) != AD_OK)
		return r;
	if (!in->xarf) {
		if ((r = text_part_headers(m, qp)) != AD_OK ||
		    (r = ad_buf_add(m, "\r\n", 2)) != AD_OK)
			return r;
		return text_part_body(c, m, qp);
	}
	ad_buf_reset(&c->tmp);
	if ((r = xarf_json(&c->tmp, in, &in->items[c->main],
	    &c->facts[c->main], c->from, ad_buf_str(&c->lines), c->lines.len,
	    &c->mask)) != AD_OK)
		return r;
	/* A multipart's encoding is the widest of its parts' (RFC 2045). */
	if ((r = ad_buf_addf(m, "Content-Type: multipart/mixed; "
	    "boundary=\"%s\"\r\n%s\r\n"
	    "This report has a plain-text part and a machine-readable X-ARF "
	    "part.\r\n\r\n--%s\r\n", boundary, qp ? "" :
	    "Content-Transfer-Encoding: 8bit\r\n", boundary)) != AD_OK ||
	    (r = text_part_headers(m, qp)) != AD_OK ||
	    (r = ad_buf_add(m, "\r\n", 2)) != AD_OK ||
	    (r = text_part_body(c, m, qp)) != AD_OK ||
	    (r = ad_buf_addf(m, "\r\n--%s\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Disposition: attachment; filename=\"xarf-%s.json\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", boundary,
	    in->token)) != AD_OK ||
	    (r = mime_base64(m, ad_buf_str(&c->tmp), c->tmp.len, 76)) != AD_OK)
		return r;
	return ad_buf_addf(m, "\r\n--%s--\r\n", boundary);
}

int
ad_report_compose(const struct ad_report_input *in, struct ad_report_out *o,
    struct ad_diag *diag)
{
	struct comp c;
	size_t i, j, n_ours = 0;
	int r;

	memset(&c, 0, sizeof(c));
	c.in = in;
	c.diag = diag;
	ad_buf_reset(&o->message);
	o->subject[0] = '\0';
	ad_buf_init(&c.body, MESSAGE_MAX);
	ad_buf_init(&c.tmp, MESSAGE_MAX);
	ad_buf_init(&c.val, 64 * 1024);
	ad_buf_init(&c.lines, MESSAGE_MAX);
	ad_buf_init(&c.ts.file, TPL_FILE_MAX);
	c.ts.diag = diag;
	if (in == NULL || in->contact == NULL || in->me == NULL) {
		r = ad_diag_set(diag, AD_ERR_USAGE, "report", 0,
		    "missing input");
		goto out;
	}
	c.ts.dir = in->template_dir;
	if ((r = check_input(&c)) != AD_OK)
		goto out;
	c.ours = ad_malloc(in->n_items * AD_INC_TARGETS_MAX * sizeof(*c.ours) + 1);
	c.facts = ad_malloc(in->n_items * sizeof(*c.facts));
	if (c.ours == NULL || c.facts == NULL) {
		r = AD_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < in->n_items; i++) {
		const struct ad_incident *inc = in->items[i].inc;

		if (inc->events > in->items[c.main].inc->events)
			c.main = i;
		for (j = 0; j < inc->n_targets && j < AD_INC_TARGETS_MAX; j++)
			c.ours[n_ours++] = inc->targets[j];
		if ((r = sample_facts(&in->items[i], &c.facts[i])) != AD_OK)
			goto out;
	}
	c.mask = (struct mask_set){ .own = in->own, .n_own = in->n_own,
	    .addrs = c.ours, .n_addrs = n_ours, .on = in->public_view };
	if ((r = common_vars(&c)) != AD_OK ||
	    (r = subject(&c, o)) != AD_OK)
		goto out;
	if (in->lang != NULL && in->lang[0] != '\0' &&
	    strcmp(in->lang, "en") != 0) {
		/* The translation's own category name, English if none. */
		char key[64];

		snprintf(key, sizeof(key), "kind.%s",
		    ad_category_name(in->items[c.main].inc->category));
		struct ad_diag keep;

		if (diag != NULL)
			keep = *diag;
		ad_buf_reset(&c.val);
		r = tpl_phrase(&c.ts, in->lang, key, c.vars, c.n_vars, &c.val);
		if (r == AD_OK)
			r = var_set(&c, "kind", ad_buf_str(&c.val));
		else {
			if (diag != NULL)
				*diag = keep;
			r = var_set(&c, "kind", ad_report_category_phrase(
			    in->items[c.main].inc->category));
		}
		if (r != AD_OK)
			goto out;
		/* The event count in the language's own grammar, if it has it. */
		ad_buf_reset(&c.val);
		r = tpl_phrase(&c.ts, in->lang, events_total(&c) == 1 ?
		    "events.one" : "events", c.vars, c.n_vars, &c.val);
		if (r == AD_OK)
			r = var_set(&c, "n_events", ad_buf_str(&c.val));
		else if (diag != NULL)
			*diag = keep;
		if ((r = part(&c, in->lang, "intro.txt")) != AD_OK ||
		    (r = ad_buf_addc(&c.body, '\n')) != AD_OK ||
		    (r = common_vars(&c)) != AD_OK)
			goto out;
	}
	if ((r = part(&c, "en", "intro.txt")) != AD_OK ||
	    (r = ad_buf_addc(&c.body, '\n')) != AD_OK)
		goto out;
	if (in->spoof_caveat && ((r = part(&c, "en", "caveat.txt")) != AD_OK ||
	    (r = ad_buf_addc(&c.body, '\n')) != AD_OK))
		goto out;
	if ((r = summary(&c)) != AD_OK || (r = log_lines(&c)) != AD_OK ||
	    (r = legend(&c)) != AD_OK || (r = contact(&c)) != AD_OK)
		goto out;
	/* The closing names us again: the common values. */
	if ((r = common_vars(&c)) != AD_OK ||
	    (r = part(&c, "en", "closing.txt")) != AD_OK ||
	    (r = message(&c, o)) != AD_OK)
		goto out;
 out:
	if (r == AD_ERR_LIMIT || r == AD_ERR_NOMEM)
		ad_diag_set(diag, r, "report", 0, "%s", r == AD_ERR_NOMEM ?
		    "out of memory" : "message too large");
	if (r != AD_OK) {
		ad_buf_reset(&o->message);
		o->subject[0] = '\0';
	}
	vars_clear(&c);
	ad_free(c.ours);
	ad_free(c.facts);
	ad_buf_free(&c.body);
	ad_buf_free(&c.tmp);
	ad_buf_free(&c.val);
	ad_buf_free(&c.lines);
	ad_buf_free(&c.ts.file);
	return r;
}
