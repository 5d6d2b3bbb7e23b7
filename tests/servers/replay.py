#!/usr/bin/env python3
"""replay.py - whois, rwhois and RDAP (HTTPS) servers on loopback that answer
from recorded registry responses, plus misbehaving servers.

  replay.py --fixtures DIR [--fixtures DIR...] --out DIR [--cert FILE --key FILE]

Reads each DIR/manifest-whois-rdap.jsonl (kind, server, query, file, range, cidr)
and listens on 127.0.0.1, one ephemeral port per whois/rwhois server name
and one HTTPS port for every RDAP server (the Host header says which).
Writes OUT/ports.json ({"whois": {name: port}, "rdap": port}), then
OUT/ready. Every query received is appended to OUT/queries.log as
"PROTO SERVER QUERY" (one line, escaped), so tests can count them, and
to OUT/timing.log as "start|end ID PROTO SERVER MONOTONIC-SECONDS" (end is
written before the last bytes of the answer, so a client that waits for an
answer before its next query always shows end < start). While the file
OUT/overlap_wait holds a number of seconds, each query is held (up to that
long) until a query to another server is in flight too: a client that
queries different servers at once then shows it without timing luck.

Answers: the file whose manifest query is the asked one, else the most
specific manifest range of that server holding the asked address, else the
server's "not found" text (RDAP: 404 with an RDAP error object).

Misbehaving whois servers (names ending in .test):
  slow.test      a valid answer, one byte a second
  endless.test   never stops sending
  garbage.test   random binary bytes, then closes
  oversized.test 3 MiB of whois-looking text
  hang.test      accepts, reads, never answers
  loop-a.test / loop-b.test   refer to each other (ARIN ReferralServer)
  inject.test    an answer whose abuse mailbox tries header injection
  ripelimit.test RIPE's %ERROR:201 (access denied: rate limited)
  lacniclimit.test LACNIC's joint whois saying the query rate limit is
                 exceeded (no recorded notice in the fixtures: the text is
                 the one the whois parser recognises)
  wide.test      claims 0.0.0.0/0 (must not answer for the Internet)
and RDAP hosts: ratelimit.test (429 + Retry-After: 120), loop.test
(redirects to itself); *.bench.test answers every IPv4 /16 as a network
(bench/lookup.sh), after OUT/bench_delay_ms milliseconds if that file exists.
"""
import argparse
import ipaddress
import json
import os
import random
import re
import socket
import socketserver
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG_LOCK = threading.Lock()
ARGS = None
WHOIS = {}      # server name -> list of entries
RDAP = {}       # host -> list of entries


def log(proto, server, query):
    q = query.encode('unicode_escape').decode('ascii')
    with LOG_LOCK:
        with open(os.path.join(ARGS.out, 'queries.log'), 'a') as f:
            f.write('%s %s %s\n' % (proto, server, q))


INFLIGHT = {}                   # query id -> server
INFLIGHT_CV = threading.Condition()
NEXT_ID = [0]


def timing(what, qid, proto, server):
    with LOG_LOCK:
        with open(os.path.join(ARGS.out, 'timing.log'), 'a') as f:
            f.write('%s %d %s %s %.6f\n' % (what, qid, proto, server,
                                            time.monotonic()))


def query_start(proto, server):
    """Marks a query in flight; holds it while OUT/overlap_wait asks."""
    with INFLIGHT_CV:
        NEXT_ID[0] += 1
        qid = NEXT_ID[0]
        INFLIGHT[qid] = server
        INFLIGHT_CV.notify_all()
    timing('start', qid, proto, server)
    try:
        with open(os.path.join(ARGS.out, 'overlap_wait')) as f:
            wait = float(f.read().strip() or 0)
    except (OSError, ValueError):
        wait = 0
    if wait > 0:
        end = time.monotonic() + wait
        with INFLIGHT_CV:
            while not any(v != server for v in INFLIGHT.values()):
                left = end - time.monotonic()
                if left <= 0:
                    break
                INFLIGHT_CV.wait(left)
    return qid


def query_end(qid, proto, server):
    timing('end', qid, proto, server)
    with INFLIGHT_CV:
        INFLIGHT.pop(qid, None)
        INFLIGHT_CV.notify_all()


