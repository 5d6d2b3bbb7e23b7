/*
 * ad_parse.h - log lines to events: the syslog envelope, then one parser
 * per log family chosen by the program tag.
 *
 * The parser is pure: bytes in, struct ad_event out; no files, no store, no
 * network, so it fuzzes well and could later run in a sandboxed child.
 *
 *   line -> envelope (RFC 3164, RFC 5424, ISO 8601 rsyslog/journalctl
 *           short-iso, journalctl -o json, "host tag[pid]:", bare message)
 *        -> dispatch on the program tag (sshd, kernel, filterlog, ...)
 *        -> family parser, which looks at the first bytes of the message and
 *           parses an address only on candidate lines
 *        -> checks (NUL, UTF-8, address) and the time, on hits only.
 *
 * Never does a line go through every pattern: the tag (or, for bare
 * messages, the first word) picks one family. The stamp is converted only
 * when the line is an event, because time conversion is the costly part.
 *
 * The envelope is sniffed per file: the first line that has one puts the
 * parser in syslog mode, where later lines without an envelope are skipped
 * as "unknown format"; a file whose first line is a bare message (SSHGuard's
 * test format, `journalctl -o cat`) is parsed as bare messages throughout.
 */
#ifndef AD_PARSE_H
#define AD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_buf.h"
#include "ad_err.h"
#include "ad_event.h"

#define AD_LINE_MAX	(64 * 1024)	/* longer lines are skipped, never buffered */

/* Why a line was skipped; the scan summary prints these. */
enum ad_skip {
	AD_SKIP_TOO_LONG = 0,	/* over AD_LINE_MAX */
	AD_SKIP_NUL,		/* NUL bytes: corruption, e.g. after a crash */
	AD_SKIP_UTF8,		/* invalid UTF-8 (sshd escapes its input; this is damage) */
	AD_SKIP_UNKNOWN_FORMAT,	/* no envelope in a syslog file */
	AD_SKIP_HOSTNAME,	/* hostile, but names a host, not an address */
	AD_SKIP_BAD_ADDRESS,	/* hostile, but the address is malformed */
	AD_SKIP_TRUNCATED,	/* last line of a file without its newline */
	AD_SKIP_AMBIGUOUS,	/* two candidate sources (user-name injection) */
	AD_SKIP__COUNT
};

struct ad_parse_stats {
	uint64_t lines;
	uint64_t bytes;
	uint64_t events;	/* lines that produced an event */
	uint64_t skipped[AD_SKIP__COUNT];
};

/*
 * Log families, each a parser for one program's messages (the names are
 * what --format takes; lib/out/parse/parse_<name>.c holds each). A family
 * may read several formats (web-access: common, combined, ...); the event's
 * `format` names the one a line was in, and ad_format_legend() explains it.
 */
