/*
 * envelope.c - find the stamp, program tag and message of a log line.
 *
 * Forms, told apart by their first bytes:
 *   "<PRI>1 TS HOST APP PROCID MSGID SD MSG"        RFC 5424
 *   "<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG"        RFC 3164 with PRI
 *   "Mmm dd hh:mm:ss HOST TAG[PID]: MSG"             RFC 3164 (also no HOST)
 *   "2024-01-02T03:04:05.123456+01:00 HOST TAG: MSG" rsyslog ISO, short-iso
 *   "{...}"                                          journalctl -o json
 *   "HOST TAG[PID]: MSG"                             journal without stamp
 *   "Mmm dd yyyy hh:mm:ss[ HOST] : %ASA-4-106023: MSG" Cisco devices
 *   anything else                                    a bare message
 * Only the structure of the stamp is checked here; converting it is left
 * to parser.c and done for hits only.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

static inline bool
dig(int c)
{
	return c >= '0' && c <= '9';
}

/* Length of a well-formed "Mmm dd hh:mm:ss[.frac]" (or with a year), or 0. */
static size_t
bsd_len(const char *p, const char *end)
{
	const char *q = p + 6;

	if (end - p < 15 || p[3] != ' ' || !(p[0] >= 'A' && p[0] <= 'Z') ||
	    !(p[1] >= 'a' && p[1] <= 'z') || !(p[2] >= 'a' && p[2] <= 'z'))
		return 0;
	if (!(dig((unsigned char)p[5]) && (p[4] == ' ' || dig((unsigned char)p[4]))))
		q = p + 5;	/* "Feb 7 16:01:07" */
	if (q >= end || *q != ' ')
		return 0;
	q++;
	if (end - q >= 5 && dig((unsigned char)q[0]) && dig((unsigned char)q[3]) &&
	    q[4] == ' ')
		q += 5;		/* a year */
	if (end - q < 8 || q[2] != ':' || q[5] != ':' || !dig((unsigned char)q[7]))
		return 0;
	q += 8;
	if (q < end && *q == '.')
		while (++q < end && dig((unsigned char)*q))
			;
	return (size_t)(q - p);
}

/* Length of an ISO 8601 stamp up to the next space, or 0. */
static size_t
iso_len(const char *p, const char *end)
{
	const char *q;

	if (end - p < 19 || p[4] != '-' || p[7] != '-' ||
	    (p[10] != 'T' && p[10] != ' ') || p[13] != ':' || p[16] != ':')
		return 0;
	q = p + 19;
	while (q < end && *q != ' ')
		q++;
	return (size_t)(q - p);
}

/* [a-zA-Z0-9._/@-] as a bit set: one test a byte in take_tag's loop. */
static inline bool
tag_char(int c)
{
	static const uint64_t set[2] = {
		UINT64_C(0x03ffe00000000000), UINT64_C(0x07fffffe87ffffff)
	};

	return c < 128 && (set[c >> 6] >> (c & 63) & 1) != 0;
}

/*
 * The rest of a tag after its name, at q: "]" of a bracketed tag, or an
 * optional "[PID]"; then the colon and blanks. Returns the start of the
 * message after it, or NULL. need_pid insists on [PID].
 */
static const char *
tag_rest(const char *q, const char *end, bool bracketed, bool need_pid,
    struct envelope *env)
{
	bool pid = false;

	if (bracketed) {
		if (q >= end || *q != ']')
			return NULL;
		q++;
	} else if (q < end && *q == '[') {
		uint32_t v = 0, d;

		/* One compare a digit: every line of most logs has a pid. */
		for (q++; q < end &&
		    (d = (uint32_t)(unsigned char)*q - '0') <= 9; q++)
			v = v * 10 + d;
		if (q >= end || *q != ']')
			return NULL;
		q++;
		pid = true;
		env->pid = v;
	}
	/* The colon may be missing after "[sshd]": the brackets end the tag. */
	if (q < end && *q == ':' && !(need_pid && !pid))
		q++;
	else if (!(bracketed && !need_pid && q < end && *q == ' '))
		return NULL;
	if (q < end && *q != ' ')
		return NULL;
	while (q < end && *q == ' ')
		q++;
	return q;
}

/*
 * Parses "TAG[PID]: ", "TAG: ", "[TAG]: " or "[TAG] " at p. Returns the
 * start of the message after it, or NULL. need_pid insists on [PID].
 */
