/*
 * parse_int.h - what the envelope and the family parsers share.
 *
 * Family parsers get the message (after the envelope) and fill the event's
 * address, ports, kind and user. They return one of enum pr_result. They
 * never convert time: parser.c does that once a line is known to be a hit.
 */
#ifndef AD_PARSE_INT_H
#define AD_PARSE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "abusedesk/ad_event.h"
#include "abusedesk/ad_parse.h"
#include "abusedesk/ad_time.h"

enum pr_result {
	PR_NONE = 0,		/* not hostile, or not ours */
	PR_EVENT,		/* hostile; ev filled */
	PR_HOSTNAME,		/* hostile, but the source is a host name */
	PR_BADADDR,		/* hostile, but the source address is malformed */
	PR_AMBIGUOUS,		/* hostile, but two places could name the source */
};

enum env_time {
	ENV_TIME_NONE = 0,
	ENV_TIME_BSD,		/* "Mmm dd hh:mm:ss", local */
	ENV_TIME_ISO,		/* ISO 8601, with or without offset */
	ENV_TIME_EPOCH_US,	/* journald __REALTIME_TIMESTAMP */
};

/*
 * Zeroes the structs made for every line (the envelope, the event). GCC
 * expands a memset of more than 80 bytes of known size as `rep stos`,
 * whose start-up cost on such short lengths is more than the stores:
 * plain 16-byte stores made parsing 5 % faster. The empty asm keeps the
 * loop from being turned back into that memset.
 */
static inline void
zero_struct(void *p, size_t n)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i + 16 <= n; i += 16) {
		memset(b + i, 0, 16);
		__asm__("" : : "r"(b + i) : "memory");
	}
	memset(b + i, 0, n - i);
}

/* What line_bytes finds in a line: a NUL, a byte above ASCII. */
enum { LINE_NUL = 1, LINE_HIGH = 2 };

/*
 * One pass over a hit's line for both checks that follow it: a NUL byte
 * rejects it, and only a line with bytes above ASCII needs the UTF-8
 * validator (a memchr and a validator pass read it twice: parsing 2 %
 * slower). LINE_NUL alone when there is a NUL.
 */
static inline unsigned
line_bytes(const char *line, size_t len)
{
	const unsigned char *s = (const unsigned char *)line;
	unsigned found = 0;
	size_t i = 0;

#if defined(__SSE2__)
	const __m128i zero = _mm_setzero_si128();

	for (; len - i >= 16; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));

		if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)) != 0)
			return LINE_NUL;
		if (_mm_movemask_epi8(v) != 0)
			found = LINE_HIGH;
	}
#endif
	for (; i < len; i++) {
		if (s[i] == 0)
			return LINE_NUL;
		if (s[i] >= 0x80)
			found = LINE_HIGH;
	}
	return found;
}

/* A line split into its envelope parts; all spans point into the line. */
struct envelope {
	enum env_time	 time_kind;
	const char	*time;		/* start of the stamp */
	const char	*time_end;	/* end of the text the stamp lies in */
	int64_t		 epoch_us;	/* ENV_TIME_EPOCH_US */
	const char	*prog;		/* program tag, without [pid] */
	size_t		 prog_len;
	const char	*msg;
	size_t		 msg_len;
	const char	*host;		/* NULL if none */
	size_t		 host_len;
	uint32_t	 pid;		/* 0 if none */
	bool		 has_envelope;	/* false: a bare message */
	struct env_derived *derived;	/* the memo's for host and tag, or NULL */
	/* Journal JSON: the MESSAGE is decoded into storage owned by the parser. */
};

/* What parser.c derives from a remembered host and tag, once for all lines. */
struct env_derived {
	int		family;		/* of the tag; -1: not known yet */
	uint64_t	host_hash;	/* of the host, for connections; 0: not yet */
};

/*
 * The host and program tag after a syslog stamp repeat from line to line,
 * and finding them is most of the cost of a line. A few recent ones are
 * remembered as the bytes from after the stamp through the byte that ends
 * the tag's name: a line starting with the same bytes takes the same way
 * up to the tag, so only the tag ([PID] and colon) is read again. Only the
 * bytes decide, so the memo never changes a result; it is bounded, and
 * clearing it (ENV_MEMO_CLEAR) is always safe.
 */
