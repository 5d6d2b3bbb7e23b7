/*
 * cmd_report.c - the review queue verbs: draft, reports, show, approve,
 * send, suppress. The rules live in lib/out/queue (ad_queue.h); this file
 * reads options, wires the lookup and resolver in, and prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pwd.h>

#include "abusedesk/ad_assess.h"
#include "abusedesk/ad_email.h"
#include "abusedesk/ad_json.h"
#include "abusedesk/ad_lookup.h"
#include "abusedesk/ad_queue.h"
#include "abusedesk/ad_registry.h"
#include "abusedesk/ad_track.h"
#include "cli.h"

/* Exit code of send when some reports were not sent (see --help). */
#define EXIT_NOT_SENT	6

static const char draft_help[] =
"usage: abusedesk draft [--all | INCIDENT...] [--offline] [--now TIME]\n"
"                       [--json]\n"
"\n"
"Writes reports for the reportable incidents that are in no report yet\n"
"(--all, the default) or for the given incident ids: one report per source\n"
"address, covering all its incidents. Nothing is sent: a report is a draft\n"
"until 'abusedesk approve', and only 'abusedesk send' sends.\n"
"\n"
"For each source abusedesk finds the contact (report.contacts, then the\n"
"lookup cache, then RDAP/whois as 'abusedesk lookup' does; the lookup.*\n"
"keys apply), looks up its reverse name (assess.rdns), and assesses it:\n"
"a source in the allowlist, a known research scanner, a Tor exit or worm\n"
"noise to a large provider is 'skipped'; a missing, freemail or\n"
"untrusted contact goes to the upstream or is 'held' for you to decide;\n"
"a source that may be spoofed is reported with that caveat (or held).\n"
"Every decision is stored with its reasons ('abusedesk reports').\n"
"\n"
"New events of a source whose report is still waiting are added to that\n"
"report (re-composed), never a second message; incidents of a source\n"
"reported within report.period (7 days) join the sent report for the\n"
"follow-up, without a new message.\n"
"\n"
"  --offline   no network: contacts from report.contacts and the cache only\n"
"  --now TIME  the time to draft at (ISO 8601; tests)\n"
"  --json      one JSON object per report touched\n";

static const char reports_help[] =
"usage: abusedesk reports [--state STATE] [--json]\n"
"\n"
"Lists reports, oldest first: token, state, recipient, subject, and for\n"
"held and skipped ones the reasons. STATE is one of draft, held, skipped,\n"
"approved, sending, sent, failed, unconfirmed, suppressed (may repeat).\n"
"--json prints JSON Lines with every field but the message.\n";

static const char show_help[] =
"usage: abusedesk show REPORT [--public] [--trail]\n"
"\n"
"Prints the report (its token AD-XXXXXX or its id) as the full RFC 5322\n"
"message that send delivers. --trail prints its dated history instead.\n"
"--public re-composes it with our own addresses masked, for sharing on\n"
"lists or with third parties (never sent).\n";

static const char approve_help[] =
"usage: abusedesk approve REPORT... | --all\n"
"\n"
"Approves reports for sending: drafts, held reports you have reviewed,\n"
"failed ones and 'unconfirmed' ones (a send that may have gone out before\n"
"a crash: approving it again is a conscious resend). --all approves every\n"
"draft (not held ones: those need a look each).\n";

static const char send_help[] =
"usage: abusedesk send [--dry-run] [--now TIME] [--json]\n"
"\n"
"Sends the approved reports that are due, through relay.url (SMTP with\n"
"STARTTLS/AUTH) or the local sendmail. It refuses until report.email is\n"
"set. --dry-run prints what would go where and sends nothing.\n"
"\n"
"Manners: the suppression list is honoured at every send; at most\n"
"send.per_domain_hour reports per recipient domain and send.per_hour in\n"
"all (the rest wait for the next run); temporary failures are retried\n"
"with backoff (send.retry, doubling) up to send.max_attempts.\n"
"\n"
"A report is marked 'sending' before the relay sees it. If abusedesk dies\n"
"before recording the relay's answer, the next send marks it\n"
"'unconfirmed' and does not send it again.\n"
"\n"
"Exit status: 0 all due reports sent (or nothing due); 6 some were\n"
"deferred, retried later or failed (see the listing); 4 no identity.\n";

static const char suppress_help[] =
"usage: abusedesk suppress ADDRESS|@DOMAIN [--reason TEXT]\n"
"       abusedesk suppress --remove ADDRESS|@DOMAIN\n"
"       abusedesk suppress --list [--json]\n"
"\n"
"Never send reports to this address, or to any address at this domain or\n"
"its subdomains: a network that asked not to receive them. Honoured by\n"
"draft and again at every send.\n";

/* --- options from the config ---------------------------------------------- */

struct env {
	struct cli		*c;
	struct ad_store		*st;
	struct ad_identity	 me;
	char			 from_fallback[AD_EMAIL_MAX + 1];
	char			 host[256];
	const char		*xarf[AD_CONFIG_XARF_MAX];
	struct ad_queue_opts	 o;
	struct ad_assess_policy	*pol;
	struct ad_contacts	*contacts;
	struct ad_registry	*reg;
	struct ad_lookup	*lookup;
	struct ad_resolver	*res;
	bool			 offline;
	bool			 lookup_tried;
};

static void
env_free(struct env *e)
{
	ad_assess_policy_free(e->pol);
	ad_contacts_free(e->contacts);
	ad_lookup_free(e->lookup);
	ad_registry_free(e->reg);
	ad_resolver_free(e->res);
	if (e->st)
		ad_store_close(e->st);
}

