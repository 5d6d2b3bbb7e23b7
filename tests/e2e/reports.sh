#!/usr/bin/env bash
# reports: the review queue end to end, with a recording sendmail.
#
# Incidents from sshd lines become one report per source (draft); nothing
# is sent until approved and sent; send refuses without an identity;
# --dry-run sends nothing; the suppression list is honoured even for
# reports approved before it; new events of a waiting report re-compose it
# (no second report); incidents of a source reported within the period
# join the sent report without a new message; a crash between the relay
# accepting a report and the store recording it (fault point 5) never
# causes a second send; rate limits defer, temporary failures retry with
# backoff and permanent ones fail, all visible in `reports`.
. "$(dirname "$0")/helpers.bash"
need python3 sqlite3

DB=$W/db
OUT=$W/sent
mkdir -p "$OUT"
# The recording sendmail: keeps each message and its arguments; the exit
# status comes from $W/sendmail.rc when it exists.
cat >"$W/sendmail" <<EOF
#!/bin/sh
n=\$(ls "$OUT" | grep -c '^msg' )
cat >"$OUT/msg.\$n"
echo "\$@" >"$OUT/args.\$n"
if [ -f "$W/sendmail.rc" ]; then
	rc=\$(cat "$W/sendmail.rc")
	[ "\$rc" = 0 ] || rm -f "$OUT/msg.\$n" "$OUT/args.\$n"
	exit \$rc
fi
exit 0
EOF
chmod +x "$W/sendmail"
cat >"$W/contacts" <<'EOF'
# known contacts (report.contacts)
203.0.113.0/24   abuse@example.net   Example Transit
198.51.100.0/24  abuse@example.org   Example Hosting
EOF
Q=(--db "$DB" --set documentation_as_public=yes --set report.contacts="$W/contacts"
   --set relay.sendmail="$W/sendmail" --set assess.rdns=no)
ME=(--set report.email=reports@example.com --set report.name="Jane Doe"
    --set report.org="Example GmbH")
sent() { ls "$OUT" | grep -c '^msg'; }
state() { sq "$DB" "SELECT state FROM reports WHERE src = '$1' ORDER BY id DESC LIMIT 1"; }
count() { sq "$DB" "SELECT count(*) FROM reports WHERE src = '$1'"; }

{
	for i in 1 2 3 4 5 6; do
		sshd_line "Mar  3 10:00:0$i" 100 "Failed password for root from 203.0.113.7 port 4000$i ssh2"
		sshd_line "Mar  3 10:01:0$i" 101 "Failed password for admin from 198.51.100.9 port 5000$i ssh2"
	done
	for i in 1 2 3 4 5; do
		sshd_line "Mar  3 10:02:0$i" 102 "Invalid user test from 192.0.2.55 port 6000$i"
	done
} >"$W/auth.log"
scan -q --db "$DB" "$W/auth.log"

# draft: one report per source, nothing sent.
ad draft "${Q[@]}" --offline --now 2025-03-03T12:00:00Z >"$W/draft.out" 2>"$W/draft.err"
expect_rc "draft" 0 "$?"
expect_eq "three sources, three reports" 3 "$(sq "$DB" 'SELECT count(*) FROM reports')"
expect_eq "known contact: draft to abuse@example.net" "draft abuse@example.net" \
    "$(sq "$DB" "SELECT state || ' ' || rcpt_to FROM reports WHERE src = '203.0.113.7'")"
expect_eq "no contact: held with a reason" "held" "$(state 192.0.2.55)"
check "held reason is shown" grep -q "why:" "$W/draft.out"
expect_eq "draft sends nothing" 0 "$(sent)"
check "the draft summary says nothing was sent" grep -q "Nothing was sent" "$W/draft.err"
tok=$(sq "$DB" "SELECT token FROM reports WHERE src = '203.0.113.7'")
check "token AD- + 6 Crockford characters ($tok)" \
    python3 -c 'import re,sys; sys.exit(not re.fullmatch(r"AD-[0-9A-HJKMNP-TV-Z]{6}", sys.argv[1]))' "$tok"
ad show "${Q[@]}" "$tok" >"$W/show.eml"
expect_rc "show" 0 "$?"
check "show prints the message with its Message-ID" \
    grep -q "^Message-ID: <$tok.1.abusedesk@" "$W/show.eml"
ad show "${Q[@]}" AD-NOSUCH >/dev/null 2>&1
expect_rc "show of an unknown report" 1 "$?"
check "without report.email: From is the local user" \
    grep -q "^From: .*@" "$W/show.eml"
check "... and not an identity we never configured" \
    bash -c "! grep -q 'reports@example.com' '$W/show.eml'"
# Setting the identity and drafting again composes the waiting reports anew.
ad draft "${Q[@]}" "${ME[@]}" --offline --now 2025-03-03T12:01:00Z >/dev/null 2>&1
ad show "${Q[@]}" "$tok" >"$W/show2.eml"
check "draft again with report.email: From is ours" \
    grep -q "^From: .*reports@example.com" "$W/show2.eml"
expect_eq "still three reports" 3 "$(sq "$DB" 'SELECT count(*) FROM reports')"

