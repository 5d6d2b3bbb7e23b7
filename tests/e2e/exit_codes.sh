#!/usr/bin/env bash
# exit_codes: 0 ok, 1 usage, 2 input, 3 store, 4 config (as --help says),
# with a message on stderr for each failure, and --help on every verb.
. "$(dirname "$0")/helpers.bash"
need python3 sqlite3

cd "$W" || exit 1
good=$W/good.log
for i in 1 2 3; do
	sshd_line "Mar  3 14:00:0$i" 70$i "Failed password for root from 203.0.113.60 port 4500$i ssh2"
done >"$good"

# rc_of WANT DESCRIPTION CMD...: exit status WANT, and a message on stderr
# whenever WANT is not 0.
rc_of() {
	local want=$1 what=$2 rc
	shift 2
	"$@" >"$W/o" 2>"$W/e" </dev/null
	rc=$?
	expect_rc "$what" "$want" "$rc"
	if [ "$want" -ne 0 ] && [ ! -s "$W/e" ]; then
		bad "$what: no message on stderr"
	fi
}

# 0: help and version.
for v in "" scan parse incidents; do
	for h in --help -h; do
		rc_of 0 "abusedesk $v $h" ad $v $h
		check "abusedesk $v $h prints usage on stdout" \
		    grep -q '^usage: abusedesk' "$W/o"
	done
done
rc_of 0 "abusedesk help" ad help
rc_of 0 "abusedesk version" ad version
check "version prints a version" grep -qE '^abusedesk [0-9]+\.[0-9]+' "$W/o"

# 1: usage.
rc_of 1 "no verb" ad
rc_of 1 "unknown verb" ad frobnicate
rc_of 1 "scan: unknown option" ad scan --db x.db --bogus "$good"
rc_of 1 "parse: unknown option" ad parse --bogus "$good"
rc_of 1 "incidents: unknown option" ad incidents --db x.db --bogus
rc_of 1 "scan without files" ad scan --db x.db
rc_of 1 "--db without its argument" ad incidents --db
rc_of 1 "--set without KEY=VALUE" ad scan --db x.db --set foo "$good"
rc_of 1 "parse: unknown --format" ad parse --format nosuch "$good"
rc_of 1 "parse: --year not a year" ad parse --year abc "$good"
rc_of 1 "parse: --now not a time" ad parse --now yesterday "$good"
rc_of 1 "incidents: unknown --state" ad incidents --db x.db --state bogus
rc_of 1 "incidents: unknown --category" ad incidents --db x.db --category bogus
check "usage errors created no store" test ! -e x.db

# 2: input. Missing files; the others are still processed.
rc_of 2 "scan: a missing file before a good one" \
    scan --db in.db "$W/missing.log" "$good"
check "the missing file is named" grep -q 'missing.log' "$W/e"
expect_eq "scan: the good file after the missing one was scanned" \
    "203.0.113.60 ssh-bruteforce 3 below-threshold false" \
    "$(incidents_table in.db --all)"
rc_of 2 "scan: a good file before a missing one" \
    scan --db in2.db "$good" "$W/missing.log"
expect_eq "scan: the good file before the missing one was scanned" \
    "203.0.113.60 ssh-bruteforce 3 below-threshold false" \
    "$(incidents_table in2.db --all)"
rc_of 2 "parse: a missing file and a good one" \
    ad parse --json "$W/missing.log" "$good"
expect_eq "parse: the good file's 3 events still printed" 3 "$(wc -l <"$W/o")"
if [ "$(id -u)" -ne 0 ]; then
	cp "$good" unreadable.log
	chmod 000 unreadable.log
	rc_of 2 "scan: an unreadable file" scan --db in3.db unreadable.log "$good"
	expect_eq "scan: the readable file was scanned" \
	    "203.0.113.60 ssh-bruteforce 3 below-threshold false" \
	    "$(incidents_table in3.db --all)"
else
	echo "note: running as root, chmod 000 cannot make a file unreadable"
fi

# 3: store.
rc_of 3 "store under /proc (cannot be created)" \
    scan --db /proc/abusedesk-test/x.db "$good"
rc_of 3 "store under a regular file (not a folder)" \
    scan --db "$good/x.db" "$good"
rc_of 3 "incidents: store in a nonexistent root folder" \
    ad incidents --db /proc/nonexistent/x.db
head -c 4096 /dev/urandom >garbage.db
rc_of 3 "store that is not SQLite" scan --db garbage.db "$good"
sqlite3 future.db "pragma user_version = 999; create table t(x);"
rc_of 3 "store of a newer schema than this binary" ad incidents --db future.db
if [ "$(id -u)" -ne 0 ]; then
	mkdir ro && chmod 555 ro
	rc_of 3 "store in a read-only folder" scan --db ro/x.db "$good"
fi

# 4: configuration.
rc_of 4 "--set of an unknown key" scan --db c.db --set no_such_key=1 "$good"
rc_of 4 "--set with a bad value (window)" scan --db c.db --set window=soon "$good"
rc_of 4 "--set with a bad network" scan --db c.db --set own_networks=300.1.2.3/8 "$good"
rc_of 4 "--set with a bad yes/no" scan --db c.db --set documentation_as_public=maybe "$good"
rc_of 4 "--tz of an unknown zone" ad scan --db c.db --tz Nowhere/Atlantis "$good"
printf 'window = 24h\nallowlist = 198.51.100.7\nalowlist = 198.51.100.8\n' >bad.conf
rc_of 4 "config file with an unknown key (typo)" ad scan --config bad.conf --db c.db "$good"
check "the message names the line of the typo" grep -q ':3' "$W/e"
rc_of 4 "config file that does not exist" ad scan --config "$W/none.conf" --db c.db "$good"
rc_of 4 "incidents with a bad config key" ad incidents --db c.db --set no_such_key=1
rc_of 4 "parse with a bad config key" ad parse --set no_such_key=1 "$good"
check "configuration errors wrote no incidents" \
    bash -c "[ ! -e c.db ] || [ -z \"\$(sqlite3 c.db 'select 1 from incidents limit 1' 2>/dev/null)\" ]"

printf '# a comment\n\nwindow = 1h\nthreshold.ssh-bruteforce = 3  # fewer\ndocumentation_as_public = yes\n' >good.conf
rc_of 0 "a good config file" ad scan --config good.conf --db ok.db --year 2025 "$good"
expect_eq "the config file's threshold applies (3 events = new)" \
    "203.0.113.60 ssh-bruteforce 3 new true" \
    "$(incidents_table ok.db --all)"
finish
