#!/usr/bin/env bash
# scan_sshd: a small hand-written auth.log becomes the right incidents.
#
# Every expected number below is counted by hand from the log written here:
# sources, categories, events (a "message repeated N times" line is N
# attempts), the threshold boundary (5 events = new, fewer = below), the
# 24 h window splitting one source into two incidents, and benign lines
# (logins, sessions, cron, sudo, a polite disconnect) producing nothing.
. "$(dirname "$0")/helpers.bash"
need python3

L=$W/auth.log
{
	# A 203.0.113.5: 1 + 1 + 2 (repeated) + 1 + 1 = 6 attempts -> new.
	sshd_line "Mar  3 10:00:01" 1001 "Failed password for root from 203.0.113.5 port 40001 ssh2"
	sshd_line "Mar  3 10:00:04" 1001 "Failed password for root from 203.0.113.5 port 40002 ssh2"
	sshd_line "Mar  3 10:00:07" 1001 "message repeated 2 times: [ Failed password for root from 203.0.113.5 port 40002 ssh2]"
	echo "Mar  3 10:00:08 web1 CRON[2001]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)"
	sshd_line "Mar  3 10:00:12" 1002 "Invalid user admin from 203.0.113.5 port 40010"
	sshd_line "Mar  3 10:00:15" 1003 "Invalid user oracle from 203.0.113.5 port 40011"
	# Benign: a key login, its session, a polite disconnect.
	sshd_line "Mar  3 10:01:00" 1010 "Accepted publickey for alice from 192.0.2.10 port 50100 ssh2: ED25519 SHA256:Zm9vYmFyYmF6cXV4"
	sshd_line "Mar  3 10:01:00" 1010 "pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)"
	echo "Mar  3 10:01:30 web1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/apt update"
	sshd_line "Mar  3 10:02:00" 1010 "Received disconnect from 192.0.2.10 port 50100:11: disconnected by user"
	sshd_line "Mar  3 10:02:00" 1010 "Disconnected from user alice 192.0.2.10 port 50100"
	sshd_line "Mar  3 10:02:00" 1010 "pam_unix(sshd:session): session closed for user alice"
	# B 198.51.100.9: 2 attempts -> below-threshold.
	sshd_line "Mar  3 10:03:00" 1020 "Failed password for bob from 198.51.100.9 port 51000 ssh2"
	sshd_line "Mar  3 10:03:04" 1020 "Failed password for bob from 198.51.100.9 port 51000 ssh2"
	# C 198.51.100.23: exactly 5 attempts -> new (the threshold is >= 5).
	for i in 1 2 3 4 5; do
		sshd_line "Mar  3 10:04:0$i" $((1030 + i)) "Failed password for invalid user oracle from 198.51.100.23 port 5200$i ssh2"
	done
	# D 192.0.2.44: 5 preauth closes (ssh-probe, new) + 1 failure
	# (ssh-bruteforce, its own incident, below).
	for i in 1 2 3 4 5; do
		sshd_line "Mar  3 10:05:1$i" $((1040 + i)) "Connection closed by 192.0.2.44 port 5500$i [preauth]"
	done
	sshd_line "Mar  3 10:05:20" 1046 "Failed password for root from 192.0.2.44 port 55010 ssh2"
	# E 2001:db8::66: 5 attempts over IPv6 -> new.
	for i in 1 2 3 4 5; do
		sshd_line "Mar  3 10:06:0$i" $((1050 + i)) "Failed password for root from 2001:db8::66 port 4400$i ssh2"
	done
	# F 203.0.113.200: 3 attempts now ...
	for i in 1 2 3; do
		sshd_line "Mar  3 10:30:0$i" $((1060 + i)) "Failed password for pi from 203.0.113.200 port 3300$i ssh2"
	done
	# ... and 3 more two days later: more than the 24 h window apart, so
	# two incidents of 3 (both below), never one of 6. The first one closed
	# below threshold before it was ever stored: counted, not kept.
	for i in 1 2 3; do
		sshd_line "Mar  5 11:00:0$i" $((1070 + i)) "Failed password for pi from 203.0.113.200 port 3400$i ssh2"
	done
} >"$L"
lines=$(wc -l <"$L")
# Lines with an event: A 5, B 2, C 5, D 6, E 5, F 6.
events_lines=29

DB=$W/t.db
scan --db "$DB" "$L" 2>"$W/err"
rc=$?
expect_rc "scan" 0 "$rc"
expect_eq "scan summary: lines and events" \
    "abusedesk scan: 1 file(s), $lines lines, $events_lines events" \
    "$(grep -o '^abusedesk scan: [0-9]* file(s), [0-9]* lines, [0-9]* events' "$W/err")"
