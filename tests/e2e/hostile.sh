#!/usr/bin/env bash
# hostile: damaged and attacker-shaped input never crashes a scan, and the
# summary on stderr counts why lines were skipped.
#
# hostile.log, line by line (203.0.113.40 is the attacker):
#   1  a failure of .40                              -> event
#   2  a failure whose user is 100 KiB of 'A'        -> skipped: too long
#   3  a failure with a NUL byte in the user         -> skipped: NUL
#   4  a failure with invalid UTF-8 in the user      -> skipped: UTF-8
#   5  text without a syslog envelope                -> skipped: unknown format
#   6  a failure "from attacker.example.com"         -> skipped: host name
#   7  a failure from ::ffff:203.0.113.41            -> event, src 203.0.113.41
#   8  a user name that injects "from 198.51.100.1 port 22 ssh2" before the
#      real source 203.0.113.42                      -> event of .42 only
#   9  an invalid user of 3 MiB (over the read buffer) -> skipped: too long
#  10  a failure of .40 (reading resumed after 9)    -> event
#  11  a failure of .40 without its newline          -> skipped: unfinished
# So: events 4 (lines 1 7 8 10); .40 has 2, .41 1, .42 1; 198.51.100.1
# none; skipped 7: 2 too long, 1 NUL, 1 UTF-8, 1 unknown format, 1 host
# name, 1 unfinished last line.
#
# Then: attacker text with terminal control characters (ESC sequences,
# DEL) is never printed raw in the human-readable output of incidents and
# parse (a terminal would obey it), and comes out exact in JSON; random
# binary data, an empty file, a truncated .gz (exit 2: an input that could
# not be read), a folder given as a file (exit 2).
. "$(dirname "$0")/helpers.bash"
need python3 gzip

cd "$W" || exit 1
python3 - <<'EOF'
p = b"Mar  3 12:00:%02d web1 sshd[%d]: "
def l(i, msg):
    return (p % (i, 100 + i)) + msg + b"\n"
with open("hostile.log", "wb") as f:
    f.write(l(1, b"Failed password for root from 203.0.113.40 port 1001 ssh2"))
    f.write(l(2, b"Failed password for " + b"A" * (100 * 1024) + b" from 203.0.113.40 port 1002 ssh2"))
    f.write(l(3, b"Failed password for ro\0ot from 203.0.113.40 port 1003 ssh2"))
    f.write(l(4, b"Failed password for r\xff\xfeoot from 203.0.113.40 port 1004 ssh2"))
    f.write(b"this line has no syslog envelope at all, just words\n")
    f.write(l(6, b"Failed password for root from attacker.example.com port 1006 ssh2"))
    f.write(l(7, b"Failed password for root from ::ffff:203.0.113.41 port 1007 ssh2"))
    f.write(l(8, b"Failed password for invalid user x from 198.51.100.1 port 22 ssh2 from 203.0.113.42 port 1008 ssh2"))
    f.write(l(9, b"Invalid user " + b"B" * (3 * 1024 * 1024) + b" from 203.0.113.40 port 1009"))
    f.write(l(10, b"Failed password for root from 203.0.113.40 port 1010 ssh2"))
    f.write(l(11, b"Failed password for root from 203.0.113.40 port 1011 ssh2")[:-1])
EOF

# skips FILE: the "skipped:" line of a summary as "reason=count" lines.
skips() {
	grep '^  skipped:' "$1" | python3 -c '
import sys
line = sys.stdin.read().strip()
parts = line.split(": ", 1)[1].split(", ")
print("total=" + parts[0])
for why, n in sorted(p.split(" ", 1)[::-1] for p in parts[1:]):
    print("%s=%s" % (why, n))'
}

scan --db h.db hostile.log >out 2>err
rc=$?
expect_rc "scan of hostile.log" 0 "$rc"
check "scan prints nothing on stdout" test ! -s out
expect_eq "scan: 4 events" "4 events" "$(grep -o '[0-9]* events' err | head -n 1)"
expect_eq "scan: skipped lines by reason" "\
total=7
NUL bytes=1
host name instead of address=1
invalid UTF-8=1
line longer than 64 KiB=2
unfinished last line=1
unknown format=1" "$(skips err)"
expect_eq "scan: incidents" "\
203.0.113.40 ssh-bruteforce 2 below-threshold false
203.0.113.41 ssh-bruteforce 1 below-threshold false
203.0.113.42 ssh-bruteforce 1 below-threshold false" \
    "$(incidents_table h.db --all)"
