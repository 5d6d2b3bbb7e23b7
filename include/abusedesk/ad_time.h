/*
 * ad_time.h - instants with their original UTC offset, and the local zone.
 *
 * A report must show when something happened both in the log's own zone
 * (with its UTC offset) and in UTC, so an instant is never reduced to a bare
 * UTC number: struct ad_instant keeps both.
 *
 * Year-less, zone-less syslog stamps (RFC 3164) are placed with struct
 * ad_clockref: a reference instant (file mtime, --now) or a fixed year
 * (--year), and the local zone of the process (the CLI sets TZ from --tz or
 * the config before it parses anything). The zone offset is looked up once
 * per local hour and cached, because mktime() is slow and logs are ordered.
 */
#ifndef AD_TIME_H
#define AD_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AD_ISO_STRLEN	40

struct ad_instant {
	int64_t	utc;		/* seconds since the epoch, UTC */
	int32_t	usec;		/* 0..999999 */
	int16_t	off_min;	/* original offset east of UTC, minutes */
	bool	valid;		/* false: the line carried no time */
};

/* How year-less local stamps become instants. Owned by the caller. */
struct ad_clockref {
	int64_t	ref;		/* reference instant: stamps after it (+1 day) roll back a year */
	int	year;		/* > 0: fixed year (with Dec->Jan rollover inside a stream) */
	int	last_year;	/* state for the fixed-year rollover */
	int	last_mon;
	int64_t	cache_key;	/* (y, m, d, h) of the cached local hour */
	int32_t	cache_off;	/* its UTC offset, seconds */
	bool	ref_known;	/* ref_days/ref_year computed (on first use) */
	int	ref_year;	/* the reference's local year */
	int64_t	ref_days;	/* and its local date, days since the epoch */
	/*
	 * ad_time_scan_bsd's last stamp up to its seconds ("Mar  1 00:01:")
	 * and that minute: the next stamps of a log mostly share it. Valid
	 * while last_year and last_mon are as it left them.
	 */
	char	bsd_key[24];
	uint8_t	bsd_key_len;	/* 0: none */
	int	bsd_last_year;
	int	bsd_last_mon;
	int64_t	bsd_minute;	/* UTC of its second 0 */
	int16_t	bsd_off_min;
};

/* Initialises ref from a reference instant (e.g. a file's mtime) or year. */
void	ad_clockref_init(struct ad_clockref *cr, int64_t ref, int year);

/* Days since 1970-01-01 of a proleptic Gregorian date (any year). */
int64_t	ad_days_from_civil(int y, unsigned m, unsigned d);

/*
 * Local civil time (in the process zone) to an instant. mon is 1..12.
 * Returns false for impossible fields.
 */
bool	ad_local_to_instant(struct ad_clockref *cr, int y, int mon, int day,
	    int h, int mi, int s, int32_t usec, struct ad_instant *out);

/* UTC offset (seconds east) of the process zone at a UTC instant. */
int32_t	ad_local_offset_at(int64_t utc);

/*
 * Parses an RFC 3164 stamp "Mmm dd hh:mm:ss" (also "Mmm d" and
 * "Mmm dd yyyy hh:mm:ss") at [p, end); fills out using cr for the year.
 * Returns bytes consumed or 0.
 */
size_t	ad_time_scan_bsd(const char *p, const char *end,
	    struct ad_clockref *cr, struct ad_instant *out);

/*
 * Parses ISO 8601 / RFC 3339 "YYYY-MM-DD[T ]hh:mm:ss[.frac][Z|+hh:mm|+hhmm]"
 * at [p, end). Without a zone designator the stamp is local (process zone).
 * Returns bytes consumed or 0.
 */
size_t	ad_time_scan_iso(const char *p, const char *end,
	    struct ad_clockref *cr, struct ad_instant *out);

/*
 * Parses the Snort/Suricata alert stamp "MM/DD/YYYY-hh:mm:ss[.frac]"
 * (Suricata), "MM/DD/YY-hh:mm:ss[.frac]" (Snort -y, 20YY) or
 * "MM/DD-hh:mm:ss[.frac]" (Snort: the year comes from cr) at [p, end);
 * local time. Returns bytes consumed or 0.
 */
size_t	ad_time_scan_mdy(const char *p, const char *end,
	    struct ad_clockref *cr, struct ad_instant *out);

/*
 * Parses a Common Log Format stamp "[10/Oct/2000:13:55:36 -0700]" (Apache
 * %t, nginx [$time_local]) at [p, end), brackets included. The offset is
 * the log's own, so no zone lookup is needed. Returns bytes consumed or 0.
 */
size_t	ad_time_scan_clf(const char *p, const char *end,
	    struct ad_instant *out);

/*
 * Parses a ctime(3)-style stamp "Wed Oct 11 13:55:36[.123456] 2000" (the
 * Apache error log, without its brackets) at [p, end), local time in the
 * process zone. Returns bytes consumed or 0.
 */
size_t	ad_time_scan_ctime(const char *p, const char *end,
	    struct ad_clockref *cr, struct ad_instant *out);

/*
 * Parses BIND's "dd-Mmm-yyyy hh:mm:ss[.mmm]" (named's file channels),
 * local time. Returns bytes consumed or 0.
 */
size_t	ad_time_scan_bind(const char *p, const char *end,
	    struct ad_clockref *cr, struct ad_instant *out);

/* "2026-11-22T17:45:03+01:00" (with .usec when non-zero); returns buf. */
char	*ad_instant_format(const struct ad_instant *t, char buf[AD_ISO_STRLEN]);
/* The same instant in UTC: "2026-11-22T16:45:03Z". */
char	*ad_instant_format_utc(const struct ad_instant *t, char buf[AD_ISO_STRLEN]);

/* Parses what ad_instant_format writes (for --now, config, tests). */
bool	ad_instant_parse(const char *s, struct ad_instant *out);

#endif
