/*
 * lookup_warm.c - time per address of ad_lookup_query() from a warm cache.
 *
 *   lookup_warm STORE ADDRESSES-FILE
 *
 * Pass 1 answers every address from the store (offline: nothing is sent),
 * which also fills the in-memory range cache; pass 2 answers them again
 * from memory. Prints the time per address of each pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abusedesk/ad_lookup.h"
#include "abusedesk/ad_registry.h"
#include "abusedesk/ad_store.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static char lines[20000][64];
	struct ad_lookup_answer a;
	struct ad_lookup_opts o;
	struct ad_registry *reg = NULL;
	struct ad_store *st = NULL;
	struct ad_lookup *l = NULL;
	struct ad_diag d = { 0 };
	struct ad_ctx ctx;
	size_t n = 0, i, ok = 0;
	int pass;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: lookup_warm STORE ADDRESSES\n");
		return 1;
	}
	ad_ctx_init(&ctx);
	if ((f = fopen(argv[2], "r")) == NULL)
		return 1;
	while (n < 20000 && fgets(lines[n], sizeof(lines[n]), f)) {
		lines[n][strcspn(lines[n], "\r\n")] = '\0';
		if (lines[n][0])
			n++;
	}
	fclose(f);
	if (ad_store_open(&ctx, argv[1], &st, &d) != AD_OK ||
	    ad_registry_new(&reg) != AD_OK ||
	    ad_registry_load_shipped(reg, NULL, &d) != AD_OK) {
		fprintf(stderr, "setup: %s\n", d.msg);
		return 1;
	}
	memset(&o, 0, sizeof(o));
	o.offline = true;
	if (ad_lookup_new(&ctx, st, reg, &o, &l) != AD_OK)
		return 1;
	for (pass = 1; pass <= 2; pass++) {
		double t0 = now_s(), dt;

		ok = 0;
		for (i = 0; i < n; i++)
			if (ad_lookup_query(l, lines[i], &a) == AD_OK &&
			    a.n_abuse > 0)
				ok++;
		dt = now_s() - t0;
		printf("pass %d (%s): %zu addresses, %zu answered, %.2f us per"
		    " address\n", pass, pass == 1 ? "store, then memory" :
		    "memory", n, ok, dt * 1e6 / (double)n);
	}
	ad_lookup_free(l);
	ad_registry_free(reg);
	ad_store_close(st);
	return 0;
}
