#!/usr/bin/env bash
# concurrent: several abusedesk processes on one store at the same time
# (an overlapping cron job, a manual run while the timer runs, `incidents`
# while `scan` writes).
#
#  1. Two processes that open a store which does not exist yet, at once,
#     both succeed (tried 30 times: the store is created and migrated
#     once, the other waits for it).
#  2. A ~40 MB auth.log is scanned into a reference store. Then two scans
#     of it are started together into a second, already created store.
#     Either may wait for the other or give up with exit 3 (store busy);
#     after both ended, one more scan finishes whatever is left. The
#     incidents must equal the reference: the sum of events and every
#     (source, category, first, last, events) - the file is not counted
#     twice.
#  3. `incidents` run while a scan writes succeeds (WAL readers).
. "$(dirname "$0")/helpers.bash"
need python3 sqlite3

# 1.
races=0
for i in $(seq 30); do
	ad incidents -q --db "$W/new$i.db" >/dev/null 2>>"$W/open.err" &
	p1=$!
	ad incidents -q --db "$W/new$i.db" >/dev/null 2>>"$W/open.err" &
	p2=$!
	wait "$p1"; r1=$?
	wait "$p2"; r2=$?
	[ "$r1" -eq 0 ] && [ "$r2" -eq 0 ] || races=$((races + 1))
done
expect_eq "two processes creating one store at once both succeed (30 tries)" \
    "0 failed" "$races failed"
[ "$races" -gt 0 ] && sort "$W/open.err" | uniq -c | head -n 3

# 2.
BIG=$W/auth.log
gen_sshd_corpus "$BIG" 40
REF=$W/ref.db
scan -q --db "$REF" "$BIG"
expect_rc "reference scan" 0 "$?"

DB=$W/twice.db
ad incidents -q --db "$DB" >/dev/null	# created and migrated beforehand
expect_rc "creating the second store" 0 "$?"
"${SCAN[@]}" -q --db "$DB" "$BIG" 2>"$W/e1" &
p1=$!
"${SCAN[@]}" -q --db "$DB" "$BIG" 2>"$W/e2" &
p2=$!
_bg_pids+=("$p1" "$p2")
# 3. A reader while the scans write.
sleep 0.2
ad incidents --db "$DB" --json >/dev/null 2>"$W/e3"
expect_rc "incidents while a scan writes" 0 "$?"
wait "$p1"; rc1=$?
wait "$p2"; rc2=$?
check "first concurrent scan exits 0 or 3 (was $rc1)" \
    bash -c "[ $rc1 -eq 0 ] || [ $rc1 -eq 3 ]"
check "second concurrent scan exits 0 or 3 (was $rc2)" \
    bash -c "[ $rc2 -eq 0 ] || [ $rc2 -eq 3 ]"
check "at least one concurrent scan succeeded" \
    bash -c "[ $rc1 -eq 0 ] || [ $rc2 -eq 0 ]"
scan -q --db "$DB" "$BIG"
expect_rc "scan after both" 0 "$?"

dump() {
	sq "$1" "select src, category, first_utc, last_utc, events from incidents
	    order by src, category, first_utc, last_utc, events"
}
expect_eq "sum of events as in one scan (not twice)" \
    "$(sq "$REF" "select sum(events) from incidents")" \
    "$(sq "$DB" "select sum(events) from incidents")"
ref=$(dump "$REF")
got=$(dump "$DB")
if [ "$ref" == "$got" ]; then
	check "every incident as in one scan" true
else
	bad "incidents differ from one scan (< one scan, > two at once):"
	diff <(echo "$ref") <(echo "$got") | head -n 6
fi
finish
