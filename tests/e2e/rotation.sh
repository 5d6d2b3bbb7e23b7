#!/usr/bin/env bash
# rotation: logrotate's "create" mode, then delaycompress.
#
#  1. auth.log gets 3 attempts of 203.0.113.9; scan.
#  2. 2 more attempts are appended, then before the next scan the file is
#     rotated: mv auth.log auth.log.1, a new auth.log gets 2 attempts of
#     203.0.113.9 and 1 of 198.51.100.50. Scanning only auth.log (what a
#     cron job configured with the one path does) must finish auth.log.1
#     first: 3 + 2 + 2 = 7 events, nothing lost.
#  3. scanning auth.log and auth.log.1 together afterwards reads nothing.
#  4. second rotation: auth.log.1 is compressed to auth.log.2.gz (same first
#     line, new inode), auth.log -> auth.log.1 after 1 more appended line,
#     new auth.log with 1 line. Scanning all three counts every line once.
#  5. a rotation that leaves auth.log empty at scan time: the unread tail
#     of auth.log.1 is picked up by the next scan that sees new content.
#  6. "compress" without "delaycompress": the old file is auth.log.1.gz at
#     once (a new inode). Scanning auth.log and auth.log.1.gz reads the
#     tail of the .gz (known by its first line) and the new file, once.
. "$(dirname "$0")/helpers.bash"
need python3 gzip

cd "$W" || exit 1
DB=$W/t.db
a9() {	# one attempt of 203.0.113.9: a9 "Mar  3 08:00:01" PORT
	sshd_line "$1" "$2" "Failed password for root from 203.0.113.9 port $2 ssh2"
}
summary() {
	grep -o '^abusedesk scan: [0-9]* file(s), [0-9]* lines, [0-9]* events' "$1"
}

# 1.
{ a9 "Mar  3 08:00:01" 40001; a9 "Mar  3 08:00:02" 40002; a9 "Mar  3 08:00:03" 40003; } >auth.log
scan --db "$DB" auth.log 2>e1
expect_rc "scan 1" 0 "$?"
expect_eq "scan 1: 3 events" "203.0.113.9 ssh-bruteforce 3 below-threshold false" \
    "$(incidents_table "$DB" --all)"

# 2.
{ a9 "Mar  3 08:00:04" 40004; a9 "Mar  3 08:00:05" 40005; } >>auth.log
mv auth.log auth.log.1
{
	a9 "Mar  3 08:10:01" 40011
	sshd_line "Mar  3 08:10:02" 40012 "Failed password for root from 198.51.100.50 port 40012 ssh2"
	a9 "Mar  3 08:10:03" 40013
} >auth.log
scan --db "$DB" auth.log 2>e2
expect_rc "scan 2 (after rotation)" 0 "$?"
expect_eq "scan 2: the tail of auth.log.1 (2 lines) and the new auth.log (3 lines)" \
    "abusedesk scan: 1 file(s), 5 lines, 5 events" \
    "$(summary e2 | sed 's/[0-9]* file(s)/1 file(s)/')"
check "scan 2 says a rotated file was read from the start" \
    grep -q '1 rotated, 0 truncated' e2
expect_eq "scan 2: nothing lost (3 + 2 + 2 events)" "\
198.51.100.50 ssh-bruteforce 1 below-threshold false
203.0.113.9 ssh-bruteforce 7 new true" "$(incidents_table "$DB" --all)"

# 3.
scan --db "$DB" auth.log auth.log.1 2>e3
expect_rc "scan 3 (both files)" 0 "$?"
expect_eq "scan 3 reads nothing" "abusedesk scan: 2 file(s), 0 lines, 0 events" \
    "$(summary e3)"
expect_eq "scan 3: nothing double counted" "\
198.51.100.50 ssh-bruteforce 1 below-threshold false
203.0.113.9 ssh-bruteforce 7 new true" "$(incidents_table "$DB" --all)"

# 4.
gzip -c auth.log.1 >auth.log.2.gz && rm auth.log.1
a9 "Mar  3 08:10:04" 40014 >>auth.log
mv auth.log auth.log.1
a9 "Mar  3 08:20:01" 40021 >auth.log
scan --db "$DB" auth.log auth.log.1 auth.log.2.gz 2>e4
expect_rc "scan 4 (after the second rotation)" 0 "$?"
expect_eq "scan 4: 1 line left in auth.log.1, 1 in the new auth.log, none in .2.gz" \
    "2 lines, 2 events" "$(summary e4 | grep -o '[0-9]* lines, [0-9]* events')"
expect_eq "scan 4: 7 + 2 events, the compressed file not counted again" "\
198.51.100.50 ssh-bruteforce 1 below-threshold false
203.0.113.9 ssh-bruteforce 9 new true" "$(incidents_table "$DB" --all)"
scan --db "$DB" auth.log.2.gz 2>e4b
expect_eq "the .gz alone again: nothing read" "0 lines, 0 events" \
    "$(summary e4b | grep -o '[0-9]* lines, [0-9]* events')"

# 5. A fresh store; the new auth.log is still empty when the scan runs.
DB5=$W/t5.db
rm -f auth.log auth.log.1 auth.log.2.gz
{ a9 "Mar  4 08:00:01" 41001; a9 "Mar  4 08:00:02" 41002; } >auth.log
scan --db "$DB5" auth.log 2>/dev/null
{ a9 "Mar  4 08:00:03" 41003; a9 "Mar  4 08:00:04" 41004; } >>auth.log
mv auth.log auth.log.1
: >auth.log
scan --db "$DB5" auth.log 2>e5
expect_rc "scan of an empty new auth.log" 0 "$?"
a9 "Mar  4 08:30:01" 41031 >>auth.log
scan --db "$DB5" auth.log 2>e5b
expect_rc "scan once the new auth.log has a line" 0 "$?"
expect_eq "the tail of auth.log.1 was not lost (2 + 2 + 1 events)" \
    "203.0.113.9 ssh-bruteforce 5 new true" "$(incidents_table "$DB5" --all)"

# 6.
DB6=$W/t6.db
rm -f auth.log auth.log.1
{ a9 "Mar  6 08:00:01" 42001; a9 "Mar  6 08:00:02" 42002; } >auth.log
scan --db "$DB6" auth.log 2>/dev/null
{ a9 "Mar  6 08:00:03" 42003; a9 "Mar  6 08:00:04" 42004; } >>auth.log
mv auth.log auth.log.1 && gzip auth.log.1
a9 "Mar  6 08:30:01" 42031 >auth.log
scan --db "$DB6" auth.log auth.log.1.gz 2>e6
expect_rc "scan of auth.log and auth.log.1.gz" 0 "$?"
expect_eq "compressed at once: 1 new line in auth.log, the 2-line tail of the .gz" \
    "3 lines, 3 events" "$(summary e6 | grep -o '[0-9]* lines, [0-9]* events')"
expect_eq "compressed at once: 2 + 2 + 1 events" \
    "203.0.113.9 ssh-bruteforce 5 new true" "$(incidents_table "$DB6" --all)"
scan --db "$DB6" auth.log auth.log.1.gz 2>e6b
expect_eq "and again: nothing read" "0 lines, 0 events" \
    "$(summary e6b | grep -o '[0-9]* lines, [0-9]* events')"
finish
