/*
 * fuzz_headers.c - libFuzzer target for the header check of delivery
 * (ad_deliver_headers_ok, ad_deliver.h): the last gate before a message
 * leaves, so whatever it accepts is checked here again, independently and
 * naively: an empty line ends the block; no NUL, bare CR or 8-bit byte in
 * it; no line over 998 bytes; every line a header or a continuation; no
 * Bcc; CRLF and LF never mixed. The message sits in a heap block of
 * exactly its length, so a read past it is an overflow under ASan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "abusedesk/ad_deliver.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_block(const char *m, size_t n)
{
	size_t i = 0;
	int crlf = -1;

	for (;;) {
		size_t s = i, e;
		int c;

		while (i < n && m[i] != '\n')
			i++;
		if (i >= n)
			abort();		/* accepted without an empty line */
		c = i > s && m[i - 1] == '\r';
		e = c ? i - 1 : i;
		if (crlf != -1 && crlf != c)
			abort();		/* mixed line ends */
		crlf = c;
		if (e - s > AD_DELIVER_LINE_MAX)
			abort();
		for (size_t k = s; k < e; k++) {
			unsigned char b = (unsigned char)m[k];

			if (b == '\0' || b == '\r' || b > 0x7e ||
			    (b < 0x20 && b != '\t'))
				abort();
		}
		if (e == s)
			return;
		if (m[s] != ' ' && m[s] != '\t') {
			const char *colon = memchr(m + s, ':', e - s);

			if (colon == NULL || colon == m + s)
				abort();
			if (colon - (m + s) == 3 && strncasecmp(m + s, "bcc", 3) == 0)
				abort();
		} else if (s == 0)
			abort();		/* continuation first */
		i++;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *m = malloc(size > 0 ? size : 1);

	if (m == NULL)
		return 0;
	memcpy(m, data, size);
	if (ad_deliver_headers_ok(m, size))
		check_block(m, size);
	free(m);
	return 0;
}
