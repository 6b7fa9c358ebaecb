#!/usr/bin/env python3
"""Write the demo's complaint mailbox: a Maildir of JMRP reports that agree
with the SNDS sample in data/sample/snds/ (run that generator first).

For each IP and day of the SNDS sample, the number of complaints follows the
day's complaint rate: "< 0.1%" days draw a few (Poisson, 0.02% of
recipients), "x%" days get round(recipients * x / 100). Each complaint is a
2026 JMRP report (ARF, header-only original, recipient redacted) arriving
0-2 days after the send, as Microsoft sends them: the report names the
sending IP nowhere but in the embedded headers (no Source-IP, no IP in the
subject or text). A few other shapes are mixed in: legacy JMRP, another
provider's ARF, a bounce that is not a report, and a report whose sending
IP cannot be derived.

The embedded headers model the copy in the Outlook.com mailbox (one in
five: a Microsoft 365 mailbox), built by tests/bench/ms_chain.py from the
real chains in tests/fixtures/arf/ms-chains: one to five Microsoft hops
above the edge (2603:10b6::/32, 2603:10a6::/32, 10.x, *.prod.outlook.com,
*.prod.exchangelabs.com), Authentication-Results / Received-SPF / ARC /
X-Forefront-Antispam-Report / CrossTenant ConnectingIp witnesses in
Microsoft's order, the *.mail.protection.outlook.com edge that received
the message from the sender's IP, sender-side hops below the edge
(private addresses, public 203.0.113.x relays, sendmail 8.x version
strings) and X-Originating-IP / CIP:255.255.255.255 decoys. Decoys never
use an address of the sample's own senders, so a parser that falls for
one cannot credit a complaint to another monitored IP by chance; the
intended sending IP is always the edge's.

Deterministic (fixed seed), documentation addresses only.

    python3 data/sample/generate_maildir.py [SNDS_DIR] [MAILDIR]
"""
import csv
import datetime as dt
import math
import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# the chain model is shared with the benchmark generator
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "bench"))
import ms_chain  # noqa: E402

PT = dt.timezone(dt.timedelta(hours=-7))  # PDT during the sample window


def poisson(rng, mean):
    # Knuth's method: fine for the small means used here
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def complaints(rng, recipients, rate_text):
    text = rate_text.strip()
    if text.startswith("<"):
        return poisson(rng, recipients * 0.0002)
    return round(recipients * float(text.rstrip("%")) / 100)


def rfc2822(t):
    return t.strftime("%a, %d %b %Y %H:%M:%S %z")


def mailbox_copy(n, ip, sent, domain, senders):
    """the Outlook.com mailbox copy's header block; its own random source
    (seeded by the message number) so the complaint counts and times drawn
    from the main one stay as they were"""
    rnd = random.Random(20260814 * 1000003 + n)
    edge = sent + dt.timedelta(seconds=rnd.randint(1, 4))
    top, bottom = ms_chain.chain(
        rnd, ip, "mta.%s" % domain, domain,
        edge.astimezone(dt.timezone.utc), tenant=rnd.random() < 0.2,
        decoy_nets=("203.0.113.",), avoid=senders)
    return top.splitlines(), bottom.splitlines()


def jmrp_2026(n, ip, sent, arrived, domain, senders):
    boundary = "jmrp-%06d" % n
    top, bottom = mailbox_copy(n, ip, sent, domain, senders)
    return "\r\n".join([
        "From: <staff@hotmail.com>",
        "To: fbl@example.net",
        "Subject: complaint about message",
        "Date: %s" % rfc2822(arrived),
        "Message-ID: <jmrp-%06d@hotmail.com>" % n,
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=feedback-report;',
        '\tboundary="%s"' % boundary,
        "",
        "--%s" % boundary,
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "This is an email abuse report for an email message received on",
        "%s." % rfc2822(sent),
        "",
        "--%s" % boundary,
        "Content-Type: message/feedback-report",
        "",
        "Feedback-Type: abuse",
        "User-Agent: JMRP/1.0",
        "Version: 1",
        "",
        "--%s" % boundary,
        "Content-Type: text/rfc822-headers",
        "",
    ] + top + [
        "From: News <news@%s>" % domain,
        "To: *****@outlook.com",
        "Subject: This week's offers",
        "Date: %s" % rfc2822(sent),
        "Message-ID: <msg-%06d@%s>" % (n, domain),
        "List-Id: <weekly.%s>" % domain,
        "X-Campaign-ID: weekly-%s" % sent.strftime("%Y%m%d"),
    ] + bottom + [
        "",
        "--%s--" % boundary,
        "",
    ])


