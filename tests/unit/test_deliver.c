/*
 * test_deliver.c - ad_deliver.h: the header check, every refusal before a
 * byte leaves (header injection through a recipient, a sender or a header
 * line: AD_ERR_USAGE and nothing sent), the sendmail path against fake
 * sendmail scripts (exit codes, timeout, recipients from the headers), and
 * the SMTP path against a scripted SMTP server forked here (accepted with
 * the bytes checked, 550 and 451 at RCPT, 554 after DATA, connection
 * refused, AUTH refused without TLS). The real MTA is tests/e2e/deliver_mta.sh.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abusedesk/ad_deliver.h"
#include "test_helper.h"

static char tmpdir[] = "/tmp/test_deliver.XXXXXX";

#define MSG \
	"From: Abuse Desk <abuse@example.org>\r\n" \
	"To: abuse@example.net\r\n" \
	"Subject: [abusedesk #AD-7F3K] SSH brute force from 203.0.113.7\r\n" \
	"Message-ID: <AD-7F3K@example.org>\r\n" \
	"X-Long: folded\r\n" \
	"\tcontinuation\r\n" \
	"\r\n" \
	"Hello,\r\n" \
	".a line that starts with a dot\r\n" \
	".\r\n" \
	"last line\r\n"

static const char *rc1[] = { "abuse@example.net" };

static bool
hok(const char *s)
{
	return ad_deliver_headers_ok(s, strlen(s));
}

static void
test_headers(void)
{
	char big[1200];

	TEST_START("headers_ok accepts CRLF and LF blocks, folding");
	ASSERT_TRUE(hok(MSG));
	ASSERT_TRUE(hok("From: a@b.cc\nTo: c@d.ee\n\nbody\n"));
	ASSERT_TRUE(hok("X-A: 1\r\n\r\n"));
	ASSERT_TRUE(hok("Received: x\r\nReceived: y\r\n\r\n"));
	TEST_DONE();

	TEST_START("headers_ok refuses broken structure");
	ASSERT_FALSE(hok(""));
	ASSERT_FALSE(hok("\r\nbody"));
	ASSERT_FALSE(hok("From: a@b.cc\r\n"));		/* no end of block */
	ASSERT_FALSE(hok(" From: a@b.cc\r\n\r\n"));	/* continuation first */
	ASSERT_FALSE(hok("From a@b.cc\r\n\r\n"));	/* not a header */
	ASSERT_FALSE(hok(": x\r\n\r\n"));
	ASSERT_FALSE(hok("Fr om: x\r\n\r\n"));
	ASSERT_FALSE(hok("X-A: 1\r\n   \r\n\r\n"));	/* blank continuation */
	ASSERT_FALSE(hok("X-A: caf\xc3\xa9\r\n\r\n"));	/* 8-bit */
	ASSERT_FALSE(ad_deliver_headers_ok("X-A: a\0b\r\n\r\n", 12));
	ASSERT_FALSE(ad_deliver_headers_ok(NULL, 0));
	TEST_DONE();

	TEST_START("headers_ok refuses bare CR, mixed line ends, long lines");
	ASSERT_FALSE(hok("X-A: a\rb\r\n\r\n"));
	ASSERT_FALSE(hok("From: a@b.cc\r\nTo: c@d.ee\nBcc: x@y.zz\r\n\r\n"));
	ASSERT_FALSE(hok("From: a@b.cc\nTo: c@d.ee\r\n\n"));
	memset(big, 'x', sizeof(big));
	memcpy(big, "X-A: ", 5);
	memcpy(big + 5 + 994, "\r\n\r\n", 5);		/* 999-byte line */
	ASSERT_FALSE(hok(big));
	memcpy(big + 5 + 993, "\r\n\r\n", 5);		/* 998 bytes */
	ASSERT_TRUE(hok(big));
	TEST_DONE();

	TEST_START("headers_ok refuses Bcc, Resent-*, a second To or From");
	ASSERT_FALSE(hok("To: a@b.cc\r\nBcc: x@y.zz\r\n\r\n"));
	ASSERT_FALSE(hok("To: a@b.cc\r\nbcc: x@y.zz\r\n\r\n"));
	ASSERT_FALSE(hok("Resent-To: x@y.zz\r\n\r\n"));
	ASSERT_FALSE(hok("To: a@b.cc\r\nTO: x@y.zz\r\n\r\n"));
	ASSERT_FALSE(hok("From: a@b.cc\r\nSubject: s\r\nFrom: x@y.zz\r\n\r\n"));
	TEST_DONE();
}

