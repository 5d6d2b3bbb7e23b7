#!/usr/bin/env bash
# followup: the chain after a report, with an injected clock.
#
# A report is sent on day 0. followup on day 3 does nothing; on day 8 it
# drafts one reminder (Re: subject, In-Reply-To our report, the report
# quoted, seq 2), and running it again drafts nothing more. After the
# reminder went out and another week passed: an escalation to the
# upstream (report.contacts' upstream=), saying the holder did not
# respond. After that: the national CERT of the source's country
# (data/certs.tsv), listing the earlier attempts with their dates. The
# life cycle follows (reported, no-response, followed-up,
# escalated-upstream, escalated-cert). A second case whose holder replied
# "not our network" goes to the upstream at once; an acknowledged one waits
# for a person; followup.auto_send=reminder approves reminders directly.
. "$(dirname "$0")/helpers.bash"
need python3 sqlite3

CASES=$(cd "$(dirname "$0")/../cases/replies" && pwd)
DB=$W/db
fake_sendmail "$W/sendmail" "$W/sent"
cat >"$W/contacts" <<'EOF'
203.0.113.0/24   abuse@holder.example   upstream=noc@transit.example  country=DE  Holder Net
198.51.100.0/24  abuse@other.example    upstream=noc@transit2.example country=FR  Other Net
192.0.2.0/24     abuse@acked.example
EOF
Q=(--db "$DB" --set documentation_as_public=yes --set report.contacts="$W/contacts"
   --set relay.sendmail="$W/sendmail" --set assess.rdns=no
   --set report.email=abuse-reports@reporter.example.org --set report.name="Jane Doe")
ssh_attacks "Mar  3 10:00" 100 203.0.113.7 198.51.100.9 192.0.2.99 >"$W/auth.log"
scan -q --db "$DB" "$W/auth.log"
report_all 2025-03-03T12:00:00Z 2025-03-03T12:05:00Z "${Q[@]}"
tok() { sq "$DB" "SELECT token FROM reports WHERE src = '$1' AND seq = 1"; }
T1=$(tok 203.0.113.7) T2=$(tok 198.51.100.9) T3=$(tok 192.0.2.99)
lc() { sq "$DB" "SELECT lifecycle FROM reports WHERE token = '$1' AND seq = 1"; }
rows() { sq "$DB" "SELECT count(*) FROM reports WHERE token = '$1'"; }
fu() { ad followup "${Q[@]}" --offline --now "$1" 2>/dev/null; }

# T2's holder says "not our network"; T3's desk acknowledges.
sed "s/AD-7F3K9Q/$T2/g; s/AD-[0-9A-Z]\{6\}\.\([0-9]\)\.abusedesk/$T2.1.abusedesk/g" \
    "$CASES/not_ours.eml" >"$W/notours.eml"
grep -q "$T2" "$W/notours.eml" || sed -i "s/^Subject: .*/Subject: Re: [abusedesk #$T2] report/" "$W/notours.eml"
ad inbox "${Q[@]}" --now 2025-03-04T09:00:00Z "$W/notours.eml" >/dev/null 2>&1
sed "s/AD-7F3K9Q/$T3/g" "$CASES/otrs_ack.eml" | ad inbox "${Q[@]}" --now 2025-03-04T09:00:00Z - >/dev/null 2>&1
expect_eq "replies moved the cases" "not-our-network acknowledged" "$(lc "$T2") $(lc "$T3")"

out=$(fu 2025-03-06T12:00:00Z)
expect_eq "day 3: only the not-our-network case moves (to its upstream)" \
    "$T2 upstream" "$(awk '{print $1, $2}' <<<"$out")"
expect_eq "its escalation goes to the upstream" "noc@transit2.example draft upstream" \
    "$(sq "$DB" "SELECT rcpt_to, state, kind FROM reports WHERE token = '$T2' AND seq = 2" | tr '|' ' ')"

out=$(fu 2025-03-11T12:00:00Z)
expect_eq "day 8: a reminder for the silent case, nothing for the acknowledged one" \
    "$T1 followup" "$(awk '{print $1, $2}' <<<"$out")"
expect_eq "reminder: seq 2, to the holder, a draft" "2 abuse@holder.example draft followup" \
    "$(sq "$DB" "SELECT seq, rcpt_to, state, kind FROM reports WHERE token = '$T1' AND seq = 2" | tr '|' ' ')"
expect_eq "life cycle: no-response" no-response "$(lc "$T1")"
expect_eq "followup again: nothing new" "" "$(fu 2025-03-11T13:00:00Z)"
expect_eq "still two messages in the thread" 2 "$(rows "$T1")"

ad show "${Q[@]}" "$(sq "$DB" "SELECT id FROM reports WHERE token = '$T1' AND seq = 2")" >"$W/rem.eml"
check "reminder subject is Re: the report's" grep -q "^Subject: Re: \[abusedesk #$T1\]" "$W/rem.eml"
check "reminder answers our report (In-Reply-To)" grep -q "^In-Reply-To: <$T1.1.abusedesk@reporter.example.org>" "$W/rem.eml"
check "reminder has its own Message-ID (seq 2)" grep -q "^Message-ID: <$T1.2.abusedesk@reporter.example.org>" "$W/rem.eml"
check "reminder quotes the report" grep -q "^> .*203.0.113.7" "$W/rem.eml"
check "reminder says when we reported" grep -q "On 2025-03-03 12:05 UTC we reported" "$W/rem.eml"

