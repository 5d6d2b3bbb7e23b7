#!/usr/bin/env bash
# replies: `abusedesk reply-parse` over the realistic replies of
# tests/cases/replies/ as a Maildir, an mbox and stdin: one JSON line per
# message with the class, the token and the bounce fields; an oversized
# message is refused with a clear error and the others are still read.
. "$(dirname "$0")/helpers.bash"
need python3
C=$(cd "$(dirname "$0")/../cases/replies" && pwd)

mkdir -p "$W/md/new" "$W/md/cur" "$W/md/tmp"
n=0
for f in "$C"/*.eml; do
	n=$((n + 1))
	cp "$f" "$W/md/new/$(printf '%03d' "$n").$(basename "$f" .eml)"
	# The mbox: a From line, >From quoting, a blank line between messages.
	{ echo "From abuse@example.org Mon Nov 23 10:00:00 2026"
	  sed 's/^\(>*From \)/>\1/' "$f"; echo; } >>"$W/mbox"
done

"$ABUSEDESK" reply-parse --json "$W/md" >"$W/md.jsonl" 2>"$W/md.err"
expect_rc "Maildir" 0 $?
"$ABUSEDESK" reply-parse --json "$W/mbox" >"$W/mbox.jsonl" 2>"$W/mbox.err"
expect_rc "mbox" 0 $?
expect_eq "one line per message (Maildir)" "$n" "$(wc -l <"$W/md.jsonl")"
expect_eq "mbox reads the same as the Maildir" \
    "$(cat "$W/md.jsonl")" "$(cat "$W/mbox.jsonl")"

classes=$(python3 - "$W/md.jsonl" <<'P'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["class"], r["token"], r["token_from"],
          ",".join(x["addr"] + "/" + (x["status"] or "-") for x in r["recipients"]) or "-")
P
)
expect_eq "classes, tokens and bounced recipients" "bounce AD-H8R2T5 body abuse@gone.example.info/5.1.1
forwarded AD-B6D8F2 subject -
forwarded AD-R8D3V6 subject -
more-info AD-P9X3M6 subject -
not-our-network AD-T5G7N2 subject -
auto-ack AD-7F3K9Q subject -
web-form AD-N5P2K7 subject -
bounce AD-M2W4X8 returned abuse@slow.example.com/4.4.1
bounce AD-7F3K9Q returned abuse@hoster.example.net/5.1.1
resolved AD-9V2C7D subject -
stop AD-W7K2Q4 subject -
unknown AD-Z3Y5V7 subject -
web-form AD-3N6Q8R subject -
auto-ack AD-K4P7ZB subject -
resolved AD-K4P7ZB subject -" "$classes"

out=$("$ABUSEDESK" reply-parse - <"$C/webform_hoster.eml")
expect_rc "stdin" 0 $?
check "plain output names the class and the form" \
    grep -q 'form https://abuse.hoster.example.com/report?lang=en' <<<"$out"

# Over 10 MiB: refused, said, and the next message is still read.
{ printf 'Subject: big\n\n'; head -c 11000000 /dev/zero | tr '\0' 'a'; } \
    >"$W/md/new/000.big"
"$ABUSEDESK" reply-parse --json "$W/md" >"$W/big.jsonl" 2>"$W/big.err"
expect_rc "an oversized message" 2 $?
check "the error says why" grep -q 'over the 10 MiB limit' "$W/big.err"
expect_eq "the others are still read" "$n" "$(wc -l <"$W/big.jsonl")"

"$ABUSEDESK" reply-parse "$W/nonexistent" 2>/dev/null
expect_rc "a missing mailbox" 2 $?
finish
