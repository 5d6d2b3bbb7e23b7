# tests/e2e/helpers.bash - sourced by the end-to-end tests (not a test itself:
# tests/run only runs *.sh).
#
# Contract of a test: exit 0 pass, 77 skip (reason on the last line),
# anything else fail. $ABUSEDESK is the binary under test, $SHARED the
# ../shared folder (may be absent). Each test works in $W, a fresh
# temporary folder removed on exit.
#
# Checks do not stop at the first failure: `check` and `expect_eq` count,
# and `finish` exits 1 if any failed, so one run shows every problem.

set -u
export LC_ALL=C
# Stamps of the test logs carry no zone or year: pin both.
export TZ=UTC

if [ -z "${ABUSEDESK:-}" ]; then
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	ABUSEDESK=$here/abusedesk
fi
if [ ! -x "$ABUSEDESK" ]; then
	echo "FAIL: no executable abusedesk at $ABUSEDESK (set ABUSEDESK)"
	exit 1
fi
SHARED=${SHARED:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared}
# Don't pick up the user's config or store by accident.
export XDG_CONFIG_HOME=/nonexistent-abusedesk-test
unset XDG_DATA_HOME

W=$(mktemp -d "${TMPDIR:-/tmp}/abusedesk-e2e.XXXXXX")
_bg_pids=()
_cleanup() {
	local p
	for p in "${_bg_pids[@]}"; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$W"
}
trap _cleanup EXIT

_fails=0
_checks=0

# Say what went wrong, and go on.
bad() {
	_fails=$((_fails + 1))
	printf 'FAIL: %s\n' "$*"
}

# check DESCRIPTION COMMAND... : the command must succeed.
check() {
	local what=$1
	shift
	_checks=$((_checks + 1))
	if "$@"; then
		printf 'ok: %s\n' "$what"
	else
		bad "$what"
	fi
}

# expect_eq DESCRIPTION EXPECTED ACTUAL
expect_eq() {
	_checks=$((_checks + 1))
	if [ "$2" == "$3" ]; then
		printf 'ok: %s\n' "$1"
	else
		bad "$1"
		printf '  expected: %s\n' "$2" | sed '2,$s/^/            /'
		printf '  actual:   %s\n' "$3" | sed '2,$s/^/            /'
	fi
}

# expect_rc DESCRIPTION EXPECTED_RC ACTUAL_RC
expect_rc() {
	expect_eq "$1 (exit status)" "$2" "$3"
}

skip() {
	echo "skip: $*"
	exit 77
}

need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "needs $c"
	done
}

finish() {
	if [ "$_fails" -ne 0 ]; then
		echo "$_fails of $_checks checks failed"
		exit 1
	fi
	echo "all $_checks checks passed"
	exit 0
}

ad() {
	"$ABUSEDESK" "$@"
}

# Stamps in the test logs are year-less (RFC 3164): fix the year and zone;
# the test addresses are documentation space, public here.
SCAN=("$ABUSEDESK" scan --year 2025 --tz UTC --set documentation_as_public=yes)
scan() {
	"${SCAN[@]}" "$@"
}

# incidents_table DB [ARGS]: one line per incident of `incidents --json`,
# "src category events state reportable", sorted; python3 parses the JSON,
# so malformed output fails loudly.
incidents_table() {
	local db=$1
	shift
	"$ABUSEDESK" incidents --db "$db" --json "$@" | python3 -c '
import json, sys
rows = []
for n, line in enumerate(sys.stdin, 1):
    try:
        o = json.loads(line)
    except ValueError as e:
        sys.exit("line %d of incidents --json is not JSON: %s: %r" % (n, e, line))
    rows.append("%s %s %d %s %s" % (o["src"], o["category"], o["events"],
        o["state"], "true" if o["reportable"] else "false"))
print("\n".join(sorted(rows)))
'
}

# sq DB SQL: a value from the store, read with the sqlite3 CLI.
sq() {
	sqlite3 -batch -noheader -cmd '.timeout 5000' "$1" "$2"
}

