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

/* Log families a caller may force with --format. */
enum ad_family {
	AD_FAMILY_AUTO = 0,	/* by program tag */
	AD_FAMILY_SSHD,
	AD_FAMILY_NETFILTER,	/* iptables LOG, UFW, nftables log */
	AD_FAMILY_FILTERLOG,	/* pfSense/OPNsense pf filterlog CSV */
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
 * Parses one line (without its newline; need not be NUL-terminated).
 * Returns 1 and fills ev when the line is hostile, 0 when it is not (or was
 * skipped: the reason is counted in the stats). ev borrows from line.
 */
int	ad_parse_line(struct ad_parser *p, const char *line, size_t len,
	    struct ad_event *ev);

/* Counts a line skipped before parsing (too long, truncated). */
void	ad_parser_count_skip(struct ad_parser *p, enum ad_skip why);

const struct ad_parse_stats *ad_parser_stats(const struct ad_parser *p);
/* Adds src into dst (worker threads merge their counts). */
void	ad_parse_stats_add(struct ad_parse_stats *dst,
	    const struct ad_parse_stats *src);

/* "sshd", "netfilter", ... and back; -1 for an unknown name. */
const char *ad_family_name(enum ad_family f);
int	ad_family_from_name(const char *name);
/* "line too long", ...; static. */
const char *ad_skip_name(enum ad_skip s);

/*
 * The field legend of a log format: plain sentences for a reader who has
 * never seen that log ("SRC = source address, ..."). Reports include it.
 * Returns NULL for an unknown format name.
 */
const char *ad_format_legend(const char *format);

#endif