expect_eq "scan summary: nothing skipped" "  skipped: 0" \
    "$(grep '^  skipped' "$W/err")"
expect_eq "scan summary: incidents" "4 new, 0 updated" \
    "$(grep -o '[0-9]* new, [0-9]* updated' "$W/err")"
# Below threshold on Mar 3 and closed by the Mar 5 lines: 192.0.2.44's one
# failed login, 198.51.100.9's two, F's first window. Counted, not kept.
expect_eq "scan summary: closed below-threshold incidents counted, not stored" \
    "3 closed below threshold" \
    "$(grep -o '[0-9]* closed below threshold' "$W/err")"

expect_eq "incidents --all" "\
192.0.2.44 ssh-probe 5 new true
198.51.100.23 ssh-bruteforce 5 new true
2001:db8::66 ssh-bruteforce 5 new true
203.0.113.200 ssh-bruteforce 3 below-threshold false
203.0.113.5 ssh-bruteforce 6 new true" "$(incidents_table "$DB" --all)"

over="\
192.0.2.44 ssh-probe 5 new true
198.51.100.23 ssh-bruteforce 5 new true
2001:db8::66 ssh-bruteforce 5 new true
203.0.113.5 ssh-bruteforce 6 new true"
expect_eq "incidents (default: over threshold only)" "$over" \
    "$(incidents_table "$DB")"
expect_eq "incidents --reportable" "$over" \
    "$(incidents_table "$DB" --reportable)"
expect_eq "incidents --state below-threshold (held: its window is open)" "\
203.0.113.200 ssh-bruteforce 3 below-threshold false" \
    "$(incidents_table "$DB" --state below-threshold)"
expect_eq "incidents --category ssh-probe" "192.0.2.44 ssh-probe 5 new true" \
    "$(incidents_table "$DB" --category ssh-probe)"

# Details of A: times, users in order of appearance, evidence.
expect_eq "details of 203.0.113.5" \
    "2025-03-03T10:00:01Z 2025-03-03T10:00:15Z root,admin,oracle ssh proven 6 0" \
    "$(ad incidents --db "$DB" --json | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["src"] == "203.0.113.5":
        print(o["first_utc"], o["last_utc"], ",".join(o["users"]),
              ",".join(o["services"]), o["evidence"], o["proven_events"],
              o["spoofable_events"])
')"
# The two windows of F: Mar 3 10:30:01-03 (closed below threshold: not
# kept) and Mar 5 11:00:01-03 (held: its window is open).
expect_eq "203.0.113.200 split by the 24 h window" \
    "2025-03-05T11:00:01Z-2025-03-05T11:00:03Z" \
    "$(ad incidents --db "$DB" --json --all | python3 -c '
import json, sys
s = sorted(o["first_utc"] + "-" + o["last_utc"] for o in map(json.loads, sys.stdin)
           if o["src"] == "203.0.113.200")
print(" ".join(s))
')"

# The table for people: the four over the threshold, not the others.
ad incidents --db "$DB" >"$W/table" 2>"$W/table.err"
expect_rc "incidents (table)" 0 "$?"
for s in 203.0.113.5 198.51.100.23 192.0.2.44 2001:db8::66; do
	check "table lists $s" grep -q " $s " "$W/table"
done
check "table leaves out below-threshold 198.51.100.9" \
    bash -c "! grep -q '198.51.100.9 ' '$W/table'"
check "table leaves out below-threshold 203.0.113.200" \
    bash -c "! grep -q '203.0.113.200' '$W/table'"
check "table shows the users of 203.0.113.5" \
    grep -qE '^ +users: root admin oracle$' "$W/table"

# The evidence lines are the log's own lines, for held incidents too;
# below its threshold an incident keeps its first line only.
expect_eq "--evidence keeps the sample lines of held 203.0.113.200" \
    "1 $(grep '203.0.113.200 port 3400' "$L" | head -n 1) null" \
    "$(ad incidents --db "$DB" --json --all --evidence | python3 -c '
import json, sys
for o in map(json.loads, sys.stdin):
    if o["src"] == "203.0.113.200":
        print(len(o["lines"]), o["lines"][0]["text"], json.dumps(o["id"]))
')"

# Without documentation_as_public, RFC 5737 space is not an outside network.
DB2=$W/nodoc.db
ad scan --year 2025 --tz UTC --db "$DB2" "$L" 2>/dev/null
expect_rc "scan without documentation_as_public" 0 "$?"
expect_eq "documentation space is internal by default" \
    "internal false 5" \
    "$(ad incidents --db "$DB2" --json --all | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
print(" ".join(sorted({o["state"] for o in rows})),
      " ".join(sorted({str(o["reportable"]).lower() for o in rows})), len(rows))
')"
finish
