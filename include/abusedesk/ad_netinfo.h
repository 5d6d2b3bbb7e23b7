/*
 * ad_netinfo.h - what one registry answer says about a network: parsing
 * whois (RFC 3912) text and RDAP (RFC 9083) JSON into one plain record.
 *
 * The parsers are pure: bytes in, struct out; no fds, no network, no store.
 * The referral chain (lookup/net) calls them once per answer and decides what
 * to ask next from `referral`, `abuse_handles` and the flags.
 *
 * The record is bounded by construction: every string is copied into a fixed
 * array and cut at its cap (the flag AD_NI_TRUNCATED then says so), lists
 * have fixed caps, and nothing is allocated, so ad_netinfo_free() only
 * clears. A hostile answer can make the record wrong, never large.
 *
 * Abuse contacts are validated with ad_email_valid() (ad_email.h) before they
 * are stored: an email here never holds CR, LF, space or a control byte, so
 * it may later go into a mail header. Registry placeholders
 * (ad_email_placeholder()) are kept, marked `placeholder`, so that a caller
 * can show why it followed the referral instead; ad_netinfo_best() never
 * returns one.
 *
 * Contacts are kept in the order of preference the answer supports:
 *   HIGH    the registry's declared abuse contact ("% Abuse contact for",
 *           abuse-mailbox:, ARIN RAbuseEmail / OrgAbuseEmail, RDAP entity
 *           with role "abuse", rwhois network:Abuse-Contact with an email);
 *   MEDIUM  an abuse handle resolved to a mailbox within the same answer
 *           (LACNIC/registro.br abuse-c -> nic-hdl e-mail);
 *   LOW     remarks, tech/admin contacts, a free-text address.
 */
#ifndef AD_NETINFO_H
#define AD_NETINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_buf.h"
#include "ad_err.h"
#include "ad_ip.h"

/* Answers larger than this are parsed up to the cap (AD_NI_TRUNCATED). */
#define AD_WHOIS_INPUT_MAX	(1024 * 1024)
#define AD_RDAP_INPUT_MAX	(1024 * 1024)
/* Deepest JSON nesting accepted, and deepest entity-in-entity followed. */
#define AD_RDAP_DEPTH_MAX	64
#define AD_RDAP_ENTITY_DEPTH_MAX 8

#define AD_NI_RANGES_MAX	64	/* an IPv4 a-b range needs at most 62 */
#define AD_NI_CONTACTS_MAX	8
#define AD_NI_HANDLES_MAX	4
#define AD_NI_EMAIL_MAX		254	/* RFC 5321 path limit */
#define AD_NI_NAME_MAX		128	/* handle, netname, parent, dates */
#define AD_NI_TEXT_MAX		256	/* org, evidence lines, hosts */
#define AD_NI_URL_MAX		512

enum ad_confidence {
	AD_CONF_NONE = 0,
	AD_CONF_LOW,
	AD_CONF_MEDIUM,
	AD_CONF_HIGH,
};

enum ad_referral_kind {
	AD_REF_NONE = 0,
	AD_REF_WHOIS,		/* host[:port], plain RFC 3912 */
	AD_REF_RWHOIS,		/* RFC 2167 server, usually port 4321 */
	AD_REF_RDAP,		/* url */
};

/*
 * Flags: what the answer says besides data.
 *   PLACEHOLDER   a registry placeholder contact was seen
 *   RATE_LIMITED  RIPE %ERROR:201, LACNIC's notice, a query-limit text
 *   NO_DATA       not managed here: transfer stub, "not allocated to"
 *   NOT_FOUND     "no entries found", an RDAP 404 error object
 *   TRUNCATED     the input or a field was cut at its cap
 *   ERROR         an error answer (%ERROR:..., RDAP errorCode)
 *   HOSTILE       control bytes inside a value: that line was ignored
 */
#define AD_NI_PLACEHOLDER	0x0001
#define AD_NI_RATE_LIMITED	0x0002
#define AD_NI_NO_DATA		0x0004
#define AD_NI_NOT_FOUND		0x0008
#define AD_NI_TRUNCATED		0x0010
#define AD_NI_ERROR		0x0020
#define AD_NI_HOSTILE		0x0040

struct ad_abuse_contact {
	char			email[AD_NI_EMAIL_MAX + 1];
	enum ad_confidence	confidence;
	bool			placeholder;	/* ad_email_placeholder() */
	/* Where it came from: the object ("irt: IRT-X", "role: ABUSE-RIPE",
	 * "OrgAbuseEmail", "entity ABUSE5250-ARIN") ... */
	char			object[AD_NI_NAME_MAX];
	/* ... and the line as read, or the JSON path of the value. */
	char			evidence[AD_NI_TEXT_MAX];
};

/* An abuse handle the answer names without a mailbox: resolve it next. */
struct ad_handle_ref {
	char	handle[AD_NI_NAME_MAX];
	char	object[AD_NI_NAME_MAX];	/* "abuse-c", "Abuse-Contact", ... */
};

struct ad_referral {
	enum ad_referral_kind	kind;
	char			host[AD_NI_TEXT_MAX];	/* "" for RDAP */
	uint16_t		port;			/* 0: the default */
	char			url[AD_NI_URL_MAX];	/* as written */
	char			query[AD_NI_NAME_MAX];	/* "": the same query */
};

struct ad_netinfo {
	/* Who answered, as the caller said (whois host or RDAP base URL). */
	char			server[AD_NI_TEXT_MAX];
	char			protocol[8];		/* "whois", "rdap" */
	/* "ip network", "autnum", "" if not said. */
	char			object_class[32];
	/* "ARIN", "RIPE NCC", "APNIC", "LACNIC", "AFRINIC", "JPNIC", ...
	 * "" when unknown. */
	char			registry[32];

