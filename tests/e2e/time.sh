#!/usr/bin/env bash
# time: stamps become the right instants, and incidents span them right.
#
#  1. Year-less stamps across New Year, the year taken from the file's
#     mtime (2026-01-01 00:05 UTC): 6 attempts from Dec 31 23:59:58 to
#     Jan 1 00:00:03 are one incident from 2025-12-31T23:59:58Z to
#     2026-01-01T00:00:03Z (not one in 2026 spanning the whole year).
#  2. --tz Europe/Berlin: "Mar  3 10:00:00" is 09:00Z (CET), "Jul  3
#     10:00:00" 08:00Z (CEST); the local time keeps its offset.
#  3. Stamps with an offset (ISO 8601, RFC 5424) ignore --tz.
#  4. --now places year-less stamps before it: Dec 30 with --now
#     2026-02-01 is 2025-12-30.
#  5. Files scanned newest first: 3 attempts at 10:00 (newer file), then 3
#     at 09:00 (older file) of the same source are one incident of 6 from
#     09:00 to 10:00; 3 more two days earlier are an incident of their own.
#  6. The window is the gap between events, across scans: events at Mar 1
#     00:00 and 20:00 (scan 1), Mar 2 16:00 and Mar 3 12:00 (scan 2) are
#     one incident of 4 spanning 2.5 days; with window = 1h, four of 1.
. "$(dirname "$0")/helpers.bash"
need python3

cd "$W" || exit 1
[ -e /usr/share/zoneinfo/Europe/Berlin ] || skip "no time zone data (tzdata)"
# Threshold 1: every incident is stored (closed below-threshold incidents
# are only counted), so each window's instants can be checked.
DOC=(--set documentation_as_public=yes --set threshold.ssh-bruteforce=1)
span() {	# DB SRC: "first_utc last_utc events" of each incident of SRC
	ad incidents --db "$1" --json --all | python3 -c '
import json, sys
for o in map(json.loads, sys.stdin):
    if o["src"] == sys.argv[1]:
        print(o["first_utc"], o["last_utc"], o["events"])' "$2" | sort
}
first_local() {	# first line of parse --json: "time"
	python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["time"])'
}

# 1.
{
	sshd_line "Dec 31 23:59:58" 11 "Failed password for root from 203.0.113.90 port 1001 ssh2"
	sshd_line "Dec 31 23:59:59" 11 "Failed password for root from 203.0.113.90 port 1001 ssh2"
	sshd_line "Jan  1 00:00:00" 11 "Failed password for root from 203.0.113.90 port 1001 ssh2"
	sshd_line "Jan  1 00:00:01" 12 "Failed password for root from 203.0.113.90 port 1002 ssh2"
	sshd_line "Jan  1 00:00:02" 12 "Failed password for root from 203.0.113.90 port 1002 ssh2"
	sshd_line "Jan  1 00:00:03" 12 "Failed password for root from 203.0.113.90 port 1002 ssh2"
} >newyear.log
touch -d "2026-01-01 00:05:00 UTC" newyear.log
ad scan --tz UTC "${DOC[@]}" --db ny.db newyear.log 2>/dev/null
expect_rc "scan across New Year" 0 "$?"
expect_eq "New Year: one incident, years from the file's mtime" \
    "2025-12-31T23:59:58Z 2026-01-01T00:00:03Z 6" "$(span ny.db 203.0.113.90)"

# 2.
line_mar="Mar  3 10:00:00 web1 sshd[1]: Failed password for root from 203.0.113.91 port 1 ssh2"
line_jul="Jul  3 10:00:00 web1 sshd[1]: Failed password for root from 203.0.113.91 port 1 ssh2"
expect_eq "--tz Europe/Berlin in winter" "2025-03-03T10:00:00+01:00" \
    "$(echo "$line_mar" | ad parse --json --year 2025 --tz Europe/Berlin 2>/dev/null | first_local)"
expect_eq "--tz Europe/Berlin in summer" "2025-07-03T10:00:00+02:00" \
    "$(echo "$line_jul" | ad parse --json --year 2025 --tz Europe/Berlin 2>/dev/null | first_local)"
