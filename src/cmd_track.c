/*
 * cmd_track.c - following reports through: inbox (replies), history (a
 * case's trail). The rules live in lib/out/track (ad_track.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_json.h"
#include "abusedesk/ad_track.h"
#include "cli.h"

static const char inbox_help[] =
"usage: abusedesk inbox [--json] [--now TIME] PATH|-\n"
"       abusedesk inbox --list [--json]      replies a person should read\n"
"       abusedesk inbox --read ID|all        mark them read\n"
"\n"
"Reads the replies to our reports from PATH: a Maildir (new/ and cur/), an\n"
"mbox file, one message, or - for one message on stdin. Each message is\n"
"matched to its case by In-Reply-To/References (our Message-IDs), then by\n"
"the reference token (AD-XXXXXX) in its subject or body, kept in the\n"
"case's correspondence trail, and classified:\n"
"\n"
"  auto-ack, forwarded  the case is acknowledged (their ticket is kept)\n"
"  web-form             manual-submission: they want their form used (URL kept)\n"
"  resolved             resolved (new events later reopen it)\n"
"  not-our-network      the next followup writes to the upstream\n"
"  more-info            more-info: a person should answer\n"
"  stop                 the sender and our recipient are suppressed at once\n"
"  bounce               bounced: the next followup writes to the upstream\n"
"  unknown              kept for a person to read, never dropped\n"
"\n"
"Replies that match no report are kept too. --list shows the replies a\n"
"person should read (unknown or more-info ones, and unmatched ones) with\n"
"their id; --read marks them read (abusedesk status counts the rest).\n"
"Reading the same mailbox again changes nothing (messages are known by\n"
"their Message-ID). Exit status 2 when some messages could not be read.\n";

static const char history_help[] =
"usage: abusedesk history REPORT [--json]\n"
"\n"
"The case of a report (token AD-XXXXXX or id): its life cycle (new,\n"
"reported, acknowledged, resolved, no-response, followed-up,\n"
"escalated-upstream, escalated-cert, blocked, closed; manual-submission,\n"
"more-info, not-our-network, bounced), every dated step with its reason,\n"
"the messages of the thread and the replies received.\n";

static void
print_inbox(void *arg, const struct ad_inbox_event *e)
{
	struct cli *c = arg;

	if (c->json) {
		struct ad_buf b;
		bool first = true;

		ad_buf_init(&b, 1 << 16);
		if (ad_buf_addc(&b, '{') == AD_OK &&
		    ad_json_kv_str(&b, &first, "where", e->where) == AD_OK &&
		    ad_json_kv_str(&b, &first, "message_id",
		    e->reply->message_id[0] ? e->reply->message_id : NULL) ==
		    AD_OK &&
		    ad_json_kv_str(&b, &first, "from", e->reply->from[0] ?
		    e->reply->from : NULL) == AD_OK &&
		    ad_json_kv_str(&b, &first, "class",
		    ad_reply_class_name(e->reply->cls)) == AD_OK &&
		    ad_json_kv_str(&b, &first, "token", e->token) == AD_OK &&
		    ad_json_kv_bool(&b, &first, "duplicate", e->duplicate) ==
		    AD_OK &&
		    ad_json_kv_str(&b, &first, "effect", e->duplicate ? NULL :
		    e->effect) == AD_OK && ad_buf_addc(&b, '}') == AD_OK)
			printf("%s\n", ad_buf_str(&b));
		ad_buf_free(&b);
		return;
	}
	printf("%-10s %-16s %s\n", e->token ? e->token : "-",
	    ad_reply_class_name(e->reply->cls),
	    e->duplicate ? "read before: nothing done" : e->effect);
}

static int
print_unread(void *arg, const struct ad_reply_row *r)
{
	struct cli *c = arg;
	struct ad_instant t = { .utc = r->received, .valid = true };
	char ts[AD_ISO_STRLEN];

	if (r->report_id != 0 && strcmp(r->cls, "unknown") != 0 &&
	    strcmp(r->cls, "more-info") != 0)
		return 0;
	if (c->json) {
		struct ad_buf b;
		bool first = true;
		int e;

		ad_buf_init(&b, 1 << 20);
		if ((e = ad_buf_addc(&b, '{')) == AD_OK &&
		    (e = ad_json_kv_int(&b, &first, "id", r->id)) == AD_OK &&
		    (e = ad_json_kv_int(&b, &first, "report_id",
		    r->report_id)) == AD_OK &&
		    (e = ad_json_kv_str(&b, &first, "received",
		    ad_instant_format_utc(&t, ts))) == AD_OK &&
		    (e = ad_json_kv_str(&b, &first, "from", r->sender)) == 0 &&
		    (e = ad_json_kv_str(&b, &first, "subject", r->subject)) ==
		    AD_OK &&
		    (e = ad_json_kv_str(&b, &first, "class", r->cls)) == 0 &&
		    (e = ad_json_kv_str(&b, &first, "text", r->text)) == 0 &&
		    (e = ad_buf_addc(&b, '}')) == AD_OK)
			printf("%s\n", ad_buf_str(&b));
		ad_buf_free(&b);
		return e;
	}
	printf("#%-5lld %s %-10s %s: %s\n", (long long)r->id,
	    ad_instant_format_utc(&t, ts), r->report_id ? r->cls : "unmatched",
	    r->sender[0] ? r->sender : "?", r->subject);
	return 0;
}

static int
list_unread(struct cli *c, struct ad_store *st)
{
	int r = ad_store_reply_each(st, 0, true, print_unread, c);

	if (r != AD_OK)
		cli_err(c, "inbox: %s", ad_store_errmsg(st));
	return cli_exit_for(r);
}

static int
mark_read(struct cli *c, struct ad_store *st, const char *which)
{
	char *end;
	long long id = strcmp(which, "all") == 0 ? 0 : strtoll(which, &end, 10);
	int r;

	if (id < 0 || (id == 0 && strcmp(which, "all") != 0) ||
	    (id > 0 && *end != '\0')) {
		cli_err(c, "inbox --read wants a reply id or \"all\"");
		return EXIT_USAGE;
	}
	if ((r = ad_store_reply_handled(st, (int64_t)id)) < 0) {
		cli_err(c, "inbox: %s", ad_store_errmsg(st));
		return cli_exit_for(r);
	}
	if (r == 0 && id > 0) {
		cli_err(c, "inbox: no unread reply %lld", id);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int
cmd_inbox(struct cli *c, int argc, char **argv)
{
	struct ad_inbox_stats s;
	struct ad_diag diag;
	struct ad_store *st = NULL;
	const char *path = NULL, *read_arg = NULL;
	bool list = false;
	int i, r, ret;

	memset(&diag, 0, sizeof(diag));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			printf("%s\n%s", inbox_help, cli_common_help);
			return EXIT_OK;
		} else if (strcmp(a, "--json") == 0)
			c->json = true;
		else if (strcmp(a, "--list") == 0)
			list = true;
		else if (strcmp(a, "--read") == 0 && i + 1 < argc)
			read_arg = argv[++i];
		else if (strcmp(a, "--now") == 0 && i + 1 < argc) {
			if (cli_now_opt(c, argv[++i]) != 0)
				return EXIT_USAGE;
		} else if ((r = cli_common_opt(c, argc, argv, &i)) != 0) {
			if (r < 0)
				return EXIT_USAGE;
		} else if (path == NULL && (a[0] != '-' || a[1] == '\0'))
			path = a;
		else {
			cli_err(c, "inbox: unexpected \"%s\" (try --help)", a);
			return EXIT_USAGE;
		}
	}
	if (list || read_arg != NULL) {
		if ((ret = cli_setup(c)) != EXIT_OK ||
		    (ret = cli_open_store(c, &st)) != EXIT_OK)
			return ret;
		ret = list ? list_unread(c, st) : mark_read(c, st, read_arg);
		ad_store_close(st);
		return ret;
	}
	if (path == NULL) {
		cli_err(c, "inbox: which mailbox? (a Maildir, an mbox, a file, or -)");
		return EXIT_USAGE;
	}
	if ((ret = cli_setup(c)) != EXIT_OK ||
	    (ret = cli_open_store(c, &st)) != EXIT_OK)
		return ret;
	r = ad_track_inbox(&c->ctx, st, path, print_inbox, c, &s, &diag);
	if (r != AD_OK) {
		cli_err(c, "inbox: %s%s%s", diag.where, diag.where[0] ? ": " : "",
		    diag.msg[0] ? diag.msg : ad_store_errmsg(st));
		ret = cli_exit_for(r);
	} else {
		if (!c->quiet)
			fprintf(stderr, "inbox: %zu message(s) read: %zu matched"
			    " a report, %zu kept unmatched, %zu read before, %zu"
			    " unreadable%s%s\n", s.read, s.matched, s.unmatched,
			    s.duplicates, s.bad, s.bad ? ": last: " : "",
			    s.bad ? diag.msg : "");
		if (s.bad)
			ret = EXIT_INPUT;
	}
	ad_store_close(st);
	return ret;
}

/* --- history -------------------------------------------------------------- */

