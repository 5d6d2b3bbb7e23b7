/*
 * parser.c - envelope, dispatch to a family by program tag (or by sniffing
 * a file without syslog envelope), checks and time for hits.
 *
 * Adding a family: write lib/out/parse/parse_<name>.c defining
 * `const struct family fam_<name>` (parse_int.h), and name it in
 * families[] below under its enum ad_family value.
 */
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_config.h"
#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_json.h"
#include "parse_int.h"

#define JSON_MSG_CAP	(2 * AD_LINE_MAX)

static uint64_t conn_key(struct envelope *env);

static const struct family *const families[AD_FAMILY__COUNT] = {
	[AD_FAMILY_SSHD] = &fam_sshd,
	[AD_FAMILY_NETFILTER] = &fam_netfilter,
	[AD_FAMILY_FILTERLOG] = &fam_filterlog,
	/* web */
	[AD_FAMILY_WEB_ACCESS] = &fam_web_access,
	[AD_FAMILY_WEB_ERROR] = &fam_web_error,
	[AD_FAMILY_HAPROXY] = &fam_haproxy,
	[AD_FAMILY_SQUID] = &fam_squid,
	/* mail */
	[AD_FAMILY_POSTFIX] = &fam_postfix,
	[AD_FAMILY_DOVECOT] = &fam_dovecot,
	[AD_FAMILY_EXIM] = &fam_exim,
	[AD_FAMILY_SENDMAIL] = &fam_sendmail,
	[AD_FAMILY_COURIER] = &fam_courier,
	[AD_FAMILY_CYRUS] = &fam_cyrus,
	/* ftp */
	[AD_FAMILY_VSFTPD] = &fam_vsftpd,
	[AD_FAMILY_PROFTPD] = &fam_proftpd,
	[AD_FAMILY_PUREFTPD] = &fam_pureftpd,
	[AD_FAMILY_WUFTPD] = &fam_wuftpd,
	/* intrusion detection and network devices */
	[AD_FAMILY_SURICATA_EVE] = &fam_suricata_eve,
	[AD_FAMILY_SNORT_FAST] = &fam_snort_fast,
	[AD_FAMILY_SNORT_FULL] = &fam_snort_full,
	[AD_FAMILY_CISCO_ASA] = &fam_cisco_asa,
	[AD_FAMILY_PFLOG] = &fam_pflog,
	/* others */
	[AD_FAMILY_NAMED] = &fam_named,
	[AD_FAMILY_MYSQL] = &fam_mysql,
	[AD_FAMILY_ASTERISK] = &fam_asterisk,
	[AD_FAMILY_PAM] = &fam_pam,
	[AD_FAMILY_SELINUX] = &fam_selinux,
	[AD_FAMILY_XINETD] = &fam_xinetd,
	[AD_FAMILY_FAIL2BAN] = &fam_fail2ban,
	/* added later */
	[AD_FAMILY_IIS] = &fam_iis,
	[AD_FAMILY_QMAIL] = &fam_qmail,
	[AD_FAMILY_PERDITION] = &fam_perdition,
	[AD_FAMILY_UWIMAP] = &fam_uwimap,
	[AD_FAMILY_OPENSMTPD] = &fam_opensmtpd,
	[AD_FAMILY_CUCIPOP] = &fam_cucipop,
};

enum sniff {
	SNIFF_UNKNOWN = 0,
	SNIFF_SYSLOG,		/* lines carry an envelope */
	SNIFF_BARE,		/* bare messages, family guessed per line */
	SNIFF_FILE,		/* a whole-file format (access log, EVE JSON) */
};

/*
 * Program tag -> family: open addressing over the tags of all families,
 * built once; a tag costs one hash and one compare per line.
 */
#define TAG_SLOTS	512

struct tag_slot {
	const char	*tag;		/* NULL: empty */
	uint8_t		 len;
	uint8_t		 family;
};

struct ad_parser {
	enum ad_family		family;
	enum sniff		sniff;
	enum ad_family		file_family;	/* SNIFF_FILE, and the last bare guess */
	void			*state[AD_FAMILY__COUNT];
	struct tag_slot		tags[TAG_SLOTS];
	struct ad_clockref	clock;
	int64_t			ref;
	int			year;
	struct ad_parse_stats	stats;
	struct conn_map		conns;
	bool			defer_conns;	/* ad_parser_defer_conns */
	bool			speculate;	/* ad_parser_speculate */
	struct conn_rec		rec;		/* the last line's */
	uint64_t		rec_key;
	int8_t			rec_counted;
	struct env_memo		memo;
	char			json_msg[JSON_MSG_CAP];
};