/*
 * What the composer writes must pass the gate: every golden report
 * (tests/golden/report/, run from the top of the tree as tests/run does).
 */
static void
test_golden(void)
{
	DIR *d = opendir("tests/golden/report");
	struct dirent *e;
	static char buf[1 << 20];
	int n = 0;

	TEST_START("every composed golden report passes headers_ok");
	if (d == NULL)
		printf("# no tests/golden/report here: nothing checked\n");
	while (d != NULL && (e = readdir(d)) != NULL) {
		char path[600];
		size_t l = strlen(e->d_name), len;
		FILE *f;

		if (l < 5 || strcmp(e->d_name + l - 4, ".eml") != 0)
			continue;
		snprintf(path, sizeof(path), "tests/golden/report/%s",
		    e->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		n++;
		if (!ad_deliver_headers_ok(buf, len))
			TH_FAIL("refused: %s", path);
	}
	if (d != NULL) {
		closedir(d);
		ASSERT_TRUE(n > 0);
	}
	TEST_DONE();
}

/* A relay whose sendmail is the script `name` under tmpdir. */
static struct ad_relay
sm_relay(const char *name, int timeout_ms)
{
	struct ad_relay r;

	memset(&r, 0, sizeof(r));
	snprintf(r.sendmail, sizeof(r.sendmail), "%s/%s", tmpdir, name);
	r.timeout_ms = timeout_ms;
	return r;
}

static void
script(const char *name, const char *body)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((f = fopen(path, "w")) == NULL)
		return;
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0755);
}

static char *
slurp(const char *name, size_t *len)
{
	char path[512];
	static char buf[65536];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	*len = 0;
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	*len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static bool
exists(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return access(path, F_OK) == 0;
}

static void
forget(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	unlink(path);
}

static int
send_msg(const struct ad_relay *r, const char *from, const char *const *rc,
    size_t n, const char *msg, struct ad_send_result *res)
{
	struct ad_diag d;

	memset(&d, 0, sizeof(d));
	return ad_deliver_send(r, from, rc, n, msg, strlen(msg), res, &d);
}

static void
test_refusals(void)
{
	struct ad_relay r = sm_relay("record", 0);
	struct ad_send_result res;
	const char *inj[] = { "abuse@example.net\r\nBcc: x@y.zz" };
	const char *inj2[] = { "abuse@example.net>\r\nRCPT TO:<x@y.zz" };
	const char *two[] = { "abuse@example.net", "noc@example.net" };
	char msg[2048];

	forget("stdin");
	TEST_START("injection through a recipient: usage, nothing sent");
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", inj, 1, MSG, &res),
	    AD_ERR_USAGE);
	ASSERT_FALSE(res.accepted);
	ASSERT_TRUE(res.permanent);
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", inj2, 1, MSG, &res),
	    AD_ERR_USAGE);
	ASSERT_FALSE(exists("stdin"));
	TEST_DONE();

	TEST_START("injection through the sender: usage, nothing sent");
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org\nBcc: x@y.zz", rc1, 1,
	    MSG, &res), AD_ERR_USAGE);
	ASSERT_INT_EQ(send_msg(&r, "", rc1, 1, MSG, &res), AD_ERR_USAGE);
	ASSERT_FALSE(exists("stdin"));
	TEST_DONE();

	TEST_START("injection through a header line: usage, nothing sent");
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1,
	    "From: Abuse <abuse@example.org>\nBcc: x@y.zz\r\n"
	    "To: abuse@example.net\r\n\r\nbody\r\n", &res), AD_ERR_USAGE);
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1,
	    "From: abuse@example.org\r\nTo: abuse@example.net\r\n"
	    "Subject: x\r\nTo: x@y.zz\r\n\r\nbody\r\n", &res), AD_ERR_USAGE);
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1,
	    "From: abuse@example.org\r\nTo: abuse@example.net\r\n"
	    "Subject: a\rb\r\n\r\nbody\r\n", &res), AD_ERR_USAGE);
	ASSERT_FALSE(exists("stdin"));
	TEST_DONE();

	TEST_START("bare CR or NUL in the body, no recipient, bad relay");
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1,
	    "To: abuse@example.net\r\n\r\nbody\r.\r\n", &res), AD_ERR_USAGE);
	ASSERT_INT_EQ(ad_deliver_send(&r, "abuse@example.org", rc1, 1,
	    "To: abuse@example.net\r\n\r\nb\0dy\r\n", 32, &res, NULL),
	    AD_ERR_USAGE);
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 0, MSG, &res),
	    AD_ERR_USAGE);
	r.sendmail[0] = 'x';		/* relative path */
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1, MSG, &res),
	    AD_ERR_CONFIG);
	memset(&r, 0, sizeof(r));
	snprintf(r.url, sizeof(r.url), "http://127.0.0.1:1");
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1, MSG, &res),
	    AD_ERR_CONFIG);
	snprintf(r.url, sizeof(r.url), "smtp://127.0.0.1:1");
	snprintf(r.helo, sizeof(r.helo), "a b");
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1, MSG, &res),
	    AD_ERR_CONFIG);
	ASSERT_FALSE(exists("stdin"));
	TEST_DONE();

	r = sm_relay("record", 0);
	TEST_START("sendmail -t: To/Cc must name exactly the envelope");
	/* a recipient the envelope lacks */
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1,
	    "To: abuse@example.net, x@y.zz\r\n\r\nbody\r\n", &res),
	    AD_ERR_USAGE);
	/* an envelope recipient the headers lack */
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", two, 2,
	    "To: abuse@example.net\r\n\r\nbody\r\n", &res), AD_ERR_USAGE);
	/* a group, a comment, an unclosed quote */
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1,
	    "To: g: abuse@example.net;\r\n\r\nbody\r\n", &res), AD_ERR_USAGE);
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1,
	    "To: abuse@example.net (x@y.zz)\r\n\r\nbody\r\n", &res),
	    AD_ERR_USAGE);
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1,
	    "To: \"abuse@example.net\r\n\r\nbody\r\n", &res), AD_ERR_USAGE);
	ASSERT_FALSE(exists("stdin"));
	snprintf(msg, sizeof(msg), "From: abuse@example.org\r\n"
	    "To: \"Net, Abuse\" <ABUSE@example.net>\r\n"
	    "Cc: NOC\r\n <noc@example.net>\r\n\r\nbody\r\n");
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", two, 2, msg, &res),
	    AD_OK);
	ASSERT_TRUE(exists("stdin"));
	TEST_DONE();
}

