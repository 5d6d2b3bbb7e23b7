/*
 * ad_event.h - one hostile log line, as the parse stage hands it on.
 *
 * An event is a plain, fully visible record: the detect stage aggregates
 * events into incidents, and `abusedesk parse --json` prints them. Strings
 * (user) point into the caller's line buffer and live exactly as long as it;
 * service/kind/format names are static.
 *
 * Evidence: a source address is *proven* when the line shows a completed
 * exchange with it (any sshd message: the TCP handshake was done; a firewall
 * log of an established or mid-session TCP packet) and *spoofable* when a
 * forged source could produce the line (UDP, ICMP, a bare SYN, ...). A
 * report must say which; an attacker can frame a third party with the latter.
 */
#ifndef AD_EVENT_H
#define AD_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_buf.h"
#include "ad_ip.h"
#include "ad_time.h"

/*
 * Incident categories: what the aggregated behaviour of a source is. Each
 * has a threshold (ad_detect.h); a threshold of 0 means "never an incident
 * by default" (still an event, and still listed with --all).
 */
enum ad_category {
	AD_CAT_SSH_BRUTEFORCE = 0,	/* authentication attempts against sshd */
	AD_CAT_SSH_PROBE,		/* protocol-level probing of sshd */
	AD_CAT_PORT_SCAN,		/* packets our firewall dropped */
	AD_CAT_WEB_PROBE,		/* exploit/vulnerability probes (.env, phpMyAdmin, traversal) */
	AD_CAT_WEB_BRUTEFORCE,		/* HTTP auth failures, wp-login/xmlrpc POST floods */
	AD_CAT_WEB_FLOOD,		/* 401/403/404 floods, rate limits hit */
	AD_CAT_WEB_BAD_BOT,		/* known bad user agents */
	AD_CAT_WEB_SPAM,		/* referrer spam: never an incident by default */
	AD_CAT_WORM,			/* Nimda/Code Red-class worm noise */
	AD_CAT_MAIL_BRUTEFORCE,		/* SMTP AUTH, IMAP, POP3 login failures */
	AD_CAT_MAIL_SPAM,		/* relay attempts, RBL/postscreen rejects */
	AD_CAT_FTP_BRUTEFORCE,		/* FTP login failures, anonymous abuse */
	AD_CAT_AUTH_BRUTEFORCE,		/* other logins: PAM, MySQL, Asterisk, ... */
	AD_CAT_IDS_ALERT,		/* an intrusion detection signature fired */
	AD_CAT_DNS_ABUSE,		/* refused queries, amplification attempts */
	AD_CAT_PROXY_ABUSE,		/* open-proxy probing, denied proxy use */
	AD_CAT_REPEAT_OFFENDER,		/* banned again and again (fail2ban recidive) */
	AD_CAT__COUNT
};

enum ad_proto {
	AD_PROTO_NONE = 0,
	AD_PROTO_TCP,
	AD_PROTO_UDP,
	AD_PROTO_ICMP,
	AD_PROTO_ICMPV6,
	AD_PROTO_OTHER,
};

enum ad_evidence {
	AD_EVIDENCE_PROVEN = 1,
	AD_EVIDENCE_SPOOFABLE = 2,
};

/* TCP flags as firewalls log them. */
#define AD_TCP_FIN	0x01
#define AD_TCP_SYN	0x02
#define AD_TCP_RST	0x04
#define AD_TCP_PSH	0x08
#define AD_TCP_ACK	0x10
#define AD_TCP_URG	0x20

struct ad_event {
	struct ad_instant	 time;		/* .valid false: no stamp on the line */
	struct ad_addr		 src;
	struct ad_addr		 dst;		/* af 0: unknown */
	uint16_t		 src_port;	/* 0: unknown */
	uint16_t		 dst_port;
	uint8_t			 proto;		/* enum ad_proto */
	uint8_t			 evidence;	/* enum ad_evidence */
	uint8_t			 tcp_flags;
	enum ad_category	 category;
	uint32_t		 count;		/* >1 for "message repeated N times" */
	const char		*service;	/* "ssh", "firewall" */
	const char		*kind;		/* "failed-auth", "drop", ... */
	const char		*format;	/* log format family: "sshd", "netfilter" */
	const char		*user;		/* borrowed; NULL if none */
	size_t			 user_len;
	/*
	 * What was done, for families that say more than an address: the HTTP
	 * request line, the IDS signature, the DNS query name, the rejected
	 * recipient. Borrowed from the line; NULL if none.
	 */
	const char		*detail;
	size_t			 detail_len;
	/*
	 * Why it is hostile: the probe pattern, the IDS classification. Static
	 * (label_len 0: NUL-terminated) or borrowed like detail (label_len > 0).
	 */
	const char		*label;
	size_t			 label_len;
	uint16_t		 status;	/* HTTP status, SMTP reply code; 0 none */
	uint8_t			 severity;	/* IDS priority 1 (high) .. 4; 0 none */
};

/* "ssh-bruteforce", ...; static. */
const char *ad_category_name(enum ad_category c);
/* Returns the category for a name, or -1. */
int	ad_category_from_name(const char *name);
const char *ad_proto_name(enum ad_proto p);
/* "TCP", "udp", "ICMPv6", ... (any case) -> enum; AD_PROTO_OTHER if unknown. */
enum ad_proto ad_proto_from_name(const char *s, size_t n);
const char *ad_evidence_name(enum ad_evidence e);

/*
 * Appends the event's JSON object (no newline): file, line, time, src,
 * src_port, dst, dst_port, proto, service, kind, user, evidence, category,
 * count, format, and when set: detail, label, status, severity. Unknown
 * values are null.
 */
int	ad_event_to_json(struct ad_buf *b, const struct ad_event *ev,
	    const char *file, uint64_t line) AD_WUR;

#endif
