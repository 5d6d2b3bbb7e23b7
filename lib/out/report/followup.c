/*
 * followup.c - the later messages of a case: a reminder in the same thread,
 * an escalation to the upstream, one to the national CERT, the report
 * again to the holder's next mailbox after a bounce (ad_report.h).
 * Wording in templates/en/{followup,upstream,cert,resend,quote}.txt and
 * phrases.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_email.h"
#include "abusedesk/ad_reply.h"
#include "abusedesk/ad_report.h"
#include "report_int.h"

#define FU_MESSAGE_MAX	(4u << 20)
#define FU_WRAP		72
#define FU_QUOTE_LINES	400	/* of our first report; the rest is cut */
#define FU_VARS		24

struct fu {
	const struct ad_followup_input	*in;
	struct ad_diag			*diag;
	struct tpl_set			 ts;
	struct tpl_var			 vars[FU_VARS];
	char				*vals[FU_VARS];
	size_t				 n;
	struct ad_buf			 body, tmp;
};

static int
set(struct fu *f, const char *name, const char *value)
{
	char *v;
	size_t i;

	if ((v = ad_strndup(value, strlen(value))) == NULL)
		return AD_ERR_NOMEM;
	for (i = 0; i < f->n; i++)
		if (strcmp(f->vars[i].name, name) == 0) {
			ad_free(f->vals[i]);
			f->vals[i] = v;
			f->vars[i].value = v;
			return AD_OK;
		}
	if (f->n == FU_VARS) {
		ad_free(v);
		return AD_ERR_LIMIT;
	}
	f->vars[f->n].name = name;
	f->vars[f->n].value = v;
	f->vals[f->n++] = v;
	return AD_OK;
}

/* Sets name to the printable form of outside text. */
static int
set_printable(struct fu *f, const char *name, const char *s)
{
	int r;

	ad_buf_reset(&f->tmp);
	if ((r = ad_buf_add_printable(&f->tmp, s ? s : "", s ? strlen(s) :
	    0)) != AD_OK)
		return r;
	return set(f, name, ad_buf_str(&f->tmp));
}

static int
phrase(struct fu *f, const char *lang, const char *key, struct ad_buf *out)
{
	ad_buf_reset(out);
	return tpl_phrase(&f->ts, lang, key, f->vars, f->n, out);
}

static int
set_phrase(struct fu *f, const char *lang, const char *name, const char *key)
{
	struct ad_buf b;
	int r;

	ad_buf_init(&b, 64 * 1024);
	if ((r = phrase(f, lang, key, &b)) == AD_OK)
		r = set(f, name, ad_buf_str(&b));
	ad_buf_free(&b);
	return r;
}

static int
part(struct fu *f, const char *lang, const char *name)
{
	int r;

	ad_buf_reset(&f->tmp);
	if ((r = tpl_render_file(&f->ts, lang, name, f->vars, f->n,
	    &f->tmp)) != AD_OK)
		return r;
	return text_wrap(&f->body, ad_buf_str(&f->tmp), f->tmp.len, FU_WRAP);
}