static int
env_open(struct env *e, struct cli *c, bool need_policy)
{
	const struct ad_config_report *rc = &c->cfg.report;
	struct ad_diag diag;
	struct passwd *pw;
	const char *at;
	size_t i;
	int ret, r;

	memset(&diag, 0, sizeof(diag));
	e->c = c;
	if ((ret = cli_open_store(c, &e->st)) != EXIT_OK)
		return ret;
	ad_fmt_cut(e->me.name, sizeof(e->me.name), "%s", rc->name);
	ad_fmt_cut(e->me.org, sizeof(e->me.org), "%s", rc->org);
	ad_fmt_cut(e->me.email, sizeof(e->me.email), "%s", rc->email);
	ad_fmt_cut(e->me.phone, sizeof(e->me.phone), "%s", rc->phone);
	ad_fmt_cut(e->me.victim, sizeof(e->me.victim), "%s", rc->victim);
	if (gethostname(e->host, sizeof(e->host) - 1) != 0 || !e->host[0])
		ad_fmt_cut(e->host, sizeof(e->host), "localhost");
	pw = getpwuid(getuid());
	ad_fmt_cut(e->from_fallback, sizeof(e->from_fallback), "%s@%s",
	    pw && pw->pw_name ? pw->pw_name : "root", e->host);
	if (!ad_email_valid(e->from_fallback, strlen(e->from_fallback)))
		ad_fmt_cut(e->from_fallback, sizeof(e->from_fallback),
		    "abusedesk@localhost.localdomain");
	at = strrchr(e->me.email, '@');
	e->o.me = &e->me;
	e->o.from_fallback = e->from_fallback;
	e->o.msgid_host = at ? at + 1 : strchr(e->from_fallback, '@') + 1;
	e->o.period = rc->period;
	e->o.translate = rc->translate;
	e->o.xarf = rc->xarf;
	for (i = 0; i < rc->n_xarf_domains; i++)
		e->xarf[i] = rc->xarf_domains[i];
	e->o.xarf_domains = e->xarf;
	e->o.n_xarf_domains = rc->n_xarf_domains;
	e->o.template_dir = rc->templates[0] ? rc->templates : NULL;
	e->o.own = c->cfg.own;
	e->o.n_own = c->cfg.n_own;
	e->o.relay = &c->cfg.relay;
	e->o.per_domain_hour = rc->per_domain_hour;
	e->o.per_hour = rc->per_hour;
	e->o.max_attempts = rc->max_attempts;
	e->o.retry_base = rc->retry;
	if (!need_policy)
		return EXIT_OK;
	if ((r = ad_assess_policy_new(&c->cfg, &e->pol, &diag)) != AD_OK) {
		cli_err(c, "%s%s%s", diag.where, diag.where[0] ? ": " : "",
		    diag.msg[0] ? diag.msg : ad_strerror(r));
		return r == AD_ERR_NOMEM ? EXIT_INTERNAL : EXIT_CONFIG;
	}
	if (rc->contacts[0] &&
	    (r = ad_contacts_load(rc->contacts, &e->contacts, &diag)) != AD_OK) {
		cli_err(c, "report.contacts: %s:%lu: %s", diag.where, diag.line,
		    diag.msg);
		return r == AD_ERR_NOMEM ? EXIT_INTERNAL : EXIT_CONFIG;
	}
	return EXIT_OK;
}

/* The draft's contact callback: known contacts, lookup, reverse DNS. */
static void
find_contact(void *arg, const struct ad_addr *src,
    struct ad_lookup_answer *who, char *rdns, size_t cap)
{
	struct env *e = arg;
	struct ad_diag diag;
	char a[AD_ADDR_STRLEN];

	rdns[0] = '\0';
	memset(&diag, 0, sizeof(diag));
	if (!ad_contacts_find(e->contacts, src, who)) {
		if (!e->lookup_tried) {
			e->lookup_tried = true;
			if (cli_lookup_open(e->c, e->st, e->offline, &e->reg,
			    &e->lookup) != EXIT_OK)
				e->lookup = NULL;
		}
		memset(who, 0, sizeof(*who));
		who->err = AD_ERR_NOTFOUND;
		/* A failed lookup leaves who->err set: the assessment says
		 * "no contact" and holds or goes to the upstream. */
		if (e->lookup != NULL &&
		    ad_lookup_query(e->lookup, ad_addr_format(src, a), who) ==
		    AD_ERR_NOMEM)
			who->err = AD_ERR_NOMEM;
	}
	if (e->c->cfg.assess.no_rdns || e->offline)
		return;
	if (e->res == NULL && ad_resolver_new(e->c->cfg.assess.dns_servers[0] ?
	    e->c->cfg.assess.dns_servers : NULL,
	    (int)(e->c->cfg.assess.dns_timeout * 1000), &e->res, &diag) !=
	    AD_OK) {
		e->c->cfg.assess.no_rdns = true;	/* say it once */
		if (!e->c->quiet)
			cli_err(e->c, "reverse DNS off: %s", diag.msg);
		return;
	}
	if (ad_resolver_ptr(e->res, src, rdns, cap, &diag) != AD_OK)
		rdns[0] = '\0';
}

/* --- listing --------------------------------------------------------------- */

static void
flags_text(unsigned flags, char *buf, size_t n)
{
	if (flags == 0) {
		buf[0] = '\0';
		return;
	}
	(void)ad_assess_flags_name(flags, buf, n);
}

static int
report_json(struct ad_buf *b, const struct ad_report_row *r)
{
	char a[AD_ADDR_STRLEN], fl[256];
	bool first = true;
	int e;

	flags_text(r->flags, fl, sizeof(fl));
	if ((e = ad_buf_addc(b, '{')) != AD_OK ||
	    (e = ad_json_kv_int(b, &first, "id", r->id)) != AD_OK ||
	    (e = ad_json_kv_str(b, &first, "token", r->token)) != AD_OK ||
	    (e = ad_json_kv_str(b, &first, "source",
	    ad_addr_format(&r->src, a))) != AD_OK ||
	    (e = ad_json_kv_str(b, &first, "state",
	    ad_report_state_name(r->state))) != AD_OK ||
	    (e = ad_json_kv_str(b, &first, "action", r->action[0] ? r->action :
	    NULL)) != AD_OK ||
	    (e = ad_json_kv_str(b, &first, "flags", fl[0] ? fl : NULL)) ||
	    (e = ad_json_kv_str(b, &first, "reasons", r->reasons[0] ?
	    r->reasons : NULL)) != AD_OK ||
	    (e = ad_json_kv_str(b, &first, "to", r->to[0] ? r->to : NULL)) ||
	    (e = ad_json_kv_str(b, &first, "cc", r->cc[0] ? r->cc : NULL)) ||
	    (e = ad_json_kv_str(b, &first, "subject", r->subject[0] ?
	    r->subject : NULL)) != AD_OK ||
	    (e = ad_json_kv_str(b, &first, "message_id", r->message_id)) ||
	    (e = ad_json_kv_str(b, &first, "lang", r->lang[0] ? r->lang :
	    NULL)) != AD_OK ||
	    (e = ad_json_kv_bool(b, &first, "xarf", r->xarf)) != AD_OK ||
	    (e = ad_json_kv_int(b, &first, "events", (int64_t)r->events)) ||
	    (e = ad_json_kv_int(b, &first, "created", r->created)) ||
	    (e = ad_json_kv_int(b, &first, "updated", r->updated)) ||
	    (e = ad_json_kv_int(b, &first, "approved", r->approved)) ||
	    (e = ad_json_kv_int(b, &first, "sent", r->sent)) ||
	    (e = ad_json_kv_int(b, &first, "attempts", r->attempts)) ||
	    (e = ad_json_kv_int(b, &first, "next_try", r->next_try)) ||
	    (e = ad_json_kv_str(b, &first, "last_error", r->last_error[0] ?
	    r->last_error : NULL)) != AD_OK)
		return e;
	return ad_buf_addc(b, '}');
}

