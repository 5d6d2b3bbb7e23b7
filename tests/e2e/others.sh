#!/usr/bin/env bash
# others: FTP servers, PAM, named, MySQL, Asterisk, audit, xinetd and
# fail2ban's log become incidents of their categories at the documented
# thresholds, own-format files (vsftpd.log, named's file channel, a MySQL
# error log) mixed into one syslog stream are all read, own stamps give the
# event time, and every format an event names has a legend.
#
# syslog stream (cat of several logs), and a fail2ban.log:
#   203.0.113.30  5 vsftpd FAIL LOGIN (3 in vsftpd.log form)  5 new ftp-bruteforce
#   203.0.113.31  5 proftpd/pure-ftpd/wu-ftpd failures        5 new ftp-bruteforce
#   203.0.113.32  5 pam_unix login failures                   5 new auth-bruteforce
#   203.0.113.33  5 MySQL Access denied (2 error-log form, one
#                 with an address injected in the user name)  5 new auth-bruteforce
#   203.0.113.34  3 Asterisk registrations                    3 below auth-bruteforce
#   203.0.113.35  3 fail2ban bans (+1 recidive, not counted;   3 new repeat-offender
#                 one in the stream as a fail2ban.log line,
#                 one as fail2ban's syslog form)
#   203.0.113.36  2 named AXFR denied (1 file-channel form)   2 below dns-abuse
#   203.0.113.37  a successful FTP login, a local su failure  no event
. "$(dirname "$0")/helpers.bash"
need python3

cd "$W" || exit 1
L=$W/all.log
{
	echo "Mar  3 10:00:00 h vsftpd[1]: [a] FAIL LOGIN: Client \"203.0.113.30\""
	echo "Mar  3 10:00:01 h vsftpd[2]: pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser=b rhost=203.0.113.30"
	for i in 2 3 4; do
		echo "Mon Mar  3 10:00:0$i 2025 [pid 1$i] [u$i] FAIL LOGIN: Client \"203.0.113.30\""
	done
	echo "Mar  3 10:01:00 h proftpd[3]: h (203.0.113.31[203.0.113.31]) - USER x (Login failed): Incorrect password"
	echo "Mar  3 10:01:01 h proftpd[3]: h (203.0.113.31[203.0.113.31]) - USER y: no such user found from 203.0.113.31 [203.0.113.31] to 192.0.2.1:21"
	echo "Mar  3 10:01:02 h pure-ftpd: (?@203.0.113.31) [WARNING] Authentication failed for user [root]"
	echo "Mar  3 10:01:03 h wu-ftpd[4]: failed login from x.example.net [203.0.113.31]"
	echo "Mar  3 10:01:04 h ftpd[5]: FTP LOGIN FAILED FROM 203.0.113.31, root"
	for i in 1 2 3 4 5; do
		echo "Mar  3 10:02:0$i h login[6]: pam_unix(login:auth): authentication failure; logname=LOGIN uid=0 euid=0 tty=pts/1 ruser= rhost=203.0.113.32  user=u$i"
	done
	for i in 1 2 3; do
		echo "Mar  3 10:03:0$i h mysqld[7]: 2025-03-03 10:03:0$i 12 [Warning] Access denied for user 'root'@'203.0.113.33' (using password: YES)"
	done
	echo "2025-03-03T10:03:04.000000Z 13 [Note] Access denied for user 'root'@'203.0.113.33' (using password: NO)"
	echo "2025-03-03T10:03:05.000000Z 14 [Note] Access denied for user 'a'@'6.6.6.6' (using password: YES)'@'203.0.113.33' (using password: YES)"
	for i in 1 2 3; do
		echo "Mar  3 10:04:0$i h asterisk[8]: NOTICE[9]: chan_sip.c:1 handle_request_register: Registration from '<sip:1$i@x>' failed for '203.0.113.34:5060' - Wrong password"
	done
	echo "Mar  3 10:06:00 h named[11]: client @0x1 203.0.113.36#4000 (example.org): zone transfer 'example.org/AXFR/IN' denied"
	echo "03-Mar-2025 10:06:01.500 security: error: client @0x2 203.0.113.36#4001 (example.org): zone transfer 'example.org/AXFR/IN' denied"
	echo "Mar  3 10:07:00 h proftpd[12]: h (203.0.113.37[203.0.113.37]) - USER bob: Login successful."
	echo "Mar  3 10:07:01 h su[13]: pam_unix(su:auth): authentication failure; logname=bob uid=1000 euid=0 tty=pts/0 ruser=bob rhost=  user=root"
	echo "2025-03-03 10:05:00,100 fail2ban.actions        [10]: NOTICE  [postfix] Ban 203.0.113.35"
	echo "Mar  3 10:05:00 h fail2ban.actions[10]: NOTICE [dovecot] Ban 203.0.113.35"
} >"$L"
# fail2ban.log as a file of its own (its ISO stamp looks like a syslog one).
F=$W/fail2ban.log
for j in sshd recidive; do
	echo "2025-03-03 10:05:00,100 fail2ban.actions [10]: NOTICE [$j] Ban 203.0.113.35"
done >"$F"

DB=$W/t.db
scan --db "$DB" "$L" "$F" 2>"$W/err"
expect_rc "scan" 0 "$?"
expect_eq "scan summary: events" "28 events" \
    "$(grep -o '[0-9]* events' "$W/err" | head -n 1)"
expect_eq "incidents --all" "\
203.0.113.30 ftp-bruteforce 5 new true
203.0.113.31 ftp-bruteforce 5 new true
203.0.113.32 auth-bruteforce 5 new true
203.0.113.33 auth-bruteforce 5 new true
203.0.113.34 auth-bruteforce 3 below-threshold false
203.0.113.35 repeat-offender 3 new true
203.0.113.36 dns-abuse 2 below-threshold false" "$(incidents_table "$DB" --all)"

# Every format an event names has a legend.
fmts=$(ad parse --json -q "$L" "$F" | python3 -c '
import json, sys
print(" ".join(sorted({json.loads(l)["format"] for l in sys.stdin})))')
expect_eq "formats named" \
    "asterisk fail2ban mysql named named-file pam proftpd pure-ftpd vsftpd vsftpd-log wu-ftpd" "$fmts"
for f in $fmts; do
	check "legend of $f" bash -c "'$ABUSEDESK' formats $f | grep -q ."
done
# Own stamps: vsftpd.log (local, TZ=UTC here) and named's file channel.
expect_eq "own stamps" "2025-03-03T10:00:02 2025-03-03T10:06:01.500000" \
    "$(ad parse --json -q --tz UTC "$L" | python3 -c '
import json, sys
e = [json.loads(l) for l in sys.stdin]
print([x["time"][:19] for x in e if x["format"] == "vsftpd-log"][0],
      [x["time"][:26] for x in e if x["format"] == "named-file"][0])')"
finish
