#!/usr/bin/env bash
# formats: the families that closed issue 3's gaps, where a case needs more
# than one line. An IIS W3C log is read in the column order of its
# "#Fields:" line (and of a new header block after a restart); c-ip is the
# source, never s-ip or X-Forwarded-For. OpenSMTPD's session lines take
# the address of the session's "connected" line. fail2ban.log lines inside
# a syslog stream are read. Every format an event names has a legend.
. "$(dirname "$0")/helpers.bash"
need python3

cd "$W" || exit 1
# IIS: c-ip first, a custom field order, then a restart with another order.
cat > u_ex250303.log <<'X'
#Software: Microsoft Internet Information Services 10.0
#Version: 1.0
#Date: 2025-03-03 10:00:00
#Fields: date time c-ip cs-username s-ip s-port cs-method cs-uri-stem cs-uri-query sc-status sc-substatus sc-win32-status time-taken cs(User-Agent) X-Forwarded-For
2025-03-03 10:00:01 203.0.113.50 - 192.0.2.1 443 GET /.env - 404 0 2 3 curl/8.0 6.6.6.6
2025-03-03 10:00:02 203.0.113.50 - 192.0.2.1 443 GET /index.html - 200 0 0 3 Mozilla/5.0 -
2025-03-03 10:00:03 203.0.113.51 admin 192.0.2.1 443 POST /wp-login.php - 200 0 0 3 Mozilla/5.0 -
#Software: Microsoft Internet Information Services 10.0
#Version: 1.0
#Date: 2025-03-03 11:00:00
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status
2025-03-03 11:00:01 192.0.2.1 GET /phpMyAdmin/ - 80 - 203.0.113.52 Mozilla/5.0 - 404
2025-03-03 11:00:02 192.0.2.1 GET /cgi-bin/test.cgi - 80 - 203.0.113.53 () - 404 0
X
out=$(ad parse --json -q u_ex250303.log | python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    print(e["line"], e["src"], e["category"], e["time"], e["format"], e.get("user"))')
expect_eq "IIS: events by the #Fields order" "\
5 203.0.113.50 web-probe 2025-03-03T10:00:01+00:00 iis-w3c None
7 203.0.113.51 web-bruteforce 2025-03-03T10:00:03+00:00 iis-w3c admin
12 203.0.113.52 web-probe 2025-03-03T11:00:01+00:00 iis-w3c None" "$out"
# a new file forgets the header: a headerless line of another order is not read
tail -n 1 u_ex250303.log > cut.log
expect_eq "IIS: no header, no default layout: nothing" "" \
    "$(ad parse --json -q cut.log)"

# OpenSMTPD: the session's address, new and old log forms.
cat > smtpd.log <<'X'
Mar  3 10:00:00 mx smtpd[1]: 38dd06274cde1fd7 smtp connected address=203.0.113.60 host=x.example.net
Mar  3 10:00:01 mx smtpd[1]: 38dd06274cde1fd7 smtp authentication user=bob result=permfail
Mar  3 10:00:02 mx smtpd[1]: 38dd06274cde1fd7 smtp failed-command command="AUTH LOGIN" result="535 Authentication failed"
Mar  3 10:00:03 mx smtpd[1]: 38dd06274cde1fd7 smtp authentication user=bob result=ok
Mar  3 10:00:04 mx smtpd[1]: 1111111111111111 smtp authentication user=eve result=permfail
Mar  3 10:00:05 mx smtpd[2]: smtp-in: New session 1f55bdcdf16e28a3 from host y.example.net [203.0.113.61]
Mar  3 10:00:06 mx smtpd[2]: smtp-in: Failed command on session 1f55bdcdf16e28a3: "RCPT TO:<a@example.org>" => 550 5.7.1 Delivery not authorized, message refused
Mar  3 10:00:07 mx smtpd[2]: smtp-in: Failed command on session 1f55bdcdf16e28a3: "MAIL FROM:<root@example.org>  " => 421 4.3.0: Temporary Error
Mar  3 10:00:08 mx smtpd[2]: smtp-in: Authentication failed for user bob on session 1f55bdcdf16e28a3
Mar  3 10:00:09 mx smtpd[2]: smtp-in: Authentication failed for user bob\040on\040session\0401111111111111111 on session 2222222222222222
X
out=$(ad parse --json -q --year 2025 smtpd.log | python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    print(e["line"], e["src"], e["kind"], e["category"])')
expect_eq "OpenSMTPD: session addresses" "\
2 203.0.113.60 failed-auth mail-bruteforce
3 203.0.113.60 failed-auth mail-bruteforce
7 203.0.113.61 rcpt-rejected mail-spam
9 203.0.113.61 failed-auth mail-bruteforce" "$out"

# fail2ban.log lines and fail2ban's syslog lines in one syslog stream.
cat > stream.log <<'X'
Mar  3 10:00:00 h sshd[5]: Failed password for root from 203.0.113.70 port 22 ssh2
2025-03-03 10:05:00,100 fail2ban.actions        [10]: NOTICE  [sshd] Ban 203.0.113.70
Mar  3 10:05:01 h fail2ban.actions[10]: NOTICE [postfix] Ban 203.0.113.71
Mar  3 10:05:02 h fail2ban.filter[10]: INFO [sshd] Found 203.0.113.72 - 2025-03-03 10:05:02
X
out=$(ad parse --json -q --year 2025 stream.log | python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    print(e["line"], e["src"], e["category"])')
expect_eq "fail2ban lines in a syslog stream" "\
1 203.0.113.70 ssh-bruteforce
2 203.0.113.70 repeat-offender
3 203.0.113.71 repeat-offender" "$out"

# Every format these families can name has a legend.
for f in iis-w3c qmail perdition uw-imap opensmtpd cucipop fail2ban; do
	check "legend of $f" bash -c "'$ABUSEDESK' formats $f | grep -q ."
done
finish
