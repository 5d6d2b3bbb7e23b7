/*
 * time.c - syslog and ISO 8601 stamps to instants with offsets.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "abusedesk/ad_time.h"

static inline bool
dig(int c)
{
	return c >= '0' && c <= '9';
}

/* n decimal digits at p, or -1. */
static int
num(const char *p, const char *end, int n)
{
	int v = 0, i;

	if (end - p < n)
		return -1;
	for (i = 0; i < n; i++) {
		if (!dig((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* Fraction digits at p: microseconds (extra digits dropped); returns the end. */
static const char *
fraction(const char *p, const char *end, int32_t *usec)
{
	int k = 0;

	*usec = 0;
	for (; p < end && dig((unsigned char)*p); p++)
		if (k < 6) {
			*usec = *usec * 10 + (*p - '0');
			k++;
		}
	for (; k < 6; k++)
		*usec *= 10;
	return p;
}

int64_t
ad_days_from_civil(int y, unsigned m, unsigned d)
{
	/* H. Hinnant's algorithm: exact for the proleptic Gregorian calendar. */
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	unsigned yoe = (unsigned)(yy - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

static int
days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

void
ad_clockref_init(struct ad_clockref *cr, int64_t ref, int year)
{
	memset(cr, 0, sizeof(*cr));
	cr->ref = ref;
	cr->year = year;
	cr->cache_key = -1;
}

/* UTC offset (seconds) of the process zone at a local civil hour. */
static int32_t
local_offset(struct ad_clockref *cr, int y, int mon, int day, int h)
{
	int64_t key = (((int64_t)y * 16 + mon) * 32 + day) * 32 + h;
	struct tm tm;
	time_t t;
	int64_t naive;

	if (key == cr->cache_key)
		return cr->cache_off;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = h;
	tm.tm_min = 30;		/* mid-hour: away from the :00 transition edge */
	tm.tm_isdst = -1;
	t = mktime(&tm);
	naive = ad_days_from_civil(y, (unsigned)mon, (unsigned)day) * 86400 +
	    h * 3600 + 30 * 60;
	cr->cache_key = key;
	cr->cache_off = (t == (time_t)-1) ? 0 : (int32_t)(naive - (int64_t)t);
	return cr->cache_off;
}

int32_t
ad_local_offset_at(int64_t utc)
{
	time_t t = (time_t)utc;
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return (int32_t)tm.tm_gmtoff;
}

bool
ad_local_to_instant(struct ad_clockref *cr, int y, int mon, int day,
    int h, int mi, int s, int32_t usec, struct ad_instant *out)
{
	int32_t off;

	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(y, mon) ||
	    h > 23 || mi > 59 || s > 60 || h < 0 || mi < 0 || s < 0)
		return false;
	off = local_offset(cr, y, mon, day, h);
	out->utc = ad_days_from_civil(y, (unsigned)mon, (unsigned)day) * 86400 +
	    h * 3600 + mi * 60 + s - off;
	out->usec = usec;
	out->off_min = (int16_t)(off / 60);
	out->valid = true;
	return true;
}

static int
month_of(const char *p)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	for (i = 0; i < 12; i++)
		if (p[0] == names[3 * i] && p[1] == names[3 * i + 1] &&
		    p[2] == names[3 * i + 2])
			return i + 1;
	return 0;
}

/* The year of a year-less stamp, from the reference or fixed year. */
static int
infer_year(struct ad_clockref *cr, int mon, int day)
{
	int ry, rm, rd;
	int64_t local, ref_days;

	if (cr->year > 0) {
		if (cr->last_year == 0)
			cr->last_year = cr->year;
		else if (mon < cr->last_mon && cr->last_mon - mon >= 6)
			cr->last_year++;	/* Dec -> Jan inside one stream */
		else if (mon > cr->last_mon && mon - cr->last_mon >= 6 &&
		    cr->last_year > cr->year)
			/*
			 * Once rolled over, a line half a year "ahead" is a
			 * late one of the year before (Dec after Jan): it
			 * neither moves the clock nor starts another year.
			 */
			return cr->last_year - 1;
		cr->last_mon = mon;
		return cr->last_year;
	}
	/* The reference's local date (stamps are local time), once. */
	if (!cr->ref_known) {
		local = cr->ref + ad_local_offset_at(cr->ref);
		cr->ref_days = local / 86400 - (local % 86400 < 0);
		civil_from_days(cr->ref_days, &ry, &rm, &rd);
		cr->ref_year = ry;
		cr->ref_known = true;
	}
	ref_days = cr->ref_days;
	ry = cr->ref_year;
	/* A stamp more than a day after the reference was written last year. */
	if (ad_days_from_civil(ry, (unsigned)mon, (unsigned)day) > ref_days + 1)
		return ry - 1;
	return ry;
}

/*
 * "hh:mm:ss[.frac]" at q, the clock of the bsd, mdy, ctime and bind
 * stamps: fills hms and *usec, returns the end of it or NULL.
 */
static const char *
scan_clock(const char *q, const char *end, int hms[3], int32_t *usec)
{
	if ((hms[0] = num(q, end, 2)) < 0 || q + 2 >= end || q[2] != ':' ||
	    (hms[1] = num(q + 3, end, 2)) < 0 || q + 5 >= end || q[5] != ':' ||
	    (hms[2] = num(q + 6, end, 2)) < 0)
		return NULL;
	q += 8;
	*usec = 0;
	if (q < end && *q == '.')
		q = fraction(q + 1, end, usec);
	return q;
}

/*
 * A year-less local stamp (y 0: placed by cr) that spans [p, q): its
 * length, or 0 when the fields are impossible.
 */
static size_t
local_stamp(struct ad_clockref *cr, int y, int mon, int day, const int hms[3],
    int32_t usec, struct ad_instant *out, const char *p, const char *q)
{
	if (y == 0)
		y = infer_year(cr, mon, day);
	if (!ad_local_to_instant(cr, y, mon, day, hms[0], hms[1], hms[2], usec,
	    out))
		return 0;
	return (size_t)(q - p);
}

/*
 * The stamp at [p, end) when it starts with cr's remembered minute. A
 * repeated month leaves the year inference as it was, and the zone offset
 * is a function of the hour: only the seconds remain to be read.
 */
static size_t
bsd_same_minute(const char *p, const char *end, struct ad_clockref *cr,
    struct ad_instant *out)
{
	size_t k = cr->bsd_key_len;
	const char *q = p + k;
	int s;
	int32_t usec = 0;

	if (k == 0 || (size_t)(end - p) < k + 2 ||
	    cr->last_year != cr->bsd_last_year ||
	    cr->last_mon != cr->bsd_last_mon || memcmp(p, cr->bsd_key, k) != 0 ||
	    (s = num(q, end, 2)) < 0 || s > 60)
		return 0;
	q += 2;
	if (q < end && *q == '.')
		q = fraction(q + 1, end, &usec);
	out->utc = cr->bsd_minute + s;
	out->usec = usec;
	out->off_min = cr->bsd_off_min;
	out->valid = true;
	return (size_t)(q - p);
}

size_t
ad_time_scan_bsd(const char *p, const char *end, struct ad_clockref *cr,
    struct ad_instant *out)
{
	const char *q = p, *clock;
	int mon, day, hms[3], y = 0;
	int32_t usec;
	size_t l;

	if ((l = bsd_same_minute(p, end, cr, out)) > 0)
		return l;
	if (end - q < 14 || (mon = month_of(q)) == 0 || q[3] != ' ')
		return 0;
	q += 4;
	if (*q == ' ' && dig((unsigned char)q[1])) {
		day = q[1] - '0';
		q += 2;
	} else if (dig((unsigned char)q[0]) && dig((unsigned char)q[1])) {
		day = (q[0] - '0') * 10 + (q[1] - '0');
		q += 2;
	} else if (dig((unsigned char)q[0]) && q[1] == ' ') {
		day = q[0] - '0';	/* "Feb 7 16:01:07": some writers don't pad */
		q += 1;
	} else
		return 0;
	if (q >= end || *q++ != ' ')
		return 0;
	/* Optional year: "Jan 12 2024 10:00:00" (some appliances). */
	if ((y = num(q, end, 4)) >= 0 && q + 4 < end && q[4] == ' ')
		q += 5;
	else
		y = 0;
	/* "Mar  1 00:01:52.123": a fraction after the seconds */
	clock = q;
	if ((q = scan_clock(q, end, hms, &usec)) == NULL ||
	    (l = local_stamp(cr, y, mon, day, hms, usec, out, p, q)) == 0)
		return 0;
	/* Everything read before the seconds lies before them. */
	if (clock + 6 - p <= (ptrdiff_t)sizeof(cr->bsd_key)) {
		cr->bsd_key_len = (uint8_t)(clock + 6 - p);
		memcpy(cr->bsd_key, p, cr->bsd_key_len);
		cr->bsd_last_year = cr->last_year;
		cr->bsd_last_mon = cr->last_mon;
		cr->bsd_minute = out->utc - hms[2];
		cr->bsd_off_min = out->off_min;
	}
	return l;
}

size_t
ad_time_scan_mdy(const char *p, const char *end, struct ad_clockref *cr,
    struct ad_instant *out)
{
	const char *q = p;
	int mon, day, y = 0, hms[3];
	int32_t usec;

	if ((mon = num(q, end, 2)) < 0 || end - q < 14 || q[2] != '/' ||
	    (day = num(q + 3, end, 2)) < 0)
		return 0;
	q += 5;
	if (*q == '/') {
		if ((y = num(q + 1, end, 4)) >= 0)
			q += 5;
		else if ((y = num(q + 1, end, 2)) >= 0) {
			y += 2000;	/* snort -y: "01/02/24-..." */
			q += 3;
		} else
			return 0;
	}
	if (q >= end || *q != '-' ||
	    (q = scan_clock(q + 1, end, hms, &usec)) == NULL)
		return 0;
	if (mon < 1 || mon > 12 || day < 1 || day > 31)
		return 0;
	return local_stamp(cr, y, mon, day, hms, usec, out, p, q);
}

size_t
ad_time_scan_iso(const char *p, const char *end, struct ad_clockref *cr,
    struct ad_instant *out)
{
	const char *q = p;
	int y, mon, day, h, mi, s, oh, om, sign;
	int32_t usec = 0;

	if ((y = num(q, end, 4)) < 0 || end - q < 19 || q[4] != '-' ||
	    (mon = num(q + 5, end, 2)) < 0 || q[7] != '-' ||
	    (day = num(q + 8, end, 2)) < 0 || (q[10] != 'T' && q[10] != ' ') ||
	    (h = num(q + 11, end, 2)) < 0 || q[13] != ':' ||
	    (mi = num(q + 14, end, 2)) < 0 || q[16] != ':' ||
	    (s = num(q + 17, end, 2)) < 0)
		return 0;
	q += 19;
	if (q < end && (*q == '.' || *q == ',')) {
		if (q + 1 >= end || !dig((unsigned char)q[1]))
			return 0;
		q = fraction(q + 1, end, &usec);
	}
	if (q < end && *q == 'Z') {
		q++;
		oh = om = 0;
		sign = 1;
	} else if (q < end && (*q == '+' || *q == '-')) {
		sign = *q == '-' ? -1 : 1;
		if ((oh = num(q + 1, end, 2)) < 0)
			return 0;
		if (q + 3 < end && q[3] == ':') {
			if ((om = num(q + 4, end, 2)) < 0)
				return 0;
			q += 6;
		} else if ((om = num(q + 3, end, 2)) >= 0)
			q += 5;
		else {
			om = 0;
			q += 3;
		}
		if (oh > 23 || om > 59)
			return 0;
	} else {
		if (!ad_local_to_instant(cr, y, mon, day, h, mi, s, usec, out))
			return 0;
		return (size_t)(q - p);
	}
	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(y, mon) ||
	    h > 23 || mi > 59 || s > 60)
		return 0;
	out->off_min = (int16_t)(sign * (oh * 60 + om));
	out->utc = ad_days_from_civil(y, (unsigned)mon, (unsigned)day) * 86400 +
	    h * 3600 + mi * 60 + s - out->off_min * 60;
	out->usec = usec;
	out->valid = true;
	return (size_t)(q - p);
}

size_t
ad_time_scan_clf(const char *p, const char *end, struct ad_instant *out)
{
	const char *q;
	int y, mon, day, h, mi, s, oh, om, sign;

	/* [10/Oct/2000:13:55:36 -0700]; "[1/Apr/2014:..." from some writers */
	if (end - p < 27 || p[0] != '[')
		return 0;
	if (p[2] == '/') {
		if ((day = num(p + 1, end, 1)) < 0)
			return 0;
		q = p + 2;
	} else {
		if ((day = num(p + 1, end, 2)) < 0)
			return 0;
		q = p + 3;
	}
	/* q: "/Oct/2000:13:55:36 -0700]" */
	if (end - q < 25 || q[0] != '/' || (mon = month_of(q + 1)) == 0 ||
	    q[4] != '/' || (y = num(q + 5, end, 4)) < 0 || q[9] != ':' ||
	    (h = num(q + 10, end, 2)) < 0 || q[12] != ':' ||
	    (mi = num(q + 13, end, 2)) < 0 || q[15] != ':' ||
	    (s = num(q + 16, end, 2)) < 0)
		return 0;
	q += 18;
	if (q < end && *q == '.') {	/* nginx $time_local has none; some forks do */
		int32_t usec;

		q = fraction(q + 1, end, &usec);
		out->usec = usec;
	} else
		out->usec = 0;
	if (end - q < 7 || q[0] != ' ' || (q[1] != '+' && q[1] != '-') ||
	    (oh = num(q + 2, end, 2)) < 0 || (om = num(q + 4, end, 2)) < 0 ||
	    q[6] != ']')
		return 0;
	sign = q[1] == '-' ? -1 : 1;
	if (day < 1 || day > days_in_month(y, mon) || h > 23 || mi > 59 ||
	    s > 60 || oh > 23 || om > 59)
		return 0;
	out->off_min = (int16_t)(sign * (oh * 60 + om));
	out->utc = ad_days_from_civil(y, (unsigned)mon, (unsigned)day) * 86400 +
	    h * 3600 + mi * 60 + s - out->off_min * 60;
	out->valid = true;
	return (size_t)(q + 7 - p);
}

size_t
ad_time_scan_ctime(const char *p, const char *end, struct ad_clockref *cr,
    struct ad_instant *out)
{
	const char *q = p;
	int y, mon, day, hms[3], n;
	int32_t usec;

	/* Www Mmm dd hh:mm:ss[.frac] yyyy */
	if (end - q < 24 || q[3] != ' ' || (mon = month_of(q + 4)) == 0 ||
	    q[7] != ' ')
		return 0;
	q += 8;
	if (*q == ' ')
		q++;
	n = q + 1 < end && q[1] == ' ' ? 1 : 2;
	if ((day = num(q, end, n)) < 0)
		return 0;
	q += n;
	if (q >= end || *q++ != ' ' ||
	    (q = scan_clock(q, end, hms, &usec)) == NULL)
		return 0;
	if (q >= end || *q++ != ' ' || (y = num(q, end, 4)) < 0)
		return 0;
	q += 4;
	if (!ad_local_to_instant(cr, y, mon, day, hms[0], hms[1], hms[2], usec,
	    out))
		return 0;
	return (size_t)(q - p);
}

size_t
ad_time_scan_bind(const char *p, const char *end, struct ad_clockref *cr,
    struct ad_instant *out)
{
	const char *q = p;
	int mon, day, hms[3], y;
	int32_t usec;

	if (end - q < 20 || (day = num(q, end, 2)) < 0 || q[2] != '-' ||
	    (mon = month_of(q + 3)) == 0 || q[6] != '-' ||
	    (y = num(q + 7, end, 4)) < 0 || q[11] != ' ')
		return 0;
	if ((q = scan_clock(q + 12, end, hms, &usec)) == NULL)
		return 0;
	if (!ad_local_to_instant(cr, y, mon, day, hms[0], hms[1], hms[2], usec,
	    out))
		return 0;
	return (size_t)(q - p);
}

/* Writes t at offset off_min; zulu writes "Z" instead of "+00:00". */
static char *
format_at(const struct ad_instant *t, int off_min, bool zulu,
    char buf[AD_ISO_STRLEN])
{
	int64_t local = t->utc + off_min * 60;
	int64_t days = local / 86400 - (local % 86400 < 0);
	int64_t sod = local - days * 86400;
	int y, m, d, n, a = off_min < 0 ? -off_min : off_min;
	char frac[8] = "";

	if (!t->valid) {
		buf[0] = '\0';
		return buf;
	}
	civil_from_days(days, &y, &m, &d);
	if (t->usec)
		snprintf(frac, sizeof(frac), ".%06d", (int)t->usec);
	n = snprintf(buf, AD_ISO_STRLEN, "%04d-%02d-%02dT%02d:%02d:%02d%s",
	    y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60),
	    frac);
	if (n < 0 || n >= AD_ISO_STRLEN - 7)
		return buf;
	if (zulu)
		snprintf(buf + n, AD_ISO_STRLEN - (size_t)n, "Z");
	else
		snprintf(buf + n, AD_ISO_STRLEN - (size_t)n, "%c%02d:%02d",
		    off_min < 0 ? '-' : '+', a / 60, a % 60);
	return buf;
}

char *
ad_instant_format(const struct ad_instant *t, char buf[AD_ISO_STRLEN])
{
	return format_at(t, t->off_min, false, buf);
}

char *
ad_instant_format_utc(const struct ad_instant *t, char buf[AD_ISO_STRLEN])
{
	return format_at(t, 0, true, buf);
}

bool
ad_instant_parse(const char *s, struct ad_instant *out)
{
	struct ad_clockref cr;
	size_t n = strlen(s), l;

	ad_clockref_init(&cr, 0, 0);
	memset(out, 0, sizeof(*out));
	if (n == 10 && s[4] == '-') {	/* a bare date: midnight local */
		char tmp[20];

		snprintf(tmp, sizeof(tmp), "%sT00:00:00", s);
		return ad_time_scan_iso(tmp, tmp + 19, &cr, out) == 19;
	}
	l = ad_time_scan_iso(s, s + n, &cr, out);
	return l == n && l > 0;
}
