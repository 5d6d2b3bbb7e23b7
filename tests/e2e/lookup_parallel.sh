#!/usr/bin/env bash
# lookup_parallel: lookup.parallel workers with manners. Over the replay
# servers (which log when each query starts and ends, and hold a query
# until one to another server is in flight, see tests/servers/replay.py):
#   - with parallel = 4, no two queries to the same server overlap, and
#     queries to different servers do;
#   - with lookup.per_server = 2, two queries to one server may overlap;
#   - with parallel = 1, no two queries overlap at all;
#   - answers come in input order, the same as with parallel = 1, and an
#     address of a network another worker is resolving is answered from
#     the cache (no second query for it);
#   - two networks under one upstream (tests/cases/lookup, ours): the
#     upstream is asked once, whichever worker gets there first.
# No durations are asserted: only the order of start and end events.
. "$(dirname "$0")/helpers.bash"
need python3 openssl
[ -d "$SHARED/fixtures" ] || skip "no \$SHARED/fixtures"
CASES=$(cd "$(dirname "$0")/../cases/lookup" && pwd)
. "$(dirname "$0")/../servers/start.bash"
replay_start "$W" "$SHARED/fixtures" "$CASES" || { echo "FAIL: replay servers"; exit 1; }

# Two networks each at RIPE, LACNIC, APNIC; one each at AFRINIC and ARIN;
# 62.239.237.200 is in 62.239.237.1's network (BT).
Q=(62.239.237.1 200.57.141.161 1.52.34.175 196.11.240.215 62.239.237.200
   145.255.0.1 138.36.27.5 74.125.225.229 210.107.73.73)

# overlaps TIMING-LOG: "same=N other=M": pairs of queries in flight at once,
# to the same server and to different servers.
overlaps() {
	python3 - "$1" <<'PY'
import sys
iv = {}
for line in open(sys.argv[1]):
    what, qid, proto, server, t = line.split()
    e = iv.setdefault(qid, [server, None, None])
    e[1 if what == 'start' else 2] = float(t)
q = [v for v in iv.values() if v[1] is not None and v[2] is not None]
same = other = 0
for i in range(len(q)):
    for j in range(i + 1, len(q)):
        a, b = q[i], q[j]
        if a[1] < b[2] and b[1] < a[2]:
            if a[0] == b[0]:
                same += 1
            else:
                other += 1
print('same=%d other=%d' % (same, other))
PY
}

run() {	# run NAME PARALLEL [MORE OPTIONS]: answers in $W/NAME.jsonl
	local name=$1 par=$2
	shift 2
	rm -f "$REPLAY_DIR/timing.log" "$W/db"
	"${LOOKUP[@]}" --db "$W/db" --json --timeout 10 --no-parent --via whois \
	    --set lookup.parallel="$par" --set lookup.rate=1000 \
	    --set lookup.burst=1000 "$@" --stats "${Q[@]}" \
	    >"$W/$name.jsonl" 2>"$W/$name.err"
	echo $? >"$W/$name.rc"
	cp "$REPLAY_DIR/timing.log" "$W/$name.timing"
}

# Parallel: each query held until another server has one in flight.
echo 4 >"$REPLAY_DIR/overlap_wait"
run par4 4
o=$(overlaps "$W/par4.timing")
echo "parallel 4: $o"
check "parallel 4: no two queries to one server at once ($o)" grep -q 'same=0 ' <<<"$o"
check "parallel 4: different servers queried at once ($o)" \
    test "$(sed 's/.*other=//' <<<"$o")" -gt 0

# lookup.per_server = 2 lets two of ours into one server at once.
run per2 4 --set lookup.per_server=2
o=$(overlaps "$W/per2.timing")
echo "parallel 4, per_server 2: $o"
check "per_server 2: runs" test "$(cat "$W/per2.rc")" -le 2

# One by one: nothing overlaps (and nothing waits for a partner).
rm -f "$REPLAY_DIR/overlap_wait"
run par1 1
o=$(overlaps "$W/par1.timing")
echo "parallel 1: $o"
expect_eq "parallel 1: nothing at once" "same=0 other=0" "$o"

# Same answers, same (input) order, either way.
answers() {
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    print(o["query"], ",".join(o["abuse"]), ",".join(o["network"]["ranges"]))
' "$1"
}
expect_eq "input order kept" "$(printf '%s\n' "${Q[@]}")" \
    "$(python3 -c 'import json,sys; [print(json.loads(l)["query"]) for l in open(sys.argv[1])]' "$W/par4.jsonl")"
expect_eq "same answers with 1 and 4 workers" "$(answers "$W/par1.jsonl")" "$(answers "$W/par4.jsonl")"
expect_eq "same exit status" "$(cat "$W/par1.rc")" "$(cat "$W/par4.rc")"
check "answers name mailboxes" grep -q '"abuse":\["' "$W/par4.jsonl"
expect_eq "the second BT address came from the cache" "True" \
    "$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readlines()[4])["cached"])' "$W/par4.jsonl")"
q1=$(grep -o '[0-9]* sent' "$W/par1.err")
q4=$(grep -o '[0-9]* sent' "$W/par4.err")
expect_eq "as many queries sent with 4 workers as with 1" "$q1" "$q4"

# One upstream for two customer networks: its handle asked once.
n=$(replay_queries 'n ! NET-100-42-0-0-1')
"${LOOKUP[@]}" --db "$W/db-up" --json --timeout 10 --set lookup.parallel=4 \
    100.42.0.7 100.42.1.7 >"$W/up.jsonl" 2>"$W/up.err"
expect_eq "upstream asked once for both" $((n + 1)) "$(replay_queries 'n ! NET-100-42-0-0-1')"
expect_eq "both name the upstream's abuse desk" "abuse@upstream.example abuse@upstream.example" \
    "$(python3 -c 'import json,sys; print(" ".join(",".join(json.loads(l)["parent"]["abuse"]) for l in open(sys.argv[1])))' "$W/up.jsonl")"
finish
