#!/usr/bin/env python3
"""gen-tables.py - build abusedesk's registry tables from the public
IANA and RIR registries.

  scripts/gen-tables.py [--src DIR] [--out DIR] [--date YYYY-MM-DD]

Reads from DIR (default ../shared/data):
  iana-rdap-bootstrap.{ipv4,ipv6,asn}.json   IANA RDAP bootstrap (RFC 9224)
  iana-ipv4-address-space.csv                IANA IPv4 /8 registry (WHOIS column)
  iana-ipv6-unicast-address-assignments.csv  IANA IPv6 unicast registry
  whois-client.ip_del_list, ip6_del_list, as_del_list
                                             CIDR/ASN -> whois server, with
                                             national-registry carve-outs
  whois-client.ip_del_recovered.tsv          IANA-recovered IPv4 space

Writes into DIR (default data/):
  rdap-bootstrap.tsv   CIDR|ASn-ASm <TAB> base-url [<TAB> base-url...]
  whois-servers.tsv    CIDR|ASn[-ASm] <TAB> host[:port] | rwhois://host:port

Both files start with '#' lines naming the sources and dates; abusedesk
picks the longest (most specific) match, so the order of lines does not
matter. Only https RDAP URLs are kept when a service offers https.
"""
import argparse
import csv
import datetime
import ipaddress
import json
import os
import re
import sys

SHORT = {
    'apnic': 'whois.apnic.net', 'ripe': 'whois.ripe.net',
    'arin': 'whois.arin.net', 'afrinic': 'whois.afrinic.net',
    'lacnic': 'whois.lacnic.net', 'twnic': 'whois.twnic.net',
}
SKIP = {'UNKNOWN', 'teredo', '6to4'}


def server_name(s):
    s = s.strip()
    if s in SKIP or not s:
        return None
    if s in SHORT:
        return SHORT[s]
    if s.startswith('rwhois.'):
        return 'rwhois://%s:4321' % s
    if '.' not in s:
        return 'whois.%s.net' % s
    return s


def strip_comment(line):
    return line.split('#', 1)[0].strip()


def norm_cidr(text):
    """Zero-padded IANA forms ("001/8", "2001:0200::/23") to canonical."""
    text = text.strip()
    if '/' in text and ':' not in text:
        addr, plen = text.split('/')
        parts = [str(int(p)) for p in addr.split('.')]
        while len(parts) < 4:
            parts.append('0')
        text = '.'.join(parts) + '/' + plen
    return str(ipaddress.ip_network(text, strict=False))


def rdap_rows(src):
    rows, pubs = {}, []
    for fam in ('ipv4', 'ipv6', 'asn'):
        path = os.path.join(src, 'iana-rdap-bootstrap.%s.json' % fam)
        with open(path, encoding='utf-8') as f:
            d = json.load(f)
        pubs.append('%s.json publication %s' % (fam, d.get('publication', '?')))
        for keys, urls in d['services']:
            https = [u for u in urls if u.startswith('https://')]
            urls = https or urls
            for k in keys:
                if fam == 'asn':
                    lo, _, hi = k.partition('-')
                    key = 'AS%s-AS%s' % (lo, hi or lo)
                else:
                    key = norm_cidr(k)
                rows[key] = urls
    # IANA-recovered IPv4 space re-allocated after the bootstrap snapshot:
    # the RIR that holds it now answers RDAP for it too.
    rir = {'whois.apnic.net': 'https://rdap.apnic.net/',
           'whois.ripe.net': 'https://rdap.db.ripe.net/',
           'whois.arin.net': 'https://rdap.arin.net/registry/',
           'whois.lacnic.net': 'https://rdap.lacnic.net/rdap/',
           'whois.afrinic.net': 'https://rdap.afrinic.net/rdap/'}
    with open(os.path.join(src, 'whois-client.ip_del_recovered.tsv'),
              encoding='utf-8') as f:
        for line in f:
            line = strip_comment(line)
            if line:
                cidr, srv = line.split()[:2]
                if srv in rir:
                    rows.setdefault(norm_cidr(cidr), [rir[srv]])
    pubs.append('recovered IPv4 space from ip_del_recovered (2026-02)')
    return rows, pubs


