/*
 * test_report.c - report composition: byte-exact golden messages for every
 * category (plain and with X-ARF), the public view, every translation, and
 * the safety properties: header injection refused, hostile log lines
 * harmless, line cap, template overrides.
 *
 * Goldens live in tests/golden/report/; UPDATE_GOLDEN=1 rewrites them
 * (review the diff!). Without it any difference fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_report.h"
#include "test_helper.h"

#define GOLDEN	"tests/golden/report/"
#define GOLDEN_FU	"tests/golden/followup/"

struct tcase {
	const char		*name;
	enum ad_category	 cat;
	const char		*src;
	const char		*targets[3];
	uint16_t		 ports[3];
	const char		*users[3];
	const char		*format;
	const char		*first, *last;
	uint64_t		 events, proven, spoofable;
	const char		*lines[3];
};

static const struct tcase cases[] = {
	{ "ssh-bruteforce", AD_CAT_SSH_BRUTEFORCE, "203.0.113.7",
	  { "192.0.2.10", "192.0.2.11" }, { 22 }, { "root", "admin", "oracle" },
	  "sshd", "2026-11-22T17:45:03+01:00", "2026-11-22T18:02:11+01:00",
	  84, 84, 0,
	  { "Nov 22 17:45:03 gw sshd[4711]: Failed password for root from 203.0.113.7 port 52344 ssh2",
	    "Nov 22 17:45:06 gw sshd[4713]: Failed password for invalid user admin from 203.0.113.7 port 52410 ssh2",
	    "Nov 22 17:45:10 gw sshd[4715]: Invalid user oracle from 203.0.113.7 port 52466" } },
	{ "ssh-probe", AD_CAT_SSH_PROBE, "198.51.100.23", { "192.0.2.10" },
	  { 22 }, { NULL }, "sshd", "2026-11-22T09:12:01+01:00",
	  "2026-11-22T09:12:44+01:00", 2, 2, 0,
	  { "Nov 22 09:12:01 gw sshd[801]: Connection closed by 198.51.100.23 port 40112 [preauth]",
	    "Nov 22 09:12:44 gw sshd[806]: Did not receive identification string from 198.51.100.23 port 40220" } },
	{ "port-scan", AD_CAT_PORT_SCAN, "198.51.100.77",
	  { "192.0.2.10", "192.0.2.11" }, { 23, 3389 }, { NULL }, "netfilter",
	  "2026-11-22T03:01:12+01:00", "2026-11-22T03:01:13+01:00", 31, 0, 31,
	  { "Nov 22 03:01:12 gw kernel: [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=198.51.100.77 DST=192.0.2.10 LEN=44 TOS=0x00 PREC=0x00 TTL=241 ID=54321 PROTO=TCP SPT=61000 DPT=23 WINDOW=1024 RES=0x00 SYN URGP=0",
	    "Nov 22 03:01:13 gw kernel: [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=198.51.100.77 DST=192.0.2.11 LEN=44 TOS=0x00 PREC=0x00 TTL=241 ID=54321 PROTO=TCP SPT=61000 DPT=3389 WINDOW=1024 RES=0x00 SYN URGP=0" } },
	{ "web-probe", AD_CAT_WEB_PROBE, "203.0.113.45", { "192.0.2.80" },
	  { 443 }, { NULL }, "combined", "2026-11-22T14:02:11+01:00",
	  "2026-11-22T14:02:12+01:00", 2, 2, 0,
	  { "203.0.113.45 - - [22/Nov/2026:14:02:11 +0100] \"GET /.env HTTP/1.1\" 404 162 \"-\" \"curl/7.68.0\"",
	    "203.0.113.45 - - [22/Nov/2026:14:02:12 +0100] \"GET /phpmyadmin/index.php HTTP/1.1\" 404 162 \"-\" \"curl/7.68.0\"" } },
	{ "web-bruteforce", AD_CAT_WEB_BRUTEFORCE, "203.0.113.46",
	  { "192.0.2.80" }, { 443 }, { NULL }, "combined",
	  "2026-11-22T14:05:00+01:00", "2026-11-22T14:15:00+01:00", 212, 212, 0,
	  { "203.0.113.46 - - [22/Nov/2026:14:05:00 +0100] \"POST /wp-login.php HTTP/1.1\" 200 4521 \"-\" \"Mozilla/5.0\"" } },
	{ "web-flood", AD_CAT_WEB_FLOOD, "203.0.113.47", { "192.0.2.80" },
	  { 80 }, { NULL }, "combined", "2026-11-22T14:06:00+01:00",
	  "2026-11-22T14:07:00+01:00", 950, 950, 0,
	  { "203.0.113.47 - - [22/Nov/2026:14:06:00 +0100] \"GET /missing.png HTTP/1.1\" 404 209 \"-\" \"Mozilla/5.0\"" } },
	{ "web-bad-bot", AD_CAT_WEB_BAD_BOT, "203.0.113.20", { "192.0.2.80" },
	  { 80 }, { NULL }, "combined", "2026-11-22T13:55:36+01:00",
	  "2026-11-22T13:55:36+01:00", 1, 1, 0,
	  { "203.0.113.20 - - [22/Nov/2026:13:55:36 +0100] \"GET / HTTP/1.1\" 200 612 \"-\" \"sqlmap/1.7.2#stable (https://sqlmap.org)\"" } },
	{ "web-spam", AD_CAT_WEB_SPAM, "203.0.113.22", { "192.0.2.80" },
	  { 80 }, { NULL }, "combined", "2026-11-22T13:55:36+01:00",
	  "2026-11-22T13:55:36+01:00", 1, 1, 0,
	  { "203.0.113.22 - - [22/Nov/2026:13:55:36 +0100] \"GET / HTTP/1.1\" 200 612 \"http://semalt.semalt.com/crawler.php?u=x\" \"Mozilla/5.0\"" } },
	{ "worm", AD_CAT_WORM, "203.0.113.14", { "192.0.2.80" }, { 80 },
	  { NULL }, "combined", "2026-11-22T13:55:36+01:00",
	  "2026-11-22T13:55:36+01:00", 1, 1, 0,
	  { "203.0.113.14 - - [22/Nov/2026:13:55:36 +0100] \"GET /default.ida?NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN%u9090%u6858%ucbd3 HTTP/1.0\" 400 0 \"-\" \"-\"" } },
	{ "mail-bruteforce", AD_CAT_MAIL_BRUTEFORCE, "198.51.100.2",
	  { "192.0.2.25" }, { 143 }, { "info@example.org" }, "dovecot",
	  "2026-11-22T04:12:45+01:00", "2026-11-22T04:40:00+01:00", 40, 40, 0,
	  { "Nov 22 04:12:45 mail dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<info@example.org>, method=PLAIN, rip=198.51.100.2, lip=192.0.2.25, session=<abc>" } },
	{ "mail-spam", AD_CAT_MAIL_SPAM, "198.51.100.8", { "192.0.2.25" },
	  { 25 }, { NULL }, "postfix", "2026-11-22T04:12:45+01:00",
	  "2026-11-22T04:12:45+01:00", 12, 12, 0,
	  { "Nov 22 04:12:45 mail postfix/smtpd[1234]: NOQUEUE: reject: RCPT from unknown[198.51.100.8]: 554 5.7.1 <x@example.net>: Relay access denied; from=<a@example.com> to=<x@example.net> proto=ESMTP helo=<x>" } },
	{ "ftp-bruteforce", AD_CAT_FTP_BRUTEFORCE, "198.51.100.10",
	  { "192.0.2.21" }, { 21 }, { "admin" }, "vsftpd",
	  "2026-11-22T10:00:00+01:00", "2026-11-22T10:20:00+01:00", 30, 30, 0,
	  { "Nov 22 10:00:00 ftp vsftpd[1658]: [admin] FAIL LOGIN: Client \"198.51.100.10\"" } },
	{ "auth-bruteforce", AD_CAT_AUTH_BRUTEFORCE, "198.51.100.12",
	  { "192.0.2.33" }, { 3306 }, { "root" }, "mysql",
	  "2026-11-22T10:00:05+01:00", "2026-11-22T10:09:05+01:00", 25, 25, 0,
	  { "Nov 22 10:00:05 db mysqld[1]: 2026-11-22T10:00:05.123456Z 8 [Note] Access denied for user 'root'@'198.51.100.12' (using password: YES)" } },
	{ "ids-alert", AD_CAT_IDS_ALERT, "198.51.100.30", { "192.0.2.10" },
	  { 22 }, { NULL }, "snort-fast", "2026-11-22T10:00:07+01:00",
	  "2026-11-22T10:00:07+01:00", 1, 0, 1,
	  { "11/22/2026-10:00:07.123456  [**] [1:2001219:20] ET SCAN Potential SSH Scan [**] [Classification: Attempted Information Leak] [Priority: 2] {TCP} 198.51.100.30:40001 -> 192.0.2.10:22" } },
	{ "dns-abuse", AD_CAT_DNS_ABUSE, "198.51.100.60", { "192.0.2.53" },
	  { 53 }, { NULL }, "named", "2026-11-22T10:00:00+01:00",
	  "2026-11-22T10:30:00+01:00", 500, 0, 500,
	  { "Nov 22 10:00:00 ns named[3935]: client @0x7f65100ee4d8 198.51.100.60#3076 (example.com): query (cache) 'example.com/ANY/IN' denied" } },
	{ "proxy-abuse", AD_CAT_PROXY_ABUSE, "203.0.113.76", { "192.0.2.8" },
	  { 3128 }, { NULL }, "squid", "2026-11-22T11:02:03+01:00",
	  "2026-11-22T11:02:03+01:00", 6, 6, 0,
	  { "1795345323.000      4 203.0.113.76 TCP_DENIED/403 4099 GET http://www.proxy-listen.de/azenv.php - HIER_NONE/- text/html" } },
	{ "repeat-offender", AD_CAT_REPEAT_OFFENDER, "198.51.100.110",
	  { NULL }, { 0 }, { NULL }, "fail2ban", "2026-11-20T15:52:30+01:00",
	  "2026-11-22T15:52:30+01:00", 5, 5, 0,
	  { "2026-11-22 15:52:30,388 fail2ban.actions        [123]: NOTICE  [sshd] Ban 198.51.100.110" } },
};
#define N_CASES	(sizeof(cases) / sizeof(cases[0]))

/* A hand-made incident with its samples (the text is not owned here). */
struct built {
	struct ad_incident	inc;
	struct ad_sample	samples[64];
	struct ad_report_item	item;
};

