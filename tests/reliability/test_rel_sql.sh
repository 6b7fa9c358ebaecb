#!/bin/bash
# test_rel_sql - reports whose fields hold quotes, backslashes, tabs,
# newlines, control bytes (NUL-free), COPY escapes (\. \N) and SQL
# fragments (tests/reliability/sql/*.eml) go through the real ARF path
# (Maildir -> "arf ingest" -> COPY) and read back unchanged: every stored
# column equals what "repwatch arf parse --json" says, which must itself
# be valid JSON; report fields equal the message (tabs become spaces in
# the parser) and the raw message ([arf] keep = full, bytea) is stored
# byte for byte. The hostile bytes must really be in the values compared.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/rel_lib.sh"
unset REPWATCH_CONFIG PGHOST PGDATABASE PGUSER
need_pg
pg_init
pq "CREATE DATABASE rel" >/dev/null
DB="host=$REL_PG user=postgres dbname=rel"
md=$T_TMP/md
mkdir -p "$md"/{new,cur,tmp}
cp "$REL_DIR"/sql/*.eml "$md/new/"
n=$(ls "$REL_DIR"/sql/*.eml | wc -l)
for f in "$REL_DIR"/sql/*.eml; do
	"$RW" -q arf parse --json "$f" >"$T_TMP/$(basename "$f" .eml).json"
done
printf '[arf]\nkeep = full\n' >"$T_TMP/full.conf"
expect_status 0 "arf ingest of the hostile reports" "$RW" -q --config "$T_TMP/full.conf" --db "$DB" arf ingest "$md"
expect_eq "$(psql -X -qAt -h "$REL_PG" -U postgres -d rel -c "SELECT count(*) FROM repwatch.arf_report")" "$n" "every hostile report stored"
psql -X -qAt -h "$REL_PG" -U postgres -d rel -c "SELECT row_to_json(r) FROM (SELECT
	report_message_id, feedback_type, user_agent, version, host(source_ip) AS source_ip,
	original_mail_from, original_rcpt_to, reported_domain, reported_uri,
	reporting_mta, orig_message_id, orig_subject, orig_from,
	orig_return_path, orig_list_id, orig_feedback_id, sending_domain,
	fields, trace, encode(raw, 'base64') AS raw64
	FROM repwatch.arf_report) r" >"$T_TMP/rows.json"
python3 - "$T_TMP" "$REL_DIR/sql" >"$T_TMP/cmp" <<'PY'
import base64, json, os, sys
tmp, src = sys.argv[1], sys.argv[2]
rows = {}
for line in open(os.path.join(tmp, "rows.json"), encoding="utf-8"):
    r = json.loads(line)
    rows[r["report_message_id"]] = r
KEYS = ["feedback_type", "user_agent", "version", "source_ip",
        "original_mail_from", "original_rcpt_to", "reported_domain",
        "reported_uri", "reporting_mta", "sending_domain"]
ORIG = ["message_id", "subject", "from", "return_path", "list_id",
        "feedback_id"]
seen = ""
for name in sorted(os.listdir(src)):
    stem = name[:-4]
    text = open(os.path.join(tmp, stem + ".json"), "rb").read()
    try:
        p = json.loads(text)
    except ValueError as e:
        print("FAIL - %s: arf parse --json is not valid JSON: %s" % (stem, e))
        continue
    print("ok - %s: arf parse --json is valid JSON" % stem)
    r = rows.get(p["report_message_id"])
    if r is None:
        print("FAIL - %s: no row for %s" % (stem, p["report_message_id"]))
        continue
    bad = [k for k in KEYS if p.get(k) != r.get(k)]
    bad += ["original." + k for k in ORIG if p["original"].get(k) != r.get("orig_" + k)]
    if p["original"].get("trace", {}) != r["trace"]:
        bad.append("trace")
    raw = open(os.path.join(src, name), "rb").read().decode("latin-1")
    extra = [l.split(": ", 1)[1] for l in raw.split("\r\n") if l.startswith("X-Extra-Field: ")]
    # fields: lower-case name -> values in order, as written except that
    # the parser turns each tab of a header value into a space
    if r["fields"].get("x-extra-field") != [e.replace("\t", " ") for e in extra]:
        bad.append("fields[x-extra-field] (%r, raw %r)" %
                   (r["fields"].get("x-extra-field"), extra))
    # raw (bytea, [arf] keep = full): the message byte for byte
    stored_raw = base64.b64decode(r["raw64"] or "")
    if stored_raw != raw.encode("latin-1"):
        bad.append("raw (%d bytes stored, %d in the file)" % (len(stored_raw), len(raw)))
    else:
        r["raw"] = raw
    del r["raw64"]
    if bad:
        for k in bad:
            print("FAIL - %s: %s differs" % (stem, k))
    else:
        print("ok - %s: stored row equals the parse" % stem)
    seen += json.dumps(r, ensure_ascii=False)
# the comparison is only worth something if the hostile bytes are there
def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)
rows_all = "".join(strings(list(rows.values())))
for what, ch in [("double quote", '"'), ("single quote", "'"),
                 ("backslash", "\\"), ("tab", "\t"), ("COPY end marker", "\\."),
                 ("COPY NULL marker", "\\N"), ("SQL fragment", "DROP TABLE"),
                 ("control byte 0x01", "\x01"), ("control byte 0x1f", "\x1f"),
                 ("DEL", "\x7f")]:
    print(("ok - stored values hold a %s" if ch in rows_all else
           "FAIL - no stored value holds a %s") % what)
PY
cat "$T_TMP/cmp"
T_PASS=$((T_PASS + $(grep -c '^ok' "$T_TMP/cmp")))
T_FAIL=$((T_FAIL + $(grep -c '^FAIL' "$T_TMP/cmp")))
expect_eq "$(psql -X -qAt -h "$REL_PG" -U postgres -d rel -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'repwatch' AND tablename = 'arf_report'")" 1 "no SQL fragment was executed"
finish
