#!/bin/bash
# test_postfix - a real Postfix (Debian's package) sends to a stand-in of
# Microsoft's inbound servers that answers with Microsoft's real throttle
# and block texts, and repwatch reads the resulting real Postfix log
# (issue 15, "Tests").
#
#   bash tests/mta/test_postfix.sh [MTA_BENCH]   (ctest: test_postfix, root)
#
# Postfix runs as a private instance: its own config_directory,
# queue_directory and data_directory under the test's temporary directory,
# its log in a file (maillog_file, no syslog daemon), no smtpd at all (mail
# is injected with sendmail -C). master.cf has two smtp transports bound to
# two loopback addresses, as a sender with several IPs runs them:
#   smtp-ip1  -o smtp_bind_address=127.0.0.2 -o syslog_name=postfix/smtp-ip1
#   smtp-ip2  -o smtp_bind_address=127.0.0.3 -o syslog_name=postfix/smtp-ip2
# chosen by sender_dependent_default_transport_maps (@ip1.example,
# @ip2.example), while transport_maps route outlook.com, hotmail.com,
# live.com and example.org to the stand-in (tests/mta/ms_smtp_standin.py) on
# 127.0.0.1 and a free port. Retries are fast (minimal_backoff_time 1s),
# and the stand-in defers a "KINDxN-" sender only N times, so every message
# ends delivered or bounced and the number of attempts is known exactly.
#
# Checked, each as got/want per sending IP and class with the S-codes:
#   1. the stand-in's own transcript (what it answered, to which client
#      address): the harness did what it says;
#   2. the library (MTA_BENCH --summary: mta_reader, mta_parse,
#      mta_classify), when tests/mta's mta_bench is given;
#   3. "repwatch mta parse --type postfix --ip-by-service ... --format json";
#   4. "repwatch mta load" with an [mta.pf] section into a new database:
#      repwatch.mta_attempt_hour (Microsoft only; code is the S-code, else
#      the enhanced code), mta_load's counts, and a second load adding
#      nothing.
# The sending addresses are loopback ones (127.0.0.2/3): the classifier
# and the loader must take them like any other.
set -euo pipefail
src=${REPWATCH_SRC:-$(pwd)}
bin=${REPWATCH_BIN:?REPWATCH_BIN not set}
bench=${1:-}
. "$src/tests/lib.sh"

# scripts/test.sh as root has run scripts/setup.sh: missing means broken
missing() {
	if [ "$(id -u)" = 0 ] && [ "${REPWATCH_TEST_REQUIRE_DB:-0}" = 1 ]; then
		echo "FAIL - $1 (scripts/setup.sh installs it)"; exit 1
	fi
	echo "skip - $1"; exit 77
}
[ "$(id -u)" = 0 ] || { echo "skip - Postfix's master runs as root"; exit 77; }
[ -x /usr/sbin/postfix ] || missing "no postfix"
id postfix >/dev/null 2>&1 || missing "no postfix user"
if [ -z "${PGHOST:-}" ]; then
	[ "${REPWATCH_TEST_REQUIRE_DB:-0}" = 1 ] && { echo "FAIL - no PostgreSQL"; exit 1; }
	echo "skip - PGHOST unset"; exit 77
fi