static void
build(const struct tcase *tc, struct built *b)
{
	size_t i;

	memset(b, 0, sizeof(*b));
	ad_addr_parse(tc->src, strlen(tc->src), &b->inc.src);
	b->inc.category = tc->cat;
	ad_instant_parse(tc->first, &b->inc.first);
	ad_instant_parse(tc->last, &b->inc.last);
	b->inc.events = tc->events;
	b->inc.proven = tc->proven;
	b->inc.spoofable = tc->spoofable;
	b->inc.state = AD_STATE_NEW;
	b->inc.reportable = true;
	for (i = 0; i < 3 && tc->targets[i]; i++)
		ad_addr_parse(tc->targets[i], strlen(tc->targets[i]),
		    &b->inc.targets[b->inc.n_targets++]);
	for (i = 0; i < 3 && tc->ports[i]; i++)
		b->inc.ports[b->inc.n_ports++] = tc->ports[i];
	for (i = 0; i < 3 && tc->users[i]; i++)
		snprintf(b->inc.users[b->inc.n_users++], AD_INC_USER_LEN + 1,
		    "%s", tc->users[i]);
	for (i = 0; i < 3 && tc->lines[i]; i++) {
		struct ad_sample *s = &b->samples[i];

		s->file = "/var/log/test.log";
		s->line = i + 1;
		s->time = b->inc.first;
		s->text = (char *)(uintptr_t)tc->lines[i];
		s->len = strlen(tc->lines[i]);
		snprintf(s->format, sizeof(s->format), "%s", tc->format);
	}
	b->item.inc = &b->inc;
	b->item.samples = b->samples;
	b->item.n_samples = i;
}