static void
report_line(const struct ad_report_row *r)
{
	char a[AD_ADDR_STRLEN];

	printf("%-10s %-11s %-15s %s\n", r->token,
	    ad_report_state_name(r->state), ad_addr_format(&r->src, a),
	    r->to[0] ? r->to : "(no recipient)");
	if (r->subject[0])
		printf("           %s\n", r->subject);
	if (r->reasons[0])
		printf("           %s %s\n", r->state == AD_RS_DRAFT ||
		    r->state == AD_RS_APPROVED || r->state == AD_RS_SENT ?
		    "note:" : "why:", r->reasons);
	if (r->last_error[0] && r->state != AD_RS_SENT)
		printf("           last error: %s\n", r->last_error);
}

static int
print_report(void *arg, const struct ad_report_row *r)
{
	struct cli *c = arg;
	struct ad_buf b;
	int e;

	if (!c->json) {
		report_line(r);
		return 0;
	}
	ad_buf_init(&b, 1 << 20);
	if ((e = report_json(&b, r)) == AD_OK)
		printf("%s\n", ad_buf_str(&b));
	ad_buf_free(&b);
	return e;
}

struct since {
	struct cli	*c;
	int64_t		 t0;
};

static int
print_since(void *arg, const struct ad_report_row *r)
{
	struct since *sc = arg;

	return r->updated >= sc->t0 ? print_report(sc->c, r) : 0;
}

/* --- draft ------------------------------------------------------------------ */

struct draft_progress {
	bool	on;
};

static void
draft_progress(void *arg, size_t done)
{
	struct draft_progress *p = arg;

	if (p->on)
		fprintf(stderr, "\r\033[Kdrafting: %zu source(s)", done);
}

int
cmd_draft(struct cli *c, int argc, char **argv)
{
	struct env e;
	struct ad_diag diag;
	struct ad_draft_stats s;
	struct ad_report_filter f;
	struct draft_progress pg = { false };
	int64_t *ids = NULL;
	size_t n_ids = 0;
	int64_t t0;
	int i, r, ret;

	memset(&e, 0, sizeof(e));
	memset(&diag, 0, sizeof(diag));
	if ((ids = calloc((size_t)argc + 1, sizeof(*ids))) == NULL)
		return EXIT_INTERNAL;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *end;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			printf("%s\n%s", draft_help, cli_common_help);
			free(ids);
			return EXIT_OK;
		} else if (strcmp(a, "--json") == 0)
			c->json = true;
		else if (strcmp(a, "--all") == 0)
			;
		else if (strcmp(a, "--offline") == 0)
			e.offline = true;
		else if (strcmp(a, "--now") == 0 && i + 1 < argc) {
			if (cli_now_opt(c, argv[++i]) != 0) {
				free(ids);
				return EXIT_USAGE;
			}
		} else if ((r = cli_common_opt(c, argc, argv, &i)) != 0) {
			if (r < 0) {
				free(ids);
				return EXIT_USAGE;
			}
		} else if (a[0] != '-' && (ids[n_ids] = strtoll(a, &end, 10)) > 0 &&
		    *end == '\0')
			n_ids++;
		else {
			cli_err(c, "draft: unexpected \"%s\" (try --help)", a);
			free(ids);
			return EXIT_USAGE;
		}
	}
	if ((ret = cli_setup(c)) != EXIT_OK ||
	    (ret = env_open(&e, c, true)) != EXIT_OK)
		goto out;
	pg.on = !c->quiet && isatty(STDERR_FILENO);
	t0 = (int64_t)ad_ctx_now(&c->ctx);
	r = ad_queue_draft(&c->ctx, e.st, &e.o, e.pol, find_contact, &e, ids,
	    n_ids, draft_progress, &pg, &s, &diag);
	if (pg.on)
		fputs("\r\033[K", stderr);
	if (r != AD_OK) {
		cli_err(c, "draft: %s%s%s", diag.where, diag.where[0] ? ": " :
		    "", diag.msg[0] ? diag.msg : ad_strerror(r));
		ret = r == AD_ERR_NOTFOUND ? EXIT_USAGE : cli_exit_for(r);
		goto out;
	}
	/* What this run touched: reports updated at or after t0. */
	memset(&f, 0, sizeof(f));
	{
		struct since sc = { c, t0 };

		if ((r = ad_store_report_each(e.st, &f, print_since, &sc)) !=
		    AD_OK)
			ret = cli_exit_for(r);
	}
	if (!c->quiet)
		fprintf(stderr, "draft: %zu source(s): %zu new report(s), %zu"
		    " updated, %zu incident(s) joined a sent report; now %zu"
		    " draft, %zu held, %zu skipped, %zu suppressed. Nothing was"
		    " sent: review with 'abusedesk show', then 'abusedesk"
		    " approve'.\n", s.sources, s.created, s.updated,
		    s.after_sent, s.drafts, s.held, s.skipped, s.suppressed);
out:
	free(ids);
	env_free(&e);
	return ret;
}

/* --- reports ---------------------------------------------------------------- */

int
cmd_reports(struct cli *c, int argc, char **argv)
{
	struct ad_report_filter f;
	struct env e;
	int i, r, ret, s;

	memset(&f, 0, sizeof(f));
	memset(&e, 0, sizeof(e));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			printf("%s\n%s", reports_help, cli_common_help);
			return EXIT_OK;
		} else if (strcmp(a, "--json") == 0)
			c->json = true;
		else if (strcmp(a, "--state") == 0 && i + 1 < argc) {
			if ((s = ad_report_state_from_name(argv[++i])) < 0) {
				cli_err(c, "unknown state \"%s\" (try --help)",
				    argv[i]);
				return EXIT_USAGE;
			}
			f.states |= 1u << s;
		} else if ((r = cli_common_opt(c, argc, argv, &i)) != 0) {
			if (r < 0)
				return EXIT_USAGE;
		} else {
			cli_err(c, "reports: unexpected \"%s\" (try --help)", a);
			return EXIT_USAGE;
		}
	}
	if ((ret = cli_setup(c)) != EXIT_OK ||
	    (ret = env_open(&e, c, false)) != EXIT_OK)
		goto out;
	if ((r = ad_store_report_each(e.st, &f, print_report, c)) != AD_OK) {
		cli_err(c, "%s", ad_store_errmsg(e.st));
		ret = cli_exit_for(r);
	}
