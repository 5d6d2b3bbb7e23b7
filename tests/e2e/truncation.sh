#!/usr/bin/env bash
# truncation: logrotate's copytruncate (same inode, emptied, written again).
#
#  1. auth.log: 4 attempts of 203.0.113.11; scan -> 4 events.
#  2. 1 more attempt is appended; then copytruncate: cp auth.log auth.log.1,
#     truncate auth.log in place (the inode stays) and 2 new attempts are
#     written to it. Scanning auth.log and auth.log.1: auth.log is seen as
#     truncated and read from the start (2 lines); auth.log.1, the copy, is
#     known by its first line and only its last line is new (1 line).
#     4 + 2 + 1 = 7 events.
#  3. re-scan: nothing read.
#  4. truncated again, and this time the new content (8 attempts of
#     198.51.100.80) is longer than what was read before: still detected
#     by the changed first line, all 8 read.
. "$(dirname "$0")/helpers.bash"
need python3

cd "$W" || exit 1
DB=$W/t.db
x11() {	# x11 "Mar  3 09:00:01" PORT
	sshd_line "$1" "$2" "Failed password for root from 203.0.113.11 port $2 ssh2"
}
summary() {
	grep -o '[0-9]* file(s), [0-9]* lines, [0-9]* events' "$1"
}

for i in 1 2 3 4; do x11 "Mar  3 09:00:0$i" 4000$i; done >auth.log
ino=$(stat -c %i auth.log)
scan --db "$DB" auth.log 2>e1
expect_rc "scan 1" 0 "$?"
expect_eq "scan 1: 4 events" "203.0.113.11 ssh-bruteforce 4 below-threshold false" \
    "$(incidents_table "$DB" --all)"

x11 "Mar  3 09:00:05" 40005 >>auth.log
cp auth.log auth.log.1
: >auth.log
{ x11 "Mar  3 09:05:01" 40101; x11 "Mar  3 09:05:02" 40102; } >>auth.log
expect_eq "copytruncate kept the inode (test setup)" "$ino" "$(stat -c %i auth.log)"
scan --db "$DB" auth.log auth.log.1 2>e2
expect_rc "scan 2 (after copytruncate)" 0 "$?"
check "scan 2 reports the truncated file" grep -q '0 rotated, 1 truncated' e2
expect_eq "scan 2 reads 2 lines of auth.log and 1 of auth.log.1" \
    "2 file(s), 3 lines, 3 events" "$(summary e2)"
expect_eq "scan 2: 4 + 2 + 1 events" \
    "203.0.113.11 ssh-bruteforce 7 new true" "$(incidents_table "$DB" --all)"

scan --db "$DB" auth.log auth.log.1 2>e3
expect_rc "scan 3" 0 "$?"
expect_eq "scan 3 reads nothing" "2 file(s), 0 lines, 0 events" "$(summary e3)"
expect_eq "scan 3: unchanged" \
    "203.0.113.11 ssh-bruteforce 7 new true" "$(incidents_table "$DB" --all)"

# 4. New content longer than the old offset.
: >auth.log
for i in 1 2 3 4 5 6 7 8; do
	sshd_line "Mar  3 09:30:0$i" 4020$i "Failed password for admin from 198.51.100.80 port 4020$i ssh2"
done >>auth.log
expect_eq "second truncation kept the inode (test setup)" "$ino" "$(stat -c %i auth.log)"
scan --db "$DB" auth.log 2>e4
expect_rc "scan 4 (truncated, then grown past the old size)" 0 "$?"
expect_eq "scan 4 reads the 8 new lines" "1 file(s), 8 lines, 8 events" \
    "$(summary e4)"
check "scan 4 reports the truncated file" grep -q '0 rotated, 1 truncated' e4
expect_eq "scan 4: all 8 attempts of the new source counted" "\
198.51.100.80 ssh-bruteforce 8 new true
203.0.113.11 ssh-bruteforce 7 new true" "$(incidents_table "$DB" --all)"
finish