static struct ad_identity me;
static struct ad_report_contact contact;

static void
defaults(struct ad_report_input *in, const struct ad_report_item *items,
    size_t n)
{
	memset(&me, 0, sizeof(me));
	snprintf(me.name, sizeof(me.name), "Jane Doe");
	snprintf(me.org, sizeof(me.org), "Example Hosting GmbH");
	snprintf(me.email, sizeof(me.email), "abuse-reports@example.org");
	snprintf(me.phone, sizeof(me.phone), "+49 30 1234567");
	memset(&contact, 0, sizeof(contact));
	snprintf(contact.to, sizeof(contact.to), "abuse@example.net");
	snprintf(contact.network, sizeof(contact.network),
	    "203.0.113.0/24 EXAMPLE-NET (Example Networks Ltd)");
	snprintf(contact.service, sizeof(contact.service),
	    "RDAP https://rdap.db.ripe.net/");
	snprintf(contact.evidence, sizeof(contact.evidence),
	    "abuse-mailbox: abuse@example.net");
	snprintf(contact.country, sizeof(contact.country), "NL");
	memset(in, 0, sizeof(*in));
	in->items = items;
	in->n_items = n;
	in->contact = &contact;
	in->me = &me;
	in->from_fallback = "abusedesk@host.example.org";
	in->token = "AD-7F3K";
	in->message_id = "<AD-7F3K.1@abusedesk.example.org>";
	in->date = 1795370400;	/* 2026-11-22T18:00:00Z */
}

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long l;

	*n = 0;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (l = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)l + 1)) != NULL) {
		*n = fread(p, 1, (size_t)l, f);
		p[*n] = '\0';
	}
	fclose(f);
	return p;
}

/* Compares with (or, UPDATE_GOLDEN=1, writes) dir/name.eml. */
static void
golden_in(const char *dir, const char *name, const struct ad_buf *msg)
{
	char path[256];
	const char *upd = getenv("UPDATE_GOLDEN");
	size_t n, i;
	char *want;

	snprintf(path, sizeof(path), "%s%s.eml", dir, name);
	if (upd != NULL && strcmp(upd, "1") == 0) {
		FILE *f = fopen(path, "wb");

		ASSERT_TRUE(f != NULL);
		if (f != NULL) {
			ASSERT_INT_EQ(fwrite(msg->p, 1, msg->len, f), msg->len);
			fclose(f);
		}
		return;
	}
	want = slurp(path, &n);
	if (want == NULL) {
		TH_FAIL("no golden %s (UPDATE_GOLDEN=1 writes it)", path);
		return;
	}
	if (n != msg->len || memcmp(want, msg->p, n) != 0) {
		for (i = 0; i < n && i < msg->len && want[i] == msg->p[i]; i++)
			;
		TH_FAIL("%s differs at byte %zu (golden %zu bytes, got %zu)",
		    path, i, n, msg->len);
	}
	free(want);
}

/* tests/golden/report/name.eml */
static void
golden(const char *name, const struct ad_buf *msg)
{
	golden_in(GOLDEN, name, msg);
}

static int
compose(const struct ad_report_input *in, struct ad_report_out *o,
    struct ad_diag *d)
{
	memset(d, 0, sizeof(*d));
	return ad_report_compose(in, o, d);
}

/* Every line CRLF-terminated, at most 998 bytes, no bare CR or LF. */
static bool
wire_ok(const struct ad_buf *m)
{
	size_t i, col = 0;

	for (i = 0; i < m->len; i++) {
		if (m->p[i] == '\r') {
			if (i + 1 >= m->len || m->p[i + 1] != '\n')
				return false;
			i++;
			col = 0;
			continue;
		}
		if (m->p[i] == '\n' || m->p[i] == '\0' || ++col > 998)
			return false;
	}
	return m->len >= 2 && m->p[m->len - 1] == '\n';
}

static void
test_categories(void)
{
	struct ad_report_input in;
	struct ad_report_out o;
	struct ad_diag d;
	struct built b;
	char name[64];
	size_t i;
	int x;

	ad_report_out_init(&o);
	for (x = 0; x < 2; x++)
		for (i = 0; i < N_CASES; i++) {
			snprintf(name, sizeof(name), "%s%s", x ? "xarf-" : "",
			    cases[i].name);
			TEST_START(name);
			ASSERT_INT_EQ(cases[i].cat, ad_category_from_name(
			    cases[i].name));
			build(&cases[i], &b);
			defaults(&in, &b.item, 1);
			in.xarf = x;
			ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
			if (d.msg[0])
				printf("# %s: %s\n", d.where, d.msg);
			ASSERT_TRUE(wire_ok(&o.message));
			golden(name, &o.message);
			TEST_DONE();
		}
	ad_report_out_free(&o);
}

static void
test_subject_and_first_paragraph(void)
{
	struct ad_report_input in;
	struct ad_report_out o;
	struct ad_diag d;
	struct built b;
	const char *body;

	TEST_START("subject and the first paragraph");
	build(&cases[0], &b);
	defaults(&in, &b.item, 1);
	ad_report_out_init(&o);
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	ASSERT_STR_EQ(o.subject, "[abusedesk #AD-7F3K] SSH brute force from "
	    "203.0.113.7 against our servers");
	body = strstr(ad_buf_str(&o.message), "\r\n\r\n");
	ASSERT_TRUE(body != NULL && strncmp(body + 4, "Between ", 8) == 0);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message),
	    "Date: Sun, 22 Nov 2026 18:00:00 +0000\r\n") != NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message),
	    "2026-11-22 17:45:03 UTC+01:00 = 2026-11-22 16:45:03 UTC") != NULL);
	ad_report_out_free(&o);
	TEST_DONE();
}