static const char *
take_tag(const char *p, const char *end, bool need_pid, struct envelope *env)
{
	const char *q = p, *name, *name_end, *d;
	bool bracketed = false;

	if (q < end && *q == '[') {
		bracketed = true;
		q++;
	}
	name = q;
	if (!bracketed && q < end && *q == '%')
		q++;		/* Cisco: "%ASA-4-106023: " */
	while (q < end && tag_char((unsigned char)*q))
		q++;
	name_end = q;
	if (name_end == name || (name_end == name + 1 && *name == '%'))
		return NULL;
	if (bracketed) {
		/*
		 * "[2249]" is a process id (exim's mainlog), "[192.0.2.1]" an
		 * address: not programs.
		 */
		for (d = name; d < name_end && (dig((unsigned char)*d) ||
		    *d == '.'); d++)
			;
		if (d == name_end)
			return NULL;
	}
	if ((q = tag_rest(name_end, end, bracketed, need_pid, env)) == NULL)
		return NULL;
	env->prog = name;
	env->prog_len = (size_t)(name_end - name);
	return q;
}

/*
 * A facility.level pseudo-tag says nothing of the program: "auth.info",
 * "local3.7", "<10.5>", as some syslog daemons and appliances insert. The
 * part after the dot must be a syslog level (a name or a digit), so a
 * program that names itself MODULE.SUBMODULE ("fail2ban.actions") stays a
 * program tag.
 */
static bool
is_facility(const char *p, size_t n)
{
	static const char *const levels[] = { "emerg", "panic", "alert",
		"crit", "err", "error", "warn", "warning", "notice", "info",
		"debug", "none", NULL };
	const char *dot = memchr(p, '.', n), *lv;
	const char *const *l;
	size_t i, ln;

	if (n >= 3 && p[0] == '<' && p[n - 1] == '>')
		return true;
	if (dot == NULL || dot == p || dot == p + n - 1)
		return false;
	for (i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || p + i == dot ||
		    (p[i] >= '0' && p[i] <= '9')))
			return false;
	lv = dot + 1;
	ln = (size_t)(p + n - lv);
	if (ln == 1 && *lv >= '0' && *lv <= '7')
		return true;
	for (l = levels; *l != NULL; l++)
		if (strlen(*l) == ln && memcmp(*l, lv, ln) == 0)
			return true;
	return false;
}

/*
 * A remembered host and tag that [start, end) begins with, and whose tag
 * ends there as a tag should: fills env like host_and_tag. False (env
 * untouched) otherwise.
 */
static bool
memo_find(struct env_memo *mm, const char *start, const char *end,
    struct envelope *env)
{
	struct env_memo_slot *s;
	const char *m;
	size_t have = (size_t)(end - start);

	for (s = mm->slot; s < mm->slot + ENV_MEMO_SLOTS; s++) {
		/* The tag's first byte is where remembered lines differ most. */
		if (s->len == 0 || have < s->len || start[s->tag] != s->key[s->tag] ||
		    !same_bytes(start, s->key, s->len))
			continue;
		/* From the byte after the name (the key's last) on, read again. */
		env->pid = s->pid;
		if ((m = tag_rest(start + s->len - 1, end, s->bracketed, false,
		    env)) == NULL) {
			env->pid = 0;
			return false;
		}
		env->prog = start + s->tag + s->bracketed;
		env->prog_len = (size_t)(s->len - 1 - s->tag - s->bracketed);
		if (s->host_len > 0) {
			env->host = start + s->host;
			env->host_len = s->host_len;
		}
		env->msg = m;
		env->msg_len = (size_t)(end - m);
		env->derived = &s->derived;
		return true;
	}
	return false;
}

/* Remembers the way from start to the tag env->prog that host_and_tag found. */
static void
memo_add(struct env_memo *mm, const char *start, const char *tag,
    uint32_t pid, struct envelope *env)
{
	struct env_memo_slot *s;
	size_t len = (size_t)(env->prog + env->prog_len + 1 - start);

	/* The key ends with the byte after the name ('[', ':', ']'): same name. */
	if (len > ENV_MEMO_KEY)
		return;
	s = &mm->slot[mm->next];
	mm->next = (mm->next + 1) % ENV_MEMO_SLOTS;
	memcpy(s->key, start, len);
	s->len = (uint8_t)len;
	s->tag = (uint8_t)(tag - start);
	s->bracketed = *tag == '[';
	s->host = env->host != NULL ? (uint8_t)(env->host - start) : 0;
	s->host_len = env->host != NULL ? (uint8_t)env->host_len : 0;
	s->pid = pid;
	s->derived.family = -1;
	s->derived.host_hash = 0;
	env->derived = &s->derived;
}

