#!/usr/bin/env bash
# bench/lookup.sh - abusedesk lookup against the replay servers on loopback.
#
#   bench/lookup.sh [NETWORKS] [ADDRESSES]     (default 300 10000)
#   SERVERS=4 DELAY_MS=20 PARALLEL="1 4" bench/lookup.sh
#
# NETWORKS synthetic /16 networks (RDAP hosts *.bench.test of
# tests/servers/replay.py: each /16 its own abuse mailbox), ADDRESSES drawn
# from them at random (seeded). SERVERS (default 1) RDAP servers share the
# networks (by /8); DELAY_MS (default 0) is added to every answer, as a
# registry's round trip would be. Prints: queries the servers received
# (target: exactly one per distinct network), the wall time of the cold
# run, and the time per address from a warm cache (a new process reading
# the store, and bench/lookup_warm.c in-process: store, then memory).
set -euo pipefail
cd "$(dirname "$0")/.."
NETS=${1:-300}
ADDRS=${2:-10000}
BUILD=${BUILD:-build/rel}
SHARED=${SHARED:-$(cd .. && pwd)/shared}
[ -d "$SHARED/fixtures" ] || { echo "bench: $SHARED/fixtures not found" >&2; exit 77; }
make -s "$BUILD/abusedesk" "$BUILD/bench/lookup_warm"
ABUSEDESK=$PWD/$BUILD/abusedesk
W=$(mktemp -d -t abusedesk-lookup-bench.XXXXXX)
_bg_pids=()
trap 'for p in "${_bg_pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$W"' EXIT
. tests/servers/start.bash
replay_start "$W" "$SHARED/fixtures"

[ "${DELAY_MS:-0}" != 0 ] && echo "$DELAY_MS" >"$REPLAY_DIR/bench_delay_ms"

python3 - "$NETS" "$ADDRS" "$W" "${SERVERS:-1}" <<'PY'
import json, random, sys
nets, addrs, w = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
servers = int(sys.argv[4])
r = random.Random(1)
firsts = [20, 23, 24, 50, 52, 54, 63, 64, 65, 66]   # ARIN /8s
pool = [(a, b) for a in firsts for b in range(256)]
chosen = r.sample(pool, nets)
with open(w + '/addrs', 'w') as f:
    for _ in range(addrs):
        a, b = r.choice(chosen)
        f.write('%d.%d.%d.%d\n' % (a, b, r.randrange(256), r.randrange(1, 255)))
host = ['https://rdap.bench.test/'] if servers == 1 else [
    'https://rdap%d.bench.test/' % i for i in range(servers)]
json.dump({'services': [[['%d.0.0.0/8' % a for k, a in enumerate(firsts)
                          if k % len(host) == i], [h]]
                        for i, h in enumerate(host)]},
          open(w + '/boot.json', 'w'))
print('%d networks on %d server(s), %d addresses, %d distinct networks drawn' % (
    nets, len(host), addrs, len({tuple(l.split('.')[:2]) for l in open(w + '/addrs')})))
PY
L=("${LOOKUP[@]}" --json --no-parent --rdap-bootstrap "$W/boot.json"
    --set lookup.rate=100000 --set lookup.burst=100000)
# Cold, once per PARALLEL entry (WORKERS or WORKERS/PER_SERVER, default
# "1 4 4/4"), each into a fresh store; the last one's store is the warm
# one. There is one server: with lookup.per_server = 1 (the default) its
# queries go one at a time however many workers there are.
for cfg in ${PARALLEL:-1 4 4/4}; do
	par=${cfg%/*}
	per=1
	[ "$cfg" != "$par" ] && per=${cfg#*/}
	rm -f "$W/db" "$REPLAY_DIR/queries.log"
	t0=$(date +%s.%N)
	"${L[@]}" --db "$W/db" --set lookup.parallel="$par" \
	    --set lookup.per_server="$per" --stats - \
	    <"$W/addrs" >"$W/cold.jsonl" 2>"$W/cold.err" || true
	t1=$(date +%s.%N)
	sent=$(grep -c 'bench.test' "$REPLAY_DIR/queries.log" || true)
	answered=$(grep -c '"abuse":\["' "$W/cold.jsonl" || true)
	echo "cold, parallel $par, per_server $per: $ADDRS addresses, $answered with a mailbox," \
	    "$sent queries sent, wall $(python3 -c "print('%.2f s' % ($t1 - $t0))")"
	tail -n 1 "$W/cold.err"
done
L+=(--db "$W/db")
t0=$(date +%s.%N)
"${L[@]}" --offline --stats - <"$W/addrs" >"$W/warm.jsonl" 2>"$W/warm.err" || true
t1=$(date +%s.%N)
echo "warm store, new process (CLI, JSON out): $(python3 -c "print('%.2f us per address' % (($t1 - $t0) * 1e6 / $ADDRS))")"
tail -n 1 "$W/warm.err"
"$BUILD/bench/lookup_warm" "$W/db" "$W/addrs"
