/*
 * cmd_incidents.c - abusedesk incidents: list what scan stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_buf.h"
#include "abusedesk/ad_json.h"
#include "abusedesk/ad_lookup.h"
#include "abusedesk/ad_registry.h"
#include "abusedesk/ad_store.h"
#include "cli.h"

static const char incidents_help[] =
"usage: abusedesk incidents [--db PATH] [--json] [--all | --reportable]\n"
"                           [--state STATE] [--category NAME] [--evidence]\n"
"\n"
"Lists stored incidents, oldest first. By default every incident that\n"
"reached its threshold, including those that are not reportable to an\n"
"outside network (private space, our own networks, the allowlist).\n"
"\n"
"  --json           JSON Lines: id, src, category, first, last (log time\n"
"                   with UTC offset), first_utc, last_utc, events, services,\n"
"                   targets, ports, users, state, reportable, reason,\n"
"                   evidence (proven, spoofable or mixed)\n"
"  --all            include incidents still below their threshold (held by\n"
"                   the scan while their window is open, listed without\n"
"                   id; one that closes below threshold is only counted)\n"
"  --reportable     only incidents worth reporting\n"
"  --state STATE    new, below-threshold, internal, allowlisted\n"
"  --category NAME  ssh-bruteforce, ssh-probe, port-scan, web-probe,\n"
"                   web-bruteforce, web-flood, web-bad-bot, web-spam, worm,\n"
"                   mail-bruteforce, mail-spam, ftp-bruteforce,\n"
"                   auth-bruteforce, ids-alert, dns-abuse, proxy-abuse,\n"
"                   repeat-offender\n"
"  --evidence       add the stored sample log lines (JSON: \"lines\")\n"
"\n"
"With --json, an incident whose source was looked up (scan --lookup,\n"
"abusedesk lookup) carries \"contact\": the cached lookup answer.\n"
"\n"
"States: new (worth reporting), below-threshold, internal (private or\n"
"reserved space, or our own networks: recorded, never reported outside),\n"
"allowlisted (a source the configuration says never to report).\n";

struct list {
	struct cli	*c;
	struct ad_store	*st;
	struct ad_buf	 out;
	struct ad_lookup *lk;		/* offline: cached contacts only */
	bool		 all;
	bool		 evidence;
	unsigned long	 n;
	const struct ad_incident_filter *f;
};

static int
add_line_json(void *arg, const struct ad_sample *e)
{
	struct list *l = arg;
	char t[AD_ISO_STRLEN];
	bool first = true;
	int r;

	if ((r = ad_json_item_open(&l->out)) != AD_OK ||
	    (r = ad_json_kv_str(&l->out, &first, "file", e->file)) != AD_OK ||
	    (r = ad_json_kv_int(&l->out, &first, "line", (int64_t)e->line)) ||
	    (r = ad_json_kv_str(&l->out, &first, "time", e->time.valid ?
	    ad_instant_format(&e->time, t) : NULL)) != AD_OK ||
	    (r = ad_json_kv_str(&l->out, &first, "format", e->format[0] ?
	    e->format : NULL)) != AD_OK ||
	    (r = ad_json_kv_str(&l->out, &first, "text", e->text)) != AD_OK)
		return r;
	return ad_buf_addc(&l->out, '}');
}

static int
add_line_text(void *arg, const struct ad_sample *e)
{
	struct list *l = arg;

	int r;

	if ((r = ad_buf_adds(&l->out, "      ")) != AD_OK ||
	    (r = ad_buf_add_printable(&l->out, e->file, strlen(e->file))) ||
	    (r = ad_buf_addf(&l->out, ":%llu: ",
	    (unsigned long long)e->line)) != AD_OK ||
	    (r = ad_buf_add_printable(&l->out, e->text, e->len)) != AD_OK)
		return r;
	return ad_buf_addc(&l->out, '\n');
}

