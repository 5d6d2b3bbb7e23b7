/*
 * deliver.c - ad_deliver_send(): every check that must pass before a byte
 * leaves, then one transport (smtp.c or sendmail.c). See ad_deliver.h for
 * the contract; the checks live here once so that neither transport can
 * forget one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "abusedesk/ad_deliver.h"
#include "abusedesk/ad_email.h"
#include "deliver_int.h"

void
deliver_detail_add(struct ad_send_result *res, const char *s, size_t n,
    bool stop_at_eol)
{
	size_t k = strlen(res->detail);

	for (size_t i = 0; i < n && k + 1 < sizeof(res->detail); i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r' || c == '\n') {
			if (stop_at_eol)
				break;
			c = ' ';
		}
		res->detail[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	res->detail[k] = '\0';
}

void
deliver_detail(struct ad_send_result *res, const char *fmt, ...)
{
	char tmp[sizeof(res->detail)];
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	res->detail[0] = '\0';
	if (k > 0)
		deliver_detail_add(res, tmp, strlen(tmp), false);
}

/* Headers that RFC 5322 3.6 allows at most once. */
static const char *const once[] = {
	"from", "sender", "reply-to", "to", "cc", "subject", "date",
	"message-id", "in-reply-to", "references",
};
#define N_ONCE (sizeof(once) / sizeof(once[0]))

/*
 * Walks the header block: calls fn(name, nlen, value, vlen) per header
 * with the value unfolded as raw lines (continuations included, line ends
 * kept). Returns false on any structural fault (see ad_deliver.h).
 */
typedef bool (*header_fn)(void *arg, const char *name, size_t nlen,
    const char *val, size_t vlen);

static bool
walk_headers(const char *msg, size_t len, header_fn fn, void *arg)
{
	size_t pos = 0, seen[N_ONCE] = { 0 };
	int crlf = -1;			/* line-end style of the block */
	const char *hname = NULL, *hval = NULL;
	size_t hnlen = 0;

	if (msg == NULL)
		return false;
	for (;;) {
		size_t start = pos, end, next;
		bool this_crlf;

		while (pos < len && msg[pos] != '\n') {
			unsigned char c = (unsigned char)msg[pos];

			if (c == '\r') {
				if (pos + 1 >= len || msg[pos + 1] != '\n')
					return false;	/* bare CR */
			} else if (c != '\t' && (c < 0x20 || c > 0x7e))
				return false;		/* NUL, control, 8-bit */
			pos++;
		}
		if (pos >= len)
			return false;		/* no empty line ends the block */
		this_crlf = pos > start && msg[pos - 1] == '\r';
		end = this_crlf ? pos - 1 : pos;
		next = pos + 1;
		if (crlf == -1)
			crlf = this_crlf;
		else if (crlf != this_crlf)
			return false;		/* mixed line ends */
		if (end - start > AD_DELIVER_LINE_MAX)
			return false;
		if (end == start || msg[start] == ' ' || msg[start] == '\t') {
			/* empty line, or a continuation */
			if (end != start) {
				size_t i = start;

				while (i < end && (msg[i] == ' ' || msg[i] == '\t'))
					i++;
				if (i == end || hname == NULL)
					return false;
			}
		}
		if (end == start || (msg[start] != ' ' && msg[start] != '\t')) {
			/* the previous header is complete */
			if (hname != NULL && fn != NULL &&
			    !fn(arg, hname, hnlen, hval,
			    (size_t)(msg + start - hval)))
				return false;
			hname = NULL;
		}
		if (end == start)
			return crlf != -1 && start > 0;
		if (msg[start] != ' ' && msg[start] != '\t') {
			size_t i = start;

			while (i < end && msg[i] != ':' && msg[i] > ' ')
				i++;
			if (i == start || i >= end || msg[i] != ':')
				return false;	/* not "Name:" */
			hname = msg + start;
			hnlen = i - start;
			hval = msg + i + 1;
			/* We never write Bcc; Resent-* would redirect
			 * sendmail -t (RFC 5322 3.6.6 resends). */
			if ((hnlen == 3 && strncasecmp(hname, "bcc", 3) == 0) ||
			    (hnlen > 7 && strncasecmp(hname, "resent-", 7) == 0))
				return false;
			for (size_t k = 0; k < N_ONCE; k++)
				if (strlen(once[k]) == hnlen &&
				    strncasecmp(once[k], hname, hnlen) == 0 &&
				    seen[k]++ > 0)
					return false;
		}
		pos = next;
	}
}

bool
ad_deliver_headers_ok(const char *msg, size_t len)
{
	return walk_headers(msg, len, NULL, NULL);
}

/* The addresses of the To and Cc headers (sendmail -t reads them). */
struct addrs {
	char	a[AD_DELIVER_RCPT_MAX][AD_EMAIL_MAX + 1];
	size_t	n;
	bool	bad;
};

static bool
add_addr(struct addrs *as, const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n == 0)
		return true;		/* "a@b.c, " */
	if (!ad_email_valid(s, n) || as->n >= AD_DELIVER_RCPT_MAX)
		return false;
	memcpy(as->a[as->n], s, n);
	as->a[as->n++][n] = '\0';
	return true;
}

/*
 * One address list: items split at commas outside quotes; an item is a
 * bare address or "display name <address>". Comments and groups are
 * refused: our composer writes neither, so seeing one means someone else
 * wrote this header.
 */
