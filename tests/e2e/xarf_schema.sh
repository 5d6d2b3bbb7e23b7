#!/usr/bin/env bash
# xarf_schema: the X-ARF parts of the golden reports (tests/golden/report/,
# which test_report keeps byte-equal to what ad_report_compose writes)
# validate against the XARF v4 JSON schemas shipped in
# $SHARED/fixtures/mail/xarf/schemas/xarf-spec-v4 (master + core + types).
. "$(dirname "$0")/helpers.bash"
need python3
SCHEMAS=$SHARED/fixtures/mail/xarf/schemas/xarf-spec-v4
[ -f "$SCHEMAS/xarf-v4-master.json" ] || skip "no \$SHARED XARF v4 schemas"
python3 -c 'import jsonschema' 2>/dev/null ||
    skip "needs python3-jsonschema (scripts/deps.sh)"
GOLDEN=$(cd "$(dirname "$0")/../golden/report" && pwd)
python3 - "$SCHEMAS" "$GOLDEN" <<'PY'
import copy, email, glob, json, os, sys
from urllib.parse import urldefrag, urljoin
import jsonschema

schemas, golden = sys.argv[1], sys.argv[2]
docs = {}
for path in glob.glob(os.path.join(schemas, "**", "*.json"), recursive=True):
    with open(path) as f:
        doc = json.load(f)
    docs[doc["$id"]] = doc


def pointer(doc, frag):
    for key in filter(None, frag.split("/")):
        doc = doc[key]
    return doc


def inline(node, base):
    """Every $ref replaced by what it names (the schemas are not
    recursive), so any jsonschema version validates without a resolver
    (Debian bookworm's 4.10 resolves these relative refs wrongly)."""
    if isinstance(node, list):
        return [inline(x, base) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: inline(v, base) for k, v in node.items()
           if k not in ("$ref", "$id", "$schema", "$defs")}
    if "$ref" in node:
        url, frag = urldefrag(urljoin(base, node["$ref"]))
        target = inline(copy.deepcopy(pointer(docs[url], frag)), url)
        out = {"allOf": [target], **out} if out else target
    return out


master_id = "https://xarf.org/schemas/v4/xarf-v4-master.json"
schema = inline(docs[master_id], master_id)
validator = jsonschema.Draft202012Validator(
    schema, format_checker=jsonschema.FormatChecker())
n = bad = 0
for path in sorted(glob.glob(os.path.join(golden, "*.eml"))):
    with open(path, "rb") as f:
        msg = email.message_from_bytes(f.read())
    for part in msg.walk():
        if part.get_content_type() != "application/json":
            continue
        n += 1
        doc = json.loads(part.get_payload(decode=True))
        errors = list(validator.iter_errors(doc))
        name = os.path.basename(path)
        if errors:
            bad += 1
            print(f"FAIL: {name} {doc.get('category')}/{doc.get('type')}:")
            for e in errors[:5]:
                print(f"    {list(e.absolute_path)}: {e.message[:200]}")
        else:
            print(f"ok: {name} {doc['category']}/{doc['type']}")
print(f"{n} X-ARF parts, {bad} invalid")
sys.exit(1 if bad or n < 17 else 0)
PY
rc=$?
expect_rc "every X-ARF part valid" 0 "$rc"
finish