/*
 * After the stamp: "HOST TAG: MSG", "TAG: MSG", with facility tokens or a
 * second stamp ("auth.info: May 27 04:31:28 sshd[1]: ...") in between.
 * Without a tag, everything after the stamp is a bare message. Everything
 * read before the tag lies before it, so the bytes up to the tag decide
 * the way there (memo_find).
 */
static void
host_and_tag(const char *p, const char *end, struct envelope *env,
    struct env_memo *mm)
{
	const char *m, *sp, *bare, *start = p;
	bool have_host = false, facility = false;
	int round;
	size_t l;
	uint32_t pid;

	if (mm != NULL && memo_find(mm, start, end, env))
		return;
	while (p < end && *p == ' ')
		p++;
	bare = p;
	for (round = 0; round < 4 && p < end; round++) {
		pid = env->pid;
		if ((m = take_tag(p, end, false, env)) != NULL) {
			if (!is_facility(env->prog, env->prog_len)) {
				env->msg = m;
				env->msg_len = (size_t)(end - m);
				/*
				 * Not after a facility token: the second stamp's
				 * bsd_len also looks at the length of the line.
				 */
				if (mm != NULL && !facility)
					memo_add(mm, start, p, pid, env);
				return;
			}
			env->prog = NULL;
			env->prog_len = 0;
			facility = true;
			p = m;
			if ((l = bsd_len(p, end)) > 0)
				p += l;
			while (p < end && *p == ' ')
				p++;
			bare = p;
			continue;
		} else {
			sp = memchr(p, ' ', (size_t)(end - p));
			if (sp == NULL)
				break;
			/* A lone ':' after the stamp or host (Cisco's device-id). */
			if (sp == p + 1 && *p == ':') {
				if (!have_host)
					bare = sp + 1;
			} else if (!is_facility(p, (size_t)(sp - p))) {
				if (have_host)
					break;
				have_host = true;
				env->host = p;
				env->host_len = (size_t)(sp - p);
			}
			p = sp;
		}
		while (p < end && *p == ' ')
			p++;
	}
	/* No tag: a bare message after the stamp (and any facility token). */
	env->prog = NULL;
	env->prog_len = 0;
	env->msg = bare;
	env->msg_len = (size_t)(end - bare);
}

/* Skips RFC 5424 structured data ("-" or "[id k="v"]..."). */
static const char *
skip_sd(const char *p, const char *end)
{
	if (p < end && *p == '-')
		return p + 1;
	while (p < end && *p == '[') {
		bool quoted = false;

		for (p++; p < end; p++) {
			if (quoted && *p == '\\' && p + 1 < end) {
				p++;
				continue;
			}
			if (*p == '"')
				quoted = !quoted;
			else if (*p == ']' && !quoted)
				break;
		}
		if (p >= end)
			return NULL;
		p++;
	}
	return p;
}

/* Next space-delimited field of an RFC 5424 header. */
static const char *
field(const char *p, const char *end, const char **f, size_t *fl)
{
	const char *sp;

	if (p >= end)
		return NULL;
	sp = memchr(p, ' ', (size_t)(end - p));
	if (sp == NULL)
		return NULL;
	*f = p;
	*fl = (size_t)(sp - p);
	return sp + 1;
}

static bool
rfc5424(const char *p, const char *end, struct envelope *env)
{
	const char *f, *app, *host;
	size_t fl, appl, hostl;

	if ((p = field(p, end, &f, &fl)) == NULL)	/* TIMESTAMP */
		return false;
	if (!(fl == 1 && *f == '-')) {
		if (iso_len(f, f + fl) != fl)
			return false;
		env->time_kind = ENV_TIME_ISO;
		env->time = f;
		env->time_end = f + fl;
	}
	if ((p = field(p, end, &host, &hostl)) == NULL ||	/* HOSTNAME */
	    (p = field(p, end, &app, &appl)) == NULL ||	/* APP-NAME */
	    (p = field(p, end, &f, &fl)) == NULL)	/* PROCID */
		return false;
	if (!(hostl == 1 && *host == '-')) {
		env->host = host;
		env->host_len = hostl;
	}
	for (; fl > 0 && dig((unsigned char)*f); f++, fl--)
		env->pid = env->pid * 10 + (uint32_t)(*f - '0');
	if ((p = field(p, end, &f, &fl)) == NULL)	/* MSGID */
		return false;
	if ((p = skip_sd(p, end)) == NULL)
		return false;
	if (p < end && *p == ' ')
		p++;
	if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;		/* BOM */
	if (!(appl == 1 && *app == '-')) {
		env->prog = app;
		env->prog_len = appl;
	}
	env->msg = p;
	env->msg_len = (size_t)(end - p);
	env->has_envelope = true;
	return true;
}

