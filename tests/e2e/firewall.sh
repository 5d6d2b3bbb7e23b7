#!/usr/bin/env bash
# firewall: UFW, iptables/nftables LOG lines with their own prefixes, and
# pfSense filterlog become port-scan incidents with the documented
# thresholds (20 dropped packets, or 5 distinct destination ports).
#
# kern.log (UFW unless said otherwise):
#   203.0.113.71   SYN to 5 distinct ports                 5 events  new (ports)
#   203.0.113.72   SYN to 4 distinct ports                 4         below
#   198.51.100.73  20 packets to port 23                   20        new (events)
#   198.51.100.74  19 packets to port 23                   19        below
#   192.0.2.75     10 [UFW ALLOW] + 5 [UFW AUDIT]          no incident
#   203.0.113.76   3 UDP via "IPT-DROP: " (iptables) and 2 via
#                  "nft-in-drop " (nftables), 5 ports      5         new
#   203.0.113.77   SYN to 20 distinct ports: 16 kept, "more"  20     new
#   192.0.2.90     one ICMP echo                           1         below
# filterlog.log (pfSense):
#   198.51.100.80  block, TCP to 6 distinct ports          6         new
#   198.51.100.81  pass, 8 lines                           no incident
#   2001:db8:80::1 block, IPv6 TCP to 22                   1         below
# Every firewall event is spoofable (a dropped packet proves nothing of
# its source), and the reason of a new one says so.
. "$(dirname "$0")/helpers.bash"
need python3

cd "$W" || exit 1
n=0
ufw() {	# ufw PREFIX SRC PROTO DPT [FLAGS]
	n=$((n + 1))
	local t
	t=$(printf 'Mar  3 10:%02d:%02d' $((n / 60)) $((n % 60)))
	if [ "$3" = ICMP ]; then
		printf '%s fw1 kernel: [ %d.%06d] %s IN=eth0 OUT= MAC=52:54:00:8a:1c:3e:00:00:5e:00:01:01:08:00 SRC=%s DST=192.0.2.10 LEN=84 TOS=0x00 PREC=0x00 TTL=54 ID=0 DF PROTO=ICMP TYPE=8 CODE=0 ID=4 SEQ=1\n' \
		    "$t" $((5000 + n)) $((n * 1000)) "$1" "$2"
	else
		printf '%s fw1 kernel: [ %d.%06d] %s IN=eth0 OUT= MAC=52:54:00:8a:1c:3e:00:00:5e:00:01:01:08:00 SRC=%s DST=192.0.2.10 LEN=44 TOS=0x00 PREC=0x00 TTL=243 ID=%d PROTO=%s SPT=%d DPT=%d %s\n' \
		    "$t" $((5000 + n)) $((n * 1000)) "$1" "$2" $((1000 + n)) "$3" $((40000 + n)) "$4" \
		    "$([ "$3" = TCP ] && echo "WINDOW=1024 RES=0x00 ${5:-SYN} URGP=0" || echo "LEN=24")"
	fi
}
{
	for p in 23 25 110 143 3306; do ufw "[UFW BLOCK]" 203.0.113.71 TCP $p; done
	for p in 23 25 110 143; do ufw "[UFW BLOCK]" 203.0.113.72 TCP $p; done
	for i in $(seq 20); do ufw "[UFW BLOCK]" 198.51.100.73 TCP 23; done
	for i in $(seq 19); do ufw "[UFW BLOCK]" 198.51.100.74 TCP 23; done
	for i in $(seq 10); do ufw "[UFW ALLOW]" 192.0.2.75 TCP 443; done
	for p in 22 80 443 8080 8443; do ufw "[UFW AUDIT]" 192.0.2.75 TCP $p; done
	for p in 161 162 500; do ufw "IPT-DROP:" 203.0.113.76 UDP $p; done
	for p in 1900 5060; do ufw "nft-in-drop" 203.0.113.76 UDP $p; done
	for p in $(seq 1001 1020); do ufw "[UFW BLOCK]" 203.0.113.77 TCP $p; done
	ufw "[UFW BLOCK]" 192.0.2.90 ICMP 0
} >kern.log

