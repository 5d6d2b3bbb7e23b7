#!/usr/bin/env bash
# mail: a mail server's syslog (postfix, dovecot, courier, cyrus, sendmail)
# and an exim mainlog become mail-bruteforce / mail-spam incidents at the
# documented thresholds (5 events each), and every format an event names has
# a legend (`abusedesk formats NAME`).
#
# mail.log:
#   203.0.113.10  5 postfix SASL failures                  5  new (bruteforce)
#   203.0.113.11  3 dovecot imap-login auth failures +
#                 2 dovecot auth-worker failures            5  new (bruteforce)
#   203.0.113.12  5 postfix relay-denied rejects            5  new (spam)
#   198.51.100.13 2 postscreen PREGREET                     2  below
#   192.0.2.14    greylisting, a successful login, a lost
#                 connection after AUTH                      no event
#   198.51.100.15 courier + cyrus + sendmail failures       3  below
# mainlog (exim, ISO stamps, [pid], message ids):
#   203.0.113.20  5 authenticator failures                  5  new (bruteforce)
. "$(dirname "$0")/helpers.bash"
need python3

cd "$W" || exit 1
L=$W/mail.log
{
	for i in 1 2 3 4 5; do
		echo "Mar  3 10:00:0$i mx postfix/submission/smtpd[10$i]: warning: unknown[203.0.113.10]: SASL LOGIN authentication failed: UGFzc3dvcmQ6"
	done
	for i in 1 2 3; do
		echo "Mar  3 10:01:0$i mx dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<u$i>, method=PLAIN, rip=203.0.113.11, lip=192.0.2.1, TLS, session=<s$i>"
	done
	echo "Mar  3 10:01:10 mx dovecot: auth-worker(77): pam(u4,203.0.113.11,<x>): pam_authenticate() failed: Authentication failure (password mismatch?)"
	echo "Mar  3 10:01:11 mx dovecot: auth: passwd-file(u5,203.0.113.11): unknown user"
	for i in 1 2 3 4 5; do
		echo "Mar  3 10:02:0$i mx postfix/smtpd[20$i]: NOQUEUE: reject: RCPT from unknown[203.0.113.12]: 554 5.7.1 <v$i@example.org>: Relay access denied; from=<s@example.com> to=<v$i@example.org> proto=ESMTP helo=<[192.0.2.99]>"
	done
	echo "Mar  3 10:03:00 mx postfix/postscreen[300]: PREGREET 14 after 0.08 from [198.51.100.13]:59415: EHLO ylmf-pc\\r\\n"
	echo "Mar  3 10:03:01 mx postfix/postscreen[300]: PREGREET 14 after 0.08 from [198.51.100.13]:59416: EHLO ylmf-pc\\r\\n"
	echo "Mar  3 10:04:00 mx postfix/smtpd[400]: NOQUEUE: reject: RCPT from mail.example.com[192.0.2.14]: 450 4.2.0 <a@example.net>: Recipient address rejected: Greylisted; from=<b@example.com> to=<a@example.net> proto=ESMTP helo=<mail.example.com>"
	echo "Mar  3 10:04:01 mx dovecot: imap-login: Login: user=<alice>, method=PLAIN, rip=192.0.2.14, lip=192.0.2.1, mpid=1, TLS, session=<t>"
	echo "Mar  3 10:04:02 mx postfix/smtpd[401]: lost connection after AUTH from mail.example.com[192.0.2.14]"
	echo "Mar  3 10:05:00 mx imapd: LOGIN FAILED, user=x, ip=[::ffff:198.51.100.15]"
	echo "Mar  3 10:05:01 mx cyrus/imap[500]: badlogin: x.example.net [198.51.100.15] plain [SASL(-13): authentication failure: checkpass failed]"
	echo "Mar  3 10:05:02 mx sm-mta[501]: s23A5000000501: AUTH failure (LOGIN): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user=x, relay=[198.51.100.15]"
} >"$L"
M=$W/mainlog
{
	echo "2025-03-03 11:00:00 exim 4.96 daemon started: pid=1, -q30m, listening for SMTP on port 25"
	for i in 1 2 3 4 5; do
		echo "2025-03-03 11:00:0$i [60$i] dovecot_login authenticator failed for (x) [203.0.113.20]:5000$i: 535 Incorrect authentication data (set_id=u$i)"
	done
	echo "2025-03-03 11:01:00 [700] 1rH0Oi-000000005Tm-1Xbc <= a@example.com H=mail.example.com [192.0.2.21]:25 P=esmtps S=1234"
} >"$M"

DB=$W/t.db
scan --db "$DB" "$L" "$M" 2>"$W/err"
expect_rc "scan" 0 "$?"
expect_eq "scan summary: events" "25 events" \
    "$(grep -o '[0-9]* events' "$W/err" | head -n 1)"
expect_eq "incidents --all" "\
198.51.100.13 mail-spam 2 below-threshold false
198.51.100.15 mail-bruteforce 3 below-threshold false
203.0.113.10 mail-bruteforce 5 new true
203.0.113.11 mail-bruteforce 5 new true
203.0.113.12 mail-spam 5 new true
203.0.113.20 mail-bruteforce 5 new true" "$(incidents_table "$DB" --all)"

# Every format an event names has a legend.
fmts=$(ad parse --json -q "$L" "$M" | python3 -c '
import json, sys
print(" ".join(sorted({json.loads(l)["format"] for l in sys.stdin})))')
expect_eq "formats named" "courier cyrus dovecot exim postfix postscreen sendmail" "$fmts"
for f in $fmts; do
	check "legend of $f" bash -c "'$ABUSEDESK' formats $f | grep -q ."
done
# The exim stamps are the mainlog's own.
expect_eq "exim event time" "2025-03-03T11:00:01" \
    "$(ad parse --json -q --tz UTC "$M" | python3 -c '
import json, sys
print(json.loads(sys.stdin.readline())["time"][:19])')"
finish