# reports --json: every line is JSON with the fields scripts need.
check "reports --json" python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert len(rows) == 3, rows
for r in rows:
    for k in ("token", "source", "state", "to", "reasons", "events"):
        assert k in r, k
' < <(ad reports "${Q[@]}" --json)
expect_eq "reports --state held" 1 "$(ad reports "${Q[@]}" --state held --json | wc -l)"

# Nothing is sent before approval; send refuses without identity.
ad send "${Q[@]}" --now 2025-03-03T12:05:00Z >/dev/null 2>&1
expect_rc "send without an identity" 4 "$?"
ad send "${Q[@]}" "${ME[@]}" --now 2025-03-03T12:05:00Z >/dev/null 2>&1
expect_rc "send with nothing approved" 0 "$?"
expect_eq "nothing approved, nothing sent" 0 "$(sent)"
ad approve "${Q[@]}" AD-NOSUCH 2>/dev/null
expect_rc "approve an unknown report" 1 "$?"
held=$(sq "$DB" "SELECT token FROM reports WHERE src = '192.0.2.55'")
ad approve "${Q[@]}" "$held" 2>/dev/null
expect_rc "a held report without recipient cannot be approved" 1 "$?"
ad approve "${Q[@]}" --all 2>/dev/null
expect_rc "approve --all" 0 "$?"
expect_eq "approve --all takes drafts, not held ones" "approved held" \
    "$(state 203.0.113.7) $(state 192.0.2.55)"
out=$(ad send "${Q[@]}" --dry-run --now 2025-03-03T12:06:00Z 2>/dev/null)
expect_rc "send --dry-run" 0 "$?"
expect_eq "dry run lists two reports" 2 "$(grep -c 'would send' <<<"$out")"
expect_eq "dry run sends nothing" 0 "$(sent)"

# Suppression wins even after approval.
ad suppress "${Q[@]}" @example.org 2>/dev/null
expect_rc "suppress @example.org" 0 "$?"
ad suppress "${Q[@]}" 'bad@x@y' 2>/dev/null
expect_rc "suppress refuses a malformed address" 1 "$?"

# The crash: the relay accepted, the store never heard of it.
ABUSEDESK_TEST_FAULT=5 ad send "${Q[@]}" "${ME[@]}" --now 2025-03-03T12:10:00Z >/dev/null 2>&1
rc=$?
check "fault after the relay accepted: send dies (exit $rc)" test "$rc" -ne 0
expect_eq "the relay got it once" 1 "$(sent)"
expect_eq "left as sending" sending "$(state 203.0.113.7)"
expect_eq "suppressed recipient: not sent" suppressed "$(state 198.51.100.9)"
ad send "${Q[@]}" "${ME[@]}" --now 2025-03-03T12:11:00Z >/dev/null 2>&1
expect_eq "next send: unconfirmed, not sent again" "unconfirmed 1" \
    "$(state 203.0.113.7) $(sent)"
check "the message went out with our From and the stable Message-ID" \
    grep -q "^Message-ID: <$tok.1.abusedesk@" "$OUT/msg.0"
check "envelope sender is report.email" grep -q -- "-f reports@example.com" "$OUT/args.0"

# An unconfirmed report is resent only when approved again.
ad approve "${Q[@]}" "$tok" 2>/dev/null
ad send "${Q[@]}" "${ME[@]}" --now 2025-03-03T12:12:00Z >/dev/null 2>&1
expect_rc "send after re-approval" 0 "$?"
expect_eq "re-approved: sent" "sent 2" "$(state 203.0.113.7) $(sent)"
check "the trail records every step" test "$(ad show "${Q[@]}" --trail "$tok" | wc -l)" -ge 5

# More events of a sent source within the period: no new report, no mail.
{
	for i in 1 2 3 4 5 6; do
		sshd_line "Mar  3 13:00:0$i" 200 "Failed password for root from 203.0.113.7 port 4100$i ssh2"
	done
} >>"$W/auth.log"
# (a new incident: the old one's window is closed by a day-later line)
sshd_line "Mar  5 13:00:00" 201 "Failed password for root from 198.51.100.200 port 1 ssh2" >>"$W/auth.log"
scan -q --db "$DB" "$W/auth.log"
ad draft "${Q[@]}" "${ME[@]}" --offline --now 2025-03-03T14:00:00Z >/dev/null 2>&1
expect_eq "still one report for the sent source" 1 "$(count 203.0.113.7)"
expect_eq "its new events are recorded for the follow-up, not mailed" 2 "$(sent)"

# A waiting report grows instead of a second report.
ad suppress "${Q[@]}" --remove @example.org 2>/dev/null
{
	for i in 1 2 3 4 5 6; do
		sshd_line "Mar  5 14:00:0$i" 300 "Failed password for root from 203.0.113.80 port 4200$i ssh2"
		sshd_line "Mar  5 14:00:1$i" 302 "Failed password for root from 203.0.113.81 port 4200$i ssh2"
	done
} >>"$W/auth.log"
scan -q --db "$DB" "$W/auth.log"
ad draft "${Q[@]}" "${ME[@]}" --offline --now 2025-03-05T15:00:00Z >/dev/null 2>&1
ev1=$(sq "$DB" "SELECT events FROM reports WHERE src = '203.0.113.80'")
for i in 1 2 3; do
	sshd_line "Mar  5 14:10:0$i" 301 "Failed password for root from 203.0.113.80 port 4300$i ssh2"
