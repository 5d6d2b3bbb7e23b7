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

# Checkpoints with two threads: the parser runs ahead, so a checkpoint
# waits for a chunk after which the worker saved its state (on request).
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
expect_eq "long lines: same counts with two threads" \
    "$(sed 's/ in [0-9.]* s.*//' "$W/l1")" "$(sed 's/ in [0-9.]* s.*//' "$W/l2")"
ad incidents --db "$W/long1.db" --json --all --evidence >"$W/long1.json"
ad incidents --db "$W/long2.db" --json --all --evidence >"$W/long2.json"
check "long lines: the same incidents with two threads" \
    cmp -s "$W/long1.json" "$W/long2.json"

ad scan --db "$W/bad.db" --set threads=3 "$W/auth.log" 2>/dev/null
expect_rc "threads = 3 is a configuration error" 4 "$?"
finish