static void
test_variants(void)
{
	struct ad_report_input in;
	struct ad_report_out o;
	struct ad_diag d;
	struct built b, b2;
	struct ad_report_item items[2];
	struct ad_cidr own;

	ad_report_out_init(&o);

	TEST_START("public view masks our addresses");
	build(&cases[2], &b);	/* port scan: targets in the lines */
	defaults(&in, &b.item, 1);
	ASSERT_TRUE(ad_cidr_parse("192.0.2.0/24", 12, &own));
	in.own = &own;
	in.n_own = 1;
	in.public_view = true;
	in.xarf = true;
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "192.0.2.10") == NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "192.0.2.11") == NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "DST=192.0.2.x LEN") != NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "198.51.100.77") != NULL);
	golden("public-port-scan", &o.message);
	TEST_DONE();

	TEST_START("public view masks targets outside own networks too");
	build(&cases[0], &b);
	defaults(&in, &b.item, 1);
	in.public_view = true;
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "192.0.2.10") == NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "192.0.2.x, 192.0.2.x")
	    != NULL);
	TEST_DONE();

	TEST_START("public view masks addresses after a colon (ASA)");
	build(&cases[2], &b);
	b.samples[0].text = (char *)(uintptr_t)"Nov 22 03:01:12 asa1 "
	    "%ASA-4-106023: Deny tcp src outside:198.51.100.77/2143 dst "
	    "inside:192.0.2.10/139 by access-group \"outside_in\" [0x0, 0x0]";
	b.samples[0].len = strlen(b.samples[0].text);
	b.item.n_samples = 1;
	defaults(&in, &b.item, 1);
	in.public_view = true;
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "192.0.2.10") == NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message),
	    "dst inside:192.0.2.x/139") != NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message),
	    "src outside:198.51.100.77/2143") != NULL);
	TEST_DONE();

	TEST_START("public view: IPv6 keeps the /64, drops the host");
	{
		struct ad_cidr own6;

		build(&cases[0], &b);
		b.samples[0].text = (char *)(uintptr_t)"Nov 22 17:45:03 gw "
		    "sshd[4711]: Connection from 203.0.113.7 port 52344 on "
		    "2001:db8:1:2::10 port 22";
		b.samples[0].len = strlen(b.samples[0].text);
		b.item.n_samples = 1;
		defaults(&in, &b.item, 1);
		ASSERT_TRUE(ad_cidr_parse("2001:db8::/32", 13, &own6));
		in.own = &own6;
		in.n_own = 1;
		in.public_view = true;
		ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
		ASSERT_TRUE(strstr(ad_buf_str(&o.message),
		    "on 2001:db8:1:2::x port 22") != NULL);
	}
	TEST_DONE();

	TEST_START("several categories: the main one and other activity");
	build(&cases[0], &b);
	build(&cases[1], &b2);
	b2.inc.src = b.inc.src;
	b2.samples[0].text = (char *)(uintptr_t)"Nov 22 09:12:01 gw sshd[801]: "
	    "Connection closed by 203.0.113.7 port 40112 [preauth]";
	b2.samples[0].len = strlen(b2.samples[0].text);
	b2.item.n_samples = 1;
	items[0] = b2.item;
	items[1] = b.item;
	defaults(&in, items, 2);
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	ASSERT_STR_EQ(o.subject, "[abusedesk #AD-7F3K] SSH brute force and "
	    "other activity from 203.0.113.7 against our servers");
	golden("multi", &o.message);
	TEST_DONE();

	TEST_START("upstream, copy, spoofing caveat, own victim role");
	build(&cases[2], &b);
	defaults(&in, &b.item, 1);
	contact.to_upstream = true;
	snprintf(contact.cc, sizeof(contact.cc), "noc@transit.example");
	snprintf(contact.evidence, sizeof(contact.evidence),
	    "inetnum: 198.51.100.0 - 198.51.100.255\n"
	    "abuse-c: TRANSIT-ABUSE\nabuse-mailbox: abuse@example.net");
	snprintf(me.victim, sizeof(me.victim),
	    "the web servers of Example Hosting");
	in.spoof_caveat = true;
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message),
	    "Cc: noc@transit.example\r\n") != NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "upstream provider") != NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "could have been forged")
	    != NULL);
	golden("upstream-caveat", &o.message);
	TEST_DONE();

	TEST_START("no identity: From is the fallback, no signature lines");
	build(&cases[0], &b);
	defaults(&in, &b.item, 1);
	memset(&me, 0, sizeof(me));
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	ASSERT_TRUE(strncmp(ad_buf_str(&o.message),
	    "From: abusedesk@host.example.org\r\n", 34) == 0);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "Phone:") == NULL);
	golden("no-identity", &o.message);
	TEST_DONE();

	TEST_START("the fallback sender may be user@host without a domain");
	build(&cases[0], &b);
	defaults(&in, &b.item, 1);
	me.email[0] = '\0';
	in.from_fallback = "root@gw";
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "<root@gw>\r\n") != NULL);
	in.xarf = true;
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	in.from_fallback = "root@gw\r\nBcc: x@y.z";
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_PARSE);
	in.from_fallback = "root@my host";
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_PARSE);
	in.from_fallback = "a,b@gw";
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_PARSE);
	in.from_fallback = "@gw";
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_PARSE);
	snprintf(me.email, sizeof(me.email), "root@gw");
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_PARSE);
	TEST_DONE();

	TEST_START("non-ASCII name and victim are RFC 2047 encoded");
	build(&cases[0], &b);
	defaults(&in, &b.item, 1);
	snprintf(me.name, sizeof(me.name), "J\xc3\xbcrgen M\xc3\xbcller");
	snprintf(me.victim, sizeof(me.victim), "the servers of M\xc3\xbcller AG");
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message),
	    "From: =?utf-8?B?SsO8cmdlbiBNw7xsbGVy?=\r\n "
	    "<abuse-reports@example.org>\r\n") != NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "Subject: =?utf-8?B?")
	    != NULL);
	ASSERT_TRUE(wire_ok(&o.message));
	TEST_DONE();

	ad_report_out_free(&o);
}