# Lines of RFC 3164 sshd messages: sshd_line "Mar  3 10:00:01" PID MESSAGE
sshd_line() {
	printf '%s web1 sshd[%s]: %s\n' "$1" "$2" "$3"
}

# gen_sshd_corpus OUT MB: a large auth.log of about MB megabytes with many
# attackers: ../shared/tools/gen_bench_corpus.py when ../shared is there,
# else a Python loop (40000 sources attacking in bursts over four weeks,
# some benign lines between). Exits the test as failed if neither works.
gen_sshd_corpus() {
	if [ -f "$SHARED/tools/gen_bench_corpus.py" ]; then
		python3 "$SHARED/tools/gen_bench_corpus.py" --kind sshd \
		    --size "$2M" --out "$1" >/dev/null 2>&1 ||
		    { echo "FAIL: corpus generator failed"; exit 1; }
		return
	fi
	python3 - "$1" "$2" <<'EOF' || { echo "FAIL: generator failed"; exit 1; }
import random, sys
r = random.Random(7)
mon = ["Mar", "Apr"]
target = int(sys.argv[2]) * 1024 * 1024
step = 28 * 86400.0 / (target / 85)
with open(sys.argv[1], "w") as f:
    t, n, size, out = 0.0, 0, 0, []
    while size < target:
        if r.random() < 0.3:
            src, burst = None, 1
        else:
            a = r.randrange(40000)
            src = ("2001:db8:%x::%x" % (a >> 8, (a & 255) + 1) if a % 4
                   else "%s.%d" % (("192.0.2", "198.51.100", "203.0.113")[a % 3], a % 254 + 1))
            burst = r.randint(3, 8)
        kind = r.random()
        for _ in range(burst):
            t += r.random() * 2 * step
            d, s = divmod(int(t), 86400)
            stamp = "%s %2d %02d:%02d:%02d" % (mon[d // 31], d % 31 + 1,
                                              s // 3600, s // 60 % 60, s % 60)
            pid, port = 1000 + n % 30000, 1024 + n % 60000
            if src is None:
                line = ("%s srv sshd[%d]: Accepted publickey for deploy from "
                        "10.0.0.5 port %d ssh2: ED25519 SHA256:x\n" % (stamp, pid, port))
            elif kind < 0.8:
                line = ("%s srv sshd[%d]: Failed password for root from %s port "
                        "%d ssh2\n" % (stamp, pid, src, port))
            else:
                line = ("%s srv sshd[%d]: Connection closed by %s port %d "
                        "[preauth]\n" % (stamp, pid, src, port))
            out.append(line)
            size += len(line)
            n += 1
        if len(out) >= 10000:
            f.write("".join(out))
            out = []
    f.write("".join(out))
EOF
}

# fake_sendmail PATH [DIR]: a program for relay.sendmail that keeps each
# message it is given as DIR/msg.N (N from 0), or without DIR drops it.
fake_sendmail() {
	if [ $# -gt 1 ]; then
		mkdir -p "$2"
		printf '#!/bin/sh\nn=$(ls "%s" | wc -l)\ncat >"%s/msg.$n"\n' \
		    "$2" "$2" >"$1"
	else
		printf '#!/bin/sh\ncat >/dev/null\n' >"$1"
	fi
	chmod +x "$1"
}

# ssh_attacks "Mon DD HH:MM" PID SOURCE...: six failed root logins from
# each source, a second apart (an SSH brute force worth a report each).
ssh_attacks() {
	local stamp=$1 pid=$2 s i
	shift 2
	for s in "$@"; do
		for i in 1 2 3 4 5 6; do
			sshd_line "$stamp:0$i" "$pid" \
			    "Failed password for root from $s port 4000$i ssh2"
		done
	done
}

# report_all DRAFT_TIME SEND_TIME OPTION...: drafts (offline), approves and
# sends every report, with the options given (--db, --set ...).
report_all() {
	local d=$1 s=$2
	shift 2
	"$ABUSEDESK" draft "$@" --offline --now "$d" >/dev/null 2>&1
	"$ABUSEDESK" approve "$@" --all 2>/dev/null
	"$ABUSEDESK" send "$@" --now "$s" >/dev/null 2>&1
}
