/*
 * ad_err.h - error codes and diagnostics shared by every module.
 *
 * Functions return enum ad_err: 0 (AD_OK) on success, a negative code on
 * failure. Lookups that can legitimately find nothing return -1 error,
 * 0 not found, 1 found (OpenSMTPD's table convention). Details a user must
 * see (file, line, field, reason) go into a caller-owned struct ad_diag so
 * that the library never prints.
 */
#ifndef AD_ERR_H
#define AD_ERR_H

#include <stddef.h>

#if defined(__GNUC__)
#define AD_WUR		__attribute__((warn_unused_result))
#define AD_PRINTF(a, b)	__attribute__((format(printf, a, b)))
#else
#define AD_WUR
#define AD_PRINTF(a, b)
#endif

enum ad_err {
	AD_OK = 0,
	AD_ERR_NOMEM = -1,	/* allocation failed */
	AD_ERR_IO = -2,		/* read/write/stat failed (errno in diag) */
	AD_ERR_PARSE = -3,	/* input not understood */
	AD_ERR_LIMIT = -4,	/* a named bound was exceeded */
	AD_ERR_STORE = -5,	/* SQLite reported an error */
	AD_ERR_CONFIG = -6,	/* bad configuration value */
	AD_ERR_USAGE = -7,	/* bad argument from the caller */
	AD_ERR_FAULT = -8,	/* an injected fault (tests only) */
	AD_ERR_NOTFOUND = -9,	/* a named thing does not exist */
	AD_ERR_BUSY = -10,	/* held by another process */
};

/* Returns a static string naming the error; never NULL. */
const char *ad_strerror(int err);

/* Where and why something failed; filled by the callee, owned by the caller. */
struct ad_diag {
	char		 where[256];	/* file name, config key, ... */
	unsigned long	 line;		/* 1-based, 0 if not applicable */
	char		 msg[256];	/* human-readable reason */
};

/* Fills diag (if non-NULL) and returns err, so callers can `return ad_diag_set(...)`. */
int ad_diag_set(struct ad_diag *diag, int err, const char *where,
    unsigned long line, const char *fmt, ...) AD_PRINTF(5, 6);

#endif
