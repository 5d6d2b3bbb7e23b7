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
# Attackers of the truth against public sources with a stored incident.
# Incidents that closed below their threshold are counted, not stored: an
# attacker whose bursts never reach it within a window has none.
want=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['distinct_attack_ips'])" "$CORPUS.truth.json")
got=$("$BIN" incidents --db "$W/ours.db" --all --json | python3 -c "
import json, sys, ipaddress
print(len({json.loads(l)['src'] for l in sys.stdin
           if not ipaddress.ip_address(json.loads(l)['src']).is_private}))")
echo "attacker addresses: truth $want, public sources with a stored incident $got"
