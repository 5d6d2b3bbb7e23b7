#!/usr/bin/env python3
"""score_lookup.py - the whois and RDAP parsers against the recorded answers.

For every entry of ../shared/fixtures/manifest-whois-rdap.jsonl, parses its
file with `abusedesk whois-parse` or `abusedesk rdap-parse` (no network) and
compares with what the manifest says a careful reader takes from it:

  abuse     the set of addresses we would write to: contacts of high or
            medium confidence that are not registry placeholders
  range     first and last address (or AS numbers) of the network
  cidr      the CIDR list, as a set (where the manifest gives one)
  country, netname, parent, handle, referral   where the manifest gives them

Whatever the manifest says, an address we return must never hold a space,
CR, LF or control byte (it goes into mail headers): that is checked on every
contact and is a hard failure.

Exit: 0 pass, 1 fail (an invariant broke or exact abuse matches fell below
--min-abuse), 77 skip (../shared absent). --markdown prints the figures and
the disagreements as docs/accuracy-lookup.md uses them.
"""
import argparse
import ipaddress
import json
import os
import re
import subprocess
import sys

FIELDS = ("abuse", "range", "cidr", "country", "netname", "parent",
          "handle", "referral")


def norm_v4(s):
    """074.125.000.000 -> 74.125.0.0; abbreviated 200.57.128 padded."""
    parts = s.split(".")
    if len(parts) > 4 or not all(p.isdigit() for p in parts):
        return s
    parts = [str(int(p)) for p in parts] + ["0"] * (4 - len(parts))
    return ".".join(parts)


def addr(s):
    s = s.strip()
    s = re.sub(r"/\d+$", "", s)          # "62.239.237.0/32" (old RIPE RDAP)
    if ":" not in s:
        s = norm_v4(s)
    return ipaddress.ip_address(s)


def manifest_range(text):
    """The manifest's range as (first, last), or ("AS", lo, hi)."""
    t = re.sub(r"\s*\(.*\)\s*$", "", text.strip())   # "(parent ...)", "(/24)"
    m = re.match(r"^AS(\d+)\s*-\s*AS(\d+)$", t)
    if m:
        return ("AS", int(m.group(1)), int(m.group(2)))
    if " - " in t:
        a, b = t.split(" - ", 1)
        return (addr(a), addr(b))
    if "/" in t:
        a, plen = t.rsplit("/", 1)
        a = a if ":" in a else norm_v4(a)
        net = ipaddress.ip_network("%s/%s" % (a, plen), strict=False)
        return (net.network_address, net[-1])
    a = addr(t)
    return (a, a)


def got_range(d):
    if d.get("asn"):
        return ("AS", d["asn"]["start"], d["asn"]["end"])
    n = d["network"]
    if n["start"] is None:
        return None
    return (ipaddress.ip_address(n["start"]), ipaddress.ip_address(n["end"]))


def canon_cidrs(text):
    out = set()
    for c in text.split(","):
        c = c.strip()
        if c:
            out.add(str(ipaddress.ip_network(c, strict=False)))
    return out


def referral_text(r):
    if not r:
        return None
    if r["kind"] == "rdap":
        return r["url"]
    s = "%s://%s" % (r["kind"], r["host"])
    if r.get("port"):
        s += ":%d" % r["port"]
    return s


def norm_referral(s):
    s = s.strip().rstrip("/")
    if "://" not in s:
        s = "whois://" + s
    return s.lower()


SAFE = re.compile(r"^[!-~]+@[A-Za-z0-9.-]+$")


def check_invariants(d, where, problems):
    for c in d["abuse"]:
        e = c["email"]
        if not SAFE.match(e) or any(ch in e for ch in "\r\n\t \x00"):
            problems.append("%s: unsafe address %r" % (where, e))
        if c["confidence"] not in ("high", "medium", "low"):
            problems.append("%s: bad confidence %r" % (where, c))


