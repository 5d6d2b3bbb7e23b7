#!/usr/bin/env bash
# lookup_nir: APNIC space a national registry manages, with the recorded
# answers of $SHARED/fixtures over the replay servers:
#   - the tables' carve-out (KRNIC for 210.107/16) is asked first; when it
#     has nothing, APNIC's whois is asked, and its referral back to KRNIC
#     ("please use the KRNIC whois server at whois.krnic.net", mnt-irt
#     IRT-KRNIC-KR) is not asked twice under its other name;
#   - with a table that sends the address to APNIC, APNIC's answer is
#     followed to whois.krnic.net as a referral;
#   - APNIC's RDAP answer for JPNIC's 2001:240::/32 (netname IIJ-JPNIC-...,
#     "queried at whois.nic.ad.jp") is followed to whois.nic.ad.jp;
#   - the NIR catch-alls (hostmaster@nic.or.kr, hostmaster@nic.ad.jp) are
#     never the answer.
. "$(dirname "$0")/helpers.bash"
need python3 openssl
[ -d "$SHARED/fixtures" ] || skip "no \$SHARED/fixtures"
. "$(dirname "$0")/../servers/start.bash"
replay_start "$W" "$SHARED/fixtures" || { echo "FAIL: replay servers"; exit 1; }
L=("${LOOKUP[@]}" --json --timeout 5 --no-parent)

get() {	# get JSON-LINE EXPR
	python3 -c 'import json,sys; o=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$@"
}
queries() {	# the servers asked since the log was emptied, one a line
	cut -d' ' -f1,2 "$REPLAY_DIR/queries.log" 2>/dev/null | tr '\n' ';'
}

# 1. Carve-out first (whois.nic.or.kr: the replay's KRNIC), then APNIC.
rm -f "$REPLAY_DIR/queries.log"
out=$("${L[@]}" --db "$W/db1" --via whois 210.107.73.73 2>"$W/err")
expect_rc "carve-out, then APNIC: answered" 0 $?
expect_eq "asked KRNIC, then APNIC, KRNIC not again" \
    "whois whois.krnic.net;whois whois.apnic.net;" "$(queries)"
expect_eq "answer from APNIC" "whois.apnic.net" "$(get "$out" 'o["source"]["server"]')"
expect_eq "network" "210.107.0.0/17" "$(get "$out" '",".join(o["network"]["ranges"])')"
check "the ISP's mailbox, not KRNIC's catch-all" \
    grep -q 'abuse@bora.net' <<<"$(get "$out" 'o["abuse"]')"
check "no hostmaster@nic.or.kr" bash -c '! grep -q nic.or.kr <<<"$1"' _ "$out"
check "no error" test "$(get "$out" 'o["error"]')" = None

# 2. A table without the carve-out: APNIC first, its referral to KRNIC.
printf '210.107.0.0/16 whois.apnic.net\n' >"$W/ws.txt"
rm -f "$REPLAY_DIR/queries.log"
out=$("${L[@]}" --db "$W/db2" --via whois --whois-servers "$W/ws.txt" 210.107.73.73 2>"$W/err")
expect_rc "APNIC first: answered" 0 $?
expect_eq "asked APNIC, then KRNIC by referral" \
    "whois whois.apnic.net;whois whois.krnic.net;" "$(queries)"
check "KRNIC had nothing: APNIC's answer, the ISP's mailbox" \
    grep -q 'abuse@bora.net' <<<"$(get "$out" 'o["abuse"]')"

# 3. APNIC RDAP for JPNIC space: the referral to whois.nic.ad.jp is
# followed (no JPNIC port 43 answer is recorded: the replay has no such
# server, so the hop fails and APNIC's answer stays, with no mailbox).
rm -f "$REPLAY_DIR/queries.log"
out=$("${L[@]}" --db "$W/db3" 2001:240:10c:1::ca20:9d1d 2>"$W/err")
expect_eq "RDAP asked once" "rdap rdap.apnic.net;" "$(queries)"
check "followed to whois.nic.ad.jp" grep -q 'whois.nic.ad.jp' <<<"$(get "$out" 'o["error"]')"
expect_eq "APNIC's network kept" "2001:240::/32" "$(get "$out" '",".join(o["network"]["ranges"])')"
expect_eq "JPNIC's catch-all not reported" "[]" "$(get "$out" 'o["abuse"]')"
finish
