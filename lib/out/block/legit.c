/*
 * legit.c - lines of our own logs that show legitimate traffic, so that
 * block advice can say "you would block a customer".
 *
 * The parsers (ad_parse.h) only report hostile lines; these four success
 * markers are all block advice needs, so they live here rather than as a
 * second mode of every parser. Each recogniser anchors on the syslog tag
 * and the start of the message: a marker quoted inside a user name or a
 * HELO never counts.
 */
#include <string.h>

#include "abusedesk/ad_block.h"
#include "abusedesk/ad_ingest.h"

static bool
starts(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* The last occurrence of lit in [p, end), or NULL. */
static const char *
find_last(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	const char *q, *found = NULL;

	for (q = p; (size_t)(end - q) >= n; q++)
		if (memcmp(q, lit, n) == 0)
			found = q;
	return found;
}

static const char *
find_first(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	const char *q;

	for (q = p; (size_t)(end - q) >= n; q++)
		if (memcmp(q, lit, n) == 0)
			return q;
	return NULL;
}

/*
 * The syslog tag: the word before the first ": " of the line, without its
 * "[pid]" ("sshd", "postfix/smtpd", "dovecot"); *msg is the message.
 */
static bool
syslog_tag(const char *line, const char *end, const char **tag,
    size_t *tag_len, const char **msg)
{
	const char *colon = find_first(line, end, ": ");
	const char *t, *te;

	if (colon == NULL || colon == line)
		return false;
	for (t = colon; t > line && t[-1] != ' '; t--)
		;
	te = colon;
	if (te > t && te[-1] == ']')
		for (te--; te > t && *te != '['; te--)
			;
	if (te == t)
		return false;
	*tag = t;
	*tag_len = (size_t)(te - t);
	*msg = colon + 2;
	return true;
}

static bool
tag_is(const char *tag, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(tag, name, n) == 0;
}

/* ADDR then one of the terminators (or the end): the address. */
static bool
addr_at(const char *p, const char *end, const char *stops,
    struct ad_addr *out)
{
	size_t n = ad_addr_scan(p, end, out);

	return n > 0 && (p + n == end || strchr(stops, p[n]) != NULL);
}

/* "Accepted METHOD for USER from ADDR port N ..." */
static bool
sshd_accepted(const char *m, const char *end, struct ad_addr *client)
{
	const char *from;

	if (!starts(m, end, "Accepted ") || find_first(m, end, " for ") == NULL)
		return false;
	/* The last " from ": a user name may hold one, never after it. */
	if ((from = find_last(m, end, " from ")) == NULL)
		return false;
	return addr_at(from + 6, end, " ", client);
}

/* "QUEUEID: client=NAME[ADDR]..." (postfix/smtpd, .../submission/smtpd) */
static bool
postfix_client(const char *m, const char *end, struct ad_addr *client)
{
	const char *p = m, *br;

	while (p < end && ((*p >= '0' && *p <= '9') || (*p >= 'A' &&
	    *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
		p++;
	if (p == m || !starts(p, end, ": client="))
		return false;
	p += 9;
	if ((br = memchr(p, '[', (size_t)(end - p))) == NULL)
		return false;
	return addr_at(br + 1, end, "]", client);
}

/* "imap-login: Login: user=<..>, method=.., rip=ADDR, lip=.." */
static bool
dovecot_login(const char *m, const char *end, struct ad_addr *client)
{
	const char *p = m, *rip;

	while (p < end && *p != ' ' && *p != ':')
		p++;
	if (p - m < 7 || memcmp(p - 6, "-login", 6) != 0 ||
	    !starts(p, end, ": Login: "))
		return false;
	if ((rip = find_last(p, end, ", rip=")) == NULL)
		return false;
	return addr_at(rip + 6, end, ",", client);
}

/* Apache writes a quote inside the request as \": odd backslashes. */
static bool
escaped(const char *start, const char *q)
{
	size_t n = 0;

	while (q > start && q[-1] == '\\') {
		q--;
		n++;
	}
	return n % 2 == 1;
}

/*
 * An access-log line: [VHOST[:PORT] ]ADDR ... [STAMP] "REQUEST" STATUS ...
 * with STATUS 2xx or 3xx.
 */
static bool
web_success(const char *line, const char *end, struct ad_addr *client)
{
	const char *p = line, *q;

	if (!addr_at(p, end, " ", client)) {
		/* vhost_combined: the virtual host comes first. */
		if ((p = memchr(line, ' ', (size_t)(end - line))) == NULL ||
		    !addr_at(++p, end, " ", client))
			return false;
	}
	if ((q = find_first(p, end, "] \"")) == NULL)
		return false;
	/* The request is escaped by the server: its end is the first '" '
	 * followed by a three-digit status. */
	for (q += 3; (q = find_first(q, end, "\" ")) != NULL; q++)
		if (!escaped(p, q) && end - q >= 6 && q[2] >= '1' &&
		    q[2] <= '5' && q[3] >= '0' && q[3] <= '9' &&
		    q[4] >= '0' && q[4] <= '9' && q[5] == ' ')
			return q[2] == '2' || q[2] == '3';
	return false;
}

bool
ad_block_legit_line(const char *line, size_t len, struct ad_addr *client)
{
	const char *end = line + len, *tag, *msg;
	size_t tl;

	memset(client, 0, sizeof(*client));
	if (len == 0)
		return false;
	if (web_success(line, end, client))
		return true;
	memset(client, 0, sizeof(*client));
	if (!syslog_tag(line, end, &tag, &tl, &msg))
		return false;
	if (tag_is(tag, tl, "sshd") || tag_is(tag, tl, "sshd-session"))
		return sshd_accepted(msg, end, client);
	if (tl > 8 && memcmp(tag, "postfix", 7) == 0 &&
	    memcmp(tag + tl - 6, "/smtpd", 6) == 0)
		return postfix_client(msg, end, client);
	if (tag_is(tag, tl, "dovecot"))
		return dovecot_login(msg, end, client);
	return false;
}

static bool
is_offender(const struct ad_block *b, const struct ad_addr *a)
{
	size_t lo = 0, hi = b->n_offenders;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = ad_addr_cmp(&b->offenders[mid], a);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool
ad_block_note_legit(struct ad_block *b, const struct ad_addr *client,
    const char *line, size_t len)
{
	struct ad_block_entry *e;
	size_t lo = 0, hi = b->n;
	bool off;

	/* The last entry whose network is <= client. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ad_addr_cmp(&b->entries[mid].cidr.addr, client) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || !ad_cidr_contains(&(e = &b->entries[lo - 1])->cidr,
	    client))
		return false;
	off = is_offender(b, client);
	e->legit_lines++;
	if (off)
		e->legit_offender_lines++;
	/* Prefer an example from an address that never offended. */
	if (e->example[0] == '\0' || (e->example_from_offender && !off)) {
		if (len > AD_BLOCK_EXAMPLE_MAX)
			len = AD_BLOCK_EXAMPLE_MAX;
		memcpy(e->example, line, len);
		e->example[len] = '\0';
		e->example_from_offender = off;
	}
	return true;
}

int
ad_block_check_file(struct ad_ctx *ctx, struct ad_block *b, const char *path,
    uint64_t *lines, struct ad_diag *diag)
{
	struct ad_reader *rd;
	struct ad_chunk ch;
	struct ad_addr client;
	const char *p, *end, *line;
	size_t len;
	uint64_t n = 0;
	int r;

	if ((r = ad_reader_open(ctx, path, &rd, diag)) != AD_OK)
		return r;
	while ((r = ad_reader_chunk(rd, &ch, diag)) == 1) {
		p = ch.data;
		end = ch.data + ch.len;
		while (ad_line_next(&p, end, &line, &len)) {
			n++;
			if (ad_block_legit_line(line, len, &client))
				(void)ad_block_note_legit(b, &client, line,
				    len);
		}
	}
	ad_reader_free(rd);
	b->legit_checked = true;
	if (lines)
		*lines = n;
	return r < 0 ? r : AD_OK;
}
