/*
 * web_int.h - what the web families (access log, error log, HAProxy,
 * Squid) share: the request judge and its pattern tables.
 *
 * The pattern lists live in web_match.c, one table per field (URL, user
 * agent, referrer), documented there; adding a probe is adding a row.
 * Matching is one pass over the field: a 256x256 bitmap of the first two
 * (case-folded) bytes of every pattern says at which positions a pattern
 * could start, and only there are the few patterns with that first byte
 * compared. An ordinary URL costs one bitmap lookup per byte.
 */
#ifndef AD_WEB_INT_H
#define AD_WEB_INT_H

#include "parse_int.h"

/* How a pattern counts. */
enum web_when {
	WEB_ALWAYS = 0,		/* any request */
	WEB_MISSING,		/* only when the server answered 4xx: probing for it */
	WEB_LOGIN,		/* a POST that did not log in (not 3xx): brute force */
};

struct web_pat {
	const char	*pat;		/* lower case; matched case-insensitively */
	uint8_t		 len;
	uint8_t		 cat;		/* enum ad_category */
	uint8_t		 when;		/* enum web_when */
	const char	*label;		/* the event's label */
};

#define WEB_FIELDS	3	/* URL, user agent, referrer */

struct web_table {
	/*
	 * [b0 | b1 << 8]: the bucket of patterns starting with these two
	 * bytes (any case), 0 for none; bucket k is pats[start[k], start[k+1]).
	 */
	uint8_t			 pair[256 * 256];
	uint16_t		 start[257];
	const struct web_pat	*pats;
	size_t			 npats;
};

/* Custom formats: parse.web-access.format (parse_web_access.c). */
#define WEB_FMT_MAX	8
#define WEB_OPS_MAX	32

enum web_field {
	WF_LIT = 0, WF_REMOTE, WF_TIME, WF_REQUEST, WF_METHOD, WF_URL,
	WF_STATUS, WF_REFERER, WF_UA, WF_SKIP,
};

struct web_op {
	uint8_t		 field;		/* enum web_field */
	uint8_t		 bracketed;	/* WF_TIME includes its [ ] */
	uint16_t	 lit;		/* WF_LIT: offset into text */
	uint16_t	 len;
};

struct web_fmt {
	struct web_op	 ops[WEB_OPS_MAX];
	size_t		 nops;
	char		 text[512];	/* the literals */
};

/*
 * User agents and referrers repeat from line to line: their verdict (a
 * pattern or none; those tables hold no status-dependent rows) is cached,
 * direct-mapped, keyed by the whole string. A collision only forgets.
 */
#define WEB_CACHE_SLOTS	128
#define WEB_CACHE_TEXT	248

struct web_cache_slot {
	uint16_t		 len;		/* 0: empty */
	const struct web_pat	*verdict;
	char			 text[WEB_CACHE_TEXT];
};

struct web_state {
	struct web_table	 t[WEB_FIELDS];
	struct web_cache_slot	 cache[2][WEB_CACHE_SLOTS];	/* UA, referrer */
	uint8_t			 fold[256];
	struct web_fmt		 fmt[WEB_FMT_MAX];
	size_t			 nfmt;
};

/* One HTTP request as the logs show it; spans into the line. */
struct web_req {
	const char	*remote, *remote_end;	/* NULL: none */
	/* Built-in forms: the token after the first, when it precedes the
	 * stamp (vhost_combined puts the client there). */
	const char	*remote2, *remote2_end;
	const char	*user, *user_end;	/* NULL or "-": none */
	const char	*time, *time_end;	/* CLF stamp, with or without [ ] */
	const char	*req, *req_end;		/* the request line */
	const char	*method, *method_end;
	const char	*url, *url_end;
	const char	*ref, *ref_end;		/* NULL or "-": none */
	const char	*ua, *ua_end;
	unsigned	 status;		/* 0: unknown */
};

void	*web_state_new(void);
void	 web_state_free(void *st);

/*
 * Decides whether a request is hostile and fills the event's category,
 * kind, label, status and detail. Returns false for an ordinary request.
 */
bool	web_judge(struct web_state *st, struct web_req *r,
	    struct ad_event *ev);

/* Splits "METHOD URL PROTO" into r->method and r->url. */
void	web_split_request(struct web_req *r);

/* The probe label of a bare path (error logs): NULL when none matched. */
const struct web_pat *web_match_url(const struct web_state *st,
	    const char *p, const char *end, unsigned status, bool post);

/* A whole access-log line (built-in forms); false if it is not one. */
bool	web_access_split(const char *p, const char *end, struct web_req *r);

/* The families' parse functions, for lines of the other kind in one file. */
enum pr_result web_access_parse(struct pline *pl, struct ad_event *ev);
enum pr_result web_error_parse(struct pline *pl, struct ad_event *ev);
bool	web_error_claims(const char *m, size_t n);

#endif
