#!/usr/bin/env bash
# deliver_mta.sh - the transports against a real MTA: Debian's Postfix on
# loopback (tests/servers/mta.sh) delivering into Maildirs.
#
# Sends a composed-looking report with `abusedesk deliver-test` over SMTP
# (STARTTLS when offered, STARTTLS required, AUTH after STARTTLS, smtps://
# with AUTH) and through Postfix's own sendmail -t, and checks the
# delivered files byte for byte once Postfix's trace headers (Return-Path,
# X-Original-To, Delivered-To, Received) are taken off: our header block
# unchanged, the first paragraph identical, the whole rest identical. Then
# what must fail: a 451 at RCPT (temporary), an unknown recipient (550 at
# RCPT: permanent, and all or nothing, so the good recipient of the same
# send gets nothing), a certificate we do not trust, a wrong password
# (535), header injection through an address (refused before connecting),
# and the MTA stopped (connection refused: temporary). Finally the MTA is
# started a second time in the same folder and delivers again.
#
# Skips (77) without Postfix or root; when Postfix is there but does not
# start, skips too, except under CI=true where that is a failure.
. "$(dirname "$0")/helpers.bash"
need python3 openssl

MTA=$(cd "$(dirname "$0")/../servers" && pwd)/mta.sh
_stop_mta() {
	"$MTA" stop "$W/mta" >/dev/null 2>&1
	_cleanup
}
trap _stop_mta EXIT

start_mta() {
	local out rc
	out=$("$MTA" start "$W/mta" noc@transit.example 2>"$W/mta.err")
	rc=$?
	if [ $rc -eq 77 ]; then
		skip "$(tail -n 1 "$W/mta.err")"
	elif [ $rc -ne 0 ]; then
		cat "$W/mta.err"
		[ "${CI:-}" = true ] && { echo "FAIL: Postfix did not start"; exit 1; }
		skip "Postfix is installed but did not start here"
	fi
	eval "$out"
}
start_mta

FROM=abuse-reports@example.org
# A composed-looking report: CRLF line ends as the composer writes them,
# a first paragraph that answers the four questions, a line starting with
# a dot (SMTP dot-stuffing must undo itself), a "From " line (no mbox
# quoting in a Maildir).
msg() {	# TO [CC]
	printf '%s\r\n' \
	    "From: Example Abuse Desk <$FROM>" \
	    "To: $1" \
	    ${2:+"Cc: $2"} \
	    "Subject: [abusedesk #AD-7F3K] SSH brute force from 203.0.113.7 against our servers" \
	    "Date: Sun, 22 Nov 2026 10:00:00 +0000" \
	    "Message-ID: <AD-7F3K.1763805600@example.org>" \
	    "MIME-Version: 1.0" \
	    "Content-Type: text/plain; charset=us-ascii" \
	    "Content-Transfer-Encoding: 7bit" \
	    "" \
	    "Hello," \
	    "" \
	    "the host 203.0.113.7 in your network tried to log in to the SSH servers" \
	    "of Example GmbH 412 times between 09:12 and 09:47 UTC today. It is most" \
	    "likely compromised. Please investigate it, stop the activity, and reply" \
	    "to this address if you need more information." \
	    "" \
	    "Summary" \
	    "  source:       203.0.113.7 (proven: completed TCP sessions)" \
	    "  destination:  192.0.2.10 port 22/tcp" \
	    ".a line that starts with a dot" \
	    "." \
	    "From the log (times in UTC):" \
	    "Nov 22 09:12:01 web1 sshd[4242]: Failed password for root from 203.0.113.7 port 50022 ssh2" \
	    "" \
	    "-- " \
	    "Example Abuse Desk <$FROM>"
}

# The delivered file without Postfix's trace headers (Return-Path,
# X-Original-To, Delivered-To, Received with its folded lines).
strip_trace() {
	python3 - "$1" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
head, sep, body = data.partition(b"\n\n")
out, skipping = [], False
for line in head.split(b"\n"):
    if line[:1] in (b" ", b"\t"):
        if not skipping:
            out.append(line)
        continue
    name = line.split(b":", 1)[0].lower()
    skipping = name in (b"return-path", b"x-original-to", b"delivered-to",
                        b"received")
    if not skipping:
        out.append(line)
sys.stdout.buffer.write(b"\n".join(out) + sep + body)
EOF
}

# check_delivered WHAT FILE SENT: compares the delivered file with the sent
# message (CRLF as LF: Postfix stores local line ends).
check_delivered() {
	local what=$1 got=$W/got.txt want=$W/want.txt
	strip_trace "$2" >"$got"
	tr -d '\r' <"$3" >"$want"
	expect_eq "$what: header block byte-exact" \
	    "$(sed '/^$/q' "$want" | od -c)" "$(sed '/^$/q' "$got" | od -c)"
	# the body up to its second blank line: the greeting and the
	# paragraph that answers the four questions
	expect_eq "$what: first paragraph byte-exact" \
	    "$(awk 'b && /^$/ && ++e == 2 { exit } b; /^$/ { b = 1 }' "$want" | od -c)" \
	    "$(awk 'b && /^$/ && ++e == 2 { exit } b; /^$/ { b = 1 }' "$got" | od -c)"
	check "$what: whole message byte-exact after the trace headers" \
	    cmp -s "$want" "$got"
}

