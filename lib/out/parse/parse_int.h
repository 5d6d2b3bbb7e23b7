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
	/* Journal JSON: the MESSAGE is decoded into storage owned by the parser. */
};

/*
 * Splits line into envelope and message. json_buf receives a decoded
 * journald MESSAGE (the spans then point into it). Returns false when the
 * line is empty.
 */
bool	envelope_split(const char *line, size_t len, struct envelope *env,
	    char *json_buf, size_t json_cap);

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

/* The connection a line belongs to: key 0 when unknown. */
struct conn {
	struct conn_map	*map;
	uint64_t	 key;
};

void	conn_remember(const struct conn *c, const struct ad_addr *a, bool auth);
/* True and *out set when the connection's address is known. */
bool	conn_recall(const struct conn *c, struct ad_addr *out, bool *auth);

/* Family parsers. msg is not NUL-terminated. */
enum pr_result parse_sshd(const char *msg, size_t len, struct ad_event *ev,
	    const struct conn *conn);
enum pr_result parse_netfilter(const char *msg, size_t len, struct ad_event *ev);
enum pr_result parse_filterlog(const char *msg, size_t len, struct ad_event *ev);

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

/* Last occurrence of s in [p, end), or NULL. */
const char *rfind(const char *p, const char *end, const char *s, size_t n);
/* First occurrence of s in [p, end), or NULL. */
const char *find(const char *p, const char *end, const char *s, size_t n);

/*
 * Reads the source address at *p into ev->src; what follows must be the end,
 * a space, or one of the bytes in `after`. Distinguishes a host name
 * (PR_HOSTNAME) from garbage (PR_BADADDR). Advances *p on success.
 */
enum pr_result take_src(const char **p, const char *end, struct ad_event *ev,
	    const char *after);

/* Reads a decimal port (1..65535); returns 0 if none. Advances *p. */
unsigned take_port(const char **p, const char *end);

#endif