static void
test_translations(void)
{
	const char *const *l = ad_report_languages();
	struct ad_report_input in;
	struct ad_report_out o;
	struct ad_diag d;
	struct built b;
	char name[32];
	const char *m, *tr, *en;

	ad_report_out_init(&o);
	for (; *l != NULL; l++) {
		snprintf(name, sizeof(name), "lang-%s", *l);
		TEST_START(name);
		build(&cases[0], &b);
		defaults(&in, &b.item, 1);
		in.lang = *l;
		ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
		m = ad_buf_str(&o.message);
		/* Translation first, the English paragraph after it. */
		tr = strstr(m, "\r\n\r\n");
		en = strstr(m, "\r\nBetween ");
		ASSERT_TRUE(tr != NULL && en != NULL && tr < en);
		ASSERT_TRUE(tr != NULL && strncmp(tr + 4, "Between", 7) != 0);
		ASSERT_TRUE(strstr(m, "203.0.113.7") < en);
		ASSERT_TRUE(wire_ok(&o.message));
		golden(name, &o.message);
		TEST_DONE();
	}

	TEST_START("translation is marked as automatic");
	build(&cases[0], &b);
	defaults(&in, &b.item, 1);
	in.lang = "de";
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "Automatische") != NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "englische Original")
	    != NULL);
	TEST_DONE();

	TEST_START("translations count events in their own grammar");
	build(&cases[13], &b);	/* one event */
	defaults(&in, &b.item, 1);
	in.lang = "de";
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "(1 Ereignis,") != NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "(1 event, logged below)")
	    != NULL);
	in.lang = "ja";
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "\xef\xbc\x88" "1 \xe4\xbb\xb6")
	    != NULL);
	TEST_DONE();

	TEST_START("unknown language fails cleanly");
	in.lang = "xx";
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_NOTFOUND);
	ASSERT_INT_EQ(o.message.len, 0);
	TEST_DONE();

	TEST_START("country to language");
	ASSERT_STR_EQ(ad_report_lang_for_country("DE"), "de");
	ASSERT_STR_EQ(ad_report_lang_for_country("at"), "de");
	ASSERT_STR_EQ(ad_report_lang_for_country("CH"), "de");
	ASSERT_STR_EQ(ad_report_lang_for_country("BR"), "pt");
	ASSERT_STR_EQ(ad_report_lang_for_country("MX"), "es");
	ASSERT_STR_EQ(ad_report_lang_for_country("AR"), "es");
	ASSERT_STR_EQ(ad_report_lang_for_country("CN"), "zh");
	ASSERT_STR_EQ(ad_report_lang_for_country("TW"), "zh");
	ASSERT_STR_EQ(ad_report_lang_for_country("BY"), "ru");
	ASSERT_STR_EQ(ad_report_lang_for_country("JP"), "ja");
	ASSERT_STR_EQ(ad_report_lang_for_country("PL"), "pl");
	ASSERT_STR_EQ(ad_report_lang_for_country("NL"), "nl");
	ASSERT_STR_EQ(ad_report_lang_for_country("IT"), "it");
	ASSERT_STR_EQ(ad_report_lang_for_country("FR"), "fr");
	ASSERT_PTR_NULL(ad_report_lang_for_country("US"));
	ASSERT_PTR_NULL(ad_report_lang_for_country(""));
	ASSERT_PTR_NULL(ad_report_lang_for_country(NULL));
	ASSERT_PTR_NULL(ad_report_lang_for_country("DEU"));
	TEST_DONE();
	ad_report_out_free(&o);
}

static void
test_phrases(void)
{
	int c, k;

	TEST_START("a distinct subject phrase for every category");
	for (c = 0; c < AD_CAT__COUNT; c++) {
		ASSERT_TRUE(strlen(ad_report_category_phrase(c)) > 3);
		for (k = 0; k < c; k++)
			ASSERT_TRUE(strcmp(ad_report_category_phrase(c),
			    ad_report_category_phrase(k)) != 0);
	}
	TEST_DONE();
}

static void
test_injection(void)
{
	struct ad_report_input in;
	struct ad_report_out o;
	struct ad_diag d;
	struct built b;
	static const char *const bad[] = {
		"abuse@example.net\r\nBcc: victim@example.com",
		"abuse@example.net\nX-Evil: 1",
		"abuse@example.net, other@example.com",
		"Abuse <abuse@example.net>",
		"abuse@example.net\r",
	};
	size_t i;
	int field;

	ad_report_out_init(&o);
	TEST_START("hostile recipient addresses are refused");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		build(&cases[0], &b);
		defaults(&in, &b.item, 1);
		snprintf(contact.to, sizeof(contact.to), "%s", bad[i]);
		ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_PARSE);
		ASSERT_INT_EQ(o.message.len, 0);
		ASSERT_STR_EQ(d.where, "To");
		defaults(&in, &b.item, 1);
		snprintf(contact.cc, sizeof(contact.cc), "%s", bad[i]);
		ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_PARSE);
		ASSERT_STR_EQ(d.where, "Cc");
		defaults(&in, &b.item, 1);
		snprintf(me.email, sizeof(me.email), "%s", bad[i]);
		ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_PARSE);
		ASSERT_STR_EQ(d.where, "From");
	}
	TEST_DONE();

	TEST_START("CR/LF in identity values is refused");
	for (field = 0; field < 4; field++) {
		char *f;

		build(&cases[0], &b);
		defaults(&in, &b.item, 1);
		f = field == 0 ? me.name : field == 1 ? me.org :
		    field == 2 ? me.phone : me.victim;
		snprintf(f, 64, "Example\r\nBcc: victim@example.com");
		ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_PARSE);
		ASSERT_INT_EQ(o.message.len, 0);
		snprintf(f, 64, "Example\x1b[2J");
		ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_PARSE);
		snprintf(f, 64, "Example \xff\xfe");
		ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_PARSE);
	}
	TEST_DONE();

	TEST_START("hostile token and message id are refused");
	build(&cases[0], &b);
	defaults(&in, &b.item, 1);
	in.token = "AD-1\r\nBcc: x@y.z";
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_PARSE);
	in.token = "AD 1";
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_PARSE);
	defaults(&in, &b.item, 1);
	in.message_id = "<a@b>\r\nBcc: x@y.z";
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_PARSE);
	in.message_id = "a@b";
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_PARSE);
	TEST_DONE();

	TEST_START("whois text in the body cannot start a header or a line");
	build(&cases[0], &b);
	defaults(&in, &b.item, 1);
	snprintf(contact.network, sizeof(contact.network),
	    "EVIL\r\n\r\nBcc: x@y.z");
	snprintf(contact.service, sizeof(contact.service), "whois\rX: 1");
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	ASSERT_TRUE(wire_ok(&o.message));
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "\r\nBcc:") == NULL);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "EVIL\\x0d\\x0a") != NULL);
	TEST_DONE();

	TEST_START("header_value_ok");
	ASSERT_TRUE(ad_header_value_ok("plain text", 10));
	ASSERT_TRUE(ad_header_value_ok("M\xc3\xbcller", 7));
	ASSERT_FALSE(ad_header_value_ok("a\r\nb", 4));
	ASSERT_FALSE(ad_header_value_ok("a\nb", 3));
	ASSERT_FALSE(ad_header_value_ok("a\0b", 3));
	ASSERT_FALSE(ad_header_value_ok("a\tb", 3));
	ASSERT_FALSE(ad_header_value_ok("a\x7f", 2));
	ASSERT_FALSE(ad_header_value_ok("\xc3", 1));
	ASSERT_FALSE(ad_header_value_ok(NULL, 0));
	{
		char big[1000];

		memset(big, 'a', sizeof(big));
		ASSERT_TRUE(ad_header_value_ok(big, 998));
		ASSERT_FALSE(ad_header_value_ok(big, 999));
	}
	TEST_DONE();

	TEST_START("usage errors");
	build(&cases[0], &b);
	defaults(&in, &b.item, 1);
	in.n_items = 0;
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_USAGE);
	defaults(&in, &b.item, 1);
	contact.to[0] = '\0';
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_USAGE);
	defaults(&in, &b.item, 1);
	me.email[0] = '\0';
	in.from_fallback = NULL;
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_USAGE);
	TEST_DONE();
	ad_report_out_free(&o);
}