w=$T_TMP
conf=$w/conf
log=$w/maillog
db=mta_postfix_$$_$RANDOM
standin_pid=
postfix_up=0
cleanup() {
	if [ "$postfix_up" = 1 ]; then
		postfix -c "$conf" stop >/dev/null 2>&1 ||
			postfix -c "$conf" abort >/dev/null 2>&1 || true
	fi
	[ -n "$standin_pid" ] && kill "$standin_pid" 2>/dev/null || true
	dropdb --if-exists "$db" >/dev/null 2>&1 || true
	rm -rf "$T_TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
die() { echo "FAIL - $*"; [ -f "$log" ] && tail -20 "$log" | sed 's/^/  log| /'; exit 1; }

# ---- the stand-in ---------------------------------------------------------
python3 "$src/tests/mta/ms_smtp_standin.py" --listen 127.0.0.1 \
	--port-file "$w/port" --transcript "$w/transcript" 2>"$w/standin.err" &
standin_pid=$!
for _ in $(seq 100); do [ -s "$w/port" ] && break; sleep 0.1; done
[ -s "$w/port" ] || { cat "$w/standin.err"; die "the stand-in did not start"; }
port=$(cat "$w/port")
ms=":[127.0.0.1]:$port"

# ---- the private Postfix --------------------------------------------------
mkdir -p "$conf" "$w/queue" "$w/data"
chown postfix: "$w/data"
cat >"$conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $w/queue
data_directory = $w/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mta-test.repwatch.example
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
maillog_file = $log
maillog_file_prefixes = $w
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtp_tls_security_level = none
# recipients: Microsoft's domains and one other, all to the stand-in; the
# bounces to our own senders are discarded
transport_maps = inline:{ outlook.com=$ms, hotmail.com=$ms, live.com=$ms,
    example.org=$ms, ip1.example=discard:, ip2.example=discard: }
# the sending IP: by sender, one smtp transport per IP
sender_dependent_default_transport_maps = inline:{ @ip1.example=smtp-ip1:,
    @ip2.example=smtp-ip2: }
default_transport = error:no route in this test
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
delay_warning_time = 0
EOF
cat >"$conf/master.cf" <<'EOF'
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
smtp      unix  -       -       n       -       -       smtp
smtp-ip1  unix  -       -       n       -       -       smtp
  -o smtp_bind_address=127.0.0.2
  -o syslog_name=postfix/smtp-ip1
smtp-ip2  unix  -       -       n       -       -       smtp
  -o smtp_bind_address=127.0.0.3
  -o syslog_name=postfix/smtp-ip2
EOF
# Postfix writes its fatal errors to stderr only on a terminal; the log
# file has them once postlogd runs
postfix_up=1
if ! TZ=UTC postfix -c "$conf" start >"$w/start.out" 2>&1; then
	cat "$w/start.out"
	command -v script >/dev/null &&
		script -qc "postfix -c $conf check" /dev/null | head -5
	die "postfix did not start"
fi

# ---- the messages: sender tag (ms_smtp_standin.py) and recipient ----------
# ip1 (127.0.0.2): 4 delivered; 2 throttled twice (S775) then delivered; 1
#   throttled once (S3114) then delivered; 1 deferred once (4.4.4, not
#   throttling) then delivered; 1 to a non-Microsoft domain, delivered
# ip2 (127.0.0.3): 3 blocked (S3150), 1 blocked (S3140), 1 banned IP
#   (5.7.606, no S-code), 1 delivered
messages="ok-a1@ip1.example user1@outlook.com
ok-a2@ip1.example user2@hotmail.com
ok-a3@ip1.example user3@live.com
ok-a4@ip1.example user4@outlook.com
s775x2-b1@ip1.example box1@hotmail.com
s775x2-b2@ip1.example box2@outlook.com
s3114x1-c1@ip1.example box3@outlook.com
t444x1-d1@ip1.example box4@hotmail.com
ok-i1@ip1.example friend@example.org
s3150-e1@ip2.example user5@outlook.com
s3150-e2@ip2.example user6@hotmail.com
s3150-e3@ip2.example user7@live.com
s3140-f1@ip2.example user8@outlook.com
b606-g1@ip2.example user9@outlook.com
ok-h1@ip2.example user10@hotmail.com"
# per IP and class: attempts and S-codes (ms is Microsoft only)
want_all="127.0.0.2 blocked 0 -
127.0.0.2 deferred-other 1 -
127.0.0.2 deferred-throttle 5 S3114:1,S775:4
127.0.0.2 delivered 9 -
127.0.0.3 blocked 5 S3140:1,S3150:3
127.0.0.3 deferred-throttle 0 -
127.0.0.3 delivered 1 -"
want_ms=$(echo "$want_all" | sed 's/^127.0.0.2 delivered 9/127.0.0.2 delivered 8/')
total=21 # attempts in all: 15 + 4 (S775) + 1 (S3114) + 1 (4.4.4)
start=$(date -u +%s)

echo "$messages" | while read -r from rcpt; do
	printf 'From: %s\nTo: %s\nSubject: test %s\n\nhello\n' "$from" \
		"$rcpt" "$from" | sendmail -C "$conf" -oi -f "$from" "$rcpt" ||
		die "sendmail -f $from $rcpt"
done
# wait until every attempt is logged and the queue is empty (60 s at most)
attempt_re='postfix/smtp-ip[12]/smtp\[[0-9]+\]: [0-9A-F]+: to=.*, status=(sent|deferred|bounced) '
attempts() { grep -cE "$attempt_re" "$log" || true; }
queue_empty() {
	local out
	out=$(postqueue -c "$conf" -p 2>&1) || true
	[[ $out == *"Mail queue is empty"* ]]
}
for _ in $(seq 600); do
	[ "$(attempts)" -ge "$total" ] && queue_empty && break
	sleep 0.1
done
queue_empty || { postqueue -c "$conf" -p | head -20; die "the queue did not drain in 60 s"; }
postfix -c "$conf" stop >/dev/null 2>&1 || true
for _ in $(seq 100); do
	postfix -c "$conf" status >/dev/null 2>&1 || { postfix_up=0; break; }
	sleep 0.1
done
[ "$postfix_up" = 0 ] || die "postfix did not stop"
end=$(date -u +%s)
kill "$standin_pid" 2>/dev/null || true
wait "$standin_pid" 2>/dev/null || true
standin_pid=

# compare DESC GOT WANT: "IP CLASS N CODES" lines, absent = 0
compare() {
	local desc=$1 got=$2 want=$3 diff
	diff=$(python3 - "$got" "$want" <<'PY'
import sys
def rows(text):
    d = {}
    for line in text.strip().splitlines():
        ip, cls, n, codes = line.split()
        if int(n):
            d[(ip, cls)] = (int(n), codes)
    return d
got, want = rows(sys.argv[1]), rows(sys.argv[2])
for k in sorted(set(got) | set(want)):
    g, w = got.get(k, (0, "-")), want.get(k, (0, "-"))
    if g != w:
        print("%s %s: got %d %s, want %d %s" % (k + g + w))
PY
)
	if [ -z "$diff" ]; then ok "$desc"; else
		nok "$desc"; echo "$diff" | sed 's/^/  /'
	fi
}

# ---- 1. what the stand-in answered ---------------------------------------
t=$(python3 - "$w/transcript" <<'PY'
import collections, sys
cls = {"250": "delivered", "550": "blocked"}
n, codes = collections.Counter(), collections.defaultdict(collections.Counter)
for line in open(sys.argv[1]):
    peer, sender, rcpts, code, enh, scode = line.rstrip("\n").split("\t")
    c = cls.get(code) or ("deferred-other" if enh == "4.4.4" else "deferred-throttle")
    n[(peer, c)] += 1
    if scode:
        codes[(peer, c)][scode] += 1
for k in sorted(n):
    cs = ",".join("%s:%d" % x for x in sorted(codes[k].items())) or "-"
    print(k[0], k[1], n[k], cs)
PY
)
compare "the stand-in answered each client address as planned" "$t" "$want_all"
expect_no_grep "$w/transcript" "^127\.0\.0\.1	" "no attempt left from 127.0.0.1 (the bind addresses held)"
expect_grep "$log" "postfix/smtp-ip1/smtp\[[0-9]+\]: [0-9A-F]+: to=<box1@hotmail.com>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:$port, .*dsn=4\.7\.650, status=deferred \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 451 4\.7\.650 The mail server \[127\.0\.0\.2\] has been temporarily rate limited due to IP reputation\. For e-mail delivery information, see https://aka\.ms/postmaster \(S775\)" \
	"Postfix logged the S775 answer with its service name"
expect_grep "$log" "postfix/smtp-ip2/smtp\[[0-9]+\]: .*status=bounced \(host .* said: 550 5\.7\.1 Unfortunately, messages from \[127\.0\.0\.3\] weren't sent\. Please contact your Internet service provider since part of their network is on our block list \(S3150\)\. You can also refer your provider to http://mail\.live\.com/mail/troubleshooting\.aspx#errors\." \
	"Postfix logged the S3150 answer"
got=$(attempts)
[ "$got" = "$total" ] && ok "Postfix logged $total attempts" ||
	nok "Postfix's attempt lines: got $got, want $total"

# tally JSON-LINES: "IP CLASS N CODES" from mta parse's JSON rows
tally_json() {
	python3 -c '
import collections, json, sys
ms_only = sys.argv[1] == "ms"
n, codes = collections.Counter(), collections.defaultdict(collections.Counter)
for line in sys.stdin:
    r = json.loads(line)
    if ms_only and r["microsoft"] not in (True, "true"):
        continue
    k = (r["source_ip"] or "-", r["class"])
    n[k] += 1
    if r["scode"]:
        codes[k][r["scode"]] += 1
for k in sorted(n):
    cs = ",".join("%s:%d" % x for x in sorted(codes[k].items())) or "-"
    print(k[0], k[1], n[k], cs)
' "$1"
}

services="smtp-ip1:127.0.0.2,smtp-ip2:127.0.0.3"
# ---- 2. the library -------------------------------------------------------
if [ -n "$bench" ]; then
	"$bench" --summary --ip-by-service "$services" "$log" >"$w/bench.out" ||
		nok "mta_bench failed"
	compare "library: mta_reader + mta_parse + mta_classify per IP and class" \
		"$(sed -n 's/^ip \(.*\) class \(.*\) attempts \(.*\) scodes \(.*\)$/\1 \2 \3 \4/p' "$w/bench.out")" \
		"$want_all"
fi

# ---- 3. repwatch mta parse ------------------------------------------------
expect_status 0 "mta parse --format json" "$bin" mta parse --type postfix \
	--ip-by-service "$services" --format json "$log"
cp "$w/out" "$w/parse.json"
compare "mta parse: every attempt per IP and class" \
	"$(tally_json all <"$w/parse.json")" "$want_all"
compare "mta parse: Microsoft's per IP and class" \
	"$(tally_json ms <"$w/parse.json")" "$want_ms"
got=$(grep -c '"rcpt_domain":"example.org".*"microsoft":false' "$w/parse.json" || true)
[ "$got" = 1 ] && ok "mta parse: example.org is not Microsoft" ||
	nok "mta parse: example.org rows with microsoft false: got $got, want 1"
got=$(grep -c '"utc":"20' "$w/parse.json" || true)
[ "$got" = "$total" ] && ok "mta parse: every syslog time dated (year inferred)" ||
	nok "mta parse: rows with a UTC time: got $got, want $total"

# ---- 4. repwatch mta load -------------------------------------------------
createdb "$db"
cat >"$w/repwatch.conf" <<EOF
[mta.pf]
type = postfix
path = $log
ip_by_service = smtp-ip1:127.0.0.2, smtp-ip2:127.0.0.3
timezone = UTC
EOF
rw() { "$bin" -q --config "$w/repwatch.conf" --db "dbname=$db" "$@"; }
expect_status 0 "db migrate" rw db migrate
expect_status 0 "mta load" rw mta load
q() { psql -X -At -F ' ' -d "$db" -c "$1"; }
compare "mta load: mta_attempt_hour per IP and class (Microsoft only)" \
	"$(q "SELECT host(ip), class, sum(n),
		coalesce(string_agg(code || ':' || n, ',' ORDER BY code)
			FILTER (WHERE code LIKE 'S%'), '-')
		FROM (SELECT ip, class, code, sum(attempts) AS n
			FROM repwatch.mta_attempt_hour WHERE source = 'pf'
			GROUP BY 1, 2, 3) c GROUP BY 1, 2 ORDER BY 1, 2")" \
	"$want_ms"
got=$(q "SELECT string_agg(code || ':' || enhanced || ':' || reply || ':' ||
	coalesce(host(answer_ip), '-'), ' ' ORDER BY code) FROM
	repwatch.mta_attempt_hour WHERE source = 'pf' AND class = 'blocked'")
want="5.7.606:5.7.606:550:127.0.0.3 S3140:5.7.1:550:127.0.0.3 S3150:5.7.1:550:127.0.0.3"
[ "$got" = "$want" ] && ok "mta load: block codes, replies and judged IPs" ||
	nok "mta load: blocked rows: got '$got', want '$want'"
got=$(q "SELECT count(*) FROM repwatch.mta_attempt_hour WHERE source = 'pf'
	AND (hour < date_trunc('hour', to_timestamp($start))
	  OR hour > to_timestamp($end) OR first_at < to_timestamp($start - 1)
	  OR last_at > to_timestamp($end + 1))")
[ "$got" = 0 ] && ok "mta load: hours and times within the run" ||
	nok "mta load: rows outside the run's time: got $got, want 0"
got=$(q "SELECT files, attempts, microsoft, no_ip, no_time, bad_lines
	FROM repwatch.mta_load WHERE source = 'pf'")
want="1 $total $((total - 1)) 0 0 0"
[ "$got" = "$want" ] && ok "mta load: mta_load counts" ||
	nok "mta load: files attempts microsoft no_ip no_time bad: got '$got', want '$want'"
expect_status 0 "mta load again" rw mta load
got=$(q "SELECT sum(attempts) FROM repwatch.mta_attempt_hour WHERE source = 'pf'")
[ "$got" = "$((total - 1))" ] && ok "mta load again: nothing counted twice" ||
	nok "mta load again: attempts stored: got $got, want $((total - 1))"
got=$(q "SELECT count(*), sum(attempts) FROM repwatch.mta_load WHERE source = 'pf'")
[ "$got" = "2 $total" ] && ok "mta load again: a second load row of 0 attempts" ||
	nok "mta load again: load rows, attempts: got '$got', want '2 $total'"
finish
