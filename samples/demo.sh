#!/usr/bin/env bash
# samples/demo.sh - abusedesk on one day of a web server's logs.
#
# Builds nothing (`make demo` builds first): scans samples/auth.log and
# samples/kern.log into a throw-away store with samples/abusedesk.conf,
# then lists the incidents and drafts the reports (offline, from the
# known contacts in samples/contacts; nothing is sent). ABUSEDESK picks
# another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
AD=${ABUSEDESK:-./abusedesk}
if [ ! -x "$AD" ]; then
	echo "demo: no $AD; build it first with 'make' (or run 'make demo')" >&2
	exit 1
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/abusedesk-demo.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
DB=$TMP/demo.db
CONF=samples/abusedesk.conf

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
[ -t 1 ] || say() { printf '\n== %s\n' "$*"; }

say "\$ $AD scan --config $CONF --db \$TMP/demo.db samples/auth.log samples/kern.log"
"$AD" scan --config "$CONF" --db "$DB" samples/auth.log samples/kern.log

say "\$ $AD incidents --config $CONF --db \$TMP/demo.db"
"$AD" incidents --config "$CONF" --db "$DB"

say "Below-threshold incidents are kept too: add --all. For programs, --json"
echo "prints JSON Lines (add --evidence for the log lines behind each one):"
echo
echo "  \$ $AD incidents --db DB --json --reportable | head -n 1"
json=$("$AD" incidents --config "$CONF" --db "$DB" --json --reportable)
printf '%s\n' "${json%%$'\n'*}"
echo

say "\$ $AD draft --offline --config $CONF --db \$TMP/demo.db"
"$AD" draft --offline --config "$CONF" --db "$DB"

first=$("$AD" reports --config "$CONF" --db "$DB" --state draft --json |
	sed -n '1s/.*"token":"\([^"]*\)".*/\1/p')
if [ -n "$first" ]; then
	say "\$ $AD show --config $CONF --db \$TMP/demo.db $first"
	"$AD" show --config "$CONF" --db "$DB" "$first"
fi
echo
echo "Nothing was sent: reports are drafts until 'abusedesk approve', and only"
echo "'abusedesk send' sends (set relay.url first; try send --dry-run)."
echo
echo "Try it on your own logs (they are only read; the store is a file you choose):"
echo "  $AD scan --db /tmp/mine.db /var/log/auth.log /var/log/kern.log"
echo "  $AD incidents --db /tmp/mine.db --json"
