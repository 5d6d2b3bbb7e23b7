/*
 * fuzz_block_legit.c - libFuzzer target for block advice's success-line
 * recogniser (ad_block_legit_line, ad_block.h), which reads our own logs:
 * attacker text (user names, HELOs, request lines) is in them.
 *
 * Each input line sits in a heap block of exactly its length, not
 * NUL-terminated, so a read past it is an overflow under ASan. A line
 * that is recognised must name an address of family 4 or 6, and is then
 * counted against a small fixed cover (ad_block_note_legit).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_block.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ad_block *
cover(void)
{
	static const char *const list[] = {
		"203.0.113.0", "203.0.113.1", "203.0.113.9", "2001:db8::7",
		"198.51.100.30",
	};
	struct ad_block_policy pol;
	struct ad_addr a[5];
	struct ad_block *b = NULL;
	size_t i;

	for (i = 0; i < 5; i++)
		(void)ad_addr_parse(list[i], strlen(list[i]), &a[i]);
	ad_block_policy_init(&pol);
	if (ad_block_parse_aggregate(&pol, 6, "64:1", NULL) != AD_OK ||
	    ad_block_compute(a, 5, &pol, &b, NULL) != AD_OK)
		return NULL;
	return b;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct ad_block *b = cover();

	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		struct ad_addr client;
		char *line = malloc(len > 0 ? len : 1);

		if (line == NULL)
			break;
		memcpy(line, p, len);
		if (ad_block_legit_line(line, len, &client)) {
			if (client.af != 4 && client.af != 6)
				abort();
			if (b)
				(void)ad_block_note_legit(b, &client, line,
				    len);
		}
		free(line);
		p = nl ? nl + 1 : end;
	}
	ad_block_free(b);
	return 0;
}
