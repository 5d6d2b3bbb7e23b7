#!/usr/bin/env bash
# track_json: `history --json` and `status --json` say what the store holds
# and what the text output says, also for awkward text.
#
# Three cases: one acknowledged by a reply whose subject and sender name
# carry quotes, a backslash, non-ASCII and a tab; one closed with such a
# reason; one silent with a reminder drafted. history --json of each is
# compared field by field with the store's rows (messages, trail, replies,
# in order) and with the number of lines of the text output; status --json
# is compared with the text status, count by count.
. "$(dirname "$0")/helpers.bash"
need python3 sqlite3

CASES=$(cd "$(dirname "$0")/../cases/replies" && pwd)
DB=$W/db
fake_sendmail "$W/sendmail"
cat >"$W/contacts" <<'EOF'
203.0.113.0/24   abuse@isp.example.de   country=DE
198.51.100.0/24  abuse@hoster.example.net
192.0.2.0/24     abuse@tiny.example.org
EOF
Q=(--db "$DB" --set documentation_as_public=yes --set report.contacts="$W/contacts"
   --set relay.sendmail="$W/sendmail" --set assess.rdns=no
   --set report.email=abuse-reports@reporter.example.org)
ssh_attacks "Mar  3 10:00" 100 203.0.113.7 198.51.100.9 192.0.2.99 >"$W/auth.log"
scan -q --db "$DB" "$W/auth.log"
report_all 2025-03-03T12:00:00Z 2025-03-03T12:05:00Z "${Q[@]}"
tok() { sq "$DB" "SELECT token FROM reports WHERE src = '$1' AND seq = 1"; }
T1=$(tok 203.0.113.7) T2=$(tok 198.51.100.9) T3=$(tok 192.0.2.99)

# An acknowledgement with an awkward subject (RFC 2047: quotes, a
# backslash, umlauts, a tab).
subj=$(printf 'Re: "Ärger" \\ [abusedesk #%s]\tTicket#2025030310000042' "$T1" | base64 -w0)
sed "s/AD-7F3K9Q/$T1/g; s/^Subject: .*/Subject: =?utf-8?B?$subj?=/" "$CASES/otrs_ack.eml" >"$W/ack.eml"
ad inbox "${Q[@]}" --now 2025-03-04T09:00:00Z "$W/ack.eml" >/dev/null 2>&1
expect_rc "inbox" 0 "$?"
ad close "${Q[@]}" --now 2025-03-05T09:00:00Z --reason 'he said "done" \o/ – erledigt	(tab)' "$T2"
expect_rc "close with an awkward reason" 0 "$?"
ad followup "${Q[@]}" --offline --now 2025-03-11T12:00:00Z >/dev/null 2>&1

for t in "$T1" "$T2" "$T3"; do
	ad history "${Q[@]}" --json "$t" >"$W/h-$t.json"
	expect_rc "history --json $t" 0 "$?"
	ad history "${Q[@]}" "$t" >"$W/h-$t.txt"
	check "history --json of $t is the store's case" python3 - "$DB" "$t" "$W/h-$t.json" "$W/h-$t.txt" <<'PY'
import datetime, json, sqlite3, sys
db, token, jpath, tpath = sys.argv[1:]
h = json.load(open(jpath))
c = sqlite3.connect(db)
first = c.execute("SELECT id, src, coalesce(lifecycle, ''), coalesce(ticket, ''),"
                  " coalesce(form_url, '') FROM reports WHERE token = ? AND seq = 1",
                  (token,)).fetchone()
rid, src, lc, ticket, form = first
assert h["token"] == token, h["token"]
assert h["source"] == src, (h["source"], src)
assert h["lifecycle"] == (lc or "new"), (h["lifecycle"], lc)
assert h["ticket"] == (ticket or None), (h["ticket"], ticket)
assert h["form_url"] == (form or None), (h["form_url"], form)
states = ["draft", "held", "skipped", "approved", "sending", "sent", "failed",
          "unconfirmed", "suppressed"]
rows = c.execute("SELECT seq, kind, rcpt_to, message_id FROM reports"
                 " WHERE id = ? OR thread_id = ? ORDER BY id", (rid, rid)).fetchall()
