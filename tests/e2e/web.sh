#!/usr/bin/env bash
# web: access and error logs become incidents with the documented
# thresholds (web-flood 50, web-probe 3, web-bruteforce 10, bad bot 3,
# worm 1, referrer spam never), custom formats from the config, and every
# format an event names has a legend.
#
# access.log (combined):
#   203.0.113.81   60 plain 404s                     web-flood 60   new
#   203.0.113.82   10 plain 404s                     web-flood 10   below
#   203.0.113.83   .env, .git/config, phpMyAdmin      web-probe 3    new
#   203.0.113.84   12 POST /wp-login.php (200)        web-bruteforce new
#   203.0.113.85   20 POST /wp-login.php (302)        nothing (logged in)
#   203.0.113.86   cmd.exe once                       worm 1         new
#   203.0.113.87   5 referrer-spam requests           web-spam       below
#   192.0.2.88     200 ordinary requests              nothing
# error.log (Apache 2.4): 203.0.113.89, 10 wrong passwords: web-bruteforce new
. "$(dirname "$0")/helpers.bash"
need python3

cd "$W" || exit 1
n=0
acc() {	# acc SRC METHOD PATH STATUS [REFERER] [UA]
	n=$((n + 1))
	printf '%s - - [03/Mar/2025:10:%02d:%02d +0100] "%s %s HTTP/1.1" %s 512 "%s" "%s"\n' \
	    "$1" $((n / 60 % 60)) $((n % 60)) "$2" "$3" "$4" "${5:--}" "${6:-Mozilla/5.0}"
}
{
	for i in $(seq 100); do acc 192.0.2.88 GET "/page/$i.html" 200; done
	for i in $(seq 60); do acc 203.0.113.81 GET "/img/$i.png" 404; done
	for i in $(seq 10); do acc 203.0.113.82 GET "/old/$i" 404; done
	acc 203.0.113.83 GET /.env 404
	acc 203.0.113.83 GET /.git/config 403
	acc 203.0.113.83 GET /phpMyAdmin/scripts/setup.php 404
	for i in $(seq 12); do acc 203.0.113.84 POST /wp-login.php 200; done
	for i in $(seq 20); do acc 203.0.113.85 POST /wp-login.php 302; done
	acc 203.0.113.86 GET '/scripts/..%255c../winnt/system32/cmd.exe?/c+dir' 404
	for i in $(seq 5); do acc 203.0.113.87 GET / 200 "http://buttons-for-website.com/" ; done
	for i in $(seq 100); do acc 192.0.2.88 GET "/page/$i.html" 304; done
} >access.log
for i in $(seq 10); do
	printf '[Mon Mar 03 10:00:%02d.123456 2025] [auth_basic:error] [pid 42:tid 7] [client 203.0.113.89:%d] AH01617: user admin: authentication failure for "/admin": Password Mismatch\n' \
	    "$i" $((40000 + i))
done >error.log

scan --db w.db access.log error.log 2>err
expect_rc "scan of access.log and error.log" 0 "$?"
check "nothing skipped" grep -qx '  skipped: 0' err
expect_eq "web incidents and states" "\
203.0.113.81 web-flood 60 new true
203.0.113.82 web-flood 10 below-threshold false
203.0.113.83 web-probe 3 new true
203.0.113.84 web-bruteforce 12 new true
203.0.113.86 worm 1 new true
203.0.113.87 web-spam 5 below-threshold false
203.0.113.89 web-bruteforce 10 new true" "$(incidents_table w.db --all)"

# Events carry the request line, the pattern and the status.
expect_eq "probe event fields" \
    "GET /.env HTTP/1.1|dotfile|404|combined|2025-03-03T10:02:51+01:00" \
    "$(ad parse --json access.log 2>/dev/null | python3 -c '
import json, sys
for o in map(json.loads, sys.stdin):
    if o["src"] == "203.0.113.83":
        print("|".join(str(o[k]) for k in ("detail", "label", "status", "format", "time")))
        break')"

# Custom nginx log_format: X-Forwarded-For is logged first, and never the source.
fmt='$http_x_forwarded_for $remote_addr [$time_local] "$request" $status "$http_user_agent"'
{
	echo '198.51.100.1 203.0.113.90 [03/Mar/2025:10:00:00 +0100] "GET /.env HTTP/1.1" 404 "curl/8"'
	echo '- 203.0.113.91 [03/Mar/2025:10:00:01 +0100] "GET / HTTP/1.1" 200 "sqlmap/1.7"'
	echo '- 203.0.113.92 [03/Mar/2025:10:00:02 +0100] "GET / HTTP/1.1" 200 "Mozilla/5.0"'
} >custom.log
expect_eq "custom format: sources, categories" "\
203.0.113.90 web-probe web-access-custom
203.0.113.91 web-bad-bot web-access-custom" \
    "$(ad parse --json --format web-access --set "parse.web-access.format=$fmt" custom.log 2>/dev/null |
    python3 -c '
import json, sys
for o in map(json.loads, sys.stdin):
    print(o["src"], o["category"], o["format"])')"
ad parse --set 'parse.web-access.format=%h%u "%r"' custom.log >/dev/null 2>bad.err
expect_rc "a format with two adjacent fields is refused" 4 "$?"
ad parse --set 'parse.web-access.colour=red' custom.log >/dev/null 2>/dev/null
expect_rc "an unknown web-access option is refused" 4 "$?"

# Every format an event names has a legend.
for f in $( (ad parse --json access.log error.log; ad parse --json --format web-access \
    --set "parse.web-access.format=$fmt" custom.log) 2>/dev/null |
    python3 -c '
import json, sys
print("\n".join(sorted({json.loads(l)["format"] for l in sys.stdin})))'); do
	check "legend of $f" sh -c "\"$ABUSEDESK\" formats $f | grep -q ."
done
# ... and so does every format the web parsers can name.
for f in common combined vhost_combined web-access-custom apache-error \
    nginx-error lighttpd-error haproxy-http squid; do
	check "legend of $f (formats verb)" sh -c "\"$ABUSEDESK\" formats $f | grep -q ."
done
finish
