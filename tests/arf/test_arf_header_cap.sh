#!/bin/bash
# test_arf_header_cap - issue 17 item 12: a 10 MB message of a huge
# Subject (short words) or a To: of 2.5 M addresses drove GMime to more
# than a gigabyte; under a memory limit every run aborted on it. Lines
# over [arf] max_line_bytes and header fields over [arf] max_header_bytes
# are now quarantined, with the reason, before GMime sees them.
. "${REPWATCH_SRC:-$(pwd)}/tests/arf/arf_db.sh"
command -v /usr/bin/time >/dev/null || fail "/usr/bin/time missing (scripts/setup.sh installs it)"

# the issue's message: one 10 MB Subject line
python3 -c "import sys;sys.stdout.buffer.write(b'From: a@b.example\nSubject: '+b'a '*5000000+b'\nMessage-ID: <x@y>\n\nbody\n')" >"$work/p.eml"
# a To: of 2.5 M addresses, folded every 100 (lines are short: only the
# field cap applies), 10 MB in all
python3 -c "
import sys
w = sys.stdout.buffer
w.write(b'From: a@b.example\nSubject: many\nMessage-ID: <to@y>\nTo: a@b')
for i in range(25000):
    w.write((b'\n ' if i else b'') + b',a@b' * (100 if i else 99))
w.write(b'\n\nbody\n')" >"$work/to.eml"
# the same in the original message of a report, in folded fields each
# under the limit but together over 16 times it (nested headers are
# checked for the fields GMime parses at once)
python3 -c "
import sys
w = sys.stdout.buffer
w.write(b'From: fbl@example.org\nTo: abuse@example.com\nSubject: report\nMessage-ID: <n@y>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; boundary=b\n\n--b\nContent-Type: text/plain\n\nx\n--b\nContent-Type: message/rfc822\n\n')
for f in range(40):
    w.write(b'Cc: c0@x.example')
    for i in range(1, 4000):
        w.write(b',\n c%d@x.e' % i)
    w.write(b'\n')
w.write(b'Subject: orig\n\nbody\n--b--\n')" >"$work/nested.eml"

# a nested part's Content-Type of 250,000 parameters (GMime parses it at
# once: about 60 times its size; only top-level fields were capped)
python3 -c "
import sys
w = sys.stdout.buffer
w.write(b'From: fbl@example.org\nTo: abuse@example.com\nSubject: report\nMessage-ID: <c@y>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; a0=b')
for i in range(1, 250000):
    w.write(b';\n a%d=b' % i)
w.write(b'\n\nbody\n--b--\n')" >"$work/ctype.eml"
# 750,000 short fields in one header block (about 600 bytes each in GMime:
# max_headers was only checked on what GMime had built)
python3 -c "
import sys
w = sys.stdout.buffer
w.write(b'From: a@b.example\nSubject: many\nMessage-ID: <m@y>\n')
w.write(b'X:a\n' * 750000)
w.write(b'\nbody\n')" >"$work/fields.eml"
for m in p to nested ctype fields; do
	rc=0
	timeout 300 /usr/bin/time -o "$work/$m.rss" -f %M "$bin" arf parse "$work/$m.eml" >"$work/$m.out" 2>&1 || rc=$?
	want "$m: arf parse exit" "$rc" 0
	rss=$(tail -1 "$work/$m.rss")
	[ "$rss" -lt 102400 ] || fail "$m: peak RSS ${rss} KB, want under 100 MB"
	echo "ok - $m: peak RSS $rss KB"
	grep -qE 'quarantine \(.*exceeds? the limit' "$work/$m.out" || fail "$m: not quarantined: $(head -c 300 "$work/$m.out")"
	echo "ok - $m: quarantined"
done
grep -q 'a line of 10000009 bytes' "$work/p.out" || fail "p: reason: $(cat "$work/p.out")"
grep -q 'header field "To" of' "$work/to.out" || fail "to: reason: $(cat "$work/to.out")"
grep -q 'address and Subject fields of' "$work/nested.out" || fail "nested: reason: $(cat "$work/nested.out")"
grep -q 'header field "Content-Type" of' "$work/ctype.out" || fail "ctype: reason: $(cat "$work/ctype.out")"
grep -q 'header fields in one part exceed the limit of 1000 (field 1001 at' "$work/fields.out" || fail "fields: reason: $(cat "$work/fields.out")"
# 20 parts of 900 fields each: under max_headers each, 18,000 in all
python3 -c "
import sys
w = sys.stdout.buffer
w.write(b'From: a@b.example\nSubject: parts\nMessage-ID: <q@y>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n')
for i in range(20):
    w.write(b'--b\nContent-Type: text/plain\n' + b'X:a\n' * 899 + b'\nx\n')
w.write(b'--b--\n')" >"$work/parts.eml"
"$bin" arf parse "$work/parts.eml" | grep -q 'header fields in all parts exceed the limit of 16000' ||
	fail "parts: $("$bin" arf parse "$work/parts.eml" | head -c 300)"
echo "ok - parts: fields of all parts capped"

# ingest: quarantined with its reason, the run goes on and exits 0
rw arf ingest "$work/p.eml" >/dev/null
want "quarantine row with reason" "$(q "SELECT count(*) FROM repwatch.arf_quarantine WHERE reason LIKE 'a line of 10000009 bytes%'")" 1
# a configurable limit: a lower max_header_bytes quarantines a 3 KB field
python3 -c "import sys;sys.stdout.buffer.write(b'From: a@b.example\nSubject: '+b'b '*1500+b'\nMessage-ID: <s@y>\n\nbody\n')" >"$work/s.eml"
"$bin" arf parse "$work/s.eml" | grep -q quarantine && fail "3 KB Subject quarantined by default"
REPWATCH_ARF_MAX_HEADER_BYTES=2048 "$bin" arf parse "$work/s.eml" | grep -q 'header field "Subject" of 3010 bytes exceeds the limit of 2048' ||
	fail "max_header_bytes = 2048 not applied"
echo "ok - max_header_bytes configurable"
echo "ok"
