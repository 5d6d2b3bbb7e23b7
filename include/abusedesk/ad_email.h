/*
 * ad_email.h - is this text a mailbox we may write to?
 *
 * Registry answers are untrusted and their addresses end up in mail headers,
 * so an address is accepted only when it is plain RFC 5321 syntax: a
 * dot-atom local part (no quoted strings, no comments), one '@', a domain
 * of LDH labels with at least one dot (or an address literal is refused),
 * at most 254 bytes, and never a CR, LF, space or control byte. That is
 * stricter than RFC 5321 allows and looser than nothing: every real abuse
 * mailbox in the registries fits it.
 */
#ifndef AD_EMAIL_H
#define AD_EMAIL_H

#include <stdbool.h>
#include <stddef.h>

#define AD_EMAIL_MAX	254

/* True when [s, s+n) is exactly one acceptable mailbox (see above). */
bool	ad_email_valid(const char *s, size_t n);

/*
 * True when the (valid) mailbox is a registry placeholder or catch-all that
 * must not receive reports: search-apnic-not-arin@apnic.net,
 * hostmaster@ripe.net, abuse@lacnic.net, the NIRs' hostmasters, ...
 * Case-insensitive.
 */
bool	ad_email_placeholder(const char *s, size_t n);

/*
 * True for filler a registrant typed instead of an address (bbb@aaa.com,
 * none@..., x@example.com): valid syntax, never a mailbox. Parsers drop it.
 */
bool	ad_email_junk(const char *s, size_t n);

#endif
