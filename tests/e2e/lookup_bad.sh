#!/usr/bin/env bash
# lookup_bad: misbehaving servers on loopback (tests/servers/replay.py) each
# give a clear error or a safe answer, never a hang: slow (a byte a second),
# endless, garbage, oversized, hanging, a referral loop (whois and RDAP),
# HTTP 429 with Retry-After (then honoured by the next run), RIPE's and
# LACNIC's rate-limit notices (backed off in the store), header injection
# in the answer, and CR/LF in the query.
. "$(dirname "$0")/helpers.bash"
need python3 openssl timeout
[ -d "$SHARED/fixtures" ] || skip "no \$SHARED/fixtures"
. "$(dirname "$0")/../servers/start.bash"
replay_start "$W" "$SHARED/fixtures" || { echo "FAIL: replay servers"; exit 1; }

cat >"$W/servers.tsv" <<'T'
# test ranges -> misbehaving servers (public space: nothing is refused)
5.5.5.0/24	slow.test
5.5.6.0/24	endless.test
5.5.7.0/24	garbage.test
5.5.8.0/24	oversized.test
5.5.9.0/24	hang.test
6.6.6.0/24	loop-a.test
7.7.7.0/24	inject.test
5.5.10.0/24	ripelimit.test
5.5.11.0/24	wide.test
5.5.12.0/24	lacniclimit.test
T
cat >"$W/bootstrap.json" <<'T'
{"version": "1.0", "services": [
 [["8.8.0.0/16"], ["https://ratelimit.test/rdap/"]],
 [["9.9.0.0/16"], ["https://loop.test/rdap/"]]]}
T
L=("${LOOKUP[@]}" --db "$W/db" --json --timeout 3 --whois-servers "$W/servers.tsv"
    --rdap-bootstrap "$W/bootstrap.json" --no-parent)

# field JSON KEY: one top-level field of the one answer
field() {
	python3 -c 'import json,sys; v=json.loads(sys.argv[1])[sys.argv[2]]; print(v if not isinstance(v, list) else " ".join(v))' "$1" "$2"
}

# bad_case NAME ADDR EXPECTED_ERROR_REGEX
bad_case() {
	local out rc err
	out=$(timeout 60 "${L[@]}" --via whois "$2" 2>"$W/err")
	rc=$?
	expect_rc "$1: clear failure" 2 "$rc"
	err=$(field "$out" error 2>/dev/null)
	check "$1: error says why ($err)" grep -Eq "$3" <<<"$err"
	expect_eq "$1: no mailbox from a broken answer" "" "$(field "$out" abuse 2>/dev/null)"
}
bad_case slow 5.5.5.1 'deadline|timed out'
bad_case endless 5.5.6.1 'larger than'
bad_case oversized 5.5.8.1 'larger than'
bad_case hanging 5.5.9.1 'deadline|timed out'

# Garbage: random bytes parse to nothing usable.
out=$(timeout 60 "${L[@]}" --via whois 5.5.7.1 2>/dev/null)
expect_eq "garbage: no mailbox" "" "$(field "$out" abuse)"
check "garbage: an error is given" test -n "$(field "$out" error)"

# A hanging port 43 is taken as rate limiting: the next run does not ask.
n=$(replay_queries 'hang.test')
out=$(timeout 60 "${L[@]}" --via whois 5.5.9.2 2>/dev/null)
expect_eq "hanging server: backed off, not asked again" "$n" "$(replay_queries 'hang.test')"
check "hanging server: the error says rate limiting" grep -q 'rate limiting' <<<"$(field "$out" error)"

# Referral loop: a -> b -> a ends at the visited set.
out=$(timeout 60 "${L[@]}" --via whois 6.6.6.6 2>/dev/null)
check "whois referral loop: stops ($(field "$out" error))" test "$(replay_queries 'loop-')" -le 3
# RDAP redirect loop: curl's redirect bound.
out=$(timeout 60 "${L[@]}" --via rdap --whois-servers /dev/null 9.9.9.9 2>/dev/null)
rc=$?
check "RDAP redirect loop: bounded ($(field "$out" error))" test "$(replay_queries 'loop.test')" -le 7