/* Sample lines: a held incident (no row) has them in memory, a stored one in its row. */
static int
samples_each(struct list *l, const struct ad_incident *inc,
    int (*fn)(void *, const struct ad_sample *))
{
	uint8_t i;
	int r;

	if (!inc->held)
		return ad_store_samples_each(l->st, inc->id, fn, l);
	for (i = 0; i < inc->n_samples; i++)
		if ((r = fn(l, &inc->samples[i])) != AD_OK)
			return r;
	return AD_OK;
}

static int
print_one(void *arg, const struct ad_incident *inc)
{
	struct list *l = arg;
	char a[AD_ADDR_STRLEN], t1[AD_ISO_STRLEN], t2[AD_ISO_STRLEN], id[24];
	int r;
	uint8_t i;

	if (!l->all && inc->state == AD_STATE_BELOW)
		return 0;
	ad_buf_reset(&l->out);
	if (l->c->json) {
		if ((r = ad_incident_to_json(&l->out, inc)) != AD_OK)
			return r;
		if (l->evidence) {
			l->out.len--;	/* reopen the object */
			if ((r = ad_buf_adds(&l->out, ",\"lines\":[")) != AD_OK ||
			    (r = samples_each(l, inc, add_line_json)) != AD_OK ||
			    (r = ad_buf_adds(&l->out, "]}")) != AD_OK)
				return r;
		}
		if (l->lk) {
			struct ad_lookup_answer ans;
			char t[AD_ADDR_STRLEN];

			/* The contact scan --lookup cached, if any. */
			r = ad_lookup_query(l->lk, ad_addr_format(&inc->src, t),
			    &ans);
			if (r == AD_OK && ans.cached) {
				l->out.len--;
				if ((r = ad_buf_adds(&l->out, ",\"contact\":")) !=
				    AD_OK || (r = ad_lookup_answer_json(&l->out,
				    &ans)) != AD_OK || (r = ad_buf_addc(&l->out,
				    '}')) != AD_OK)
					return r;
			}
		}
		if ((r = ad_buf_addc(&l->out, '\n')) != AD_OK)
			return r;
	} else {
		if (l->n == 0 && (r = ad_buf_addf(&l->out, "%-6s %-39s %-15s %8s  %-32s %-32s %s\n",
		    "ID", "SOURCE", "CATEGORY", "EVENTS", "FIRST", "LAST",
		    "STATE")) != AD_OK)
			return r;
		if (inc->id == 0)	/* not a row yet */
			snprintf(id, sizeof(id), "-");
		else
			snprintf(id, sizeof(id), "%lld", (long long)inc->id);
		if ((r = ad_buf_addf(&l->out, "%-6s %-39s %-15s %8llu  %-32s %-32s %s%s\n",
		    id, ad_addr_format(&inc->src, a),
		    ad_category_name(inc->category),
		    (unsigned long long)inc->events,
		    ad_instant_format(&inc->first, t1),
		    ad_instant_format(&inc->last, t2),
		    ad_inc_state_name(inc->state),
		    inc->reportable ? "" : " (not reportable)")) != AD_OK)
			return r;
		if (inc->n_ports && (r = ad_buf_adds(&l->out, "       ports:")) == AD_OK) {
			for (i = 0; i < inc->n_ports && r == AD_OK; i++)
				r = ad_buf_addf(&l->out, " %u", inc->ports[i]);
			if (r == AD_OK)
				r = ad_buf_adds(&l->out, inc->ports_more ?
				    " ...\n" : "\n");
		}
		if (r == AD_OK && inc->n_users &&
		    (r = ad_buf_adds(&l->out, "       users:")) == AD_OK) {
			for (i = 0; i < inc->n_users && r == AD_OK; i++)
				if ((r = ad_buf_addc(&l->out, ' ')) == AD_OK)
					r = ad_buf_add_printable(&l->out,
					    inc->users[i], strlen(inc->users[i]));
			if (r == AD_OK)
				r = ad_buf_adds(&l->out, inc->users_more ?
				    " ...\n" : "\n");
		}
		if (r == AD_OK)
			r = ad_buf_addf(&l->out, "       %s; evidence: %s\n",
			    inc->reason, inc->proven && inc->spoofable ? "mixed" :
			    inc->proven ? "proven (completed sessions)" :
			    "spoofable (single packets)");
		if (r == AD_OK && l->evidence)
			r = samples_each(l, inc, add_line_text);
		if (r != AD_OK)
			return r;
	}
	fwrite(l->out.p, 1, l->out.len, stdout);
	l->n++;
	return 0;
}

