/*
 * test_reply.c - the reply reader (ad_reply.h): our own realistic replies
 * under tests/cases/replies/ (class and fields each), the token forms,
 * quote cutting, the bounds, the mailbox readers, and the real messages of
 * ../shared/fixtures/mail/samples/ (skipped when ../shared is absent).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abusedesk/ad_reply.h"
#include "test_helper.h"

#define CASES	"tests/cases/replies/"
#define SAMPLES	"../shared/fixtures/mail/samples"

/* Reads a whole file (tests only: small files). */
static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long l;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	l = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)l + 1);
	if (buf == NULL || fread(buf, 1, (size_t)l, f) != (size_t)l) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[l] = '\0';
	*n = (size_t)l;
	return buf;
}

static int
parse_file(const char *path, struct ad_reply *r)
{
	struct ad_diag d;
	size_t n = 0;
	char *m = slurp(path, &n);
	int e;

	if (m == NULL) {
		printf("# cannot read %s\n", path);
		return AD_ERR_IO;
	}
	e = ad_reply_parse(m, n, r, &d);
	if (e != AD_OK)
		printf("# %s: %s\n", path, d.msg);
	free(m);
	return e;
}

struct expect {
	const char		*file;
	enum ad_reply_class	 cls;
	const char		*token;
	enum ad_reply_token_from from;
	unsigned		 seq;
	const char		*ticket;	/* "" none */
	const char		*url;		/* "" none */
	const char		*rcpt;		/* "" none */
	const char		*status;
	bool			 permanent;
	const char		*date_utc;
};

static const struct expect cases[] = {
	{ "postfix_dsn.eml", AD_REPLY_BOUNCE, "AD-7F3K9Q", AD_TOKEN_RETURNED,
	    1, "", "", "abuse@hoster.example.net", "5.1.1", true,
	    "2026-11-22T09:15:04Z" },
	{ "postfix_delay.eml", AD_REPLY_BOUNCE, "AD-M2W4X8", AD_TOKEN_RETURNED,
	    2, "", "", "abuse@slow.example.com", "4.4.1", false,
	    "2026-11-23T14:20:11Z" },
	{ "exim_failed.eml", AD_REPLY_BOUNCE, "AD-H8R2T5", AD_TOKEN_BODY, 1,
	    "", "", "abuse@gone.example.info", "5.1.1", true,
	    "2026-11-22T10:02:45Z" },
	{ "otrs_ack.eml", AD_REPLY_AUTO_ACK, "AD-7F3K9Q", AD_TOKEN_SUBJECT, 1,
	    "2026112210000123", "", "", "", false, "2026-11-22T09:16:10Z" },
	{ "zendesk_ack.eml", AD_REPLY_AUTO_ACK, "AD-K4P7ZB", AD_TOKEN_SUBJECT,
	    1, "48213", "", "", "", false, "2026-11-22T15:41:22Z" },
	{ "webform_hoster.eml", AD_REPLY_WEB_FORM, "AD-3N6Q8R",
	    AD_TOKEN_SUBJECT, 1, "",
	    "https://abuse.hoster.example.com/report?lang=en", "", "", false,
	    "2026-11-23T08:02:31Z" },
	{ "resolved.eml", AD_REPLY_RESOLVED, "AD-9V2C7D", AD_TOKEN_SUBJECT, 2,
	    "", "", "", "", false, "2026-11-24T16:48:05Z" },
	{ "not_ours.eml", AD_REPLY_NOT_OUR_NETWORK, "AD-T5G7N2",
	    AD_TOKEN_SUBJECT, 1, "", "", "", "", false,
	    "2026-11-25T13:30:00Z" },
	{ "more_info.eml", AD_REPLY_MORE_INFO, "AD-P9X3M6", AD_TOKEN_SUBJECT,
	    1, "BT-5521987", "", "", "", false, "2026-11-26T12:10:44Z" },
	{ "stop.eml", AD_REPLY_STOP, "AD-W7K2Q4", AD_TOKEN_SUBJECT, 3, "", "",
	    "", "", false, "2026-11-27T21:01:13Z" },
	{ "forwarded_fr.eml", AD_REPLY_FORWARDED, "AD-B6D8F2",
	    AD_TOKEN_SUBJECT, 1, "HEB-20261128-0042", "", "", "", false,
	    "2026-11-28T09:00:00Z" },
	{ "hoster_forwarded_auto.eml", AD_REPLY_FORWARDED, "AD-R8D3V6",
	    AD_TOKEN_SUBJECT, 1, "9C4E21:1F", "", "", "", false,
	    "2026-11-30T05:12:40Z" },
	{ "zendesk_solved.eml", AD_REPLY_RESOLVED, "AD-K4P7ZB",
	    AD_TOKEN_SUBJECT, 1, "48213", "", "", "", false,
	    "2026-12-02T09:00:03Z" },
	{ "ovh_formulaire.eml", AD_REPLY_WEB_FORM, "AD-N5P2K7",
	    AD_TOKEN_SUBJECT, 0, "",
	    "https://abuse.grand-hebergeur.example.fr/signaler", "", "", false,
	    "2026-12-01T13:03:09Z" },
	{ "unknown_html.eml", AD_REPLY_UNKNOWN, "AD-Z3Y5V7", AD_TOKEN_SUBJECT,
	    0, "", "", "", "", false, "2026-11-29T03:14:15Z" },
};