def parse_range(text):
    """'a - b', 'cidr', '200.57.128/19', 'AS1 - AS5' -> (lo, hi) ints."""
    if not text:
        return None
    text = text.split(' (')[0].strip()
    m = re.match(r'^AS(\d+)\s*-\s*AS(\d+)$', text)
    if m:
        return ('as', int(m.group(1)), int(m.group(2)))
    try:
        if ' - ' in text:
            a, b = [t.strip().split('/')[0] for t in text.split(' - ', 1)]
            a, b = norm_addr(a), norm_addr(b)
            return ('ip', int(a), int(b))
        first = text.split(',')[0].strip()
        if '/' in first and ':' not in first:
            addr, plen = first.split('/')
            parts = addr.split('.')
            while len(parts) < 4:
                parts.append('0')
            first = '.'.join(str(int(p)) for p in parts) + '/' + plen
        n = ipaddress.ip_network(first, strict=False)
        return ('ip', int(n.network_address), int(n.broadcast_address))
    except ValueError:
        return None


def norm_addr(a):
    if ':' not in a:
        a = '.'.join(str(int(p)) for p in a.split('.'))
    return ipaddress.ip_address(a)


def load(fixtures):
    with open(os.path.join(fixtures, 'manifest-whois-rdap.jsonl')) as f:
        for line in f:
            e = json.loads(line)
            if e['server'].endswith('-web'):
                continue
            rng = None
            for k in ('cidr', 'range'):
                rng = parse_range(e.get(k) or '')
                if rng:
                    break
            e['_rng'] = rng
            e['_path'] = os.path.join(fixtures, e['file'])
            table = WHOIS if e['kind'] == 'whois' else RDAP
            table.setdefault(e['server'], []).append(e)


def find(entries, query, kind='ip'):
    """Exact query first, then the narrowest range holding the address."""
    q = query.strip()
    for e in entries:
        if e['query'] == q:
            return e
    try:
        if kind == 'as':
            v = int(q.upper().lstrip('AS'))
        else:
            v = int(norm_addr(q.split('/')[0]))
    except ValueError:
        return None
    best = None
    for e in entries:
        r = e['_rng']
        if not r or r[0] != kind or not r[1] <= v <= r[2]:
            continue
        if best is None or r[2] - r[1] < best['_rng'][2] - best['_rng'][1]:
            best = e
    return best


def whois_query_text(line):
    """The address or handle in a client's query line ('n + 1.2.3.4')."""
    toks = line.split()
    if not toks:
        return ''
    q = toks[-1]
    if q.endswith('/e'):
        q = q[:-2]
    return q


NOT_FOUND = {
    'whois.ripe.net': '%ERROR:101: no entries found\n',
    'whois.arin.net': '#\n# No match found for {q}.\n#\n',
}


class WhoisHandler(socketserver.BaseRequestHandler):
    def setup(self):
        self.request.settimeout(30)

    def readline(self):
        buf = b''
        while b'\n' not in buf and len(buf) < 4096:
            d = self.request.recv(4096)
            if not d:
                break
            buf += d
        return buf.split(b'\n')[0].rstrip(b'\r').decode('latin-1')

    def handle(self):
        name = self.server.name
        rwhois = self.server.rwhois
        try:
            if rwhois:
                self.request.sendall(
                    b'%rwhois V-1.5:003fff:00 ' + name.encode() +
                    b' (replay)\r\n')
            line = self.readline()
            proto = 'rwhois' if rwhois else 'whois'
            log(proto, name, line)
            bad = BAD.get(name.split(':')[0])
            if bad:
                bad(self.request, line)
                return
            qid = query_start(proto, name)
            e = find(WHOIS.get(name, []), whois_query_text(line))
            if e:
                with open(e['_path'], 'rb') as f:
                    data = f.read()
                if rwhois and data.startswith(b'%rwhois'):
                    data = data.split(b'\n', 1)[1]
            elif rwhois:
                data = b'%error 230 No Objects Found\n'
            else:
                data = NOT_FOUND.get(name, 'No match for "{q}".\n').format(
                    q=whois_query_text(line)).encode()
            query_end(qid, proto, name)
            self.request.sendall(data)
        except OSError:
            pass


# Misbehaving whois servers ---------------------------------------------

