/*
 * test_config.c - ad_config.h: durations, every key and its errors, and
 * loading a file (comments, blank lines, errors with their line number).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abusedesk/ad_config.h"
#include "abusedesk/ad_ip.h"
#include "test_helper.h"

static char tmpdir[] = "/tmp/test_config.XXXXXX";

/* Writes text to a new file under tmpdir; returns its path (static). */
static const char *
write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((f = fopen(path, "w")) == NULL)
		return path;
	fputs(text, f);
	fclose(f);
	return path;
}

static void
test_duration(void)
{
	TEST_START("parse_duration units");
	ASSERT_INT_EQ(ad_parse_duration("90"), 90);
	ASSERT_INT_EQ(ad_parse_duration("90s"), 90);
	ASSERT_INT_EQ(ad_parse_duration("15m"), 900);
	ASSERT_INT_EQ(ad_parse_duration("24h"), 86400);
	ASSERT_INT_EQ(ad_parse_duration("7d"), 604800);
	ASSERT_INT_EQ(ad_parse_duration("0"), 0);
	ASSERT_INT_EQ(ad_parse_duration("1d"), 86400);
	TEST_DONE();

	TEST_START("parse_duration rejects garbage");
	ASSERT_INT_EQ(ad_parse_duration(""), -1);
	ASSERT_INT_EQ(ad_parse_duration("s"), -1);
	ASSERT_INT_EQ(ad_parse_duration("h"), -1);
	ASSERT_INT_EQ(ad_parse_duration("x"), -1);
	ASSERT_INT_EQ(ad_parse_duration("5x"), -1);
	ASSERT_INT_EQ(ad_parse_duration("5ms"), -1);
	ASSERT_INT_EQ(ad_parse_duration("5hh"), -1);
	ASSERT_INT_EQ(ad_parse_duration("5 h"), -1);
	ASSERT_INT_EQ(ad_parse_duration("1.5h"), -1);
	ASSERT_INT_EQ(ad_parse_duration("-5"), -1);
	ASSERT_INT_EQ(ad_parse_duration("-5m"), -1);
	ASSERT_INT_EQ(ad_parse_duration("99999999999999999999"), -1);
	TEST_DONE();
}

static void
test_defaults(void)
{
	struct ad_config cfg;

	TEST_START("config defaults");
	ad_config_init(&cfg);
	ASSERT_STR_EQ(cfg.db, "");
	ASSERT_STR_EQ(cfg.tz, "");
	ASSERT_INT_EQ(cfg.detect.window, 86400);
	ASSERT_INT_EQ(cfg.detect.min_events[AD_CAT_SSH_BRUTEFORCE], 5);
	ASSERT_INT_EQ(cfg.detect.min_events[AD_CAT_PORT_SCAN], 20);
	ASSERT_INT_EQ(cfg.detect.min_ports[AD_CAT_PORT_SCAN], 5);
	ASSERT_INT_EQ(cfg.detect.min_ports[AD_CAT_SSH_BRUTEFORCE], 0);
	ASSERT_INT_EQ(cfg.n_own, 0);
	ASSERT_INT_EQ(cfg.n_allow, 0);
	ASSERT_FALSE(cfg.detect.documentation_public);
	ad_config_free(&cfg);
	TEST_DONE();
}