assert len(h["messages"]) == len(rows), (h["messages"], rows)
for m, (seq, kind, to, mid) in zip(h["messages"], rows):
    assert (m["seq"], m["kind"], m["to"], m["message_id"]) == \
        (seq, kind, to or None, mid), (m, seq, kind, to, mid)
    assert m["state"] in states, m
def utc(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
trail = c.execute("SELECT at, coalesce(state, ''), text FROM report_log"
                  " WHERE report_id = ? ORDER BY id", (rid,)).fetchall()
assert len(h["trail"]) == len(trail), (len(h["trail"]), len(trail))
for t, (at, state, text) in zip(h["trail"], trail):
    assert t["at"] == utc(at), (t["at"], at)
    assert t["state"] == (state or None), (t, state)
    assert t["text"] == text, (t["text"], text)
reps = c.execute("SELECT received, sender, subject, class, coalesce(ticket, ''),"
                 " coalesce(form_url, '') FROM replies WHERE report_id = ? ORDER BY id",
                 (rid,)).fetchall()
assert len(h["replies"]) == len(reps), (h["replies"], reps)
for r, (rec, sender, subject, cls, tk, url) in zip(h["replies"], reps):
    assert (r["received"], r["from"], r["subject"], r["class"], r["ticket"],
            r["form_url"]) == (utc(rec), sender, subject, cls, tk or None,
                               url or None), (r, rec, sender, subject)
# The text output lists as many lines in each part.
part, n = None, {"messages:": 0, "trail:": 0, "replies:": 0}
for line in open(tpath, encoding="utf-8"):
    line = line.rstrip("\n")
    if line in n:
        part = line
    elif part and line.startswith("  ") and not line.startswith("   "):
        n[part] += 1
assert n == {"messages:": len(rows), "trail:": len(trail),
             "replies:": len(reps)}, n
PY
done
check "the awkward subject survives JSON as it was written" python3 -c '
import json, sys
h = json.load(open(sys.argv[1]))
s = h["replies"][0]["subject"]
assert "\"\u00c4rger\" \\ [abusedesk #" in s, repr(s)
' "$W/h-$T1.json"
check "the awkward close reason survives JSON" python3 -c '
import json, sys
h = json.load(open(sys.argv[1]))
assert any("he said \"done\" \\o/ \u2013 erledigt" in t["text"] for t in h["trail"]), h["trail"]
' "$W/h-$T2.json"

ad status "${Q[@]}" --json --now 2025-03-11T13:00:00Z >"$W/status.json"
expect_rc "status --json" 0 "$?"
ad status "${Q[@]}" --now 2025-03-11T13:00:00Z >"$W/status.txt"
expect_rc "status" 0 "$?"
check "status --json says what the text status says" python3 - "$W/status.json" "$W/status.txt" <<'PY'
import json, re, sys
s = json.load(open(sys.argv[1]))
t = open(sys.argv[2], encoding="utf-8").read()
def num(pat):
    m = re.search(pat, t, re.M)
    assert m, (pat, t)
    return [int(x) for x in m.groups()]
assert num(r"^  (\d+) report\(s\) to review") == [s["to_review"]]
assert num(r"^  (\d+) repl(?:y|ies) to read, (\d+) that matched no report") == \
    [s["replies_to_read"], s["unmatched_replies"]]
assert num(r"^  (\d+) follow-up\(s\) due") == [s["followups_due"]]
assert num(r"^  (\d+) manual submission\(s\) pending") == [s["manual_submissions"]]
assert num(r"^  (\d+) approved and not sent, (\d+) failed, (\d+) unconfirmed") == \
    [s["approved_unsent"], s["failed"], s["unconfirmed"]]
assert num(r"^Cases \(reports sent\): (\d+)") == [s["cases"]]
lc = dict((m.group(1), int(m.group(2))) for m in
          re.finditer(r"^  ([a-z-]+) +(\d+)$", t.split("Cases (reports sent)")[1], re.M))
for k, v in s["lifecycle"].items():
    assert lc.get(k) == v, (k, v, lc)
assert sum(s["lifecycle"].values()) == s["cases"], s
assert s["to_review"] == 1, s          # the reminder drafted for T3
assert s["lifecycle"] == {"acknowledged": 1, "closed": 1, "no-response": 1}, s
PY
ad history "${Q[@]}" --json AD-NOSUCH >/dev/null 2>&1
expect_rc "history --json of an unknown report" 1 "$?"
finish
