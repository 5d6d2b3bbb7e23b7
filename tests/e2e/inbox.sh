#!/usr/bin/env bash
# inbox: replies move the cases. Three reports are sent (recording
# sendmail); realistic replies (tests/cases/replies, with the tokens and
# Message-IDs of these reports put in) are read from a Maildir and from
# stdin: an OTRS auto-ack (In-Reply-To; ticket kept), a person asking us
# to stop (token in the subject; sender and recipient suppressed at once),
# a Postfix DSN carrying our returned report (bounced), a resolved reply
# (resolved; new events later reopen the case), and an unrelated message
# (kept unmatched, never dropped). Reading the Maildir again changes
# nothing. history --json shows each case's life cycle and replies.
. "$(dirname "$0")/helpers.bash"
need python3 sqlite3

CASES=$(cd "$(dirname "$0")/../cases/replies" && pwd)
DB=$W/db
fake_sendmail "$W/sendmail"
cat >"$W/contacts" <<'EOF'
203.0.113.0/24   abuse@isp.example.de
198.51.100.0/24  abuse@hoster.example.net
192.0.2.0/24     bob@tinyhost.example.org
EOF
Q=(--db "$DB" --set documentation_as_public=yes --set report.contacts="$W/contacts"
   --set relay.sendmail="$W/sendmail" --set assess.rdns=no
   --set report.email=abuse-reports@reporter.example.org)
ssh_attacks "Mar  3 10:00" 100 203.0.113.7 198.51.100.9 192.0.2.99 >"$W/auth.log"
scan -q --db "$DB" "$W/auth.log"
report_all 2025-03-03T12:00:00Z 2025-03-03T12:05:00Z "${Q[@]}"
expect_rc "three reports sent" 0 "$?"
tok() { sq "$DB" "SELECT token FROM reports WHERE src = '$1' AND seq = 1"; }
T1=$(tok 203.0.113.7) T2=$(tok 198.51.100.9) T3=$(tok 192.0.2.99)
lifecycle() { sq "$DB" "SELECT coalesce(lifecycle, '') FROM reports WHERE token = '$1' AND seq = 1"; }
expect_eq "sent reports are 'reported'" "reported reported reported" \
    "$(lifecycle "$T1") $(lifecycle "$T2") $(lifecycle "$T3")"

# The replies, with our tokens in. (.1 / .3 message numbers as written.)
mkdir -p "$W/Maildir/new" "$W/Maildir/cur" "$W/Maildir/tmp"
sed "s/AD-7F3K9Q/$T1/g" "$CASES/otrs_ack.eml" >"$W/Maildir/new/1.ack"
sed "s/AD-W7K2Q4/$T3/g; s/\.3\.abusedesk/.1.abusedesk/" "$CASES/stop.eml" >"$W/Maildir/new/2.stop"
sed "s/AD-7F3K9Q/$T2/g" "$CASES/postfix_dsn.eml" >"$W/Maildir/cur/3.dsn:2,S"
sed "s/AD-Z3Y5V7/AD-000000/g" "$CASES/unknown_html.eml" >"$W/Maildir/new/4.other"

ad inbox "${Q[@]}" --json --now 2025-03-04T09:00:00Z "$W/Maildir" >"$W/inbox.json" 2>"$W/inbox.err"
expect_rc "inbox" 0 "$?"
expect_eq "four messages read, one unmatched" 4 "$(wc -l <"$W/inbox.json")"
check "the summary says what was read" grep -q "4 message(s) read: 3 matched a report, 1 kept unmatched" "$W/inbox.err"
expect_eq "auto-ack: acknowledged, ticket kept" "acknowledged 2026112210000123" \
    "$(lifecycle "$T1") $(sq "$DB" "SELECT ticket FROM reports WHERE token = '$T1' AND seq = 1")"
expect_eq "DSN with our returned report: bounced" bounced "$(lifecycle "$T2")"
check "stop: the sender is suppressed at once" \
    bash -c "'$ABUSEDESK' suppress --db '$DB' --list | grep -q '^bob@tinyhost.example.org'"
expect_eq "unmatched reply kept, not dropped" 1 \
    "$(sq "$DB" "SELECT count(*) FROM replies WHERE report_id IS NULL")"

ad inbox "${Q[@]}" --now 2025-03-04T10:00:00Z "$W/Maildir" >"$W/again.out" 2>/dev/null
expect_rc "inbox again" 0 "$?"
expect_eq "read again: nothing done" 4 "$(grep -c 'read before' "$W/again.out")"
expect_eq "no reply stored twice" 4 "$(sq "$DB" 'SELECT count(*) FROM replies')"

# One message on stdin: resolved.
sed "s/AD-9V2C7D/$T1/g" "$CASES/resolved.eml" |
	ad inbox "${Q[@]}" --now 2025-03-05T09:00:00Z - >/dev/null 2>&1
expect_rc "inbox -" 0 "$?"
expect_eq "resolved" resolved "$(lifecycle "$T1")"

# New events after "resolved" reopen the case (no second report).
for i in 1 2 3 4 5 6; do
	sshd_line "Mar  3 11:00:0$i" 200 "Failed password for root from 203.0.113.7 port 4100$i ssh2"
done >>"$W/auth.log"
sshd_line "Mar  5 11:00:00" 201 "Failed password for root from 203.0.113.250 port 1 ssh2" >>"$W/auth.log"
scan -q --db "$DB" "$W/auth.log"
ad draft "${Q[@]}" --offline --now 2025-03-05T12:00:00Z >/dev/null 2>&1
expect_eq "new events after resolved: reopened" reported "$(lifecycle "$T1")"

ad history "${Q[@]}" --json "$T1" >"$W/h.json"
expect_rc "history --json" 0 "$?"
check "history: life cycle, trail and both replies" python3 -c '
import json, sys
h = json.load(open(sys.argv[1]))
assert h["lifecycle"] == "reported", h["lifecycle"]
assert h["ticket"] == "2026112210000123", h
assert [r["class"] for r in h["replies"]] == ["auto-ack", "resolved"], h["replies"]
states = [t["state"] for t in h["trail"]]
for s in ("reported", "acknowledged", "resolved"):
    assert s in states, (s, states)
assert h["messages"][0]["seq"] == 1
' "$W/h.json"
ad history "${Q[@]}" "$T2" >"$W/h2.txt"
check "history (text) shows the bounce" grep -q "bounced" "$W/h2.txt"
ad inbox "${Q[@]}" --list --json >"$W/unread.json"
expect_eq "--list: the unmatched reply is one to read" 1 "$(wc -l <"$W/unread.json")"
id=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["id"])' "$W/unread.json")
ad inbox "${Q[@]}" --read "$id"
expect_rc "inbox --read ID" 0 "$?"
expect_eq "read replies leave the list" 0 "$(ad inbox "${Q[@]}" --list --json | wc -l)"
ad inbox "${Q[@]}" --read 99999 2>/dev/null
expect_rc "inbox --read of an unknown id" 1 "$?"
ad inbox "${Q[@]}" "$W/nonexistent" >/dev/null 2>&1
check "inbox of a missing path fails" test "$?" -ne 0
finish
