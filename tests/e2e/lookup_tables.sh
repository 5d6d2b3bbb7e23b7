#!/usr/bin/env bash
# lookup_tables: `abusedesk tables refresh` fetches the IANA RDAP bootstrap
# files over HTTPS (here from the replay server, host iana.test, serving
# $SHARED/data's copies), writes DIR/rdap-bootstrap.tsv with a header
# naming source and date, and lookup then uses it instead of the
# compiled-in table; a failed refresh keeps the old file.
. "$(dirname "$0")/helpers.bash"
need python3 openssl
[ -d "$SHARED/fixtures" ] && [ -d "$SHARED/data" ] || skip "no \$SHARED/fixtures or data"
. "$(dirname "$0")/../servers/start.bash"
replay_start "$W" "$SHARED/fixtures" || { echo "FAIL: replay servers"; exit 1; }
T=("$ABUSEDESK" tables refresh --cacert "$CACERT" "${CONNECT[@]}")

"${T[@]}" --from https://iana.test/rdap/ --out "$W/tables" 2>"$W/err"
expect_rc "refresh" 0 $?
f=$W/tables/rdap-bootstrap.tsv
check "refreshed table written" test -s "$f"
check "header names the source" grep -q '^# source: https://iana.test/rdap/' "$f"
check "header has the date" grep -Eq '^# .*refreshed [0-9]{4}-[0-9]{2}-[0-9]{2}' "$f"
check "IPv4 row" grep -q '^62.0.0.0/8	https://rdap.db.ripe.net/$' "$f"
check "IPv6 row" grep -q '^2c00::/12	https://rdap.afrinic.net/rdap/$' "$f"
check "ASN row" grep -q '^AS36864-AS37887	https://rdap.afrinic.net/rdap/$' "$f"
check "only https kept" test "$(grep -c 'http://' "$f")" -eq 0
expect_eq "3 files fetched" 3 "$(replay_queries 'iana.test')"

# lookup reads the refreshed table from lookup.tables.
sed -i 's|^62.0.0.0/8	.*|62.0.0.0/8	https://rdap.example.test/|' "$f"
"$ABUSEDESK" tables show --set lookup.tables="$W/tables" 62.239.237.1 >"$W/o"
check "refreshed table used" grep -q '^62.239.237.1 rdap https://rdap.example.test/$' "$W/o"

# A failing source keeps what was there.
cp "$f" "$W/before"
"${T[@]}" --from https://iana.test/missing/ --out "$W/tables" 2>"$W/err"
expect_rc "refresh from a bad source" 2 $?
check "old table kept" cmp -s "$f" "$W/before"
check "error names the URL" grep -q 'iana.test/missing' "$W/err"
finish