/* journalctl -o json: one object per line. */
static bool
journal_json(const char *line, size_t len, struct envelope *env,
    char *json_buf, size_t json_cap)
{
	json_t *root, *m, *id, *ts, *pid;
	size_t ml = 0, il = 0;
	bool ok = false;

	root = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
	if (root == NULL || !json_is_object(root))
		goto out;
	m = json_object_get(root, "MESSAGE");
	id = json_object_get(root, "SYSLOG_IDENTIFIER");
	if (id == NULL)
		id = json_object_get(root, "_COMM");
	ts = json_object_get(root, "__REALTIME_TIMESTAMP");
	pid = json_object_get(root, "_PID");
	if (pid == NULL)
		pid = json_object_get(root, "SYSLOG_PID");
	if (json_is_string(pid))
		env->pid = (uint32_t)strtoul(json_string_value(pid), NULL, 10);
	if (json_is_string(m)) {
		ml = json_string_length(m);
		if (ml >= json_cap / 2)
			goto out;
		memcpy(json_buf, json_string_value(m), ml);
	} else if (json_is_array(m)) {	/* non-UTF-8 messages come as bytes */
		size_t i;
		json_t *v;

		json_array_foreach(m, i, v) {
			if (!json_is_integer(v) || ml >= json_cap / 2)
				goto out;
			json_buf[ml++] = (char)json_integer_value(v);
		}
	} else
		goto out;
	if (json_is_string(id)) {
		il = json_string_length(id);
		if (il >= json_cap / 2 - 1)
			il = 0;
		memcpy(json_buf + json_cap / 2, json_string_value(id), il);
	}
	if (json_is_string(ts)) {
		char *e;
		const char *s = json_string_value(ts);
		long long us;

		errno = 0;
		us = strtoll(s, &e, 10);
		/* Up to the year 9999: anything later is damage, not a time. */
		if (e != s && *e == '\0' && errno == 0 && us > 0 &&
		    us < 253402300800LL * 1000000) {
			env->time_kind = ENV_TIME_EPOCH_US;
			env->epoch_us = us;
		}
	}
	env->msg = json_buf;
	env->msg_len = ml;
	if (il) {
		env->prog = json_buf + json_cap / 2;
		env->prog_len = il;
	}
	env->has_envelope = true;
	ok = true;
out:
	json_decref(root);
	return ok;
}

bool
envelope_split(const char *line, size_t len, struct envelope *env,
    char *json_buf, size_t json_cap, struct env_memo *memo)
{
	const char *p = line, *end = line + len;
	size_t l;

	zero_struct(env, sizeof(*env));
	if (len == 0)
		return false;
	/* The memo only stands in for host_and_tag on a fresh env. */
	if (*p == '{') {
		if (journal_json(line, len, env, json_buf, json_cap))
			return true;
		memo = NULL;
	}
	if (*p == '<') {		/* PRI */
		const char *q = p + 1;

		while (q < end && q - p <= 4 && dig((unsigned char)*q))
			q++;
		if (q < end && *q == '>' && q > p + 1) {
			p = q + 1;
			if (end - p > 2 && p[0] == '1' && p[1] == ' ') {
				if (rfc5424(p + 2, end, env))
					return true;
				memo = NULL;
			}
		}
	}
	if ((l = bsd_len(p, end)) > 0) {
		env->time_kind = ENV_TIME_BSD;
		env->time = p;
		env->time_end = end;
		env->has_envelope = true;
		host_and_tag(p + l, end, env, memo);
		return true;
	}
	if (p < end && dig((unsigned char)*p) && (l = iso_len(p, end)) > 0) {
		env->time_kind = ENV_TIME_ISO;
		env->time = p;
		env->time_end = end;
		env->has_envelope = true;
		host_and_tag(p + l, end, env, memo);
		return true;
	}
	/* "host tag[pid]: msg" (journal without stamp) needs the [pid]. */
	{
		const char *sp = memchr(p, ' ', (size_t)(end - p)), *m;

		if (sp && sp > p && (m = take_tag(sp + 1, end, true, env)) != NULL) {
			env->host = p;
			env->host_len = (size_t)(sp - p);
			env->msg = m;
			env->msg_len = (size_t)(end - m);
			env->has_envelope = true;
			return true;
		}
	}
	env->prog = NULL;
	env->prog_len = 0;
	env->msg = p;
	env->msg_len = (size_t)(end - p);
	return true;
}
