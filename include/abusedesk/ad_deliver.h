/*
 * ad_deliver.h - handing one composed message to a mail transport: SMTP
 * submission to a relay (libcurl: STARTTLS, AUTH, a bounded timeout) or the
 * local `sendmail -t` interface.
 *
 * This module only transports. Deciding what may be sent (approval, rate
 * limits, suppression, the "sending" mark that makes a crash after the
 * relay accepted never send twice) is the queue's job (ad_queue.h).
 *
 * Every envelope address is checked with ad_email_valid() before it reaches
 * the transport; the message's own headers were checked when it was
 * composed (ad_report.h), and are checked again here: a header block with a
 * bare CR or LF, or a line over 998 bytes, is refused.
 */
#ifndef AD_DELIVER_H
#define AD_DELIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "ad_err.h"

struct ad_relay {
	/* "smtp://host[:port]" (STARTTLS when offered, required when
	 * starttls), "smtps://host[:port]"; "" = use sendmail. */
	char	url[512];
	char	user[256];		/* "" = no AUTH */
	char	password[256];
	bool	starttls;		/* require STARTTLS on smtp:// */
	char	cacert[1024];		/* "" = the system's CAs */
	bool	insecure;		/* tests only: do not verify the peer */
	char	helo[256];		/* "" = libcurl's default */
	int	timeout_ms;		/* whole exchange; 0 = 60 s */
	/* `sendmail -t -i` compatible program when url is "". */
	char	sendmail[1024];		/* "" = /usr/sbin/sendmail */
};

/* How a send ended: what the queue needs to decide about retries. */
struct ad_send_result {
	bool	accepted;	/* the relay took responsibility */
	bool	permanent;	/* 5xx / refused: do not retry as is */
	int	smtp_code;	/* last reply code, 0 when none */
	char	detail[512];	/* the server's words or the local error */
};

/*
 * Sends [msg, msg+len) (CRLF or LF line ends) from envelope sender `from`
 * to the n recipients. Returns AD_OK when accepted; AD_ERR_USAGE for a
 * refused argument (invalid address, unsafe header: nothing was sent);
 * AD_ERR_IO when the transport failed, res->permanent telling whether a
 * retry can help. res is always filled.
 */
int	ad_deliver_send(const struct ad_relay *relay, const char *from,
	    const char *const *rcpt, size_t n, const char *msg, size_t len,
	    struct ad_send_result *res, struct ad_diag *diag) AD_WUR;

/*
 * True when the header block of msg (up to the first empty line) has only
 * CRLF- or LF-ended lines of at most 998 bytes, no NUL or bare CR, and every
 * line is a "Name: value" header or a folded continuation.
 */
bool	ad_deliver_headers_ok(const char *msg, size_t len);

#endif