static void
test_set(void)
{
	struct ad_config cfg;
	struct ad_diag d;
	struct ad_addr a;
	char big[1100];

	ad_config_init(&cfg);

	TEST_START("set db and tz");
	ASSERT_INT_EQ(ad_config_set(&cfg, "db", "/var/lib/x.db", &d), AD_OK);
	ASSERT_STR_EQ(cfg.db, "/var/lib/x.db");
	ASSERT_INT_EQ(ad_config_set(&cfg, "tz", "Europe/Berlin", &d), AD_OK);
	ASSERT_STR_EQ(cfg.tz, "Europe/Berlin");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ASSERT_INT_EQ(ad_config_set(&cfg, "db", big, &d), AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "tz", big, &d), AD_ERR_CONFIG);
	TEST_DONE();

	TEST_START("set window");
	ASSERT_INT_EQ(ad_config_set(&cfg, "window", "15m", &d), AD_OK);
	ASSERT_INT_EQ(cfg.detect.window, 900);
	ASSERT_INT_EQ(ad_config_set(&cfg, "window", "2d", &d), AD_OK);
	ASSERT_INT_EQ(cfg.detect.window, 172800);
	memset(&d, 0, sizeof(d));
	ASSERT_INT_EQ(ad_config_set(&cfg, "window", "forever", &d),
	    AD_ERR_CONFIG);
	ASSERT_STR_EQ(d.where, "window");
	ASSERT_TRUE(d.msg[0] != '\0');
	ASSERT_INT_EQ(ad_config_set(&cfg, "window", "0", &d), AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "window", "", &d), AD_ERR_CONFIG);
	ASSERT_INT_EQ(cfg.detect.window, 172800);
	TEST_DONE();

	TEST_START("set thresholds");
	ASSERT_INT_EQ(ad_config_set(&cfg, "threshold.ssh-bruteforce", "7", &d),
	    AD_OK);
	ASSERT_INT_EQ(cfg.detect.min_events[AD_CAT_SSH_BRUTEFORCE], 7);
	ASSERT_INT_EQ(ad_config_set(&cfg, "threshold.ssh-probe", "3", &d),
	    AD_OK);
	ASSERT_INT_EQ(cfg.detect.min_events[AD_CAT_SSH_PROBE], 3);
	ASSERT_INT_EQ(ad_config_set(&cfg, "threshold.port-scan", "50", &d),
	    AD_OK);
	ASSERT_INT_EQ(cfg.detect.min_events[AD_CAT_PORT_SCAN], 50);
	ASSERT_INT_EQ(ad_config_set(&cfg, "threshold.port-scan.ports", "9",
	    &d), AD_OK);
	ASSERT_INT_EQ(cfg.detect.min_ports[AD_CAT_PORT_SCAN], 9);
	/* Untouched by the others. */
	ASSERT_INT_EQ(cfg.detect.min_events[AD_CAT_SSH_BRUTEFORCE], 7);
	TEST_DONE();

	TEST_START("threshold errors");
	memset(&d, 0, sizeof(d));
	ASSERT_INT_EQ(ad_config_set(&cfg, "threshold.ssh-brutforce", "5", &d),
	    AD_ERR_CONFIG);
	ASSERT_STR_EQ(d.where, "threshold.ssh-brutforce");
	ASSERT_TRUE(strstr(d.msg, "categor") != NULL);
	ASSERT_INT_EQ(ad_config_set(&cfg, "threshold.", "5", &d),
	    AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "threshold.port-scan.foo", "5", &d),
	    AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "threshold.port-scan.", "5", &d),
	    AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg,
	    "threshold.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaa", "5", &d), AD_ERR_CONFIG);
	/* Bad counts. */
	memset(&d, 0, sizeof(d));
	ASSERT_INT_EQ(ad_config_set(&cfg, "threshold.ssh-bruteforce", "-1",
	    &d), AD_ERR_CONFIG);
	ASSERT_STR_EQ(d.where, "threshold.ssh-bruteforce");
	ASSERT_INT_EQ(ad_config_set(&cfg, "threshold.ssh-bruteforce", "abc",
	    &d), AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "threshold.ssh-bruteforce", "",
	    &d), AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "threshold.ssh-bruteforce", "5x",
	    &d), AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "threshold.ssh-bruteforce", "2.5",
	    &d), AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "threshold.ssh-bruteforce",
	    "99999999999999999999999", &d), AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "threshold.port-scan.ports", "many",
	    &d), AD_ERR_CONFIG);
	/* A failed set leaves the old value. */
	ASSERT_INT_EQ(cfg.detect.min_events[AD_CAT_SSH_BRUTEFORCE], 7);
	ASSERT_INT_EQ(cfg.detect.min_ports[AD_CAT_PORT_SCAN], 9);
	TEST_DONE();

	TEST_START("own_networks lists accumulate");
	ASSERT_INT_EQ(ad_config_set(&cfg, "own_networks",
	    "192.0.2.0/24 2001:db8::/32", &d), AD_OK);
	ASSERT_INT_EQ(cfg.n_own, 2);
	ASSERT_INT_EQ(ad_config_set(&cfg, "own_networks",
	    "10.0.0.0/8, 172.16.0.0/12,\t100.64.0.0/10", &d), AD_OK);
	ASSERT_INT_EQ(cfg.n_own, 5);
	ASSERT_TRUE(cfg.detect.own == cfg.own);
	ASSERT_INT_EQ(cfg.detect.n_own, 5);
	ASSERT_INT_EQ(cfg.own[0].prefix, 24);
	ASSERT_INT_EQ(cfg.own[1].prefix, 32);
	ASSERT_INT_EQ(cfg.own[1].addr.af, 6);
	ASSERT_INT_EQ(cfg.own[4].prefix, 10);
	ASSERT_TRUE(ad_addr_parse("172.20.1.1", 10, &a));
	ASSERT_TRUE(ad_cidr_contains(&cfg.own[3], &a));
	TEST_DONE();

	TEST_START("allowlist");
	ASSERT_INT_EQ(ad_config_set(&cfg, "allowlist", "198.51.100.7", &d),
	    AD_OK);
	ASSERT_INT_EQ(cfg.n_allow, 1);
	ASSERT_INT_EQ(cfg.allow[0].prefix, 32);
	ASSERT_TRUE(cfg.detect.allow == cfg.allow);
	ASSERT_INT_EQ(cfg.detect.n_allow, 1);
	ASSERT_INT_EQ(ad_config_set(&cfg, "allowlist", "  ", &d), AD_OK);
	ASSERT_INT_EQ(cfg.n_allow, 1);
	TEST_DONE();

	TEST_START("bad CIDR in a list");
	memset(&d, 0, sizeof(d));
	ASSERT_INT_EQ(ad_config_set(&cfg, "allowlist", "198.51.100.0/33", &d),
	    AD_ERR_CONFIG);
	ASSERT_STR_EQ(d.where, "allowlist");
	ASSERT_TRUE(strstr(d.msg, "198.51.100.0/33") != NULL);
	ASSERT_INT_EQ(ad_config_set(&cfg, "own_networks", "example.com", &d),
	    AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "own_networks", "10.0.0.0/8;", &d),
	    AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "allowlist", "1.2.3.4/", &d),
	    AD_ERR_CONFIG);
	/* The detect view still matches the lists after errors. */
	ASSERT_TRUE(cfg.detect.own == cfg.own);
	ASSERT_INT_EQ(cfg.detect.n_own, cfg.n_own);
	ASSERT_TRUE(cfg.detect.allow == cfg.allow);
	ASSERT_INT_EQ(cfg.detect.n_allow, cfg.n_allow);
	TEST_DONE();

	TEST_START("documentation_as_public");
	ASSERT_INT_EQ(ad_config_set(&cfg, "documentation_as_public", "yes",
	    &d), AD_OK);
	ASSERT_TRUE(cfg.detect.documentation_public);
	ASSERT_INT_EQ(ad_config_set(&cfg, "documentation_as_public", "no",
	    &d), AD_OK);
	ASSERT_FALSE(cfg.detect.documentation_public);
	ASSERT_INT_EQ(ad_config_set(&cfg, "documentation_as_public", "true",
	    &d), AD_OK);
	ASSERT_TRUE(cfg.detect.documentation_public);
	ASSERT_INT_EQ(ad_config_set(&cfg, "documentation_as_public", "false",
	    &d), AD_OK);
	ASSERT_FALSE(cfg.detect.documentation_public);
	ASSERT_INT_EQ(ad_config_set(&cfg, "documentation_as_public", "maybe",
	    &d), AD_ERR_CONFIG);
	ASSERT_FALSE(cfg.detect.documentation_public);
	TEST_DONE();

	TEST_START("unknown key");
	memset(&d, 0, sizeof(d));
	ASSERT_INT_EQ(ad_config_set(&cfg, "colour", "blue", &d),
	    AD_ERR_CONFIG);
	ASSERT_STR_EQ(d.where, "colour");
	ASSERT_INT_EQ(ad_config_set(&cfg, "allowlists", "1.2.3.4", &d),
	    AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "", "x", &d), AD_ERR_CONFIG);
	/* No diag is fine too. */
	ASSERT_INT_EQ(ad_config_set(&cfg, "colour", "blue", NULL),
	    AD_ERR_CONFIG);
	TEST_DONE();

	ad_config_free(&cfg);
	TEST_START("config_free resets the lists");
	ASSERT_PTR_NULL(cfg.own);
	ASSERT_INT_EQ(cfg.n_own, 0);
	ASSERT_PTR_NULL(cfg.detect.own);
	ASSERT_INT_EQ(cfg.detect.n_allow, 0);
	TEST_DONE();
}

