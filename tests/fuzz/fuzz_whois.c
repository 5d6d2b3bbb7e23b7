/*
 * fuzz_whois.c - libFuzzer target for the whois parser (ad_netinfo.h).
 *
 * The input is one whois answer, parsed twice: as the server picked by its
 * first byte says (each registry's quirks), and as an unknown server. The
 * answer sits in a heap block of exactly its length, not NUL-terminated, so
 * a read past it is an overflow under ASan. netinfo_check.h states what is
 * checked on the result: above all that no contact can carry a CR, LF or
 * space into a mail header.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_netinfo.h"
#include "netinfo_check.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const servers[] = {
	"whois.arin.net", "whois.ripe.net", "whois.apnic.net",
	"whois.lacnic.net", "whois.afrinic.net", "whois.krnic.net",
	"whois.nic.ad.jp", "whois.twnic.net", "rwhois.example.net:4321",
	"whois.registro.br",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ad_netinfo *ni;
	struct ad_diag diag;
	char *text;

	/* On the heap: the record is some kilobytes. */
	if ((ni = malloc(sizeof(*ni))) == NULL)
		return 0;
	if ((text = malloc(size > 0 ? size : 1)) == NULL) {
		free(ni);
		return 0;
	}
	if (size > 0)
		memcpy(text, data, size);
	memset(ni, 0xa5, sizeof(*ni));
	if (ad_whois_parse(text, size, size > 0 ? servers[data[0] %
	    (sizeof(servers) / sizeof(servers[0]))] : NULL, ni, &diag) ==
	    AD_OK)
		ni_check("fuzz_whois", ni);
	ad_netinfo_free(ni);
	memset(ni, 0xa5, sizeof(*ni));
	if (ad_whois_parse(text, size, NULL, ni, &diag) == AD_OK)
		ni_check("fuzz_whois", ni);
	ad_netinfo_free(ni);
	free(text);
	free(ni);
	return 0;
}
