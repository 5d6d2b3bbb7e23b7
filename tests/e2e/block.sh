#!/usr/bin/env bash
# block: firewall advice from the store, in every format, exact text.
#
# The sshd log has five attackers (6 failures each, over the threshold):
#
#   203.0.113.0, 203.0.113.1   neighbours: one /31 when both are blocked
#   203.0.113.9                alone in the /24
#   203.0.113.77               in own_networks 203.0.113.64/26: never blocked
#   2001:db8::9                IPv6
#
# and one legitimate login from 203.0.113.1 (a customer behind the same
# NAT as an attacker?), which --check-logs must show.
#
# Reports: 203.0.113.0 and 203.0.113.1 were reported (sent) and went on
# after the report; 203.0.113.9 was reported and stopped; 2001:db8::9 was
# only drafted. The reports table is filled with sqlite3, as the queue
# verbs would leave it.
. "$(dirname "$0")/helpers.bash"
need python3 sqlite3

cd "$W" || exit 1
n=0
for src in 203.0.113.0 203.0.113.1 203.0.113.9 203.0.113.77 2001:db8::9; do
	for i in 1 2 3 4 5 6; do
		n=$((n + 1))
		sshd_line "Mar  3 15:$(printf %02d $((n / 60))):$(printf %02d $((n % 60)))" \
		    $((900 + n)) "Failed password for root from $src port $((30000 + n)) ssh2"
	done
done >auth.log
sshd_line "Mar  3 16:00:00" 2000 \
    "Accepted publickey for deploy from 203.0.113.1 port 40000 ssh2: ED25519 SHA256:x" >ok.log
sshd_line "Mar  3 16:00:01" 2001 \
    "Failed password for deploy from 203.0.113.0 port 40001 ssh2" >>ok.log
printf '%s\n' '2001:db8::7 - - [03/Mar/2025:16:00:02 +0000] "GET / HTTP/1.1" 200 12 "-" "x"' >>ok.log

OWN=(--set own_networks=203.0.113.64/26)
NOW=(--now 2025-03-10T00:00:00Z)
scan --db s.db "${OWN[@]}" auth.log 2>/dev/null
expect_rc "scan" 0 "$?"

# --- --all-reportable and --source work on incidents alone --------------
out=$(ad block --db s.db "${OWN[@]}" --all-reportable --format cidr)
expect_rc "block --all-reportable" 0 "$?"
expect_eq "--all-reportable: the /31, the lone /32, the v6 /128; not ours" "\
203.0.113.0/31
203.0.113.9/32
2001:db8::9/128" "$out"

out=$(ad block --db s.db "${OWN[@]}" --source 203.0.113.1 203.0.113.2 \
    --source 203.0.113.77 --format cidr 2>&1)
expect_eq "--source: .1 and .2 are two /32s; our own address is dropped" "\
203.0.113.1/32
203.0.113.2/32" "$out"

out=$(ad block "${OWN[@]}" "${NOW[@]}" --all-reportable --db s.db \
    --aggregate 24:3 --format cidr)
expect_eq "--aggregate 24:3 splits the /24 around our /26" "\
203.0.113.0/26
2001:db8::9/128" "$out"

# --- the default: sources that continued after a sent report -------------
id() { sq s.db "SELECT id FROM incidents WHERE src = '$1'"; }
sq s.db "
INSERT INTO reports (id, token, src, state, created, sent)
  VALUES (1, 'AD-T1', '203.0.113.0', 'sent', 1, 2),
         (2, 'AD-T2', '203.0.113.1', 'unconfirmed', 1, 2),
         (3, 'AD-T3', '203.0.113.9', 'sent', 1, 2),
         (4, 'AD-T4', '2001:db8::9', 'draft', 1, NULL);
INSERT INTO report_incidents (report_id, incident_id, after_sent)
  VALUES (1, $(id 203.0.113.0), 1), (2, $(id 203.0.113.1), 1),
         (3, $(id 203.0.113.9), 0), (4, $(id 2001:db8::9), 1);"
before=$(sq s.db "SELECT count(*) || ' ' || group_concat(state) FROM reports")

out=$(ad block --db s.db "${OWN[@]}" "${NOW[@]}" --format cidr)
expect_rc "block (default)" 0 "$?"
expect_eq "default: only the sources that continued after a sent report" \
    "203.0.113.0/31" "$out"

out=$(ad block --db s.db "${OWN[@]}" "${NOW[@]}" --check-logs ok.log)
expect_eq "list with the legitimate login" "\
# abusedesk block advice: 1 range for 2 offending addresses; temporary, 7d (until 2025-03-17T00:00:00Z)
# a block is never announced to the network that holds the range
203.0.113.0/31       2 addresses, 2 offending, legitimate traffic seen: 1 line (1 from the offenders)
    e.g. Mar  3 16:00:00 web1 sshd[2000]: Accepted publickey for deploy from 203.0.113.1 port 40000 ssh2: ED25519 SHA256:x" "$out"