static void
test_cases(void)
{
	char path[256], t[AD_ISO_STRLEN];
	struct ad_reply r;
	size_t i;

	ad_reply_init(&r);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct expect *x = &cases[i];
		char name[300];

		snprintf(name, sizeof(name), "reply %s: %s", x->file,
		    ad_reply_class_name(x->cls));
		TEST_START(name);
		snprintf(path, sizeof(path), CASES "%s", x->file);
		ASSERT_INT_EQ(parse_file(path, &r), AD_OK);
		ASSERT_STR_EQ(ad_reply_class_name(r.cls),
		    ad_reply_class_name(x->cls));
		ASSERT_STR_EQ(r.token, x->token);
		ASSERT_STR_EQ(ad_reply_token_from_name(r.token_from),
		    ad_reply_token_from_name(x->from));
		ASSERT_INT_EQ(r.token_seq, x->seq);
		ASSERT_STR_EQ(r.ticket, x->ticket);
		ASSERT_STR_EQ(r.form_url, x->url);
		ASSERT_TRUE(r.date.valid);
		ASSERT_STR_EQ(ad_instant_format_utc(&r.date, t), x->date_utc);
		if (x->rcpt[0]) {
			ASSERT_INT_EQ(r.n_rcpt, 1);
			ASSERT_STR_EQ(r.rcpt[0].addr, x->rcpt);
			ASSERT_STR_EQ(r.rcpt[0].status, x->status);
			ASSERT_INT_EQ(r.rcpt[0].permanent, x->permanent);
			ASSERT_INT_EQ(r.permanent, x->permanent);
			ASSERT_TRUE(r.rcpt[0].diag[0] != '\0');
		} else
			ASSERT_INT_EQ(r.n_rcpt, 0);
		if (th_cur_failed)
			printf("#   why: %s\n", r.why);
		TEST_DONE();
	}
	ad_reply_free(&r);
}

