#!/usr/bin/env bash
# sigkill: a scan killed with SIGKILL at any moment and run again ends with
# exactly the incidents of one uninterrupted scan of the same file.
#
# A ~150 MB auth.log (../shared/tools/gen_bench_corpus.py when ../shared is
# there, else a Python loop in helpers.bash) is scanned once uninterrupted
# (the reference). Then a second store gets the same file in runs that are
# killed with kill -9 at three moments, each after the scan committed at
# least one batch (the store's files.offset, polled with the sqlite3 CLI,
# has moved) and before it finished:
#   1. right after the first commit of the first run;
#   2. in the resumed run, a little after the offset passed 40 % (mid-batch);
#   3. in the next resumed run, as soon as the offset passed 70 %.
# A last run finishes. Every incident (source, category, first, last,
# events, proven, spoofable, state) must equal the reference's, and the
# store's offset and line count must be those of the whole file.
#
# The same for a .gz of the file and for the file on stdin (resumed by
# reading and discarding up to the committed offset): one kill after the
# first commit, then a full run; incidents equal the plain reference.
#
# Then the same during a rotation: auth.log (3 lines, scanned) grows by the
# large file and is rotated to auth.log.1 before the next scan of auth.log,
# which must finish auth.log.1 first. That scan is killed while it is in
# auth.log.1 (its committed offset there has moved); scanning auth.log
# again must still finish auth.log.1: same incidents as the same steps
# without a kill.
. "$(dirname "$0")/helpers.bash"
need python3 sqlite3

# Small checkpoints, so a kill can land between them.
SCAN+=(--set checkpoint=4M)

BIG=$W/auth.log
gen_sshd_corpus "$BIG" 150
SIZE=$(stat -c %s "$BIG")
LINES=$(wc -l <"$BIG")

# The reference: one uninterrupted scan.
REF=$W/ref.db
scan -q --db "$REF" "$BIG"
expect_rc "uninterrupted scan" 0 "$?"

dump() {	# every incident, in a stable order
	sq "$1" "select src, category, first_utc, last_utc, events, proven,
	    spoofable, state, reportable from incidents
	    order by src, category, first_utc, last_utc, events"
}

# offset DB: the committed offset, or 0 while the store is being created.
offset() {
	local o
	[ -s "$1" ] || { echo 0; return; }
	o=$(sq "$1" "select coalesce(max(offset), 0) from files" 2>/dev/null)
	echo "${o:-0}"
}

# kill_when DB MIN_OFFSET SLEEP: runs a scan in the background, waits until
# its committed offset reaches MIN_OFFSET (> 0), sleeps SLEEP seconds and
# kills it with SIGKILL. Prints the offset seen and the scan's exit status
# (137 when the kill landed, 0 when the scan had finished first).
kill_when() {
	local db=$1 min=$2 nap=$3 pid o=0 rc
	# Not through a shell function: $! must be abusedesk itself.
	"${SCAN[@]}" -q --db "$db" "$BIG" &
	pid=$!
	_bg_pids+=("$pid")
	while kill -0 "$pid" 2>/dev/null; do
		o=$(offset "$db")
		[ "$o" -ge "$min" ] && [ "$o" -gt 0 ] && break
		sleep 0.01
	done
	[ "$nap" != 0 ] && sleep "$nap"
	kill -9 "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	echo "$o $rc"
}

DB=$W/killed.db
landed=0
n=0
for moment in "1 0" "$((SIZE * 40 / 100)) 0.05" "$((SIZE * 70 / 100)) 0"; do
	n=$((n + 1))
	read -r min nap <<<"$moment"
	read -r seen rc < <(kill_when "$DB" "$min" "$nap")
	case $rc in
	137)	landed=$((landed + 1))
		echo "kill $n: killed after the offset reached $seen of $SIZE" ;;
	0)	echo "kill $n: the scan finished before the kill (offset $seen)" ;;
	*)	bad "kill $n: scan exited $rc before the kill" ;;
	esac
done
# On a machine fast enough to outrun the poller a kill may miss; two of
# three must have landed for the test to mean anything.
check "at least 2 of 3 kills landed mid-scan ($landed)" [ "$landed" -ge 2 ]

scan -q --db "$DB" "$BIG"
expect_rc "final resumed scan" 0 "$?"
expect_eq "store offset and lines = the whole file" "$SIZE|$LINES" \
    "$(sq "$DB" "select offset, lines from files")"
ref=$(dump "$REF")
got=$(dump "$DB")
expect_eq "number of incidents as in the uninterrupted scan" \
    "$(wc -l <<<"$ref")" "$(wc -l <<<"$got")"
expect_eq "sum of events as in the uninterrupted scan" \
    "$(sq "$REF" "select sum(events) from incidents")" \
    "$(sq "$DB" "select sum(events) from incidents")"
if [ "$ref" == "$got" ]; then
	check "every incident as in the uninterrupted scan" true