static uint32_t
tag_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static void
tags_add(struct ad_parser *p, const char *tag, enum ad_family f)
{
	size_t n = strlen(tag), i;

	if (n == 0 || n > 255)
		return;
	for (i = tag_hash(tag, n) % TAG_SLOTS; p->tags[i].tag != NULL;
	    i = (i + 1) % TAG_SLOTS)
		if (p->tags[i].len == n && memcmp(p->tags[i].tag, tag, n) == 0)
			return;		/* the first family naming a tag keeps it */
	p->tags[i].tag = tag;
	p->tags[i].len = (uint8_t)n;
	p->tags[i].family = (uint8_t)f;
}

static enum ad_family
tags_find(const struct ad_parser *p, const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 255)
		return AD_FAMILY_AUTO;
	for (i = tag_hash(s, n) % TAG_SLOTS; p->tags[i].tag != NULL;
	    i = (i + 1) % TAG_SLOTS)
		if (p->tags[i].len == n && memcmp(p->tags[i].tag, s, n) == 0)
			return (enum ad_family)p->tags[i].family;
	return AD_FAMILY_AUTO;
}

struct ad_parser *
ad_parser_new(enum ad_family family, int64_t ref, int year)
{
	struct ad_parser *p;
	const char *const *t;
	int f;

	if ((p = ad_calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->family = family;
	p->year = year;
	for (f = 1; f < AD_FAMILY__COUNT; f++) {
		const struct family *fd = families[f];

		if (fd == NULL)
			continue;
		if (fd->state_new != NULL &&
		    (p->state[f] = fd->state_new()) == NULL) {
			ad_parser_free(p);
			return NULL;
		}
		for (t = fd->tags; t != NULL && *t != NULL; t++)
			tags_add(p, *t, (enum ad_family)f);
	}
	ad_parser_reset(p, ref);
	return p;
}

void
ad_parser_free(struct ad_parser *p)
{
	int f;

	if (p == NULL)
		return;
	for (f = 1; f < AD_FAMILY__COUNT; f++)
		if (p->state[f] != NULL && families[f]->state_free != NULL)
			families[f]->state_free(p->state[f]);
	ad_free(p);
}

void
ad_parser_reset(struct ad_parser *p, int64_t ref)
{
	int f;

	p->sniff = SNIFF_UNKNOWN;
	p->file_family = AD_FAMILY_AUTO;
	p->ref = ref;
	memset(p->conns.key, 0, sizeof(p->conns.key));
	ENV_MEMO_CLEAR(&p->memo);
	ad_clockref_init(&p->clock, ref, p->year);
	for (f = 1; f < AD_FAMILY__COUNT; f++)
		if (p->state[f] != NULL && families[f]->state_reset != NULL)
			families[f]->state_reset(p->state[f]);
}

int
ad_parser_option(struct ad_parser *p, const char *family, const char *key,
    const char *value, struct ad_diag *diag)
{
	int f = ad_family_from_name(family);

	if (f <= 0)
		return ad_diag_set(diag, AD_ERR_CONFIG, family, 0,
		    "parse.%s.%s: unknown log family \"%s\"", family, key,
		    family);
	if (families[f] == NULL || families[f]->option == NULL)
		return ad_diag_set(diag, AD_ERR_CONFIG, family, 0,
		    "parse.%s.%s: the %s parser takes no options", family, key,
		    family);
	return families[f]->option(p->state[f], key, value, diag);
}

int
ad_parser_options(struct ad_parser *p, const struct ad_parse_opt *o, size_t n,
    struct ad_diag *diag)
{
	size_t i;
	int r;

	for (i = 0; i < n; i++)
		if ((r = ad_parser_option(p, o[i].family, o[i].key, o[i].value,
		    diag)) != AD_OK)
			return r;
	return AD_OK;
}

const struct ad_parse_stats *
ad_parser_stats(const struct ad_parser *p)
{
	return &p->stats;
}

void
ad_parser_count_skip(struct ad_parser *p, enum ad_skip why)
{
	p->stats.lines++;
	p->stats.skipped[why]++;
}

void
ad_parse_stats_add(struct ad_parse_stats *dst, const struct ad_parse_stats *src)
{
	int i;

	dst->lines += src->lines;
	dst->bytes += src->bytes;
	dst->events += src->events;
	for (i = 0; i < AD_SKIP__COUNT; i++)
		dst->skipped[i] += src->skipped[i];
}

/*
 * Program tag -> family: exact, then before '/' (and, for a multi-instance
 * "postfix-incoming/smtpd", before the '-' of that part), then "%FAC" of
 * "%FAC-...".
 */
static enum ad_family
family_of_prog(const struct ad_parser *p, const char *s, size_t n)
{
	enum ad_family f;
	const char *c, *d;

	if ((f = tags_find(p, s, n)) != AD_FAMILY_AUTO)
		return f;
	if ((c = memchr(s, '/', n)) != NULL) {
		if ((f = tags_find(p, s, (size_t)(c - s))) != AD_FAMILY_AUTO)
			return f;
		if ((d = memchr(s, '-', (size_t)(c - s))) != NULL)
			return tags_find(p, s, (size_t)(d - s));
		return AD_FAMILY_AUTO;
	}
	if (n > 1 && s[0] == '%' && (c = memchr(s, '-', n)) != NULL)
		return tags_find(p, s, (size_t)(c - s));
	return AD_FAMILY_AUTO;
}

/* The family whose claims() takes this line; whole_file ones or bare ones. */
static enum ad_family
family_claiming(const char *m, size_t n, bool whole_file)
{
	int f;

	for (f = 1; f < AD_FAMILY__COUNT; f++)
		if (families[f] != NULL && families[f]->claims != NULL &&
		    families[f]->whole_file == whole_file &&
		    families[f]->claims(m, n))
			return (enum ad_family)f;
	return AD_FAMILY_AUTO;
}

/*
 * A bare message: the family that claimed the previous one is asked first
 * (bare files are mostly one program's), then the per-line guesses, then
 * the whole-file formats (an access-log line among bare messages, as in
 * SSHGuard's test file); sshd is the default.
 */
static enum ad_family
family_of_bare(struct ad_parser *p, const char *m, size_t n)
{
	enum ad_family f = p->file_family;

	if (f != AD_FAMILY_AUTO && families[f]->claims(m, n))
		return f;
	if ((f = family_claiming(m, n, false)) == AD_FAMILY_AUTO &&
	    (f = family_claiming(m, n, true)) == AD_FAMILY_AUTO)
		return AD_FAMILY_SSHD;
	p->file_family = f;
	return f;
}

static void
event_time(struct ad_parser *p, const struct envelope *env, struct ad_event *ev)
{
	const char *end = env->time_end;

	memset(&ev->time, 0, sizeof(ev->time));
	switch (env->time_kind) {
	case ENV_TIME_BSD:
		ad_time_scan_bsd(env->time, end, &p->clock, &ev->time);
		break;
	case ENV_TIME_ISO:
		ad_time_scan_iso(env->time, end, &p->clock, &ev->time);
		break;
	case ENV_TIME_EPOCH_US:
		/* journald stores UTC; show it at the local offset of that instant. */
		ev->time.utc = env->epoch_us / 1000000;
		ev->time.usec = (int32_t)(env->epoch_us % 1000000);
		ev->time.off_min = (int16_t)(ad_local_offset_at(ev->time.utc) / 60);
		ev->time.valid = true;
		break;
	case ENV_TIME_NONE:
		break;
	}
}

/*
 * Counts a parsed line (AD_SKIP__COUNT: an event, -1: nothing) and says
 * what ad_parse_line returns: deferred, a line that is no event but has
 * connection work still goes to ad_parser_resolve (2), with the address
 * to remember as its source.
 */
static int
done(struct ad_parser *p, struct ad_event *ev, int counted)
{
	if (counted == AD_SKIP__COUNT)
		p->stats.events++;
	else if (counted >= 0)
		p->stats.skipped[counted]++;
	p->rec_counted = (int8_t)counted;
	if (counted == AD_SKIP__COUNT)
		return 1;
	if (!p->defer_conns || p->rec.ops == 0)
		return 0;
	if (p->rec.ops & AD_CONN_REMEMBER)
		ev->src = p->rec.addr;
	return 2;
}

int
ad_parse_line(struct ad_parser *p, const char *line, size_t len,
    struct ad_event *ev)
{
	unsigned bytes;
	struct envelope env;
	struct pline pl;
	enum ad_family fam = AD_FAMILY_AUTO;
	enum pr_result r;
	const char *m, *mend;

	p->stats.lines++;
	p->stats.bytes += len + 1;
	if (len > AD_LINE_MAX) {
		p->stats.skipped[AD_SKIP_TOO_LONG]++;
		return 0;
	}
	if (len == 0)
		return 0;
	if (p->sniff == SNIFF_UNKNOWN && p->family == AD_FAMILY_AUTO &&
	    (fam = family_claiming(line, len, true)) != AD_FAMILY_AUTO) {
		p->sniff = SNIFF_FILE;
		p->file_family = fam;
	}
	if (p->sniff == SNIFF_FILE) {
		/* A format of its own: no envelope to look for. */
		memset(&env, 0, sizeof(env));
		env.msg = line;
		env.msg_len = len;
		fam = p->file_family;
		pl.env = NULL;
	} else {
		if (!envelope_split(line, len, &env, p->json_msg,
		    sizeof(p->json_msg), &p->memo))
			return 0;
		if (p->sniff == SNIFF_UNKNOWN)
			p->sniff = env.has_envelope ? SNIFF_SYSLOG : SNIFF_BARE;
		if (p->sniff == SNIFF_SYSLOG && !env.has_envelope) {
			/*
			 * A program's own format inside a syslog stream
			 * (cat *.log | abusedesk scan -): read by the family
			 * that claims it, else skipped.
			 */
			if (p->family != AD_FAMILY_AUTO ||
			    ((fam = family_claiming(env.msg, env.msg_len,
			    true)) == AD_FAMILY_AUTO &&
			    (fam = family_claiming(env.msg, env.msg_len,
			    false)) == AD_FAMILY_AUTO)) {
				p->stats.skipped[AD_SKIP_UNKNOWN_FORMAT]++;
				return 0;
			}
		} else if (p->family != AD_FAMILY_AUTO)
			fam = p->family;
		else if (env.prog != NULL) {
			/* The same tag as a recent line: the same family. */
			if (env.derived != NULL && env.derived->family >= 0)
				fam = (enum ad_family)env.derived->family;
			else {
				fam = family_of_prog(p, env.prog, env.prog_len);
				if (env.derived != NULL)
					env.derived->family = (int)fam;
			}
			/* pam_unix writes under its caller's tag: su, login, ... */
			if (fam == AD_FAMILY_AUTO && env.msg_len > 5 &&
			    (memcmp(env.msg, "pam_", 4) == 0 ||
			    memcmp(env.msg, "(pam_", 5) == 0))
				fam = AD_FAMILY_PAM;
		} else
			fam = family_of_bare(p, env.msg, env.msg_len);
		pl.env = &env;
	}
	if (fam == AD_FAMILY_AUTO || families[fam] == NULL ||
	    families[fam]->parse == NULL)
		return 0;
	if (p->speculate && families[fam]->carries)
		return -1;

	m = env.msg;
	mend = env.msg + env.msg_len;
	/* Solaris: "[ID 800047 auth.info] Failed ..." */
	if (starts(m, mend, LIT("[ID "))) {
		const char *q = memchr(m, ']', (size_t)(mend - m));

		if (q && q + 1 < mend && q[1] == ' ')
			m = q + 2;
	}
	zero_struct(ev, sizeof(*ev));
	ev->count = 1;
	pl.msg = m;
	pl.len = (size_t)(mend - m);
	pl.clock = &p->clock;
	pl.conn.map = &p->conns;
	pl.conn.key = env.pid != 0 ? conn_key(&env) : 0;
	pl.conn.rec = &p->rec;
	pl.conn.defer = p->defer_conns;
	p->rec.ops = 0;
	p->rec_key = pl.conn.key;
	pl.state = p->state[fam];
	r = families[fam]->parse(&pl, ev);
	/*
	 * A line that asked for its connection's address has its stamp read
	 * whatever the answer, so that deferred or not, the same lines move
	 * the clock (a fixed --year rolls over with them).
	 */
	if ((p->rec.ops & AD_CONN_RECALL_SRC) && !ev->time.valid)
		event_time(p, &env, ev);
	switch (r) {
	case PR_NONE:
		return done(p, ev, -1);
	case PR_HOSTNAME:
		return done(p, ev, AD_SKIP_HOSTNAME);
	case PR_BADADDR:
		return done(p, ev, AD_SKIP_BAD_ADDRESS);
	case PR_AMBIGUOUS:
		return done(p, ev, AD_SKIP_AMBIGUOUS);
	case PR_EVENT:
		break;
	}
	/* Checks on hits only: clean lines cost nothing. */
	bytes = line_bytes(line, len);
	if ((bytes & LINE_NUL) ||
	    (env.msg == p->json_msg &&	/* journal JSON: decoded */
	    memchr(env.msg, '\0', env.msg_len) != NULL))
		return done(p, ev, AD_SKIP_NUL);
	if ((bytes & LINE_HIGH) && !ad_utf8_valid(line, len))
		return done(p, ev, AD_SKIP_UTF8);
	if (!ev->time.valid)
		event_time(p, &env, ev);
	return done(p, ev, AD_SKIP__COUNT);
}

/* --- connections ---------------------------------------------------- */

/* The key of (host, pid); saved states hold it, so it must not change. */
static uint64_t
conn_key(struct envelope *env)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	if (env->derived != NULL && env->derived->host_hash != 0)
		h = env->derived->host_hash;	/* a recent line's host */
	else {
		for (i = 0; i < env->host_len; i++) {
			h ^= (unsigned char)env->host[i];
			h *= 0x100000001b3ULL;
		}
		if (env->derived != NULL)
			env->derived->host_hash = h;
	}
	h ^= (uint64_t)env->pid * 0x9e3779b97f4a7c15ULL;
	return h | 1;		/* never 0 */
}

static void
map_remember(const struct conn *c, const struct ad_addr *a, bool auth)
{
	size_t i;

	if (c->key == 0)
		return;
	i = (size_t)(c->key >> 7) % CONN_SLOTS;
	if (c->map->key[i] != c->key || !ad_addr_equal(&c->map->addr[i], a)) {
		c->map->key[i] = c->key;
		c->map->addr[i] = *a;
		c->map->auth[i] = false;
	}
	c->map->auth[i] |= auth;
}

void
conn_remember(const struct conn *c, const struct ad_addr *a)
{
	if (c->key == 0)
		return;
	if (c->defer) {
		c->rec->ops |= AD_CONN_REMEMBER;
		c->rec->addr = *a;
	} else
		map_remember(c, a, false);
}

bool
conn_recall(const struct conn *c, struct ad_addr *out, bool *auth)
{
	size_t i;

	if (c->key == 0)
		return false;
	i = (size_t)(c->key >> 7) % CONN_SLOTS;
	if (c->map->key[i] != c->key)
		return false;
	*out = c->map->addr[i];
	if (auth)
		*auth = c->map->auth[i];
	return true;
}

bool
conn_recall_src(const struct conn *c, struct ad_event *ev)
{
	if (c->key == 0)
		return false;
	c->rec->ops |= AD_CONN_RECALL_SRC;
	if (c->defer) {
		memset(&ev->src, 0, sizeof(ev->src));	/* until resolved */
		return true;
	}
	return conn_recall(c, &ev->src, NULL);
}

void
conn_settle(const struct conn *c, struct ad_event *ev)
{
	struct ad_addr a;
	bool auth = false;

	if (c->key == 0)
		return;
	if (c->defer) {
		c->rec->ops |= AD_CONN_SETTLE;
		return;
	}
	if (ev->category == AD_CAT_SSH_PROBE && conn_recall(c, &a, &auth) &&
	    auth && ad_addr_equal(&a, &ev->src))
		ev->category = AD_CAT_SSH_BRUTEFORCE;
	map_remember(c, &ev->src, ev->category == AD_CAT_SSH_BRUTEFORCE);
}

void
ad_parser_defer_conns(struct ad_parser *p, bool on)
{
	p->defer_conns = on;
}

void
ad_parser_speculate(struct ad_parser *p, bool on)
{
	p->speculate = on;
}

void
ad_parser_carry_get(const struct ad_parser *p, struct ad_parse_carry *c)
{
	memset(c, 0, sizeof(*c));
	c->sniff = (int)p->sniff;
	c->file_family = (int)p->file_family;
	c->ref = p->ref;
	c->year = p->year;
	c->clock = p->clock;
}

void
ad_parser_carry_set(struct ad_parser *p, const struct ad_parse_carry *c)
{
	p->sniff = (enum sniff)c->sniff;
	p->file_family = (enum ad_family)c->file_family;
	p->ref = c->ref;
	p->year = c->year;
	p->clock = c->clock;	/* its caches hold for its own fields */
}

bool
ad_parse_carry_same(const struct ad_parse_carry *a,
    const struct ad_parse_carry *b)
{
	/* ref_known and what it derives follow from ref; the rest is cache. */
	return a->sniff == b->sniff && a->file_family == b->file_family &&
	    a->ref == b->ref && a->year == b->year &&
	    a->clock.ref == b->clock.ref && a->clock.year == b->clock.year &&
	    a->clock.last_year == b->clock.last_year &&
	    a->clock.last_mon == b->clock.last_mon;
}

void
ad_parser_conn_work(const struct ad_parser *p, struct ad_conn_work *w)
{
	w->key = p->rec_key;
	w->ops = (uint8_t)p->rec.ops;
	w->counted = p->rec_counted;
}

int
ad_parser_resolve(struct ad_parser *p, const struct ad_conn_work *w,
    struct ad_event *ev, struct ad_parse_stats *undo)
{
	struct conn c = { &p->conns, w->key, NULL, false };

	if ((w->ops & AD_CONN_RECALL_SRC) && !conn_recall(&c, &ev->src, NULL)) {
		/* Not deferred, the line would have been nothing. */
		if (w->counted == AD_SKIP__COUNT)
			undo->events++;
		else if (w->counted >= 0)
			undo->skipped[w->counted]++;
		return 0;
	}
	if (w->ops & AD_CONN_REMEMBER)
		map_remember(&c, &ev->src, false);
	if (w->ops & AD_CONN_SETTLE)
		conn_settle(&c, ev);
	return 1;
}

/*
 * The connection map as bytes: a version, then per known connection its
 * key (8, little-endian), address family (1), address (16) and auth flag
 * (1). A slot is a function of its key, so restoring reproduces the map.
 */
#define CONN_SAVE_VERSION	1
#define CONN_SAVE_REC		26

int
ad_parser_save(const struct ad_parser *p, struct ad_buf *out)
{
	unsigned char rec[CONN_SAVE_REC];
	size_t i;
	int k, r;

	if ((r = ad_buf_addc(out, CONN_SAVE_VERSION)) != AD_OK)
		return r;
	for (i = 0; i < CONN_SLOTS; i++) {
		if (p->conns.key[i] == 0)
			continue;
		for (k = 0; k < 8; k++)
			rec[k] = (unsigned char)(p->conns.key[i] >> (8 * k));
		rec[8] = p->conns.addr[i].af;
		memcpy(rec + 9, p->conns.addr[i].b, 16);
		rec[25] = p->conns.auth[i];
		if ((r = ad_buf_add(out, rec, sizeof(rec))) != AD_OK)
			return r;
	}
	return AD_OK;
}

int
ad_parser_restore(struct ad_parser *p, const void *data, size_t len)
{
	const unsigned char *b = data, *rec;
	struct conn_map *m = &p->conns;
	size_t n, i, slot;
	uint64_t key;
	int k;

	if (len == 0)
		return AD_OK;
	if (b[0] != CONN_SAVE_VERSION || (len - 1) % CONN_SAVE_REC != 0)
		return AD_ERR_PARSE;
	n = (len - 1) / CONN_SAVE_REC;
	for (i = 0; i < n; i++) {	/* check everything first */
		rec = b + 1 + i * CONN_SAVE_REC;
		if ((rec[8] != 4 && rec[8] != 6) || rec[25] > 1)
			return AD_ERR_PARSE;
	}
	memset(m->key, 0, sizeof(m->key));
	ENV_MEMO_CLEAR(&p->memo);
	for (i = 0; i < n; i++) {
		rec = b + 1 + i * CONN_SAVE_REC;
		for (key = 0, k = 0; k < 8; k++)
			key |= (uint64_t)rec[k] << (8 * k);
		if (key == 0)
			continue;
		slot = (size_t)(key >> 7) % CONN_SLOTS;
		m->key[slot] = key;
		m->addr[slot].af = rec[8];
		memcpy(m->addr[slot].b, rec + 9, 16);
		m->auth[slot] = rec[25] != 0;
	}
	return AD_OK;
}

/* --- names and legends ---------------------------------------------- */

const char *
ad_family_name(enum ad_family f)
{
	if (f == AD_FAMILY_AUTO)
		return "auto";
	if ((unsigned)f < AD_FAMILY__COUNT && families[f] != NULL)
		return families[f]->name;
	return "?";
}

int
ad_family_from_name(const char *name)
{
	const char *const *a;
	int f;

	if (strcmp(name, "auto") == 0)
		return AD_FAMILY_AUTO;
	for (f = 1; f < AD_FAMILY__COUNT; f++) {
		if (!ad_family_available((enum ad_family)f))
			continue;	/* declared, not written yet */
		if (strcmp(name, families[f]->name) == 0)
			return f;
		for (a = families[f]->aliases; a != NULL && *a != NULL; a++)
			if (strcmp(name, *a) == 0)
				return f;
	}
	return -1;
}

bool
ad_family_available(enum ad_family f)
{
	return (unsigned)f < AD_FAMILY__COUNT && f != AD_FAMILY_AUTO &&
	    families[f] != NULL && families[f]->parse != NULL;
}

const char *
ad_skip_name(enum ad_skip s)
{
	switch (s) {
	case AD_SKIP_TOO_LONG:		return "line longer than 64 KiB";
	case AD_SKIP_NUL:		return "NUL bytes";
	case AD_SKIP_UTF8:		return "invalid UTF-8";
	case AD_SKIP_UNKNOWN_FORMAT:	return "unknown format";
	case AD_SKIP_HOSTNAME:		return "host name instead of address";
	case AD_SKIP_BAD_ADDRESS:	return "malformed address";
	case AD_SKIP_TRUNCATED:		return "unfinished last line";
	case AD_SKIP_AMBIGUOUS:		return "ambiguous source (injection?)";
	case AD_SKIP__COUNT:		break;
	}
	return "?";
}

const char *
ad_format_legend(const char *format)
{
	const struct legend *l;
	int f;

	for (f = 1; f < AD_FAMILY__COUNT; f++)
		for (l = families[f] ? families[f]->legends : NULL;
		    l != NULL && l->format != NULL; l++)
			if (strcmp(l->format, format) == 0)
				return l->text;
	return NULL;
}

void
ad_format_legends(void (*fn)(const char *, const char *, void *), void *arg)
{
	const struct legend *l;
	int f;

	for (f = 1; f < AD_FAMILY__COUNT; f++)
		for (l = families[f] ? families[f]->legends : NULL;
		    l != NULL && l->format != NULL; l++)
			fn(l->format, l->text, arg);
}

/* --- shared grammar ------------------------------------------------- */

/*
 * memmem's setup costs more than a log line's search: memchr for the first
 * byte of s that is not a blank (blanks are everywhere in a line), then
 * compare around each hit.
 */
const char *
find(const char *p, const char *end, const char *s, size_t n)
{
	const char *q;
	size_t k = 0;

	if (p >= end)
		return NULL;
	if (n == 0)
		return p;
	if ((size_t)(end - p) < n)
		return NULL;
	while (k < n - 1 && s[k] == ' ')
		k++;
	/* s[k] of a match lies in [p + k, end - n + k]. */
	for (q = p + k; (q = memchr(q, s[k], (size_t)(end - n + k + 1 - q))) !=
	    NULL; q++)
		if (same_bytes(q - k, s, n))
			return q - k;
	return NULL;
}

const char *
rfind(const char *p, const char *end, const char *s, size_t n)
{
	const char *q;

	if ((size_t)(end - p) < n)
		return NULL;
	for (q = end - n; q >= p; q--)
		if (*q == *s && memcmp(q, s, n) == 0)
			return q;
	return NULL;
}


enum pr_result
take_src(const char **pp, const char *end, struct ad_event *ev,
    const char *after)
{
	const char *p = *pp, *q;
	size_t l;

	l = ad_addr_scan(p, end, &ev->src);
	q = p + l;
	if (l > 0 && (q == end || *q == ' ' || (after && *q && strchr(after, *q)))) {
		*pp = q;
		return PR_EVENT;
	}
	/* Not an address: a host name (UseDNS yes) or something broken? */
	for (q = p; q < end && host_char((unsigned char)*q); q++)
		;
	if (q > p && (q == end || *q == ' ' || (after && *q && strchr(after, *q))))
		return PR_HOSTNAME;
	return PR_BADADDR;
}

unsigned
take_port(const char **pp, const char *end)
{
	const char *p = *pp;
	unsigned v = 0;

	while (p < end && *p >= '0' && *p <= '9' && v <= 65535) {
		v = v * 10 + (unsigned)(*p - '0');
		p++;
	}
	if (p == *pp || v > 65535)
		return 0;
	*pp = p;
	return v;
}
