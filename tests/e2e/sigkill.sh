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
. "$(dirname "$0")/helpers.bash"
need python3 sqlite3

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
finish