def score(args):
    fx = os.path.join(args.shared, "fixtures")
    manifest = os.path.join(fx, "manifest-whois-rdap.jsonl")
    if not os.path.exists(manifest):
        print("skip: %s absent" % manifest)
        return 77
    totals = {f: [0, 0] for f in FIELDS}   # field -> [match, compared]
    disagreements = []
    problems = []
    entries = 0
    for line in open(manifest, encoding="utf-8"):
        line = line.strip()
        if not line:
            continue
        m = json.loads(line)
        entries += 1
        path = os.path.join(fx, m["file"])
        server = m["server"]
        if m["kind"] == "rdap":
            cmd = [args.bin, "rdap-parse", "--server",
                   "https://%s/" % server, path]
        else:
            cmd = [args.bin, "whois-parse", "--server", server, path]
        p = subprocess.run(cmd, capture_output=True)
        where = m["file"]
        if p.returncode != 0:
            problems.append("%s: exit %d: %s" % (
                where, p.returncode, p.stderr.decode(errors="replace")))
            continue
        try:
            d = json.loads(p.stdout)
        except ValueError as e:
            problems.append("%s: output is not JSON (%s)" % (where, e))
            continue
        check_invariants(d, where, problems)

        def cmp(field, ok, want, got):
            totals[field][1] += 1
            if ok:
                totals[field][0] += 1
            else:
                disagreements.append((where, field, want, got,
                                      m.get("notes", "")))

        want = sorted(e.lower() for e in m.get("abuse_emails", []))
        got = sorted({c["email"].lower() for c in d["abuse"]
                      if c["confidence"] in ("high", "medium")
                      and not c["placeholder"]})
        cmp("abuse", want == got, want, got)
        if "range" in m:
            try:
                wr = manifest_range(m["range"])
            except ValueError:
                wr = m["range"]
            gr = got_range(d)
            cmp("range", wr == gr, m["range"],
                None if gr is None else "%s - %s" % gr[-2:])
        if "cidr" in m:
            gc = set(d["network"]["ranges"])
            cmp("cidr", canon_cidrs(m["cidr"]) == gc, m["cidr"],
                ", ".join(sorted(gc)))
        if "country" in m:
            gcc = d["network"]["country"]
            cmp("country", (gcc or "").upper() == m["country"].upper(),
                m["country"], gcc)
        if "netname" in m:
            wn = re.sub(r"\s*\(ownerid\)$", "", m["netname"])
            gn = d["network"]["name"]
            cmp("netname", gn == wn, wn, gn)
        if "parent" in m:
            gp = d["parent"]["handle"]
            cmp("parent", gp == m["parent"], m["parent"], gp)
        if "handle" in m:
            gh = d["network"]["handle"]
            cmp("handle", gh == m["handle"], m["handle"], gh)
        if "referral" in m:
            gref = referral_text(d["referral"])
            cmp("referral", gref is not None and
                norm_referral(gref) == norm_referral(m["referral"]),
                m["referral"], gref)

    def pct(f):
        a, b = totals[f]
        return "%d/%d (%.0f %%)" % (a, b, 100.0 * a / b) if b else "-"

    print("entries: %d" % entries)
    for f in FIELDS:
        print("%-9s %s" % (f, pct(f)))
    if args.markdown:
        print()
        print("| field | exact matches |")
        print("|---|---|")
        for f in FIELDS:
            print("| %s | %s |" % (f, pct(f)))
        print()
        print("| file | field | manifest | parser |")
        print("|---|---|---|---|")
        for w, f, a, b, _ in disagreements:
            print("| %s | %s | %s | %s |" % (w, f, a, b))
    else:
        for w, f, a, b, n in disagreements:
            print("  differs: %s %s: manifest %r, parser %r" % (w, f, a, b))
    for pr in problems:
        print("PROBLEM: " + pr)
    a, b = totals["abuse"]
    if problems:
        return 1
    if b and 100.0 * a / b < args.min_abuse:
        print("abuse exact matches %.0f %% below the floor %.0f %%" %
              (100.0 * a / b, args.min_abuse))
        return 1
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="./abusedesk")
    ap.add_argument("--shared", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
        "shared"))
    ap.add_argument("--min-abuse", type=float, default=85.0,
                    help="floor for exact abuse-set matches, percent")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    sys.exit(score(args))


if __name__ == "__main__":
    main()
