#!/usr/bin/env python3
"""score.py - every manifest entry of the recorded responses, looked up end to
end through `abusedesk lookup` against the replay servers.

  score.py FIXTURES WORKDIR -- LOOKUP-COMMAND...

For each entry the first service is forced to the entry's server (a user
--whois-servers or --rdap-bootstrap file mapping everything there, the
production way to choose a server), the query is the entry's address or
AS number (descriptive queries: the first address of the entry's range +1),
and the chain runs as in production: referrals, fallbacks, handle
resolution. Compared: the abuse mailboxes (as a set, case-insensitive),
the network range (the entry's CIDR or range must be among or cover the
answer's ranges) and the country.

Prints one line per entry and a summary; --min N exits 1 when fewer than N
entries match on the mailboxes.
"""
import ipaddress
import json
import os
import re
import subprocess
import sys

RDAP_BASE = {
    'rdap.arin.net': 'https://rdap.arin.net/registry/',
    'rdap.db.ripe.net': 'https://rdap.db.ripe.net/',
    'rdap.apnic.net': 'https://rdap.apnic.net/',
    'rdap.lacnic.net': 'https://rdap.lacnic.net/rdap/',
    'rdap.afrinic.net': 'https://rdap.afrinic.net/rdap/',
    'rdap.registro.br': 'https://rdap.registro.br/',
    'jpnic.rdap.apnic.net': 'https://jpnic.rdap.apnic.net/',
}


def norm_addr(a):
    a = a.strip()
    if ':' not in a:
        a = '.'.join(str(int(p)) for p in a.split('.'))
    return ipaddress.ip_address(a)


def entry_nets(text):
    """The entry's range as a list of networks (or None)."""
    if not text:
        return None
    text = text.split(' (')[0].strip()
    try:
        if ' - ' in text:
            a, b = [t.strip().split('/')[0] for t in text.split(' - ', 1)]
            return list(ipaddress.summarize_address_range(norm_addr(a),
                                                          norm_addr(b)))
        nets = []
        for part in text.split(','):
            part = part.strip()
            if '/' in part and ':' not in part:
                addr, plen = part.split('/')
                ps = addr.split('.')
                while len(ps) < 4:
                    ps.append('0')
                part = '.'.join(str(int(p)) for p in ps) + '/' + plen
            nets.append(ipaddress.ip_network(part, strict=False))
        return nets
    except ValueError:
        return None


def query_of(e):
    q = e['query'].strip()
    if re.fullmatch(r'(AS)?\d+', q, re.I):
        return q, 'asn'
    try:
        norm_addr(q)
        return q, 'ip'
    except ValueError:
        pass
    q = q.split(' (')[0].split(' - ')[0].split('/')[0].strip()
    try:
        return str(norm_addr(q)), 'ip'
    except ValueError:
        nets = entry_nets(e.get('cidr') or e.get('range') or '')
        if nets:
            return str(nets[0].network_address + 1), 'ip'
    return None, None


