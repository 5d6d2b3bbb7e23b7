#!/usr/bin/env bash
# report_inject: a hostile whois answer cannot add a recipient or a header
# to a report. The attacker 7.7.7.7 is looked up (by `draft`, through the
# replay servers on loopback) at inject.test, whose answer hides
# "\r\nBcc: victim@example.org" and friends in its abuse-mailbox lines.
# The drafted message must have exactly one To: (the clean mailbox), no
# Bcc/Cc, no header line that is not ours, and the delivery envelope
# (a recording sendmail -t) takes recipients from those headers only.
. "$(dirname "$0")/helpers.bash"
need python3 openssl timeout sqlite3
[ -d "$SHARED/fixtures" ] || skip "no \$SHARED/fixtures"
. "$(dirname "$0")/../servers/start.bash"
replay_start "$W" "$SHARED/fixtures" || { echo "FAIL: replay servers"; exit 1; }

printf '7.7.7.0/24\tinject.test\n' >"$W/servers.tsv"
SETS=(--set lookup.whois_servers="$W/servers.tsv" --set lookup.via=whois
      --set lookup.cacert="$CACERT" --set lookup.timeout=3s --set lookup.parent=no
      --set assess.rdns=no --set report.email=reports@example.com)
i=0
while [ $i -lt ${#CONNECT[@]} ]; do
	SETS+=(--set "lookup.connect_to=${CONNECT[$((i + 1))]}")
	i=$((i + 2))
done
cat >"$W/sendmail" <<EOF
#!/bin/sh
echo "\$@" >"$W/envelope"
cat >"$W/delivered"
EOF
chmod +x "$W/sendmail"

for s in 1 2 3 4 5 6; do
	sshd_line "Mar  3 10:00:0$s" 100 "Failed password for root from 7.7.7.7 port 4000$s ssh2"
done >"$W/auth.log"
scan -q --db "$W/db" "$W/auth.log"
timeout 120 "$ABUSEDESK" draft --db "$W/db" "${SETS[@]}" --now 2025-03-03T12:00:00Z \
    >"$W/draft.out" 2>"$W/draft.err"
expect_rc "draft looks up the hostile server" 0 "$?"
expect_eq "the server was asked" 1 "$(test "$(replay_queries inject.test)" -ge 1 && echo 1)"
tok=$(sq "$W/db" "SELECT token FROM reports")
expect_eq "the recipient is the one clean mailbox" "abuse@inject.example" \
    "$(sq "$W/db" "SELECT rcpt_to || rcpt_cc FROM reports")"
"$ABUSEDESK" show --db "$W/db" "$tok" >"$W/msg" 2>/dev/null
headers() {
	python3 - "$1" <<'PY'
import sys
raw = open(sys.argv[1], 'rb').read()
head = raw.split(b'\r\n\r\n', 1)[0] if b'\r\n\r\n' in raw else raw.split(b'\n\n', 1)[0]
names = []
for line in head.replace(b'\r\n', b'\n').split(b'\n'):
    if line[:1] in (b' ', b'\t'):
        continue
    names.append(line.split(b':', 1)[0].decode('ascii', 'replace').lower())
bad = [n for n in names if n in ('bcc', 'cc')]
to = [l for l in head.replace(b'\r\n', b'\n').split(b'\n') if l.lower().startswith(b'to:')]
stray = b'\r' in head.replace(b'\r\n', b'')
print(len(to), to[0].decode() if to else '-', ','.join(bad) or 'none',
      'stray-cr' if stray else 'clean', 'victim' if b'victim@' in head else 'novictim')
PY
}
expect_eq "drafted message: one To, no Bcc/Cc, no stray CR, no victim" \
    "1 To: abuse@inject.example none clean novictim" "$(headers "$W/msg")"
"$ABUSEDESK" approve --db "$W/db" "$tok" 2>/dev/null
"$ABUSEDESK" send --db "$W/db" "${SETS[@]}" --set relay.sendmail="$W/sendmail" \
    --now 2025-03-03T12:10:00Z >/dev/null 2>&1
expect_rc "send" 0 "$?"
expect_eq "delivered message: the same clean headers" \
    "1 To: abuse@inject.example none clean novictim" "$(headers "$W/delivered")"
# sendmail -t takes the recipients from the (checked) headers only.
expect_eq "sendmail is given no recipient of its own" "-t -i -f reports@example.com" \
    "$(cat "$W/envelope")"
finish
