/*
 * ad_deliver.h - handing one composed message to a mail transport: SMTP
 * submission to a relay (libcurl: STARTTLS, AUTH, a bounded timeout) or the
 * local `sendmail -t` interface.
 *
 * This module only transports. Deciding what may be sent (approval, rate
 * limits, suppression, the "sending" mark that makes a crash after the
 * relay accepted never send twice) is the queue's job (ad_queue.h).
 *
 * Why libcurl for SMTP: STARTTLS with certificate checks, AUTH (PLAIN,
 * LOGIN, ...), the SIZE extension, dot-stuffing and timeouts are maintained
 * there; an SMTP client plus TLS written here is how mail gets lost or
 * credentials leak.
 *
 * What is refused before anything is sent (AD_ERR_USAGE, nothing sent):
 *   - an envelope address that fails ad_email_valid(), no recipient, more
 *     than AD_DELIVER_RCPT_MAX;
 *   - a message over AD_DELIVER_MSG_MAX, with a NUL or a bare CR anywhere
 *     (bare LF ends are turned into CRLF for SMTP, CRLF into LF for
 *     sendmail), or whose header block fails ad_deliver_headers_ok();
 *   - in sendmail mode, a message whose To/Cc headers do not name exactly
 *     the envelope recipients (sendmail -t takes its recipients from
 *     them; a header cannot add one).
 * An unusable relay (scheme other than smtp/smtps, relative sendmail path,
 * bad helo) is AD_ERR_CONFIG, also before anything is sent.
 *
 * Recipients: all or nothing. A recipient refused at RCPT ends the
 * transaction before DATA (libcurl without CURLOPT_MAIL_RCPT_ALLOWFAILS),
 * so nobody got the message and a retry cannot send anyone a second copy;
 * the result names the refused RCPT and the server's reply.
 *
 * AUTH is only ever done over TLS: with a user set, smtp:// requires
 * STARTTLS (as if starttls were set); smtps:// is TLS from the start.
 *
 * Classification: accepted = the relay said 250 to the end of data (or
 * sendmail exited 0). Otherwise permanent for a 5xx reply, a refused TLS
 * certificate, STARTTLS required but not offered, AUTH refused, sendmail
 * not runnable or exiting with a permanent sysexits code (EX_USAGE,
 * EX_DATAERR, EX_NOUSER, EX_NOHOST, EX_NOPERM, EX_CONFIG, ...); temporary
 * for a 4xx reply, connection refused or reset, timeouts, EX_TEMPFAIL,
 * EX_OSERR, EX_IOERR, a sendmail killed by a signal or by the timeout.
 * A timeout after the end of data is temporary although the relay may
 * have taken the message: SMTP cannot tell; the queue owns that risk.
 */
#ifndef AD_DELIVER_H
#define AD_DELIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "ad_err.h"

#define AD_DELIVER_RCPT_MAX	32
#define AD_DELIVER_MSG_MAX	(10u * 1024 * 1024)
#define AD_DELIVER_LINE_MAX	998	/* header line bytes without CRLF */

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
	/* "RCPT TO:<x@example.net>: 550 5.1.1 ...", "250 2.0.0 Ok: queued
	 * as 4B2C" (accepted), "sendmail exited 75: ...", a local error;
	 * printable ASCII only, never a password. */
	char	detail[512];
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
 * True when msg has a header block ended by an empty line whose lines all
 * end the same way (all CRLF or all LF: a lone LF in a CRLF block is an
 * injected line), are at most AD_DELIVER_LINE_MAX bytes of printable
 * ASCII, space or tab (no NUL, bare CR or 8-bit byte), and are each a
 * "Name: value" header (name of printable ASCII but ':') or a folded
 * continuation with some text; no Bcc or Resent-* header, and at most
 * one of From, Sender, Reply-To, To, Cc, Subject, Date, Message-ID,
 * In-Reply-To, References (RFC 5322 3.6: a second To is an injected one).
 */
bool	ad_deliver_headers_ok(const char *msg, size_t len);

#endif