static void
test_sendmail(void)
{
	struct ad_relay r = sm_relay("record", 0);
	struct ad_send_result res;
	size_t len;
	const char *s;

	forget("stdin");
	forget("args");
	TEST_START("sendmail: argv, message on stdin with LF ends, accepted");
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1, MSG, &res),
	    AD_OK);
	ASSERT_TRUE(res.accepted);
	ASSERT_FALSE(res.permanent);
	ASSERT_INT_EQ(res.smtp_code, 0);
	s = slurp("args", &len);
	ASSERT_STR_EQ(s, "-t|-i|-f|abuse@example.org|\n");
	s = slurp("stdin", &len);
	ASSERT_TRUE(s != NULL && strstr(s, "\r") == NULL);
	ASSERT_TRUE(s != NULL && strncmp(s, "From: Abuse Desk <abuse@example"
	    ".org>\nTo: abuse@example.net\n", 58) == 0);
	ASSERT_TRUE(s != NULL && strstr(s, "\n\nHello,\n.a line that starts"
	    " with a dot\n.\nlast line\n") != NULL);
	TEST_DONE();

	TEST_START("sendmail: EX_TEMPFAIL is temporary, EX_NOUSER permanent");
	r = sm_relay("tempfail", 0);
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1, MSG, &res),
	    AD_ERR_IO);
	ASSERT_FALSE(res.accepted);
	ASSERT_FALSE(res.permanent);
	ASSERT_TRUE(strstr(res.detail, "exited 75") != NULL);
	ASSERT_TRUE(strstr(res.detail, "queue file write error") != NULL);
	r = sm_relay("nouser", 0);
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1, MSG, &res),
	    AD_ERR_IO);
	ASSERT_TRUE(res.permanent);
	ASSERT_TRUE(strstr(res.detail, "exited 67") != NULL);
	TEST_DONE();

	TEST_START("sendmail: missing program is permanent");
	r = sm_relay("does-not-exist", 0);
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1, MSG, &res),
	    AD_ERR_IO);
	ASSERT_TRUE(res.permanent);
	ASSERT_TRUE(strstr(res.detail, "cannot run") != NULL);
	TEST_DONE();

	TEST_START("sendmail: a hung program is killed at the timeout");
	r = sm_relay("hang", 300);
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1, MSG, &res),
	    AD_ERR_IO);
	ASSERT_FALSE(res.accepted);
	ASSERT_FALSE(res.permanent);
	ASSERT_TRUE(strstr(res.detail, "timed out") != NULL);
	TEST_DONE();

	TEST_START("sendmail: exit 0 without reading the message fails");
	r = sm_relay("noread", 0);
	{
		static char big[1000000];
		size_t k = (size_t)snprintf(big, sizeof(big),
		    "To: abuse@example.net\r\n\r\n");
		struct ad_diag d;

		memset(big + k, 'x', sizeof(big) - k - 3);
		memcpy(big + sizeof(big) - 3, "\r\n", 3);
		ASSERT_INT_EQ(ad_deliver_send(&r, "abuse@example.org", rc1, 1,
		    big, strlen(big), &res, &d), AD_ERR_IO);
		ASSERT_FALSE(res.accepted);
	}
	TEST_DONE();
}

