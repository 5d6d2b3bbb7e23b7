#!/usr/bin/env bash
# lookup_refuse: private, shared, loopback, link-local, documentation,
# multicast, reserved and own-network addresses, private ASNs and junk are
# refused before any query; --help; usage errors; tables show.
. "$(dirname "$0")/helpers.bash"
need python3

L=("$ABUSEDESK" lookup --db "$W/db" --json --stats --connect-to ::127.0.0.1:9
    --set own_networks=5.6.7.0/24)
for q in 10.1.2.3 172.16.0.1 192.168.1.1 100.64.0.1 127.0.0.1 169.254.1.1 \
    192.0.2.1 198.51.100.2 203.0.113.3 224.0.0.1 240.0.0.1 0.1.2.3 \
    ::1 fe80::1 fc00::1 2001:db8::1 ff02::1 5.6.7.8 AS64512 AS65535 \
    AS4200000000 as0 'x' '1.2.3.4.5' '1.2.3.4 ' ; do
	out=$("${L[@]}" "$q" 2>"$W/err")
	rc=$?
	expect_rc "refused: '$q'" 2 "$rc"
	check "refused: '$q' sends nothing" grep -q ' 0 sent to servers' "$W/err"
	check "refused: '$q' says why" python3 -c '
import json, sys
o = json.loads(sys.argv[1])
sys.exit(0 if o["error"] and not o["abuse"] else 1)' "$out"
done
out=$("${L[@]}" 5.6.7.8 2>/dev/null)
check "own network named" grep -q own_networks <<<"$out"

"$ABUSEDESK" lookup --help >"$W/h"
check "lookup --help" grep -q '^usage: abusedesk lookup' "$W/h"
"$ABUSEDESK" lookup >/dev/null 2>&1
expect_rc "lookup without a query" 1 $?
"$ABUSEDESK" lookup --connect-to bogus 1.1.1.1 >/dev/null 2>&1
expect_rc "bad --connect-to" 1 $?
"$ABUSEDESK" lookup --db "$W/db" --via smoke 1.1.1.1 >/dev/null 2>&1
expect_rc "bad --via" 4 $?
"$ABUSEDESK" lookup --db "$W/db" --whois-servers /nonexistent 1.1.1.1 >/dev/null 2>&1
expect_rc "missing --whois-servers file" 4 $?

# tables show: longest prefix, national-registry carve-outs, recovered
# space, ASN ranges, and a user file that wins.
"$ABUSEDESK" tables show 210.107.73.73 45.65.70.1 AS2515 2001:4860::1 >"$W/t"
check "KRNIC carve-out" grep -q '^210.107.73.73 whois whois.nic.or.kr$' "$W/t"
check "recovered space to RIPE" grep -q '^45.65.70.1 whois whois.ripe.net$' "$W/t"
check "JPNIC ASN" grep -q '^AS2515 whois whois.nic.ad.jp$' "$W/t"
check "IPv6 RDAP" grep -q '^2001:4860::1 rdap https://rdap.arin.net/registry/$' "$W/t"
printf '210.0.0.0/8 whois.example.net:4343\n' >"$W/mine.tsv"
"$ABUSEDESK" tables show --whois-servers "$W/mine.tsv" 210.107.73.73 >"$W/t"
check "user whois table wins" grep -q '^210.107.73.73 whois whois.example.net:4343$' "$W/t"
finish