count() {	# ADDRESS -> messages in its Maildir
	local a=${1,,}
	find "$MAILDIR/${a#*@}/${a%@*}/new" -type f 2>/dev/null | wc -l
}

# newest ADDRESS N: waits for N messages, prints the newest's path
newest() {
	"$MTA" wait "$W/mta" "$1" "$2" | tail -n 1
}

send() {	# deliver-test with the relay and CA of the test MTA
	"$ABUSEDESK" deliver-test --relay "smtp://127.0.0.1:$PORT" \
	    --set "relay.cacert=$CACERT" --set relay.timeout=30s "$@"
}

# 1. SMTP, STARTTLS used because offered, certificate verified.
msg abuse@example.net noc@example.net >"$W/m1.eml"
out=$(send --from "$FROM" --to abuse@example.net --to noc@example.net \
    "$W/m1.eml"); rc=$?
expect_rc "smtp: accepted" 0 $rc
expect_eq "smtp: result line" "accepted	250" "$(cut -f1,2 <<<"$out")"
check "smtp: the server's queue id in the result" \
    grep -q 'Ok: queued as' <<<"$out"
f=$(newest abuse@example.net 1)
check_delivered "smtp to To" "$f" "$W/m1.eml"
check "smtp: STARTTLS was used (ESMTPS)" grep -q 'with ESMTPS id' "$f"
check_delivered "smtp to Cc" "$(newest noc@example.net 1)" "$W/m1.eml"

# 2. STARTTLS required.
out=$(send --set relay.starttls=yes --from "$FROM" --to abuse@example.net \
    "$W/m1.eml"); rc=$?
expect_rc "starttls required: accepted" 0 $rc
check "starttls required: delivered over TLS" \
    grep -q 'with ESMTPS id' "$(newest abuse@example.net 2)"

# 3. AUTH (after STARTTLS), and a wrong password.
printf '%s\n' "${AUTH_PASSWORD:-unused}" >"$W/pw"
if [ -n "$AUTH_USER" ]; then
	out=$(send --set "relay.user=$AUTH_USER" \
	    --set "relay.password_file=$W/pw" --from "$FROM" \
	    --to abuse@example.net "$W/m1.eml"); rc=$?
	expect_rc "auth: accepted" 0 $rc
	check "auth: authenticated over TLS (ESMTPSA)" \
	    grep -q 'with ESMTPSA id' "$(newest abuse@example.net 3)"
	out=$(send --set "relay.user=$AUTH_USER" --set relay.password=wrong \
	    --from "$FROM" --to abuse@example.net "$W/m1.eml"); rc=$?
	expect_rc "auth: wrong password fails" 2 $rc
	expect_eq "auth: wrong password is permanent 535" "permanent	535" \
	    "$(cut -f1,2 <<<"$out")"
	check "auth: the password is not in the result" \
	    bash -c '! grep -q wrong <<<"$1"' _ "$out"
	n_abuse=3
else
	echo "note: no saslpasswd2 (sasl2-bin): AUTH not exercised"
	n_abuse=2
fi

# 3b. smtps:// (TLS from the first byte), with AUTH when there is SASL.
auth=()
[ -n "$AUTH_USER" ] && auth=(--set "relay.user=$AUTH_USER" \
    --set "relay.password_file=$W/pw")
out=$("$ABUSEDESK" deliver-test --relay "smtps://127.0.0.1:$SMTPS_PORT" \
    --set "relay.cacert=$CACERT" "${auth[@]}" --from "$FROM" \
    --to abuse@example.net "$W/m1.eml"); rc=$?
expect_rc "smtps: accepted" 0 $rc
n_abuse=$((n_abuse + 1))
f=$(newest abuse@example.net $n_abuse)
check "smtps: delivered over TLS" grep -q 'with ESMTPS' "$f"

# 3c. A 4xx at RCPT from the real MTA: temporary.
msg busy@example.net >"$W/m3.eml"
out=$(send --from "$FROM" --to busy@example.net "$W/m3.eml"); rc=$?
expect_rc "451 at RCPT: fails" 2 $rc
expect_eq "451 at RCPT: temporary 451" "temporary	451" \
    "$(cut -f1,2 <<<"$out")"

# 4. Unknown recipient: 550 at RCPT, permanent; all or nothing.
msg abuse@example.net nobody@example.net >"$W/m4.eml"
out=$(send --from "$FROM" --to abuse@example.net --to nobody@example.net \
    "$W/m4.eml"); rc=$?
expect_rc "unknown recipient: fails" 2 $rc
expect_eq "unknown recipient: permanent 550" "permanent	550" \
    "$(cut -f1,2 <<<"$out")"
check "unknown recipient: the result names the refused RCPT" \
    grep -q 'RCPT TO:<nobody@example.net>: 550 5.1.1' <<<"$out"

