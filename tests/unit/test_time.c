/*
 * test_time.c - ad_time.h: civil dates, syslog and ISO 8601 stamps, the
 * year of year-less stamps, the process zone and instant formatting.
 *
 * Epoch values were worked out by hand from the civil dates (days since
 * 1970-01-01 times 86400 plus the time of day minus the UTC offset) and
 * checked against an independent calendar implementation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abusedesk/ad_time.h"
#include "test_helper.h"

/* Central European Time with EU rules, independent of the tz database. */
#define TZ_CET	"CET-1CEST,M3.5.0,M10.5.0/3"

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static size_t
bsd(const char *s, struct ad_clockref *cr, struct ad_instant *t)
{
	memset(t, 0, sizeof(*t));
	return ad_time_scan_bsd(s, s + strlen(s), cr, t);
}

static size_t
iso(const char *s, struct ad_clockref *cr, struct ad_instant *t)
{
	memset(t, 0, sizeof(*t));
	return ad_time_scan_iso(s, s + strlen(s), cr, t);
}

static size_t
mdy(const char *s, struct ad_clockref *cr, struct ad_instant *t)
{
	memset(t, 0, sizeof(*t));
	return ad_time_scan_mdy(s, s + strlen(s), cr, t);
}

static void
test_mdy(void)
{
	struct ad_clockref cr;
	struct ad_instant t;

	set_tz("UTC");
	ad_clockref_init(&cr, 0, 2024);
	TEST_START("mdy: Suricata fast.log stamp with year");
	ASSERT_INT_EQ(mdy("07/11/2022-10:29:01.860293  [**]", &cr, &t), 26);
	/* 2022-07-11 = day 19184 */
	ASSERT_INT_EQ(t.utc, 19184LL * 86400 + 10 * 3600 + 29 * 60 + 1);
	ASSERT_INT_EQ(t.usec, 860293);
	ASSERT_INT_EQ(t.off_min, 0);
	TEST_DONE();

	TEST_START("mdy: Snort stamp without year takes the clock's");
	ASSERT_INT_EQ(mdy("01/02-10:08:59.667372 ", &cr, &t), 21);
	/* 2024-01-02 = day 19724 */
	ASSERT_INT_EQ(t.utc, 19724LL * 86400 + 10 * 3600 + 8 * 60 + 59);
	ASSERT_INT_EQ(t.usec, 667372);
	ASSERT_INT_EQ(mdy("01/02-10:08:59", &cr, &t), 14);
	TEST_DONE();

	TEST_START("mdy: Snort -y writes two year digits");
	ASSERT_INT_EQ(mdy("01/02/23-10:08:59.5 ", &cr, &t), 19);
	/* 2023-01-02 = day 19359 */
	ASSERT_INT_EQ(t.utc, 19359LL * 86400 + 10 * 3600 + 8 * 60 + 59);
	ASSERT_INT_EQ(t.usec, 500000);
	TEST_DONE();

	TEST_START("mdy: local zone");
	set_tz(TZ_CET);
	ad_clockref_init(&cr, 0, 2024);
	ASSERT_INT_EQ(mdy("07/11/2022-10:29:01", &cr, &t), 19);
	ASSERT_INT_EQ(t.utc, 19184LL * 86400 + 8 * 3600 + 29 * 60 + 1);
	ASSERT_INT_EQ(t.off_min, 120);
	set_tz("UTC");
	TEST_DONE();

	TEST_START("mdy: malformed and cut stamps");
	ASSERT_INT_EQ(mdy("13/02-10:08:59", &cr, &t), 0);
	ASSERT_INT_EQ(mdy("02/30/2023-10:08:59", &cr, &t), 0);
	ASSERT_INT_EQ(mdy("01/02-25:08:59", &cr, &t), 0);
	ASSERT_INT_EQ(mdy("01/02 10:08:59", &cr, &t), 0);
	ASSERT_INT_EQ(mdy("1/2-10:08:59.1", &cr, &t), 0);
	ASSERT_INT_EQ(mdy("01/02/2024-10:08:5", &cr, &t), 0);
	ASSERT_INT_EQ(mdy("01/02/4-10:08:59", &cr, &t), 0);
	ASSERT_INT_EQ(mdy("01/02/202-10:08:59", &cr, &t), 0);
	{
		const char *s = "01/02/2024-10:08:59";

		memset(&t, 0, sizeof(t));
		ASSERT_INT_EQ(ad_time_scan_mdy(s, s + 18, &cr, &t), 0);
		ASSERT_INT_EQ(ad_time_scan_mdy(s, s + 10, &cr, &t), 0);
	}
	TEST_DONE();
}

