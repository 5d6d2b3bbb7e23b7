#!/usr/bin/env bash
# scripts/deps.sh - install the Debian packages that building and testing
# abusedesk needs. Idempotent: when everything is present it says nothing
# and touches neither the network nor the package lists.
#
#   scripts/deps.sh            install what is missing
#   scripts/deps.sh --check    only report what is missing (exit 1 if any)
#
# Runs apt-get through sudo when not root and sudo exists.
set -euo pipefail

# build: compiler, make, pkg-config and the libraries of the Makefile;
# fuzz: clang with its libFuzzer/sanitizer runtimes;
# lookup: libcurl (RDAP over HTTPS); replies: GMime (MIME parsing); tests: openssl (test CA of the RDAP
# replay server), python3 (JSON checks, corpus generator, replay servers),
# python3-jsonschema (X-ARF parts against the XARF v4 schemas), the sqlite3 CLI (looking
# into the store), gzip (rotated logs), tzdata (--tz), procps and coreutils
# (process and file tools of the scripts);
# assess: c-ares (reverse DNS with a bounded timeout), dnsmasq-base (the
# loopback DNS server of the reverse-DNS test);
# delivery tests: postfix (the real MTA of tests/servers/mta.sh, installed
# unconfigured: it never runs as the machine's MTA), sasl2-bin and
# libsasl2-modules (SMTP AUTH in it).
PKGS=(
	build-essential
	pkg-config
	libsqlite3-dev
	zlib1g-dev
	libjansson-dev
	libcurl4-openssl-dev
	libc-ares-dev
	libgmime-3.0-dev
	clang
	libclang-rt-14-dev
	python3
	python3-jsonschema
	openssl
	sqlite3
	gzip
	tzdata
	procps
	coreutils
	dnsmasq-base
	postfix
	sasl2-bin
	libsasl2-modules
)

check_only=false
case ${1:-} in
--check) check_only=true ;;
'') ;;
-h|--help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
*) echo "deps.sh: unknown argument $1" >&2; exit 1 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: not a Debian system (no dpkg-query); install by hand:" \
	    "${PKGS[*]}" >&2
	exit 1
fi

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case $st in
	ii*) ;;
	*) missing+=("$p") ;;
	esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if $check_only; then
	echo "deps.sh: missing: ${missing[*]}" >&2
	exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=()
elif command -v sudo >/dev/null 2>&1; then
	SUDO=(sudo)
else
	echo "deps.sh: missing ${missing[*]}; run as root (no sudo here)" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Postfix without asking and without a configuration: the tests start
# their own instance (tests/servers/mta.sh).
echo "postfix postfix/main_mailer_type select No configuration" |
    "${SUDO[@]}" debconf-set-selections
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
