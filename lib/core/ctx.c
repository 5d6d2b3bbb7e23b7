/*
 * ctx.c - context defaults, logging, clock, fault points and allocation.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abusedesk/ad_ctx.h"

static const char *const err_names[] = {
	[0] = "success",
	[1] = "out of memory",
	[2] = "input/output error",
	[3] = "input not understood",
	[4] = "limit exceeded",
	[5] = "store error",
	[6] = "bad configuration",
	[7] = "bad usage",
	[8] = "injected fault",
	[9] = "not found",
	[10] = "busy",
};

const char *
ad_strerror(int err)
{
	size_t i = err < 0 ? (size_t)-err : (size_t)err;

	if (i < sizeof(err_names) / sizeof(err_names[0]) && err_names[i])
		return err_names[i];
	return "unknown error";
}

int
ad_diag_set(struct ad_diag *diag, int err, const char *where,
    unsigned long line, const char *fmt, ...)
{
	va_list ap;

	if (diag == NULL)
		return err;
	snprintf(diag->where, sizeof(diag->where), "%s", where ? where : "");
	diag->line = line;
	va_start(ap, fmt);
	vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
	va_end(ap);
	return err;
}

void
ad_ctx_init(struct ad_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->log_level = AD_LOG_INFO;
}

time_t
ad_ctx_now(const struct ad_ctx *ctx)
{
	if (ctx && ctx->clock)
		return ctx->clock(ctx->clock_arg);
	return time(NULL);
}

void
ad_log(const struct ad_ctx *ctx, enum ad_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (ctx == NULL || ctx->log == NULL || level > ctx->log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log(ctx->log_arg, level, msg);
}

bool
ad_fault(struct ad_ctx *ctx, enum ad_fault id)
{
	if (ctx == NULL || ctx->fault != id || id == AD_FAULT_NONE)
		return false;
	if (ctx->fault_countdown > 1) {
		ctx->fault_countdown--;
		return false;
	}
	ctx->fault = AD_FAULT_NONE;
	return true;
}

/*
 * The one piece of global mutable state: a countdown that only tests set.
 * Atomic because scan worker threads allocate too.
 */
static atomic_ulong alloc_countdown;

void
ad_alloc_fail_after(unsigned long n)
{
	atomic_store(&alloc_countdown, n);
}

static bool
alloc_should_fail(void)
{
	unsigned long n = atomic_load_explicit(&alloc_countdown,
	    memory_order_relaxed);

	if (n == 0)
		return false;
	if (n == 1) {
		atomic_store(&alloc_countdown, 0);
		errno = ENOMEM;
		return true;
	}
	atomic_store(&alloc_countdown, n - 1);
	return false;
}

void *
ad_malloc(size_t size)
{
	if (alloc_should_fail())
		return NULL;
	return malloc(size ? size : 1);
}

void *
ad_calloc(size_t n, size_t size)
{
	if (alloc_should_fail())
		return NULL;
	return calloc(n ? n : 1, size ? size : 1);
}

void *
ad_reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	if (alloc_should_fail())
		return NULL;
	return realloc(p, (n && size) ? n * size : 1);
}

char *
ad_strndup(const char *s, size_t n)
{
	char *d;

	d = ad_malloc(n + 1);
	if (d == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void
ad_free(void *p)
{
	free(p);
}