/*
 * Held incidents without a row (new, window still open: kept by the scan
 * as packed records) are listed after the stored ones, without id, as the
 * scan assessed them. Those with a row were listed with it.
 */
static int
print_held(void *arg, const struct ad_incident *held)
{
	struct list *l = arg;
	struct ad_incident inc = *held;
	int r = 0;

	if (inc.id == 0 &&
	    (l->f->category < 0 || (int)inc.category == l->f->category) &&
	    (l->f->state <= 0 || (int)inc.state == l->f->state - 1) &&
	    (!l->f->reportable_only || inc.reportable))
		r = print_one(l, &inc);
	ad_incident_clear_samples(&inc);
	return r;
}

int
cmd_incidents(struct cli *c, int argc, char **argv)
{
	struct ad_incident_filter f;
	struct ad_registry *reg = NULL;
	struct list l;
	int i, r, ret;

	memset(&f, 0, sizeof(f));
	f.category = -1;
	memset(&l, 0, sizeof(l));
	l.c = c;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			printf("%s\n%s", incidents_help, cli_common_help);
			return EXIT_OK;
		} else if (strcmp(a, "--json") == 0)
			c->json = true;
		else if (strcmp(a, "--all") == 0)
			l.all = true;
		else if (strcmp(a, "--reportable") == 0)
			f.reportable_only = true;
		else if (strcmp(a, "--evidence") == 0)
			l.evidence = true;
		else if ((strcmp(a, "--state") == 0 ||
		    strcmp(a, "--category") == 0) && i + 1 < argc) {
			const char *v = argv[++i];

			if (a[2] == 's') {
				if ((r = ad_inc_state_from_name(v)) < 0) {
					cli_err(c, "unknown state \"%s\"", v);
					return EXIT_USAGE;
				}
				f.state = r + 1;
				l.all = true;
			} else if ((f.category = ad_category_from_name(v)) < 0) {
				cli_err(c, "unknown category \"%s\"", v);
				return EXIT_USAGE;
			}
		} else if ((r = cli_common_opt(c, argc, argv, &i)) != 1) {
			if (r == 0)
				cli_err(c, "incidents: unknown option %s", a);
			return EXIT_USAGE;
		}
	}
	if ((ret = cli_setup(c)) != EXIT_OK ||
	    (ret = cli_open_store(c, &l.st)) != EXIT_OK)
		return ret;
	ad_buf_init(&l.out, 1u << 20);
	l.f = &f;
	if (c->json && cli_lookup_open(c, l.st, true, &reg, &l.lk) != EXIT_OK)
		l.lk = NULL;
	r = ad_store_incident_each(l.st, &f, print_one, &l);
	if (r == AD_OK)
		r = ad_store_held_each(l.st, print_held, &l);
	ad_lookup_free(l.lk);
	ad_registry_free(reg);
	if (r != AD_OK) {
		cli_err(c, "incidents: %s", r == AD_ERR_STORE ?
		    ad_store_errmsg(l.st) : ad_strerror(r));
		ret = cli_exit_for(r);
	}
	if (!c->json && !c->quiet && l.n == 0)
		fprintf(stderr, "no incidents%s\n", l.all ? "" :
		    " over their threshold (--all shows the rest)");
	fflush(stdout);
	ad_buf_free(&l.out);
	ad_store_close(l.st);
	return ret;
}
