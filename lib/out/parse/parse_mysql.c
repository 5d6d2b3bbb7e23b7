/*
 * parse_mysql.c - MySQL/MariaDB failed logins, from the error log (its own
 * file, with its own stamps) or the system log (tags mysqld, mariadbd):
 *
 *   2019-01-03T08:50:04.634875Z 113 [Note] [MY-010926] [Server] Access denied for user 'root'@'192.0.2.1' (using password: NO)
 *   130324 17:56:14 [Warning] Access denied for user 'root'@'61.160.223.112' (using password: YES)
 *   2023-07-31T08:34:16.116872Z 14 Connect   Access denied for user 'u'@'192.0.2.9' (using password: YES)
 *
 * Whose address: the server writes "'%-.48s'@'%-.64s'" without escaping,
 * so the user part is attacker text and may contain "'@'6.6.6.6' (using
 * password: YES)". The host part is the server's (the client's address,
 * or a verified host name, or "localhost" for the socket), and only the
 * server's text follows it: the *last* "'@'" counts, and after the host
 * comes " (using password: YES|NO)" and the end (or the end alone), else
 * the line is not the server's and is ignored.
 *
 * Events: auth-bruteforce, kind failed-auth, service mysql; proven (TCP:
 * a host name or localhost is skipped anyway). The error log is sniffed as
 * a whole file by its first line; lines under the syslog tag, or with the
 * "[Note]"/"[Warning]" level that the envelope takes for a tag, come here
 * too.
 */
#include "parse_int.h"

static bool
tail_is(const char *p, const char *end, const char *s, size_t n)
{
	return (size_t)(end - p) == n && memcmp(p, s, n) == 0;
}

static enum pr_result
parse_mysql(struct pline *pl, struct ad_event *ev)
{
	const char *m = pl->msg, *end = pl->msg + pl->len, *p, *at, *h, *he;
	struct ad_instant t;
	enum pr_result r;

	end = trim_end(m, end);
	if ((p = find(m, end, LIT("Access denied for user '"))) == NULL)
		return PR_NONE;
	p += 24;
	if ((at = rfind(p, end, LIT("'@'"))) == NULL)
		return PR_NONE;
	h = at + 3;
	if ((he = memchr(h, '\'', (size_t)(end - h))) == NULL)
		return PR_NONE;
	if (he + 1 != end && !tail_is(he, end, LIT("' (using password: YES)")) &&
	    !tail_is(he, end, LIT("' (using password: NO)")))
		return PR_NONE;
	ev->service = "mysql";
	ev->format = "mysql";
	ev->kind = "failed-auth";
	ev->category = AD_CAT_AUTH_BRUTEFORCE;
	ev->proto = AD_PROTO_TCP;
	ev->evidence = AD_EVIDENCE_PROVEN;
	if (at > p) {
		ev->user = p;
		ev->user_len = (size_t)(at - p);
	}
	if ((r = take_src(&h, he, ev, NULL)) != PR_EVENT)
		return r;
	if (h != he)
		return PR_BADADDR;
	/* The error log's own ISO 8601 stamp (MySQL 5.7+: UTC, "Z"). */
	if (pl->env == NULL || pl->env->time_kind == ENV_TIME_NONE) {
		memset(&t, 0, sizeof(t));
		if (m[0] >= '0' && m[0] <= '9' &&
		    ad_time_scan_iso(m, end, pl->clock, &t) > 0)
			ev->time = t;
	}
	return PR_EVENT;
}

/*
 * The first line of an error log: a stamp (ISO 8601 or "YYMMDD hh:mm:ss")
 * then a thread id and "[Note]", "[Warning]", "[ERROR]", "[System]", or
 * a general-log "Connect" line.
 */
static bool
mysql_claims(const char *m, size_t n)
{
	const char *end = m + (n > 96 ? 96 : n);

	if (n < 20 || m[0] < '0' || m[0] > '9')
		return false;
	if (!(m[4] == '-' && m[7] == '-') && !(m[6] == ' '))
		return false;
	return find(m, end, LIT(" [Note] ")) != NULL ||
	    find(m, end, LIT(" [Warning] ")) != NULL ||
	    find(m, end, LIT(" [ERROR] ")) != NULL ||
	    find(m, end, LIT(" [System] ")) != NULL ||
	    find(m, m + n, LIT(" Access denied for user '")) != NULL;
}

/* "Note"/"Warning": the envelope reads "[Note]" after a stamp as a tag. */
static const char *const mysql_tags[] = { "mysqld", "mariadbd", "mysqld_safe",
	"mariadb", "mysql", "Note", "Warning", NULL };
static const char *const mysql_aliases[] = { "mariadb", "mysqld", NULL };

static const struct legend mysql_legends[] = {
	{ "mysql",
	  "MySQL/MariaDB server error log (or its lines in the system log): a\n"
	  "stamp (MySQL 5.7 and later write UTC, marked \"Z\"; older servers the\n"
	  "local time as YYMMDD hh:mm:ss), the connection's thread number, the\n"
	  "severity, then \"Access denied for user 'USER'@'ADDRESS' (using\n"
	  "password: YES)\": a failed login as USER (the name the client sent)\n"
	  "from ADDRESS, the remote (connecting) side; \"using password: NO\"\n"
	  "means the client sent no password at all.\n" },
	{ NULL, NULL }
};

const struct family fam_mysql = {
	.name = "mysql",
	.aliases = mysql_aliases,
	.tags = mysql_tags,
	.claims = mysql_claims,
	.whole_file = true,
	.parse = parse_mysql,
	.legends = mysql_legends,
};