/*
 * A scripted SMTP server: one connection, canned replies. `rcpt_reply`
 * answers every RCPT, `data_reply` the end of data; what came between
 * DATA and the final dot is written to tmpdir/smtp.data.
 */
struct script {
	const char	*ehlo;		/* last EHLO line, e.g. "250 SIZE" */
	const char	*mail_reply;
	const char	*rcpt_reply;
	const char	*data_reply;
};

static void
srv_line(FILE *f, const char *s)
{
	fprintf(f, "%s\r\n", s);
	fflush(f);
}

static void
serve(int ls, const struct script *sc)
{
	int fd = accept(ls, NULL, NULL);
	FILE *in, *out, *data = NULL;
	char line[2048], path[512];

	if (fd < 0)
		_exit(1);
	in = fdopen(fd, "r");
	out = fdopen(dup(fd), "w");
	srv_line(out, "220 test.example ESMTP scripted");
	while (fgets(line, sizeof(line), in) != NULL) {
		if (data != NULL) {
			if (strcmp(line, ".\r\n") == 0) {
				fclose(data);
				data = NULL;
				srv_line(out, sc->data_reply);
			} else
				fputs(line, data);
			continue;
		}
		if (strncasecmp(line, "EHLO", 4) == 0) {
			srv_line(out, "250-test.example");
			srv_line(out, sc->ehlo);
		} else if (strncasecmp(line, "MAIL", 4) == 0)
			srv_line(out, sc->mail_reply);
		else if (strncasecmp(line, "RCPT", 4) == 0)
			srv_line(out, sc->rcpt_reply);
		else if (strncasecmp(line, "DATA", 4) == 0) {
			snprintf(path, sizeof(path), "%s/smtp.data", tmpdir);
			data = fopen(path, "wb");
			srv_line(out, "354 go ahead");
		} else if (strncasecmp(line, "QUIT", 4) == 0) {
			srv_line(out, "221 bye");
			break;
		} else
			srv_line(out, "502 not here");
	}
	_exit(0);
}

/* Starts the server; returns its pid and sets the URL. */
static pid_t
smtp_start(const struct script *sc, char *url, size_t cap)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(ls, 1) != 0 ||
	    getsockname(ls, (struct sockaddr *)&sa, &sl) != 0)
		return -1;
	snprintf(url, cap, "smtp://127.0.0.1:%d", ntohs(sa.sin_port));
	fflush(stdout);
	if ((pid = fork()) == 0)
		serve(ls, sc);
	close(ls);
	return pid;
}