out:
	env_free(&e);
	return ret;
}

/* --- show -------------------------------------------------------------------- */

void
cli_report_ref(const char *a, int64_t *id, const char **token)
{
	char *end;
	long long v = strtoll(a, &end, 10);

	*id = 0;
	*token = NULL;
	if (*a != '\0' && *end == '\0' && v > 0)
		*id = v;
	else
		*token = a;
}

static int
print_trail(void *arg, int64_t at, const char *state, const char *text)
{
	struct cli *c = arg;
	struct ad_instant t = { .utc = at, .valid = true };
	char ts[AD_ISO_STRLEN];

	if (c->json) {
		struct ad_buf b;
		bool first = true;
		int e;

		ad_buf_init(&b, 1 << 16);
		if ((e = ad_buf_addc(&b, '{')) == AD_OK &&
		    (e = ad_json_kv_str(&b, &first, "at",
		    ad_instant_format_utc(&t, ts))) == AD_OK &&
		    (e = ad_json_kv_str(&b, &first, "state", state)) == AD_OK &&
		    (e = ad_json_kv_str(&b, &first, "text", text)) == AD_OK &&
		    (e = ad_buf_addc(&b, '}')) == AD_OK)
			printf("%s\n", ad_buf_str(&b));
		ad_buf_free(&b);
		return e;
	}
	printf("%s  %-11s %s\n", ad_instant_format_utc(&t, ts), state, text);
	return 0;
}

int
cmd_show(struct cli *c, int argc, char **argv)
{
	struct ad_report_row row;
	struct ad_diag diag;
	struct env e;
	const char *ref = NULL, *token;
	bool public_view = false, trail = false;
	int64_t id;
	int i, r, ret;

	memset(&e, 0, sizeof(e));
	memset(&diag, 0, sizeof(diag));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			printf("%s\n%s", show_help, cli_common_help);
			return EXIT_OK;
		} else if (strcmp(a, "--public") == 0)
			public_view = true;
		else if (strcmp(a, "--trail") == 0)
			trail = true;
		else if (strcmp(a, "--json") == 0)
			c->json = true;
		else if (strcmp(a, "--offline") == 0)
			e.offline = true;
		else if ((r = cli_common_opt(c, argc, argv, &i)) != 0) {
			if (r < 0)
				return EXIT_USAGE;
		} else if (ref == NULL && a[0] != '-')
			ref = a;
		else {
			cli_err(c, "show: unexpected \"%s\" (try --help)", a);
			return EXIT_USAGE;
		}
	}
	if (ref == NULL) {
		cli_err(c, "show: which report? (abusedesk reports lists them)");
		return EXIT_USAGE;
	}
	cli_report_ref(ref, &id, &token);
	if ((ret = cli_setup(c)) != EXIT_OK ||
	    (ret = env_open(&e, c, public_view)) != EXIT_OK)
		goto out;
	if ((r = ad_store_report_get(e.st, id, token, &row)) <= 0) {
		if (r == 0)
			cli_err(c, "no report %s", ref);
		else
			cli_err(c, "%s", ad_store_errmsg(e.st));
		ret = r == 0 ? EXIT_USAGE : cli_exit_for(r);
		goto out;
	}
	r = AD_OK;
	if (trail)
		r = ad_store_report_trail(e.st, row.id, print_trail, c);
	else if (public_view) {
		char *m;
		size_t len;

		e.o.public_view = true;
		r = ad_queue_preview(&c->ctx, e.st, &e.o, e.pol, find_contact,
		    &e, row.id, NULL, &m, &len, &diag);
		if (r == AD_OK) {
			fwrite(m, 1, len, stdout);
			ad_free(m);
		} else
			cli_err(c, "%s", diag.msg[0] ? diag.msg : ad_strerror(r));
	} else if (row.message == NULL) {
		cli_err(c, "report %s has no message: %s", row.token,
		    row.reasons[0] ? row.reasons : "no recipient");
		r = AD_ERR_NOTFOUND;
	} else
		fwrite(row.message, 1, row.message_len, stdout);
	ad_report_row_free(&row);
	if (r != AD_OK)
		ret = r == AD_ERR_NOTFOUND ? EXIT_USAGE : cli_exit_for(r);
out:
	env_free(&e);
	return ret;
}

/* --- approve ----------------------------------------------------------------- */

int
cmd_approve(struct cli *c, int argc, char **argv)
{
	struct ad_diag diag;
	struct env e;
	int64_t *all = NULL;
	size_t n_all = 0;
	bool every = false;
	int i, r, ret, failed = 0;
	size_t k, n_ok = 0;
	char **refs;
	size_t n_refs = 0;

	memset(&e, 0, sizeof(e));
	if ((refs = calloc((size_t)argc + 1, sizeof(*refs))) == NULL)
		return EXIT_INTERNAL;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			printf("%s\n%s", approve_help, cli_common_help);
			free(refs);
			return EXIT_OK;
		} else if (strcmp(a, "--all") == 0)
			every = true;
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
			refs[n_refs++] = argv[i];
		else {
			cli_err(c, "approve: unexpected \"%s\" (try --help)", a);
			free(refs);
			return EXIT_USAGE;
		}
	}
	if (!every && n_refs == 0) {
		cli_err(c, "approve: which reports? (REPORT... or --all)");
		free(refs);
		return EXIT_USAGE;
	}
	if ((ret = cli_setup(c)) != EXIT_OK ||
	    (ret = env_open(&e, c, false)) != EXIT_OK)
		goto out;
	if (every) {
		struct ad_report_filter f;

		memset(&f, 0, sizeof(f));
		f.states = 1u << AD_RS_DRAFT;
		if ((r = ad_store_report_ids(e.st, &f, &all, &n_all)) !=
		    AD_OK) {
			ret = cli_exit_for(r);
			goto out;
		}
	}
	for (k = 0; k < n_all + n_refs; k++) {
		int64_t id = 0;
		const char *token = NULL;

		if (k < n_all)
			id = all[k];
		else
			cli_report_ref(refs[k - n_all], &id, &token);
		memset(&diag, 0, sizeof(diag));
		if ((r = ad_queue_approve(&c->ctx, e.st, id, token,
		    &diag)) != AD_OK) {
			cli_err(c, "approve: %s", diag.msg[0] ? diag.msg :
			    ad_store_errmsg(e.st));
			failed++;
			if (r != AD_ERR_USAGE && r != AD_ERR_NOTFOUND) {
				ret = cli_exit_for(r);
				goto out;
			}
		} else
			n_ok++;
	}
	if (!c->quiet)
		fprintf(stderr, "approved %zu report(s); 'abusedesk send' sends"
		    " them (try --dry-run first)\n", n_ok);
	if (failed)
		ret = EXIT_USAGE;
