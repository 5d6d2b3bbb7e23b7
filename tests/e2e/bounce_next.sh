#!/usr/bin/env bash
# bounce_next: a bounce moves the case to the holder's next abuse mailbox,
# then to the upstream.
#
# report.contacts names two mailboxes for 203.0.113.0/24 (two lines for the
# same range) and one for 198.51.100.0/24. Both reports are sent; our own
# Postfix returns a DSN (multipart/report, 550 5.1.1 User unknown, the
# returned headers carrying our Message-ID) for each. inbox suppresses the
# bounced address (bounced, never used again). followup then drafts the
# same report to the holder's second mailbox (kind resend, seq 2, same
# thread and subject, saying the first bounced), once: running followup or
# reading the DSN again (also a second copy with another Message-ID) drafts
# nothing more. A new report for another address of that network goes to
# the second mailbox. The one-mailbox case goes to its upstream as before.
# A second case whose report went to the same mailbox is moved on too.
# When the resend bounces too, no mailbox of the holder is left: the
# upstream gets the escalation, saying the report could not be delivered.
# A case whose holder asked us to stop goes to the upstream, and when that
# bounces, to the CERT: never back to the holder's other mailbox.
. "$(dirname "$0")/helpers.bash"
need python3 sqlite3

CASES=$(cd "$(dirname "$0")/../cases/replies" && pwd)
DB=$W/db
fake_sendmail "$W/sendmail"
cat >"$W/contacts" <<'EOF'
203.0.113.0/24   abuse@holder.example     upstream=noc@transit.example  country=DE  Holder Net
203.0.113.0/24   security@holder.example
198.51.100.0/24  abuse@single.example     upstream=noc@transit2.example
192.0.2.0/24     bob@tinyhost.example.org upstream=noc@transit3.example country=FR
192.0.2.0/24     abuse@tinyhost.example.org
EOF
Q=(--db "$DB" --set documentation_as_public=yes --set report.contacts="$W/contacts"
   --set relay.sendmail="$W/sendmail" --set assess.rdns=no
   --set report.email=abuse-reports@reporter.example.org --set report.name="Jane Doe"
   --set report.translate=yes)
ssh_attacks "Mar  3 10:00" 100 203.0.113.7 203.0.113.8 198.51.100.9 192.0.2.99 >"$W/auth.log"
scan -q --db "$DB" "$W/auth.log"
report_all 2025-03-03T12:00:00Z 2025-03-03T12:05:00Z "${Q[@]}"
tok() { sq "$DB" "SELECT token FROM reports WHERE src = '$1' AND seq = 1"; }
T1=$(tok 203.0.113.7) T2=$(tok 198.51.100.9) T3=$(tok 192.0.2.99)
T4=$(tok 203.0.113.8)	# a second case of the same network
lc() { sq "$DB" "SELECT lifecycle FROM reports WHERE token = '$1' AND seq = 1"; }
rows() { sq "$DB" "SELECT count(*) FROM reports WHERE token = '$1'"; }
fu() { ad followup "${Q[@]}" --offline --now "$1" 2>/dev/null; }
expect_eq "the first report went to the first mailbox" abuse@holder.example \
    "$(sq "$DB" "SELECT rcpt_to FROM reports WHERE token = '$T1'")"

# dsn TOKEN SEQ ADDRESS MSGID: our Postfix's DSN for that message.
dsn() {
	sed "s/AD-7F3K9Q\.1\./$1.$2./g; s/AD-7F3K9Q/$1/g; s/abuse@hoster\.example\.net/$3/g;
	     s/^Message-Id: <.*>/Message-Id: <$4@reporter.example.org>/" "$CASES/postfix_dsn.eml"
}
mkdir -p "$W/Maildir/new" "$W/Maildir/cur" "$W/Maildir/tmp"
dsn "$T1" 1 abuse@holder.example dsn1 >"$W/Maildir/new/1.dsn"
dsn "$T2" 1 abuse@single.example dsn2 >"$W/Maildir/new/2.dsn"
dsn "$T4" 1 abuse@holder.example dsn5 >"$W/Maildir/new/3.dsn"
check "the DSN is a multipart/report naming the holder's mailbox" \
    bash -c "grep -q '^Content-Type: multipart/report' '$W/Maildir/new/1.dsn' && grep -q '^Final-Recipient: rfc822; abuse@holder.example' '$W/Maildir/new/1.dsn' && grep -q '<$T1.1.abusedesk@' '$W/Maildir/new/1.dsn'"