struct hist {
	struct cli	*c;
	struct ad_buf	 out;
	int		 err;
};

static int
hist_trail(void *arg, int64_t at, const char *state, const char *text)
{
	struct hist *h = arg;
	struct ad_instant t = { .utc = at, .valid = true };
	char ts[AD_ISO_STRLEN];

	if (h->c->json) {
		bool first = true;

		if ((h->err = ad_json_item_open(&h->out)) != AD_OK ||
		    (h->err = ad_json_kv_str(&h->out, &first, "at",
		    ad_instant_format_utc(&t, ts))) != AD_OK ||
		    (h->err = ad_json_kv_str(&h->out, &first, "state",
		    state[0] ? state : NULL)) != AD_OK ||
		    (h->err = ad_json_kv_str(&h->out, &first, "text",
		    text)) != AD_OK ||
		    (h->err = ad_buf_addc(&h->out, '}')) != AD_OK)
			return 1;
		return 0;
	}
	printf("  %s  %-18s %s\n", ad_instant_format_utc(&t, ts),
	    state[0] ? state : "new", text);
	return 0;
}

static int
hist_reply(void *arg, const struct ad_reply_row *r)
{
	struct hist *h = arg;
	struct ad_instant t = { .utc = r->received, .valid = true };
	char ts[AD_ISO_STRLEN];

	if (h->c->json) {
		bool first = true;

		if ((h->err = ad_json_item_open(&h->out)) != AD_OK ||
		    (h->err = ad_json_kv_str(&h->out, &first, "received",
		    ad_instant_format_utc(&t, ts))) != AD_OK ||
		    (h->err = ad_json_kv_str(&h->out, &first, "from",
		    r->sender)) != AD_OK ||
		    (h->err = ad_json_kv_str(&h->out, &first, "subject",
		    r->subject)) != AD_OK ||
		    (h->err = ad_json_kv_str(&h->out, &first, "class",
		    r->cls)) != AD_OK ||
		    (h->err = ad_json_kv_str(&h->out, &first, "ticket",
		    r->ticket[0] ? r->ticket : NULL)) != AD_OK ||
		    (h->err = ad_json_kv_str(&h->out, &first, "form_url",
		    r->form_url[0] ? r->form_url : NULL)) != AD_OK ||
		    (h->err = ad_buf_addc(&h->out, '}')) != AD_OK)
			return 1;
		return 0;
	}
	printf("  %s  %-18s from %s: %s\n", ad_instant_format_utc(&t, ts),
	    r->cls, r->sender[0] ? r->sender : "?", r->subject);
	return 0;
}