static void
test_details(void)
{
	struct ad_reply r;
	struct ad_buf b;

	ad_reply_init(&r);
	TEST_START("DSN: Diagnostic-Code unfolded, DSN flag, Postfix sender");
	ASSERT_INT_EQ(parse_file(CASES "postfix_dsn.eml", &r), AD_OK);
	ASSERT_TRUE(r.dsn);
	ASSERT_STR_EQ(r.rcpt[0].diag, "550 5.1.1 <abuse@hoster.example.net>: "
	    "Recipient address rejected: User unknown in virtual mailbox table");
	ASSERT_STR_EQ(r.rcpt[0].action, "failed");
	ASSERT_STR_EQ(r.from, "mailer-daemon@reporter.example.org");
	TEST_DONE();

	TEST_START("headers: ids without <>, references kept in order");
	ASSERT_INT_EQ(parse_file(CASES "resolved.eml", &r), AD_OK);
	ASSERT_STR_EQ(r.in_reply_to,
	    "AD-9V2C7D.2.abusedesk@reporter.example.org");
	ASSERT_INT_EQ(r.n_references, 2);
	ASSERT_STR_EQ(r.references[0],
	    "AD-9V2C7D.1.abusedesk@reporter.example.org");
	ASSERT_STR_EQ(r.message_id,
	    "5f1c2a9e-1b7d-4c3e-9a1f-0d2e3c4b5a69@smallisp.example.net");
	ASSERT_FALSE(r.auto_submitted);
	/* The quote holds "stop sending": it must not count. */
	ASSERT_TRUE(strstr(ad_buf_str(&r.text) + r.text_own_len,
	    "stop sending") != NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&r.text), "Jan Novák") != NULL);
	TEST_DONE();

	TEST_START("charsets: RFC 2047 subject and ISO-8859-15 body to UTF-8");
	ASSERT_INT_EQ(parse_file(CASES "forwarded_fr.eml", &r), AD_OK);
	ASSERT_STR_EQ(r.subject, "Réf. [abusedesk #AD-B6D8F2] Force brute SSH");
	ASSERT_TRUE(strstr(ad_buf_str(&r.text), "a été transmis") != NULL);
	ASSERT_INT_EQ(r.token_from, AD_TOKEN_SUBJECT);
	TEST_DONE();

	TEST_START("HTML only: tags, style dropped, blockquote is quoted");
	ASSERT_INT_EQ(parse_file(CASES "unknown_html.eml", &r), AD_OK);
	ASSERT_TRUE(strstr(ad_buf_str(&r.text), "Who are you") != NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&r.text), "color") == NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&r.text), "> our servers") != NULL);
	TEST_DONE();

	TEST_START("base64 part of multipart/alternative, Outlook quote cut");
	ASSERT_INT_EQ(parse_file(CASES "not_ours.eml", &r), AD_OK);
	ASSERT_TRUE(strstr(ad_buf_str(&r.text), "not managed by us") != NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&r.text) + r.text_own_len,
	    "-----Original Message-----") == ad_buf_str(&r.text) +
	    r.text_own_len);
	TEST_DONE();

	TEST_START("8-bit text without a charset: Windows-1252 when not UTF-8");
	{
		static const char m[] = "From: a@b.example\nSubject: Re: "
		    "[abusedesk #AD-7F3K9Q] x\nContent-Type: text/plain\n\n"
		    "Das Problem wurde behoben. Gr\xfc\xdf" "e\n";

		ASSERT_INT_EQ(ad_reply_parse(m, sizeof(m) - 1, &r, NULL), AD_OK);
		ASSERT_STR_EQ(ad_buf_str(&r.text),
		    "Das Problem wurde behoben. Grüße\n");
		ASSERT_INT_EQ(r.cls, AD_REPLY_RESOLVED);
	}
	TEST_DONE();

	TEST_START("json: one object, class and recipients");
	ASSERT_INT_EQ(parse_file(CASES "exim_failed.eml", &r), AD_OK);
	ad_buf_init(&b, 1 << 20);
	ASSERT_INT_EQ(ad_reply_json(&r, true, &b), AD_OK);
	ASSERT_TRUE(strstr(ad_buf_str(&b), "\"class\":\"bounce\"") != NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&b),
	    "\"recipients\":[{\"addr\":\"abuse@gone.example.info\"") != NULL);
	ASSERT_TRUE(strchr(ad_buf_str(&b), '\n') == NULL);
	ad_buf_free(&b);
	/* A full output buffer is said, not silently cut. */
	ad_buf_init(&b, 64);
	ASSERT_INT_EQ(ad_reply_json(&r, true, &b), AD_ERR_LIMIT);
	ad_buf_free(&b);
	TEST_DONE();
	ad_reply_free(&r);
}

