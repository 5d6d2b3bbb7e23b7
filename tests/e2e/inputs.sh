#!/usr/bin/env bash
# inputs: gzip and standard input, and `parse --json`.
#
#  - parse --json prints JSON Lines and nothing else on stdout; each object
#    has exactly the documented keys (file, line, time, src, src_port, dst,
#    dst_port, proto, service, kind, user, evidence, category, count, format) with
#    the values read off the lines by hand (an sshd failure, a UFW drop).
#  - the same events from FILE, FILE.gz, a two-member .gz, "-" and no
#    argument (stdin is the default), and from a pipe given as a path
#    (process substitution, a FIFO), plain or gzip.
#  - scan: a last line without its newline is left for later in a plain
#    file but read in a .gz and on stdin (ad_scan.h).
#  - scan -: the same text piped twice is counted once; piped again with a
#    line more, only that line is added (stdin is known by its first line).
. "$(dirname "$0")/helpers.bash"
need python3 gzip mkfifo timeout

cd "$W" || exit 1
P=(--year 2025 --tz UTC)
L1="Mar  3 11:00:01 web1 sshd[500]: Failed password for root from 203.0.113.30 port 41000 ssh2"
L2="Mar  3 11:00:02 web1 sshd[501]: Accepted password for carol from 192.0.2.20 port 41100 ssh2"
L3="Mar  3 11:00:03 web1 kernel: [12345.678901] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=198.51.100.61 DST=192.0.2.1 LEN=44 TOS=0x00 PREC=0x00 TTL=243 ID=54321 PROTO=TCP SPT=61000 DPT=23 WINDOW=1024 RES=0x00 SYN URGP=0"
L4="Mar  3 11:00:04 web1 sshd[502]: Invalid user test from 203.0.113.30 port 41001"
L5="Mar  3 11:00:05 web1 sshd[503]: Failed password for invalid user test from 203.0.113.30 port 41001 ssh2"
L6="Mar  3 11:00:06 web1 sshd[504]: Failed password for invalid user test from 203.0.113.30 port 41002 ssh2"
printf '%s\n' "$L1" "$L2" "$L3" "$L4" "$L5" >full.log

# parse --json: keys and values.
ad parse --json "${P[@]}" full.log >out.jsonl 2>err
expect_rc "parse --json" 0 "$?"
expect_eq "parse --json: one object per event line (1, 3, 4, 5), all JSON, nothing else" \
    "ok 4" "$(python3 - out.jsonl <<'EOF'
import json, sys
keys = {"file", "line", "time", "src", "src_port", "dst", "dst_port", "proto",
        "service", "kind", "user", "evidence", "category", "count", "format"}
n = 0
for i, l in enumerate(open(sys.argv[1]), 1):
    try:
        o = json.loads(l)
    except ValueError:
        sys.exit("stdout line %d is not JSON: %r" % (i, l))
    if not isinstance(o, dict) or set(o) != keys:
        sys.exit("stdout line %d: keys %s, want %s" % (i, sorted(o), sorted(keys)))
    n += 1
print("ok", n)
EOF
)"
expect_eq "parse --json: the sshd line" \
    '{"file": "full.log", "line": 1, "time": "2025-03-03T11:00:01+00:00", "src": "203.0.113.30", "src_port": 41000, "dst": null, "dst_port": null, "proto": "tcp", "service": "ssh", "kind": "failed-auth", "user": "root", "evidence": "proven", "category": "ssh-bruteforce", "count": 1, "format": "sshd"}' \
    "$(head -n 1 out.jsonl | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)))')"
expect_eq "parse --json: the UFW line" \
    '{"file": "full.log", "line": 3, "time": "2025-03-03T11:00:03+00:00", "src": "198.51.100.61", "src_port": 61000, "dst": "192.0.2.1", "dst_port": 23, "proto": "tcp", "service": "firewall", "kind": "drop", "user": null, "evidence": "spoofable", "category": "port-scan", "count": 1, "format": "netfilter"}' \
    "$(sed -n 2p out.jsonl | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)))')"
expect_eq "parse --json: line numbers and users of the others" \
    "4 test invalid-user|5 test failed-auth" \
    "$(sed -n '3,4p' out.jsonl | python3 -c '
import json, sys
print("|".join("%d %s %s" % (o["line"], o["user"], o["kind"]) for o in map(json.loads, sys.stdin)))')"
check "parse: the summary goes to stderr" grep -q '^abusedesk parse: 5 lines, 4 events$' err

