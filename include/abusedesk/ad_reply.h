/*
 * ad_reply.h - reading the replies abuse desks send to our reports:
 * MIME parsing, the reference token, classification and the fields a
 * follow-up needs (ticket number, web-form URL, bounced recipients).
 *
 * Pure: bytes in, struct ad_reply out; no store, no files, no network, so
 * it fuzzes well (tests/fuzz/fuzz_mime.c). The store side (matching to a
 * report, state transitions, the trail) calls ad_reply_parse() and reads
 * the struct; mailboxes are read with ad_mailbox_* below.
 *
 * MIME goes through GMime 3 (charsets, transfer encodings, RFC 2047 words,
 * broken real-world mail); initialised once per process on first use.
 * Hostile input is bounded before and while GMime sees it: messages over
 * AD_REPLY_SIZE_MAX are refused (AD_ERR_LIMIT), nesting deeper than
 * AD_REPLY_DEPTH_MAX or more than AD_REPLY_PARTS_MAX parts are refused,
 * and at most AD_REPLY_TEXT_MAX bytes of body text are kept.
 *
 * The token: our reports carry "AD-" + 6 Crockford base32 characters in
 * the subject ("[abusedesk #AD-7F3K9Q] ...") and in their Message-IDs
 * ("<AD-7F3K9Q.2.abusedesk@host>", 2 = the message's place in the thread).
 * It is looked for, in this order, in the subject, In-Reply-To, References,
 * the returned message of a bounce, then the body (quoted text included:
 * that is where a desk's reply carries our report). token_from says where.
 *
 * Classification reads only what the sender wrote: quoted lines ('>') and
 * everything below "On ... wrote:", "-----Original Message-----" and the
 * like are cut first, because our own report quoted back contains words
 * such as "stop" or "logs". The rules, first match wins:
 *   1. bounce: a DSN (multipart/report; report-type=delivery-status), or
 *      a non-DSN bounce ("Undelivered Mail Returned to Sender", "Mail
 *      delivery failed", X-Failed-Recipients, a mailer-daemon sender);
 *   2. web-form: "please use our web form at URL";
 *   3. auto-submitted messages (Auto-Submitted, X-Autoreply, Precedence:
 *      auto_reply, X-Autorespond): not-our-network, resolved ("your
 *      request has been solved") or forwarded when they say so, otherwise
 *      auto-ack — an automated text never asks to stop or for more
 *      information in a way we act on (its footers say such things);
 *   4. written by a person: stop-reports, not-our-network, resolved,
 *      forwarded-to-customer, more-info, then auto-ack by wording
 *      ("we have received your report", a ticket number);
 *   5. unknown: kept for a human, never dropped.
 * English first, with common German, French and Spanish phrasings.
 *
 * Wiring (what `abusedesk inbox` does with it):
 *
 *	ad_mailbox_open(path, &mb, &diag);
 *	ad_reply_init(&r);
 *	while ((n = ad_mailbox_next(mb, &raw, &where, &diag)) != 0) {
 *		if (n < 0 || ad_reply_parse(raw.p, raw.len, &r, &diag))
 *			{ report where + diag.msg; continue; }
 *		report = a stored report whose Message-ID is r.in_reply_to
 *		    or one of r.references[] (newest last), else whose token
 *		    is r.token; none: keep for a human (class unknown or not);
 *		store r (ad_reply_json(&r, true, &b) is the trail's record;
 *		    r.message_id makes a re-read mailbox idempotent);
 *		switch (r.cls) { AD_REPLY_STOP: suppress r.from;
 *		    AD_REPLY_BOUNCE: mark r.rcpt[i].addr bad when permanent;
 *		    AD_REPLY_WEB_FORM: manual submission at r.form_url; ... }
 *	}
 *	ad_reply_free(&r); ad_buf_free(&raw); ad_mailbox_close(mb);
 */
#ifndef AD_REPLY_H
#define AD_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_buf.h"
#include "ad_email.h"
#include "ad_err.h"
#include "ad_time.h"