static int
hist_message(void *arg, const struct ad_report_row *r)
{
	struct hist *h = arg;

	if (h->c->json) {
		bool first = true;

		if ((h->err = ad_json_item_open(&h->out)) != AD_OK ||
		    (h->err = ad_json_kv_int(&h->out, &first, "seq",
		    r->seq)) != AD_OK ||
		    (h->err = ad_json_kv_str(&h->out, &first, "kind",
		    r->kind)) != AD_OK ||
		    (h->err = ad_json_kv_str(&h->out, &first, "state",
		    ad_report_state_name(r->state))) != AD_OK ||
		    (h->err = ad_json_kv_str(&h->out, &first, "to",
		    r->to[0] ? r->to : NULL)) != AD_OK ||
		    (h->err = ad_json_kv_str(&h->out, &first, "message_id",
		    r->message_id)) != AD_OK ||
		    (h->err = ad_buf_addc(&h->out, '}')) != AD_OK)
			return 1;
		return 0;
	}
	printf("  #%d %-9s %-11s to %s  %s\n", r->seq, r->kind,
	    ad_report_state_name(r->state), r->to[0] ? r->to : "-",
	    r->message_id);
	return 0;
}

/* The messages of a thread: the first report and rows pointing to it. */
struct thread_filter {
	int64_t		 thread;
	struct hist	*h;
};