ad inbox "${Q[@]}" --now 2025-03-04T09:00:00Z "$W/Maildir" >"$W/inbox.out" 2>&1
expect_rc "inbox" 0 "$?"
expect_eq "the three cases bounced (two of them to the same mailbox)" \
    "bounced bounced bounced" "$(lc "$T1") $(lc "$T2") $(lc "$T4")"
check "the bounced mailbox is suppressed, with why" \
    bash -c "'$ABUSEDESK' suppress --db '$DB' --list | grep -q '^abuse@holder.example.*bounced for $T1: 5.1.1'"

out=$(fu 2025-03-04T10:00:00Z)
expect_eq "followup: the holder's next mailbox for T1 and T4, the upstream for T2" \
    "$(printf '%s resend\n%s upstream\n%s resend\n' "$T1" "$T2" "$T4" | sort)" "$(awk '{print $1, $2}' <<<"$out" | sort)"
expect_eq "resend: seq 2, to the second mailbox, a draft" \
    "2 security@holder.example draft resend" \
    "$(sq "$DB" "SELECT seq, rcpt_to, state, kind FROM reports WHERE token = '$T1' AND seq = 2" | tr '|' ' ')"
expect_eq "T2 (one mailbox): escalation to its upstream, as before" \
    "noc@transit2.example upstream" \
    "$(sq "$DB" "SELECT rcpt_to, kind FROM reports WHERE token = '$T2' AND seq = 2" | tr '|' ' ')"
ad show "${Q[@]}" "$(sq "$DB" "SELECT id FROM reports WHERE token = '$T1' AND seq = 2")" >"$W/resend.eml"
subj1=$(ad show "${Q[@]}" "$T1" | grep '^Subject:')
check "resend: To the second mailbox" grep -q "^To: security@holder.example" "$W/resend.eml"
expect_eq "resend: the report's own subject" "$subj1" "$(grep '^Subject:' "$W/resend.eml")"
check "resend: in the thread (In-Reply-To our report)" grep -q "^In-Reply-To: <$T1.1.abusedesk@reporter.example.org>" "$W/resend.eml"
check "resend: its own Message-ID (seq 2)" grep -q "^Message-ID: <$T1.2.abusedesk@reporter.example.org>" "$W/resend.eml"
check "resend: says the first mailbox bounced" grep -q \
    "sent our report to abuse@holder.example, which is also named as your abuse contact, but it could not be delivered" \
    <(tr -d '\r' <"$W/resend.eml" | tr '\n' ' ' | tr -s ' ')
check "resend: the report quoted" grep -q "^> .*203.0.113.7" "$W/resend.eml"
de=$(grep -n '^Wir schreiben Ihnen wegen Missbrauchs von 203.0.113.7' "$W/resend.eml" | cut -d: -f1)
en=$(grep -n '^We are writing to you about abuse' "$W/resend.eml" | cut -d: -f1)
check "resend: in the report's language first (German: the holder is in DE)" \
    test -n "$de" -a -n "$en" -a "${de:-0}" -lt "${en:-0}"
t2up=$(sq "$DB" "SELECT id FROM reports WHERE token = '$T2' AND seq = 2")
check "no language known for T2: English only" \
    bash -c "! '$ABUSEDESK' show --db '$DB' '$t2up' | grep -q 'Automatische'"

expect_eq "followup again: nothing new" "" "$(fu 2025-03-04T11:00:00Z)"
ad inbox "${Q[@]}" --now 2025-03-04T12:00:00Z "$W/Maildir" >"$W/again.out" 2>/dev/null
expect_eq "the mailbox read again: nothing done" 3 "$(grep -c 'read before' "$W/again.out")"
dsn "$T1" 1 abuse@holder.example dsn1-copy | ad inbox "${Q[@]}" --now 2025-03-04T12:30:00Z - >/dev/null 2>&1
expect_eq "a second DSN for the same address: nothing more drafted" "" "$(fu 2025-03-04T13:00:00Z)"
expect_eq "two messages in the thread" 2 "$(rows "$T1")"

