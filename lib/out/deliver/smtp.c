/*
 * smtp.c - SMTP submission with libcurl (why libcurl: ad_deliver.h).
 *
 * libcurl reports a failed transaction as one CURLcode; what the queue
 * needs is which command failed and what the server said. A debug
 * callback keeps the last command sent (AUTH shortened to its verb, so a
 * credential never reaches the result) and the last final reply line, and
 * the classification reads the reply code from there: after a failure
 * libcurl's own CURLINFO_RESPONSE_CODE may already be QUIT's 221.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "abusedesk/ad_ctx.h"
#include "abusedesk/ad_email.h"
#include "deliver_int.h"

struct upload {
	const char	*msg;
	size_t		 len, pos;
	bool		 cr_due;	/* a bare LF is next: send its CR */
};

/* The message with every bare LF sent as CRLF; libcurl dot-stuffs. */
static size_t
on_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct upload *u = arg;
	size_t cap = size * nitems, k = 0;

	while (k < cap && u->pos < u->len) {
		char c = u->msg[u->pos];

		if (c == '\n' && !u->cr_due &&
		    (u->pos == 0 || u->msg[u->pos - 1] != '\r')) {
			buf[k++] = '\r';
			u->cr_due = true;
			continue;
		}
		buf[k++] = c;
		u->pos++;
		u->cr_due = false;
	}
	return k;
}

static curl_off_t
wire_size(const char *msg, size_t len)
{
	curl_off_t n = (curl_off_t)len;

	for (size_t i = 0; i < len; i++)
		if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
			n++;
	return n;
}

struct trace {
	char	cmd[300];	/* last command, e.g. "RCPT TO:<a@b.c>" */
	char	reply[400];	/* last final reply line to a command but QUIT */
	int	code;		/* its code */
	bool	quit;
	char	partial[400];	/* a reply line not yet complete */
};

static void
copy_line(char *dst, size_t cap, const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r' || c == '\n')
			break;
		dst[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	dst[k] = '\0';
}

static void
on_reply_line(struct trace *t, const char *s, size_t n)
{
	/* "250-..." continues a multi-line reply; "250 ..." or "250" ends it */
	if (n < 3 || s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '9' ||
	    s[2] < '0' || s[2] > '9' || (n > 3 && s[3] == '-'))
		return;
	if (t->quit)
		return;
	copy_line(t->reply, sizeof(t->reply), s, n);
	t->code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

static int
on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	struct trace *t = arg;

	(void)h;
	if (type == CURLINFO_HEADER_OUT) {
		if (size >= 4 && strncasecmp(data, "AUTH", 4) == 0)
			snprintf(t->cmd, sizeof(t->cmd), "AUTH");
		else if (size >= 4 && strncasecmp(data, "QUIT", 4) == 0)
			t->quit = true;
		else if (t->cmd[0] == '\0' || strncmp(t->cmd, "AUTH", 4) != 0 ||
		    (size >= 4 && (strncasecmp(data, "MAIL", 4) == 0 ||
		    strncasecmp(data, "EHLO", 4) == 0 ||
		    strncasecmp(data, "HELO", 4) == 0)))
			/* after AUTH come base64 credentials: not those */
			copy_line(t->cmd, sizeof(t->cmd), data, size);
	} else if (type == CURLINFO_HEADER_IN) {
		size_t i = 0;

		while (i < size) {
			const char *nl = memchr(data + i, '\n', size - i);
			size_t l = nl ? (size_t)(nl - data - i) : size - i;
			size_t have = strlen(t->partial);

			if (have + l + 1 < sizeof(t->partial)) {
				memcpy(t->partial + have, data + i, l);
				t->partial[have + l] = '\0';
			}
			if (nl == NULL)
				break;
			on_reply_line(t, t->partial, strlen(t->partial));
			t->partial[0] = '\0';
			i += l + 1;
		}
	}
	return 0;
}

/* Failures no retry can fix: a configuration or the peer's identity. */
static bool
curl_permanent(CURLcode rc)
{
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_USE_SSL_FAILED:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_LOGIN_DENIED:
	case CURLE_REMOTE_ACCESS_DENIED:
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_NOT_BUILT_IN:
		return true;
	default:
		return false;
	}
}