def legacy_jmrp(n, ip, sent, arrived):
    return "\r\n".join([
        "From: staff@hotmail.com",
        "To: fbl@example.net",
        "Subject: complaint about message from %s" % ip,
        "Date: %s" % rfc2822(arrived),
        "Message-ID: <legacy-%06d@hotmail.com>" % n,
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="lg%d"' % n,
        "",
        "--lg%d" % n,
        "Content-Type: message/rfc822",
        "Content-Disposition: inline",
        "",
        "X-HmXmrOriginalRecipient: <someone@hotmail.com>",
        "Received: from mta.example.net ([%s]) by COL0-MC1-F1.Col0.hotmail.com"
        % ip,
        "\twith Microsoft SMTPSVC; %s" % rfc2822(sent),
        "From: News <news@example.net>",
        "To: someone@hotmail.com",
        "Subject: Old-style offer",
        "Date: %s" % rfc2822(sent),
        "Message-ID: <legacy-orig-%06d@example.net>" % n,
        "",
        "Body of the original message.",
        "--lg%d--" % n,
        "",
    ])


def bounce(arrived):
    return "\r\n".join([
        "From: MAILER-DAEMON@mx.example.org",
        "To: fbl@example.net",
        "Subject: Undelivered Mail Returned to Sender",
        "Date: %s" % rfc2822(arrived),
        "Message-ID: <bounce-1@mx.example.org>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status;',
        '\tboundary="dsn"',
        "",
        "--dsn",
        "Content-Type: text/plain",
        "",
        "Your message could not be delivered.",
        "--dsn",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mx.example.org",
        "",
        "Final-Recipient: rfc822; gone@example.org",
        "Action: failed",
        "Status: 5.1.1",
        "--dsn--",
        "",
    ])


def no_ip_report(arrived):
    return "\r\n".join([
        "From: <staff@hotmail.com>",
        "To: fbl@example.net",
        "Subject: complaint about message",
        "Date: %s" % rfc2822(arrived),
        "Message-ID: <jmrp-noip@hotmail.com>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=feedback-report;',
        '\tboundary="ni"',
        "",
        "--ni",
        "Content-Type: text/plain",
        "",
        "This is an email abuse report.",
        "--ni",
        "Content-Type: message/feedback-report",
        "",
        "Feedback-Type: abuse",
        "User-Agent: JMRP/1.0",
        "Version: 1",
        "",
        "--ni",
        "Content-Type: text/rfc822-headers",
        "",
        "From: News <news@example.net>",
        "To: *****@outlook.com",
        "Subject: headers trimmed by a relay",
        "",
        "--ni--",
        "",
    ])


def read_days(snds_dir):
    for name in sorted(os.listdir(snds_dir)):
        if not (name.startswith("data-") and name.endswith(".csv")):
            continue
        with open(os.path.join(snds_dir, name), newline="") as f:
            for row in csv.reader(f):
                start = dt.datetime.strptime(row[1], "%m/%d/%Y %I:%M %p")
                yield row[0], start.date(), int(row[5]), row[7]


def domain_of(ip):
    if ip.startswith("198.51.100."):
        return "promo.example.com"
    return "example.net"


def main():
    snds_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "snds")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "maildir")
    rng = random.Random(20260814)
    shutil.rmtree(out, ignore_errors=True)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(out, sub))
    messages, n = [], 0
    senders = {row[0] for row in read_days(snds_dir)}
    for ip, day, recipients, rate in read_days(snds_dir):
        for _ in range(complaints(rng, recipients, rate)):
            n += 1
            sent = dt.datetime(day.year, day.month, day.day,
                               rng.randint(8, 19), rng.randint(0, 59),
                               tzinfo=PT).astimezone(dt.timezone.utc)
            lag = rng.choices([0, 1, 2], weights=[6, 3, 1])[0]
            arrived = sent + dt.timedelta(days=lag, hours=rng.randint(0, 3))
            messages.append(jmrp_2026(n, ip, sent, arrived, domain_of(ip),
                                      senders))
    first = dt.datetime(2026, 7, 2, 18, 0, tzinfo=dt.timezone.utc)
    messages.append(legacy_jmrp(1, "192.0.2.11", first, first))
    messages.append(bounce(first))
    messages.append(no_ip_report(first))
    for i, text in enumerate(messages):
        sub = "cur" if i % 2 else "new"
        name = "1786000000.M%dP1.demo%s" % (i, ":2,S" if sub == "cur" else "")
        with open(os.path.join(out, sub, name), "w", newline="") as f:
            f.write(text)
    print("%d messages in %s" % (len(messages), out))


if __name__ == "__main__":
    main()