/* "2026-11-22 10:15 UTC" */
static void
day_text(int64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	snprintf(buf, n, "%04d-%02d-%02d %02d:%02d UTC", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

/* The history lines for the CERT: one per earlier message. */
static int
history(struct fu *f, const char *lang)
{
	const struct ad_followup_input *in = f->in;
	struct ad_buf h, line;
	char date[40], key[40];
	size_t i;
	int r = AD_OK;

	ad_buf_init(&h, 64 * 1024);
	ad_buf_init(&line, 4096);
	for (i = 0; i < in->n_steps && r == AD_OK; i++) {
		day_text(in->steps[i].sent, date, sizeof(date));
		snprintf(key, sizeof(key), "history.%s", in->steps[i].kind);
		if ((r = set(f, "date", date)) != AD_OK ||
		    (r = set_printable(f, "to", in->steps[i].to)) != AD_OK)
			break;
		if ((r = phrase(f, lang, key, &line)) == AD_OK &&
		    (r = ad_buf_add(&h, line.p, line.len)) == AD_OK)
			r = ad_buf_addc(&h, '\n');
	}
	/* Lines start with "- ": keep them as they are (no re-wrap). */
	if (r == AD_OK && h.len > 0 && h.p[h.len - 1] == '\n')
		h.len--;
	if (r == AD_OK)
		r = set(f, "history", h.len ? ad_buf_str(&h) : "");
	ad_buf_free(&h);
	ad_buf_free(&line);
	return r;
}

/* Our first report's text, decoded, each line behind "> ". */
static int
quote(struct fu *f)
{
	const struct ad_followup_input *in = f->in;
	struct ad_reply rp;
	struct ad_diag d;
	const char *p, *end, *nl;
	size_t lines = 0;
	int r;

	ad_reply_init(&rp);
	memset(&d, 0, sizeof(d));
	if ((r = ad_reply_parse(in->original, in->original_len, &rp,
	    &d)) != AD_OK) {
		ad_reply_free(&rp);
		return ad_diag_set(f->diag, AD_ERR_PARSE, "original report", 0,
		    "cannot be read back: %s", d.msg);
	}
	if ((r = part(f, "en", "quote.txt")) != AD_OK)
		goto out;
	p = rp.text.p ? rp.text.p : "";
	end = p + rp.text.len;
	while (p < end && r == AD_OK) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (++lines > FU_QUOTE_LINES) {
			r = ad_buf_adds(&f->body, "> [...]\n");
			break;
		}
		if ((r = ad_buf_addc(&f->body, '>')) == AD_OK &&
		    (nl == p || (r = ad_buf_addc(&f->body, ' ')) == AD_OK) &&
		    (r = ad_buf_add_printable(&f->body, p, (size_t)(nl - p))) ==
		    AD_OK)
			r = ad_buf_addc(&f->body, '\n');
		p = nl + 1;
	}
out:
	ad_reply_free(&rp);
	return r;
}

/*
 * The values worded per language: what happened since, why the upstream is
 * asked, the CERT's history; then "to", which the history borrowed.
 */
static int
lang_vars(struct fu *f, const char *lang)
{
	static const char *const why_key[] = { "upstream.no_answer",
	    "upstream.not_ours", "upstream.bounced", "upstream.stopped" };
	const struct ad_followup_input *in = f->in;
	int r;

	if ((r = set(f, "since", "")) != AD_OK ||
	    (r = set(f, "why_upstream", "")) != AD_OK ||
	    (r = set(f, "history", "")) != AD_OK)
		return r;
	if (in->events_since > 0 &&
	    (r = set_phrase(f, lang, "since", "since.events")) != AD_OK)
		return r;
	if (in->kind == AD_FU_UPSTREAM && (r = set_phrase(f, lang,
	    "why_upstream", why_key[in->why])) != AD_OK)
		return r;
	if (in->kind == AD_FU_CERT && (r = history(f, lang)) != AD_OK)
		return r;
	return set_printable(f, "to", in->to);
}

/* The translation's language, NULL for none; AD_ERR_NOTFOUND unknown. */
static int
check_lang(const char *lang, const char **out, struct ad_diag *diag)
{
	const char *const *l;

	*out = NULL;
	if (lang == NULL || lang[0] == '\0' || strcmp(lang, "en") == 0)
		return AD_OK;
	for (l = ad_report_languages(); *l != NULL; l++)
		if (strcmp(*l, lang) == 0) {
			*out = *l;
			return AD_OK;
		}
	return ad_diag_set(diag, AD_ERR_NOTFOUND, lang, 0,
	    "no templates for this language");
}

static bool
address_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && ad_email_valid(s, strlen(s));
}

int
ad_report_compose_followup(const struct ad_followup_input *in,
    struct ad_report_out *o, struct ad_diag *diag)
{
	static const char *const body_tpl[] = { "followup.txt", "upstream.txt",
	    "cert.txt", "resend.txt" };
	struct fu f;
	struct ad_buf subj;
	const char *from, *lang = NULL;
	char date[40], n[32];
	size_t i;
	int r;

