/*
 * whois_parse.c - one whois answer to struct ad_netinfo (ad_netinfo.h).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_netinfo.h"

int
ad_whois_parse(const char *text, size_t len, const char *server,
    struct ad_netinfo *out, struct ad_diag *diag)
{
	if (out == NULL || (text == NULL && len > 0))
		return ad_diag_set(diag, AD_ERR_USAGE, "whois", 0,
		    "no text or no result");
	ad_netinfo_init(out);
	snprintf(out->protocol, sizeof(out->protocol), "whois");
	if (server != NULL)
		snprintf(out->server, sizeof(out->server), "%s", server);
	return AD_OK;
}