# The same events, whatever the way in ("file" aside).
events() {	# events of parse --json on stdin, without the "file" key
	python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l); o.pop("file"); print(json.dumps(o, sort_keys=True))'
}
want=$(events <out.jsonl)
gzip -c full.log >full.log.gz
{ head -n 2 full.log | gzip -c; tail -n 3 full.log | gzip -c; } >multi.gz
expect_eq "parse of FILE.gz: same events" "$want" \
    "$(ad parse --json "${P[@]}" full.log.gz 2>/dev/null | events)"
expect_eq "parse of a two-member .gz: same events" "$want" \
    "$(ad parse --json "${P[@]}" multi.gz 2>/dev/null | events)"
expect_eq "parse - (stdin): same events" "$want" \
    "$(ad parse --json "${P[@]}" - <full.log 2>/dev/null | events)"
expect_eq "parse with no file reads stdin: same events" "$want" \
    "$(ad parse --json "${P[@]}" <full.log 2>/dev/null | events)"
expect_eq "parse of gzip on stdin: same events" "$want" \
    "$(ad parse --json "${P[@]}" - <full.log.gz 2>/dev/null | events)"
expect_eq "parse of a pipe path (plain): same events" "$want" \
    "$(ad parse --json "${P[@]}" <(cat full.log) 2>/dev/null | events)"
expect_eq "parse of a pipe path (gzip): same events" "$want" \
    "$(ad parse --json "${P[@]}" <(cat full.log.gz) 2>/dev/null | events)"
mkfifo fifo
timeout 30 sh -c 'gzip -c full.log >fifo' &	# never blocks the test for good
wp=$!
expect_eq "parse of a FIFO carrying gzip: same events" "$want" \
    "$(ad parse --json "${P[@]}" fifo 2>/dev/null | events)"
wait "$wp" 2>/dev/null
expect_eq "parse - names the file \"-\"" "-" \
    "$(ad parse --json "${P[@]}" - <full.log 2>/dev/null | head -n 1 |
       python3 -c 'import json,sys; print(json.load(sys.stdin)["file"])')"

# scan: the last line without a newline.
printf '%s\n' "$L1" "$L2" "$L3" "$L4" >part.log
printf '%s' "$L5" >>part.log
gzip -c part.log >part.log.gz
scan --db plain.db part.log 2>/dev/null
expect_rc "scan of a plain file" 0 "$?"
expect_eq "plain file: the unfinished last line waits" "\
198.51.100.61 port-scan 1 below-threshold false
203.0.113.30 ssh-bruteforce 2 below-threshold false" "$(incidents_table plain.db --all)"
scan --db gz.db part.log.gz 2>/dev/null
expect_rc "scan of a .gz" 0 "$?"
expect_eq ".gz: the last line is read" "\
198.51.100.61 port-scan 1 below-threshold false
203.0.113.30 ssh-bruteforce 3 below-threshold false" "$(incidents_table gz.db --all)"
scan --db stdin.db - <part.log 2>/dev/null
expect_rc "scan -" 0 "$?"
expect_eq "stdin: the last line is read" "\
198.51.100.61 port-scan 1 below-threshold false
203.0.113.30 ssh-bruteforce 3 below-threshold false" "$(incidents_table stdin.db --all)"
scan --db stdingz.db - <part.log.gz 2>/dev/null
expect_rc "scan - of gzip data" 0 "$?"
expect_eq "gzip on stdin: same incidents" "\
198.51.100.61 port-scan 1 below-threshold false
203.0.113.30 ssh-bruteforce 3 below-threshold false" "$(incidents_table stdingz.db --all)"

# scan -: incremental by first line.
scan --db pipe.db - <full.log 2>/dev/null
scan --db pipe.db - <full.log 2>/dev/null
expect_rc "scan - twice" 0 "$?"
expect_eq "the same text piped twice is counted once" "\
198.51.100.61 port-scan 1 below-threshold false
203.0.113.30 ssh-bruteforce 3 below-threshold false" "$(incidents_table pipe.db --all)"
{ cat full.log; printf '%s\n' "$L6"; } | scan --db pipe.db - 2>/dev/null
expect_rc "scan - with a line more" 0 "$?"
expect_eq "piped with a line more: only that line added" "\
198.51.100.61 port-scan 1 below-threshold false
203.0.113.30 ssh-bruteforce 4 below-threshold false" "$(incidents_table pipe.db --all)"

# A plain file, then the same file compressed: known by its first line.
scan --db mix.db full.log 2>/dev/null
scan --db mix.db full.log.gz 2>mix.err
expect_eq "FILE then FILE.gz: the .gz adds nothing" \
    "0 lines, 0 events" \
    "$(grep -o '[0-9]* lines, [0-9]* events' mix.err)"
finish
