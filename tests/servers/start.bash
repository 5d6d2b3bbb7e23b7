# tests/servers/start.bash - sourced by the lookup tests and the bench:
# starts the whois/rwhois/RDAP replay servers (replay.py) on loopback with a
# test CA made here by openssl, and sets
#   REPLAY_DIR     the servers' folder (queries.log, ports.json)
#   CONNECT        an array of --connect-to options sending every registry
#                  host name to its replay server, and anything else to a
#                  closed port (a test never reaches the real Internet)
#   CACERT         the test CA for --cacert
#   LOOKUP         "$ABUSEDESK lookup --cacert ... --connect-to ..." as an array
# replay_start DIR FIXTURES [MORE...]   (DIR must exist; the caller removes
#                            it; MORE: further fixture folders, e.g.
#                            tests/cases/lookup)
# replay_queries [PATTERN]   number of queries the servers received

replay_start() {
	local dir=$1 here i f
	local -a fx=()
	for f in "${@:2}"; do
		fx+=(--fixtures "$f")
	done
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	REPLAY_DIR=$dir
	CACERT=$dir/ca.pem
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$dir/ca.key" -out "$dir/ca.pem" -days 2 \
	    -subj "/CN=abusedesk test CA" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" \
	    >/dev/null 2>&1 || return 1
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$dir/srv.key" -out "$dir/srv.csr" \
	    -subj "/CN=rdap replay" >/dev/null 2>&1 || return 1
	printf '%s\n' "subjectAltName=DNS:rdap.arin.net,DNS:rdap.db.ripe.net,DNS:rdap.apnic.net,DNS:rdap.lacnic.net,DNS:rdap.afrinic.net,DNS:rdap.registro.br,DNS:jpnic.rdap.apnic.net,DNS:ratelimit.test,DNS:loop.test,DNS:iana.test,DNS:rdap.bench.test,DNS:*.bench.test,DNS:localhost" \
	    "basicConstraints=CA:FALSE" "extendedKeyUsage=serverAuth" >"$dir/ext.cnf"
	openssl x509 -req -in "$dir/srv.csr" -CA "$dir/ca.pem" \
	    -CAkey "$dir/ca.key" -CAcreateserial -out "$dir/srv.pem" -days 2 \
	    -extfile "$dir/ext.cnf" >/dev/null 2>&1 || return 1
	python3 "$here/replay.py" "${fx[@]}" --out "$dir" \
	    --cert "$dir/srv.pem" --key "$dir/srv.key" \
	    >"$dir/replay.out" 2>&1 &
	REPLAY_PID=$!
	_bg_pids+=("$REPLAY_PID")
	for i in $(seq 1 100); do
		[ -f "$dir/ready" ] && break
		sleep 0.1
	done
	[ -f "$dir/ready" ] || { cat "$dir/replay.out"; return 1; }
	CONNECT=()
	local rule
	while read -r rule; do
		CONNECT+=(--connect-to "$rule")
	done < <(python3 - "$dir/ports.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
alias = {  # the table's names for servers the fixtures know by another
    'whois.nic.or.kr': 'whois.krnic.net', 'whois.kisa.or.kr': 'whois.krnic.net',
    'whois.twnic.net.tw': 'whois.twnic.net',
}
for name, port in sorted(p['whois'].items()):
    host, _, sport = name.partition(':')
    print('%s:%s:127.0.0.1:%d' % (host, sport or '43', port))
for a, b in alias.items():
    if b in p['whois']:
        print('%s:43:127.0.0.1:%d' % (a, p['whois'][b]))
if p['rdap']:
    print(':443:127.0.0.1:%d' % p['rdap'])
print('::127.0.0.1:9')
PY
)
	LOOKUP=("$ABUSEDESK" lookup --cacert "$CACERT" "${CONNECT[@]}")
}

replay_queries() {
	if [ -f "$REPLAY_DIR/queries.log" ]; then
		grep -c -- "${1:-.}" "$REPLAY_DIR/queries.log"
	else
		echo 0
	fi
}