#define AD_REPLY_SIZE_MAX	(10 * 1024 * 1024)	/* bytes of one message */
#define AD_REPLY_DEPTH_MAX	16	/* MIME nesting, message/rfc822 included */
#define AD_REPLY_PARTS_MAX	256	/* MIME parts of one message */
#define AD_REPLY_TEXT_MAX	(256 * 1024)	/* body text kept, UTF-8 */
#define AD_REPLY_REFS_MAX	32	/* References kept (the newest) */
#define AD_REPLY_MSGID_MAX	256	/* one message-id, without <> */
#define AD_REPLY_SUBJECT_MAX	512
#define AD_REPLY_TOKEN_MAX	16	/* "AD-7F3K9Q" */
#define AD_REPLY_TICKET_MAX	96
#define AD_REPLY_URL_MAX	512
#define AD_REPLY_RCPT_MAX	8	/* bounced recipients kept */
#define AD_REPLY_DIAG_MAX	512	/* one Diagnostic-Code */

enum ad_reply_class {
	AD_REPLY_UNKNOWN = 0,		/* for a human; never dropped */
	AD_REPLY_AUTO_ACK,		/* automatic acknowledgement / ticket */
	AD_REPLY_WEB_FORM,		/* resubmit through their web form */
	AD_REPLY_FORWARDED,		/* forwarded to the customer */
	AD_REPLY_RESOLVED,		/* host cleaned, account suspended */
	AD_REPLY_NOT_OUR_NETWORK,	/* try the upstream / the RIR */
	AD_REPLY_MORE_INFO,		/* send logs, timestamps, details */
	AD_REPLY_STOP,			/* stop sending reports (suppress) */
	AD_REPLY_BOUNCE,		/* DSN or bounce: the address is bad */
};
#define AD_REPLY_CLASS_COUNT	9

/* Where the token was found. */
enum ad_reply_token_from {
	AD_TOKEN_NONE = 0,
	AD_TOKEN_SUBJECT,
	AD_TOKEN_IN_REPLY_TO,
	AD_TOKEN_REFERENCES,
	AD_TOKEN_RETURNED,	/* the returned message inside a bounce */
	AD_TOKEN_BODY,
};

/* One recipient a bounce names. */
struct ad_reply_rcpt {
	char	addr[AD_EMAIL_MAX + 1];	/* as the bounce gives it, lower case */
	char	action[16];		/* DSN Action: failed, delayed, ... */
	char	status[16];		/* "5.1.1", "" unknown */
	char	diag[AD_REPLY_DIAG_MAX];	/* Diagnostic-Code or SMTP line */
	bool	permanent;		/* 5.x.x or failed; false: 4.x.x, delayed */
};

struct ad_reply {
	/* Headers. Message-ids without their <>; "" when absent. */
	char	message_id[AD_REPLY_MSGID_MAX];
	char	in_reply_to[AD_REPLY_MSGID_MAX];
	char	references[AD_REPLY_REFS_MAX][AD_REPLY_MSGID_MAX];
	size_t	n_references;
	char	from[AD_EMAIL_MAX + 1];		/* the From address, lower case */
	char	subject[AD_REPLY_SUBJECT_MAX];	/* decoded UTF-8, no controls */
	struct ad_instant date;		/* Date:, .valid false if none/bad */
	bool	auto_submitted;		/* any auto-reply header */

	/* Our reference token, "" when none found. */
	char	token[AD_REPLY_TOKEN_MAX];
	enum ad_reply_token_from token_from;
	/* The message of the thread it answers (our Message-ID's sequence
	 * number), 0 when not known. */
	unsigned token_seq;

	enum ad_reply_class cls;
	char	why[160];	/* the rule or phrase that decided, for the trail */

	char	ticket[AD_REPLY_TICKET_MAX];	/* their ticket / case id */
	char	form_url[AD_REPLY_URL_MAX];	/* web-form URL (http/https) */

	/* Bounces. */
	bool	dsn;		/* a multipart/report delivery-status */
	bool	permanent;	/* some recipient failed for good */
	struct ad_reply_rcpt rcpt[AD_REPLY_RCPT_MAX];
	size_t	n_rcpt;

	/*
	 * The body text, UTF-8 (text/plain, else text/html without tags),
	 * at most AD_REPLY_TEXT_MAX bytes (text_truncated says so). Owned
	 * by the reply: ad_reply_free() releases it.
	 */
	struct ad_buf text;
	bool	text_truncated;
	/* Bytes of text before the quoted part starts (what the sender wrote). */
	size_t	text_own_len;
};