static void
test_tokens(void)
{
	char tok[AD_REPLY_TOKEN_MAX];
	unsigned seq = 99;
	int i;

	TEST_START("token: subject, message-id, bare, refusals");
	ASSERT_TRUE(ad_reply_find_token("Re: [abusedesk #AD-7F3K9Q] x", 28,
	    false, tok, &seq));
	ASSERT_STR_EQ(tok, "AD-7F3K9Q");
	ASSERT_INT_EQ(seq, 0);
	ASSERT_TRUE(ad_reply_find_token("ad-7f3k9q.3.abusedesk@h.example", 31,
	    false, tok, &seq));
	ASSERT_STR_EQ(tok, "AD-7F3K9Q");
	ASSERT_INT_EQ(seq, 3);
	/* Bare only when asked; never with I L O U or a wrong length. */
	ASSERT_FALSE(ad_reply_find_token("see AD-7F3K9Q now", 17, false, tok,
	    NULL));
	ASSERT_TRUE(ad_reply_find_token("see AD-7F3K9Q now", 17, true, tok,
	    NULL));
	ASSERT_FALSE(ad_reply_find_token("#AD-7F3KIQ", 10, true, tok, NULL));
	ASSERT_FALSE(ad_reply_find_token("#AD-7F3K9QX", 11, true, tok, NULL));
	ASSERT_FALSE(ad_reply_find_token("#AD-7F3K9", 9, true, tok, NULL));
	ASSERT_FALSE(ad_reply_find_token("#BAD-7F3K9Q", 11, true, tok, NULL));
	/* Not read past n. */
	ASSERT_FALSE(ad_reply_find_token("#AD-7F3K9Q", 9, true, tok, NULL));
	TEST_DONE();

	TEST_START("class names round-trip");
	for (i = 0; i < AD_REPLY_CLASS_COUNT; i++)
		ASSERT_INT_EQ(ad_reply_class_from_name(ad_reply_class_name(
		    (enum ad_reply_class)i)), i);
	ASSERT_INT_EQ(ad_reply_class_from_name("nonsense"), -1);
	TEST_DONE();
}

/* Classification from text alone (ad_reply_classify). */
static enum ad_reply_class
classify(const char *subject, const char *text, bool autosub)
{
	struct ad_reply r;
	enum ad_reply_class c;

	ad_reply_init(&r);
	snprintf(r.subject, sizeof(r.subject), "%s", subject);
	r.auto_submitted = autosub;
	if (ad_buf_adds(&r.text, text) != AD_OK)
		return AD_REPLY_CLASS_COUNT;
	ad_reply_classify(&r);
	c = r.cls;
	ad_reply_free(&r);
	return c;
}