static void
test_lines(void)
{
	struct ad_report_input in;
	struct ad_report_out o;
	struct ad_diag d;
	struct built b;
	static char hostile[5][2100];
	const char *m, *p;
	size_t i, n;

	ad_report_out_init(&o);
	TEST_START("line cap and the count of the rest");
	build(&cases[0], &b);
	for (i = 0; i < 60; i++)
		b.samples[i] = b.samples[i % 3];
	b.item.n_samples = 60;
	b.inc.events = 84;
	defaults(&in, &b.item, 1);
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	m = ad_buf_str(&o.message);
	for (n = 0, p = m; (p = strstr(p, "\r\n  Nov 22 ")) != NULL; p++)
		n++;
	ASSERT_INT_EQ(n, AD_REPORT_LINES_MAX);
	ASSERT_TRUE(strstr(m, "50 shown of 84 events") != NULL);
	ASSERT_TRUE(strstr(m, "  ... and 34 more events not shown\r\n") != NULL);
	TEST_DONE();

	TEST_START("no \"more\" line when every event is shown");
	build(&cases[1], &b);
	defaults(&in, &b.item, 1);
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "more events") == NULL);
	TEST_DONE();

	TEST_START("legend once per format, for each format quoted");
	{
		struct built b2;
		struct ad_report_item items[2];

		build(&cases[0], &b);
		build(&cases[2], &b2);
		b2.inc.src = b.inc.src;
		items[0] = b.item;
		items[1] = b2.item;
		defaults(&in, items, 2);
		ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
		m = ad_buf_str(&o.message);
		p = strstr(m, "The \"sshd\" log format:");
		ASSERT_TRUE(p != NULL && strstr(p + 1,
		    "The \"sshd\" log format:") == NULL);
		ASSERT_TRUE(strstr(m, "The \"netfilter\" log format:") != NULL);
		ASSERT_TRUE(strstr(m, "OpenSSH server (sshd)") != NULL);
		ASSERT_TRUE(strstr(m, "+01:00; the summary") != NULL);
	}
	TEST_DONE();

	TEST_START("hostile sample text never breaks the message");
	build(&cases[0], &b);
	memcpy(hostile[0], "a\0b\r\nBcc: x@y.z\r\n\r\n--=_abusedesk_AD-7F3K\n", 42);
	memcpy(hostile[1], "\xff\xfe\xc3\x28 bad utf-8 \xed\xa0\x80", 19);
	memset(hostile[2], 'A', 2048);
	memset(hostile[3], '\x01', 2048);
	memcpy(hostile[4], "\x1b]0;pwned\x07\x1b[2J\x7f", 15);
	for (i = 0; i < 5; i++) {
		b.samples[i] = b.samples[0];
		b.samples[i].text = hostile[i];
	}
	b.samples[0].len = 42;
	b.samples[1].len = 19;
	b.samples[2].len = 2048;
	b.samples[3].len = 2048;
	b.samples[4].len = 15;
	b.item.n_samples = 5;
	defaults(&in, &b.item, 1);
	in.xarf = true;
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	m = ad_buf_str(&o.message);
	ASSERT_TRUE(wire_ok(&o.message));
	ASSERT_INT_EQ(strlen(m), o.message.len);
	ASSERT_TRUE(strstr(m, "\r\nBcc:") == NULL);
	ASSERT_TRUE(strstr(m, "\x1b") == NULL);
	ASSERT_TRUE(strstr(m, "Content-Transfer-Encoding: quoted-printable")
	    != NULL);
	/* One boundary opening and one closing the X-ARF part, no more. */
	for (n = 0, p = m; (p = strstr(p, "\r\n--=_abusedesk_AD-7F3K")) != NULL;
	    p++)
		n++;
	ASSERT_INT_EQ(n, 3);
	TEST_DONE();

	TEST_START("invisible and reordering code points are escaped");
	build(&cases[0], &b);
	b.samples[0].text = (char *)(uintptr_t)"Nov 22 17:45:03 gw sshd[4711]: "
	    "Invalid user ad\xe2\x80\xaenimda\xc2\x85x from 203.0.113.7 "
	    "port 52344\xe2\x80\xa8";
	b.samples[0].len = strlen(b.samples[0].text);
	snprintf(b.inc.users[0], AD_INC_USER_LEN + 1, "ad\xe2\x80\xaenimda");
	b.item.n_samples = 1;
	defaults(&in, &b.item, 1);
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	m = ad_buf_str(&o.message);
	ASSERT_TRUE(strstr(m, "\xe2\x80\xae") == NULL);
	ASSERT_TRUE(strstr(m, "\xc2\x85") == NULL);
	ASSERT_TRUE(strstr(m, "\xe2\x80\xa8") == NULL);
	ASSERT_TRUE(strstr(m, "Invalid user ad\\u202enimda\\u0085x from "
	    "203.0.113.7 port 52344\\u2028\r\n") != NULL);
	ASSERT_TRUE(strstr(m, "Users tried:    ad\\u202enimda, admin") != NULL);
	TEST_DONE();

	TEST_START("lines without a time stamp: times are unknown");
	{
		struct built b3;

		build(&cases[0], &b3);
		memset(&b3.inc.first, 0, sizeof(b3.inc.first));
		memset(&b3.inc.last, 0, sizeof(b3.inc.last));
		for (i = 0; i < b3.item.n_samples; i++)
			memset(&b3.samples[i].time, 0, sizeof(b3.samples[i].time));
		defaults(&in, &b3.item, 1);
		ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
		ASSERT_TRUE(strstr(ad_buf_str(&o.message),
		    "First event:    unknown = unknown") != NULL);
		ASSERT_TRUE(strstr(ad_buf_str(&o.message), "offset unknown;")
		    != NULL);
		ASSERT_TRUE(wire_ok(&o.message));
	}
	TEST_DONE();
	defaults(&in, &b.item, 1);
	in.xarf = true;

	TEST_START("composition is deterministic");
	{
		struct ad_report_out o2;

		ad_report_out_init(&o2);
		ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
		ASSERT_INT_EQ(compose(&in, &o2, &d), AD_OK);
		ASSERT_INT_EQ(o2.message.len, o.message.len);
		ASSERT_TRUE(memcmp(o2.message.p, o.message.p,
		    o.message.len) == 0);
		ad_report_out_free(&o2);
	}
	TEST_DONE();
	ad_report_out_free(&o);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void
