/*
 * cmd_reply.c - abusedesk reply-parse: replies to our reports through the
 * reply reader (ad_reply.h), one per message, nothing stored.
 *
 * Hidden (not in the main help): it exists to debug the classifier and for
 * end-to-end tests. `abusedesk inbox` is the verb that stores replies.
 */
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_reply.h"
#include "cli.h"

static const char reply_help[] =
"usage: abusedesk reply-parse [--json] [--text] FILE|MAILDIR|MBOX|-\n"
"\n"
"Reads replies (one message, a Maildir, an mbox, or - for stdin) and prints\n"
"what abusedesk reads from each: class (auto-ack, web-form, forwarded,\n"
"resolved, not-our-network, more-info, stop, bounce, unknown) and why, our\n"
"token and where it was found, ticket, web-form URL, bounced recipients.\n"
"--json prints one object a line (message_id, in_reply_to, references,\n"
"from, subject, date, date_utc, auto_submitted, token, token_from,\n"
"token_seq, class, why, ticket, form_url, dsn, permanent, recipients,\n"
"text_truncated, and with --text the sender's own text and the quoted\n"
"rest). Nothing is stored.\n";

static void
print_plain(const char *where, const struct ad_reply *r)
{
	size_t i;

	printf("%s: %s (%s)\n", where, ad_reply_class_name(r->cls), r->why);
	printf("  from %s, subject \"%s\"\n", r->from[0] ? r->from : "-",
	    r->subject);
	if (r->token[0])
		printf("  token %s (%s, message %u)\n", r->token,
		    ad_reply_token_from_name(r->token_from), r->token_seq);
	if (r->ticket[0])
		printf("  ticket %s\n", r->ticket);
	if (r->form_url[0])
		printf("  form %s\n", r->form_url);
	for (i = 0; i < r->n_rcpt; i++)
		printf("  bounced %s %s %s%s%s\n", r->rcpt[i].addr,
		    r->rcpt[i].status[0] ? r->rcpt[i].status : "-",
		    r->rcpt[i].permanent ? "permanent" : "temporary",
		    r->rcpt[i].diag[0] ? ": " : "", r->rcpt[i].diag);
}

int
cmd_reply(struct cli *c, int argc, char **argv)
{
	const char *path = NULL, *where;
	struct ad_mailbox *mb = NULL;
	struct ad_reply reply;
	struct ad_diag diag;
	struct ad_buf raw, out;
	bool text = false;
	int i, r, rc = EXIT_OK;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(reply_help, stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--json") == 0)
			c->json = true;
		else if (strcmp(argv[i], "--text") == 0)
			text = true;
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			cli_err(c, "reply-parse: unknown option %s", argv[i]);
			return EXIT_USAGE;
		} else if (path == NULL)
			path = argv[i];
		else {
			cli_err(c, "reply-parse: one FILE, MAILDIR or MBOX");
			return EXIT_USAGE;
		}
	}
	if (path == NULL) {
		fputs(reply_help, stderr);
		return EXIT_USAGE;
	}
	memset(&diag, 0, sizeof(diag));
	if ((r = ad_mailbox_open(path, &mb, &diag)) != AD_OK) {
		cli_err(c, "%s: %s", diag.where, diag.msg);
		return cli_exit_for(r);
	}
	ad_buf_init(&raw, AD_REPLY_SIZE_MAX);
	ad_buf_init(&out, 4 * AD_REPLY_TEXT_MAX + 65536);
	ad_reply_init(&reply);
	while ((r = ad_mailbox_next(mb, &raw, &where, &diag)) != 0) {
		if (r < 0 || (r = ad_reply_parse(raw.p ? raw.p : "", raw.len,
		    &reply, &diag)) != AD_OK) {
			cli_err(c, "%s: %s", where, diag.msg);
			/* An unreadable or refused message is a bad input. */
			rc = r == AD_ERR_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
			continue;
		}
		if (c->json) {
			ad_buf_reset(&out);
			if (ad_reply_json(&reply, text, &out) != AD_OK) {
				cli_err(c, "%s: output too large", where);
				rc = EXIT_INTERNAL;
				continue;
			}
			printf("%s\n", ad_buf_str(&out));
		} else
			print_plain(where, &reply);
	}
	ad_reply_free(&reply);
	ad_buf_free(&raw);
	ad_buf_free(&out);
	ad_mailbox_close(mb);
	return rc;
}
