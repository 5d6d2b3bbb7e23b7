#!/usr/bin/env bash
# lookup_replay: every recorded registry answer of $SHARED/fixtures looked up
# end to end (tests/servers/score.py): the first service forced to the
# entry's server, then the production chain over the replay servers.
# Prints the per-entry comparison and the score; fails under the floor.
. "$(dirname "$0")/helpers.bash"
need python3 openssl
[ -d "$SHARED/fixtures" ] || skip "no \$SHARED/fixtures"
. "$(dirname "$0")/../servers/start.bash"
replay_start "$W" "$SHARED/fixtures" || { echo "FAIL: replay servers"; exit 1; }
mkdir -p "$W/score"
# Floor: raise it when the score rises (docs/accuracy.md has the figures).
MIN=${LOOKUP_SCORE_MIN:-32}
python3 "$(dirname "$0")/../servers/score.py" --min "$MIN" \
    "$SHARED/fixtures" "$W/score" -- "${LOOKUP[@]}" --timeout 5
rc=$?
expect_rc "score at least $MIN" 0 "$rc"
finish