fl() {	# fl ACTION SRC DPT
	n=$((n + 1))
	printf 'Mar  3 11:%02d:%02d pf1 filterlog[3412]: 5,,,1000000103,igb0,match,%s,in,4,0x0,,242,%d,0,none,6,tcp,44,%s,192.0.2.10,%d,%d,0,S,%d,,1024,,mss\n' \
	    $((n / 60 % 60)) $((n % 60)) "$1" $((20000 + n)) "$2" $((50000 + n)) "$3" $((777000 + n))
}
{
	for p in 21 22 23 25 80 443; do fl block 198.51.100.80 $p; done
	for i in $(seq 8); do fl pass 198.51.100.81 443; done
	echo "Mar  3 11:59:00 pf1 filterlog[3412]: 7,,,1000000105,igb0,match,block,in,6,0x00,0x00000,64,tcp,6,40,2001:db8:80::1,2001:db8:10::10,51000,22,0,S,123,,64800,,mss"
} >filterlog.log

scan --db f.db kern.log filterlog.log 2>err
expect_rc "scan of kern.log and filterlog.log" 0 "$?"
check "nothing skipped" grep -qx '  skipped: 0' err
expect_eq "port-scan incidents and states" "\
192.0.2.90 port-scan 1 below-threshold false
198.51.100.73 port-scan 20 new true
198.51.100.74 port-scan 19 below-threshold false
198.51.100.80 port-scan 6 new true
2001:db8:80::1 port-scan 1 below-threshold false
203.0.113.71 port-scan 5 new true
203.0.113.72 port-scan 4 below-threshold false
203.0.113.76 port-scan 5 new true
203.0.113.77 port-scan 20 new true" "$(incidents_table f.db --all)"

details() {	# src: sorted ports, more_ports, services, evidence, spoofed reason
	ad incidents --db f.db --json --all | python3 -c '
import json, sys
for o in map(json.loads, sys.stdin):
    if o["src"] == sys.argv[1]:
        print(" ".join(map(str, sorted(o["ports"]))), o["more_ports"],
              ",".join(o["services"]), o["evidence"], o["spoofable_events"],
              o["proven_events"], "spoof" in o["reason"])' "$1"
}
expect_eq "203.0.113.71: ports, spoofable evidence" \
    "23 25 110 143 3306 False firewall spoofable 5 0 True" "$(details 203.0.113.71)"
expect_eq "203.0.113.76: iptables and nftables prefixes in one incident" \
    "161 162 500 1900 5060 False firewall spoofable 5 0 True" "$(details 203.0.113.76)"
expect_eq "203.0.113.77: 16 ports kept, more_ports set" \
    "$(seq -s ' ' 1001 1016) True firewall spoofable 20 0 True" "$(details 203.0.113.77)"
expect_eq "198.51.100.80: filterlog ports" \
    "21 22 23 25 80 443 False firewall spoofable 6 0 True" "$(details 198.51.100.80)"
expect_eq "198.51.100.73: one port" \
    "23 False firewall spoofable 20 0 True" "$(details 198.51.100.73)"
expect_eq "targets of 203.0.113.71: our address" "192.0.2.10" \
    "$(ad incidents --db f.db --json | python3 -c '
import json, sys
for o in map(json.loads, sys.stdin):
    if o["src"] == "203.0.113.71":
        print(" ".join(o["targets"]))')"

# --format forces a family: the UFW file read as sshd finds nothing.
ad parse --format sshd --year 2025 kern.log >forced.out 2>/dev/null
expect_rc "parse --format sshd of a kernel log" 0 "$?"
expect_eq "parse --format sshd of a kernel log: no events" "" "$(cat forced.out)"
expect_eq "parse --format netfilter: the same events as by tag" \
    "$(ad parse --year 2025 kern.log 2>/dev/null | wc -l)" \
    "$(ad parse --format netfilter --year 2025 kern.log 2>/dev/null | wc -l)"
expect_eq "kern.log: 74 events (5+4+20+19+3+2+20+1; ALLOW and AUDIT are none)" \
    "74" "$(ad parse --year 2025 kern.log 2>/dev/null | wc -l)"
finish