def whois_rows(src):
    rows = {}
    # Lowest precedence first: IANA /8 registry, then the client lists,
    # then the recovered space (a later write of the same key wins; a
    # longer prefix wins at lookup time anyway).
    with open(os.path.join(src, 'iana-ipv4-address-space.csv'),
              encoding='utf-8') as f:
        for r in csv.DictReader(f):
            w = (r.get('WHOIS') or '').strip()
            if w:
                rows[norm_cidr(r['Prefix'])] = w
    with open(os.path.join(src, 'iana-ipv6-unicast-address-assignments.csv'),
              encoding='utf-8') as f:
        for r in csv.DictReader(f):
            w = (r.get('WHOIS') or '').strip()
            if w and w != 'whois.iana.org':
                rows[norm_cidr(r['Prefix'])] = w
    for name in ('whois-client.ip_del_list', 'whois-client.ip6_del_list'):
        with open(os.path.join(src, name), encoding='utf-8') as f:
            for line in f:
                line = strip_comment(line)
                if not line:
                    continue
                cidr, srv = line.split()[:2]
                srv = server_name(srv)
                if srv:
                    rows[norm_cidr(cidr)] = srv
    with open(os.path.join(src, 'whois-client.as_del_list'),
              encoding='utf-8') as f:
        for line in f:
            line = strip_comment(line)
            if not line:
                continue
            lo, hi, srv = line.split()[:3]
            lo, hi = asplain(lo), asplain(hi)
            srv = server_name(srv)
            if srv:
                rows['AS%s-AS%s' % (lo, hi)] = srv
    with open(os.path.join(src, 'whois-client.ip_del_recovered.tsv'),
              encoding='utf-8') as f:
        for line in f:
            line = strip_comment(line)
            if not line:
                continue
            cidr, srv = line.split()[:2]
            srv = server_name(srv)
            if srv:
                rows[norm_cidr(cidr)] = srv
    return rows


def asplain(s):
    """RFC 5396 asdot "2.0" to asplain 131072."""
    if '.' in s:
        hi, lo = s.split('.')
        return str(int(hi) * 65536 + int(lo))
    return str(int(s))


def sort_key(k):
    if k.startswith('AS'):
        lo = k[2:].split('-')[0]
        return (2, int(lo), 0)
    n = ipaddress.ip_network(k)
    return (0 if n.version == 4 else 1, int(n.network_address), n.prefixlen)


def write(path, header, rows):
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        for h in header:
            f.write('# %s\n' % h)
        for k in sorted(rows, key=sort_key):
            v = rows[k]
            if isinstance(v, list):
                v = '\t'.join(v)
            if re.search(r'[\s#]', v.replace('\t', '')):
                raise SystemExit('bad value for %s: %r' % (k, v))
            f.write('%s\t%s\n' % (k, v))
    os.replace(tmp, path)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--src', default=os.path.join(here, '..', '..', 'shared',
                                                  'data'))
    ap.add_argument('--out', default=os.path.join(here, '..', 'data'))
    ap.add_argument('--date', default=datetime.date.today().isoformat())
    a = ap.parse_args()
    if not os.path.isdir(a.src):
        sys.exit('gen-tables.py: no source folder %s' % a.src)
    os.makedirs(a.out, exist_ok=True)
    rd, pubs = rdap_rows(a.src)
    write(os.path.join(a.out, 'rdap-bootstrap.tsv'), [
        'abusedesk RDAP bootstrap table, generated %s by scripts/gen-tables.py'
        % a.date,
        'source: IANA RDAP bootstrap (RFC 9224) https://data.iana.org/rdap/'
        '{ipv4,ipv6,asn}.json',
        'source dates: ' + '; '.join(pubs),
        'format: CIDR|ASn-ASm <TAB> base-url [<TAB> base-url...]; '
        'the longest match wins',
    ], rd)
    write(os.path.join(a.out, 'whois-servers.tsv'), [
        'abusedesk whois server table, generated %s by scripts/gen-tables.py'
        % a.date,
        'sources: IANA ipv4-address-space and ipv6-unicast-address-'
        'assignments (WHOIS column);',
        '  Marco d\'Itri whois client ip_del_list, ip6_del_list, as_del_list'
        ' (2026-02, national-registry carve-outs);',
        '  IANA ipv4-recovered-address-space via ip_del_recovered (2026-02)',
        'format: CIDR|ASn[-ASm] <TAB> host[:port] | rwhois://host:port; '
        'the longest match wins',
    ], whois_rows(a.src))
    return 0


if __name__ == '__main__':
    sys.exit(main())