# 5. A certificate we do not trust (no CA given): permanent, nothing sent.
out=$("$ABUSEDESK" deliver-test --relay "smtp://127.0.0.1:$PORT" \
    --set relay.starttls=yes --from "$FROM" --to abuse@example.net \
    "$W/m1.eml"); rc=$?
expect_rc "untrusted certificate: fails" 2 $rc
expect_eq "untrusted certificate: permanent" permanent "$(cut -f1 <<<"$out")"

# 6. Header injection through an address: refused before connecting.
out=$(send --from "$FROM" --to $'abuse@example.net\r\nBcc: noc@example.net' \
    "$W/m1.eml"); rc=$?
expect_rc "injected recipient: refused" 1 $rc
expect_eq "injected recipient: result" refused "$(cut -f1 <<<"$out")"
out=$(send --from $'x@example.org\nBcc: noc@example.net' \
    --to abuse@example.net "$W/m1.eml"); rc=$?
expect_rc "injected sender: refused" 1 $rc

# Nothing from 4-6 arrived: a sentinel sent now is the only new message
# (Postfix delivers in queue order; anything accepted earlier would be
# there by the time the sentinel is).
msg abuse@example.net >"$W/m7.eml"
out=$(send --from "$FROM" --to abuse@example.net "$W/m7.eml"); rc=$?
expect_rc "sentinel: accepted" 0 $rc
n_abuse=$((n_abuse + 1))
newest abuse@example.net $n_abuse >/dev/null
expect_eq "failed sends delivered nothing to abuse@" $n_abuse \
    "$(count abuse@example.net)"
expect_eq "failed sends delivered nothing to noc@" 1 "$(count noc@example.net)"

# 7. sendmail -t: Postfix's own sendmail, pointed at this instance.
out=$(MAIL_CONFIG=$MAIL_CONFIG "$ABUSEDESK" deliver-test --relay "" \
    --set relay.sendmail=/usr/sbin/sendmail --from "$FROM" \
    --to abuse@example.net "$W/m7.eml"); rc=$?
expect_rc "sendmail: accepted" 0 $rc
n_abuse=$((n_abuse + 1))
f=$(newest abuse@example.net $n_abuse)
check_delivered "sendmail" "$f" "$W/m7.eml"
check "sendmail: envelope sender from -f" \
    grep -q "^Return-Path: <$FROM>" "$f"
# a To header naming someone the envelope lacks: refused
out=$(MAIL_CONFIG=$MAIL_CONFIG "$ABUSEDESK" deliver-test --relay "" \
    --from "$FROM" --to abuse@example.net "$W/m1.eml"); rc=$?
expect_rc "sendmail: Cc not in the envelope is refused" 1 $rc

# 7b. Real composed reports (the composer's golden files): a translated
# one with an 8-bit UTF-8 body, an X-ARF multipart one, one with a Cc to
# the upstream; over SMTP, and the translated one through sendmail too.
G=$(cd "$(dirname "$0")/../golden/report" 2>/dev/null && pwd)
if [ -n "$G" ] && [ -f "$G/upstream-caveat.eml" ]; then
	n_noc=$(count noc@transit.example)
	for g in lang-de xarf-port-scan upstream-caveat; do
		rc_args=(--to abuse@example.net)
		[ $g = upstream-caveat ] && rc_args+=(--to noc@transit.example)
		out=$(send --from "$FROM" "${rc_args[@]}" "$G/$g.eml"); rc=$?
		expect_rc "golden $g: accepted" 0 $rc
		n_abuse=$((n_abuse + 1))
		check_delivered "golden $g" "$(newest abuse@example.net \
		    $n_abuse)" "$G/$g.eml"
	done
	check_delivered "golden upstream-caveat to the Cc" \
	    "$(newest noc@transit.example $((n_noc + 1)))" \
	    "$G/upstream-caveat.eml"
	out=$(MAIL_CONFIG=$MAIL_CONFIG "$ABUSEDESK" deliver-test --relay "" \
	    --from "$FROM" --to abuse@example.net "$G/lang-de.eml"); rc=$?
	expect_rc "golden lang-de via sendmail: accepted" 0 $rc
	n_abuse=$((n_abuse + 1))
	check_delivered "golden lang-de via sendmail" \
	    "$(newest abuse@example.net $n_abuse)" "$G/lang-de.eml"
else
	echo "note: no tests/golden/report: composed reports not sent"
fi

# 8. The MTA stopped: connection refused is temporary.
"$MTA" stop "$W/mta"
out=$(send --from "$FROM" --to abuse@example.net "$W/m1.eml"); rc=$?
expect_rc "mta stopped: fails" 2 $rc
expect_eq "mta stopped: temporary, no SMTP code" "temporary	0" \
    "$(cut -f1,2 <<<"$out")"

# 9. Started a second time in the same folder: delivers again.
start_mta
out=$(send --from "$FROM" --to abuse@example.net "$W/m7.eml"); rc=$?
expect_rc "second start: accepted" 0 $rc
check_delivered "second start" "$(newest abuse@example.net 1)" "$W/m7.eml"

finish
