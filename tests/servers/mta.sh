#!/usr/bin/env bash
# tests/servers/mta.sh - a real MTA (Debian's Postfix) on loopback for the
# delivery tests, with its own configuration, queue and Maildirs under DIR.
# It never reads or changes /etc/postfix/main.cf, the machine's queue or its
# mail: everything lives in DIR, and only 127.0.0.1:PORT listens.
#
#   mta.sh start DIR [ADDRESS...]   start (stop first if one runs in DIR)
#   mta.sh stop DIR                 stop; harmless when none runs
#   mta.sh wait DIR ADDRESS [N]     wait until ADDRESS's Maildir holds N (1)
#                                   messages; print their paths, oldest first
#
# start prints shell assignments (also kept in DIR/mta.env), so a test does
#   eval "$(tests/servers/mta.sh start "$W/mta")" || exit $?
#   trap 'tests/servers/mta.sh stop "$W/mta"' EXIT
# and gets
#   PORT           the SMTP port on 127.0.0.1 (STARTTLS offered, not required)
#   SMTPS_PORT     the same server with TLS from the first byte (smtps://)
#   MAILDIR        mail for user@domain lands in $MAILDIR/domain/user/new/
#   CACERT         the self-signed certificate (CN localhost, IP 127.0.0.1)
#                  the server shows: use it as the relay's CA file
#   AUTH_USER, AUTH_PASSWORD   an account for SMTP AUTH (PLAIN, LOGIN; only
#                  after STARTTLS); empty when Cyrus SASL's saslpasswd2 is
#                  missing (package sasl2-bin)
#   MAIL_CONFIG    the configuration folder: `MAIL_CONFIG=$MAIL_CONFIG
#                  /usr/sbin/sendmail -t -i` submits to this instance
# Mailboxes: abuse@, noc@, security@, postmaster@ of example.net, example.org
# and example.com, plus the ADDRESSes given. Any other user of those domains
# is refused at RCPT with 550 5.1.1; any other domain with 554 (no relaying:
# nothing ever leaves the machine, and no DNS is asked); busy@example.net
# always gets 451 4.3.0 at RCPT (a temporary failure to test with).
#
# Exit status: 0 done; 77 Postfix is not installed or we are not root (it
# must start as root; tests skip); 1 it failed (its log on stderr).
set -u

die() { echo "mta.sh: $*" >&2; exit 1; }

[ $# -ge 2 ] || { sed -n '2,33s/^# \{0,1\}//p' "$0" >&2; exit 1; }
cmd=$1
DIR=$2
shift 2
case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac
CONF=$DIR/conf

master_pid() {
	local p
	p=$(sed -n '1s/ //gp' "$DIR/queue/pid/master.pid" 2>/dev/null) || return 1
	[ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"
}

stop() {
	local p i
	p=$(master_pid) || return 0
	postfix -c "$CONF" stop >/dev/null 2>&1
	for i in $(seq 1 50); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	# master is a session leader: its process group holds every daemon
	kill -KILL -- "-$p" 2>/dev/null
	kill -KILL "$p" 2>/dev/null
	for i in $(seq 1 20); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	return 0
}

maildir_of() {	# ADDRESS -> folder
	local a=${1,,}
	echo "$DIR/mail/${a#*@}/${a%@*}"
}

case $cmd in
stop)
	stop
	exit 0
	;;
wait)
	[ $# -ge 1 ] || die "wait DIR ADDRESS [N]"
	want=${2:-1}
	md=$(maildir_of "$1")/new
	for i in $(seq 1 300); do
		n=$(find "$md" -type f 2>/dev/null | wc -l)
		[ "$n" -ge "$want" ] && break
		sleep 0.1
	done
	[ "$n" -ge "$want" ] || { echo "mta.sh: $n of $want messages for $1" \
	    "after 30 s; log:" >&2; tail -n 20 "$DIR/log/maillog" >&2; exit 1; }
	# Postfix names Maildir files TIME.ID.HOST: oldest first by mtime
	ls -1tr "$md" | sed "s|^|$md/|"
	exit 0
	;;
start) ;;
*) die "unknown command $cmd (start, stop, wait)" ;;
esac

command -v postfix >/dev/null 2>&1 && command -v postconf >/dev/null 2>&1 ||
    { echo "mta.sh: Postfix is not installed (scripts/deps.sh)" >&2; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "mta.sh: Postfix starts only as root" >&2; exit 77; }
getent passwd postfix >/dev/null || { echo "mta.sh: no postfix user" >&2; exit 77; }
command -v openssl >/dev/null 2>&1 || { echo "mta.sh: needs openssl" >&2; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "mta.sh: needs python3" >&2; exit 77; }

stop
mkdir -p "$DIR" || die "cannot create $DIR"
rm -rf "$CONF" "$DIR/queue" "$DIR/data" "$DIR/mail" "$DIR/log" "$DIR/tls"
mkdir -p "$CONF/sasl" "$DIR/queue" "$DIR/data" "$DIR/mail" "$DIR/log" \
    "$DIR/tls" || die "cannot create folders in $DIR"
# Postfix's daemons run as the postfix user and must reach the queue:
# DIR and its parent (typically a 0700 mktemp -d folder) become searchable;
# the folders above must be already.
chmod go+x "$DIR" "$(dirname "$DIR")" 2>/dev/null
chmod 755 "$DIR" "$CONF" "$DIR/log" "$DIR/tls"
chown postfix "$DIR/data"