static void
test_days(void)
{
	TEST_START("days_from_civil known dates");
	ASSERT_INT_EQ(ad_days_from_civil(1970, 1, 1), 0);
	ASSERT_INT_EQ(ad_days_from_civil(1970, 1, 2), 1);
	ASSERT_INT_EQ(ad_days_from_civil(1969, 12, 31), -1);
	ASSERT_INT_EQ(ad_days_from_civil(1971, 1, 1), 365);
	ASSERT_INT_EQ(ad_days_from_civil(1972, 3, 1), 790);
	ASSERT_INT_EQ(ad_days_from_civil(2000, 1, 1), 10957);
	/* 2000 is a leap year (divisible by 400). */
	ASSERT_INT_EQ(ad_days_from_civil(2000, 3, 1), 11017);
	ASSERT_INT_EQ(ad_days_from_civil(2024, 2, 29), 19782);
	ASSERT_INT_EQ(ad_days_from_civil(2026, 1, 1), 20454);
	ASSERT_INT_EQ(ad_days_from_civil(2026, 11, 22), 20779);
	/* 1900 is not (divisible by 100): Feb 28 + 1 = Mar 1. */
	ASSERT_INT_EQ(ad_days_from_civil(1900, 3, 1) -
	    ad_days_from_civil(1900, 2, 28), 1);
	ASSERT_INT_EQ(ad_days_from_civil(1900, 3, 1), -25508);
	ASSERT_INT_EQ(ad_days_from_civil(1600, 1, 1), -135140);
	ASSERT_INT_EQ(ad_days_from_civil(1, 1, 1), -719162);
	/* 2038-01-19 is where 32-bit time_t ends: 2^31 s = 24855 d + ... */
	ASSERT_INT_EQ(ad_days_from_civil(2038, 1, 19), 24855);
	TEST_DONE();
}

