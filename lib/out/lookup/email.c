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
	"helpdesk@apnic.net",
	"hostmaster@ripe.net",
	"ripe-dbm@ripe.net",
	"abuse@ripe.net",
	"hostmaster@arin.net",
	"abuse@arin.net",
	"noc@arin.net",
	"abuse@lacnic.net",
	"hostmaster@lacnic.net",
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
