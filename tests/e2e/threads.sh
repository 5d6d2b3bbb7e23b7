#!/usr/bin/env bash
# threads: `threads = 2` (one thread reads and parses ahead while the other
# aggregates and stores) gives the very store one thread gives, on a log of
# many reader chunks - also for address-less sshd lines ("Disconnecting: Too
# many authentication failures") whose connection began chunks earlier:
# one parser sees every line in order. Every incident, its counters, users
# and sample lines (same ids) must match.
. "$(dirname "$0")/helpers.bash"
need python3

# ~12 MB: a dozen reader chunks; attackers in bursts; some connections end
# with an address-less line far from their first one.
python3 - "$W/auth.log" <<'PY'
import random, sys
r = random.Random(11)
open_conns = []
with open(sys.argv[1], "w") as f:
    s = 0
    for i in range(130000):
        s += r.randint(0, 3)
        h, m, sec = (s // 3600) % 24, (s // 60) % 60, s % 60
        day = 1 + s // 86400
        src = "198.51.100.%d" % r.randint(1, 254) if r.random() < 0.7 \
            else "203.0.113.%d" % r.randint(1, 60)
        pid = 1000 + i
        stamp = "Mar %2d %02d:%02d:%02d" % (day, h, m, sec)
        k = r.random()
        if k < 0.05 and open_conns:
            # the end of a connection seen up to ~20000 lines before
            pid = open_conns.pop(r.randrange(len(open_conns)))
            f.write("%s web1 sshd[%d]: Disconnecting: Too many authentication "
                    "failures [preauth]\n" % (stamp, pid))
            continue
        if k < 0.5:
            if r.random() < 0.3:
                open_conns.append(pid)
                del open_conns[:-200]
            msg = "Failed password for root from %s port %d ssh2" % (src, r.randint(1024, 65535))
        elif k < 0.8:
            msg = "Invalid user u%d from %s port %d" % (r.randint(1, 40), src, r.randint(1024, 65535))
        elif k < 0.9:
            msg = "Did not receive identification string from %s port %d" % (src, r.randint(1024, 65535))
        else:
            msg = "pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)"
        f.write("%s web1 sshd[%d]: %s\n" % (stamp, pid, msg))
PY
size=$(stat -c %s "$W/auth.log")
check "the test log spans several reader chunks ($size bytes)" test "$size" -gt 8000000

scan --db "$W/one.db" --set threads=1 "$W/auth.log" 2>"$W/e1"
expect_rc "scan with one thread" 0 "$?"
scan --db "$W/two.db" --set threads=2 "$W/auth.log" 2>"$W/e2"
expect_rc "scan with two threads" 0 "$?"
expect_eq "same summary line" "$(head -n 1 "$W/e1" | sed 's/ in .*//')" \
    "$(head -n 1 "$W/e2" | sed 's/ in .*//')"
ad incidents --db "$W/one.db" --json --all --evidence >"$W/one.json"
ad incidents --db "$W/two.db" --json --all --evidence >"$W/two.json"
check "incidents were found at all" test -s "$W/one.json"
check "address-less lines were attributed" \
    grep -q 'Too many authentication failures' "$W/one.json"
check "every incident and sample line as with one thread" \
    cmp -s "$W/one.json" "$W/two.json"
# The parser thread lagging after each hand-over (fault point 6): the main
# thread absorbs and frees a slot the worker has just handed over before
# the worker looks again. The scan must still end, with the same store.
ABUSEDESK_TEST_FAULT=6 timeout 300 "${SCAN[@]}" --db "$W/lag.db" \
    --set threads=2 "$W/auth.log" 2>/dev/null
expect_rc "two threads, the parser lagging: the scan ends" 0 "$?"
ad incidents --db "$W/lag.db" --json --all --evidence >"$W/lag.json"
check "the parser lagging: every incident as with one thread" \
    cmp -s "$W/one.json" "$W/lag.json"

# Checkpoints with two threads: the parser runs ahead, but the connection
# map it saves is the main thread's, resolved up to the committed offset.
# Stopped dead after each committed batch (fault point 4) and resumed
# until done, the store must still equal one thread's: the connections
# open at each committed offset come back from the saved state.
scan --db "$W/ck.db" --set threads=2 --set checkpoint=1M "$W/auth.log" \
    2>"$W/ck.err"
expect_rc "two threads, 1 MB checkpoints" 0 "$?"
check "two threads took several checkpoints" \
    grep -Eq 'in ([2-9]|[1-9][0-9]+) checkpoints' "$W/ck.err"
ad incidents --db "$W/ck.db" --json --all --evidence >"$W/ck.json"
check "1 MB checkpoints: every incident as with one thread" \
    cmp -s "$W/one.json" "$W/ck.json"
runs=0 offset=0
while [ "$offset" != "$size" ] && [ $runs -lt 40 ]; do
	runs=$((runs + 1))
	ABUSEDESK_TEST_FAULT=4 "${SCAN[@]}" --db "$W/stop.db" --set threads=2 \
	    --set checkpoint=1M "$W/auth.log" 2>/dev/null
	offset=$(sq "$W/stop.db" "select offset from files")
done
expect_eq "stopped after each batch and resumed: the whole file" "$size" "$offset"
check "it took several runs ($runs)" test "$runs" -gt 3
ad incidents --db "$W/stop.db" --json --all --evidence >"$W/stop.json"
python3 - "$W/one.json" "$W/stop.json" >"$W/stop.diff" <<'PY'
import json, sys
def load(p):	# ids and sample lines depend on where a run stopped
    keep = ("src", "category", "first", "last", "events", "users", "ports")
    return sorted(json.dumps({k: o.get(k) for k in keep}, sort_keys=True)
                  for o in map(json.loads, open(p)))
a, b = load(sys.argv[1]), load(sys.argv[2])
print("\n".join(sorted(set(a) ^ set(b))[:5]))
sys.exit(a != b)
PY
check "stopped and resumed with two threads: every incident as with one" \
    test "$?" -eq 0

# A checkpoint falling due with the last chunk of the file is left to the
# final one, which follows at once: one checkpoint for ~500 KB in 400 KB
# checkpoints, with one thread and with two.
head -c 500000 "$W/auth.log" | sed '$d' >"$W/short.log"
for t in 1 2; do
	scan --db "$W/short$t.db" --set threads=$t --set checkpoint=400K \
	    "$W/short.log" 2>"$W/short$t.err"
	expect_rc "short log, $t thread(s)" 0 "$?"
	check "short log, $t thread(s): one checkpoint at the end" \
	    grep -q 'in 1 checkpoints' "$W/short$t.err"
	expect_eq "short log, $t thread(s): all of it committed" \
	    "$(stat -c %s "$W/short.log")" \
	    "$(sq "$W/short$t.db" "select offset from files")"
done

# Lines longer than a reader chunk (dropped by the reader, counted by the
# parser) among many chunks, and an unfinished last line: the counts must
# follow the chunks from one thread to the other.
python3 - "$W/long.log" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(60000):
        if i % 6000 == 5:
            f.write("Mar  1 00:00:%02d h sshd[%d]: %s\n" % (i % 60, i, "x" * 300000))
        f.write("Mar  1 %02d:%02d:%02d h sshd[%d]: Failed password for root "
                "from 198.51.100.%d port %d ssh2\n" % ((i // 3600) % 24,
                (i // 60) % 60, i % 60, 1000 + i % 50, 1 + i % 200, 1024 + i))
    f.write("Mar  1 23:59:59 h sshd[1]: Failed password for root from "
            "192.0.2.1 port 1 ssh2")
PY
scan --db "$W/long1.db" --set threads=1 "$W/long.log" 2>"$W/l1"
expect_rc "long lines, one thread" 0 "$?"
scan --db "$W/long2.db" --set threads=2 "$W/long.log" 2>"$W/l2"
expect_rc "long lines, two threads" 0 "$?"
check "the reader dropped the long lines" grep -q "10 line longer than 64 KiB" "$W/l1"
check "and held back the unfinished last line" grep -q "1 unfinished last line" "$W/l1"
# summary FILE: the summary without its clock and the two threads' line.
summary() { grep -v '^  two threads:' "$1" | sed 's/ in [0-9.]* s.*//'; }
expect_eq "long lines: same counts with two threads" \
    "$(summary "$W/l1")" "$(summary "$W/l2")"
ad incidents --db "$W/long1.db" --json --all --evidence >"$W/long1.json"
ad incidents --db "$W/long2.db" --json --all --evidence >"$W/long2.json"
check "long lines: the same incidents with two threads" \
    cmp -s "$W/long1.json" "$W/long2.json"

# Connection work deferred to the main thread (ad_parser_defer_conns), on
# ~3 MB of connections that span reader chunks: a pre-auth close after
# failed logins of the same process (a probe that ends a brute force);
# "Too many authentication failures" of a process whose address came from
# a pam_unix rhost, a failed publickey or an accepted login (lines that are
# no event); and of a process never seen, plain or with a NUL byte or
# invalid UTF-8 in it (nothing: the counts must not keep them). Summary,
# incidents and the saved connection map as with one thread.
python3 - "$W/conn.log" <<'PY'
import random, sys
r = random.Random(5)
later = []		# (line number due, text) of connections' last lines
with open(sys.argv[1], "wb") as f:
    for i in range(36000):
        s = i * 7
        stamp = "Mar %2d %02d:%02d:%02d" % (1 + s // 86400, (s // 3600) % 24,
                                            (s // 60) % 60, s % 60)
        due = [t for t in later if t[0] <= i]
        later = [t for t in later if t[0] > i]
        for _, text in due:
            f.write(stamp.encode() + text)
        pid = 5000 + i
        src = "198.51.100.%d" % r.randint(1, 254)
        port = r.randint(1024, 65535)
        k = r.random()
        head = b"%s web1 sshd[%d]: " % (stamp.encode(), pid)
        if k < 0.3:
            f.write(head + b"Failed password for root from %s port %d ssh2\n" % (src.encode(), port))
            if r.random() < 0.5:
                later.append((i + r.randint(1, 4000), b" web1 sshd[%d]: Connection closed by authenticating user root %s port %d [preauth]\n" % (pid, src.encode(), port)))
        elif k < 0.45:
            f.write(head + b"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=root\n" % src.encode())
            later.append((i + r.randint(1, 4000), b" web1 sshd[%d]: Disconnecting: Too many authentication failures for root [preauth]\n" % pid))
        elif k < 0.55:
            f.write(head + b"Failed publickey for bob from %s port %d ssh2: RSA SHA256:x\n" % (src.encode(), port))
            later.append((i + r.randint(1, 4000), b" web1 sshd[%d]: Disconnecting: Too many authentication failures [preauth]\n" % pid))
        elif k < 0.62:
            f.write(head + b"Accepted password for alice from %s port %d ssh2\n" % (src.encode(), port))
            later.append((i + r.randint(1, 4000), b" web1 sshd[%d]: Disconnecting: Too many authentication failures for alice\n" % pid))
        elif k < 0.70:
            bad = [b"", b"\0", b"\xff"][r.randint(0, 2)]
            f.write(head.replace(b"[%d]" % pid, b"[%d]" % (900000 + i)) + b"Disconnecting: Too many authentication failures for ro" + bad + b"ot [preauth]\n")
        elif k < 0.85:
            f.write(head + b"Connection closed by %s port %d [preauth]\n" % (src.encode(), port))
        else:
            f.write(head + b"Invalid user u%d from %s port %d\n" % (r.randint(1, 9), src.encode(), port))
PY
check "the connection log spans reader chunks" \
    test "$(stat -c %s "$W/conn.log")" -gt 2000000
for t in 1 2; do
	scan --db "$W/conn$t.db" --set threads=$t --set checkpoint=512K \
	    "$W/conn.log" 2>"$W/conn$t.err"
	expect_rc "connection log, $t thread(s)" 0 "$?"
	ad incidents --db "$W/conn$t.db" --json --all --evidence \
	    >"$W/conn$t.json"
done
check "address-less lines took their connection's address" \
    grep -q 'Too many authentication failures for alice' "$W/conn1.json"
check "lines of unknown connections count as nothing, damaged or not" \
    test "$(grep -c 'UTF-8\|NUL' "$W/conn1.err")" = 0
expect_eq "connection log: the same summary with two threads" \
    "$(summary "$W/conn1.err")" "$(summary "$W/conn2.err")"
check "connection log: every incident as with one thread" \
    cmp -s "$W/conn1.json" "$W/conn2.json"
expect_eq "connection log: the same saved connection map" \
    "$(sq "$W/conn1.db" "select hex(parse_state) from files")" \
    "$(sq "$W/conn2.db" "select hex(parse_state) from files")"

# Both threads parse (the main thread whenever it would wait): with the
# worker slow (fault point 7) the main thread parses many chunks, each
# from the carry the worker published last, checked when absorbed.
ABUSEDESK_TEST_FAULT=7 timeout 300 "${SCAN[@]}" --db "$W/connlag.db" \
    --set threads=2 --set checkpoint=512K "$W/conn.log" 2>"$W/connlag.err"
expect_rc "connection log, the worker slow" 0 "$?"
check "the main thread parsed chunks of its own" \
    grep -Eq 'main thread parsed [1-9][0-9]* of' "$W/connlag.err"
ad incidents --db "$W/connlag.db" --json --all --evidence >"$W/connlag.json"
expect_eq "the worker slow: the same summary" \
    "$(summary "$W/conn1.err")" "$(summary "$W/connlag.err")"
check "the worker slow: every incident as with one thread" \
    cmp -s "$W/conn1.json" "$W/connlag.json"
expect_eq "the worker slow: the same saved connection map" \
    "$(sq "$W/conn1.db" "select hex(parse_state) from files")" \
    "$(sq "$W/connlag.db" "select hex(parse_state) from files")"

# A line whose family keeps state from line to line (OpenSMTPD sessions)
# in the middle of the file: a parse that is not in order stops there,
# and every chunk from it on is parsed again in order by one parser.
python3 - "$W/conn.log" "$W/mixed.log" <<'PY'
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
mid = len(lines) // 2
stamp = lines[mid][:15]
smtpd = [stamp + b" mx smtpd[77]: 0123456789abcdef smtp connected "
         b"address=203.0.113.77 host=x.example"] + \
        [stamp + b" mx smtpd[77]: 0123456789abcdef smtp failed-command "
         b"command=\"AUTH LOGIN\" result=\"535 Authentication failed\""] * 20
open(sys.argv[2], "wb").write(b"\n".join(lines[:mid] + smtpd + lines[mid:]))
PY
for t in 1 2; do
	ABUSEDESK_TEST_FAULT=7 timeout 300 "${SCAN[@]}" --db "$W/mixed$t.db" \
	    --set threads=$t "$W/mixed.log" 2>"$W/mixed$t.err"
	expect_rc "mixed log, $t thread(s)" 0 "$?"
	ad incidents --db "$W/mixed$t.db" --json --all --evidence \
	    >"$W/mixed$t.json"
done
check "the OpenSMTPD line made chunks be parsed again" \
    grep -Eq '[1-9][0-9]* parsed again in order' "$W/mixed2.err"
check "mixed log: the OpenSMTPD session was read" \
    grep -q '203.0.113.77' "$W/mixed1.json"
expect_eq "mixed log: the same summary with two threads" \
    "$(summary "$W/mixed1.err")" "$(summary "$W/mixed2.err")"
check "mixed log: every incident as with one thread" \
    cmp -s "$W/mixed1.json" "$W/mixed2.json"

# A fixed year that rolls over (Dec -> Jan) in the middle of the file,
# with stray December lines after it (they stay in the new year): the
# clock is part of the carry, so a chunk parsed from the year before is
# parsed again; the stamps must come out as with one thread.
python3 - "$W/conn.log" "$W/year.log" <<'PY'
import sys
out = []
lines = open(sys.argv[1], "rb").read().split(b"\n")
for i, l in enumerate(lines):
    if len(l) > 15:
        mon = b"Dec" if i < len(lines) // 2 or i % 40 == 0 else b"Jan"
        l = mon + l[3:]
    out.append(l)
open(sys.argv[2], "wb").write(b"\n".join(out))
PY
for t in 1 2; do
	ABUSEDESK_TEST_FAULT=7 timeout 300 "${SCAN[@]}" --db "$W/year$t.db" \
	    --year 2025 --set threads=$t "$W/year.log" 2>"$W/year$t.err"
	expect_rc "year rollover, $t thread(s)" 0 "$?"
	ad incidents --db "$W/year$t.db" --json --all --evidence \
	    >"$W/year$t.json"
done
check "year rollover: stamps of both years" \
    grep -q '"first":"2026-01' "$W/year1.json"
expect_eq "year rollover: the same summary with two threads" \
    "$(summary "$W/year1.err")" "$(summary "$W/year2.err")"
check "year rollover: every incident as with one thread" \
    cmp -s "$W/year1.json" "$W/year2.json"

ad scan --db "$W/bad.db" --set threads=3 "$W/auth.log" 2>/dev/null
expect_rc "threads = 3 is a configuration error" 4 "$?"
finish