static void
smtp_stop(pid_t pid)
{
	int st;

	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

static void
test_smtp(void)
{
	struct ad_relay r;
	struct ad_send_result res;
	struct script ok = { "250 SIZE 1000000", "250 ok", "250 ok",
	    "250 2.0.0 Ok: queued as 4B2C" };
	struct script s550 = ok, s451 = ok, s554 = ok;
	const char *two[] = { "abuse@example.net", "nobody@example.net" };
	size_t len;
	const char *s;
	pid_t pid;

	s550.rcpt_reply = "550 5.1.1 <abuse@example.net>: Recipient address "
	    "rejected: User unknown";
	s451.rcpt_reply = "451 4.3.0 try later";
	s554.data_reply = "554 5.7.1 content rejected";

	memset(&r, 0, sizeof(r));
	r.timeout_ms = 20000;
	forget("smtp.data");
	TEST_START("smtp: accepted, the server's words, bytes dot-stuffed");
	pid = smtp_start(&ok, r.url, sizeof(r.url));
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1, MSG, &res),
	    AD_OK);
	smtp_stop(pid);
	ASSERT_TRUE(res.accepted);
	ASSERT_INT_EQ(res.smtp_code, 250);
	ASSERT_STR_EQ(res.detail, "250 2.0.0 Ok: queued as 4B2C");
	s = slurp("smtp.data", &len);
	ASSERT_TRUE(s != NULL && strncmp(s, MSG, 200) == 0 &&
	    strstr(s, "\r\n..a line that starts with a dot\r\n..\r\nlast "
	    "line\r\n") != NULL);
	TEST_DONE();

	TEST_START("smtp: LF line ends go out as CRLF");
	pid = smtp_start(&ok, r.url, sizeof(r.url));
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1,
	    "To: abuse@example.net\n\nbody\n", &res), AD_OK);
	smtp_stop(pid);
	s = slurp("smtp.data", &len);
	ASSERT_STR_EQ(s, "To: abuse@example.net\r\n\r\nbody\r\n");
	TEST_DONE();

	TEST_START("smtp: 550 at RCPT is permanent, names the RCPT");
	forget("smtp.data");
	pid = smtp_start(&s550, r.url, sizeof(r.url));
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", two, 2, MSG, &res),
	    AD_ERR_IO);
	smtp_stop(pid);
	ASSERT_FALSE(res.accepted);
	ASSERT_TRUE(res.permanent);
	ASSERT_INT_EQ(res.smtp_code, 550);
	ASSERT_TRUE(strncmp(res.detail, "RCPT TO:<abuse@example.net>: 550 "
	    "5.1.1", 38) == 0);
	ASSERT_FALSE(exists("smtp.data"));	/* all or nothing: no DATA */
	TEST_DONE();

	TEST_START("smtp: 451 at RCPT is temporary");
	pid = smtp_start(&s451, r.url, sizeof(r.url));
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1, MSG, &res),
	    AD_ERR_IO);
	smtp_stop(pid);
	ASSERT_FALSE(res.permanent);
	ASSERT_INT_EQ(res.smtp_code, 451);
	TEST_DONE();

	TEST_START("smtp: 554 after the data is permanent");
	pid = smtp_start(&s554, r.url, sizeof(r.url));
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1, MSG, &res),
	    AD_ERR_IO);
	smtp_stop(pid);
	ASSERT_FALSE(res.accepted);
	ASSERT_TRUE(res.permanent);
	ASSERT_INT_EQ(res.smtp_code, 554);
	ASSERT_TRUE(strstr(res.detail, "content rejected") != NULL);
	TEST_DONE();

	TEST_START("smtp: STARTTLS required but not offered: permanent");
	pid = smtp_start(&ok, r.url, sizeof(r.url));
	r.starttls = true;
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1, MSG, &res),
	    AD_ERR_IO);
	smtp_stop(pid);
	ASSERT_TRUE(res.permanent);
	r.starttls = false;
	TEST_DONE();

	TEST_START("smtp: AUTH never without TLS (password not sent)");
	pid = smtp_start(&ok, r.url, sizeof(r.url));
	snprintf(r.user, sizeof(r.user), "tester");
	snprintf(r.password, sizeof(r.password), "s3cret");
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1, MSG, &res),
	    AD_ERR_IO);
	smtp_stop(pid);
	ASSERT_TRUE(res.permanent);
	ASSERT_TRUE(strstr(res.detail, "s3cret") == NULL);
	r.user[0] = r.password[0] = '\0';
	TEST_DONE();

	TEST_START("smtp: connection refused is temporary");
	pid = smtp_start(&ok, r.url, sizeof(r.url));
	smtp_stop(pid);			/* the port is closed now */
	ASSERT_INT_EQ(send_msg(&r, "abuse@example.org", rc1, 1, MSG, &res),
	    AD_ERR_IO);
	ASSERT_FALSE(res.accepted);
	ASSERT_FALSE(res.permanent);
	ASSERT_INT_EQ(res.smtp_code, 0);
	ASSERT_TRUE(res.detail[0] != '\0');
	TEST_DONE();
}

int
main(void)
{
	char cmd[600];
	int rc;

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	script("record", "d=$(dirname \"$0\")\n"
	    "for a; do printf '%s|' \"$a\"; done > \"$d/args\"\n"
	    "echo >> \"$d/args\"\ncat > \"$d/stdin\"");
	script("tempfail", "cat >/dev/null\necho 'queue file write error' >&2"
	    "\nexit 75");
	script("nouser", "cat >/dev/null\nexit 67");
	script("hang", "exec sleep 30");
	script("noread", "exit 0");
	test_headers();
	test_golden();
	test_refusals();
	test_sendmail();
	test_smtp();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	rc = system(cmd);
	(void)rc;
	TESTS_END();
}
