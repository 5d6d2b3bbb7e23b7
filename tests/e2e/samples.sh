#!/usr/bin/env bash
# samples: the bundled demo runs, and finds in samples/ what was put there.
#
# samples/auth.log and samples/kern.log were written with these actors
# (see samples/abusedesk.conf for own networks and the allowlist):
#   198.51.100.23   7 connections of 6 root passwords       ssh-bruteforce new
#   203.0.113.45    24 invalid user names, one try each     ssh-bruteforce new
#   2001:db8:4::17  9 connections dropped while authenticating
#                   (Disconnected from / Connection closed by
#                   authenticating user, both events)       ssh-bruteforce new, 9
#   192.0.2.200     4 visits of: bad banner, 2 failed key
#                   negotiations, a reset [preauth] (4 events each;
#                   its kex_exchange_identification line names no address)
#                                                           ssh-probe new, 16
#   203.0.113.99    SYN to 60 ports, 3 of them (22 80 443) ALLOWed
#                                                           port-scan new, 57
#   198.51.100.150  UDP to 7 ports via an iptables DROP-IN: rule
#                                                           port-scan new, 7
#   10.0.3.44       bob's typo "bbo" (own network)          internal
#   10.0.0.31       14 NetBIOS broadcasts (own network)     port-scan internal, 14
#   203.0.113.250   the uptime monitor, every 30 min        ssh-probe allowlisted, 48
#   198.51.100.99   2 failures                              below threshold
# and background noise: single firewall drops from many sources (each
# below the port-scan threshold), benign logins, cron, sudo.
. "$(dirname "$0")/helpers.bash"
need python3

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
S=$ROOT/samples
for f in auth.log kern.log abusedesk.conf demo.sh; do
	check "samples/$f exists" test -s "$S/$f"
done

# Only documentation and private addresses in the sample logs.
expect_eq "samples use documentation/private addresses only" "" \
    "$(python3 - "$S/auth.log" "$S/kern.log" <<'EOF'
import ipaddress, re, sys
ok = [ipaddress.ip_network(n) for n in (
    "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "10.0.0.0/8",
    "2001:db8::/32")]
bad = set()
for path in sys.argv[1:]:
    for line in open(path):
        for m in re.finditer(r"(?:SRC=|DST=|from |by |rhost=|user \S+ |with )"
                             r"([0-9a-fA-F:.]*[:.][0-9a-fA-F:.]+)", line):
            try:
                a = ipaddress.ip_address(m.group(1))
            except ValueError:
                continue
            if not any(a in n for n in ok):
                bad.add(str(a))
print(" ".join(sorted(bad)))
EOF
)"

DB=$W/s.db
ad scan --config "$S/abusedesk.conf" --db "$DB" "$S/auth.log" "$S/kern.log" \
    2>"$W/err"
expect_rc "scan of the samples" 0 "$?"
check "samples: nothing skipped" grep -qx '  skipped: 0' "$W/err"

# Over the threshold (the default listing), with exact counts where the
# log says them plainly.
expect_eq "samples: the incidents over their threshold" "\
10.0.0.31 port-scan 14 internal false
10.0.3.44 ssh-bruteforce internal false
192.0.2.200 ssh-probe 16 new true
198.51.100.150 port-scan 7 new true
198.51.100.23 ssh-bruteforce new true
2001:db8:4::17 ssh-bruteforce 9 new true
203.0.113.250 ssh-probe 48 allowlisted false
203.0.113.45 ssh-bruteforce new true
203.0.113.99 port-scan 57 new true" \
    "$(incidents_table "$DB" | awk '
	$1 ~ /^(10\.0\.3\.44|198\.51\.100\.23|203\.0\.113\.45)$/ { $3 = "" }
	{ $1 = $1; gsub(/  +/, " "); print }')"
expect_eq "samples: attempts of the password and dictionary attackers" \
    "198.51.100.23 >=42|203.0.113.45 >=48" \
    "$(incidents_table "$DB" | awk '
	$1 == "198.51.100.23" { a = $1 " " ($3 >= 42 ? ">=42" : $3) }
	$1 == "203.0.113.45"  { b = $1 " " ($3 >= 48 ? ">=48" : $3) }
	END { print a "|" b }')"
expect_eq "samples: the slow one stays below" \
    "198.51.100.99 ssh-bruteforce 2 below-threshold false" \
    "$(incidents_table "$DB" --state below-threshold | grep '^198\.51\.100\.99 ')"
expect_eq "samples: background drops stay below (no other port-scan is new)" \
    "198.51.100.150 203.0.113.99" \
    "$(incidents_table "$DB" --category port-scan --reportable | awk '{print $1}' | paste -sd ' ')"
expect_eq "samples: the dictionary attacker's user names" \
    "admin test oracle ubuntu pi git postgres user true" \
    "$(ad incidents --db "$DB" --json | python3 -c '
import json, sys
for o in map(json.loads, sys.stdin):
    if o["src"] == "203.0.113.45":
        print(" ".join(o["users"]), str(o["more_users"]).lower())')"

# The demo script itself.
ABUSEDESK=$ABUSEDESK bash "$S/demo.sh" >"$W/demo.out" 2>"$W/demo.err"
expect_rc "samples/demo.sh" 0 "$?"
for s in 198.51.100.23 203.0.113.45 2001:db8:4::17 192.0.2.200 203.0.113.99; do
	check "demo lists $s" grep -q " $s " "$W/demo.out"
done
check "demo points to --json" grep -q -- '--json' "$W/demo.out"
check "demo prints a JSON line" python3 -c '
import json, sys
assert any(l.startswith("{") and json.loads(l) for l in open(sys.argv[1]))' "$W/demo.out"
check "demo leaves no store behind in the tree" \
    bash -c "! ls '$ROOT'/*.db '$S'/*.db 2>/dev/null | grep -q ."
finish