out:
	ad_free(all);
	free(refs);
	env_free(&e);
	return ret;
}

/* --- send -------------------------------------------------------------------- */

static void
print_send(void *arg, const struct ad_send_event *ev)
{
	struct cli *c = arg;

	if (c->json) {
		struct ad_buf b;
		bool first = true;

		ad_buf_init(&b, 1 << 16);
		if (ad_buf_addc(&b, '{') == AD_OK &&
		    ad_json_kv_str(&b, &first, "token", ev->report->token) == 0 &&
		    ad_json_kv_str(&b, &first, "what", ev->what) == AD_OK &&
		    ad_json_kv_str(&b, &first, "to", ev->report->to) == AD_OK &&
		    ad_json_kv_str(&b, &first, "detail", ev->detail) == AD_OK &&
		    ad_buf_addc(&b, '}') == AD_OK)
			printf("%s\n", ad_buf_str(&b));
		ad_buf_free(&b);
		return;
	}
	printf("%-10s %-11s %s\n", ev->report->token, ev->what,
	    ev->detail ? ev->detail : "");
}

int
cmd_send(struct cli *c, int argc, char **argv)
{
	struct ad_send_stats s;
	struct ad_diag diag;
	struct env e;
	int i, r, ret;

	memset(&e, 0, sizeof(e));
	memset(&diag, 0, sizeof(diag));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			printf("%s\n%s", send_help, cli_common_help);
			return EXIT_OK;
		} else if (strcmp(a, "--dry-run") == 0 || strcmp(a, "-n") == 0)
			e.o.dry_run = true;
		else if (strcmp(a, "--json") == 0)
			c->json = true;
		else if (strcmp(a, "--now") == 0 && i + 1 < argc) {
			if (cli_now_opt(c, argv[++i]) != 0)
				return EXIT_USAGE;
		} else if ((r = cli_common_opt(c, argc, argv, &i)) != 0) {
			if (r < 0)
				return EXIT_USAGE;
		} else {
			cli_err(c, "send: unexpected \"%s\" (try --help)", a);
			return EXIT_USAGE;
		}
	}
	if ((ret = cli_setup(c)) != EXIT_OK)
		return ret;
	{
		bool dry = e.o.dry_run;

		if ((ret = env_open(&e, c, false)) != EXIT_OK)
			goto out;
		e.o.dry_run = dry;
	}
	r = ad_queue_send(&c->ctx, e.st, &e.o, print_send, c, &s, &diag);
	if (r != AD_OK) {
		cli_err(c, "send: %s", diag.msg[0] ? diag.msg :
		    ad_store_errmsg(e.st));
		ret = r == AD_ERR_FAULT ? EXIT_INTERNAL : cli_exit_for(r);
		goto out;
	}
	if (!c->quiet)
		fprintf(stderr, "send: %zu sent, %zu would be sent (dry run), %zu"
		    " deferred by rate limits, %zu to retry, %zu failed, %zu"
		    " suppressed, %zu unconfirmed\n", s.sent, s.would_send,
		    s.deferred, s.retry, s.failed, s.suppressed, s.unconfirmed);
	if (s.deferred || s.retry || s.failed)
		ret = EXIT_NOT_SENT;
out:
	env_free(&e);
	return ret;
}

/* --- suppress ---------------------------------------------------------------- */

static int
print_suppressed(void *arg, const char *pattern, int64_t at, const char *why)
{
	struct cli *c = arg;
	struct ad_instant t = { .utc = at, .valid = true };
	char ts[AD_ISO_STRLEN];

	if (c->json) {
		struct ad_buf b;
		bool first = true;
		int e;

		ad_buf_init(&b, 1 << 16);
		if ((e = ad_buf_addc(&b, '{')) == AD_OK &&
		    (e = ad_json_kv_str(&b, &first, "pattern", pattern)) == 0 &&
		    (e = ad_json_kv_str(&b, &first, "added",
		    ad_instant_format_utc(&t, ts))) == AD_OK &&
		    (e = ad_json_kv_str(&b, &first, "reason", why[0] ? why :
		    NULL)) == AD_OK && (e = ad_buf_addc(&b, '}')) == AD_OK)
			printf("%s\n", ad_buf_str(&b));
		ad_buf_free(&b);
		return e;
	}
	printf("%-40s %s  %s\n", pattern, ad_instant_format_utc(&t, ts), why);
	return 0;
}

/* A mailbox, or "@domain" (checked as the domain of a mailbox). */
static bool
suppress_target_ok(const char *t)
{
	char probe[AD_EMAIL_MAX + 2];

	if (t[0] != '@')
		return ad_email_valid(t, strlen(t));
	if (snprintf(probe, sizeof(probe), "x%s", t) >= (int)sizeof(probe))
		return false;
	return ad_email_valid(probe, strlen(probe));
}

int
cmd_suppress(struct cli *c, int argc, char **argv)
{
	struct env e;
	const char *target = NULL, *reason = "added by the user";
	bool list = false, remove = false;
	int i, r, ret;

	memset(&e, 0, sizeof(e));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			printf("%s\n%s", suppress_help, cli_common_help);
			return EXIT_OK;
		} else if (strcmp(a, "--list") == 0)
			list = true;
		else if (strcmp(a, "--json") == 0)
			c->json = true;
		else if (strcmp(a, "--remove") == 0)
			remove = true;
		else if (strcmp(a, "--reason") == 0 && i + 1 < argc)
			reason = argv[++i];
		else if ((r = cli_common_opt(c, argc, argv, &i)) != 0) {
			if (r < 0)
				return EXIT_USAGE;
		} else if (target == NULL && a[0] != '-')
			target = a;
		else {
			cli_err(c, "suppress: unexpected \"%s\" (try --help)", a);
			return EXIT_USAGE;
		}
	}
	if (!list && target == NULL) {
		cli_err(c, "suppress: which address or @domain? (try --help)");
		return EXIT_USAGE;
	}
	if (target != NULL && !suppress_target_ok(target)) {
		cli_err(c, "suppress: \"%s\" is neither a mailbox nor @domain",
		    target);
		return EXIT_USAGE;
	}
	if ((ret = cli_setup(c)) != EXIT_OK ||
	    (ret = env_open(&e, c, false)) != EXIT_OK)
		goto out;
	if (list)
		r = ad_store_suppress_each(e.st, print_suppressed, c);
	else if (remove) {
		if ((r = ad_store_suppress_remove(e.st, target)) == 0) {
			cli_err(c, "suppress: %s was not suppressed", target);
			ret = EXIT_USAGE;
			goto out;
		}
		r = r > 0 ? AD_OK : r;
	} else
		r = ad_store_suppress_add(e.st, target,
		    (int64_t)ad_ctx_now(&c->ctx), reason);
	if (r != AD_OK) {
		cli_err(c, "%s", ad_store_errmsg(e.st));
		ret = cli_exit_for(r);
	} else if (!list && !c->quiet)
		fprintf(stderr, "%s %s\n", remove ? "no longer suppressed:" :
		    "suppressed:", target);