enum ad_family {
	AD_FAMILY_AUTO = 0,	/* by program tag, or by sniffing the file */
	AD_FAMILY_SSHD,
	AD_FAMILY_NETFILTER,	/* iptables LOG, UFW, nftables log */
	AD_FAMILY_FILTERLOG,	/* pfSense/OPNsense pf filterlog CSV */
	/* web */
	AD_FAMILY_WEB_ACCESS,	/* Apache, nginx, lighttpd access logs */
	AD_FAMILY_WEB_ERROR,	/* Apache, nginx error logs, ModSecurity */
	AD_FAMILY_HAPROXY,
	AD_FAMILY_SQUID,
	/* mail */
	AD_FAMILY_POSTFIX,
	AD_FAMILY_DOVECOT,
	AD_FAMILY_EXIM,
	AD_FAMILY_SENDMAIL,
	AD_FAMILY_COURIER,
	AD_FAMILY_CYRUS,
	/* ftp */
	AD_FAMILY_VSFTPD,
	AD_FAMILY_PROFTPD,
	AD_FAMILY_PUREFTPD,
	AD_FAMILY_WUFTPD,
	/* intrusion detection and network devices */
	AD_FAMILY_SURICATA_EVE,	/* Suricata EVE JSON */
	AD_FAMILY_SNORT_FAST,	/* Suricata/Snort fast.log */
	AD_FAMILY_SNORT_FULL,	/* Snort full alert (multi-line) */
	AD_FAMILY_CISCO_ASA,	/* Cisco ASA/PIX/FTD syslog */
	AD_FAMILY_PFLOG,	/* OpenBSD pf: tcpdump -n -e -ttt -r pflog */
	/* others */
	AD_FAMILY_NAMED,
	AD_FAMILY_MYSQL,
	AD_FAMILY_ASTERISK,
	AD_FAMILY_PAM,		/* pam_unix and other PAM modules, su */
	AD_FAMILY_SELINUX,	/* audit USER_LOGIN/USER_AUTH res=failed */
	AD_FAMILY_XINETD,
	AD_FAMILY_FAIL2BAN,	/* fail2ban's own log: repeat offenders */
	/* added later: new families go at the end */
	AD_FAMILY_IIS,		/* Microsoft IIS W3C extended access log */
	AD_FAMILY_QMAIL,	/* qmail-smtpd, rblsmtpd */
	AD_FAMILY_PERDITION,	/* perdition IMAP/POP3 proxy */
	AD_FAMILY_UWIMAP,	/* UW IMAP imapd/ipop3d */
	AD_FAMILY_OPENSMTPD,
	AD_FAMILY_CUCIPOP,
	AD_FAMILY__COUNT
};

struct ad_parser;

/*
 * Creates a parser. year > 0 fixes the year of year-less stamps; otherwise
 * they are placed relative to ref (a file's mtime, or --now). Returns NULL
 * when out of memory.
 */
struct ad_parser *ad_parser_new(enum ad_family family, int64_t ref, int year);
void	ad_parser_free(struct ad_parser *p);

/* Starts a new file: forgets the sniffed envelope and re-bases the clock. */
void	ad_parser_reset(struct ad_parser *p, int64_t ref);

/*
 * What the parser knows across lines of a file (the address of each open
 * sshd connection, for lines that name none), as bytes a scan stores with
 * each checkpoint: ad_parser_save appends them to out; ad_parser_restore
 * (after ad_parser_reset, on resuming the file) takes them back. Returns
 * AD_OK, AD_ERR_NOMEM, or AD_ERR_PARSE for damaged bytes (nothing is
 * restored then).
 */
int	ad_parser_save(const struct ad_parser *p, struct ad_buf *out) AD_WUR;
int	ad_parser_restore(struct ad_parser *p, const void *data,
	    size_t len) AD_WUR;

/*
 * Parses one line (without its newline; need not be NUL-terminated).
 * Returns 1 and fills ev when the line is hostile, 0 when it is not (or was
 * skipped: the reason is counted in the stats). ev borrows from line.
 * With deferred connections (below) it may also return 2: no event, but
 * connection work for ad_parser_resolve; speculating, -1 (below).
 */
int	ad_parse_line(struct ad_parser *p, const char *line, size_t len,
	    struct ad_event *ev);

/*
 * Deferred connections: the parser no longer reads or writes its map of
 * sshd connections (which address a process has) but records what each
 * line would do (ad_parser_conn_work after ad_parse_line), and another
 * thread does it in line order with ad_parser_resolve. That thread then
 * owns the map (and ad_parser_save); the parsing thread owns everything
 * else. A scan with two threads parses on one and absorbs on the other:
 * the map is then exact at every absorbed line, where a checkpoint needs
 * it.
 */
enum {
	AD_CONN_REMEMBER = 1,	/* a line that names its connection's address */
	AD_CONN_RECALL_SRC = 2,	/* an event that takes it from the connection */
	AD_CONN_SETTLE = 4	/* an event: may end a brute force, remembered */
};