	/* The network: first..last as written, and the minimal CIDR cover. */
	struct ad_addr		start, end;		/* af 0: none */
	struct ad_cidr		ranges[AD_NI_RANGES_MAX];
	size_t			nranges;
	/* Autonomous system numbers (autnum objects, aut-num:, ASNumber:). */
	uint32_t		asn_start, asn_end;	/* 0 when none */

	char			handle[AD_NI_NAME_MAX];
	char			netname[AD_NI_NAME_MAX];
	char			org[AD_NI_TEXT_MAX];
	char			country[3];		/* ISO 3166, upper */
	char			registered[AD_NI_NAME_MAX];	/* as written */
	char			changed[AD_NI_NAME_MAX];
	char			port43[AD_NI_TEXT_MAX];	/* RDAP port43 */

	/* Parent network: handle or range text, and RDAP's "up" link. */
	char			parent[AD_NI_NAME_MAX];
	char			parent_url[AD_NI_URL_MAX];

	struct ad_abuse_contact	contacts[AD_NI_CONTACTS_MAX];
	size_t			ncontacts;
	struct ad_handle_ref	abuse_handles[AD_NI_HANDLES_MAX];
	size_t			nhandles;

	struct ad_referral	referral;		/* AD_REF_NONE: none */
	unsigned		flags;			/* AD_NI_* */
};

/* Clears ni (every field empty). Never fails. */
void	ad_netinfo_init(struct ad_netinfo *ni);
/* Releases what ni holds (nothing today: call it anyway), clears it.
 * NULL is a no-op. */
void	ad_netinfo_free(struct ad_netinfo *ni);

/*
 * Copies at most cap-1 bytes of [s, s+n) into a field of ni, NUL-ended,
 * control bytes as spaces (fields are shown to people and reach mail);
 * sets AD_NI_TRUNCATED when it had to cut. The parsers' one field writer.
 */
void	ad_netinfo_copy(struct ad_netinfo *ni, char *dst, size_t cap,
	    const char *s, size_t n);

/*
 * Parses one whois answer (any registry, rwhois too) from [text, text+len);
 * the text need not be NUL-terminated and may hold any bytes (CRLF, \r\r\n,
 * NUL, Shift_JIS, EUC-KR). server names who answered ("whois.arin.net",
 * "rwhois.example.net:4321"); it picks the registry and dialect quirks.
 * out is initialised by the call.
 * Returns AD_OK whenever the text was read, even when it holds nothing
 * useful (see out->flags), AD_ERR_USAGE on NULL arguments.
 */
int	ad_whois_parse(const char *text, size_t len, const char *server,
	    struct ad_netinfo *out, struct ad_diag *diag) AD_WUR;

/*
 * Parses one RDAP response (ip network or autnum object; an error object
 * sets AD_NI_NOT_FOUND/AD_NI_ERROR). base_url is the service that answered;
 * relative links resolve against it. out is initialised by the call.
 * Returns AD_OK, AD_ERR_PARSE when the bytes are not a JSON object
 * (diag says where), AD_ERR_LIMIT when longer than AD_RDAP_INPUT_MAX or
 * nested deeper than AD_RDAP_DEPTH_MAX, AD_ERR_NOMEM, AD_ERR_USAGE.
 */
int	ad_rdap_parse(const char *json, size_t len, const char *base_url,
	    struct ad_netinfo *out, struct ad_diag *diag) AD_WUR;

/*
 * Adds a contact (the chain uses it when it resolves a handle). The email is
 * validated and lower-cased in its domain; a duplicate keeps the higher
 * confidence; when the list is full, a contact of higher confidence
 * replaces one of the lowest (AD_NI_TRUNCATED is set).
 * Returns 1 added or upgraded, 0 invalid, duplicate or full.
 * object and evidence may be NULL.
 */
int	ad_netinfo_add_contact(struct ad_netinfo *ni, const char *email,
	    size_t n, enum ad_confidence conf, const char *object,
	    const char *evidence);

/* The contact to write to: highest confidence, not a placeholder; or NULL. */
const struct ad_abuse_contact *ad_netinfo_best(const struct ad_netinfo *ni);

/*
 * Appends ni as one JSON object (no newline):
 * {"server","protocol","object_class","registry","network":{"ranges":[..],
 *  "start","end","handle","name","org","country","registered","changed"},
 *  "asn":{"start","end"}|null,"port43","parent":{"handle","url"},
 *  "abuse":[{"email","confidence","placeholder","object","evidence"}],
 *  "abuse_handles":[{"handle","object"}],
 *  "referral":{"kind","host","port","url","query"}|null,
 *  "flags":["placeholder","rate-limited","no-data","not-found",
 *   "truncated","error","hostile"]}
 * Empty strings are written as null.
 */
int	ad_netinfo_json(struct ad_buf *b, const struct ad_netinfo *ni) AD_WUR;

/*
 * The minimal list of CIDRs covering first..last (same family, first <= last).
 * Writes at most max entries; returns how many it needed (may exceed max:
 * then only the first max were written), or -1 when the range is invalid.
 */
int	ad_range_to_cidrs(const struct ad_addr *first,
	    const struct ad_addr *last, struct ad_cidr *out, size_t max);

/* "high", "medium", "low", "none"; static. */
const char *ad_confidence_name(enum ad_confidence c);
/* "whois", "rwhois", "rdap", "none"; static. */
const char *ad_referral_kind_name(enum ad_referral_kind k);

#endif