out:
	env_free(&e);
	return ret;
}

/* --- followup ------------------------------------------------------------------ */

static const char followup_help[] =
"usage: abusedesk followup [--now TIME] [--offline] [--json]\n"
"\n"
"Moves every sent case one step when its time has come; safe to run every\n"
"hour from cron or a systemd timer (each step is drafted once):\n"
"\n"
"  - no answer followup.after (7 days) after the report: a polite reminder\n"
"    to the same address, in the same thread, quoting the report;\n"
"  - the holder's mailbox bounced ('abusedesk inbox' suppressed it): the\n"
"    report again to the holder's next abuse mailbox (lookup, or another\n"
"    report.contacts line for the range), always a draft;\n"
"  - still nothing after the reminder, or \"not our network\", or a bounce\n"
"    with no mailbox of the holder left: an escalation to the upstream (the\n"
"    parent network's abuse contact from the lookup), saying that the\n"
"    holder did not respond;\n"
"  - still nothing: a report to the national CERT of the source's country\n"
"    (data/certs.tsv, or followup.certs), marked as an escalation after the\n"
"    earlier attempts, with their dates.\n"
"\n"
"Cases that were acknowledged, resolved, need a manual submission or more\n"
"information wait for a person ('abusedesk status'). Every step is a draft\n"
"for review ('abusedesk reports', 'approve', 'send') unless\n"
"followup.auto_send names it (reminder, upstream, cert). With\n"
"report.translate each leads with the report's language (the CERT's: its\n"
"country's).\n"
"\n"
"  --now TIME  the time to act at (ISO 8601; tests)\n"
"  --offline   contacts from report.contacts and the cache only\n"
"  --json      one JSON object per step taken\n";

static void
print_followup(void *arg, const struct ad_followup_event *e)
{
	struct cli *c = arg;

	if (c->json) {
		struct ad_buf b;
		bool first = true;

		ad_buf_init(&b, 1 << 16);
		if (ad_buf_addc(&b, '{') == AD_OK &&
		    ad_json_kv_str(&b, &first, "token", e->token) == AD_OK &&
		    ad_json_kv_str(&b, &first, "step", e->what) == AD_OK &&
		    ad_json_kv_str(&b, &first, "detail", e->detail) == AD_OK &&
		    ad_buf_addc(&b, '}') == AD_OK)
			printf("%s\n", ad_buf_str(&b));
		ad_buf_free(&b);
		return;
	}
	printf("%-10s %-9s %s\n", e->token, e->what, e->detail);
}

int
cmd_followup(struct cli *c, int argc, char **argv)
{
	struct ad_followup_opts fo;
	struct ad_followup_stats s;
	struct ad_certs *certs = NULL;
	struct ad_diag diag;
	struct env e;
	int i, r, ret;

	memset(&e, 0, sizeof(e));
	memset(&fo, 0, sizeof(fo));
	memset(&diag, 0, sizeof(diag));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			printf("%s\n%s", followup_help, cli_common_help);
			return EXIT_OK;
		} else if (strcmp(a, "--json") == 0)
			c->json = true;
		else if (strcmp(a, "--offline") == 0)
			e.offline = true;
		else if (strcmp(a, "--now") == 0 && i + 1 < argc) {
			if (cli_now_opt(c, argv[++i]) != 0)
				return EXIT_USAGE;
		} else if ((r = cli_common_opt(c, argc, argv, &i)) != 0) {
			if (r < 0)
				return EXIT_USAGE;
		} else {
			cli_err(c, "followup: unexpected \"%s\" (try --help)", a);
			return EXIT_USAGE;
		}
	}
	if ((ret = cli_setup(c)) != EXIT_OK ||
	    (ret = env_open(&e, c, true)) != EXIT_OK)
		goto out;
	if ((r = ad_certs_load(c->cfg.report.certs, &certs, &diag)) != AD_OK) {
		cli_err(c, "followup.certs: %s:%lu: %s", diag.where, diag.line,
		    diag.msg);
		ret = r == AD_ERR_NOMEM ? EXIT_INTERNAL : EXIT_CONFIG;
		goto out;
	}
	fo.after = c->cfg.report.followup_after;
	memcpy(fo.auto_send, c->cfg.report.auto_send, sizeof(fo.auto_send));
	fo.certs = certs;
	r = ad_track_followup(&c->ctx, e.st, &e.o, &fo, find_contact, &e,
	    print_followup, c, &s, &diag);
	if (r != AD_OK) {
		cli_err(c, "followup: %s", diag.msg[0] ? diag.msg :
		    ad_store_errmsg(e.st));
		ret = cli_exit_for(r);
		goto out;
	}
	if (!c->quiet)
		fprintf(stderr, "followup: %zu reminder(s), %zu resend(s) after"
		    " a bounce, %zu escalation(s) to the upstream, %zu to a"
		    " national CERT drafted; %zu waiting for review or sending,"
		    " %zu need a person\n", s.reminders, s.resends, s.upstream,
		    s.cert, s.waiting, s.stuck);
out:
	ad_certs_free(certs);
	env_free(&e);
	return ret;
}

/* --- status -------------------------------------------------------------------- */

static const char status_help[] =
"usage: abusedesk status [--now TIME] [--json]\n"
"\n"
"What needs attention today, then how the cases stand:\n"
"\n"
"  - drafts and held reports to review (abusedesk show / approve);\n"
"  - replies to read: unknown or 'more information' replies, and replies\n"
"    that matched no report;\n"
"  - follow-ups due (abusedesk followup drafts them);\n"
"  - manual submissions pending: desks that want their web form used;\n"
"  - reports approved but not sent, failed, or unconfirmed after a crash;\n"
"\n"
"then the cases by life cycle, the median time to a first response, and\n"
"the networks that never answer. Reads only; changes nothing.\n";

#define STATUS_LIST_MAX	10

