/*
 * fuzz_mime.c - libFuzzer target for the reply reader (ad_reply.h): GMime
 * parsing under our bounds, the walk, DSN fields, HTML stripping, quote
 * cutting, classification, ticket/URL/token extraction and the JSON form.
 *
 * The input is one message in a heap block of exactly its length (not
 * NUL-terminated). Checked on every result: what the store and mail
 * headers will use carries no CR, LF or control byte (token, ticket, URL,
 * recipients, message-ids), the token has our exact shape, the text and
 * its own part are consistent, and the JSON is one line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_reply.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
no_controls(const char *what, const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			fprintf(stderr, "fuzz_mime: control byte in %s\n", what);
			abort();
		}
}

static void
check(const struct ad_reply *r)
{
	struct ad_buf b;
	size_t i;

	if (r->token[0] && (strlen(r->token) != 9 ||
	    strncmp(r->token, "AD-", 3) != 0))
		abort();
	if (r->text_own_len > r->text.len || r->text.len > AD_REPLY_TEXT_MAX ||
	    r->n_rcpt > AD_REPLY_RCPT_MAX ||
	    r->n_references > AD_REPLY_REFS_MAX ||
	    (unsigned)r->cls >= AD_REPLY_CLASS_COUNT)
		abort();
	no_controls("token", r->token);
	no_controls("ticket", r->ticket);
	no_controls("form_url", r->form_url);
	no_controls("message_id", r->message_id);
	no_controls("in_reply_to", r->in_reply_to);
	no_controls("from", r->from);
	no_controls("subject", r->subject);
	for (i = 0; i < r->n_references; i++)
		no_controls("references", r->references[i]);
	for (i = 0; i < r->n_rcpt; i++) {
		no_controls("rcpt", r->rcpt[i].addr);
		no_controls("status", r->rcpt[i].status);
		no_controls("diag", r->rcpt[i].diag);
		if (strchr(r->rcpt[i].addr, ' ') != NULL)
			abort();
	}
	ad_buf_init(&b, 4 * AD_REPLY_TEXT_MAX + 65536);
	if (ad_reply_json(r, true, &b) == AD_OK &&
	    memchr(b.p, '\n', b.len) != NULL)
		abort();
	ad_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ad_reply r;
	struct ad_diag diag;
	char *msg;

	if ((msg = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(msg, data, size);
	ad_reply_init(&r);
	if (ad_reply_parse(msg, size, &r, &diag) == AD_OK)
		check(&r);
	ad_reply_free(&r);
	free(msg);
	return 0;
}