#define ENV_MEMO_SLOTS	8
#define ENV_MEMO_KEY	64

struct env_memo_slot {
	char		key[ENV_MEMO_KEY];
	uint8_t		len;		/* of key; 0: empty */
	uint8_t		tag;		/* offset of the tag in key */
	uint8_t		host;		/* offset of the host in key */
	uint8_t		host_len;	/* 0: no host */
	bool		bracketed;	/* "[TAG]" */
	uint32_t	pid;		/* env->pid as the rounds before the tag left it */
	struct env_derived derived;
};

struct env_memo {
	struct env_memo_slot	slot[ENV_MEMO_SLOTS];
	unsigned		next;		/* the slot to replace */
};

#define ENV_MEMO_CLEAR(m)	memset((m), 0, sizeof(*(m)))

/*
 * Splits line into envelope and message. json_buf receives a decoded
 * journald MESSAGE (the spans then point into it). memo (or NULL) speeds up
 * lines like recent ones; env->derived then points into it. Returns false
 * when the line is empty.
 */
bool	envelope_split(const char *line, size_t len, struct envelope *env,
	    char *json_buf, size_t json_cap, struct env_memo *memo);

/*
 * sshd writes one process per connection, and some failure lines name no
 * address ("Disconnecting: Too many authentication failures for root"):
 * the address comes from an earlier line of the same process. A small
 * direct-mapped table (host, pid) -> address remembers it; a collision
 * only forgets, it never attributes to the wrong connection.
 */
#define CONN_SLOTS	4096

struct conn_map {
	uint64_t	key[CONN_SLOTS];	/* 0 = empty */
	struct ad_addr	addr[CONN_SLOTS];
	bool		auth[CONN_SLOTS];	/* it failed an authentication */
};

/*
 * What a line does with its connection, recorded (ad_parser_defer_conns)
 * for ad_parser_resolve to do in line order on the thread that owns the
 * map: AD_CONN_* of ad_parse.h, and the address to remember.
 */
struct conn_rec {
	unsigned	ops;
	struct ad_addr	addr;		/* AD_CONN_REMEMBER's */
};

/* The connection a line belongs to: key 0 when unknown. */
struct conn {
	struct conn_map	*map;
	uint64_t	 key;
	struct conn_rec	*rec;		/* the line's record */
	bool		 defer;		/* record only: the map is not ours */
};

/* A line that is no event but tells its connection's address. */
void	conn_remember(const struct conn *c, const struct ad_addr *a);
/* True and *out set when the connection's address is known. */
bool	conn_recall(const struct conn *c, struct ad_addr *out, bool *auth);
/*
 * An event line without an address: ev->src becomes its connection's.
 * False when it is not known (the line is no event then). Deferred, it is
 * true and the address comes with ad_parser_resolve.
 */
bool	conn_recall_src(const struct conn *c, struct ad_event *ev);
/*
 * An event of the connection: a pre-auth close (probe) after failed
 * logins of the same address ends a brute force; the connection then
 * remembers the address, and whether it failed an authentication.
 */
void	conn_settle(const struct conn *c, struct ad_event *ev);

/* --- families ------------------------------------------------------ */

/* What a family parser sees of one line. */
struct pline {
	const char		*msg;	/* the message; the whole line for line formats */
	size_t			 len;	/* msg is not NUL-terminated */
	const struct envelope	*env;	/* NULL when the file has no syslog envelope */
	struct ad_clockref	*clock;	/* for families that carry their own stamps */
	struct conn		 conn;	/* (host, pid) of the line; key 0 if unknown */
	void			*state;	/* the family's own state (state_new) */
};

struct legend {
	const char *format;	/* an event's `format` */
	const char *text;
};

/*
 * One log family. Only `name` and `parse` are required. A family parser
 * fills the event's address, ports, kind, category, service and format; it
 * may set ev->time itself (formats with their own stamps), otherwise the
 * envelope's stamp is used. It never needs to check NUL or UTF-8: parser.c
 * does that for hits.
 */