struct ad_conn_work {
	uint64_t	key;		/* the connection (host, pid) */
	uint8_t		ops;		/* AD_CONN_*; 0: nothing to do */
	int8_t		counted;	/* what the stats counted for the line:
					   -1 nothing, AD_SKIP__COUNT an event,
					   else a skip reason */
};

void	ad_parser_defer_conns(struct ad_parser *p, bool on);

/*
 * What else a parser carries from line to line, besides the connection map
 * and the state of the families that keep one: the format it sniffed, the
 * last family a bare message was taken for, and the clock of year-less
 * stamps. With deferred connections and no such family, a parser set to a
 * chunk's carry parses that chunk as the one that read every line before
 * it would: so two parsers may parse a file's chunks side by side, each
 * checked against the carry the chunk before it left (ad_parse_carry_same).
 */
#include "ad_time.h"

struct ad_parse_carry {
	int			sniff;
	int			file_family;
	int64_t			ref;
	int			year;
	struct ad_clockref	clock;
};

void	ad_parser_carry_get(const struct ad_parser *p, struct ad_parse_carry *c);
void	ad_parser_carry_set(struct ad_parser *p, const struct ad_parse_carry *c);
/* The same position for parsing (caches aside). */
bool	ad_parse_carry_same(const struct ad_parse_carry *a,
	    const struct ad_parse_carry *b);
/*
 * Speculating (a chunk parsed from a carry that may yet prove wrong): a
 * line of a family whose state carries across lines is not parsed, and
 * ad_parse_line returns -1 (the chunk must then be parsed in order).
 */
void	ad_parser_speculate(struct ad_parser *p, bool on);
/* The connection work of the line ad_parse_line just parsed. */
void	ad_parser_conn_work(const struct ad_parser *p, struct ad_conn_work *w);
/*
 * Does a line's connection work, in line order: ev is what ad_parse_line
 * gave (with 2, the address to remember). Returns 1 when the event stands,
 * 0 when it does not (its connection was unknown: the line counts as
 * nothing, and `undo` receives what its parse counted).
 */
int	ad_parser_resolve(struct ad_parser *p, const struct ad_conn_work *w,
	    struct ad_event *ev, struct ad_parse_stats *undo);

/* Counts a line skipped before parsing (too long, truncated). */
void	ad_parser_count_skip(struct ad_parser *p, enum ad_skip why);

const struct ad_parse_stats *ad_parser_stats(const struct ad_parser *p);
/* Adds src into dst (worker threads merge their counts). */
void	ad_parse_stats_add(struct ad_parse_stats *dst,
	    const struct ad_parse_stats *src);

/* "sshd", "netfilter", ... and back (aliases too); -1 for an unknown name. */
const char *ad_family_name(enum ad_family f);
int	ad_family_from_name(const char *name);
/* True when this build has a parser for the family. */
bool	ad_family_available(enum ad_family f);

/*
 * Passes a family option (config "parse.FAMILY.KEY = VALUE", e.g. a custom
 * web log format) to the parser. Returns AD_ERR_CONFIG with a diagnostic
 * for an unknown family or key, or a bad value.
 */
int	ad_parser_option(struct ad_parser *p, const char *family,
	    const char *key, const char *value, struct ad_diag *diag);
/* All of a configuration's parse options (ad_config.h), in order. */
struct ad_parse_opt;
int	ad_parser_options(struct ad_parser *p, const struct ad_parse_opt *o,
	    size_t n, struct ad_diag *diag);
/* "line too long", ...; static. */
const char *ad_skip_name(enum ad_skip s);

/*
 * The field legend of a log format (an event's `format`): plain sentences
 * for a reader who has never seen that log ("SRC = source address, ...").
 * Reports include it. Returns NULL for an unknown format name.
 */
const char *ad_format_legend(const char *format);
/* Calls fn for every format with a legend (listing, tests). */
void	ad_format_legends(void (*fn)(const char *format, const char *legend,
	    void *arg), void *arg);

#endif