/* "smtp://host:port" + "/helo" (libcurl takes the EHLO name from the path). */
static bool
build_url(const struct ad_relay *relay, char *out, size_t cap)
{
	const char *p = strstr(relay->url, "://");

	for (const char *s = relay->url; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	for (const char *s = relay->helo; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
			return false;
	if (p == NULL || p[3] == '\0' || p[3] == '/')
		return false;
	if (relay->helo[0] == '\0' || strchr(p + 3, '/') != NULL)
		return snprintf(out, cap, "%s", relay->url) < (int)cap;
	return snprintf(out, cap, "%s/%s", relay->url, relay->helo) < (int)cap;
}

int
deliver_smtp(const struct ad_relay *relay, const char *from,
    const char *const *rcpt, size_t n, const char *msg, size_t len,
    struct ad_send_result *res, struct ad_diag *diag)
{
	char url[sizeof(relay->url) + sizeof(relay->helo) + 2];
	char addr[AD_EMAIL_MAX + 3], errbuf[CURL_ERROR_SIZE];
	struct upload up = { .msg = msg, .len = len };
	static const struct trace tzero;
	struct trace tr = tzero;
	struct curl_slist *rl = NULL, *nl;
	bool smtps = strncasecmp(relay->url, "smtps://", 8) == 0;
	long timeout = relay->timeout_ms > 0 ? relay->timeout_ms :
	    AD_DELIVER_TIMEOUT_MS;
	CURL *h = NULL;
	CURLcode rc;
	int r = AD_ERR_IO;

	if (!build_url(relay, url, sizeof(url))) {
		deliver_detail(res, "unusable relay URL or helo name");
		return ad_diag_set(diag, AD_ERR_CONFIG, "relay.url", 0, "%s",
		    res->detail);
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "<%s>", rcpt[i]);
		if ((nl = curl_slist_append(rl, addr)) == NULL)
			goto nomem;
		rl = nl;
	}
	if ((h = curl_easy_init()) == NULL)
		goto nomem;
	errbuf[0] = '\0';
	snprintf(addr, sizeof(addr), "<%s>", from);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	/* AUTH only over TLS: a user forces STARTTLS (ad_deliver.h). */
	if (!smtps)
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)(relay->starttls ||
		    relay->user[0] != '\0' ? CURLUSESSL_ALL : CURLUSESSL_TRY));
	if (relay->cacert[0] != '\0')
		curl_easy_setopt(h, CURLOPT_CAINFO, relay->cacert);
	if (relay->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (relay->user[0] != '\0') {
		curl_easy_setopt(h, CURLOPT_USERNAME, relay->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, relay->password);
	}
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, addr);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rl);
	/* All or nothing: a refused RCPT ends before DATA (ad_deliver.h).
	 * That is libcurl's default, CURLOPT_MAIL_RCPT_ALLOWFAILS off (spelt
	 * ALLLOWFAILS before 8.2, so it is not named here). */
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, wire_size(msg, len));
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, &tr);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);

	rc = curl_easy_perform(h);
	res->smtp_code = tr.code;
	if (rc == CURLE_OK) {
		res->accepted = true;
		res->permanent = false;
		deliver_detail(res, "%s", tr.reply);
		r = AD_OK;
		goto out;
	}
	if (tr.code >= 400 && tr.code <= 599)
		res->permanent = tr.code >= 500;
	else
		res->permanent = curl_permanent(rc);
	if (tr.code >= 400 && tr.code <= 599 && tr.cmd[0] != '\0')
		deliver_detail(res, "%s: %s", tr.cmd, tr.reply);
	else if (tr.code >= 400 && tr.code <= 599)
		deliver_detail(res, "%s", tr.reply);
	else
		deliver_detail(res, "%s", errbuf[0] ? errbuf :
		    curl_easy_strerror(rc));
	ad_diag_set(diag, AD_ERR_IO, "relay", 0, "%s", res->detail);
	goto out;
nomem:
	res->permanent = false;
	deliver_detail(res, "out of memory");
	r = ad_diag_set(diag, AD_ERR_NOMEM, "deliver", 0, "out of memory");
out:
	curl_easy_cleanup(h);
	curl_slist_free_all(rl);
	return r;
}