out=$(ad block --db s.db "${OWN[@]}" "${NOW[@]}" --format nft --expire 36h)
expect_eq "nft" "\
# abusedesk block advice: 1 range for 2 offending addresses; temporary, 1d12h (until 2025-03-11T12:00:00Z)
# a block is never announced to the network that holds the range
# once:
#   nft add table inet filter
#   nft add chain inet filter input '{ type filter hook input priority 0; }'
#   nft add set inet filter abusedesk_block '{ type ipv4_addr; flags interval, timeout; }'
#   nft add set inet filter abusedesk_block6 '{ type ipv6_addr; flags interval, timeout; }'
#   nft add rule inet filter input ip saddr @abusedesk_block drop
#   nft add rule inet filter input ip6 saddr @abusedesk_block6 drop
# 203.0.113.0/31: 2 addresses, 2 offending, logs not checked for legitimate traffic
nft add element inet filter abusedesk_block { 203.0.113.0/31 timeout 1d12h }" "$out"

out=$(ad block --db s.db "${OWN[@]}" "${NOW[@]}" --format iptables --permanent)
expect_eq "iptables (ipset), permanent" "\
# abusedesk block advice: 1 range for 2 offending addresses; permanent
# a block is never announced to the network that holds the range
# once:
#   ipset create abusedesk-block hash:net family inet timeout 0
#   ipset create abusedesk-block6 hash:net family inet6 timeout 0
#   iptables -I INPUT -m set --match-set abusedesk-block src -j DROP
#   ip6tables -I INPUT -m set --match-set abusedesk-block6 src -j DROP
# 203.0.113.0/31: 2 addresses, 2 offending, logs not checked for legitimate traffic
ipset -exist add abusedesk-block 203.0.113.0/31" "$out"

out=$(ad block --db s.db "${OWN[@]}" "${NOW[@]}" --format pf)
expect_eq "pf" "\
# abusedesk block advice: 1 range for 2 offending addresses; temporary, 7d (until 2025-03-17T00:00:00Z)
# a block is never announced to the network that holds the range
# pf.conf, once:
#   table <abusedesk_block> persist file \"/etc/pf.abusedesk_block\"
#   block drop in quick from <abusedesk_block>
# load this file: pfctl -t abusedesk_block -T replace -f /etc/pf.abusedesk_block
# or one by one: pfctl -t abusedesk_block -T add 203.0.113.0/31
# expire (daily): pfctl -t abusedesk_block -T expire 604800
# 203.0.113.0/31: 2 addresses, 2 offending, logs not checked for legitimate traffic
203.0.113.0/31" "$out"

expect_eq "block advice wrote nothing to the reports" "$before" \
    "$(sq s.db "SELECT count(*) || ' ' || group_concat(state) FROM reports")"

# --- JSON and the legitimate-traffic check --------------------------------
out=$(ad block --db s.db "${OWN[@]}" "${NOW[@]}" --all-reportable --json \
    --check-logs ok.log | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    print(o["cidr"], o["addresses"], o["offending"], o["legit_lines"],
          o["legit_offender_lines"], o["expires"], bool(o["example"]))')
expect_eq "--json with --check-logs" "\
203.0.113.0/31 2 2 1 1 2025-03-17T00:00:00Z True
203.0.113.9/32 1 1 0 0 2025-03-17T00:00:00Z False
2001:db8::9/128 1 1 0 0 2025-03-17T00:00:00Z False" "$out"

out=$(ad block --db s.db --source 2001:db8::1 --aggregate6 64:1 --json \
    --permanent --check-logs ok.log | python3 -c '
import json, sys
o = json.loads(sys.stdin.readline())
print(o["cidr"], o["addresses"], o["host_bits"], o["legit_lines"],
      o["legit_offender_lines"], o["expires"])
print(o["example"])')
expect_eq "a v6 /64 costs 2^64 addresses; a 200 answer there is legitimate" "\
2001:db8::/64 2^64 64 1 0 None
2001:db8::7 - - [03/Mar/2025:16:00:02 +0000] \"GET / HTTP/1.1\" 200 12 \"-\" \"x\"" "$out"

# --- usage and exit codes -------------------------------------------------
ad block --db s.db --format ufw >/dev/null 2>&1
expect_rc "unknown format" 1 "$?"
ad block --db s.db --expire 7d --permanent >/dev/null 2>&1
expect_rc "--expire with --permanent" 1 "$?"
ad block --db s.db --format iptables --expire 30d >/dev/null 2>&1
expect_rc "an expiry ipset cannot hold" 1 "$?"
ad block --db s.db --all-reportable --aggregate 8:2 >/dev/null 2>&1
expect_rc "an aggregation wider than the bound" 1 "$?"
ad block --db s.db --source not-an-address >/dev/null 2>&1
expect_rc "a bad --source" 1 "$?"
ad block --db s.db --source 192.0.2.1 --check-logs missing.log >/dev/null 2>&1
expect_rc "a log that cannot be read" 2 "$?"
ad block --db "$W/auth.log/x.db" --all-reportable >/dev/null 2>&1
expect_rc "a store that cannot be opened" 3 "$?"
check "--help says a block is never announced" \
    bash -c "'$ABUSEDESK' block --help | grep -q 'never announced'"
finish