static int
thread_rows(void *arg, const struct ad_report_row *r)
{
	struct thread_filter *tf = arg;

	if (r->id != tf->thread && r->thread_id != tf->thread)
		return 0;
	return hist_message(tf->h, r);
}

int
cmd_history(struct cli *c, int argc, char **argv)
{
	struct ad_report_row row;
	struct ad_store *st = NULL;
	struct hist h;
	const char *ref = NULL, *token = NULL;
	char a[AD_ADDR_STRLEN];
	int64_t id = 0;
	int i, r, ret;

	memset(&h, 0, sizeof(h));
	h.c = c;
	for (i = 1; i < argc; i++) {
		const char *x = argv[i];

		if (strcmp(x, "-h") == 0 || strcmp(x, "--help") == 0) {
			printf("%s\n%s", history_help, cli_common_help);
			return EXIT_OK;
		} else if (strcmp(x, "--json") == 0)
			c->json = true;
		else if ((r = cli_common_opt(c, argc, argv, &i)) != 0) {
			if (r < 0)
				return EXIT_USAGE;
		} else if (ref == NULL && x[0] != '-')
			ref = x;
		else {
			cli_err(c, "history: unexpected \"%s\" (try --help)", x);
			return EXIT_USAGE;
		}
	}
	if (ref == NULL) {
		cli_err(c, "history: which report? (abusedesk reports lists them)");
		return EXIT_USAGE;
	}
	cli_report_ref(ref, &id, &token);
	if ((ret = cli_setup(c)) != EXIT_OK ||
	    (ret = cli_open_store(c, &st)) != EXIT_OK)
		return ret;
	if ((r = ad_store_report_get(st, id, token, &row)) <= 0) {
		if (r == 0)
			cli_err(c, "no report %s", ref);
		ad_store_close(st);
		return r == 0 ? EXIT_USAGE : cli_exit_for(r);
	}
	if ((r = ad_store_report_thread(st, &row)) <= 0) {
		ad_store_close(st);
		return r == 0 ? EXIT_STORE : cli_exit_for(r);
	}
	ad_buf_init(&h.out, 16u << 20);
	{
		struct thread_filter tf = { row.id, &h };
		bool first = true;

		if (c->json) {
			if ((r = ad_buf_addc(&h.out, '{')) != AD_OK ||
			    (r = ad_json_kv_str(&h.out, &first, "token",
			    row.token)) != AD_OK ||
			    (r = ad_json_kv_str(&h.out, &first, "source",
			    ad_addr_format(&row.src, a))) != AD_OK ||
			    (r = ad_json_kv_str(&h.out, &first, "lifecycle",
			    row.lifecycle[0] ? row.lifecycle : "new")) ||
			    (r = ad_json_kv_str(&h.out, &first, "ticket",
			    row.ticket[0] ? row.ticket : NULL)) != AD_OK ||
			    (r = ad_json_kv_str(&h.out, &first, "form_url",
			    row.form_url[0] ? row.form_url : NULL)) ||
			    (r = ad_buf_adds(&h.out, ",\"messages\":[")))
				goto done;
		} else {
			printf("%s  %s  %s%s%s%s%s\n", row.token,
			    ad_addr_format(&row.src, a), row.lifecycle[0] ?
			    row.lifecycle : "new", row.ticket[0] ?
			    "  ticket " : "", row.ticket, row.form_url[0] ?
			    "  form " : "", row.form_url);
			printf("messages:\n");
		}
		struct ad_report_filter rf;

		memset(&rf, 0, sizeof(rf));
		rf.thread = row.id;
		if ((r = ad_store_report_each(st, &rf, thread_rows, &tf)) ||
		    (r = h.err))
			goto done;
		if (c->json && (r = ad_buf_adds(&h.out, "],\"trail\":[")))
			goto done;
		if (!c->json)
			printf("trail:\n");
		if ((r = ad_store_report_trail(st, row.id, hist_trail, &h)) ||
		    (r = h.err))
			goto done;
		if (c->json && (r = ad_buf_adds(&h.out, "],\"replies\":[")))
			goto done;
		if (!c->json)
			printf("replies:\n");
		if ((r = ad_store_reply_each(st, row.id, false, hist_reply,
		    &h)) || (r = h.err))
			goto done;
		if (c->json && (r = ad_buf_adds(&h.out, "]}")) == AD_OK)
			printf("%s\n", ad_buf_str(&h.out));
	}
done:
	if (r != AD_OK) {
		cli_err(c, "history: %s", r == AD_ERR_STORE ?
		    ad_store_errmsg(st) : ad_strerror(r));
		ret = cli_exit_for(r);
	}
	ad_buf_free(&h.out);
	ad_report_row_free(&row);
	ad_store_close(st);
	return ret;
}

