/*
 * ad_report.h - composing the report an abuse desk acts on: one plain-text
 * RFC 5322 message per source address, optionally with an X-ARF part.
 *
 * Composition is pure and deterministic: the same input gives the same
 * bytes (the Date, Message-ID and token are inputs, never read from a
 * clock or a random source), so every category has an exact golden test
 * and a re-composed draft (new events appended) differs only where the
 * events do.
 *
 * The message, in order (see ../shared/seeds/ for why):
 *   headers   From ("Name" <me->email or from_fallback>), To, Cc (when set),
 *             Subject "[abusedesk #AD-7F3K] SSH brute force from 203.0.113.7
 *             against our servers", Date (UTC, +0000), Message-ID,
 *             X-Abusedesk-Token, MIME-Version, Content-Type text/plain;
 *             charset=utf-8 (multipart/mixed with the X-ARF part when xarf).
 *             No Auto-Submitted: a report is written on behalf of a person.
 *             Non-ASCII values become RFC 2047 encoded words;
 *   optional  a leading translation of the first paragraph (lang), saying
 *             that it is an automatic translation and the English follows;
 *   first     one paragraph answering: what happened, who caused it (the
 *             source address), who was bothered (our network, by role),
 *             what we ask (investigate a likely compromised host, stop the
 *             activity, reply to this address);
 *   caveat    (spoof_caveat) the source address may have been forged;
 *   summary   source, then per incident: destination addresses and ports,
 *             service and protocol, events, first and last time in the log's
 *             own zone with its UTC offset and in UTC, proven by a completed
 *             session or possibly spoofed, user names tried;
 *   lines     the log lines, made printable (ad_buf_add_printable), two
 *             blanks in front (at most AD_REPORT_LINES_MAX per incident, then
 *             "... and N more events not shown", N = events - lines shown);
 *   legend    the time zone offsets of the lines, and the field legend of
 *             each log format quoted (ad_format_legend of sample.format);
 *   contact   which RDAP/whois service named the recipient, and its
 *             evidence; with to_upstream, why we write to the upstream;
 *   us        our name, organisation, email, optional phone.
 * Never threats, legal quotes, whois dumps, attachments or HTML. CRLF line
 * ends; the text part is 8bit, or quoted-printable when a quoted line is
 * longer than 998 bytes.
 *
 * Several incidents of one source: the one with the most events is the main
 * one (the subject names it, "... and other activity"; it comes first);
 * the others follow in the order given.
 *
 * Every header value built from outside data (addresses from whois/RDAP,
 * names from config) is checked with ad_header_value_ok() (addresses also
 * with ad_email_valid()); a value that fails makes composition fail with
 * AD_ERR_PARSE instead of writing it. Text from logs and registries in the
 * body is made printable, so it cannot start a line, a header or a part.
 *
 * Templates: the wording lives in templates/<lang>/<name>.txt, compiled in;
 * <template_dir>/<lang>/<name>.txt overrides the shipped file of that name
 * (syntax in lib/out/report/report_int.h and README.md: {placeholder},
 * {{ for a brace, # comment lines, a line whose placeholders are all empty
 * is dropped). A template_dir that does not exist, or an override that is
 * unreadable, not UTF-8 or malformed, is AD_ERR_NOTFOUND with diag naming
 * the file (and line).
 *
 * X-ARF (xarf): one XARF v4 JSON object for the main incident, as an
 * application/json part (base64); category/type mapping in xarf.c. The
 * source port, protocol and service it needs are read back from the sample
 * lines with the parser (the incident does not keep them).
 *
 * public_view: every address in `own` and every incident target loses its
 * host part wherever it appears (192.0.2.10 -> 192.0.2.x, 2001:db8:1:2::10
 * -> 2001:db8:1:2::x); the X-ARF part then leaves the destination out.
 */
#ifndef AD_REPORT_H
#define AD_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_buf.h"
#include "ad_detect.h"
#include "ad_email.h"
#include "ad_err.h"
#include "ad_ip.h"

#define AD_REPORT_LINES_MAX	50	/* log lines quoted; the rest counted */
#define AD_REPORT_TOKEN_MAX	16	/* "AD-7F3K9Q" */
#define AD_REPORT_SUBJECT_MAX	256

/* Who we are (config report.* keys). Empty strings: not configured. */
struct ad_identity {
	char	name[128];
	char	org[128];
	char	email[AD_EMAIL_MAX + 1];
	char	phone[64];
	/* Who was bothered, by role: "our servers" when empty;
	 * e.g. "the mail servers of Example GmbH". */
	char	victim[128];
};

/* One incident of the reported source and the lines that show it. */
struct ad_report_item {
	const struct ad_incident *inc;
	const struct ad_sample	 *samples;	/* in time order */
	size_t			  n_samples;
};

/* Where the recipient comes from: the lookup (ad_lookup.h) and assessment. */
struct ad_report_contact {
	char	to[AD_EMAIL_MAX + 1];
	char	cc[AD_EMAIL_MAX + 1];		/* "" none (e.g. the upstream) */
	bool	to_upstream;	/* `to` is the parent network's contact */
	char	network[256];	/* "203.0.113.0/24 EXAMPLE-NET (Example Org)" */
	char	service[512];	/* "RDAP https://rdap.db.ripe.net/" or
				   "whois whois.ripe.net" */
	char	evidence[400];	/* the object/line that named `to` */
	char	country[3];	/* ISO 3166 of the network, "" unknown */
};