static void
test_bsd_fixed_year(void)
{
	struct ad_clockref cr;
	struct ad_instant t;
	const char *s;
	int i;

	set_tz("UTC");

	TEST_START("bsd stamp with fixed year, UTC");
	ad_clockref_init(&cr, 0, 2026);
	ASSERT_INT_EQ(bsd("Nov 22 16:45:03 host sshd[1]: x", &cr, &t), 15);
	ASSERT_TRUE(t.valid);
	ASSERT_INT_EQ(t.utc, 1795365903);
	ASSERT_INT_EQ(t.off_min, 0);
	ASSERT_INT_EQ(t.usec, 0);
	TEST_DONE();

	TEST_START("bsd space-padded day");
	ad_clockref_init(&cr, 0, 2026);
	ASSERT_INT_EQ(bsd("Feb  7 16:01:07 host", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1770480067);
	TEST_DONE();

	TEST_START("bsd unpadded day \"Feb 7\"");
	ad_clockref_init(&cr, 0, 2026);
	ASSERT_INT_EQ(bsd("Feb 7 16:01:07 host sshd", &cr, &t), 14);
	ASSERT_INT_EQ(t.utc, 1770480067);
	TEST_DONE();

	TEST_START("bsd unpadded day, stamp ends the input");
	/* The contract scans [p, end): a 14-byte stamp is a whole stamp. */
	ad_clockref_init(&cr, 0, 2026);
	ASSERT_INT_EQ(bsd("Feb 7 16:01:07", &cr, &t), 14);
	ASSERT_INT_EQ(t.utc, 1770480067);
	TEST_DONE();

	TEST_START("bsd fractional seconds");
	ad_clockref_init(&cr, 0, 2026);
	ASSERT_INT_EQ(bsd("Mar  1 00:01:52.123 host", &cr, &t), 19);
	ASSERT_INT_EQ(t.usec, 123000);
	/* 2026-03-01 = day 20513 */
	ASSERT_INT_EQ(t.utc, 20513LL * 86400 + 112);
	ad_clockref_init(&cr, 0, 2026);
	ASSERT_INT_EQ(bsd("Mar  1 00:01:52.123456789 host", &cr, &t), 25);
	ASSERT_INT_EQ(t.usec, 123456);
	ad_clockref_init(&cr, 0, 2026);
	ASSERT_INT_EQ(bsd("Mar  1 00:01:52.5 x", &cr, &t), 17);
	ASSERT_INT_EQ(t.usec, 500000);
	TEST_DONE();

	TEST_START("bsd stamp with a year");
	ad_clockref_init(&cr, 0, 2026);
	ASSERT_INT_EQ(bsd("Jan 12 2024 10:00:00 fw", &cr, &t), 20);
	ASSERT_INT_EQ(t.utc, 1705053600);
	TEST_DONE();

	TEST_START("bsd fixed year rolls over Dec -> Jan");
	ad_clockref_init(&cr, 0, 2025);
	ASSERT_INT_EQ(bsd("Dec 31 23:59:59 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1767225599);
	ASSERT_INT_EQ(bsd("Jan  1 00:00:01 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1767225601);
	/* Still 2026 for the rest of the stream. */
	ASSERT_INT_EQ(bsd("Jan  1 00:00:02 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1767225602);
	ASSERT_INT_EQ(bsd("Feb  1 00:00:00 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 20485LL * 86400);
	TEST_DONE();

	TEST_START("bsd fixed year: late December lines after the rollover");
	ad_clockref_init(&cr, 0, 2025);
	ASSERT_INT_EQ(bsd("Dec 31 23:59:58 h", &cr, &t), 15);
	ASSERT_INT_EQ(bsd("Jan  1 00:00:01 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1767225601);
	/* A late line of 2025 among 2026's, twice: still 2025, then 2026. */
	for (i = 0; i < 2; i++) {
		ASSERT_INT_EQ(bsd("Dec 31 23:59:59 h", &cr, &t), 15);
		ASSERT_INT_EQ(t.utc, 1767225599);
		ASSERT_INT_EQ(bsd("Jan  1 00:00:02 h", &cr, &t), 15);
		ASSERT_INT_EQ(t.utc, 1767225602);
	}
	TEST_DONE();

	TEST_START("bsd same minute: remembered only while the year holds");
	ad_clockref_init(&cr, 0, 2025);
	ASSERT_INT_EQ(bsd("Jan  1 00:00:01 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1735689601);
	ASSERT_INT_EQ(bsd("Jan  1 00:00:05.25 h", &cr, &t), 18);
	ASSERT_INT_EQ(t.utc, 1735689605);
	ASSERT_INT_EQ(t.usec, 250000);
	ASSERT_INT_EQ(bsd("Jan  1 00:00:61 h", &cr, &t), 0);
	ASSERT_INT_EQ(bsd("Jan  1 00:00:6", &cr, &t), 0);
	/* December, then January again: the next year, not the first minute's. */
	ASSERT_INT_EQ(bsd("Dec 31 23:59:59 h", &cr, &t), 15);
	ASSERT_INT_EQ(bsd("Jan  1 00:00:02 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1767225602);
	/* Another scanner moving the month counts too. */
	ad_clockref_init(&cr, 0, 2025);
	ASSERT_INT_EQ(bsd("Jan  1 00:00:01 h", &cr, &t), 15);
	ASSERT_INT_EQ(mdy("12/31-23:59:59 ", &cr, &t), 14);
	ASSERT_INT_EQ(bsd("Jan  1 00:00:02 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1767225602);
	TEST_DONE();

	TEST_START("bsd fixed year: no rollover within the year");
	ad_clockref_init(&cr, 0, 2026);
	ASSERT_INT_EQ(bsd("Mar  5 10:00:00 h", &cr, &t), 15);
	ASSERT_INT_EQ(bsd("Mar  4 10:00:00 h", &cr, &t), 15);
	/* 2026-03-04 = day 20516 */
	ASSERT_INT_EQ(t.utc, 20516LL * 86400 + 36000);
	TEST_DONE();

	TEST_START("bsd malformed stamps rejected");
	ad_clockref_init(&cr, 0, 2026);
	s = "Foo 12 10:00:00 host";
	ASSERT_INT_EQ(bsd(s, &cr, &t), 0);
	ASSERT_INT_EQ(bsd("jan 12 10:00:00 host", &cr, &t), 0);
	ASSERT_INT_EQ(bsd("Jan 32 10:00:00 host", &cr, &t), 0);
	ASSERT_INT_EQ(bsd("Jan 00 10:00:00 host", &cr, &t), 0);
	ASSERT_INT_EQ(bsd("Jan 12 24:00:00 host", &cr, &t), 0);
	ASSERT_INT_EQ(bsd("Jan 12 10:60:00 host", &cr, &t), 0);
	ASSERT_INT_EQ(bsd("Jan 12 10:00:61 host", &cr, &t), 0);
	ASSERT_INT_EQ(bsd("Jan 12 10-00-00 host", &cr, &t), 0);
	ASSERT_INT_EQ(bsd("Jan 12 10:00", &cr, &t), 0);
	ASSERT_INT_EQ(bsd("", &cr, &t), 0);
	/* 2026 is not a leap year. */
	ASSERT_INT_EQ(bsd("Feb 29 10:00:00 host", &cr, &t), 0);
	ad_clockref_init(&cr, 0, 2024);
	ASSERT_INT_EQ(bsd("Feb 29 10:00:00 host", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 19782LL * 86400 + 36000);
	TEST_DONE();
}

static void
test_bsd_reference(void)
{
	struct ad_clockref cr;
	struct ad_instant t;

	set_tz("UTC");

	TEST_START("bsd year from reference: stamps before it");
	/* ref 2026-01-05T12:00:00Z */
	ad_clockref_init(&cr, 1767614400, 0);
	ASSERT_INT_EQ(bsd("Jan  4 10:00:00 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 20457LL * 86400 + 36000);
	ASSERT_INT_EQ(bsd("Jan  5 11:59:59 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1767614400 - 1);
	TEST_DONE();

	TEST_START("bsd year from reference: Dec 31 before Jan 5 is last year");
	ad_clockref_init(&cr, 1767614400, 0);
	ASSERT_INT_EQ(bsd("Dec 31 23:59:59 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1767225599);
	TEST_DONE();

	TEST_START("bsd year from reference: less than a day after it");
	ad_clockref_init(&cr, 1767614400, 0);
	/* 22 h after the reference: clock skew, same year. */
	ASSERT_INT_EQ(bsd("Jan  6 10:00:00 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1767693600);
	TEST_DONE();

	TEST_START("bsd year from reference: more than a day after it");
	ad_clockref_init(&cr, 1767614400, 0);
	/* 48 h after the reference: that was 2025-01-07. */
	ASSERT_INT_EQ(bsd("Jan  7 12:00:00 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1736251200);
	ASSERT_INT_EQ(bsd("Nov 22 16:45:03 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1795365903 - 365LL * 86400);
	TEST_DONE();

	TEST_START("bsd year from reference: next day across a month end");
	/*
	 * ref 2026-01-31T12:00:00Z; "Feb  1 00:00:00" is 12 h after it, so
	 * it is 2026-02-01, not almost a year before the reference.
	 */
	ad_clockref_init(&cr, 1769860800, 0);
	ASSERT_INT_EQ(bsd("Feb  1 00:00:00 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1769904000);
	TEST_DONE();

	TEST_START("bsd year from reference: local new year east of UTC");
	/*
	 * A CET log whose last line "Jan  1 00:15:00" (local) was written at
	 * the reference instant 2025-12-31T23:15:00Z (the file's mtime): the
	 * stamp is that very instant, in 2026 local time.
	 */
	set_tz(TZ_CET);
	ad_clockref_init(&cr, 1767222900, 0);
	ASSERT_INT_EQ(bsd("Jan  1 00:15:00 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1767222900);
	ASSERT_INT_EQ(t.off_min, 60);
	set_tz("UTC");
	TEST_DONE();
}

static void
test_bsd_local_zone(void)
{
	struct ad_clockref cr;
	struct ad_instant t;
	char buf[AD_ISO_STRLEN];

	set_tz(TZ_CET);

	TEST_START("bsd local winter time (CET, +01:00)");
	ad_clockref_init(&cr, 0, 2026);
	ASSERT_INT_EQ(bsd("Nov 22 17:45:03 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1795365903);
	ASSERT_INT_EQ(t.off_min, 60);
	ASSERT_STR_EQ(ad_instant_format(&t, buf), "2026-11-22T17:45:03+01:00");
	ASSERT_STR_EQ(ad_instant_format_utc(&t, buf), "2026-11-22T16:45:03Z");
	TEST_DONE();

	TEST_START("bsd local summer time (CEST, +02:00)");
	ad_clockref_init(&cr, 0, 2026);
	ASSERT_INT_EQ(bsd("Jul 15 12:00:00 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1784109600);
	ASSERT_INT_EQ(t.off_min, 120);
	ASSERT_STR_EQ(ad_instant_format(&t, buf), "2026-07-15T12:00:00+02:00");
	ASSERT_STR_EQ(ad_instant_format_utc(&t, buf), "2026-07-15T10:00:00Z");
	TEST_DONE();

	TEST_START("bsd on the DST change day (2026-03-29)");
	ad_clockref_init(&cr, 0, 2026);
	/* 01:30 is still CET; clocks jump 02:00 -> 03:00; 03:30 is CEST. */
	ASSERT_INT_EQ(bsd("Mar 29 01:30:00 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1774744200);
	ASSERT_INT_EQ(t.off_min, 60);
	ASSERT_INT_EQ(bsd("Mar 29 03:30:00 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1774747800);
	ASSERT_INT_EQ(t.off_min, 120);
	/* Back to the cached hour and forth: the cache must not stick. */
	ASSERT_INT_EQ(bsd("Mar 29 01:45:00 h", &cr, &t), 15);
	ASSERT_INT_EQ(t.utc, 1774744200 + 900);
	ASSERT_INT_EQ(t.off_min, 60);
	TEST_DONE();

	TEST_START("local offset at UTC instants");
	ASSERT_INT_EQ(ad_local_offset_at(1795365903), 3600);
	ASSERT_INT_EQ(ad_local_offset_at(1784109600), 7200);
	/* 2026-10-25 01:00Z is the autumn change: 00:59:59Z still CEST. */
	ASSERT_INT_EQ(ad_local_offset_at(20751LL * 86400 + 3600 - 1), 7200);
	ASSERT_INT_EQ(ad_local_offset_at(20751LL * 86400 + 3600), 3600);
	set_tz("UTC");
	ASSERT_INT_EQ(ad_local_offset_at(1784109600), 0);
	set_tz("EST5EDT,M3.2.0,M11.1.0");
	ASSERT_INT_EQ(ad_local_offset_at(1795365903), -5 * 3600);
	ASSERT_INT_EQ(ad_local_offset_at(1784109600), -4 * 3600);
	TEST_DONE();

	TEST_START("local_to_instant validates fields");
	set_tz("UTC");
	ad_clockref_init(&cr, 0, 0);
	ASSERT_TRUE(ad_local_to_instant(&cr, 2026, 11, 22, 16, 45, 3, 7, &t));
	ASSERT_INT_EQ(t.utc, 1795365903);
	ASSERT_INT_EQ(t.usec, 7);
	ASSERT_TRUE(t.valid);
	ASSERT_FALSE(ad_local_to_instant(&cr, 2026, 0, 1, 0, 0, 0, 0, &t));
	ASSERT_FALSE(ad_local_to_instant(&cr, 2026, 13, 1, 0, 0, 0, 0, &t));
	ASSERT_FALSE(ad_local_to_instant(&cr, 2026, 4, 31, 0, 0, 0, 0, &t));
	ASSERT_FALSE(ad_local_to_instant(&cr, 2026, 4, 0, 0, 0, 0, 0, &t));
	ASSERT_FALSE(ad_local_to_instant(&cr, 2026, 4, 1, 24, 0, 0, 0, &t));
	ASSERT_FALSE(ad_local_to_instant(&cr, 2026, 4, 1, 0, 60, 0, 0, &t));
	ASSERT_FALSE(ad_local_to_instant(&cr, 2026, 4, 1, 0, 0, -1, 0, &t));
	ASSERT_TRUE(ad_local_to_instant(&cr, 2026, 4, 30, 23, 59, 59, 0, &t));
	TEST_DONE();
}

static void
test_iso(void)
{
	struct ad_clockref cr;
	struct ad_instant t;

	set_tz("UTC");
	ad_clockref_init(&cr, 0, 0);

	TEST_START("iso with Z");
	ASSERT_INT_EQ(iso("2026-11-22T17:45:03Z host", &cr, &t), 20);
	ASSERT_TRUE(t.valid);
	ASSERT_INT_EQ(t.utc, 1795369503);
	ASSERT_INT_EQ(t.off_min, 0);
	ASSERT_INT_EQ(t.usec, 0);
	TEST_DONE();

	TEST_START("iso with +hh:mm and +hhmm");
	ASSERT_INT_EQ(iso("2026-11-22T17:45:03+01:00 host", &cr, &t), 25);
	ASSERT_INT_EQ(t.utc, 1795365903);
	ASSERT_INT_EQ(t.off_min, 60);
	ASSERT_INT_EQ(iso("2026-11-22T17:45:03+0100 host", &cr, &t), 24);
	ASSERT_INT_EQ(t.utc, 1795365903);
	ASSERT_INT_EQ(t.off_min, 60);
	ASSERT_INT_EQ(iso("2026-11-22T17:45:03+05:30", &cr, &t), 25);
	ASSERT_INT_EQ(t.utc, 1795369503 - 19800);
	ASSERT_INT_EQ(t.off_min, 330);
	ASSERT_INT_EQ(iso("2026-11-22T17:45:03+00:00", &cr, &t), 25);
	ASSERT_INT_EQ(t.utc, 1795369503);
	ASSERT_INT_EQ(t.off_min, 0);
	TEST_DONE();

	TEST_START("iso with negative offset");
	ASSERT_INT_EQ(iso("2026-11-22T17:45:03-04:00 x", &cr, &t), 25);
	ASSERT_INT_EQ(t.utc, 1795383903);
	ASSERT_INT_EQ(t.off_min, -240);
	ASSERT_INT_EQ(iso("2026-11-22T17:45:03-0930", &cr, &t), 24);
	ASSERT_INT_EQ(t.utc, 1795369503 + 9 * 3600 + 1800);
	ASSERT_INT_EQ(t.off_min, -570);
	/* The offset may carry the date across midnight. */
	ASSERT_INT_EQ(iso("2026-11-22T23:30:00-02:00", &cr, &t), 25);
	ASSERT_INT_EQ(t.utc, 20780LL * 86400 + 5400);
	TEST_DONE();

	TEST_START("iso with space separator and fraction");
	ASSERT_INT_EQ(iso("2026-11-22 17:45:03.250Z", &cr, &t), 24);
	ASSERT_INT_EQ(t.utc, 1795369503);
	ASSERT_INT_EQ(t.usec, 250000);
	ASSERT_INT_EQ(iso("2026-11-22T17:45:03.123456+01:00", &cr, &t), 32);
	ASSERT_INT_EQ(t.usec, 123456);
	ASSERT_INT_EQ(t.utc, 1795365903);
	ASSERT_INT_EQ(iso("2026-11-22T17:45:03.000001Z", &cr, &t), 27);
	ASSERT_INT_EQ(t.usec, 1);
	ASSERT_INT_EQ(iso("2026-11-22T17:45:03.1234567891Z", &cr, &t), 31);
	ASSERT_INT_EQ(t.usec, 123456);
	TEST_DONE();

	TEST_START("iso without zone is local (UTC)");
	ASSERT_INT_EQ(iso("2026-11-22T17:45:03 host", &cr, &t), 19);
	ASSERT_TRUE(t.valid);
	ASSERT_INT_EQ(t.utc, 1795369503);
	ASSERT_INT_EQ(t.off_min, 0);
	TEST_DONE();

	TEST_START("iso without zone is local (CET, winter and summer)");
	set_tz(TZ_CET);
	ad_clockref_init(&cr, 0, 0);
	ASSERT_INT_EQ(iso("2026-11-22 17:45:03 host", &cr, &t), 19);
	ASSERT_INT_EQ(t.utc, 1795365903);
	ASSERT_INT_EQ(t.off_min, 60);
	ASSERT_INT_EQ(iso("2026-07-15T12:00:00.5", &cr, &t), 21);
	ASSERT_INT_EQ(t.utc, 1784109600);
	ASSERT_INT_EQ(t.off_min, 120);
	ASSERT_INT_EQ(t.usec, 500000);
	/* An explicit zone wins over the process zone. */
	ASSERT_INT_EQ(iso("2026-07-15T12:00:00Z", &cr, &t), 20);
	ASSERT_INT_EQ(t.utc, 1784109600 + 7200);
	ASSERT_INT_EQ(t.off_min, 0);
	set_tz("UTC");
	ad_clockref_init(&cr, 0, 0);
	TEST_DONE();

	TEST_START("iso malformed rejected");
	ASSERT_INT_EQ(iso("2026-13-01T00:00:00Z", &cr, &t), 0);
	ASSERT_INT_EQ(iso("2026-00-10T00:00:00Z", &cr, &t), 0);
	ASSERT_INT_EQ(iso("2026-02-29T00:00:00Z", &cr, &t), 0);
	ASSERT_INT_EQ(iso("2026-04-31T00:00:00", &cr, &t), 0);
	ASSERT_INT_EQ(iso("2026-11-22T24:00:00Z", &cr, &t), 0);
	ASSERT_INT_EQ(iso("2026-11-22T23:60:00Z", &cr, &t), 0);
	ASSERT_INT_EQ(iso("2026-11-22T17:45:03+24:00", &cr, &t), 0);
	ASSERT_INT_EQ(iso("2026-11-22T17:45:03+01:60", &cr, &t), 0);
	ASSERT_INT_EQ(iso("2026-11-22T17:45:03.Z", &cr, &t), 0);
	ASSERT_INT_EQ(iso("2026-11-22X17:45:03Z", &cr, &t), 0);
	ASSERT_INT_EQ(iso("2026/11/22T17:45:03Z", &cr, &t), 0);
	ASSERT_INT_EQ(iso("2026-11-22T17:45", &cr, &t), 0);
	ASSERT_INT_EQ(iso("26-11-22T17:45:03Z", &cr, &t), 0);
	ASSERT_INT_EQ(iso("", &cr, &t), 0);
	ASSERT_INT_EQ(iso("2024-02-29T00:00:00Z", &cr, &t), 20);
	ASSERT_INT_EQ(t.utc, 19782LL * 86400);
	TEST_DONE();

	TEST_START("iso never reads past end");
	{
		const char *s = "2026-11-22T17:45:03+01:00";

		/* Cut before the offset: a local stamp of 19 bytes. */
		memset(&t, 0, sizeof(t));
		ASSERT_INT_EQ(ad_time_scan_iso(s, s + 19, &cr, &t), 19);
		ASSERT_INT_EQ(t.utc, 1795369503);
		memset(&t, 0, sizeof(t));
		ASSERT_INT_EQ(ad_time_scan_iso(s, s + 18, &cr, &t), 0);
	}
	TEST_DONE();
}

static void
test_format_parse(void)
{
	struct ad_instant t, u;
	char buf[AD_ISO_STRLEN];

	set_tz("UTC");

	TEST_START("instant_format with offsets");
	memset(&t, 0, sizeof(t));
	t.valid = true;
	t.utc = 1795365903;
	t.off_min = 60;
	ASSERT_STR_EQ(ad_instant_format(&t, buf), "2026-11-22T17:45:03+01:00");
	ASSERT_STR_EQ(ad_instant_format_utc(&t, buf), "2026-11-22T16:45:03Z");
	t.off_min = -240;
	ASSERT_STR_EQ(ad_instant_format(&t, buf), "2026-11-22T12:45:03-04:00");
	t.off_min = 330;
	ASSERT_STR_EQ(ad_instant_format(&t, buf), "2026-11-22T22:15:03+05:30");
	t.off_min = -30;
	ASSERT_STR_EQ(ad_instant_format(&t, buf), "2026-11-22T16:15:03-00:30");
	t.off_min = 0;
	ASSERT_STR_EQ(ad_instant_format(&t, buf), "2026-11-22T16:45:03+00:00");
	/* Local date differs from the UTC date. */
	t.off_min = 480;
	ASSERT_STR_EQ(ad_instant_format(&t, buf), "2026-11-23T00:45:03+08:00");
	ASSERT_STR_EQ(ad_instant_format_utc(&t, buf), "2026-11-22T16:45:03Z");
	TEST_DONE();

	TEST_START("instant_format fractions and edge instants");
	memset(&t, 0, sizeof(t));
	t.valid = true;
	t.utc = 1795365903;
	t.usec = 5;
	ASSERT_STR_EQ(ad_instant_format_utc(&t, buf),
	    "2026-11-22T16:45:03.000005Z");
	t.usec = 250000;
	t.off_min = 60;
	ASSERT_STR_EQ(ad_instant_format(&t, buf),
	    "2026-11-22T17:45:03.250000+01:00");
	t.usec = 0;
	t.off_min = 0;
	t.utc = 0;
	ASSERT_STR_EQ(ad_instant_format_utc(&t, buf), "1970-01-01T00:00:00Z");
	t.utc = -1;
	ASSERT_STR_EQ(ad_instant_format_utc(&t, buf), "1969-12-31T23:59:59Z");
	t.utc = 951782400;	/* 2000-02-29 */
	ASSERT_STR_EQ(ad_instant_format_utc(&t, buf), "2000-02-29T00:00:00Z");
	t.utc = 4102444799LL;	/* 2099-12-31T23:59:59Z */
	ASSERT_STR_EQ(ad_instant_format_utc(&t, buf), "2099-12-31T23:59:59Z");
	TEST_DONE();

	TEST_START("instant_format of an invalid instant is empty");
	memset(&t, 0, sizeof(t));
	buf[0] = 'x';
	ASSERT_STR_EQ(ad_instant_format(&t, buf), "");
	buf[0] = 'x';
	ASSERT_STR_EQ(ad_instant_format_utc(&t, buf), "");
	TEST_DONE();

	TEST_START("instant_parse");
	ASSERT_TRUE(ad_instant_parse("2026-11-22T17:45:03+01:00", &t));
	ASSERT_TRUE(t.valid);
	ASSERT_INT_EQ(t.utc, 1795365903);
	ASSERT_INT_EQ(t.off_min, 60);
	ASSERT_TRUE(ad_instant_parse("2026-11-22T16:45:03Z", &t));
	ASSERT_INT_EQ(t.utc, 1795365903);
	ASSERT_INT_EQ(t.off_min, 0);
	ASSERT_TRUE(ad_instant_parse("2026-11-22T17:45:03.250000+01:00", &t));
	ASSERT_INT_EQ(t.usec, 250000);
	ASSERT_FALSE(ad_instant_parse("2026-11-22T17:45:03+01:00 ", &t));
	ASSERT_FALSE(ad_instant_parse("2026-11-22T17:45:03Zjunk", &t));
	ASSERT_FALSE(ad_instant_parse("", &t));
	ASSERT_FALSE(ad_instant_parse("yesterday", &t));
	ASSERT_FALSE(ad_instant_parse("2026-13-22", &t));
	TEST_DONE();

	TEST_START("instant_parse bare date is local midnight");
	ASSERT_TRUE(ad_instant_parse("2026-11-22", &t));
	ASSERT_INT_EQ(t.utc, 1795305600);
	ASSERT_INT_EQ(t.off_min, 0);
	set_tz(TZ_CET);
	ASSERT_TRUE(ad_instant_parse("2026-11-22", &t));
	ASSERT_INT_EQ(t.utc, 1795305600 - 3600);
	ASSERT_INT_EQ(t.off_min, 60);
	ASSERT_TRUE(ad_instant_parse("2026-07-15T12:00:00", &t));
	ASSERT_INT_EQ(t.utc, 1784109600);
	ASSERT_INT_EQ(t.off_min, 120);
	set_tz("UTC");
	TEST_DONE();

	TEST_START("format and parse round trip");
	memset(&t, 0, sizeof(t));
	t.valid = true;
	t.utc = 1784109600;
	t.usec = 42;
	t.off_min = -570;
	ad_instant_format(&t, buf);
	ASSERT_STR_EQ(buf, "2026-07-15T00:30:00.000042-09:30");
	ASSERT_TRUE(ad_instant_parse(buf, &u));
	ASSERT_INT_EQ(u.utc, t.utc);
	ASSERT_INT_EQ(u.usec, t.usec);
	ASSERT_INT_EQ(u.off_min, t.off_min);
	TEST_DONE();
}

static void
test_clf_ctime(void)
{
	struct ad_clockref cr;
	struct ad_instant t;
	const char *s;

	TEST_START("clf stamp with its own offset");
	s = "[10/Oct/2000:13:55:36 -0700] \"GET /";
	memset(&t, 0, sizeof(t));
	ASSERT_INT_EQ(ad_time_scan_clf(s, s + strlen(s), &t), 28);
	ASSERT_TRUE(t.valid);
	ASSERT_INT_EQ(t.off_min, -420);
	/* 2000-10-10T20:55:36Z */
	ASSERT_INT_EQ(t.utc, 971211336);
	s = "[01/Jan/2024:00:00:00 +0530]";
	ASSERT_INT_EQ(ad_time_scan_clf(s, s + strlen(s), &t), 28);
	ASSERT_INT_EQ(t.off_min, 330);
	ASSERT_INT_EQ(t.utc, 1704047400);
	s = "[1/Apr/2014:00:00:01 -0500]";
	ASSERT_INT_EQ(ad_time_scan_clf(s, s + strlen(s), &t), 27);
	ASSERT_INT_EQ(t.utc, 1396328401);
	TEST_DONE();

	TEST_START("clf malformed stamps rejected");
	s = "[10/Oct/2000:13:55:36 -0700";		/* no bracket */
	ASSERT_INT_EQ(ad_time_scan_clf(s, s + strlen(s), &t), 0);
	s = "[31/Feb/2000:13:55:36 -0700]";
	ASSERT_INT_EQ(ad_time_scan_clf(s, s + strlen(s), &t), 0);
	s = "[10/Foo/2000:13:55:36 -0700]";
	ASSERT_INT_EQ(ad_time_scan_clf(s, s + strlen(s), &t), 0);
	s = "[10/Oct/2000:25:55:36 -0700]";
	ASSERT_INT_EQ(ad_time_scan_clf(s, s + strlen(s), &t), 0);
	s = "[10/Oct/2000:13:55:36 0700]";
	ASSERT_INT_EQ(ad_time_scan_clf(s, s + strlen(s), &t), 0);
	s = "[10/Oct/2000:13:55:36 -0700]";
	ASSERT_INT_EQ(ad_time_scan_clf(s, s + 20, &t), 0);	/* truncated */
	TEST_DONE();

	TEST_START("ctime stamp (Apache error log), local zone");
	set_tz("UTC");
	ad_clockref_init(&cr, 0, 0);
	s = "Tue Jul 22 06:48:30 2008] [error]";
	memset(&t, 0, sizeof(t));
	ASSERT_INT_EQ(ad_time_scan_ctime(s, s + strlen(s), &cr, &t), 24);
	ASSERT_INT_EQ(t.utc, 1216709310);
	s = "Thu Sep 25 09:27:18.813902 2014] [cgi:error]";
	ASSERT_INT_EQ(ad_time_scan_ctime(s, s + strlen(s), &cr, &t), 31);
	ASSERT_INT_EQ(t.usec, 813902);
	s = "Sat Mar  1 06:48:30 2008]";
	ASSERT_INT_EQ(ad_time_scan_ctime(s, s + strlen(s), &cr, &t), 24);
	ASSERT_INT_EQ(t.utc, 1204354110);
	s = "Sat Mar 1 06:48:30 2008]";
	ASSERT_INT_EQ(ad_time_scan_ctime(s, s + strlen(s), &cr, &t), 23);
	s = "Tue Jul 22 06:48:30]";
	ASSERT_INT_EQ(ad_time_scan_ctime(s, s + strlen(s), &cr, &t), 0);
	set_tz(TZ_CET);
	ad_clockref_init(&cr, 0, 0);
	s = "Tue Jul 22 06:48:30 2008";
	ASSERT_INT_EQ(ad_time_scan_ctime(s, s + strlen(s), &cr, &t), 24);
	ASSERT_INT_EQ(t.off_min, 120);
	ASSERT_INT_EQ(t.utc, 1216709310 - 7200);
	TEST_DONE();
}

static void
test_vsftpd_bind(void)
{
	struct ad_clockref cr;
	struct ad_instant t;
	const char *s;

	set_tz("UTC");
	ad_clockref_init(&cr, 0, 0);

	TEST_START("ctime stamp (vsftpd.log)");
	s = "Fri Jan 19 12:20:33 2007 [pid 27202] x";
	memset(&t, 0, sizeof(t));
	ASSERT_INT_EQ(ad_time_scan_ctime(s, s + strlen(s), &cr, &t), 24);
	ASSERT_TRUE(t.valid);
	/* 2007-01-19: 13532 days */
	ASSERT_INT_EQ(t.utc, 13532LL * 86400 + 12 * 3600 + 20 * 60 + 33);
	s = "Thu Sep  8 00:39:49 2016 [pid 1]";
	memset(&t, 0, sizeof(t));
	ASSERT_INT_EQ(ad_time_scan_ctime(s, s + strlen(s), &cr, &t), 24);
	ASSERT_INT_EQ(t.utc, ad_days_from_civil(2016, 9, 8) * 86400 + 39 * 60 + 49);
	s = "Mon Jun 8 12:08:44 2020 [pid 27245]";
	memset(&t, 0, sizeof(t));
	ASSERT_INT_EQ(ad_time_scan_ctime(s, s + strlen(s), &cr, &t), 23);
	ASSERT_INT_EQ(t.utc, ad_days_from_civil(2020, 6, 8) * 86400 +
	    12 * 3600 + 8 * 60 + 44);
	s = "Mon Foo 8 12:08:44 2020";
	ASSERT_INT_EQ(ad_time_scan_ctime(s, s + strlen(s), &cr, &t), 0);
	s = "Mon Jun 8 12:08:44 20";
	ASSERT_INT_EQ(ad_time_scan_ctime(s, s + strlen(s), &cr, &t), 0);
	s = "Mon Jun 31 12:08:44 2020";
	ASSERT_INT_EQ(ad_time_scan_ctime(s, s + strlen(s), &cr, &t), 0);
	TEST_DONE();

	TEST_START("BIND stamp");
	s = "19-Oct-2022 05:34:02.425 client @0x1 1.2.3.4#1";
	memset(&t, 0, sizeof(t));
	ASSERT_INT_EQ(ad_time_scan_bind(s, s + strlen(s), &cr, &t), 24);
	ASSERT_INT_EQ(t.utc, ad_days_from_civil(2022, 10, 19) * 86400 +
	    5 * 3600 + 34 * 60 + 2);
	ASSERT_INT_EQ(t.usec, 425000);
	s = "11-Aug-2013 03:36:11 error";
	memset(&t, 0, sizeof(t));
	ASSERT_INT_EQ(ad_time_scan_bind(s, s + strlen(s), &cr, &t), 20);
	s = "11-Aug-13 03:36:11 error";
	ASSERT_INT_EQ(ad_time_scan_bind(s, s + strlen(s), &cr, &t), 0);
	s = "11-Aug-2013";
	ASSERT_INT_EQ(ad_time_scan_bind(s, s + strlen(s), &cr, &t), 0);
	TEST_DONE();
}

int
main(void)
{
	/* Line-buffered: a sanitizer abort must not swallow results. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_days();
	test_mdy();
	test_bsd_fixed_year();
	test_bsd_reference();
	test_bsd_local_zone();
	test_iso();
	test_format_parse();
	test_clf_ctime();
	test_vsftpd_bind();
	TESTS_END();
}