expect_eq "the injected user name is kept as the user of .42" \
    "x from 198.51.100.1 port 22 ssh2" \
    "$(ad incidents --db h.db --json --all | python3 -c '
import json, sys
for o in map(json.loads, sys.stdin):
    if o["src"] == "203.0.113.42":
        print(",".join(o["users"]))')"

ad parse --json --year 2025 hostile.log >p.out 2>p.err
expect_rc "parse of hostile.log" 0 "$?"
expect_eq "parse: the IPv4-mapped address comes out as plain IPv4" \
    "7 203.0.113.41" \
    "$(python3 -c '
import json, sys
for o in map(json.loads, open("p.out")):
    if o["line"] == 7:
        print(o["line"], o["src"])')"
expect_eq "parse: the injected address accuses nobody" "" \
    "$(grep -F '"src":"198.51.100.1"' p.out)"
expect_eq "parse: lines 9 and 10 keep their numbers after the 3 MiB line" \
    "1 7 8 10" \
    "$(python3 -c '
import json
print(*[json.loads(l)["line"] for l in open("p.out")][:4])')"

# Control characters in attacker text (user names are the attacker's).
python3 - <<'EOF2'
users = ["esc\x1b[2J\x1b]0;pwned\x07red", "del\x7fx", "cr\rback", "bs\x08\x08xy", "ok"]
with open("ctl.log", "w") as f:
    for i, u in enumerate(users):
        f.write("Mar  3 12:30:%02d web1 sshd[%d]: Invalid user %s from 203.0.113.43 port %d\n"
                % (i, 300 + i, u, 2000 + i))
EOF2
scan --db ctl.db ctl.log 2>/dev/null
expect_rc "scan of user names with control characters" 0 "$?"
raw_ctl() {	# prints the control characters (but \t, \n) in file $1
	python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
print(" ".join(sorted({"%02x" % b for b in d if (b < 32 and b not in (9, 10)) or b == 127})))' "$1"
}
ad incidents --db ctl.db --evidence >ctl.table 2>&1
expect_rc "incidents --evidence (table)" 0 "$?"
expect_eq "incidents table: no raw control characters from the log" "" \
    "$(raw_ctl ctl.table)"
ad parse --year 2025 ctl.log >ctl.parse 2>&1
expect_eq "parse (text): no raw control characters from the log" "" \
    "$(raw_ctl ctl.parse)"
expect_eq "incidents --json: the user names exactly, escaped as JSON" \
    "['esc\\x1b[2J\\x1b]0;pwned\\x07red', 'del\\x7fx', 'cr\\rback', 'bs\\x08\\x08xy', 'ok']" \
    "$(ad incidents --db ctl.db --json | python3 -c '
import json, sys
print(json.loads(sys.stdin.readline())["users"])')"

# Random binary data: no crash, nothing found.
head -c 300000 /dev/urandom >random.bin
scan --db r.db random.bin >/dev/null 2>rerr
expect_rc "scan of random bytes" 0 "$?"
expect_eq "random bytes: no incidents" "" "$(incidents_table r.db --all)"
ad parse random.bin >/dev/null 2>/dev/null
expect_rc "parse of random bytes" 0 "$?"

# An empty file.
: >empty.log
scan --db e.db empty.log 2>/dev/null
expect_rc "scan of an empty file" 0 "$?"

# A truncated .gz: the damage is reported, not silently taken as the end.
for i in $(seq 1 3000); do
	printf 'Mar  3 13:%02d:%02d web1 sshd[%d]: Failed password for root from 203.0.113.%d port %d ssh2\n' \
	    $((i / 60 % 60)) $((i % 60)) "$i" $((i % 200 + 1)) $((10000 + i))
done | gzip -c >whole.gz
size=$(stat -c %s whole.gz)
head -c $((size / 2)) whole.gz >cut.gz
scan --db gz.db cut.gz 2>gzerr
expect_rc "scan of a truncated .gz" 2 "$?"
check "the truncated .gz is named on stderr" grep -q 'cut.gz' gzerr
ad parse cut.gz >/dev/null 2>gzerr2
expect_rc "parse of a truncated .gz" 2 "$?"

# A folder where a file was expected; the other file is still read.
mkdir adir
scan --db d.db adir hostile.log 2>derr
expect_rc "scan of a folder and a file" 2 "$?"
expect_eq "the file after the folder was still scanned" "3" \
    "$(incidents_table d.db --all | wc -l)"
finish
