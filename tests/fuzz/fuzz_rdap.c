/*
 * fuzz_rdap.c - libFuzzer target for the RDAP parser (ad_netinfo.h).
 *
 * The input is one RDAP response body, in a heap block of exactly its
 * length. The base URL is picked by the first byte, so the RIPE rule (an
 * untyped email of an abuse entity is low confidence) and the APNIC NIR
 * referral are reached too. An error return is fine (not JSON, too deep);
 * a success must satisfy netinfo_check.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_netinfo.h"
#include "netinfo_check.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const bases[] = {
	"https://rdap.arin.net/registry/", "https://rdap.db.ripe.net/",
	"https://rdap.apnic.net/", "https://rdap.lacnic.net/rdap/",
	"https://rdap.afrinic.net/rdap/", "https://rdap.registro.br/",
	"https://jpnic.rdap.apnic.net/",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ad_netinfo *ni;
	struct ad_diag diag;
	char *text;
	int r;

	if ((ni = malloc(sizeof(*ni))) == NULL)
		return 0;
	if ((text = malloc(size > 0 ? size : 1)) == NULL) {
		free(ni);
		return 0;
	}
	if (size > 0)
		memcpy(text, data, size);
	memset(ni, 0xa5, sizeof(*ni));
	r = ad_rdap_parse(text, size, size > 0 ? bases[data[size - 1] %
	    (sizeof(bases) / sizeof(bases[0]))] : NULL, ni, &diag);
	if (r == AD_OK)
		ni_check("fuzz_rdap", ni);
	else if (r != AD_ERR_PARSE && r != AD_ERR_LIMIT && r != AD_ERR_NOMEM)
		ni_fail("fuzz_rdap", "an unexpected error code");
	ad_netinfo_free(ni);
	free(text);
	free(ni);
	return 0;
}