def bad_slow(sock, line):
    data = (b'% slow server\ninetnum: 5.5.5.0 - 5.5.5.255\n'
            b'abuse-mailbox: abuse@slow.example\n')
    for b in data:
        sock.sendall(bytes([b]))
        time.sleep(1)


def bad_endless(sock, line):
    chunk = b'remarks: this answer never ends\n' * 256
    while True:
        sock.sendall(chunk)


def bad_garbage(sock, line):
    r = random.Random(42)
    sock.sendall(bytes(r.randrange(256) for _ in range(65536)))


def bad_oversized(sock, line):
    chunk = b'remarks: abuse@oversized.example padding padding padding\n'
    sent = 0
    while sent < 3 * 1024 * 1024:
        sock.sendall(chunk * 64)
        sent += len(chunk) * 64


def bad_hang(sock, line):
    time.sleep(120)


def bad_loop(other):
    def f(sock, line):
        sock.sendall((
            '#\nNetRange:       6.6.6.0 - 6.6.6.255\nCIDR:           6.6.6.0/24\n'
            'NetName:        LOOP\nNetHandle:      NET-6-6-6-0-1\n'
            'ReferralServer: whois://%s\n#\n' % other).encode())
    return f


def bad_inject(sock, line):
    sock.sendall(
        b'inetnum:        7.7.7.0 - 7.7.7.255\r\n'
        b'netname:        INJECT\r\n'
        b'country:        NL\r\n'
        b'abuse-mailbox:  abuse@inject.example\r\nBcc: victim@example.org\r\n'
        b'abuse-mailbox:  evil@inject.example\rBcc: victim@example.org\r\n'
        b'abuse-mailbox:  "evil\r\nTo: x@y"@inject.example\r\n'
        b'abuse-mailbox:  abuse@inject.example%0d%0aBcc:x@y.example\r\n'
        b'source:         RIPE\r\n')


def bad_ripelimit(sock, line):
    sock.sendall(b'% This is the RIPE Database query service.\n%\n'
                 b'%ERROR:201: access denied for 127.0.0.1\n%\n'
                 b'% Sorry, access from your host has been permanently\n'
                 b'% denied because of a repeated excessive querying.\n')


def bad_lacniclimit(sock, line):
    sock.sendall(b'\r\n% Joint Whois - whois.lacnic.net\r\n'
                 b'%  This server accepts single ASN, IPv4 or IPv6 queries\r\n'
                 b'\r\n% Query rate limit exceeded\r\n\r\n')


def bad_wide(sock, line):
    sock.sendall(b'inetnum:        0.0.0.0 - 255.255.255.255\n'
                 b'netname:        EVERYTHING\n'
                 b'country:        NL\n'
                 b'abuse-mailbox:  abuse@wide.example\n'
                 b'source:         RIPE\n')


BAD = {
    'ripelimit.test': bad_ripelimit, 'wide.test': bad_wide,
    'lacniclimit.test': bad_lacniclimit,
    'slow.test': bad_slow, 'endless.test': bad_endless,
    'garbage.test': bad_garbage, 'oversized.test': bad_oversized,
    'hang.test': bad_hang, 'loop-a.test': bad_loop('loop-b.test'),
    'loop-b.test': bad_loop('loop-a.test'), 'inject.test': bad_inject,
}


class WhoisServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


# RDAP over HTTPS --------------------------------------------------------

class RdapHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    # headers and body are two writes: without this, Nagle + delayed ACK
    # add 40 ms to every answer
    disable_nagle_algorithm = True

    def log_message(self, fmt, *a):
        pass

    def send(self, code, body, ctype='application/rdap+json', extra=()):
        if getattr(self, 'qid', None) is not None:
            query_end(self.qid, 'rdap', self.host)
            self.qid = None
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        host = (self.headers.get('Host') or '').split(':')[0].lower()
        log('rdap', host, self.path)
        self.host = host
        self.qid = query_start('rdap', host)
        if host == 'ratelimit.test':
            return self.send(429, b'{"errorCode":429,"title":"Too Many'
                             b' Requests"}', extra=[('Retry-After', '120')])
        if host == 'loop.test':
            return self.send(302, b'', extra=[('Location', self.path)])
        if host == 'iana.test':
            name = os.path.basename(self.path)
            p = os.path.join(ARGS.fixtures[0], '..', 'data',
                             'iana-rdap-bootstrap.' + name)
            if self.path.startswith('/rdap/') and \
                    name in ('ipv4.json', 'ipv6.json', 'asn.json') and \
                    os.path.exists(p):
                with open(p, 'rb') as f:
                    return self.send(200, f.read(), 'application/json')
            return self.send(404, b'not found', 'text/plain')
        if host.endswith('.bench.test'):
            return self.bench()
        m = re.search(r'/(ip|autnum|entity)/(.+)$', self.path.split('?')[0])
        if not m:
            return self.not_found()
        kind, q = m.group(1), m.group(2)
        entries = RDAP.get(host, [])
        fname = '%s_%s.json' % (kind, q.replace(':', '_').replace('/', '_'))
        path = os.path.join(ARGS.fixtures[0], 'rdap', host, fname)
        if not os.path.exists(path):
            e = None
            if kind in ('ip', 'autnum'):
                e = find([x for x in entries
                          if x['file'].split('/')[-1].startswith(kind + '_')],
                         q, 'as' if kind == 'autnum' else 'ip')
            if e is None:
                return self.not_found()
            path = e['_path']
        with open(path, 'rb') as f:
            self.send(200, f.read())

    def bench(self):
        """Synthetic networks for bench/lookup.sh: every IPv4 /16 is one
        network with its own abuse mailbox."""
        m = re.search(r'/ip/(\d+)\.(\d+)\.\d+\.\d+$', self.path)
        if not m:
            return self.not_found()
        a, b = m.group(1), m.group(2)
        try:    # OUT/bench_delay_ms: a registry's round trip, simulated
            with open(os.path.join(ARGS.out, 'bench_delay_ms')) as f:
                time.sleep(float(f.read().strip() or 0) / 1000)
        except (OSError, ValueError):
            pass
        net = {
            'rdapConformance': ['rdap_level_0'],
            'objectClassName': 'ip network',
            'handle': 'NET-%s-%s-0-0-1' % (a, b),
            'startAddress': '%s.%s.0.0' % (a, b),
            'endAddress': '%s.%s.255.255' % (a, b),
            'ipVersion': 'v4', 'name': 'BENCH-%s-%s' % (a, b),
            'type': 'ASSIGNED', 'country': 'NL',
            'port43': 'whois.bench.test',
            'entities': [{
                'objectClassName': 'entity', 'handle': 'ABUSE-%s-%s' % (a, b),
                'roles': ['abuse'],
                'vcardArray': ['vcard', [
                    ['version', {}, 'text', '4.0'],
                    ['fn', {}, 'text', 'Abuse desk %s.%s' % (a, b)],
                    ['kind', {}, 'text', 'group'],
                    ['email', {}, 'text', 'abuse@net-%s-%s.example' % (a, b)],
                ]]}],
        }
        self.send(200, json.dumps(net).encode())

    def not_found(self):
        self.send(404, b'{"rdapConformance":["rdap_level_0"],'
                  b'"errorCode":404,"title":"Not Found"}')


class RdapServer(ThreadingHTTPServer):
    daemon_threads = True


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument('--fixtures', required=True, action='append')
    ap.add_argument('--out', required=True)
    ap.add_argument('--cert')
    ap.add_argument('--key')
    ARGS = ap.parse_args()
    for d in ARGS.fixtures:
        load(d)
    ports = {'whois': {}, 'rdap': None}
    names = list(WHOIS) + list(BAD) + ['root.rwhois.net:4321']
    for name in names:
        s = WhoisServer(('127.0.0.1', 0), WhoisHandler)
        s.name = name
        s.rwhois = name.endswith(':4321')
        ports['whois'][name] = s.server_address[1]
        threading.Thread(target=s.serve_forever, daemon=True).start()
    if ARGS.cert:
        h = RdapServer(('127.0.0.1', 0), RdapHandler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ARGS.cert, ARGS.key)
        h.socket = ctx.wrap_socket(h.socket, server_side=True)
        ports['rdap'] = h.server_address[1]
        threading.Thread(target=h.serve_forever, daemon=True).start()
    with open(os.path.join(ARGS.out, 'ports.json'), 'w') as f:
        json.dump(ports, f)
    open(os.path.join(ARGS.out, 'ready'), 'w').close()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    sys.exit(main())
