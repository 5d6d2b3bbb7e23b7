/*
 * ad_ctx.h - the library context: allocation, logging, clock and fault hooks.
 *
 * Nothing in libabusedesk keeps mutable global state except the allocation
 * failure counter used by tests (see ad_alloc_fail_after). Everything else a
 * module needs from "the outside" - where log messages go, what time it is,
 * which fault to inject - hangs off one struct ad_ctx passed explicitly, so
 * tests can swap the clock and force every I/O point to fail.
 */
#ifndef AD_CTX_H
#define AD_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ad_err.h"

enum ad_log_level {
	AD_LOG_ERROR,
	AD_LOG_WARN,
	AD_LOG_INFO,
	AD_LOG_DEBUG,
};

/*
 * Fault points: stable ids, never reused (SQLite's sqlite3FaultSim idea).
 * A test sets ctx->fault_hit = AD_FAULT_X and the code at that point fails
 * as if the operation had failed for real.
 */
enum ad_fault {
	AD_FAULT_NONE = 0,
	AD_FAULT_READ = 1,		/* ingest: read() of a log */
	AD_FAULT_STORE_COMMIT = 2,	/* store: COMMIT of a scan batch */
	AD_FAULT_STORE_OPEN = 3,	/* store: sqlite3_open */
	AD_FAULT_SCAN_AFTER_BATCH = 4,	/* scan: stop dead after a committed batch */
	AD_FAULT_SEND_AFTER_ACCEPT = 5,	/* send: die after the relay accepted,
					   before the store recorded it */
	AD_FAULT_SCAN_WORKER_LAG = 6,	/* scan: the parser thread pauses 2 ms
					   after each chunk it hands over (not
					   consumed: read, never triggered) */
	AD_FAULT_SCAN_WORKER_SLOW = 7,	/* scan: the parser thread pauses 2 ms
					   before parsing each chunk, so the
					   main thread parses (not consumed) */
};

typedef void (*ad_log_fn)(void *arg, enum ad_log_level, const char *msg);
typedef time_t (*ad_clock_fn)(void *arg);

struct ad_ctx {
	ad_log_fn	 log;		/* NULL: discard */
	void		*log_arg;
	enum ad_log_level log_level;
	ad_clock_fn	 clock;		/* NULL: time(NULL) */
	void		*clock_arg;
	enum ad_fault	 fault;		/* the fault point to trigger, or NONE */
	unsigned	 fault_countdown; /* trigger on the Nth pass (1 = first) */
};

/* Initialises ctx with defaults (no log sink, real clock, no faults). */
void	ad_ctx_init(struct ad_ctx *ctx);

/* Current time through the context's clock. */
time_t	ad_ctx_now(const struct ad_ctx *ctx);

/* Logs through the context's sink. Untrusted text must be escaped first. */
void	ad_log(const struct ad_ctx *ctx, enum ad_log_level level,
	    const char *fmt, ...) AD_PRINTF(3, 4);

/* True when the fault point `id` must fail now (tests only). */
bool	ad_fault(struct ad_ctx *ctx, enum ad_fault id);

/*
 * Allocation goes through these so tests can fail the Nth call.
 * ad_free(NULL) is a no-op. ad_reallocarray checks n * size for overflow.
 */
void	*ad_malloc(size_t size);
void	*ad_calloc(size_t n, size_t size);
void	*ad_reallocarray(void *p, size_t n, size_t size);
char	*ad_strndup(const char *s, size_t n);
void	 ad_free(void *p);

/* Tests: make the Nth allocation from now fail (0 disables). */
void	 ad_alloc_fail_after(unsigned long n);

#endif