struct family {
	const char		*name;		/* --format name: "web-access" */
	const char *const	*aliases;	/* other --format names; NULL-ended */
	/*
	 * Syslog program tags, NULL-ended: exact ("sshd"), the part before a
	 * '/' ("postfix" for "postfix/smtpd"), or the part before the first
	 * '-' of a "%FACILITY-..." tag ("%ASA" for "%ASA-4-106023").
	 */
	const char *const	*tags;
	/*
	 * A line (or message) without a syslog envelope is ours: cheap, looks
	 * at the first bytes. With whole_file, the first line of a file that
	 * claims() puts the whole file in this format and later lines skip the
	 * envelope (access logs, EVE JSON, fast.log); without, claims() guesses
	 * per bare message (SSHGuard's test format, `journalctl -o cat`).
	 */
	bool			(*claims)(const char *line, size_t len);
	bool			 whole_file;
	enum pr_result		(*parse)(struct pline *pl, struct ad_event *ev);
	void			*(*state_new)(void);	/* NULL: stateless */
	/*
	 * The state carries from line to line (sessions, multi-line records,
	 * a header): a parse that starts from a guessed position may not
	 * read such lines (ad_parser_speculate).
	 */
	bool			 carries;
	void			(*state_free)(void *state);
	void			(*state_reset)(void *state);	/* a new file begins */
	/* "parse.NAME.KEY = VALUE"; returns AD_OK or AD_ERR_CONFIG (diag). */
	int			(*option)(void *state, const char *key,
				    const char *value, struct ad_diag *diag);
	const struct legend	*legends;	/* ends with { NULL, NULL } */
};

/* One definition per family, in lib/out/parse/parse_<name>.c. */
extern const struct family fam_sshd, fam_netfilter, fam_filterlog;
extern const struct family fam_web_access, fam_web_error, fam_haproxy,
    fam_squid;
extern const struct family fam_postfix, fam_dovecot, fam_exim, fam_sendmail,
    fam_courier, fam_cyrus;
extern const struct family fam_vsftpd, fam_proftpd, fam_pureftpd, fam_wuftpd;
extern const struct family fam_suricata_eve, fam_snort_fast, fam_snort_full,
    fam_cisco_asa, fam_pflog;
extern const struct family fam_named, fam_mysql, fam_asterisk, fam_pam,
    fam_selinux, fam_xinetd, fam_fail2ban;
extern const struct family fam_iis, fam_qmail, fam_perdition, fam_uwimap,
    fam_opensmtpd, fam_cucipop;

/*
 * Families with their own stamps convert them with ad_time_scan_*() and
 * pl->clock (year inference, zone), on hits only: time is the costly part.
 */

/* --- shared grammar ------------------------------------------------- */

#define LIT(s)	(s), (sizeof(s) - 1)

/* True and advances *p when [*p, end) starts with s. */
static inline bool
eat(const char **p, const char *end, const char *s, size_t n)
{
	if ((size_t)(end - *p) < n || memcmp(*p, s, n) != 0)
		return false;
	*p += n;
	return true;
}

static inline bool
starts(const char *p, const char *end, const char *s, size_t n)
{
	return (size_t)(end - p) >= n && memcmp(p, s, n) == 0;
}

/*
 * The first byte a, b or c in [p, end), or end (repeat a byte for fewer).
 * Eight bytes at a time: for x = word ^ a repeated, (x - 0x01..) & ~x &
 * 0x80.. marks the bytes equal to a, exactly up to the first one (the
 * borrow only reaches bytes above it), so the lowest mark is the answer.
 * For short fields, where a memchr call costs more than the search.
 */
static inline const char *
skip_to(const char *p, const char *end, char a, char b, char c)
{
	const uint64_t ones = UINT64_C(0x0101010101010101), high = ones << 7;
	const uint64_t ca = ones * (unsigned char)a, cb = ones * (unsigned char)b,
	    cc = ones * (unsigned char)c;
	uint64_t w, x, y, z, m;

	for (; end - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		x = w ^ ca;
		y = w ^ cb;
		z = w ^ cc;
		m = (((x - ones) & ~x) | ((y - ones) & ~y) | ((z - ones) & ~z)) &
		    high;
		if (m != 0) {
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return p + (__builtin_ctzll(m) >> 3);
#else
			break;
#endif
		}
	}
	while (p < end && *p != a && *p != b && *p != c)
		p++;
	return p;
}