# Meanwhile a new address of the network goes to the second mailbox.
ssh_attacks "Mar  4 10:00" 300 203.0.113.50 >"$W/b.log"
scan -q --db "$DB" "$W/b.log"
ad draft "${Q[@]}" --offline --now 2025-03-04T14:00:00Z >/dev/null 2>&1
expect_eq "a new report for the network skips the bounced mailbox" security@holder.example \
    "$(sq "$DB" "SELECT rcpt_to FROM reports WHERE src = '203.0.113.50' AND seq = 1")"

# The resend goes out, and bounces too: no mailbox of the holder is left.
ad approve "${Q[@]}" "$(sq "$DB" "SELECT id FROM reports WHERE token = '$T1' AND seq = 2")" 2>/dev/null
ad send "${Q[@]}" --now 2025-03-04T15:00:00Z >/dev/null 2>&1
expect_eq "resend sent: reported again" reported "$(lc "$T1")"
dsn "$T1" 2 security@holder.example dsn3 | ad inbox "${Q[@]}" --now 2025-03-05T09:00:00Z - >/dev/null 2>&1
expect_eq "the resend bounced" bounced "$(lc "$T1")"
out=$(fu 2025-03-05T10:00:00Z)
expect_eq "followup: now the upstream" "$T1 upstream" "$(awk '$1=="'"$T1"'" {print $1, $2}' <<<"$out")"
up=$(sq "$DB" "SELECT id FROM reports WHERE token = '$T1' AND kind = 'upstream'")
ad show "${Q[@]}" "$up" >"$W/up.eml"
check "upstream: to the transit provider" grep -q "^To: noc@transit.example" "$W/up.eml"
check "upstream: names the mailbox that bounced last and says so" grep -q \
    "abuse contact, security@holder.example .*could not be delivered" <(tr -d '\r' <"$W/up.eml" | tr '\n' ' ' | tr -s ' ')
expect_eq "one draft per bounced address: report, resend, upstream" \
    "report resend upstream" "$(sq "$DB" "SELECT kind FROM reports WHERE token = '$T1' ORDER BY seq" | tr '\n' ' ' | sed 's/ $//')"

# T3: the holder asked us to stop; the reminder went to the upstream, and
# that bounced: the CERT is next, not the holder's other mailbox.
sed "s/AD-W7K2Q4/$T3/g; s/\.3\.abusedesk/.1.abusedesk/" "$CASES/stop.eml" |
	ad inbox "${Q[@]}" --now 2025-03-04T09:00:00Z - >/dev/null 2>&1
out=$(fu 2025-03-12T12:00:00Z)
expect_eq "T3 asked to stop: after a week, the upstream" "$T3 upstream" "$(awk '$1=="'"$T3"'" {print $1, $2}' <<<"$out")"
t3up=$(sq "$DB" "SELECT id FROM reports WHERE token = '$T3' AND kind = 'upstream'")
check "T3's upstream is told the holder asked us to stop" grep -q \
    "asked us not to send further reports" <(ad show "${Q[@]}" "$t3up" | tr -d '\r' | tr '\n' ' ' | tr -s ' ')
ad approve "${Q[@]}" "$t3up" 2>/dev/null
ad send "${Q[@]}" --now 2025-03-12T13:00:00Z >/dev/null 2>&1
dsn "$T3" 2 noc@transit3.example dsn4 | ad inbox "${Q[@]}" --now 2025-03-13T09:00:00Z - >/dev/null 2>&1
expect_eq "the upstream bounced" bounced "$(lc "$T3")"
out=$(fu 2025-03-13T10:00:00Z)
expect_eq "a bounce after the escalation: the CERT, not the holder again" "$T3 cert" \
    "$(awk '$1=="'"$T3"'" {print $1, $2}' <<<"$out")"
expect_eq "T3 never wrote to the holder's second mailbox" 0 \
    "$(sq "$DB" "SELECT count(*) FROM reports WHERE token = '$T3' AND rcpt_to = 'abuse@tinyhost.example.org'")"
check "history shows the resend" bash -c "'$ABUSEDESK' history --db '$DB' '$T1' | grep -q 'resend of the report #2 to security@holder.example'"
finish
