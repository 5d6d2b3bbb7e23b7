#!/usr/bin/env bash
# incremental: a re-scan reads only the bytes added since the last one.
#
#  1. 3 attempts of 203.0.113.7 -> one incident, 3 events, below threshold;
#     the stored offset is the file size.
#  2. re-scan of the unchanged file: 0 lines read, store unchanged.
#  3. 3 more lines appended: only those 3 lines are read; 6 events, new;
#     the evidence lines keep their true line numbers (1..6).
#  4. a last line without its newline is left for later (still being
#     written): events stay 6, the offset stops before it.
#  5. the line completed: read once, 7 events; the whole line was parsed
#     (its user is the full name, not the part seen in step 4).
. "$(dirname "$0")/helpers.bash"
need python3 sqlite3

L=$W/auth.log
DB=$W/t.db
att() {	# att SECOND PORT USER
	sshd_line "Mar  3 09:00:$1" "2$1" "Failed password for invalid user $3 from 203.0.113.7 port $2 ssh2"
}
summary() {	# the "N file(s), N lines, N events" part of the scan summary
	grep -o '^abusedesk scan: [0-9]* file(s), [0-9]* lines, [0-9]* events' "$1"
}
state() {	# what the store says of the files and the incidents
	sq "$DB" "select fingerprint, path, offset, lines, size from files
	    order by fingerprint"
	ad incidents --db "$DB" --json --all --evidence
}

{ att 01 40001 ubnt; att 02 40002 ubnt; att 03 40003 ubnt; } >"$L"
scan --db "$DB" "$L" 2>"$W/e1"
expect_rc "first scan" 0 "$?"
expect_eq "first scan reads 3 lines" \
    "abusedesk scan: 1 file(s), 3 lines, 3 events" "$(summary "$W/e1")"
expect_eq "first scan: one incident below threshold" \
    "203.0.113.7 ssh-bruteforce 3 below-threshold false" \
    "$(incidents_table "$DB" --all)"
expect_eq "stored offset = file size" "$(stat -c %s "$L") 3" \
    "$(sq "$DB" "select offset, lines from files" | tr '|' ' ')"

before=$(state)
scan --db "$DB" "$L" 2>"$W/e2"
expect_rc "re-scan of the unchanged file" 0 "$?"
expect_eq "re-scan of the unchanged file reads nothing" \
    "abusedesk scan: 1 file(s), 0 lines, 0 events" "$(summary "$W/e2")"
expect_eq "re-scan of the unchanged file: no incident new or updated" \
    "0 new, 0 updated" "$(grep -o '[0-9]* new, [0-9]* updated' "$W/e2")"
expect_eq "re-scan of the unchanged file changes nothing in the store" \
    "$before" "$(state)"

{ att 04 40004 ubnt; att 05 40005 pi; att 06 40006 pi; } >>"$L"
scan --db "$DB" "$L" 2>"$W/e3"
expect_rc "scan after appending" 0 "$?"
expect_eq "scan after appending reads only the 3 new lines" \
    "abusedesk scan: 1 file(s), 3 lines, 3 events" "$(summary "$W/e3")"
expect_eq "events counted once: 6, now over the threshold" \
    "203.0.113.7 ssh-bruteforce 6 new true" "$(incidents_table "$DB" --all)"
expect_eq "stored offset = new file size" "$(stat -c %s "$L") 6" \
    "$(sq "$DB" "select offset, lines from files" | tr '|' ' ')"
# Below its threshold an incident keeps its first line only; from the
# threshold (the 5th event, in the second scan) on, the next ones.
expect_eq "evidence lines keep their line numbers" \
    "1 5 6" \
    "$(ad incidents --db "$DB" --json --evidence | python3 -c '
import json, sys
o = json.loads(sys.stdin.readline())
print(" ".join(str(x["line"]) for x in o["lines"]))
')"
expect_eq "evidence line 5 is line 5 of the file" "$(sed -n 5p "$L")" \
    "$(ad incidents --db "$DB" --json --evidence | python3 -c '
import json, sys
o = json.loads(sys.stdin.readline())
print([x["text"] for x in o["lines"] if x["line"] == 5][0])
')"

# A line still being written: no newline yet.
size6=$(stat -c %s "$L")
printf '%s' "Mar  3 09:00:07 web1 sshd[207]: Failed password for invalid user adm" >>"$L"
scan --db "$DB" "$L" 2>"$W/e4"
expect_rc "scan with an unfinished last line" 0 "$?"
expect_eq "unfinished last line not counted" \
    "203.0.113.7 ssh-bruteforce 6 new true" "$(incidents_table "$DB" --all)"
expect_eq "offset stops before the unfinished line" "$size6 6" \
    "$(sq "$DB" "select offset, lines from files" | tr '|' ' ')"
check "summary counts the unfinished line as skipped" \
    grep -qx '  skipped: 1, 1 unfinished last line' "$W/e4"

printf '%s\n' "inistrator from 203.0.113.7 port 40007 ssh2" >>"$L"
scan --db "$DB" "$L" 2>"$W/e5"
expect_rc "scan after the line was finished" 0 "$?"
expect_eq "finished line read once" \
    "abusedesk scan: 1 file(s), 1 lines, 1 events" "$(summary "$W/e5")"
expect_eq "finished line counted: 7 events" \
    "203.0.113.7 ssh-bruteforce 7 new true" "$(incidents_table "$DB" --all)"
expect_eq "the whole line was parsed (user administrator)" \
    "ubnt,pi,administrator" \
    "$(ad incidents --db "$DB" --json | python3 -c '
import json, sys
print(",".join(json.loads(sys.stdin.readline())["users"]))
')"

# Two files in one run, one of them unchanged: only the other is read.
L2=$W/other.log
for i in 1 2; do
	sshd_line "Mar  3 09:10:0$i" 30$i "Failed password for root from 198.51.100.70 port 4100$i ssh2"
done >"$L2"
scan --db "$DB" "$L" "$L2" 2>"$W/e6"
expect_rc "scan of an unchanged and a new file" 0 "$?"
expect_eq "only the new file's 2 lines are read" \
    "abusedesk scan: 2 file(s), 2 lines, 2 events" "$(summary "$W/e6")"
expect_eq "incidents after the second file" "\
198.51.100.70 ssh-bruteforce 2 below-threshold false
203.0.113.7 ssh-bruteforce 7 new true" "$(incidents_table "$DB" --all)"
before=$(state)
scan --db "$DB" "$L" "$L2" 2>/dev/null
expect_eq "re-scan of both unchanged files changes nothing" "$before" "$(state)"
finish