static void
test_load(void)
{
	struct ad_config cfg;
	struct ad_diag d;
	const char *path;
	char missing[600];

	TEST_START("load a file with comments and blank lines");
	path = write_file("good.conf",
	    "# abusedesk configuration\n"
	    "\n"
	    "db = /var/lib/abusedesk/abusedesk.db\n"
	    "   tz=Europe/Berlin   \n"
	    "window = 12h                       # s, m, h, d\n"
	    "\t\n"
	    "threshold.ssh-bruteforce = 8\n"
	    "threshold.port-scan.ports = 6 # ports\n"
	    "own_networks = 192.0.2.0/24 2001:db8::/32\n"
	    "own_networks = 10.0.0.0/8\n"
	    "allowlist = 198.51.100.7\r\n"
	    "    # indented comment\n"
	    "documentation_as_public = yes");	/* no final newline */
	ad_config_init(&cfg);
	memset(&d, 0, sizeof(d));
	ASSERT_INT_EQ(ad_config_load(&cfg, path, true, &d), AD_OK);
	ASSERT_STR_EQ(cfg.db, "/var/lib/abusedesk/abusedesk.db");
	ASSERT_STR_EQ(cfg.tz, "Europe/Berlin");
	ASSERT_INT_EQ(cfg.detect.window, 43200);
	ASSERT_INT_EQ(cfg.detect.min_events[AD_CAT_SSH_BRUTEFORCE], 8);
	ASSERT_INT_EQ(cfg.detect.min_ports[AD_CAT_PORT_SCAN], 6);
	ASSERT_INT_EQ(cfg.detect.min_events[AD_CAT_PORT_SCAN], 20);
	ASSERT_INT_EQ(cfg.n_own, 3);
	ASSERT_INT_EQ(cfg.detect.n_own, 3);
	ASSERT_INT_EQ(cfg.n_allow, 1);
	ASSERT_INT_EQ(cfg.detect.n_allow, 1);
	ASSERT_TRUE(cfg.detect.documentation_public);
	ad_config_free(&cfg);
	TEST_DONE();

	TEST_START("load: empty file and comments only");
	path = write_file("empty.conf", "");
	ad_config_init(&cfg);
	ASSERT_INT_EQ(ad_config_load(&cfg, path, true, &d), AD_OK);
	ASSERT_INT_EQ(cfg.detect.window, 86400);
	path = write_file("comments.conf", "# a\n\n   \n# b = c\n");
	ASSERT_INT_EQ(ad_config_load(&cfg, path, true, &d), AD_OK);
	ASSERT_INT_EQ(cfg.detect.window, 86400);
	ad_config_free(&cfg);
	TEST_DONE();

	TEST_START("load: a line without '=' names its line");
	path = write_file("noeq.conf",
	    "# comment\n"
	    "window = 1h\n"
	    "\n"
	    "this is not a pair\n"
	    "db = /never/set\n");
	ad_config_init(&cfg);
	memset(&d, 0, sizeof(d));
	ASSERT_INT_EQ(ad_config_load(&cfg, path, true, &d), AD_ERR_CONFIG);
	ASSERT_INT_EQ(d.line, 4);
	ASSERT_STR_EQ(d.where, path);
	ASSERT_TRUE(d.msg[0] != '\0');
	ASSERT_INT_EQ(cfg.detect.window, 3600);
	ad_config_free(&cfg);
	TEST_DONE();

	TEST_START("load: a bad value names its line and key");
	path = write_file("badval.conf",
	    "db = x.db\n"
	    "\n"
	    "window = forever\n");
	ad_config_init(&cfg);
	memset(&d, 0, sizeof(d));
	ASSERT_INT_EQ(ad_config_load(&cfg, path, true, &d), AD_ERR_CONFIG);
	ASSERT_INT_EQ(d.line, 3);
	ASSERT_STR_EQ(d.where, path);
	ASSERT_TRUE(strstr(d.msg, "window") != NULL);
	ad_config_free(&cfg);

	path = write_file("badkey.conf", "# x\nwindw = 1h\n");
	ad_config_init(&cfg);
	memset(&d, 0, sizeof(d));
	ASSERT_INT_EQ(ad_config_load(&cfg, path, true, &d), AD_ERR_CONFIG);
	ASSERT_INT_EQ(d.line, 2);
	ASSERT_TRUE(strstr(d.msg, "windw") != NULL);
	ad_config_free(&cfg);

	path = write_file("badcidr.conf",
	    "own_networks = 192.0.2.0/24\n"
	    "allowlist = 198.51.100.7 300.1.1.1\n");
	ad_config_init(&cfg);
	memset(&d, 0, sizeof(d));
	ASSERT_INT_EQ(ad_config_load(&cfg, path, true, &d), AD_ERR_CONFIG);
	ASSERT_INT_EQ(d.line, 2);
	ASSERT_TRUE(strstr(d.msg, "allowlist") != NULL);
	ad_config_free(&cfg);

	path = write_file("badcat.conf", "\n\n\n\nthreshold.ftp = 3\n");
	ad_config_init(&cfg);
	memset(&d, 0, sizeof(d));
	ASSERT_INT_EQ(ad_config_load(&cfg, path, true, &d), AD_ERR_CONFIG);
	ASSERT_INT_EQ(d.line, 5);
	ad_config_free(&cfg);
	TEST_DONE();

	TEST_START("load: missing file");
	snprintf(missing, sizeof(missing), "%s/no-such.conf", tmpdir);
	ad_config_init(&cfg);
	memset(&d, 0, sizeof(d));
	ASSERT_INT_EQ(ad_config_load(&cfg, missing, false, &d), AD_OK);
	ASSERT_INT_EQ(cfg.detect.window, 86400);
	ASSERT_INT_EQ(ad_config_load(&cfg, missing, true, &d), AD_ERR_IO);
	ASSERT_STR_EQ(d.where, missing);
	ASSERT_TRUE(d.msg[0] != '\0');
	ad_config_free(&cfg);
	TEST_DONE();

	TEST_START("load: a directory is not a readable config");
	/* It exists, so !must_exist does not excuse it; reading it fails. */
	ad_config_init(&cfg);
	memset(&d, 0, sizeof(d));
	ASSERT_TRUE(ad_config_load(&cfg, tmpdir, false, &d) != AD_OK);
	ASSERT_TRUE(ad_config_load(&cfg, tmpdir, true, &d) != AD_OK);
	ad_config_free(&cfg);
	TEST_DONE();
}