/* memcmp(a, b, n) == 0 without a call, for the few bytes of a key or needle. */
static inline bool
same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	size_t i;

	if (n < 8) {
		for (i = 0; i < n; i++)
			if (a[i] != b[i])
				return false;
		return true;
	}
	for (i = 0; i + 8 < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return false;
	}
	memcpy(&x, a + n - 8, 8);	/* the last eight, overlapping */
	memcpy(&y, b + n - 8, 8);
	return x == y;
}

/* The end of [p, end) without trailing blanks, tabs and CRs (CRLF logs). */
static inline const char *
trim_end(const char *p, const char *end)
{
	while (end > p && (end[-1] == ' ' || end[-1] == '\r' || end[-1] == '\t'))
		end--;
	return end;
}

/* A byte of a host name (as resolvers and syslog print them). */
static inline bool
host_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

/* A family's verdict: ev is an event of this category and kind. */
static inline enum pr_result
hit(struct ad_event *ev, enum ad_category cat, const char *kind)
{
	ev->category = cat;
	ev->kind = kind;
	return PR_EVENT;
}

/*
 * A server's own record of a client: a TCP session took place, so the
 * evidence is proven. Names the service and the log format.
 */
static inline void
tcp_session(struct ad_event *ev, const char *service, const char *format)
{
	ev->service = service;
	ev->format = format;
	ev->proto = AD_PROTO_TCP;
	ev->evidence = AD_EVIDENCE_PROVEN;
}

/* tcp_session() and hit() at once. */
static inline enum pr_result
tcp_hit(struct ad_event *ev, const char *service, const char *format,
    enum ad_category cat, const char *kind)
{
	tcp_session(ev, service, format);
	return hit(ev, cat, kind);
}

/* Last occurrence of s in [p, end), or NULL. */
const char *rfind(const char *p, const char *end, const char *s, size_t n);
/* First occurrence of s in [p, end), or NULL. */
const char *find(const char *p, const char *end, const char *s, size_t n);

/*
 * The mail service of an IMAP/POP3 server's line: "pop3" when its program
 * tag names POP (pop3d, ipop3d, perdition.pop3s), else "imap".
 */
static inline const char *
imap_or_pop3(const struct pline *pl)
{
	const struct envelope *e = pl->env;

	return e != NULL && e->prog != NULL &&
	    find(e->prog, e->prog + e->prog_len, LIT("pop")) != NULL ?
	    "pop3" : "imap";
}

/*
 * Reads the source address at *p into ev->src; what follows must be the end,
 * a space, or one of the bytes in `after`. Distinguishes a host name
 * (PR_HOSTNAME) from garbage (PR_BADADDR). Advances *p on success.
 */
enum pr_result take_src(const char **p, const char *end, struct ad_event *ev,
	    const char *after);

/* Reads a decimal port (1..65535); returns 0 if none. Advances *p. */
unsigned take_port(const char **p, const char *end);

/*
 * Snort/Suricata alert text, shared by snort-fast, snort-full and the
 * syslog form of suricata (parse_snort_fast.c). snort_signature reads
 * "[GID:SID:REV] MSG" at p into ev->detail and returns the end of MSG (or
 * NULL); snort_class_prio reads "[Classification: X]" into ev->label and
 * "[Priority: N]" into ev->severity; snort_flow reads "{PROTO} SRC ->
 * DST" after the last '{' of [p, end).
 */
const char *snort_signature(const char *p, const char *end,
	    struct ad_event *ev);
void	snort_class_prio(const char *p, const char *end, struct ad_event *ev);
enum pr_result snort_flow(const char *p, const char *end, struct ad_event *ev);

/*
 * A PAM "authentication failure; ... rhost=ADDR" message in [p, end)
 * (parse_pam.c): fills src, user and kind; the caller sets the rest.
 * PR_NONE without a remote host; PR_AMBIGUOUS when user-name injection
 * leaves two candidate hosts.
 */
enum pr_result pam_auth_failure(const char *p, const char *end,
	    struct ad_event *ev);

#endif