done >>"$W/auth.log"
scan -q --db "$DB" "$W/auth.log"
ad draft "${Q[@]}" "${ME[@]}" --offline --now 2025-03-05T15:30:00Z >/dev/null 2>&1
expect_eq "new events join the waiting report" "1 6 9" \
    "$(count 203.0.113.80) $ev1 $(sq "$DB" "SELECT events FROM reports WHERE src = '203.0.113.80'")"

# Rate limit: one per domain per hour; the second waits (exit 6).
for s in 203.0.113.80 203.0.113.81; do
	ad approve "${Q[@]}" --now 2025-03-05T15:40:00Z \
	    "$(sq "$DB" "SELECT token FROM reports WHERE src = '$s'")" 2>/dev/null
done
ad send "${Q[@]}" "${ME[@]}" --set send.per_domain_hour=1 --now 2025-03-05T16:00:00Z >"$W/rl.out" 2>/dev/null
expect_rc "send with a deferred report" 6 "$?"
check "the deferred report says why" grep -q "deferred.*limit 1" "$W/rl.out"

# Temporary failure (EX_TEMPFAIL): retried later; permanent: failed.
echo 75 >"$W/sendmail.rc"
ad send "${Q[@]}" "${ME[@]}" --now 2025-03-05T18:00:00Z >/dev/null 2>&1
expect_rc "send with a temporary failure" 6 "$?"
expect_eq "temporary failure: approved again, with a retry time" "approved 1" \
    "$(sq "$DB" "SELECT state, next_try > 0 FROM reports WHERE src = '203.0.113.81'" | tr '|' ' ')"
ad send "${Q[@]}" "${ME[@]}" --now 2025-03-05T18:01:00Z >/dev/null 2>&1
expect_eq "not retried before its time" 1 \
    "$(sq "$DB" "SELECT attempts FROM reports WHERE src = '203.0.113.81'")"
echo 0 >"$W/sendmail.rc"
ad send "${Q[@]}" "${ME[@]}" --now 2025-03-05T20:00:00Z >/dev/null 2>&1
expect_eq "retried after the backoff: sent" sent "$(state 203.0.113.81)"

# --public: our own addresses masked, for sharing; the stored report unchanged.
for p in 21 22 23 25 80 443; do
	printf 'Mar  6 10:00:%02d web1 kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00:00 SRC=203.0.113.66 DST=192.0.2.10 LEN=40 TOS=0x00 PREC=0x00 TTL=240 ID=1 PROTO=TCP SPT=40000 DPT=%d WINDOW=1024 RES=0x00 SYN URGP=0\n' "$((p % 60))" "$p"
done >"$W/kern.log"
scan -q --db "$DB" --set own_networks=192.0.2.0/28 "$W/kern.log"
ad draft "${Q[@]}" "${ME[@]}" --set own_networks=192.0.2.0/28 --offline --now 2025-03-06T12:00:00Z >/dev/null 2>&1
pt=$(sq "$DB" "SELECT token FROM reports WHERE src = '203.0.113.66'")
ad show "${Q[@]}" "${ME[@]}" --set own_networks=192.0.2.0/28 --offline "$pt" >"$W/private.eml"
ad show "${Q[@]}" "${ME[@]}" --set own_networks=192.0.2.0/28 --offline --public "$pt" >"$W/public.eml"
check "the report names our address 192.0.2.10" grep -q "192.0.2.10" "$W/private.eml"
check "--public masks it" bash -c "! grep -q '192.0.2.10' '$W/public.eml' && grep -q '192.0.2.x' '$W/public.eml'"
check "--public keeps the attacker's address" grep -q "203.0.113.66" "$W/public.eml"

# A non-ASCII name folds the From: header (RFC 2047 word, address on the
# next line): still recognised as ours, so the report is sendable.
for i in 1 2 3 4 5 6; do
	sshd_line "Mar  7 10:00:0$i" 400 "Failed password for root from 203.0.113.90 port 4400$i ssh2"
done >>"$W/auth.log"
scan -q --db "$DB" "$W/auth.log"
U=(--set report.email=reports@example.com --set "report.name=Jörg Müller")
ad draft "${Q[@]}" "${U[@]}" --offline --now 2025-03-07T12:00:00Z >/dev/null 2>&1
ut=$(sq "$DB" "SELECT token FROM reports WHERE src = '203.0.113.90'")
check "the From: header is folded" grep -q "^ <reports@example.com>" <(ad show "${Q[@]}" "$ut" | tr -d '\r')
ad approve "${Q[@]}" "$ut" 2>/dev/null
check "a folded From: is ours: would send" grep -q "^$ut *would send" \
    <(ad send "${Q[@]}" "${U[@]}" --dry-run --now 2025-03-07T12:05:00Z 2>/dev/null)
finish
