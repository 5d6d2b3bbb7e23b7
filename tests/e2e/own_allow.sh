#!/usr/bin/env bash
# own_allow: our own networks and private space are "internal", sources
# on the allowlist "allowlisted"; neither is ever reportable, whatever
# their count. Each source below makes 6 attempts (over the threshold of 5):
#
#   10.0.0.23          RFC 1918                      internal     false
#   203.0.113.77       own_networks 203.0.113.64/26  internal     false
#   203.0.113.20       outside that /26              new          true
#   2001:db8:beef::5   own_networks 2001:db8:beef::/48 internal   false
#   198.51.100.7       allowlist (one address)       allowlisted  false
#   198.51.100.8       its neighbour                 new          true
#
# The lists come once from --set, once from a config file (repeated and
# comma-separated entries, as ad_config.h allows): same result.
. "$(dirname "$0")/helpers.bash"
need python3

cd "$W" || exit 1
n=0
for src in 10.0.0.23 203.0.113.77 203.0.113.20 2001:db8:beef::5 198.51.100.7 198.51.100.8; do
	for i in 1 2 3 4 5 6; do
		n=$((n + 1))
		sshd_line "Mar  3 15:$(printf %02d $((n / 60))):$(printf %02d $((n % 60)))" \
		    $((900 + n)) "Failed password for root from $src port $((30000 + n)) ssh2"
	done
done >auth.log

want="\
10.0.0.23 ssh-bruteforce 6 internal false
198.51.100.7 ssh-bruteforce 6 allowlisted false
198.51.100.8 ssh-bruteforce 6 new true
2001:db8:beef::5 ssh-bruteforce 6 internal false
203.0.113.20 ssh-bruteforce 6 new true
203.0.113.77 ssh-bruteforce 6 internal false"

scan --db s.db --set own_networks=203.0.113.64/26,2001:db8:beef::/48 \
    --set allowlist=198.51.100.7 auth.log 2>/dev/null
expect_rc "scan with --set lists" 0 "$?"
expect_eq "states with --set lists" "$want" "$(incidents_table s.db --all)"
expect_eq "incidents --reportable: only the two outside sources" "\
198.51.100.8 ssh-bruteforce 6 new true
203.0.113.20 ssh-bruteforce 6 new true" "$(incidents_table s.db --reportable)"
expect_eq "incidents --state internal" "\
10.0.0.23 ssh-bruteforce 6 internal false
2001:db8:beef::5 ssh-bruteforce 6 internal false
203.0.113.77 ssh-bruteforce 6 internal false" \
    "$(incidents_table s.db --state internal)"
expect_eq "incidents --state allowlisted" \
    "198.51.100.7 ssh-bruteforce 6 allowlisted false" \
    "$(incidents_table s.db --state allowlisted)"
expect_eq "the reasons say why" "\
10.0.0.23 private
198.51.100.7 allowlist
203.0.113.77 own networks" \
    "$(ad incidents --db s.db --json | python3 -c '
import json, sys
for o in map(json.loads, sys.stdin):
    r = o["reason"]
    for w in ("allowlist", "own networks", "private"):
        if w in r and o["src"] in ("10.0.0.23", "198.51.100.7", "203.0.113.77"):
            print(o["src"], w)' | sort)"
ad incidents --db s.db >table 2>/dev/null
check "the table marks internal incidents as not reportable" \
    grep -qE '^[0-9]+ +203\.0\.113\.77 .* internal \(not reportable\)$' table
check "the table marks allowlisted incidents as not reportable" \
    grep -qE '^[0-9]+ +198\.51\.100\.7 .* allowlisted \(not reportable\)$' table

cat >lists.conf <<'EOF'
# our networks, in two lines
own_networks = 203.0.113.64/26
own_networks = 2001:db8:beef::/48   # the v6 office
allowlist = 198.51.100.7            # the audit we ordered
documentation_as_public = yes
EOF
ad scan --config lists.conf --year 2025 --tz UTC --db c.db auth.log 2>/dev/null
expect_rc "scan with a config file" 0 "$?"
expect_eq "states with the lists from a config file" "$want" \
    "$(incidents_table c.db --all)"
finish