printf '%s\n' "$line_mar" "$line_jul" >berlin.log
ad scan --year 2025 --tz Europe/Berlin "${DOC[@]}" --db tz.db berlin.log 2>/dev/null
expect_rc "scan with --tz Europe/Berlin" 0 "$?"
expect_eq "--tz Europe/Berlin: UTC instants of the incidents" "\
2025-03-03T09:00:00Z 2025-03-03T09:00:00Z 1
2025-07-03T08:00:00Z 2025-07-03T08:00:00Z 1" "$(span tz.db 203.0.113.91)"
printf 'tz = Europe/Berlin\n' >tz.conf
expect_eq "tz from the config file" "2025-03-03T10:00:00+01:00" \
    "$(echo "$line_mar" | ad parse --config tz.conf --json --year 2025 2>/dev/null | first_local)"

# 3.
{
	echo "2025-03-03T10:00:00.250000+05:30 web1 sshd[7]: Failed password for root from 203.0.113.92 port 1 ssh2"
	echo "<38>1 2025-03-03T06:00:00Z web1 sshd 7 - - Failed password for root from 203.0.113.92 port 1 ssh2"
} >iso.log
ad scan --tz Europe/Berlin "${DOC[@]}" --db iso.db iso.log 2>/dev/null
expect_rc "scan of ISO 8601 and RFC 5424 stamps" 0 "$?"
expect_eq "stamps with an offset ignore --tz" \
    "2025-03-03T04:30:00.250000Z 2025-03-03T06:00:00Z 2" "$(span iso.db 203.0.113.92)"

# 4.
expect_eq "--now places Dec 30 in the year before" "2025-12-30T10:00:00+00:00" \
    "$(sshd_line "Dec 30 10:00:00" 1 "Failed password for root from 203.0.113.93 port 1 ssh2" |
       ad parse --json --tz UTC --now 2026-02-01T00:00:00Z 2>/dev/null | first_local)"

# 5.
for i in 1 2 3; do
	sshd_line "Mar  3 10:00:0$i" 2$i "Failed password for root from 198.51.100.91 port 200$i ssh2"
done >newer.log
for i in 1 2 3; do
	sshd_line "Mar  3 09:00:0$i" 3$i "Failed password for root from 198.51.100.91 port 300$i ssh2"
done >older.log
for i in 1 2 3; do
	sshd_line "Mar  1 08:00:0$i" 4$i "Failed password for root from 198.51.100.91 port 400$i ssh2"
done >oldest.log
scan --db order.db newer.log 2>/dev/null
scan --db order.db older.log 2>/dev/null
scan --db order.db oldest.log 2>order.err
expect_rc "scans newest file first" 0 "$?"
# Mar 1 is two days before: an incident of its own, closed below its
# threshold, so only counted.
expect_eq "older events join the incident they are within 24 h of" \
    "2025-03-03T09:00:01Z 2025-03-03T10:00:03Z 6" "$(span order.db 198.51.100.91)"
expect_eq "the incident two days earlier: closed below threshold, counted" \
    "1 closed below threshold" "$(grep -o '[0-9]* closed below threshold' order.err)"
expect_eq "the joined incident is over the threshold now" \
    "198.51.100.91 ssh-bruteforce 6 new true" "$(incidents_table order.db)"

# 6.
{
	sshd_line "Mar  1 00:00:00" 51 "Failed password for root from 198.51.100.92 port 5001 ssh2"
	sshd_line "Mar  1 20:00:00" 52 "Failed password for root from 198.51.100.92 port 5002 ssh2"
} >chain.log
scan -q --db chain.db chain.log
{
	sshd_line "Mar  2 16:00:00" 53 "Failed password for root from 198.51.100.92 port 5003 ssh2"
	sshd_line "Mar  3 12:00:00" 54 "Failed password for root from 198.51.100.92 port 5004 ssh2"
} >>chain.log
scan -q --db chain.db chain.log
expect_eq "gaps under 24 h chain into one incident across scans" \
    "2025-03-01T00:00:00Z 2025-03-03T12:00:00Z 4" "$(span chain.db 198.51.100.92)"
scan -q --db chain1h.db --set window=1h --set threshold.ssh-bruteforce=1 chain.log
expect_eq "window = 1h: four incidents" "\
2025-03-01T00:00:00Z 2025-03-01T00:00:00Z 1
2025-03-01T20:00:00Z 2025-03-01T20:00:00Z 1
2025-03-02T16:00:00Z 2025-03-02T16:00:00Z 1
2025-03-03T12:00:00Z 2025-03-03T12:00:00Z 1" "$(span chain1h.db 198.51.100.92)"
finish