static void
test_rules(void)
{
	TEST_START("rules: quotes never decide, conditions are not facts");
	ASSERT_INT_EQ(classify("Re: x", "Who are you?\n\n> stop sending\n> "
	    "please send logs\n", false), AD_REPLY_UNKNOWN);
	ASSERT_INT_EQ(classify("Re: x", "Thanks.\nOn Mon, 23 Nov 2026 at "
	    "10:00, Ops <ops@example.org>\nwrote:\nremove me from this\n",
	    false), AD_REPLY_UNKNOWN);
	ASSERT_INT_EQ(classify("Re: x", "Once the host has been cleaned we "
	    "will tell you.", false), AD_REPLY_UNKNOWN);
	ASSERT_INT_EQ(classify("Re: x", "If you need more information, "
	    "please ask.", false), AD_REPLY_UNKNOWN);
	TEST_DONE();

	TEST_START("rules: order (stop before resolved, web form first)");
	ASSERT_INT_EQ(classify("Re: x", "The account has been suspended. "
	    "Now stop sending us mail.", false), AD_REPLY_STOP);
	ASSERT_INT_EQ(classify("Re: x", "Automatic reply. Please use our web "
	    "form at https://x.example/abuse", true), AD_REPLY_WEB_FORM);
	ASSERT_INT_EQ(classify("Re: x", "We will review it. Please stop "
	    "sending", true), AD_REPLY_AUTO_ACK);
	ASSERT_INT_EQ(classify("Re: x", "Thank you for your report. We "
	    "cannot identify the customer, please provide logs.", false),
	    AD_REPLY_MORE_INFO);
	ASSERT_INT_EQ(classify("Automatische Antwort: x", "", false),
	    AD_REPLY_AUTO_ACK);
	ASSERT_INT_EQ(classify("Re: x", "Diese IP gehört nicht zu unserem "
	    "Netz.", false), AD_REPLY_NOT_OUR_NETWORK);
	ASSERT_INT_EQ(classify("Re: x", "El problema ha sido resuelto.",
	    false), AD_REPLY_RESOLVED);
	ASSERT_INT_EQ(classify("Re: x", "See https://www.example/webformlogin",
	    false), AD_REPLY_UNKNOWN);
	TEST_DONE();
}

static void
test_bounds(void)
{
	struct ad_reply r;
	struct ad_diag d;
	struct ad_buf b;
	int i;

	ad_reply_init(&r);
	TEST_START("bounds: size, depth and part count refused");
	ad_buf_init(&b, AD_REPLY_SIZE_MAX + 16);
	ASSERT_INT_EQ(ad_reply_parse("x", (size_t)AD_REPLY_SIZE_MAX + 1, &r,
	    &d), AD_ERR_LIMIT);
	/* 20 nested multiparts. */
	ASSERT_INT_EQ(ad_buf_adds(&b, "From: a@example.org\nSubject: deep\n"),
	    AD_OK);
	for (i = 0; i < 20; i++)
		ASSERT_INT_EQ(ad_buf_addf(&b, "Content-Type: multipart/mixed; "
		    "boundary=\"b%d\"\n\n--b%d\n", i, i), AD_OK);
	ASSERT_INT_EQ(ad_buf_adds(&b, "Content-Type: text/plain\n\nhi\n"),
	    AD_OK);
	ASSERT_INT_EQ(ad_reply_parse(b.p, b.len, &r, &d), AD_ERR_LIMIT);
	ASSERT_TRUE(strstr(d.msg, "nesting") != NULL);
	/* 300 parts in one multipart. */
	ad_buf_reset(&b);
	ASSERT_INT_EQ(ad_buf_adds(&b, "From: a@example.org\nContent-Type: "
	    "multipart/mixed; boundary=zz\n\n"), AD_OK);
	for (i = 0; i < 300; i++)
		ASSERT_INT_EQ(ad_buf_adds(&b, "--zz\n\nx\n"), AD_OK);
	ASSERT_INT_EQ(ad_reply_parse(b.p, b.len, &r, &d), AD_ERR_LIMIT);
	/* Garbage is still a (headerless) reply, kept as unknown. */
	ASSERT_INT_EQ(ad_reply_parse("\x01\x02", 2, &r, &d) == AD_OK ||
	    ad_reply_parse("\x01\x02", 2, &r, &d) == AD_ERR_PARSE, 1);
	ad_buf_free(&b);
	TEST_DONE();
	ad_reply_free(&r);
}