void	ad_reply_init(struct ad_reply *r);
/* Releases r's text; r can be parsed into again after ad_reply_init. */
void	ad_reply_free(struct ad_reply *r);

/*
 * Parses one RFC 5322 message [msg, msg+n) (not NUL-terminated) into r,
 * which is reset first. Returns AD_OK; AD_ERR_LIMIT (over a bound above:
 * diag says which); AD_ERR_PARSE (not a message at all: no header);
 * AD_ERR_NOMEM. A message GMime only partly understands is still AD_OK
 * with what could be read.
 */
int	ad_reply_parse(const char *msg, size_t n, struct ad_reply *r,
	    struct ad_diag *diag) AD_WUR;

/*
 * The classification alone, for callers with text in hand (and tests):
 * fills r->cls, r->why, r->ticket and r->form_url from r->subject,
 * r->from, r->auto_submitted, r->dsn / r->n_rcpt and r->text. Called by
 * ad_reply_parse.
 */
void	ad_reply_classify(struct ad_reply *r);

/* "auto-ack", "web-form", "forwarded", "resolved", "not-our-network",
 * "more-info", "stop", "bounce", "unknown" (static). */
const char *ad_reply_class_name(enum ad_reply_class c);
/* The class of a name ad_reply_class_name gives; -1 if none. */
int	ad_reply_class_from_name(const char *name);
/* "subject", "in-reply-to", "references", "returned", "body", "none". */
const char *ad_reply_token_from_name(enum ad_reply_token_from f);

/*
 * Finds our token in [s, s+n): "#AD-XXXXXX" (subject form), or a
 * message-id "AD-XXXXXX.N.abusedesk@" (seq set to N, else 0); with
 * bare true also a free-standing "AD-XXXXXX". Writes the token, upper
 * case, to out. Returns true when found.
 */
bool	ad_reply_find_token(const char *s, size_t n, bool bare,
	    char out[AD_REPLY_TOKEN_MAX], unsigned *seq);

/*
 * Appends the reply as one JSON object (no newline), for the CLI and the
 * trail; with_text adds "text" (what the sender wrote) and "quoted".
 * Returns AD_OK or the first append error (AD_ERR_LIMIT: b is full).
 */
int	ad_reply_json(const struct ad_reply *r, bool with_text,
	    struct ad_buf *b) AD_WUR;

/*
 * Mailbox readers: a Maildir (new/ and cur/, one message per file, in
 * name order), an mbox (split on "From " lines after a blank line, mboxrd
 * ">From " unquoted), or one message (a file, or "-" for stdin). The kind
 * is picked from the path: a directory is a Maildir, a file starting with
 * "From " an mbox, anything else one message.
 *
 * Memory per message is bounded by AD_REPLY_SIZE_MAX: a larger message is
 * skipped and reported, the next one is read.
 */
struct ad_mailbox;

enum ad_mailbox_kind {
	AD_MAILBOX_ONE = 0,
	AD_MAILBOX_MAILDIR,
	AD_MAILBOX_MBOX,
};

/* Opens path ("-" = stdin). AD_ERR_IO (diag names why), AD_ERR_NOMEM. */
int	ad_mailbox_open(const char *path, struct ad_mailbox **mb,
	    struct ad_diag *diag) AD_WUR;
enum ad_mailbox_kind ad_mailbox_kind(const struct ad_mailbox *mb);
/*
 * The next message into raw (reset first; raw's own max is ignored: the
 * reader bounds it). *where is set to a borrowed name for messages and
 * errors ("new/1700000000.M1P2.host", "mbox message 3 (line 120)"),
 * valid until the next call. Returns 1 a message, 0 no more, or a
 * negative error about this message only (AD_ERR_LIMIT: over the size
 * cap, skipped; AD_ERR_IO: unreadable file): call again for the next.
 */
int	ad_mailbox_next(struct ad_mailbox *mb, struct ad_buf *raw,
	    const char **where, struct ad_diag *diag) AD_WUR;
/* Closes (stdin is left open). NULL is a no-op. */
void	ad_mailbox_close(struct ad_mailbox *mb);

#endif