struct ad_report_input {
	const struct ad_report_item	*items;	/* one source, >= 1 item */
	size_t				 n_items;
	const struct ad_report_contact	*contact;
	const struct ad_identity	*me;
	/* The From address when me->email is empty (user@host). */
	const char			*from_fallback;
	const char			*token;		/* "AD-7F3K" */
	const char			*message_id;	/* "<...@...>" */
	int64_t				 date;		/* Date: header, UTC seconds */
	const char			*lang;		/* "", NULL, "en": English
							   only; else one of
							   ad_report_languages() */
	bool				 spoof_caveat;	/* say the source may be forged */
	bool				 xarf;		/* add the X-ARF JSON part */
	bool				 public_view;	/* mask our own addresses */
	const struct ad_cidr		*own;		/* what public_view masks */
	size_t				 n_own;
	const char			*template_dir;	/* NULL: shipped only */
};

struct ad_report_out {
	struct ad_buf	message;	/* the RFC 5322 message, CRLF line ends */
	char		subject[AD_REPORT_SUBJECT_MAX];
};

void	ad_report_out_init(struct ad_report_out *o);
void	ad_report_out_free(struct ad_report_out *o);

/*
 * Composes the message into o (reset first). Returns AD_OK, AD_ERR_USAGE
 * (no items, no recipient), AD_ERR_PARSE (a header value from outside data
 * is unsafe: diag names it), AD_ERR_NOTFOUND (template missing or
 * malformed: diag names it), AD_ERR_NOMEM.
 */
int	ad_report_compose(const struct ad_report_input *in,
	    struct ad_report_out *o, struct ad_diag *diag) AD_WUR;

/* The translation language for an ISO 3166 country ("DE" -> "de"), or NULL. */
const char *ad_report_lang_for_country(const char *country);
/* Languages with shipped templates, NULL-terminated. */
const char *const *ad_report_languages(void);

/* "SSH brute force" - the subject's phrase for a category (static). */
const char *ad_report_category_phrase(enum ad_category c);

/*
 * True when [s, s+n) may be written as (part of) a header value: no CR, LF,
 * NUL or other control byte, at most 998 bytes. Used for every value built
 * from outside data.
 */
bool	ad_header_value_ok(const char *s, size_t n);

/* --- follow-ups and escalations (abusedesk followup) ---------------------
 *
 * Later messages of a case: a reminder to the same contact in the same
 * thread, an escalation to the upstream, one to the national CERT. Each
 * says in its first lines why it is written, and quotes our first report
 * (decoded from the message as it was sent) below.
 */
enum ad_followup_kind {
	AD_FU_REMINDER = 0,	/* "Re: <subject>", to the holder again */
	AD_FU_UPSTREAM,		/* to the parent network's abuse contact */
	AD_FU_CERT,		/* to the national CERT of the source */
	AD_FU_RESEND,		/* the report again, to the holder's next
				   mailbox after the first bounced */
};

/* Why the upstream is asked (AD_FU_UPSTREAM). */
enum ad_upstream_why {
	AD_UP_NO_ANSWER = 0,
	AD_UP_NOT_OURS,		/* the holder said: not our network */
	AD_UP_BOUNCED,		/* our report to the holder bounced */
	AD_UP_STOPPED,		/* the holder asked us to stop */
};

/* One earlier message of the case, for the CERT's history. */
struct ad_followup_step {
	const char	*kind;		/* "report", "followup", "upstream" */
	int64_t		 sent;		/* UTC seconds */
	const char	*to;
};

struct ad_followup_input {
	enum ad_followup_kind	 kind;
	enum ad_upstream_why	 why;
	const char		*original;	/* our first report, as sent */
	size_t			 original_len;
	const char		*original_subject;
	const char		*original_msgid;	/* "<...>" */
	const char		*original_to;	/* the holder's mailbox last
						   written to (bounced: resend) */
	int64_t			 original_sent;
	const char		*to;		/* the recipient now */
	const char		*cc;		/* "" or NULL: none */
	const char		*source;	/* the address, as text */
	const char		*holder;	/* the holder's network ("" unknown) */
	const char		*country;	/* ISO 3166 ("" unknown) */
	const char		*cert_name;	/* AD_FU_CERT: the team */
	const struct ad_followup_step *steps;	/* AD_FU_CERT: the history */
	size_t			 n_steps;
	uint64_t		 events_since;	/* events after the first report */
	const struct ad_identity *me;
	const char		*from_fallback;
	const char		*token;
	const char		*message_id;	/* this message's */
	int64_t			 date;
	const char		*template_dir;
	/* A leading translation (ad_report_languages(); NULL, "" or "en":
	 * none): the report's own language, the CERT's country's. */
	const char		*lang;
};

/*
 * Composes a follow-up or escalation into o. Same checks and errors as
 * ad_report_compose (every header value from outside data is checked).
 */
int	ad_report_compose_followup(const struct ad_followup_input *in,
	    struct ad_report_out *o, struct ad_diag *diag) AD_WUR;

/* The RFC 5322 date of a UTC instant: "Sun, 22 Nov 2026 18:00:00 +0000". */
void	ad_report_date(int64_t t, char buf[40]);

#endif
