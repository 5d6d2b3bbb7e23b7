#!/usr/bin/env bash
# lookup_parent: ARIN names a network's parent by handle (RDAP
# "parentHandle", whois "Parent: NAME (NET-...)") and gives no RDAP "up"
# link; with lookup.parent on, the chain asks ARIN whois for the handle
# ("n ! NET-...") and fills the answer's parent handle, name and contact.
# The parents are our own recorded-style answers (tests/cases/lookup: the
# shared fixtures hold no recording of them), served next to the shared
# recordings of the children.
. "$(dirname "$0")/helpers.bash"
need python3 openssl
[ -d "$SHARED/fixtures" ] || skip "no \$SHARED/fixtures"
CASES=$(cd "$(dirname "$0")/../cases/lookup" && pwd)
. "$(dirname "$0")/../servers/start.bash"
replay_start "$W" "$SHARED/fixtures" "$CASES" || { echo "FAIL: replay servers"; exit 1; }
L=("${LOOKUP[@]}" --db "$W/db" --json --timeout 5)

get() {	# get JSON EXPR: a Python expression over the answer (o)
	python3 -c 'import json,sys; o=json.loads(sys.argv[1].splitlines()[0]); print(eval(sys.argv[2]))' "$@"
}

# RDAP (recorded): GOOGLE 74.125.0.0/16, parentHandle NET-74-0-0-0-0.
out=$(timeout 60 "${L[@]}" --via rdap 74.125.225.229 2>"$W/err")
expect_rc "RDAP child: answered" 0 $?
expect_eq "RDAP child: its own mailbox" "arin-contact@google.com" "$(get "$out" '",".join(o["abuse"])')"
expect_eq "RDAP child: parent handle" "NET-74-0-0-0-0" "$(get "$out" 'o["parent"]["handle"]')"
expect_eq "RDAP child: parent name from ARIN whois" "NET74" "$(get "$out" 'o["parent"]["name"]')"
expect_eq "RDAP child: ARIN's own hostmaster is no parent abuse desk" "" "$(get "$out" '",".join(o["parent"]["abuse"])')"
expect_eq "RDAP child: the handle asked once over whois" 1 "$(replay_queries 'whois.arin.net n ! NET-74-0-0-0-0')"

# whois (recorded): "Parent: NET74 (NET-74-0-0-0-0)" -> the handle; the
# parent comes the same way.
out=$(timeout 60 "${L[@]}" --via whois --db "$W/db2" 74.125.225.229 2>"$W/err")
expect_rc "whois child: answered" 0 $?
expect_eq "whois child: parent handle" "NET-74-0-0-0-0" "$(get "$out" 'o["parent"]["handle"]')"
expect_eq "whois child: parent name" "NET74" "$(get "$out" 'o["parent"]["name"]')"

# Ours: a customer network naming its upstream, which has an abuse desk.
n=$(replay_queries 'NET-100-42-0-0-1')
out=$(timeout 60 "${L[@]}" 100.42.0.7 2>"$W/err")
expect_rc "customer: answered" 0 $?
expect_eq "customer: network" "CUSTOMER-EXAMPLE" "$(get "$out" 'o["network"]["name"]')"
expect_eq "customer: parent handle" "NET-100-42-0-0-1" "$(get "$out" 'o["parent"]["handle"]')"
expect_eq "customer: parent name" "UPSTREAM-EXAMPLE" "$(get "$out" 'o["parent"]["name"]')"
expect_eq "customer: parent's abuse desk" "abuse@upstream.example" "$(get "$out" '",".join(o["parent"]["abuse"])')"
expect_eq "customer: the upstream asked once" $((n + 1)) "$(replay_queries 'NET-100-42-0-0-1')"

# The next run answers from the cache, parent included, asking nobody.
n=$(replay_queries .)
out=$(timeout 60 "${L[@]}" 100.42.0.8 2>"$W/err")
expect_eq "cached: parent's abuse desk kept" "abuse@upstream.example" "$(get "$out" '",".join(o["parent"]["abuse"])')"
expect_eq "cached: nothing asked" "$n" "$(replay_queries .)"

# --no-parent: the handle is reported, not resolved.
n=$(replay_queries 'n ! ')
out=$(timeout 60 "${L[@]}" --no-parent --db "$W/db3" 100.42.0.9 2>"$W/err")
expect_eq "--no-parent: handle still named" "NET-100-42-0-0-1" \
    "$(get "$out" 'o["parent"]["handle"]' | grep -o 'NET-100-42-0-0-1')"
expect_eq "--no-parent: nothing asked by handle" "$n" "$(replay_queries 'n ! ')"
expect_eq "--no-parent: no parent contact" "" "$(get "$out" '",".join(o["parent"]["abuse"])')"
finish
