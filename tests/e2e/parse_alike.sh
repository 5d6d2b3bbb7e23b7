#!/usr/bin/env bash
# parse_alike: a line parses the same after lines that look like it as it
# does alone. The parser remembers recent hosts and program tags, and the
# last stamp's minute (lib/out/parse/envelope.c, lib/core/time.c); each
# line below starts like the one before it and then differs where the
# memory must not be trusted: a broken [PID], no colon, a longer program
# name, the line ending inside the tag, a pid-shaped host, facility
# tokens, "[TAG]" forms, impossible seconds, fractions, firewall lines.
# No line needs an earlier one (no connection state, one month, --year),
# so the events of the whole file must be those of each line alone.
. "$(dirname "$0")/helpers.bash"
need python3

cd "$W" || exit 1
python3 - <<'EOF'
s = "Mar  3 12:00:"
msg = "Failed password for root from 203.0.113.%d port 1001 ssh2"
lines = []
for i, head in enumerate([
    "01 web1 sshd[100]: ", "01 web1 sshd[100]: ", "01 web1 sshd[10x]: ",
    "01 web1 sshd[101] ", "01 web1 sshd[101]:", "01 web1 sshd: ",
    "01 web1 sshdx[1]: ", "01 web1 sshd[]: ", "01 web1 sshd[1]:: ",
    "02 foo[12]x sshd: ", "02 foo[12]x sshd: ", "02 foo[12]x sshd[7]: ",
    "02 vps auth.info sshd[1]: ", "02 vps auth.info sshd[1]: ",
    "02 vps auth.info: Mar  3 12:00:02 sshd[1]: ",
    "03 [sshd] ", "03 [sshd] ", "03 [sshd]: ", "03 [123] ", "03 [sshd ",
    "04 h %ASA-4-1: ", "04 web1 sshd[100]: ", "05.25 web1 sshd[100]: ",
    "05.5 web1 sshd[100]: ", "60 web1 sshd[100]: ", "61 web1 sshd[100]: ",
    "6 web1 sshd[100]: ", "07 web1 sshd[100]:  ", "07  web1 sshd[100]: ",
]):
    lines.append(s + head + msg % (i + 1))
lines += [s + "08 web1 sshd", s + "08 web1 sshd[", s + "08 web1 sshd[100]",
    s + "08 web1 sshd[100]: Invalid user a from",
    s + "08 web1 sshd[100]: Invalid user a from 203.0.113.90 from",
    s + "08 web1 sshd[100]: Invalid user  from 203.0.113.91"]
fw = (" fw kernel: [1.5] [UFW %s] IN=eth0 OUT= MAC=52:54:00:12:34:56 "
    "SRC=198.51.100.%d DST=203.0.113.10 LEN=40 PROTO=TCP SPT=1 DPT=22 %s")
for i, (verdict, tail) in enumerate([("BLOCK", "SYN URGP=0"),
        ("ALLOW", "SYN URGP=0"), ("BLOCK", "ACK"), ("BLOCK", "SYN"),
        ("BLOCK", "[SRC=1.2.3.4 DST=5.6.7.8] SYN"), ("AUDIT", ""),
        ("BLOCK", "DPT=23 SPT=2"), ("BLOCK", "PROTO=UDP")]):
    lines.append(s + "09" + fw % (verdict, i + 1, tail))
with open("all.log", "w") as f:
    f.write("\n".join(lines) + "\n")
for i, l in enumerate(lines):
    with open("one%03d.log" % i, "w") as f:
        f.write(l + "\n")
EOF

# events FILE: the events of `parse --json`, one a line, without file and line.
events() {
	"$ABUSEDESK" parse --json -q --year 2026 "$1" | python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    e.pop("file"); e.pop("line")
    print(json.dumps(e, sort_keys=True))'
}

events all.log >all.out
: >one.out
for f in one*.log; do
	events "$f" >>one.out
done
check "the file has events" test -s all.out
expect_eq "each line parses as it does alone" "$(cat one.out)" "$(cat all.out)"
finish
