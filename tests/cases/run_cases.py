#!/usr/bin/env python3
"""Parser triplets (after SSHGuard's tests.txt): one case per paragraph.

    # comment
    LINE                     the log line, as written to the log
    => SRC KIND CATEGORY     the event `abusedesk parse --json` must give,
                             or "=> -" for no event
    M | X                    M: must hold; X: known gap (reported, not failed)

Every case is parsed in a file of its own (the envelope is sniffed per
file). Prints TAP: "ok N - file:line" / "not ok N - ...".
Usage: run_cases.py ABUSEDESK DIR
"""
import json
import os
import subprocess
import sys


def cases(path):
    block = []
    for n, raw in enumerate(open(path, encoding="utf-8", errors="surrogateescape"), 1):
        line = raw.rstrip("\n")
        if line.startswith("#"):
            continue
        if not line.strip():
            if block:
                yield block
            block = []
            continue
        block.append((n, line))
    if block:
        yield block


def main():
    binary, d = sys.argv[1], sys.argv[2]
    k = failed = 0
    formats = set()
    for name in sorted(os.listdir(d)):
        if not name.endswith(".txt"):
            continue
        for block in cases(os.path.join(d, name)):
            k += 1
            where = "%s:%d" % (name, block[0][0])
            if len(block) != 3 or not block[1][1].startswith("=>") or \
                    block[2][1] not in ("M", "X"):
                print("not ok %d - %s: malformed case" % (k, where))
                failed += 1
                continue
            text = block[0][1].encode("utf-8", "surrogateescape") + b"\n"
            want = block[1][1][2:].split()
            out = subprocess.run([binary, "parse", "--json", "-q", "--tz", "UTC",
                                  "--year", "2024", "-"], input=text,
                                 capture_output=True, check=False)
            evs = [json.loads(x) for x in out.stdout.decode().splitlines()]
            got = ["-"] if not evs else \
                [evs[0]["src"], evs[0]["kind"], evs[0]["category"]]
            good = got == want
            formats.update(e.get("format") for e in evs if e.get("format"))
            if good:
                print("ok %d - %s" % (k, where))
            elif block[2][1] == "X":
                print("ok %d - %s # TODO known gap: got %s" % (k, where, " ".join(got)))
            else:
                failed += 1
                print("not ok %d - %s" % (k, where))
                print("#   line: %s" % block[0][1])
                print("#   want: %s" % " ".join(want))
                print("#   got:  %s" % " ".join(got))
    # Every format an event named has a legend (`abusedesk formats`).
    for fmt in sorted(formats):
        k += 1
        if subprocess.run([binary, "formats", fmt], capture_output=True,
                          check=False).returncode == 0:
            print("ok %d - legend of format %s" % (k, fmt))
        else:
            failed += 1
            print("not ok %d - no legend for format %s" % (k, fmt))
    print("1..%d" % k)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