# 429 with Retry-After: rate limited, fell back to whois, and the back-off
# is kept in the store for the next run.
out=$(timeout 60 "${L[@]}" --via rdap 8.8.8.8 2>"$W/err")
expect_eq "429: asked once" 1 "$(replay_queries 'ratelimit.test')"
check "429: back-off stored with Retry-After" \
    test "$(sq "$W/db" "select until - strftime('%s','now') > 100 from lookup_backoff where server = 'ratelimit.test'")" = 1
out=$(timeout 60 "${L[@]}" --via rdap 8.8.4.4 2>"$W/err")
expect_eq "429: not asked again during the back-off" 1 "$(replay_queries 'ratelimit.test')"

# Header injection in the answer: nothing with CR, LF or a second header.
out=$(timeout 60 "${L[@]}" --via whois 7.7.7.7 2>/dev/null)
abuse=$(field "$out" abuse)
check "injection: no CR/LF/Bcc in any mailbox ($abuse)" \
    python3 -c '
import json, sys
o = json.loads(sys.argv[1])
for m in o["abuse"] + o["parent"]["abuse"]:
    if any(c in m for c in "\r\n :<>\"%") or "bcc" in m.lower() or \
            m == "victim@example.org":
        sys.exit(1)' "$out"
check "injection: JSON output is one line" test "$(printf '%s\n' "$out" | wc -l)" -eq 1

# RIPE's %ERROR:201: rate limited, backed off, not asked again.
out=$(timeout 60 "${L[@]}" --via whois 5.5.10.1 2>/dev/null)
check "RIPE %ERROR:201: says rate limited ($(field "$out" error))" grep -q 'rate limit' <<<"$(field "$out" error)"
out=$(timeout 60 "${L[@]}" --via whois 5.5.10.2 2>/dev/null)
expect_eq "RIPE %ERROR:201: not asked again" 1 "$(replay_queries 'ripelimit.test')"

# LACNIC's rate-limit notice: rate limited, backed off, not asked again.
out=$(timeout 60 "${L[@]}" --via whois 5.5.12.1 2>/dev/null)
rc=$?
expect_rc "LACNIC notice: clear failure" 2 "$rc"
check "LACNIC notice: says rate limited ($(field "$out" error))" grep -q 'rate limit' <<<"$(field "$out" error)"
expect_eq "LACNIC notice: no mailbox" "" "$(field "$out" abuse)"
check "LACNIC notice: back-off stored" \
    test "$(sq "$W/db" "select until > strftime('%s','now') from lookup_backoff where server = 'lacniclimit.test'")" = 1
out=$(timeout 60 "${L[@]}" --via whois 5.5.12.2 2>/dev/null)
expect_eq "LACNIC notice: not asked again" 1 "$(replay_queries 'lacniclimit.test')"
check "LACNIC notice: the second run says why ($(field "$out" error))" grep -Eq 'rate limit|back' <<<"$(field "$out" error)"

# A server claiming 0.0.0.0/0 answers for the address only, not the Internet.
out=$(timeout 60 "${L[@]}" --via whois 5.5.11.1 2>/dev/null)
out=$(timeout 60 "${L[@]}" --via whois 5.5.11.2 2>/dev/null)
expect_eq "0.0.0.0/0 claim: not cached as a range" 2 "$(replay_queries 'wide.test')"
expect_eq "0.0.0.0/0 claim: second answer not from the cache" False "$(field "$out" cached)"

# Token bucket: with one token and a refill slower than the deadline, the
# second network of the same server is refused, not queued past it.
n=$(replay_queries 'whois.ripe.net')
out=$(timeout 60 "${L[@]}" --via whois --set lookup.rate=0.01 --set lookup.burst=1 \
    62.239.237.1 145.255.0.1 2>/dev/null)
expect_eq "token bucket: one query sent" $((n + 1)) "$(replay_queries 'whois.ripe.net')"
check "token bucket: the second says why" grep -q 'lookup.rate' <<<"$(printf '%s\n' "$out" | sed -n 2p)"

# CR/LF in the query itself: refused before any exchange.
n=$(replay_queries .)
out=$("${L[@]}" $'62.239.237.1\r\nBcc: x@example.org' 2>/dev/null)
rc=$?
expect_rc "CRLF query refused" 2 "$rc"
expect_eq "CRLF query: nothing sent" "$n" "$(replay_queries .)"
finish