struct status {
	struct cli	*c;
	size_t		 by_state[AD_RS__COUNT];
	size_t		 cases;
	char		 lifecycles[16][24];
	size_t		 lc_count[16];
	size_t		 n_lc;
	char		 review[STATUS_LIST_MAX][AD_TOKEN_MAX];
	size_t		 n_review;
	char		 manual[STATUS_LIST_MAX][AD_TOKEN_MAX + 520];
	size_t		 n_manual, manual_total;
	/* first sent time of each case, by id, for the response times */
	int64_t		*case_id, *case_sent, *first_reply;
	size_t		 n_cases, cap_cases;
	/* recipient domains of cases nobody answered */
	char		 (*silent)[256];
	size_t		*silent_n, n_silent, cap_silent;
	size_t		 replies_to_read, unmatched;
	int		 err;
};

static void
count_lifecycle(struct status *s, const char *lc)
{
	size_t i;

	if (lc[0] == '\0')
		lc = "new";
	for (i = 0; i < s->n_lc; i++)
		if (strcmp(s->lifecycles[i], lc) == 0) {
			s->lc_count[i]++;
			return;
		}
	if (s->n_lc < 16) {
		ad_fmt_cut(s->lifecycles[s->n_lc], sizeof(s->lifecycles[0]),
		    "%s", lc);
		s->lc_count[s->n_lc++] = 1;
	}
}

static bool
silent_case(const char *lc)
{
	return strcmp(lc, "no-response") == 0 || strcmp(lc, "followed-up") == 0 ||
	    strcmp(lc, "escalated-upstream") == 0 ||
	    strcmp(lc, "escalated-cert") == 0;
}

static int
status_report(void *arg, const struct ad_report_row *r)
{
	struct status *s = arg;
	const char *at;
	size_t i;

	s->by_state[r->state]++;
	if ((r->state == AD_RS_DRAFT || r->state == AD_RS_HELD) &&
	    s->n_review < STATUS_LIST_MAX)
		ad_fmt_cut(s->review[s->n_review++], AD_TOKEN_MAX, "%s",
		    r->token);
	if (r->seq != 1 || (r->state != AD_RS_SENT &&
	    r->state != AD_RS_UNCONFIRMED))
		return 0;
	s->cases++;
	count_lifecycle(s, r->lifecycle);
	if (strcmp(r->lifecycle, "manual-submission") == 0) {
		if (s->n_manual < STATUS_LIST_MAX)
			ad_fmt_cut(s->manual[s->n_manual++], sizeof(s->manual[0]),
			    "%s %s", r->token, r->form_url[0] ? r->form_url :
			    "(no URL given)");
		s->manual_total++;
	}
	if (s->n_cases == s->cap_cases) {
		size_t nc = s->cap_cases ? s->cap_cases * 2 : 64;
		int64_t *a = realloc(s->case_id, nc * sizeof(*a));
		int64_t *b = a ? realloc(s->case_sent, nc * sizeof(*b)) : NULL;
		int64_t *c2 = b ? realloc(s->first_reply, nc * sizeof(*c2)) : NULL;

		if (a)
			s->case_id = a;
		if (b)
			s->case_sent = b;
		if (c2 == NULL) {
			s->err = AD_ERR_NOMEM;
			return 1;
		}
		s->first_reply = c2;
		s->cap_cases = nc;
	}
	s->case_id[s->n_cases] = r->id;
	s->case_sent[s->n_cases] = r->sent;
	s->first_reply[s->n_cases++] = 0;
	if (!silent_case(r->lifecycle) || (at = strrchr(r->to, '@')) == NULL)
		return 0;
	for (i = 0; i < s->n_silent; i++)
		if (strcasecmp(s->silent[i], at + 1) == 0) {
			s->silent_n[i]++;
			return 0;
		}
	if (s->n_silent == s->cap_silent) {
		size_t nc = s->cap_silent ? s->cap_silent * 2 : 16;
		char (*a)[256] = realloc(s->silent, nc * sizeof(*a));
		size_t *b = a ? realloc(s->silent_n, nc * sizeof(*b)) : NULL;

		if (a)
			s->silent = a;
		if (b == NULL) {
			s->err = AD_ERR_NOMEM;
			return 1;
		}
		s->silent_n = b;
		s->cap_silent = nc;
	}
	ad_fmt_cut(s->silent[s->n_silent], 256, "%s", at + 1);
	s->silent_n[s->n_silent++] = 1;
	return 0;
}

