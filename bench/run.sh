#!/usr/bin/env bash
# bench/run.sh - abusedesk against its peers, side by side in one run.
#
#   bench/run.sh [sshd|fw|web] [SIZE]        (default: sshd 1G)
#
# Generates a corpus with ../shared/tools/gen_bench_corpus.py (into
# $BENCH_DIR, default /tmp/abusedesk-bench; never committed), then times
# cat / wc / grep, SSHGuard's sshg-parser, fail2ban-regex and CrowdSec
# (whichever are installed; BENCH_INSTALL=1 installs them from Debian) and
# `abusedesk scan` with ../shared/tools/bench_peers.sh. Prints the table,
# the parse-only ceiling, the ratio of abusedesk to each peer, and checks
# that every attacker address of the truth file became an incident.
set -euo pipefail
cd "$(dirname "$0")/.."
KIND=${1:-sshd}
SIZE=${2:-1G}
SHARED=${SHARED:-$(cd .. && pwd)/shared}
BENCH_DIR=${BENCH_DIR:-/tmp/abusedesk-bench}
BUILD=${BUILD:-build/rel}
[ -d "$SHARED/tools" ] || { echo "bench: $SHARED/tools not found" >&2; exit 77; }
mkdir -p "$BENCH_DIR"
if [ "${BENCH_INSTALL:-0}" = 1 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q sshguard fail2ban time >/dev/null
fi
make -s "$BUILD/abusedesk" "$BUILD/bench/parse_only"
CORPUS=$BENCH_DIR/$KIND-$SIZE.log
[ -s "$CORPUS" ] || python3 "$SHARED/tools/gen_bench_corpus.py" --kind "$KIND" \
	--size "$SIZE" --out "$CORPUS" >&2
W=$(mktemp -d -t abusedesk-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
BIN=$PWD/$BUILD/abusedesk
export OURS_CMD="rm -f $W/ours.db*; exec $BIN scan -q --tz UTC --db $W/ours.db \"\$IN\""
export OURS_IP_FIELD=0 WORKDIR=$W/peers
table=$(bash "$SHARED/tools/bench_peers.sh" "$CORPUS" "$KIND")
printf '%s\n' "$table"
echo
echo "parse-only ceiling (reader + parser, no aggregation, no store):"
# CPU time too: on a shared machine the wall clock measures the neighbours.
/usr/bin/time -f '%U %S' -o "$W/po.time" "$BUILD/bench/parse_only" "$CORPUS"
awk -v b="$(stat -c %s "$CORPUS")" '{ printf "parse-only CPU: %.2f s user+sys, %.0f MB per CPU-second\n", $1 + $2, b / 1e6 / ($1 + $2) }' "$W/po.time"
echo
# Ratios: our MB/s over each peer's.
ours=$(awk -F'|' '$2 ~ /^ ours / {gsub(/ /, "", $7); print $7}' <<<"$table")
awk -F'|' -v o="$ours" '$2 ~ /^ (sshguard|f2b|crowdsec|grep|wc|cat) / {
	gsub(/ /, "", $2); gsub(/ /, "", $7);
	if ($7 > 0) printf "abusedesk / %s: %.2fx\n", $2, o / $7 }' <<<"$table"
# Attackers of the truth against what the scan saw of them: the distinct
# sources of its events (`parse --json`, the same parser), then the public
# sources with a stored incident, and those whose only incident is still
# open below its threshold (held, listed without id). Incidents that closed
# below their threshold are counted, not stored: an attacker whose bursts
# never reach it within a window has none.
want=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['distinct_attack_ips'])" "$CORPUS.truth.json")
seen=$("$BIN" parse --json --tz UTC "$CORPUS" 2>/dev/null | python3 -c "
import sys
s = set()
for l in sys.stdin:
    i = l.find('\"src\":\"') + 7
    s.add(l[i:l.find('\"', i)])
print(len(s))")
"$BIN" incidents --db "$W/ours.db" --all --json | python3 -c "
import json, sys, ipaddress
rows, held = set(), set()
for l in sys.stdin:
    o = json.loads(l)
    if ipaddress.ip_address(o['src']).is_private:
        continue
    (rows if o.get('id') is not None else held).add(o['src'])
print('attacker addresses: truth %s; distinct sources of events %s; public '
      'sources with a stored incident %d; only held below threshold %d'
      % (sys.argv[1], sys.argv[2], len(rows), len(held - rows)))" "$want" "$seen"
