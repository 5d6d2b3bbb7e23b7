#!/usr/bin/env bash
# send_mta: `abusedesk send` through a real MTA (Postfix on loopback,
# tests/servers/mta.sh) into Maildirs.
#
# A drafted and approved report goes out over SMTP with STARTTLS; the
# delivered message, minus the headers Postfix adds on delivery
# (Return-Path, Delivered-To, X-Original-To, Received), is byte for byte what
# `abusedesk show` prints. A recipient the MTA refuses (550 5.1.1) makes
# the report fail with the server's words, never retried as is; with the
# MTA stopped, the send is a temporary failure kept for a retry.
. "$(dirname "$0")/helpers.bash"
need python3 sqlite3
MTA=$(cd "$(dirname "$0")/../servers" && pwd)/mta.sh
[ -x "$MTA" ] || skip "no tests/servers/mta.sh"
out=$("$MTA" start "$W/mta" 2>"$W/mta.err")
rc=$?
[ $rc -eq 77 ] && skip "Postfix cannot run here: $(tail -1 "$W/mta.err")"
[ $rc -eq 0 ] || { echo "FAIL: mta.sh start"; cat "$W/mta.err"; exit 1; }
eval "$out"
trap '"$MTA" stop "$W/mta" >/dev/null 2>&1; _cleanup' EXIT

DB=$W/db
cat >"$W/contacts" <<'EOF'
203.0.113.0/24   abuse@example.net
198.51.100.0/24  nobody-here@example.org
192.0.2.0/24     abuse@example.com  upstream=nobody-here@example.net  DSL-DYNAMIC-POOL
EOF
Q=(--db "$DB" --set documentation_as_public=yes --set report.contacts="$W/contacts"
   --set assess.rdns=no --set report.email=abuse-reports@example.com
   --set report.name="Jane Doe" --set report.org="Example GmbH"
   --set relay.url="smtp://127.0.0.1:$PORT" --set relay.starttls=yes
   --set relay.cacert="$CACERT" --set relay.timeout=20s)
for s in 203.0.113.7 198.51.100.9; do
	for i in 1 2 3 4 5 6; do
		sshd_line "Mar  3 10:00:0$i" 100 "Failed password for root from $s port 4000$i ssh2"
	done
done >"$W/auth.log"
scan -q --db "$DB" "$W/auth.log"
ad draft "${Q[@]}" --offline --now 2025-03-03T12:00:00Z >/dev/null 2>&1
ad approve "${Q[@]}" --all 2>/dev/null
ad send "${Q[@]}" --now 2025-03-03T12:05:00Z >"$W/send.out" 2>&1
expect_rc "send (one refused by the MTA)" 6 "$?"
tok=$(sq "$DB" "SELECT token FROM reports WHERE src = '203.0.113.7'")
expect_eq "accepted: sent" sent "$(sq "$DB" "SELECT state FROM reports WHERE token = '$tok'")"

files=$("$MTA" wait "$W/mta" abuse@example.net 1)
check "delivered into abuse@example.net's Maildir" test -n "$files"
ad show "${Q[@]}" "$tok" >"$W/show.eml"
python3 - "$(head -1 <<<"$files")" "$W/show.eml" >"$W/diff.txt" <<'PY'
import sys
got = open(sys.argv[1], 'rb').read().replace(b'\r\n', b'\n')
want = open(sys.argv[2], 'rb').read().replace(b'\r\n', b'\n')
head, _, body = got.partition(b'\n\n')
lines, skip = [], False
for l in head.split(b'\n'):
    if l[:1] in (b' ', b'\t'):
        if not skip:
            lines.append(l)
        continue
    name = l.split(b':', 1)[0].lower()
    skip = name in (b'return-path', b'delivered-to', b'received', b'x-original-to')
    if not skip:
        lines.append(l)
got = b'\n'.join(lines) + b'\n\n' + body
print('same' if got == want else 'differ')
if got != want:
    import difflib
    for d in difflib.unified_diff(want.decode('utf-8', 'replace').split('\n'),
                                  got.decode('utf-8', 'replace').split('\n'), lineterm=''):
        print(d)
PY
expect_eq "delivered bytes = abusedesk show (Postfix's own headers aside)" same "$(head -1 "$W/diff.txt")"
check "the first paragraph arrived intact" grep -q "the address 203.0.113.7 in your network" \
    <(tr -d '\r' <"$(head -1 <<<"$files")" | tr '\n' ' ')

bad=$(sq "$DB" "SELECT state || ' ' || attempts FROM reports WHERE src = '198.51.100.9'")
expect_eq "refused recipient (550): failed after one attempt" "failed 1" "$bad"
check "the server's words are kept" grep -q "5.1.1\|550" \
    <(sq "$DB" "SELECT last_error FROM reports WHERE src = '198.51.100.9'")

# A residential pool: the holder, with its upstream in Cc; the MTA refuses
# the Cc address (550), so the report goes again without the Cc.
for i in 1 2 3 4 5 6; do
	sshd_line "Mar  3 10:00:2$i" 100 "Failed password for root from 192.0.2.77 port 4000$i ssh2"
done >>"$W/auth.log"
scan -q --db "$DB" "$W/auth.log"
ad draft "${Q[@]}" --offline --now 2025-03-03T12:30:00Z >/dev/null 2>&1
expect_eq "residential pool: the upstream in Cc" "abuse@example.com nobody-here@example.net" \
    "$(sq "$DB" "SELECT rcpt_to, rcpt_cc FROM reports WHERE src = '192.0.2.77'" | tr '|' ' ')"
ad approve "${Q[@]}" "$(sq "$DB" "SELECT token FROM reports WHERE src = '192.0.2.77'")" 2>/dev/null
ad send "${Q[@]}" --now 2025-03-03T12:35:00Z >/dev/null 2>&1
expect_eq "Cc refused: sent to the holder without it" "sent " \
    "$(sq "$DB" "SELECT state || ' ' || rcpt_cc FROM reports WHERE src = '192.0.2.77'")"
files=$("$MTA" wait "$W/mta" abuse@example.com 1)
check "delivered to the holder, with no Cc header left" \
    bash -c "test -n '$files' && ! grep -qi '^Cc:' '$(head -1 <<<"$files")'"

# MTA down: temporary, kept for a retry.
for i in 1 2 3 4 5 6; do
	sshd_line "Mar  3 10:00:1$i" 100 "Failed password for root from 203.0.113.8 port 4000$i ssh2"
done >>"$W/auth.log"
scan -q --db "$DB" "$W/auth.log"
ad draft "${Q[@]}" --offline --now 2025-03-03T13:00:00Z >/dev/null 2>&1
ad approve "${Q[@]}" "$(sq "$DB" "SELECT token FROM reports WHERE src = '203.0.113.8'")" 2>/dev/null
"$MTA" stop "$W/mta" >/dev/null 2>&1
ad send "${Q[@]}" --now 2025-03-03T13:05:00Z >/dev/null 2>&1
expect_rc "send with the MTA down" 6 "$?"
expect_eq "MTA down: approved again with a retry time" "approved 1" \
    "$(sq "$DB" "SELECT state, next_try > 0 FROM reports WHERE src = '203.0.113.8'" | tr '|' ' ')"
finish