# A free port: bind 0, read it, close (the tiny race is harmless here).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PORT=$(free_port) || die "no free port"
SMTPS_PORT=$(free_port) || die "no free port"
[ "$SMTPS_PORT" != "$PORT" ] || SMTPS_PORT=$(free_port) || die "no free port"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
    -keyout "$DIR/tls/key.pem" -out "$DIR/tls/cert.pem" \
    -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -addext "basicConstraints=critical,CA:TRUE" \
    >/dev/null 2>&1 || die "openssl could not make the test certificate"
chmod 644 "$DIR/tls/cert.pem"
chmod 600 "$DIR/tls/key.pem"

# Mailboxes (virtual delivery: no system users needed). They belong to
# nobody, who owns the mail folder.
NOBODY_UID=$(id -u nobody) || die "no user nobody"
NOBODY_GID=$(id -g nobody)
{
	for dom in example.net example.org example.com; do
		for u in abuse noc security postmaster; do
			echo "$u@$dom $dom/$u/"
		done
	done
	for a in "$@"; do
		a=${a,,}
		echo "$a ${a#*@}/${a%@*}/"
	done
} >"$CONF/vmailbox"
echo "busy@example.net 451 4.3.0 mailbox busy, try again later" \
    >"$CONF/rcpt_access"
doms=$(awk '{ sub(/.*@/, "", $1); print $1 }' "$CONF/vmailbox" | sort -u | tr '\n' ' ')
chown "$NOBODY_UID:$NOBODY_GID" "$DIR/mail"

AUTH_USER=
AUTH_PASSWORD=
sasl=no
if command -v saslpasswd2 >/dev/null 2>&1; then
	AUTH_USER=tester
	AUTH_PASSWORD=pw-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s' "$AUTH_PASSWORD" | saslpasswd2 -f "$CONF/sasldb2" -p -c \
	    -u mta.test "$AUTH_USER" || die "saslpasswd2 failed"
	chgrp postfix "$CONF/sasldb2"
	chmod 640 "$CONF/sasldb2"
	cat >"$CONF/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: $CONF/sasldb2
EOF
	sasl=yes
fi

cat >"$CONF/main.cf" <<EOF
# written by tests/servers/mta.sh: a loopback test instance
compatibility_level = 3.6
config_directory = $CONF
queue_directory = $DIR/queue
data_directory = $DIR/data
maillog_file = $DIR/log/maillog
maillog_file_prefixes = $DIR/log
myhostname = mta.test
mydomain = mta.test
myorigin = mta.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
default_transport = error:the abusedesk test MTA does not relay
relay_transport = error:the abusedesk test MTA does not relay
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access texthash:$CONF/rcpt_access, reject_unauth_destination
smtpd_client_restrictions =
smtpd_helo_restrictions =
smtpd_sender_restrictions =
smtpd_delay_reject = no
virtual_mailbox_domains = $doms
virtual_mailbox_maps = texthash:$CONF/vmailbox
virtual_mailbox_base = $DIR/mail
virtual_minimum_uid = $NOBODY_UID
virtual_uid_maps = static:$NOBODY_UID
virtual_gid_maps = static:$NOBODY_GID
smtpd_tls_security_level = may
smtpd_tls_cert_file = $DIR/tls/cert.pem
smtpd_tls_key_file = $DIR/tls/key.pem
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = $sasl
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $CONF/sasl
smtpd_sasl_local_domain = mta.test
biff = no
append_dot_mydomain = no
readme_directory = no
smtputf8_enable = no
queue_run_delay = 1s
minimal_backoff_time = 1s
EOF
# Only our listener, nothing chrooted (the chroot would lack our paths).
cat >"$CONF/master.cf" <<EOF
127.0.0.1:$PORT inet n - n - - smtpd
127.0.0.1:$SMTPS_PORT inet n - n - - smtpd -o smtpd_tls_wrappermode=yes
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n -  0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n -  - trivial-rewrite
bounce    unix  - - n -  0 bounce
defer     unix  - - n -  0 bounce
trace     unix  - - n -  0 bounce
verify    unix  - - n -  1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -  - proxymap
proxywrite unix - - n -  1 proxymap
smtp      unix  - - n -  - smtp
relay     unix  - - n -  - smtp
showq     unix  n - n -  - showq
error     unix  - - n -  - error
retry     unix  - - n -  - error
discard   unix  - - n -  - discard
virtual   unix  - n n -  - virtual
anvil     unix  - - n -  1 anvil
scache    unix  - - n -  1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF

if ! postfix -c "$CONF" start >"$DIR/log/start.out" 2>&1; then
	cat "$DIR/log/start.out" >&2
	tail -n 20 "$DIR/log/maillog" >&2 2>/dev/null
	stop
	exit 1
fi
# Ready when the banner comes (bounded: 20 s).
ok=no
for i in $(seq 1 200); do
	if python3 - "$PORT" 2>/dev/null <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
b = s.recv(512)
s.sendall(b"QUIT\r\n")
s.close()
sys.exit(0 if b.startswith(b"220") else 1)
EOF
	then
		ok=yes
		break
	fi
	sleep 0.1
done
if [ $ok != yes ]; then
	echo "mta.sh: Postfix did not answer on 127.0.0.1:$PORT" >&2
	cat "$DIR/log/start.out" >&2
	tail -n 20 "$DIR/log/maillog" >&2 2>/dev/null
	stop
	exit 1
fi

{
	echo "PORT=$PORT"
	echo "SMTPS_PORT=$SMTPS_PORT"
	echo "MAILDIR=$DIR/mail"
	echo "CACERT=$DIR/tls/cert.pem"
	echo "AUTH_USER=$AUTH_USER"
	echo "AUTH_PASSWORD=$AUTH_PASSWORD"
	echo "MAIL_CONFIG=$CONF"
} | tee "$DIR/mta.env"
