#!/usr/bin/env bash
# bounce_lookup: the holder's next mailbox can come from the lookup too.
#
# No report.contacts: the lookup cache (seeded as `lookup` would leave it,
# one RDAP answer for 62.239.237.0/24 naming two abuse mailboxes and the
# parent's; made-up mailboxes: documentation ranges are never looked up,
# and --offline sends nothing) is all that is known. The report goes to the first mailbox;
# our MTA's DSN (multipart/report, 5.1.1) bounces it; followup drafts the
# same report to the second mailbox of that answer, once.
. "$(dirname "$0")/helpers.bash"
need python3 sqlite3

CASES=$(cd "$(dirname "$0")/../cases/replies" && pwd)
DB=$W/db
fake_sendmail "$W/sendmail"
Q=(--db "$DB" --set documentation_as_public=yes
   --set relay.sendmail="$W/sendmail" --set assess.rdns=no
   --set report.email=abuse-reports@reporter.example.org)
ssh_attacks "Mar  3 10:00" 100 62.239.237.7 >"$W/auth.log"
scan -q --db "$DB" "$W/auth.log"
answer='{"query":"62.239.237.7","abuse":["abuse@net.example","security@net.example"],"confidence":"high","evidence":"abuse-c: AR1-EXAMPLE abuse-mailbox: abuse@net.example, security@net.example","network":{"ranges":["62.239.237.0/24"],"handle":"EXAMPLE-NET","name":"EXAMPLE-NET","org":"Example Networks Ltd","country":"NL"},"registry":"RIPE NCC","source":{"protocol":"rdap","server":"https://rdap.db.ripe.net/"},"parent":{"handle":"TRANSIT-NET","name":"TRANSIT-NET","abuse":["abuse@transit.example"]},"cached":false,"error":null}'
sq "$DB" "INSERT INTO lookup_cache (kind, lo, hi, answer, negative, fetched, expires)
    VALUES (4, X'00000000000000000000FFFF3EEFED00', X'00000000000000000000FFFF3EEFEDFF',
    '$answer', 0, 0, 4102444800)" >/dev/null
out=$(ad lookup "${Q[@]}" --offline --json 62.239.237.7 2>/dev/null)
expect_eq "the seeded answer is the lookup's (both mailboxes, cached)" \
    "abuse@net.example,security@net.example True" \
    "$(python3 -c 'import json,sys; o=json.loads(sys.argv[1]); print(",".join(o["abuse"]), o["cached"])' "$out")"

report_all 2025-03-03T12:00:00Z 2025-03-03T12:05:00Z "${Q[@]}"
T=$(sq "$DB" "SELECT token FROM reports WHERE seq = 1")
expect_eq "the report went to the lookup's first mailbox" "abuse@net.example sent" \
    "$(sq "$DB" "SELECT rcpt_to, state FROM reports WHERE token = '$T'" | tr '|' ' ')"

sed "s/AD-7F3K9Q/$T/g; s/abuse@hoster\.example\.net/abuse@net.example/g" "$CASES/postfix_dsn.eml" |
	ad inbox "${Q[@]}" --now 2025-03-04T09:00:00Z - >/dev/null 2>&1
expect_eq "bounced" bounced "$(sq "$DB" "SELECT lifecycle FROM reports WHERE token = '$T' AND seq = 1")"
out=$(ad followup "${Q[@]}" --offline --now 2025-03-04T10:00:00Z 2>/dev/null)
expect_eq "followup: the report again, to the lookup's second mailbox" \
    "$T resend" "$(awk '{print $1, $2}' <<<"$out")"
expect_eq "resend: seq 2 to security@net.example, a draft" "2 security@net.example draft" \
    "$(sq "$DB" "SELECT seq, rcpt_to, state FROM reports WHERE token = '$T' AND kind = 'resend'" | tr '|' ' ')"
expect_eq "followup again: nothing" "" "$(ad followup "${Q[@]}" --offline --now 2025-03-04T11:00:00Z 2>/dev/null)"
finish
