/*
 * parse_selinux.c - Linux audit records of failed logins (audit.log as a
 * whole file, or audit lines in the system log):
 *
 *   type=USER_AUTH msg=audit(1373129280.000:9): pid=1277 uid=0 ...
 *       msg='op=PAM:authentication grantors=? acct="root"
 *       exe="/usr/sbin/sshd" hostname=? addr=194.228.20.113 terminal=ssh
 *       res=failed'
 *
 * Events: USER_AUTH (1100) and USER_ERR (1109) with res=failed and an
 * address. USER_LOGIN (1112) res=failed is not an event: it repeats, for
 * the same attempt, the USER_AUTH/USER_ERR record before it (fail2ban's
 * selinux-ssh filter counts the same way). When exe is sshd the category
 * is ssh-bruteforce (service ssh) and, as sshd's own "Failed password"
 * lines in auth.log describe the same attempts, scanning both logs counts
 * them twice; other programs give auth-bruteforce. Proven: the login came
 * over a completed TCP session.
 *
 * Whose address: audit hex-encodes any value with a space or a quote, so
 * acct= and hostname= (client-influenced) cannot contain " addr="; addr=
 * is the last field before "terminal=" and "res=", which the kernel
 * writes: the *last* " addr=" counts. The time is audit(EPOCH.mmm:SERIAL).
 */
#include "parse_int.h"

static enum pr_result
parse_selinux(struct pline *pl, struct ad_event *ev)
{
	const char *m = pl->msg, *end = pl->msg + pl->len, *p, *a, *ae, *x;
	enum pr_result r;
	int64_t secs = 0;
	int k;

	while (end > m && (end[-1] == ' ' || end[-1] == '\r' ||
	    end[-1] == '\x1d'))
		end--;
	if ((p = find(m, end, LIT("type="))) == NULL || p - m > 64)
		return PR_NONE;
	p += 5;
	if (!(eat(&p, end, LIT("USER_AUTH ")) || eat(&p, end, LIT("USER_ERR ")) ||
	    eat(&p, end, LIT("1100 ")) || eat(&p, end, LIT("1109 "))))
		return PR_NONE;
	if (!(end - p > 12 && (starts(end - 11, end, LIT("res=failed'")) ||
	    starts(end - 10, end, LIT("res=failed")))))
		return PR_NONE;
	if ((a = rfind(p, end, LIT(" addr="))) == NULL)
		return PR_NONE;
	a += 6;
	for (ae = a; ae < end && *ae != ' '; ae++)
		;
	if (ae == a || (ae - a == 1 && *a == '?'))
		return PR_NONE;
	if ((r = take_src(&a, ae, ev, NULL)) != PR_EVENT)
		return r;
	ev->format = "audit";
	ev->kind = "failed-auth";
	ev->proto = AD_PROTO_TCP;
	ev->evidence = AD_EVIDENCE_PROVEN;
	ev->service = "audit";
	ev->category = AD_CAT_AUTH_BRUTEFORCE;
	if ((x = find(p, end, LIT(" exe=\""))) != NULL) {
		const char *xe = memchr(x + 6, '"', (size_t)(end - x - 6));

		if (xe != NULL && xe - x >= 10 && starts(xe - 5, xe, LIT("/sshd"))) {
			ev->service = "ssh";
			ev->category = AD_CAT_SSH_BRUTEFORCE;
		}
	}
	if ((x = find(p, end, LIT(" acct=\""))) != NULL) {
		const char *xe = memchr(x + 7, '"', (size_t)(end - x - 7));

		if (xe != NULL && xe > x + 7 && !(xe == x + 8 && x[7] == '?')) {
			ev->user = x + 7;
			ev->user_len = (size_t)(xe - ev->user);
		}
	}
	/* msg=audit(1373129280.000:9) */
	if ((x = find(m, end, LIT("audit("))) != NULL) {
		x += 6;
		for (k = 0; x < end && *x >= '0' && *x <= '9' && k < 12; x++, k++)
			secs = secs * 10 + (*x - '0');
		if (k >= 9 && k <= 11 && x < end && *x == '.') {
			ev->time.utc = secs;
			ev->time.usec = 0;
			if (x + 3 < end && x[1] >= '0' && x[1] <= '9' &&
			    x[2] >= '0' && x[2] <= '9' && x[3] >= '0' && x[3] <= '9')
				ev->time.usec = ((x[1] - '0') * 100 +
				    (x[2] - '0') * 10 + (x[3] - '0')) * 1000;
			ev->time.off_min = (int16_t)(ad_local_offset_at(secs) / 60);
			ev->time.valid = true;
		}
	}
	return PR_EVENT;
}

/* audit.log: "type=..." or "node=HOST type=...". */
static bool
selinux_claims(const char *m, size_t n)
{
	const char *end = m + n;

	return starts(m, end, LIT("type=")) || (starts(m, end, LIT("node=")) &&
	    find(m, m + (n > 80 ? 80 : n), LIT(" type=")) != NULL);
}

static const char *const selinux_tags[] = { "audit", "audispd", "auditd",
	"audisp-syslog", NULL };
static const char *const selinux_aliases[] = { "audit", NULL };

static const struct legend selinux_legends[] = {
	{ "audit",
	  "Linux audit record (audit.log, SELinux systems): \"type=USER_AUTH\" (an\n"
	  "authentication attempt) or \"type=USER_ERR\" (a login that failed\n"
	  "before authentication, e.g. an unknown user), \"msg=audit(T:N)\" with T\n"
	  "the time in seconds since 1970 (UTC) and N a serial number, the\n"
	  "process and SELinux context, then: op= the step, acct= the account\n"
	  "tried (hex-encoded when it holds unusual characters), exe= the program\n"
	  "(/usr/sbin/sshd: an SSH login), hostname= and addr= the remote\n"
	  "(connecting) side, terminal= the service, res=failed the outcome.\n" },
	{ NULL, NULL }
};

const struct family fam_selinux = {
	.name = "selinux",
	.aliases = selinux_aliases,
	.tags = selinux_tags,
	.claims = selinux_claims,
	.whole_file = true,
	.parse = parse_selinux,
	.legends = selinux_legends,
};