test_overrides(void)
{
	struct ad_report_input in;
	struct ad_report_out o;
	struct ad_diag d;
	struct built b;
	char dir[] = "/tmp/test_report.XXXXXX", sub[64], file[96];

	ad_report_out_init(&o);
	TEST_START("a template in template_dir overrides the shipped one");
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(sub, sizeof(sub), "%s/en", dir);
	ASSERT_INT_EQ(mkdir(sub, 0700), 0);
	snprintf(file, sizeof(file), "%s/intro.txt", sub);
	write_file(file, "# our own words\nDear colleagues, {source} "
	    "attacked {victim}\n{events} times; please stop it ({{ref {token}}).\n");
	build(&cases[0], &b);
	defaults(&in, &b.item, 1);
	in.template_dir = dir;
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_OK);
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "\r\n\r\nDear colleagues, "
	    "203.0.113.7 attacked our servers\r\n84 times; please stop it "
	    "({ref AD-7F3K}).\r\n") != NULL);
	/* The other parts stay the shipped ones. */
	ASSERT_TRUE(strstr(ad_buf_str(&o.message), "Summary\r\n") != NULL);
	TEST_DONE();

	TEST_START("a malformed override fails with a clear diagnostic");
	write_file(file, "Dear {nosuch}\n");
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_NOTFOUND);
	ASSERT_STR_EQ(d.where, "en/intro.txt");
	ASSERT_INT_EQ(d.line, 1);
	ASSERT_TRUE(strstr(d.msg, "{nosuch}") != NULL);
	ASSERT_INT_EQ(o.message.len, 0);
	write_file(file, "line\nDear {source\n");
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_NOTFOUND);
	ASSERT_INT_EQ(d.line, 2);
	write_file(file, "Dear \xff\n");
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_NOTFOUND);
	ASSERT_TRUE(strstr(d.msg, "UTF-8") != NULL);
	snprintf(file, sizeof(file), "%s/phrases.txt", sub);
	write_file(file, "victim = x\nno equals sign here\n");
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_NOTFOUND);
	ASSERT_STR_EQ(d.where, "en/phrases.txt");
	unlink(file);
	snprintf(file, sizeof(file), "%s/intro.txt", sub);
	unlink(file);
	rmdir(sub);
	rmdir(dir);
	TEST_DONE();

	TEST_START("a missing template directory fails cleanly");
	ASSERT_INT_EQ(compose(&in, &o, &d), AD_ERR_NOTFOUND);
	ASSERT_STR_EQ(d.where, dir);
	TEST_DONE();
	ad_report_out_free(&o);
}

static void
test_alloc_failures(void)
{
	struct ad_report_input in;
	struct ad_report_out o;
	struct ad_diag d;
	struct built b;
	unsigned long n;
	int r = AD_ERR_NOMEM, bad = 0;

	TEST_START("every allocation failure is AD_ERR_NOMEM, never a crash");
	build(&cases[0], &b);
	defaults(&in, &b.item, 1);
	in.xarf = true;
	in.lang = "de";
	ad_report_out_init(&o);
	for (n = 1; n < 5000 && r != AD_OK; n++) {
		ad_alloc_fail_after(n);
		r = compose(&in, &o, &d);
		ad_alloc_fail_after(0);
		if (r != AD_OK && (r != AD_ERR_NOMEM || o.message.len != 0))
			bad++;
	}
	ASSERT_INT_EQ(bad, 0);
	ASSERT_INT_EQ(r, AD_OK);
	ASSERT_TRUE(n > 10);
	ad_report_out_free(&o);
	TEST_DONE();
}

/* Whether s stands in the message with its line breaks read as spaces. */
static bool
has_flat(const struct ad_buf *m, const char *s)
{
	char *f = malloc(m->len + 1);
	size_t i, j = 0;
	bool r;

	if (f == NULL)
		return false;
	for (i = 0; i < m->len; i++)
		if (m->p[i] == '\r' && i + 1 < m->len && m->p[i + 1] == '\n') {
			f[j++] = ' ';
			i++;
		} else
			f[j++] = m->p[i];
	f[j] = '\0';
	r = strstr(f, s) != NULL;
	free(f);
	return r;
}