static bool
on_header(void *arg, const char *name, size_t nlen, const char *v, size_t vl)
{
	struct addrs *as = arg;
	const char *item = v, *lt = NULL, *gt = NULL;
	bool q = false;

	if (!((nlen == 2 && strncasecmp(name, "to", 2) == 0) ||
	    (nlen == 2 && strncasecmp(name, "cc", 2) == 0)))
		return true;
	for (size_t i = 0; i <= vl; i++) {
		char c = i < vl ? v[i] : ',';

		if (q) {
			if (c == '\\')
				i++;
			else if (c == '"')
				q = false;
			continue;
		}
		if (c == '"')
			q = true;
		else if (c == '(' || c == ')' || c == ':' || c == ';')
			as->bad = true;
		else if (c == '<') {
			if (lt != NULL)
				as->bad = true;
			lt = v + i;
		} else if (c == '>') {
			if (lt == NULL || gt != NULL)
				as->bad = true;
			gt = v + i;
		} else if (c == ',') {
			if (lt != NULL && gt != NULL) {
				const char *p = gt + 1;

				for (; p < v + i; p++)
					if (*p != ' ' && *p != '\t' &&
					    *p != '\r' && *p != '\n')
						as->bad = true;
				if (!add_addr(as, lt + 1, (size_t)(gt - lt - 1)))
					as->bad = true;
			} else if (lt != NULL || gt != NULL)
				as->bad = true;
			else if (!add_addr(as, item, (size_t)(v + i - item)))
				as->bad = true;
			item = v + i + 1;
			lt = gt = NULL;
		}
	}
	if (q)
		as->bad = true;
	return !as->bad;
}

static bool
in_list(const char *a, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(a, list[i]) == 0)
			return true;
	return false;
}

/* sendmail -t: the To/Cc addresses must be exactly the envelope's. */
static bool
headers_name_rcpts(const char *msg, size_t len, const char *const *rcpt,
    size_t n)
{
	static struct addrs zero;
	struct addrs as = zero;
	const char *ptrs[AD_DELIVER_RCPT_MAX];

	if (!walk_headers(msg, len, on_header, &as) || as.bad || as.n == 0)
		return false;
	for (size_t i = 0; i < as.n; i++) {
		ptrs[i] = as.a[i];
		if (!in_list(as.a[i], rcpt, n))
			return false;
	}
	for (size_t i = 0; i < n; i++)
		if (!in_list(rcpt[i], ptrs, as.n))
			return false;
	return true;
}

static bool
starts_with_ci(const char *s, const char *p)
{
	return strncasecmp(s, p, strlen(p)) == 0;
}

int
ad_deliver_send(const struct ad_relay *relay, const char *from,
    const char *const *rcpt, size_t n, const char *msg, size_t len,
    struct ad_send_result *res, struct ad_diag *diag)
{
	static const struct ad_send_result zero;

	*res = zero;
	res->permanent = true;		/* until a transport says otherwise */
	if (relay == NULL || from == NULL || rcpt == NULL || msg == NULL) {
		deliver_detail(res, "missing argument");
		return ad_diag_set(diag, AD_ERR_USAGE, "deliver", 0,
		    "%s", res->detail);
	}
	if (!ad_email_valid(from, strlen(from))) {
		deliver_detail(res, "invalid envelope sender");
		return ad_diag_set(diag, AD_ERR_USAGE, "deliver", 0,
		    "%s", res->detail);
	}
	if (n == 0 || n > AD_DELIVER_RCPT_MAX) {
		deliver_detail(res, "%zu recipients (1 to %d)", n,
		    AD_DELIVER_RCPT_MAX);
		return ad_diag_set(diag, AD_ERR_USAGE, "deliver", 0,
		    "%s", res->detail);
	}
	for (size_t i = 0; i < n; i++)
		if (rcpt[i] == NULL || !ad_email_valid(rcpt[i], strlen(rcpt[i]))) {
			deliver_detail(res, "invalid recipient #%zu", i + 1);
			return ad_diag_set(diag, AD_ERR_USAGE, "deliver", 0,
			    "%s", res->detail);
		}
	if (len > AD_DELIVER_MSG_MAX) {
		deliver_detail(res, "message of %zu bytes (at most %u)", len,
		    AD_DELIVER_MSG_MAX);
		return ad_diag_set(diag, AD_ERR_USAGE, "deliver", 0,
		    "%s", res->detail);
	}
	for (size_t i = 0; i < len; i++)
		if (msg[i] == '\0' ||
		    (msg[i] == '\r' && (i + 1 >= len || msg[i + 1] != '\n'))) {
			deliver_detail(res, "NUL or bare CR at byte %zu", i);
			return ad_diag_set(diag, AD_ERR_USAGE, "deliver", 0,
			    "%s", res->detail);
		}
	if (!ad_deliver_headers_ok(msg, len)) {
		deliver_detail(res, "unsafe or malformed header block");
		return ad_diag_set(diag, AD_ERR_USAGE, "deliver", 0,
		    "%s", res->detail);
	}
	if (relay->url[0] == '\0') {
		if (relay->sendmail[0] != '\0' && relay->sendmail[0] != '/') {
			deliver_detail(res, "sendmail must be an absolute path");
			return ad_diag_set(diag, AD_ERR_CONFIG, "relay.sendmail",
			    0, "%s", res->detail);
		}
		if (!headers_name_rcpts(msg, len, rcpt, n)) {
			deliver_detail(res, "To/Cc headers do not name exactly"
			    " the envelope recipients (sendmail -t)");
			return ad_diag_set(diag, AD_ERR_USAGE, "deliver", 0,
			    "%s", res->detail);
		}
		return deliver_sendmail(relay, from, msg, len, res, diag);
	}
	if (!starts_with_ci(relay->url, "smtp://") &&
	    !starts_with_ci(relay->url, "smtps://")) {
		deliver_detail(res, "relay URL must be smtp:// or smtps://");
		return ad_diag_set(diag, AD_ERR_CONFIG, "relay.url", 0, "%s",
		    res->detail);
	}
	return deliver_smtp(relay, from, rcpt, n, msg, len, res, diag);
}
