#!/usr/bin/env bash
# assess_rdns.sh - reverse DNS through c-ares (ad_resolver_ptr) against a
# real DNS server on loopback: dnsmasq, started here with its own records
# only (--no-resolv --no-hosts --conf-file=/dev/null: it reads nothing of
# the machine's resolver config and forwards nothing), killed at the end.
#
# PTR found and forward-confirmed; PTR without a matching A record (not
# believed); NXDOMAIN; a hostile PTR name (space, control byte, over-long,
# '/' which c-ares lets through and our own check does not) rejected; a port with nothing listening and a server that never answers
# end in an I/O error within the resolver's own bound, and after two such
# calls one resolver stops asking.
. "$(dirname "$0")/helpers.bash"
need dnsmasq python3 timeout

# A UDP+TCP port free on 127.0.0.1 (dnsmasq needs both).
port=$(python3 -c '
import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    p = u.getsockname()[1]
    t = socket.socket()
    try:
        t.bind(("127.0.0.1", p))
    except OSError:
        continue
    print(p)
    break
')
[ -n "$port" ] || skip "no free port"

long=$(printf 'a%.0s' $(seq 1 63))
overlong="$long.$long.$long.$long.example"	# 4 x 63 + 12 > 253 bytes
# A label with a control byte can only be written as raw record data:
# PTR (type 12) rdata "\003a\001b\007example\000".
ctl_rr=03610162076578616d706c6500

cat > "$W/hosts" <<HOSTS
198.51.100.7 dsl-198-51-100-7.pool.example-isp.net
2001:db8::7 v6-host.example-isp.net
HOSTS
dnsmasq --no-daemon --conf-file=/dev/null --port="$port" \
    --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
    --addn-hosts="$W/hosts" --pid-file= --log-facility=- \
    --local=/arpa/ --local=/example/ --local=/io/ --local=/net/ \
    --ptr-record=8.100.51.198.in-addr.arpa,census1.shodan.io \
    --host-record=census2.shodan.io,198.51.100.9 \
    --ptr-record=10.100.51.198.in-addr.arpa,"evil name.example" \
    --dns-rr=11.100.51.198.in-addr.arpa,12,$ctl_rr \
    --ptr-record=13.100.51.198.in-addr.arpa,bad/slash.example \
    --ptr-record=12.100.51.198.in-addr.arpa,"$overlong" \
    > "$W/dnsmasq.log" 2>&1 &
_bg_pids+=($!)
dns_pid=$!

# Wait until it answers (or died: then this machine cannot run it).
up=no
for _ in $(seq 1 50); do
	if ! kill -0 "$dns_pid" 2>/dev/null; then
		cat "$W/dnsmasq.log"
		skip "dnsmasq did not start"
	fi
	if ad rdns --dns-server "127.0.0.1:$port" --timeout 500 198.51.100.7 \
	    >/dev/null 2>&1; then
		up=yes
		break
	fi
	sleep 0.2
done
[ "$up" = yes ] || { cat "$W/dnsmasq.log"; echo "FAIL: dnsmasq never answered"; exit 1; }

# rdns ADDRESS: "rc|stdout|stderr"
rdns() {
	local out err rc
	out=$(timeout 30 "$ABUSEDESK" rdns --dns-server "${DNS:-127.0.0.1:$port}" \
	    --timeout 500 "$1" 2>"$W/err")
	rc=$?
	err=$(cat "$W/err")
	printf '%s|%s|%s' "$rc" "$out" "$err"
}

expect_eq "PTR found, forward-confirmed" \
    "0|dsl-198-51-100-7.pool.example-isp.net|" "$(rdns 198.51.100.7)"
expect_eq "PTR via host-record (scanner name, confirmed)" \
    "0|census2.shodan.io|" "$(rdns 198.51.100.9)"
expect_eq "IPv6 PTR found, forward-confirmed" \
    "0|v6-host.example-isp.net|" "$(rdns 2001:db8::7)"
r=$(rdns 198.51.100.8)
case $r in
"2||"*"not found"*"does not resolve back"*) expect_eq "unconfirmed PTR" ok ok ;;
*) expect_eq "unconfirmed PTR" "2||...not found: ...does not resolve back" "$r" ;;
esac
case $(rdns 198.51.100.99) in
"2||"*"not found: no PTR record"*) expect_eq "NXDOMAIN: not found" ok ok ;;
*) expect_eq "NXDOMAIN: not found" "2||...not found: no PTR record" "$(rdns 198.51.100.99)" ;;
esac
for a in 198.51.100.10 198.51.100.11 198.51.100.12 198.51.100.13; do
	r=$(rdns $a)
	case $r in
	"2||"*"input not understood"*) expect_eq "hostile PTR name rejected ($a)" ok ok ;;
	*) expect_eq "hostile PTR name rejected ($a)" "2||...input not understood..." "$r" ;;
	esac
done

# Nothing listening: refused, quickly; a server that never answers: the
# resolver's own timeout (2 tries x 500 ms), an I/O error either way.
closed=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
r=$(DNS=127.0.0.1:$closed rdns 198.51.100.7)
case $r in
"2||"*"input/output error"*) expect_eq "nothing listening: I/O error" ok ok ;;
*) expect_eq "nothing listening: I/O error" "2||...input/output error..." "$r" ;;
esac
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
time.sleep(120)
' > "$W/silent.port" &
_bg_pids+=($!)
for _ in $(seq 1 50); do [ -s "$W/silent.port" ] && break; sleep 0.1; done
silent=$(cat "$W/silent.port")
r=$(DNS=127.0.0.1:$silent rdns 198.51.100.7)
case $r in
"2||"*"input/output error"*"imeout"*) expect_eq "silent server: timeout, I/O error" ok ok ;;
*) expect_eq "silent server: timeout, I/O error" "2||...input/output error...Timeout..." "$r" ;;
esac

# One resolver, many sources, servers silent: after two unanswered calls
# the rest fail at once (a draft must not wait on every source).
timeout 60 "$ABUSEDESK" rdns --dns-server "127.0.0.1:$silent" --timeout 300 \
    198.51.100.7 198.51.100.8 198.51.100.9 2>"$W/err" >/dev/null
expect_rc "silent server, three addresses" 2 $?
expect_eq "third address: reverse DNS off after two unanswered" 1 \
    "$(grep -c '198.51.100.9: input/output error: the DNS servers did not answer 2 times in a row' "$W/err")"
# ... while answered ones (found or not) keep it on.
expect_eq "several addresses, one resolver" \
    "dsl-198-51-100-7.pool.example-isp.net
census2.shodan.io" \
    "$(ad rdns --dns-server "127.0.0.1:$port" --timeout 500 198.51.100.99 198.51.100.98 198.51.100.7 198.51.100.9 2>/dev/null)"

# Bad arguments.
ad rdns --dns-server "127.0.0.1:$port" not-an-address >/dev/null 2>&1
expect_rc "not an address" 1 $?
ad rdns --dns-server "bogus server" 198.51.100.7 >/dev/null 2>&1
expect_rc "bad server list" 1 $?

finish
