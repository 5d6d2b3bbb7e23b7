#!/usr/bin/env bash
# lookup_scan: scan --lookup looks up the abuse contact of every reportable
# incident's source (lookup.* keys apply) and incidents --json then shows it
# as "contact"; sources in the same network cost one query.
. "$(dirname "$0")/helpers.bash"
need python3 openssl
[ -d "$SHARED/fixtures" ] || skip "no \$SHARED/fixtures"
. "$(dirname "$0")/../servers/start.bash"
replay_start "$W" "$SHARED/fixtures" || { echo "FAIL: replay servers"; exit 1; }
SETS=(--set "lookup.cacert=$CACERT" --set lookup.via=whois --set lookup.parent=no)
for ((i = 1; i < ${#CONNECT[@]}; i += 2)); do
	SETS+=(--set "lookup.connect_to=${CONNECT[i]}")
done
for src in 62.239.237.10 62.239.237.20; do
	for i in 1 2 3 4 5 6; do
		sshd_line "Mar  3 14:00:0$i" 70$i "Failed password for root from $src port 4500$i ssh2"
	done
done >"$W/auth.log"
scan --db "$W/db" "${SETS[@]}" --lookup "$W/auth.log" 2>"$W/err"
expect_rc "scan --lookup" 0 $?
check "summary names the lookups" grep -q 'lookup: 2 source(s), 2 with an abuse contact' "$W/err"
expect_eq "one network, one query" 1 "$(replay_queries 'whois.ripe.net')"
"$ABUSEDESK" incidents --db "$W/db" --json >"$W/inc"
expect_eq "incidents --json carries the contact" "protect@bt.com protect@bt.com" \
    "$(python3 -c '
import json, sys
print(" ".join(",".join(json.loads(l)["contact"]["abuse"]) for l in open(sys.argv[1])))' "$W/inc")"
finish
