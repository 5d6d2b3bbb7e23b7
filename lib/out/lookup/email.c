/*
 * email.c - mailbox syntax and registry placeholders (ad_email.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "abusedesk/ad_email.h"

/* RFC 5322 atext: what a dot-atom local part may hold besides dots. */
static bool
atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static bool
ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

bool
ad_email_valid(const char *s, size_t n)
{
	const char *at = NULL, *p, *end, *label;
	size_t i, labels = 0;
	bool alldigit = true;

	if (s == NULL || n < 5 || n > AD_EMAIL_MAX)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '@') {
			if (at != NULL)
				return false;
			at = s + i;
		}
	}
	if (at == NULL || at == s || (size_t)(at - s) > 64)
		return false;
	/* Local part: dot-atom, no leading, trailing or double dot. */
	if (s[0] == '.' || at[-1] == '.')
		return false;
	for (p = s; p < at; p++) {
		if (*p == '.') {
			if (p[1] == '.')
				return false;
		} else if (!atext((unsigned char)*p))
			return false;
	}
	/* Domain: LDH labels of 1..63, at least two, TLD not all digits. */
	end = s + n;
	p = at + 1;
	if (p >= end)
		return false;
	while (p <= end) {
		label = p;
		alldigit = true;
		while (p < end && *p != '.') {
			if (!ldh((unsigned char)*p))
				return false;
			if (*p < '0' || *p > '9')
				alldigit = false;
			p++;
		}
		if (p == label || p - label > 63 || label[0] == '-' ||
		    p[-1] == '-')
			return false;
		labels++;
		if (p == end)
			break;
		p++;	/* the dot */
		if (p == end)
			return false;	/* trailing dot */
	}
	return labels >= 2 && !alldigit;
}

/*
 * Registry and NIR mailboxes that answer for the registry, not the network:
 * a report sent there is wasted (and they ask not to get them).
 */
static const char *const placeholders[] = {
	"search-apnic-not-arin@apnic.net",
	"hostmaster@apnic.net",
	"hostmaster@ripe.net",
	"ripe-dbm@ripe.net",
	"abuse@ripe.net",
	"hostmaster@arin.net",
	"abuse@arin.net",
	"noc@arin.net",
	"abuse@lacnic.net",
	"hostmaster@lacnic.net",
	"whois-contact@lacnic.net",	/* ARIN stubs for LACNIC space */
	"abuse@afrinic.net",
	"hostmaster@afrinic.net",
	"hostmaster@nic.or.kr",		/* KRNIC */
	"hostmaster@nic.ad.jp",		/* JPNIC */
	"hostmaster@twnic.net.tw",	/* TWNIC */
	"hostmaster@twnic.tw",
	"ipas@cnnic.cn",		/* CNNIC */
	"ipas@cnnic.net.cn",
	"hm-changed@apnic.net",
	"hm-changed@vnnic.vn",
	"hostmaster@idnic.net",		/* IDNIC */
	"hostmaster@vnnic.vn",		/* VNNIC */
	"hostmaster@vnnic.net.vn",
	"irt-team@irinn.in",		/* IRINN */
	"hostmaster@irinn.in",
	"hostmaster@nic.br",		/* registro.br */
	"hostmaster@registro.br",
	"unread@ripe.net",
	"nobody@example.com",
};

bool
ad_email_placeholder(const char *s, size_t n)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++)
		if (strlen(placeholders[i]) == n &&
		    strncasecmp(placeholders[i], s, n) == 0)
			return true;
	return false;
}

/* Addresses that are obviously filler: a customer record's bbb@aaa.com. */
static const char *const junk_domains[] = {
	"aaa.com", "bbb.com", "xxx.com", "example.com", "example.net",
	"example.org", "test.com", "none.com", "domain.com",
	"nomail.com", "noemail.com", "invalid",
};
static const char *const junk_locals[] = {
	"none", "noemail", "no-email", "nomail", "noreply", "no-reply",
	"null", "test", "xxx", "aaa", "bbb",
};

bool
ad_email_junk(const char *s, size_t n)
{
	const char *at;
	size_t i, l, dl;

	if (s == NULL || (at = memchr(s, '@', n)) == NULL)
		return true;
	l = (size_t)(at - s);
	dl = n - l - 1;
	for (i = 0; i < sizeof(junk_locals) / sizeof(junk_locals[0]); i++)
		if (strlen(junk_locals[i]) == l &&
		    strncasecmp(junk_locals[i], s, l) == 0)
			return true;
	for (i = 0; i < sizeof(junk_domains) / sizeof(junk_domains[0]); i++) {
		size_t jl = strlen(junk_domains[i]);

		/* The domain itself or a subdomain of it. */
		if (dl == jl && strncasecmp(junk_domains[i], at + 1, dl) == 0)
			return true;
		if (dl > jl && at[dl - jl] == '.' &&
		    strncasecmp(junk_domains[i], at + 1 + dl - jl, jl) == 0)
			return true;
	}
	return false;
}