	memset(&f, 0, sizeof(f));
	f.in = in;
	f.diag = diag;
	ad_buf_reset(&o->message);
	o->subject[0] = '\0';
	ad_buf_init(&f.body, FU_MESSAGE_MAX);
	ad_buf_init(&f.tmp, FU_MESSAGE_MAX);
	ad_buf_init(&f.ts.file, TPL_FILE_MAX);
	ad_buf_init(&subj, 4096);
	f.ts.diag = diag;
	f.ts.dir = in ? in->template_dir : NULL;
	if (in == NULL || in->me == NULL || in->original == NULL ||
	    (unsigned)in->kind > AD_FU_RESEND || (unsigned)in->why > AD_UP_STOPPED) {
		r = ad_diag_set(diag, AD_ERR_USAGE, "followup", 0, "missing input");
		goto out;
	}
	if ((r = check_lang(in->lang, &lang, diag)) != AD_OK)
		goto out;
	from = in->me->email[0] ? in->me->email : in->from_fallback;
	/* Every header value from outside data is checked before use. */
	if (!address_ok(in->to) || (in->cc && in->cc[0] && !address_ok(in->cc))) {
		r = ad_diag_set(diag, AD_ERR_PARSE, "To", 0,
		    "not a plain mailbox");
		goto out;
	}
	if (!address_ok(from)) {
		r = ad_diag_set(diag, AD_ERR_PARSE, "From", 0,
		    "not a plain mailbox");
		goto out;
	}
	if (in->token == NULL || in->message_id == NULL ||
	    !ad_header_value_ok(in->token, strlen(in->token)) ||
	    !ad_header_value_ok(in->message_id, strlen(in->message_id)) ||
	    (in->original_msgid && !ad_header_value_ok(in->original_msgid,
	    strlen(in->original_msgid))) ||
	    !ad_header_value_ok(in->me->name, strlen(in->me->name))) {
		r = ad_diag_set(diag, AD_ERR_PARSE, "header", 0,
		    "a header value holds control characters");
		goto out;
	}
	day_text(in->original_sent, date, sizeof(date));
	snprintf(n, sizeof(n), "%llu", (unsigned long long)in->events_since);
	if ((r = set(&f, "token", in->token)) != AD_OK ||
	    (r = set_printable(&f, "source", in->source)) != AD_OK ||
	    (r = set_printable(&f, "orig_to", in->original_to)) != AD_OK ||
	    (r = set(&f, "orig_date", date)) != AD_OK ||
	    (r = set(&f, "reply_to", from)) != AD_OK ||
	    (r = set(&f, "events_since", n)) != AD_OK ||
	    (r = set_printable(&f, "holder", in->holder && in->holder[0] ?
	    in->holder : in->source)) != AD_OK ||
	    (r = set_printable(&f, "country", in->country && in->country[0] ?
	    in->country : "?")) != AD_OK ||
	    (r = set_printable(&f, "cert_name", in->cert_name)) != AD_OK ||
	    (r = set_printable(&f, "name", in->me->name)) != AD_OK ||
	    (r = set_printable(&f, "org", in->me->org)) != AD_OK ||
	    (r = set(&f, "email", from)) != AD_OK ||
	    (r = set_printable(&f, "phone", in->me->phone)) != AD_OK ||
	    (r = lang_vars(&f, "en")) != AD_OK)
		goto out;
	/* Subject: the thread's own for a reminder ("Re:") and a resend (the
	 * report's, unchanged: new to this desk), else a new one. */
	if (in->kind == AD_FU_REMINDER || in->kind == AD_FU_RESEND) {
		const char *os = in->original_subject ? in->original_subject : "";

		if (!ad_header_value_ok(os, strlen(os))) {
			r = ad_diag_set(diag, AD_ERR_PARSE, "Subject", 0,
			    "control characters");
			goto out;
		}
		snprintf(o->subject, sizeof(o->subject), "%s%s",
		    in->kind == AD_FU_RESEND || strncasecmp(os, "Re:", 3) == 0 ?
		    "" : "Re: ", os);
	} else {
		if ((r = phrase(&f, "en", in->kind == AD_FU_UPSTREAM ?
		    "subject.upstream" : "subject.cert", &subj)) != AD_OK)
			goto out;
		snprintf(o->subject, sizeof(o->subject), "%s", ad_buf_str(&subj));
	}
	/* A translation first (marked as such), as the report has one. */
	if (lang != NULL && ((r = lang_vars(&f, lang)) != AD_OK ||
	    (r = part(&f, lang, body_tpl[in->kind])) != AD_OK ||
	    (r = ad_buf_addc(&f.body, '\n')) != AD_OK ||
	    (r = lang_vars(&f, "en")) != AD_OK))
		goto out;
	if ((r = part(&f, "en", body_tpl[in->kind])) != AD_OK ||
	    (r = ad_buf_addc(&f.body, '\n')) != AD_OK ||
	    (r = quote(&f)) != AD_OK ||
	    (r = ad_buf_addc(&f.body, '\n')) != AD_OK ||
	    (r = part(&f, "en", "closing.txt")) != AD_OK)
		goto out;
	ad_report_date(in->date, date);
	if ((r = mime_from(&o->message, in->me->name, from)) != AD_OK ||
	    (r = mime_header(&o->message, "To", in->to)) != AD_OK ||
	    (in->cc && in->cc[0] &&
	    (r = mime_header(&o->message, "Cc", in->cc)) != AD_OK) ||
	    (r = mime_header(&o->message, "Subject", o->subject)) != AD_OK ||
	    (r = mime_header(&o->message, "Date", date)) != AD_OK ||
	    (r = mime_header(&o->message, "Message-ID", in->message_id)) ||
	    (in->original_msgid && in->original_msgid[0] &&
	    ((r = mime_header(&o->message, "In-Reply-To",
	    in->original_msgid)) != AD_OK ||
	    (r = mime_header(&o->message, "References",
	    in->original_msgid)) != AD_OK)) ||
	    (r = mime_header(&o->message, "X-Abusedesk-Token", in->token)) ||
	    (r = ad_buf_adds(&o->message, "MIME-Version: 1.0\r\n")) != AD_OK)
		goto out;
	{
		bool qp = mime_longest_line(ad_buf_str(&f.body), f.body.len) >
		    998;

		if ((r = ad_buf_addf(&o->message, "Content-Type: text/plain; "
		    "charset=utf-8\r\nContent-Transfer-Encoding: %s\r\n\r\n",
		    qp ? "quoted-printable" : "8bit")) != AD_OK)
			goto out;
		r = qp ? mime_qp(&o->message, ad_buf_str(&f.body), f.body.len) :
		    mime_crlf(&o->message, ad_buf_str(&f.body), f.body.len);
	}
out:
	if (r != AD_OK) {
		ad_buf_reset(&o->message);
		o->subject[0] = '\0';
	}
	for (i = 0; i < f.n; i++)
		ad_free(f.vals[i]);
	ad_buf_free(&f.body);
	ad_buf_free(&f.tmp);
	ad_buf_free(&f.ts.file);
	ad_buf_free(&subj);
	return r;
}