static void cleanup(void);

static void
test_duration_overflow(void)
{
	struct ad_config cfg;
	struct ad_diag d;

	cleanup();	/* an abort below would skip atexit */
	/*
	 * Last, because with UBSan a signed overflow here aborts the binary.
	 * 9999999999999999 days is about 8.6e20 s: not representable in a
	 * long long, so it is not a valid duration.
	 */
	TEST_START("parse_duration rejects values that overflow");
	ASSERT_INT_EQ(ad_parse_duration("9999999999999999d"), -1);
	ASSERT_INT_EQ(ad_parse_duration("9223372036854775807m"), -1);
	ad_config_init(&cfg);
	ASSERT_INT_EQ(ad_config_set(&cfg, "window", "9999999999999999d", &d),
	    AD_ERR_CONFIG);
	ASSERT_INT_EQ(cfg.detect.window, 86400);
	ad_config_free(&cfg);
	TEST_DONE();
}

static void
test_relay(void)
{
	struct ad_config cfg;
	struct ad_diag d;
	const char *pw;

	ad_config_init(&cfg);
	TEST_START("relay defaults: sendmail mode, no AUTH, no timeout set");
	ASSERT_STR_EQ(cfg.relay.url, "");
	ASSERT_STR_EQ(cfg.relay.user, "");
	ASSERT_FALSE(cfg.relay.starttls);
	ASSERT_INT_EQ(cfg.relay.timeout_ms, 0);
	TEST_DONE();

	TEST_START("relay keys");
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.url",
	    "smtp://mail.example.org:587", &d), AD_OK);
	ASSERT_STR_EQ(cfg.relay.url, "smtp://mail.example.org:587");
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.url", "SMTPS://m.example.org",
	    &d), AD_OK);
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.user", "reports", &d), AD_OK);
	ASSERT_STR_EQ(cfg.relay.user, "reports");
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.password", "pw1", &d), AD_OK);
	ASSERT_STR_EQ(cfg.relay.password, "pw1");
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.starttls", "yes", &d), AD_OK);
	ASSERT_TRUE(cfg.relay.starttls);
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.cacert", "/etc/ca.pem", &d),
	    AD_OK);
	ASSERT_STR_EQ(cfg.relay.cacert, "/etc/ca.pem");
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.helo", "h.example.org", &d),
	    AD_OK);
	ASSERT_STR_EQ(cfg.relay.helo, "h.example.org");
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.sendmail", "/usr/lib/sm", &d),
	    AD_OK);
	ASSERT_STR_EQ(cfg.relay.sendmail, "/usr/lib/sm");
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.timeout", "90s", &d), AD_OK);
	ASSERT_INT_EQ(cfg.relay.timeout_ms, 90000);
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.timeout", "1m", &d), AD_OK);
	ASSERT_INT_EQ(cfg.relay.timeout_ms, 60000);
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.url", "", &d), AD_OK);
	ASSERT_STR_EQ(cfg.relay.url, "");
	TEST_DONE();

	TEST_START("relay.password_file: first line, line end dropped");
	pw = write_file("pw.txt", "s3cret pass\r\nsecond line\n");
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.password_file", pw, &d), AD_OK);
	ASSERT_STR_EQ(cfg.relay.password, "s3cret pass");
	pw = write_file("pw-empty.txt", "\n");
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.password_file", pw, &d),
	    AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.password_file",
	    "/nonexistent/pw", &d), AD_ERR_CONFIG);
	ASSERT_STR_EQ(d.where, "relay.password_file");
	TEST_DONE();

	TEST_START("relay keys: bad values and unknown keys");
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.url", "http://x.example", &d),
	    AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.url", "smtp://a b", &d),
	    AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.starttls", "maybe", &d),
	    AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.sendmail", "sendmail", &d),
	    AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.timeout", "0", &d),
	    AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.timeout", "2h", &d),
	    AD_ERR_CONFIG);
	ASSERT_INT_EQ(ad_config_set(&cfg, "relay.port", "25", &d),
	    AD_ERR_CONFIG);
	ASSERT_INT_EQ(cfg.relay.timeout_ms, 60000);
	TEST_DONE();

	TEST_START("relay keys from a file; free wipes the password");
	ad_config_free(&cfg);
	ASSERT_STR_EQ(cfg.relay.password, "");
	ad_config_init(&cfg);
	ASSERT_INT_EQ(ad_config_load(&cfg, write_file("relay.conf",
	    "relay.url = smtps://mail.example.org:465\n"
	    "relay.user = reports\n"
	    "relay.timeout = 30s\n"), true, &d), AD_OK);
	ASSERT_STR_EQ(cfg.relay.url, "smtps://mail.example.org:465");
	ASSERT_INT_EQ(cfg.relay.timeout_ms, 30000);
	ad_config_free(&cfg);
	TEST_DONE();
}

static void
cleanup(void)
{
	static const char *const names[] = {
		"good.conf", "empty.conf", "comments.conf", "noeq.conf",
		"badval.conf", "badkey.conf", "badcidr.conf", "badcat.conf",
		"pw.txt", "pw-empty.txt", "relay.conf",
	};
	char path[600];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

int
main(void)
{
	/* Line-buffered: a sanitizer abort must not swallow results. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	atexit(cleanup);
	test_duration();
	test_defaults();
	test_set();
	test_load();
	test_relay();
	test_duration_overflow();
	TESTS_END();
}