/*
 * Follow-ups and escalations (ad_report_compose_followup) in English and
 * every translation: a reminder (with events since the report), the
 * upstream (no answer), the CERT (the dated history) and a resend after a
 * bounce, each byte for byte with tests/golden/followup/KIND-LANG.eml.
 * A translation leads, marked, and the English text follows it.
 */
static void
test_followups(void)
{
	static const char *const kinds[] = { "reminder", "upstream", "cert",
	    "resend" };
	/* How each English paragraph starts (templates/en/). */
	static const char *const en_start[] = { "On 2026-11-22 18:05 UTC we",
	    "We are writing to you as the upstream", "We turn to",
	    "We are writing to you about abuse" };
	static const struct ad_followup_step steps[] = {
		{ "report", 1795370700, "abuse@example.net" },
		{ "resend", 1795375000, "security@example.net" },
		{ "followup", 1795975500, "security@example.net" },
		{ "upstream", 1796580300, "noc@transit.example" },
	};
	const char *const *langs = ad_report_languages();
	const char *all[16];
	struct ad_report_input rin;
	struct ad_followup_input in;
	struct ad_report_out orig, o;
	struct ad_diag d;
	struct built b;
	char name[64], where[160];
	const char *m, *body, *en;
	size_t n_all = 0, l, k;

	all[n_all++] = "en";
	for (; *langs != NULL && n_all < 16; langs++)
		all[n_all++] = *langs;
	ad_report_out_init(&orig);
	ad_report_out_init(&o);
	for (l = 0; l < n_all; l++) {
		build(&cases[0], &b);
		defaults(&rin, &b.item, 1);
		rin.lang = all[l];
		if (compose(&rin, &orig, &d) != AD_OK) {
			TH_FAIL("original report in %s: %s", all[l], d.msg);
			continue;
		}
		for (k = 0; k < 4; k++) {
			snprintf(name, sizeof(name), "%s-%s", kinds[k], all[l]);
			TEST_START(name);
			memset(&in, 0, sizeof(in));
			in.kind = (enum ad_followup_kind)k;
			in.why = AD_UP_NO_ANSWER;
			in.original = ad_buf_str(&orig.message);
			in.original_len = orig.message.len;
			in.original_subject = orig.subject;
			in.original_msgid = rin.message_id;
			in.original_to = "abuse@example.net";
			in.original_sent = 1795370700;	/* 18:05 */
			in.to = k == 0 ? "abuse@example.net" : k == 1 ?
			    "noc@transit.example" : k == 2 ?
			    "cert@cert.example" : "security@example.net";
			in.source = "203.0.113.7";
			in.holder = "EXAMPLE-NET";
			in.country = "NL";
			in.cert_name = "Example National CERT";
			in.steps = steps;
			in.n_steps = 4;
			in.events_since = k == 0 ? 12 : 0;
			in.me = &me;
			in.from_fallback = "abusedesk@host.example.org";
			in.token = "AD-7F3K";
			snprintf(where, sizeof(where),
			    "<AD-7F3K.%zu@abusedesk.example.org>", k + 2);
			in.message_id = where;
			in.date = 1796580300 + 86400 * 8;
			in.lang = all[l];
			memset(&d, 0, sizeof(d));
			ASSERT_INT_EQ(ad_report_compose_followup(&in, &o, &d),
			    AD_OK);
			if (d.msg[0])
				printf("# %s: %s\n", d.where, d.msg);
			m = ad_buf_str(&o.message);
			ASSERT_TRUE(wire_ok(&o.message));
			body = strstr(m, "\r\n\r\n");
			en = strstr(m, en_start[k]);
			ASSERT_TRUE(body != NULL && en != NULL && body < en);
			if (body != NULL && en != NULL && l > 0) {
				/* The translation first, then the English. */
				ASSERT_TRUE(body + 4 < en);
				ASSERT_TRUE(strstr(body, "#AD-7F3K]")
				    < en);
			} else if (body != NULL && en != NULL)
				ASSERT_TRUE(body + 4 == en);
			ASSERT_TRUE(strstr(m, "{") == NULL ||
			    strstr(m, "{") > strstr(m, "\r\n> "));
			golden_in(GOLDEN_FU, name, &o.message);
			TEST_DONE();
		}
		/* Every reason for the upstream is worded in the language
		 * (a missing phrase would fail the composition). */
		snprintf(name, sizeof(name), "upstream reasons, %s", all[l]);
		TEST_START(name);
		in.kind = AD_FU_UPSTREAM;
		for (k = AD_UP_NOT_OURS; k <= AD_UP_STOPPED; k++) {
			static const char *const en_why[] = { "",
			    "not in their network", "could not be delivered",
			    "asked us not to send further reports" };

			in.why = (enum ad_upstream_why)k;
			memset(&d, 0, sizeof(d));
			ASSERT_INT_EQ(ad_report_compose_followup(&in, &o, &d),
			    AD_OK);
			ASSERT_TRUE(has_flat(&o.message, en_why[k]));
		}
		TEST_DONE();
	}

	TEST_START("follow-up: an unknown language is refused");
	in.lang = "xx";
	ASSERT_INT_EQ(ad_report_compose_followup(&in, &o, &d),
	    AD_ERR_NOTFOUND);
	in.lang = NULL;
	ASSERT_INT_EQ(ad_report_compose_followup(&in, &o, &d), AD_OK);
	TEST_DONE();
	ad_report_out_free(&orig);
	ad_report_out_free(&o);
}

int
main(void)
{
	/* Goldens and the re-parse of year-less stamps must not depend on
	 * the machine's zone. */
	setenv("TZ", "UTC", 1);
	test_categories();
	test_subject_and_first_paragraph();
	test_variants();
	test_translations();
	test_followups();
	test_phrases();
	test_injection();
	test_lines();
	test_overrides();
	test_alloc_failures();
	TESTS_END();
}