/* --- close ----------------------------------------------------------------- */

static const char close_help[] =
"usage: abusedesk close REPORT... [--blocked] [--reason TEXT]\n"
"\n"
"Ends cases by hand: 'closed' (nothing more to do), or with --blocked\n"
"'blocked' (you blocked the source; see abusedesk block). followup leaves\n"
"closed and blocked cases alone, and nothing is sent to anyone: a block is\n"
"never announced to the network. New events after that are still\n"
"recorded in the case's trail.\n";

int
cmd_close(struct cli *c, int argc, char **argv)
{
	struct ad_store *st = NULL;
	const char *reason = "closed by the user";
	bool blocked = false;
	char **refs;
	size_t n = 0, k;
	int i, r, ret, bad = 0;

	if ((refs = calloc((size_t)argc + 1, sizeof(*refs))) == NULL)
		return EXIT_INTERNAL;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			printf("%s\n%s", close_help, cli_common_help);
			free(refs);
			return EXIT_OK;
		} else if (strcmp(a, "--blocked") == 0)
			blocked = true;
		else if (strcmp(a, "--reason") == 0 && i + 1 < argc)
			reason = argv[++i];
		else if (strcmp(a, "--now") == 0 && i + 1 < argc) {
			if (cli_now_opt(c, argv[++i]) != 0) {
				free(refs);
				return EXIT_USAGE;
			}
		} else if ((r = cli_common_opt(c, argc, argv, &i)) != 0) {
			if (r < 0) {
				free(refs);
				return EXIT_USAGE;
			}
		} else if (a[0] != '-')
			refs[n++] = argv[i];
		else {
			cli_err(c, "close: unexpected \"%s\" (try --help)", a);
			free(refs);
			return EXIT_USAGE;
		}
	}
	if (n == 0) {
		cli_err(c, "close: which reports? (try --help)");
		free(refs);
		return EXIT_USAGE;
	}
	if ((ret = cli_setup(c)) != EXIT_OK ||
	    (ret = cli_open_store(c, &st)) != EXIT_OK) {
		free(refs);
		return ret;
	}
	for (k = 0; k < n; k++) {
		struct ad_report_row row;
		const char *token;
		int64_t id;

		cli_report_ref(refs[k], &id, &token);
		if ((r = ad_store_report_get(st, id, token, &row)) <= 0 ||
		    (r = ad_store_report_thread(st, &row)) <= 0) {
			if (r < 0) {
				ret = cli_exit_for(r);
				break;
			}
			cli_err(c, "close: no report %s", refs[k]);
			bad++;
			continue;
		}
		id = row.id;
		ad_report_row_free(&row);
		if ((r = ad_store_begin(st)) != AD_OK ||
		    (r = ad_track_set(st, id, blocked ? AD_LC_BLOCKED :
		    AD_LC_CLOSED, (int64_t)ad_ctx_now(&c->ctx), reason)) !=
		    AD_OK) {
			ad_store_rollback(st);
			cli_err(c, "close: %s", ad_store_errmsg(st));
			ret = cli_exit_for(r);
			break;
		}
		if ((r = ad_store_commit(st)) != AD_OK) {
			ret = cli_exit_for(r);
			break;
		}
	}
	if (ret == EXIT_OK && bad)
		ret = EXIT_USAGE;
	free(refs);
	ad_store_close(st);
	return ret;
}