def main():
    args = sys.argv[1:]
    mn = None
    if args and args[0] == '--min':
        mn = int(args[1])
        args = args[2:]
    fixtures, work = args[0], args[1]
    cmd = args[3:] if args[2] == '--' else args[2:]
    entries = [json.loads(l) for l in
               open(os.path.join(fixtures, 'manifest-whois-rdap.jsonl'))]
    n = {'entries': len(entries), 'looked_up': 0, 'abuse_ok': 0,
         'range_ok': 0, 'range_n': 0, 'country_ok': 0, 'country_n': 0,
         'skipped': 0, 'via_referral': 0}
    for i, e in enumerate(entries):
        server = e['server']
        if server.endswith('-web'):
            n['skipped'] += 1
            print('skip  %-22s %s (web page, not a protocol answer)' %
                  (server, e['query']))
            continue
        q, kind = query_of(e)
        if q is None or '/entity_' in e['file']:
            n['skipped'] += 1
            print('skip  %-22s %s (entity: reached only through handle '
                  'resolution)' % (server, e['query']))
            continue
        d = os.path.join(work, 'e%02d' % i)
        os.makedirs(d, exist_ok=True)
        extra = ['--db', os.path.join(d, 'db'), '--json']
        if e['kind'] == 'whois':
            host, _, port = server.partition(':')
            tgt = ('rwhois://%s:%s' % (host, port)) if port == '4321' \
                else server
            with open(os.path.join(d, 'w.tsv'), 'w') as f:
                f.write('0.0.0.0/0\t%s\n::/0\t%s\nAS0-AS4294967295\t%s\n'
                        % (tgt, tgt, tgt))
            extra += ['--via', 'whois', '--whois-servers',
                      os.path.join(d, 'w.tsv')]
        else:
            base = RDAP_BASE.get(server, 'https://%s/' % server)
            with open(os.path.join(d, 'b.json'), 'w') as f:
                json.dump({'services': [[['0.0.0.0/0', '::/0'], [base]],
                                        [['1-4294967295'], [base]]]}, f)
            extra += ['--via', 'rdap', '--rdap-bootstrap',
                      os.path.join(d, 'b.json')]
        p = subprocess.run(cmd + extra + [q], capture_output=True, text=True,
                           timeout=120)
        try:
            o = json.loads(p.stdout.splitlines()[0])
        except (IndexError, ValueError):
            print('FAIL  %-22s %s: no JSON (%s)' % (server, q,
                                                   p.stderr.strip()[:200]))
            continue
        n['looked_up'] += 1
        want = sorted(x.lower() for x in e.get('abuse_emails', []))
        got = sorted(x.lower() for x in o['abuse'])
        via = ''
        src = (o.get('source') or {}).get('server') or ''
        if want != got and src and src not in (server, RDAP_BASE.get(server)):
            # The chain followed a referral: the entry of the server that
            # answered (same query) is the one to compare with.
            for e2 in entries:
                if e2['server'] == src.split('://')[-1].rstrip('/') and \
                        e2['query'] == e['query']:
                    want = sorted(x.lower() for x in e2['abuse_emails'])
                    via = ' (via referral to %s)' % src
                    n['via_referral'] += want == got
        ok = want == got
        n['abuse_ok'] += ok
        notes = []
        wn = entry_nets(e.get('cidr') or e.get('range') or '')
        if wn and kind == 'ip':
            n['range_n'] += 1
            gn = []
            for r in o['network']['ranges']:
                try:
                    gn.append(ipaddress.ip_network(r, strict=False))
                except ValueError:
                    pass
            rok = bool(gn) and all(any(g.subnet_of(w) or g == w
                                       for w in wn
                                       if w.version == g.version)
                                   for g in gn)
            n['range_ok'] += rok
            if not rok:
                notes.append('range %s vs %s' % (
                    ','.join(o['network']['ranges']) or '-',
                    e.get('cidr') or e.get('range')))
        if e.get('country'):
            n['country_n'] += 1
            cok = (o['network']['country'] or '').upper() == \
                e['country'].upper()
            n['country_ok'] += cok
            if not cok:
                notes.append('country %s vs %s' % (o['network']['country'],
                                                   e['country']))
        print('%-5s %-22s %-26s want %s got %s (%s)%s%s%s' % (
            'ok' if ok else 'DIFF', server, q, ','.join(want) or '-',
            ','.join(got) or '-', o['confidence'], via,
            ' [%s]' % '; '.join(notes) if notes else '',
            ' (%s)' % o['error'] if o.get('error') and not ok else ''))
    print('score: %(abuse_ok)d/%(looked_up)d abuse sets match '
          '(%(via_referral)d of them through a referral), '
          '%(range_ok)d/%(range_n)d ranges, %(country_ok)d/%(country_n)d '
          'countries (%(entries)d entries, %(skipped)d not reachable by a '
          'lookup)' % n)
    if mn is not None and n['abuse_ok'] < mn:
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