ad approve "${Q[@]}" --all 2>/dev/null
ad send "${Q[@]}" --now 2025-03-11T14:00:00Z >/dev/null 2>&1
expect_eq "reminder sent: followed-up" followed-up "$(lc "$T1")"
expect_eq "the upstream escalation sent: escalated-upstream" escalated-upstream "$(lc "$T2")"

expect_eq "a week has not passed since the reminder" "" "$(fu 2025-03-15T12:00:00Z)"
out=$(fu 2025-03-19T12:00:00Z)
expect_eq "day 16: escalation to the upstream" "$T1 upstream" "$(awk '$1=="'"$T1"'" {print $1, $2}' <<<"$out")"
up=$(sq "$DB" "SELECT id FROM reports WHERE token = '$T1' AND kind = 'upstream'")
ad show "${Q[@]}" "$up" >"$W/up.eml"
check "upstream: to the transit provider" grep -q "^To: noc@transit.example" "$W/up.eml"
check "upstream: says the holder did not respond" grep -q "did not answer" <(tr -d '\r' <"$W/up.eml" | tr '\n' ' ')
ad approve "${Q[@]}" --all 2>/dev/null
ad send "${Q[@]}" --now 2025-03-19T13:00:00Z >/dev/null 2>&1
expect_eq "upstream sent" escalated-upstream "$(lc "$T1")"

out=$(fu 2025-03-27T12:00:00Z)
check "day 24: the national CERT" grep -q "^$T1 *cert" <<<"$out"
cert=$(sq "$DB" "SELECT id FROM reports WHERE token = '$T1' AND kind = 'cert'")
ad show "${Q[@]}" "$cert" >"$W/cert.eml"
check "CERT of DE from data/certs.tsv" grep -q "^To: certbund@bsi.bund.de" "$W/cert.eml"
check "CERT: marked as an escalation" grep -q "^Subject: \[abusedesk #$T1\] .*escalation after earlier reports" "$W/cert.eml"
check "CERT: lists the earlier attempts with dates" \
    bash -c "grep -q '^- 2025-03-03 12:05 UTC: our report' '$W/cert.eml' && grep -q '^- 2025-03-11 14:00 UTC: our reminder' '$W/cert.eml' && grep -q '^- 2025-03-19 13:00 UTC: our report to its upstream' '$W/cert.eml'"
ad approve "${Q[@]}" "$cert" 2>/dev/null
ad send "${Q[@]}" --now 2025-03-27T13:00:00Z >/dev/null 2>&1
expect_eq "CERT sent" escalated-cert "$(lc "$T1")"
expect_eq "end of the chain: nothing more" "" "$(fu 2025-04-30T12:00:00Z | grep "^$T1")"
check "history shows every step" test "$(ad history "${Q[@]}" "$T1" | grep -c 'abusedesk@')" -eq 4

# auto_send: a reminder approved at once.
sshd_line "Mar  9 10:00:00" 300 "Failed password for root from 203.0.113.99 port 1 ssh2" >"$W/b.log"
for i in 1 2 3 4 5; do
	sshd_line "Mar  9 10:00:0$i" 300 "Failed password for root from 203.0.113.99 port 1 ssh2"
done >>"$W/b.log"
scan -q --db "$DB" "$W/b.log"
ad draft "${Q[@]}" --offline --now 2025-04-01T12:00:00Z >/dev/null 2>&1
T4=$(tok 203.0.113.99)
ad approve "${Q[@]}" "$T4" 2>/dev/null
ad send "${Q[@]}" --now 2025-04-01T12:05:00Z >/dev/null 2>&1
ad followup "${Q[@]}" --offline --set followup.auto_send=reminder --now 2025-04-09T12:00:00Z >/dev/null 2>&1
expect_eq "followup.auto_send=reminder: approved at once" approved \
    "$(sq "$DB" "SELECT state FROM reports WHERE token = '$T4' AND seq = 2")"

# close: by hand, closed or blocked; followup leaves them alone.
ad close "${Q[@]}" --now 2025-04-09T12:30:00Z --blocked --reason "blocked at the border" "$T2"
expect_rc "close --blocked" 0 "$?"
expect_eq "blocked by hand" blocked "$(lc "$T2")"
ad close "${Q[@]}" AD-NOSUCH 2>/dev/null
expect_rc "close of an unknown report" 1 "$?"
expect_eq "followup leaves a blocked case alone" "" "$(fu 2025-05-30T12:00:00Z | grep "^$T2")"

# status: what needs attention, and how the cases stand.
ad status "${Q[@]}" --json --now 2025-04-09T13:00:00Z >"$W/status.json"
expect_rc "status --json" 0 "$?"
check "status: counts, life cycles, response time, silent networks" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["cases"] == 4, s
lc = s["lifecycle"]
assert lc == {"escalated-cert": 1, "blocked": 1, "acknowledged": 1, "no-response": 1}, lc
# two answered (ack, not-ours), both 2025-03-04T09:00 after a 12:05 send
assert s["answered"] == 2 and s["median_first_response_s"] == 75300, s
assert s["never_answer"] == {"holder.example": 2}, s["never_answer"]
assert s["approved_unsent"] == 1, s
' "$W/status.json"
ad status "${Q[@]}" --now 2025-04-09T13:00:00Z >"$W/status.txt"
check "status (text) starts with what needs attention" grep -q "^Needs attention:" "$W/status.txt"
finish
