#!/usr/bin/env python3
"""gen_netdev.py KIND SIZE OUT - synthetic IDS/network-device logs for the
parse-only benchmark (bench/README.md): KIND is asa, eve, fast or pflog.
Line shapes are those of tests/cases/parse/{asa,ids,pflog}.txt; about a
third of the lines are events (denies, alerts, blocks), the rest the
everyday traffic of each device (build/teardown, flow/dns/http records,
passes). Deterministic (seeded); never commit the output."""
import random
import sys

R = random.Random(7)


def ip():
    return "%d.%d.%d.%d" % (R.randint(1, 223), R.randint(0, 255),
                            R.randint(0, 255), R.randint(1, 254))


def t(i):
    s = i // 50
    return "Jun %2d %02d:%02d:%02d" % (1 + s // 86400 % 28, s // 3600 % 24,
                                      s // 60 % 60, s % 60)


def asa(i):
    k = R.random()
    if k < 0.35:
        return "%s 10.0.0.1 %%ASA-4-106023: Deny tcp src outside:%s/%d dst inside:192.0.2.%d/%d by access-group \"outside_in\" [0x0, 0x0]" % (
            t(i), ip(), R.randint(1024, 65535), R.randint(1, 254), R.choice((22, 23, 445, 3389)))
    if k < 0.65:
        return "%s 10.0.0.1 %%ASA-6-302013: Built inbound TCP connection %d for outside:%s/%d (%s/%d) to inside:192.0.2.%d/443 (192.0.2.%d/443)" % (
            t(i), i, ip(), R.randint(1024, 65535), ip(), R.randint(1024, 65535), R.randint(1, 254), R.randint(1, 254))
    if k < 0.95:
        return "%s 10.0.0.1 %%ASA-6-302014: Teardown TCP connection %d for outside:%s/%d to inside:192.0.2.%d/443 duration 0:00:%02d bytes %d TCP FINs" % (
            t(i), i, ip(), R.randint(1024, 65535), R.randint(1, 254), R.randint(0, 59), R.randint(0, 99999))
    return "%s 10.0.0.1 %%ASA-6-305011: Built dynamic TCP translation from inside:192.0.2.%d/%d to outside:198.51.100.1/%d" % (
        t(i), R.randint(1, 254), R.randint(1024, 65535), R.randint(1024, 65535))


def eve(i):
    ts = "2024-06-%02dT%02d:%02d:%02d.%06d+0000" % (1 + i // 4000000 % 28, i // 100000 % 24, i // 1000 % 60, i // 20 % 60, i % 1000000)
    head = '{"timestamp":"%s","flow_id":%d,"in_iface":"eth0","event_type":"%%s","src_ip":"%s","src_port":%d,"dest_ip":"192.0.2.%d","dest_port":%d,"proto":"TCP"' % (
        ts, R.randint(1, 2**50), ip(), R.randint(1024, 65535), R.randint(1, 254), R.choice((80, 443, 22)))
    k = R.random()
    if k < 0.3:
        return (head % "alert") + ',"tx_id":0,"alert":{"action":"allowed","gid":1,"signature_id":2024468,"rev":3,"signature":"ET WEB_SPECIFIC_APPS OGNL Expression Injection (CVE-2017-9791)","category":"Attempted User Privilege Gain","severity":1,"metadata":{"affected_product":["Apache_Struts2"],"attack_target":["Web_Server"],"created_at":["2017_07_14"]}},"app_proto":"http","flow":{"pkts_toserver":4,"pkts_toclient":3,"bytes_toserver":600,"bytes_toclient":400,"start":"%s"}}' % ts
    if k < 0.6:
        return (head % "flow") + ',"app_proto":"tls","flow":{"pkts_toserver":12,"pkts_toclient":10,"bytes_toserver":1800,"bytes_toclient":9000,"start":"%s","end":"%s","age":1,"state":"closed","reason":"timeout","alerted":false},"tcp":{"tcp_flags":"1b","tcp_flags_ts":"1b","tcp_flags_tc":"1b","syn":true,"fin":true,"psh":true,"ack":true,"state":"closed"}}' % (ts, ts)
    return (head % "http") + ',"tx_id":0,"http":{"hostname":"www.example.com","url":"/index.php?id=%d","http_user_agent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","http_content_type":"text/html","http_method":"GET","protocol":"HTTP/1.1","status":200,"length":%d}}' % (i, R.randint(100, 99999))


def fast(i):
    return "%02d/%02d/2024-%02d:%02d:%02d.%06d  [**] [1:2008578:4] ET SCAN Sipvicious Scan [**] [Classification: Attempted Information Leak] [Priority: 2] {UDP} %s:%d -> 192.0.2.%d:5060" % (
        6, 1 + i // 2000000 % 28, i // 80000 % 24, i // 1000 % 60, i // 20 % 60, i % 1000000, ip(), R.randint(1024, 65535), R.randint(1, 254))


def pflog(i):
    act = "block" if R.random() < 0.35 else "pass"
    return "Mar %2d %02d:%02d:%02d.%06d rule %d/(match) %s in on em0: %s.%d > 192.0.2.%d.%d: S %d:%d(0) win 512 <mss 1460>" % (
        1 + i // 4000000 % 28, i // 100000 % 24, i // 1000 % 60, i // 20 % 60, i % 1000000, R.randint(0, 9), act, ip(),
        R.randint(1024, 65535), R.randint(1, 254), R.choice((22, 23, 80, 443, 3389)), i, i)


def main():
    kind, size, out = sys.argv[1], sys.argv[2], sys.argv[3]
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    n = int(size[:-1]) * mult[size[-1]] if size[-1] in mult else int(size)
    gen = {"asa": asa, "eve": eve, "fast": fast, "pflog": pflog}[kind]
    done = i = 0
    with open(out, "w") as f:
        while done < n:
            line = gen(i) + "\n"
            f.write(line)
            done += len(line)
            i += 1


if __name__ == "__main__":
    main()
