#!/usr/bin/env bash
# netdev: IDS and network device logs end to end. Snort's full alert format
# (multi-line records: the event comes from the address line, with the
# header's signature, classification and priority), a Snort fast.log and a
# Suricata EVE file become ids-alert incidents; a Cisco ASA log and a pf log
# become port-scan events; every format an event names has a legend
# (`abusedesk formats NAME`). No ground truth exists for Snort's own
# formats or pf's tcpdump text: these records are written from the output
# code's documented shapes.
. "$(dirname "$0")/helpers.bash"
need python3

cd "$W" || exit 1
cat > alert <<'X'
[**] [1:2019401:3] ET POLICY Suspicious inbound to mySQL port 3306 [**]
[Classification: Potentially Bad Traffic] [Priority: 2] 
01/02-10:08:59.667372 198.51.100.1:40000 -> 192.0.2.1:3306
TCP TTL:49 TOS:0x0 ID:54321 IpLen:20 DgmLen:40
******S* Seq: 0x1A2B3C4D  Ack: 0x0  Win: 0x400  TcpLen: 20

[**] [1:384:5] ICMP PING [**]
[Classification: Misc activity] [Priority: 3] 
01/02/24-10:09:00.000001 198.51.100.2 -> 192.0.2.1
ICMP TTL:64 TOS:0x0 ID:1 IpLen:20 DgmLen:84
Type:8  Code:0  ID:1   Seq:1  ECHO

[**] [122:1:1] (portscan) TCP Portscan [**]
[Priority: 3] 
01/02-10:09:01.000001 198.51.100.3 -> 192.0.2.1
PROTO:255 TTL:0 TOS:0x0 ID:0 IpLen:20 DgmLen:162

01/02-10:09:02.000001 203.0.113.4:1 -> 192.0.2.1:2
TCP TTL:49 TOS:0x0 ID:54321 IpLen:20 DgmLen:40

[**] [1:1:1] header whose address line never comes [**]
[Classification: Misc activity] [Priority: 3] 
TCP TTL:49 TOS:0x0 ID:54321 IpLen:20 DgmLen:40
01/02-10:09:02.000001 203.0.113.5:1 -> 192.0.2.1:2

[**] [1:1:1] compressed IPv6 with a short port: ambiguous [**]
01/02-10:09:03.000001 2001:db8::5:1234 -> 2001:db8::1:22

[**] [1:1:1] bracketed IPv6 [**]
01/02-10:09:03.000001 [2001:db8::6]:40000 -> [2001:db8::1]:22
X
out=$("$ABUSEDESK" parse --json -q --tz UTC --year 2024 alert)
expect_eq "snort-full: one event per record with an address line" \
"3 198.51.100.1 2024-01-02T10:08:59.667372+00:00 ET POLICY Suspicious inbound to mySQL port 3306|Potentially Bad Traffic|2
9 198.51.100.2 2024-01-02T10:09:00.000001+00:00 ICMP PING|Misc activity|3
15 198.51.100.3 2024-01-02T10:09:01.000001+00:00 (portscan) TCP Portscan|None|3
30 2001:db8::6 2024-01-02T10:09:03.000001+00:00 bracketed IPv6|None|None" \
"$(printf '%s\n' "$out" | python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    print(e["line"], e["src"], e["time"], "%s|%s|%s" % (e.get("detail"), e.get("label"), e.get("severity")))')"

# A part of the file that starts mid-record (what a second scan thread or a
# resumed scan sees) is still read as the full alert format: the headless
# first record yields nothing, the next ones their events.
tail -n +3 alert > alert-tail
expect_eq "snort-full from mid-record" "198.51.100.2 198.51.100.3 2001:db8::6" \
    "$("$ABUSEDESK" parse --json -q --tz UTC --year 2024 alert-tail | python3 -c '
import json, sys
print(" ".join(json.loads(l)["src"] for l in sys.stdin))')"

# Every format an event of these families can name has a legend.
printf '%s\n' \
 '07/11/2022-10:29:32.251216  [**] [1:2008578:4] ET SCAN Sipvicious Scan [**] [Classification: Attempted Information Leak] [Priority: 2] {UDP} 198.51.100.10:5116 -> 192.0.2.55:5060' > fast.log
printf '%s\n' \
 '{"timestamp":"2022-07-10T23:50:05.533101+0000","event_type":"alert","src_ip":"198.51.100.11","src_port":1,"dest_ip":"192.0.2.55","dest_port":80,"proto":"TCP","app_proto":"http","alert":{"signature":"ET WEB x","category":"Web Application Attack","severity":1}}' > eve.json
printf '%s\n' \
 'Jun 19 12:00:00 10.0.0.1 %ASA-4-106023: Deny tcp src outside:198.51.100.12/2143 dst inside:192.0.2.1/139 by access-group "outside_in"' > asa.log
printf '%s\n' \
 'Mar 29 11:04:11.497000 rule 0/(match) block in on em0: 198.51.100.13.55555 > 192.0.2.1.22: S 123:123(0) win 512' > pflog.txt
for f in alert fast.log eve.json asa.log pflog.txt; do
	fmts=$("$ABUSEDESK" parse --json -q --tz UTC --year 2024 "$f" |
	    python3 -c 'import json,sys; print("\n".join(sorted({json.loads(l)["format"] for l in sys.stdin})))')
	check "$f: events found" test -n "$fmts"
	for fm in $fmts; do
		check "$f: legend for $fm" sh -c "'$ABUSEDESK' formats '$fm' | grep -q ."
	done
done
expect_eq "EVE alert on TCP with app_proto is proven" "proven" \
    "$("$ABUSEDESK" parse --json -q eve.json | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["evidence"])')"

# IDS alerts become incidents (threshold 1).
"$ABUSEDESK" scan -q --tz UTC --year 2024 --db "$W/x.db" alert fast.log eve.json >/dev/null 2>&1
got=$("$ABUSEDESK" incidents --db "$W/x.db" --all --json | python3 -c '
import json, sys
print(" ".join(sorted(json.loads(l)["src"] for l in sys.stdin if json.loads(l)["category"] == "ids-alert")))')
expect_eq "ids-alert incidents" "198.51.100.1 198.51.100.10 198.51.100.11 198.51.100.2 198.51.100.3 2001:db8::6" "$got"
finish
