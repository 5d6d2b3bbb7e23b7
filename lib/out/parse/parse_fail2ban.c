/*
 * parse_fail2ban.c - fail2ban's own log (fail2ban.log, a whole-file format,
 * or its lines in the system log): bans, for repeat-offender detection in
 * the manner of fail2ban's recidive jail.
 *
 *   2006-02-13 15:52:30,388 fail2ban.actions [123]: NOTICE  [sshd] Ban 1.2.3.4
 *   fail2ban-server[11524]: fail2ban.actions [11524]: NOTICE [postfix-auth] Ban 192.0.2.2
 *   fail2ban[15699]: [postfix-sasl] Ban 192.0.2.3
 *
 * Events: "[JAIL] Ban ADDR", category repeat-offender, kind banned, the
 * jail name in ev->detail. Not events: "Unban", "Restore Ban" (a restart
 * re-applying an old ban), "already banned", and bans by a jail named
 * "recidive": it bans for bans already counted here, so counting it again
 * would feed a loop. The address is the last word, written by fail2ban
 * after the jail name (configuration, not client text). Evidence is
 * spoofable: a ban is second-hand, the line does not show what the
 * client did (the jail's own log does; scan it too for proof).
 *
 * Where the lines come from: fail2ban.log as a file of its own (claimed
 * on its first line; syslog-form lines in it keep their stamps), fail2ban
 * logging to syslog (program tag "fail2ban.actions", "fail2ban-server",
 * "fail2ban"), and fail2ban.log lines concatenated into a syslog stream
 * ("2006-02-13 15:52:30,388 fail2ban.actions   [123]: ..."): the envelope
 * reads the stamp, and the padded "MODULE   [PID]:" is no program tag, so
 * the bare message starting with "fail2ban." is claimed here.
 */
#include "parse_int.h"

static enum pr_result
parse_fail2ban(struct pline *pl, struct ad_event *ev)
{
	const char *m = pl->msg, *end = pl->msg + pl->len, *p, *j, *a;
	enum pr_result r;

	end = trim_end(m, end);
	if ((p = find(m, end, LIT("] Ban "))) == NULL)
		return PR_NONE;
	for (j = p; j > m && j[-1] != '['; j--)
		;
	if (j == m || p == j)
		return PR_NONE;
	/* "NOTICE [jail]", "NOTICE  [jail]", or the message starts at '[' */
	if (!(j - 1 == m || (j - 2 >= m && j[-2] == ' ')))
		return PR_NONE;
	if (p - j == 8 && memcmp(j, "recidive", 8) == 0)
		return PR_NONE;
	a = p + 6;
	if ((r = take_src(&a, end, ev, NULL)) != PR_EVENT)
		return r;
	if (a != end)
		return PR_NONE;
	ev->service = "fail2ban";
	ev->format = "fail2ban";
	ev->kind = "banned";
	ev->category = AD_CAT_REPEAT_OFFENDER;
	ev->evidence = AD_EVIDENCE_SPOOFABLE;
	ev->detail = j;
	ev->detail_len = (size_t)(p - j);
	/*
	 * In a file of its own: fail2ban.log's stamp "2006-02-13
	 * 15:52:30,388" (local time), or a syslog line's "Mmm dd hh:mm:ss".
	 */
	if (pl->env == NULL) {
		struct ad_instant t;

		memset(&t, 0, sizeof(t));
		if ((m[0] >= '0' && m[0] <= '9') ?
		    ad_time_scan_iso(m, end, pl->clock, &t) > 0 :
		    ad_time_scan_bsd(m, end, pl->clock, &t) > 0)
			ev->time = t;
	}
	return PR_EVENT;
}

/*
 * fail2ban.log: "YYYY-MM-DD hh:mm:ss,mmm fail2ban.MODULE ...", or such a
 * line's message after a syslog envelope took its stamp.
 */
static bool
fail2ban_claims(const char *m, size_t n)
{
	if (starts(m, m + n, LIT("fail2ban.")))
		return true;
	return n > 34 && m[0] >= '0' && m[0] <= '9' && m[4] == '-' &&
	    m[10] == ' ' && m[19] == ',' &&
	    find(m + 20, m + 34, LIT(" fail2ban.")) != NULL;
}

static const char *const fail2ban_tags[] = { "fail2ban", "fail2ban-server",
	"fail2ban.actions", NULL };
static const char *const fail2ban_aliases[] = { "recidive", NULL };

static const struct legend fail2ban_legends[] = {
	{ "fail2ban",
	  "fail2ban's own log: \"YYYY-MM-DD hh:mm:ss,mmm\" (the server's local\n"
	  "time), the fail2ban module and process, the level, then \"[JAIL] Ban\n"
	  "ADDRESS\": fail2ban blocked ADDRESS (the remote side) because the\n"
	  "jail JAIL (a set of rules watching one service's log, e.g. sshd) saw\n"
	  "too many failures from it. Repeated bans make a repeat offender; the\n"
	  "jail's own log holds the failures themselves.\n" },
	{ NULL, NULL }
};

const struct family fam_fail2ban = {
	.name = "fail2ban",
	.aliases = fail2ban_aliases,
	.tags = fail2ban_tags,
	.claims = fail2ban_claims,
	.whole_file = true,
	.parse = parse_fail2ban,
	.legends = fail2ban_legends,
};