else
	bad "incidents differ from the uninterrupted scan (< reference, > killed):"
	diff <(echo "$ref") <(echo "$got") | head -n 20
fi
check "the reference found incidents at all" [ "$(wc -l <<<"$ref")" -gt 100 ]

# kill_stream DB CMD...: runs CMD in the background, kills it with SIGKILL
# once the store's offset moved; prints the exit status (137: killed).
kill_stream() {
	local db=$1 pid o
	shift
	"$@" &
	pid=$!
	_bg_pids+=("$pid")
	while kill -0 "$pid" 2>/dev/null; do
		o=$(offset "$db")
		[ "$o" -gt 0 ] && break
		sleep 0.01
	done
	kill -9 "$pid" 2>/dev/null
	{ wait "$pid"; } 2>/dev/null
	echo $?
}
gzip -1 -c "$BIG" >"$BIG.gz"
GZ=$W/gz.db
rc=$(kill_stream "$GZ" "${SCAN[@]}" -q --db "$GZ" "$BIG.gz")
expect_eq ".gz: the scan was killed mid-file" 137 "$rc"
scan -q --db "$GZ" "$BIG.gz"
expect_rc ".gz: resumed scan" 0 "$?"
if [ "$(dump "$REF")" == "$(dump "$GZ")" ]; then
	check ".gz killed and resumed: every incident as the plain reference" true
else
	bad ".gz killed and resumed: incidents differ from the plain reference"
	diff <(dump "$REF") <(dump "$GZ") | head -n 6
fi
rm -f "$BIG.gz"
IN=$W/stdin.db
rc=$(kill_stream "$IN" bash -c 'exec "$@" <"$0"' "$BIG" "${SCAN[@]}" -q --db "$IN" -)
expect_eq "stdin: the scan was killed mid-stream" 137 "$rc"
scan -q --db "$IN" - <"$BIG"
expect_rc "stdin: resumed scan" 0 "$?"
if [ "$(dump "$REF")" == "$(dump "$IN")" ]; then
	check "stdin killed and resumed: every incident as the plain reference" true
else
	bad "stdin killed and resumed: incidents differ from the plain reference"
	diff <(dump "$REF") <(dump "$IN") | head -n 6
fi

# Killed while finishing auth.log.1 after a rotation.
R=$W/rot
mkdir "$R"
head3() {
	for i in 1 2 3; do
		sshd_line "Feb 28 23:00:0$i" 1 "Failed password for root from 203.0.113.9 port 100$i ssh2"
	done
}
new3() {
	for i in 1 2 3; do
		sshd_line "Apr  2 10:00:0$i" 2 "Failed password for root from 203.0.113.9 port 200$i ssh2"
	done
}
# rotate DB: the steps up to the scan after the rotation.
rotate() {
	rm -f "$R/auth.log" "$R/auth.log.1"
	head3 >"$R/auth.log"
	scan -q --db "$1" "$R/auth.log"
	cat "$BIG" >>"$R/auth.log"
	mv "$R/auth.log" "$R/auth.log.1"
	new3 >"$R/auth.log"
}
RREF=$W/rotref.db
rotate "$RREF"
scan -q --db "$RREF" "$R/auth.log"
expect_rc "rotation, uninterrupted" 0 "$?"
RK=$W/rotkill.db
rotate "$RK"
fp=$(sq "$RK" "select fingerprint from files")
off0=$(sq "$RK" "select offset from files")
"${SCAN[@]}" -q --db "$RK" "$R/auth.log" &
pid=$!
_bg_pids+=("$pid")
o=$off0
while kill -0 "$pid" 2>/dev/null; do
	o=$(sq "$RK" "select offset from files where fingerprint = '$fp'" 2>/dev/null)
	[ "${o:-0}" -gt "$off0" ] && break
	sleep 0.01
done
kill -9 "$pid" 2>/dev/null
{ wait "$pid"; } 2>/dev/null
rc=$?
if [ "$rc" -eq 137 ]; then
	echo "rotation: killed at offset $o of auth.log.1"
	scan -q --db "$RK" "$R/auth.log"
	expect_rc "rotation: scan of auth.log after the kill" 0 "$?"
	expect_eq "rotation: auth.log.1 finished after the kill" \
	    "$(sq "$RREF" "select offset from files where fingerprint = '$fp'")" \
	    "$(sq "$RK" "select offset from files where fingerprint = '$fp'")"
	expect_eq "rotation: sum of events as without the kill" \
	    "$(sq "$RREF" "select sum(events) from incidents")" \
	    "$(sq "$RK" "select sum(events) from incidents")"
	if [ "$(dump "$RREF")" == "$(dump "$RK")" ]; then
		check "rotation: every incident as without the kill" true
	else
		bad "rotation: incidents differ from the run without a kill"
	fi
else
	echo "rotation: the scan ended ($rc) before the kill; not tested"
fi
finish