static int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void
test_mailbox(void)
{
	char dir[] = "/tmp/test_reply.XXXXXX", p[512];
	struct ad_mailbox *mb;
	struct ad_diag d;
	struct ad_buf raw;
	const char *where;
	int n;

	ad_buf_init(&raw, AD_REPLY_SIZE_MAX);
	TEST_START("mbox: split on From after a blank line, >From unquoted");
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(p, sizeof(p), "%s/mbox", dir);
	ASSERT_INT_EQ(write_file(p,
	    "From a@example.org Mon Nov 23 10:00:00 2026\n"
	    "Subject: one\n\nbody\n>From the start\n"
	    "From here on, not a separator\n\n"
	    "From b@example.org Mon Nov 23 11:00:00 2026\n"
	    "Subject: two\n\nsecond\n"), 0);
	ASSERT_INT_EQ(ad_mailbox_open(p, &mb, &d), AD_OK);
	ASSERT_INT_EQ(ad_mailbox_kind(mb), AD_MAILBOX_MBOX);
	ASSERT_INT_EQ(ad_mailbox_next(mb, &raw, &where, &d), 1);
	ASSERT_STR_EQ(ad_buf_str(&raw), "Subject: one\n\nbody\nFrom the "
	    "start\nFrom here on, not a separator\n");
	ASSERT_INT_EQ(ad_mailbox_next(mb, &raw, &where, &d), 1);
	ASSERT_STR_EQ(ad_buf_str(&raw), "Subject: two\n\nsecond\n");
	ASSERT_TRUE(strstr(where, "message 2") != NULL);
	ASSERT_INT_EQ(ad_mailbox_next(mb, &raw, &where, &d), 0);
	ad_mailbox_close(mb);
	unlink(p);
	TEST_DONE();

	TEST_START("Maildir: new/ then cur/, dot files skipped, one message");
	snprintf(p, sizeof(p), "%s/md", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/md/new", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/md/cur", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/md/new/2.host", dir);
	ASSERT_INT_EQ(write_file(p, "Subject: b\n\nB\n"), 0);
	snprintf(p, sizeof(p), "%s/md/new/1.host", dir);
	ASSERT_INT_EQ(write_file(p, "Subject: a\n\nA\n"), 0);
	snprintf(p, sizeof(p), "%s/md/new/.tmp", dir);
	ASSERT_INT_EQ(write_file(p, "x"), 0);
	snprintf(p, sizeof(p), "%s/md/cur/0.host:2,S", dir);
	ASSERT_INT_EQ(write_file(p, "Subject: c\n\nC\n"), 0);
	snprintf(p, sizeof(p), "%s/md", dir);
	ASSERT_INT_EQ(ad_mailbox_open(p, &mb, &d), AD_OK);
	ASSERT_INT_EQ(ad_mailbox_kind(mb), AD_MAILBOX_MAILDIR);
	n = 0;
	while (ad_mailbox_next(mb, &raw, &where, &d) == 1) {
		const char *want[] = { "Subject: a\n\nA\n", "Subject: b\n\nB\n",
		    "Subject: c\n\nC\n" };

		if (n < 3)
			ASSERT_STR_EQ(ad_buf_str(&raw), want[n]);
		n++;
	}
	ASSERT_INT_EQ(n, 3);
	ad_mailbox_close(mb);
	snprintf(p, sizeof(p), "%s/md/new/1.host", dir);
	ASSERT_INT_EQ(ad_mailbox_open(p, &mb, &d), AD_OK);
	ASSERT_INT_EQ(ad_mailbox_kind(mb), AD_MAILBOX_ONE);
	ASSERT_INT_EQ(ad_mailbox_next(mb, &raw, &where, &d), 1);
	ASSERT_STR_EQ(ad_buf_str(&raw), "Subject: a\n\nA\n");
	ASSERT_INT_EQ(ad_mailbox_next(mb, &raw, &where, &d), 0);
	ad_mailbox_close(mb);
	ASSERT_INT_EQ(ad_mailbox_open("/nonexistent/x", &mb, &d), AD_ERR_IO);
	TEST_DONE();
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	if (system(p) != 0)
		printf("# could not remove %s\n", dir);
	ad_buf_free(&raw);
}

/*
 * The real messages: complaints sent to abuse desks, and one desk's reply
 * (cloudflare-response_01). None is a reply to one of our reports, so none
 * may carry our token, and no ARF feedback report may be read as a bounce.
 */
static void
test_samples(void)
{
	int counts[AD_REPLY_CLASS_COUNT] = { 0 };
	struct dirent **ents;
	struct ad_reply r;
	struct ad_buf raw;
	struct ad_diag d;
	int i, n, msgs = 0, errors = 0;
	char path[512], t[AD_ISO_STRLEN];

	if ((n = scandir(SAMPLES, &ents, NULL, alphasort)) < 0) {
		printf("ok %d - samples # SKIP ../shared absent\n", ++th_n);
		return;
	}
	TEST_START("samples: every real message parses, no token, no bounce");
	ad_reply_init(&r);
	ad_buf_init(&raw, AD_REPLY_SIZE_MAX);
	for (i = 0; i < n; i++) {
		struct ad_mailbox *mb;
		const char *where;
		int e;

		if (strstr(ents[i]->d_name, ".eml") == NULL) {
			free(ents[i]);
			continue;
		}
		snprintf(path, sizeof(path), SAMPLES "/%s", ents[i]->d_name);
		free(ents[i]);
		if (ad_mailbox_open(path, &mb, &d) != AD_OK) {
			errors++;
			continue;
		}
		while ((e = ad_mailbox_next(mb, &raw, &where, &d)) != 0) {
			if (e < 0 || ad_reply_parse(raw.p, raw.len, &r, &d) !=
			    AD_OK) {
				printf("# %s: %s\n", path, d.msg);
				errors++;
				continue;
			}
			msgs++;
			counts[r.cls]++;
			if (r.token[0])
				TH_FAIL("%s: token %s", path, r.token);
			if (r.cls == AD_REPLY_BOUNCE)
				TH_FAIL("%s: read as a bounce", path);
		}
		ad_mailbox_close(mb);
	}
	free(ents);
	ASSERT_INT_EQ(errors, 0);
	ASSERT_TRUE(msgs >= 60);
	printf("# samples: %d messages:", msgs);
	for (i = 0; i < AD_REPLY_CLASS_COUNT; i++)
		if (counts[i])
			printf(" %s %d", ad_reply_class_name(
			    (enum ad_reply_class)i), counts[i]);
	printf("\n");
	TEST_DONE();

	TEST_START("samples: the Cloudflare reply, dates, a Case ID");
	ASSERT_INT_EQ(parse_file(SAMPLES "/cloudflare-response_01.eml", &r),
	    AD_OK);
	ASSERT_STR_EQ(r.from, "abuseteam@cloudflare.com");
	ASSERT_STR_EQ(ad_instant_format_utc(&r.date, t),
	    "2015-04-29T21:26:14Z");
	ASSERT_INT_EQ(r.date.off_min, 120);
	/* It names the origin address: news for a human, not a rule. */
	ASSERT_INT_EQ(r.cls, AD_REPLY_UNKNOWN);
	ASSERT_TRUE(strstr(ad_buf_str(&r.text), "5.39.1.1") != NULL);
	/* Real Date headers: "(invalid)" is no date; "UTz" is still UTC. */
	ASSERT_INT_EQ(parse_file(SAMPLES "/cleanmx_01.eml", &r), AD_OK);
	ASSERT_FALSE(r.date.valid);
	ASSERT_INT_EQ(parse_file(SAMPLES "/netcraft_06.eml", &r), AD_OK);
	ASSERT_STR_EQ(ad_instant_format_utc(&r.date, t),
	    "2015-10-26T11:28:27Z");
	ASSERT_INT_EQ(parse_file(SAMPLES "/ipechelon_01.eml", &r), AD_OK);
	ASSERT_STR_EQ(r.ticket, "314620451");
	ASSERT_TRUE(r.auto_submitted);
	TEST_DONE();
	ad_buf_free(&raw);
	ad_reply_free(&r);
}

int
main(void)
{
	test_cases();
	test_details();
	test_tokens();
	test_rules();
	test_bounds();
	test_mailbox();
	test_samples();
	TESTS_END();
}