static int
status_reply(void *arg, const struct ad_reply_row *r)
{
	struct status *s = arg;
	size_t i;

	if (r->report_id == 0)
		s->unmatched++;
	else if (!r->handled && (strcmp(r->cls, "unknown") == 0 ||
	    strcmp(r->cls, "more-info") == 0))
		s->replies_to_read++;
	for (i = 0; i < s->n_cases; i++)
		if (s->case_id[i] == r->report_id && r->received > 0 &&
		    (s->first_reply[i] == 0 || r->received < s->first_reply[i]))
			s->first_reply[i] = r->received;
	return 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median seconds from report to first reply, -1 when none answered. */
static int64_t
median_response(const struct status *s, size_t *answered)
{
	int64_t *d;
	size_t i, n = 0;
	int64_t m;

	*answered = 0;
	if ((d = malloc((s->n_cases + 1) * sizeof(*d))) == NULL)
		return -1;
	for (i = 0; i < s->n_cases; i++)
		if (s->first_reply[i] > 0 && s->case_sent[i] > 0)
			d[n++] = s->first_reply[i] > s->case_sent[i] ?
			    s->first_reply[i] - s->case_sent[i] : 0;
	*answered = n;
	if (n == 0) {
		free(d);
		return -1;
	}
	qsort(d, n, sizeof(*d), cmp_i64);
	m = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
	free(d);
	return m;
}

static void
count_due(void *arg, const struct ad_followup_event *e)
{
	(void)arg;
	(void)e;
}

int
cmd_status(struct cli *c, int argc, char **argv)
{
	struct ad_followup_opts fo;
	struct ad_followup_stats fs;
	struct ad_certs *certs = NULL;
	struct ad_diag diag;
	struct status s;
	struct env e;
	size_t i, answered, due;
	int64_t med;
	int r, ret;

	memset(&e, 0, sizeof(e));
	memset(&s, 0, sizeof(s));
	memset(&diag, 0, sizeof(diag));
	s.c = c;
	for (i = 1; i < (size_t)argc; i++) {
		const char *a = argv[i];
		int k = (int)i;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			printf("%s\n%s", status_help, cli_common_help);
			return EXIT_OK;
		} else if (strcmp(a, "--json") == 0)
			c->json = true;
		else if (strcmp(a, "--now") == 0 && i + 1 < (size_t)argc) {
			if (cli_now_opt(c, argv[++i]) != 0)
				return EXIT_USAGE;
		} else if ((r = cli_common_opt(c, argc, argv, &k)) != 0) {
			if (r < 0)
				return EXIT_USAGE;
			i = (size_t)k;
		} else {
			cli_err(c, "status: unexpected \"%s\" (try --help)", a);
			return EXIT_USAGE;
		}
	}
	e.offline = true;	/* status never goes to the network */
	if ((ret = cli_setup(c)) != EXIT_OK ||
	    (ret = env_open(&e, c, true)) != EXIT_OK)
		goto out;
	if ((r = ad_store_report_each(e.st, NULL, status_report, &s)) != AD_OK ||
	    (r = s.err) != AD_OK ||
	    (r = ad_store_reply_each(e.st, 0, true, status_reply, &s)) != AD_OK) {
		cli_err(c, "status: %s", ad_store_errmsg(e.st));
		ret = cli_exit_for(r);
		goto out;
	}
	/* What followup would do now, without doing it. */
	memset(&fo, 0, sizeof(fo));
	if (ad_certs_load(c->cfg.report.certs, &certs, &diag) == AD_OK) {
		fo.after = c->cfg.report.followup_after;
		fo.certs = certs;
		fo.dry_run = true;
		if ((r = ad_track_followup(&c->ctx, e.st, &e.o, &fo,
		    find_contact, &e, count_due, NULL, &fs, &diag)) != AD_OK) {
			ret = cli_exit_for(r);
			goto out;
		}
	} else
		memset(&fs, 0, sizeof(fs));
	due = fs.reminders + fs.upstream + fs.cert + fs.resends;
	med = median_response(&s, &answered);
	if (c->json) {
		struct ad_buf b;
		bool first = true, f2;

		ad_buf_init(&b, 1 << 20);
		r = ad_buf_addc(&b, '{');
		r = r ? r : ad_json_kv_int(&b, &first, "to_review",
		    (int64_t)(s.by_state[AD_RS_DRAFT] + s.by_state[AD_RS_HELD]));
		r = r ? r : ad_json_kv_int(&b, &first, "replies_to_read",
		    (int64_t)s.replies_to_read);
		r = r ? r : ad_json_kv_int(&b, &first, "unmatched_replies",
		    (int64_t)s.unmatched);
		r = r ? r : ad_json_kv_int(&b, &first, "followups_due",
		    (int64_t)due);
		r = r ? r : ad_json_kv_int(&b, &first, "manual_submissions",
		    (int64_t)s.manual_total);
		r = r ? r : ad_json_kv_int(&b, &first, "approved_unsent",
		    (int64_t)s.by_state[AD_RS_APPROVED]);
		r = r ? r : ad_json_kv_int(&b, &first, "failed",
		    (int64_t)s.by_state[AD_RS_FAILED]);
		r = r ? r : ad_json_kv_int(&b, &first, "unconfirmed",
		    (int64_t)s.by_state[AD_RS_UNCONFIRMED]);
		r = r ? r : ad_json_kv_int(&b, &first, "cases", (int64_t)s.cases);
		r = r ? r : ad_buf_adds(&b, ",\"lifecycle\":{");
		for (i = 0, f2 = true; i < s.n_lc && r == AD_OK; i++)
			r = ad_json_kv_int(&b, &f2, s.lifecycles[i],
			    (int64_t)s.lc_count[i]);
		r = r ? r : ad_buf_addc(&b, '}');
		if (r == AD_OK && med >= 0)
			r = ad_json_kv_int(&b, &first, "median_first_response_s",
			    med);
		else if (r == AD_OK)
			r = ad_json_kv_null(&b, &first, "median_first_response_s");
		r = r ? r : ad_json_kv_int(&b, &first, "answered", (int64_t)answered);
		r = r ? r : ad_buf_adds(&b, ",\"never_answer\":{");
		for (i = 0, f2 = true; i < s.n_silent && r == AD_OK; i++)
			r = ad_json_kv_int(&b, &f2, s.silent[i],
			    (int64_t)s.silent_n[i]);
		r = r ? r : ad_buf_adds(&b, "}}");
		if (r == AD_OK)
			printf("%s\n", ad_buf_str(&b));
		ad_buf_free(&b);
		ret = cli_exit_for(r);
		goto out;
	}
	printf("Needs attention:\n");
	printf("  %zu report(s) to review (draft or held)",
	    s.by_state[AD_RS_DRAFT] + s.by_state[AD_RS_HELD]);
	for (i = 0; i < s.n_review; i++)
		printf("%s%s", i ? " " : ": ", s.review[i]);
	printf("%s\n", s.by_state[AD_RS_DRAFT] + s.by_state[AD_RS_HELD] >
	    s.n_review ? " ..." : "");
	printf("  %zu repl%s to read, %zu that matched no report\n",
	    s.replies_to_read, s.replies_to_read == 1 ? "y" : "ies",
	    s.unmatched);
	printf("  %zu follow-up(s) due: %zu reminder(s), %zu resend(s) after a"
	    " bounce, %zu to the upstream, %zu to a CERT%s\n", due,
	    fs.reminders, fs.resends, fs.upstream, fs.cert,
	    due ? " (run abusedesk followup)" : "");
	printf("  %zu manual submission(s) pending\n", s.manual_total);
	for (i = 0; i < s.n_manual; i++)
		printf("    %s\n", s.manual[i]);
	printf("  %zu approved and not sent, %zu failed, %zu unconfirmed\n",
	    s.by_state[AD_RS_APPROVED], s.by_state[AD_RS_FAILED],
	    s.by_state[AD_RS_UNCONFIRMED]);
	printf("\nCases (reports sent): %zu\n", s.cases);
	for (i = 0; i < s.n_lc; i++)
		printf("  %-20s %zu\n", s.lifecycles[i], s.lc_count[i]);
	if (med >= 0)
		printf("Median time to a first response: %.1f hours (%zu of %zu"
		    " cases answered)\n", (double)med / 3600.0, answered,
		    s.cases);
	else
		printf("Median time to a first response: no answers yet\n");
	if (s.n_silent) {
		printf("Networks that never answered:\n");
		for (i = 0; i < s.n_silent; i++)
			printf("  %-40s %zu case(s)\n", s.silent[i],
			    s.silent_n[i]);
	}
out:
	free(s.case_id);
	free(s.case_sent);
	free(s.first_reply);
	free(s.silent);
	free(s.silent_n);
	ad_certs_free(certs);
	env_free(&e);
	return ret;
}
