#!/usr/bin/env python3
"""arf_gen - write a Maildir (or mbox) of realistic complaint reports.

Formats rotate: RFC 5965 ARF with Source-IP, 2026 JMRP ARF (three fields,
headers-only original), legacy JMRP (wrapper, 2-digit year), Yahoo without
Source-IP, Validity ReturnPathFBL (x.x.x.x, hashed recipient), Mail.ru
(CRLF, QP original), and a bounce (not a report).
Addresses and IPs are documentation values only.

What the originals model: a 2026 JMRP report carries the header block of
the copy in the Outlook.com (or, one in four, Microsoft 365) mailbox, as
tests/bench/ms_chain.py builds it from the real chains in
tests/fixtures/arf/ms-chains: one to five Microsoft hops above the edge
(2603:10b6::/32 and 2603:10a6::/32, 10.x, *.prod.outlook.com,
*.prod.exchangelabs.com), the witnesses in Microsoft's order
(Authentication-Results, Received-SPF, the *.mail.protection.outlook.com
edge; ARC and X-Forefront-Antispam-Report CIP / CrossTenant ConnectingIp
for tenants), sender-side hops below the edge (private and public
addresses, sendmail 8.x version strings, Exim), X-Originating-IP and
Forefront-Untrusted CIP:255.255.255.255 decoys; one in twenty senders is
IPv6. The Yahoo original has the hop Yahoo received it on ("from 127.0.0.1
(EHLO host) (IP) by mta*.mail.*.yahoo.com") with a matching
X-Originating-IP. The sending IP the report is about (`sip`) is always the
address the provider received the message from; no decoy equals it.

usage: arf_gen.py OUT COUNT [--mbox] [--seed N] [--truth FILE]

--truth FILE writes "NAME<TAB>sending IP" for every report whose sending
IP is derivable (NAME is the Maildir file name, or the 0-based message
number for --mbox), so an attribution rate can be measured.
"""
import argparse
import datetime as dt
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ms_chain  # noqa: E402

SEED = 1
TRUTH_FILE = None

NETS = ["192.0.2.", "198.51.100.", "203.0.113."]


def ip(rnd):
    return rnd.choice(NETS) + str(rnd.randint(1, 254))


def original(rnd, n, sip, headers_only=False, crlf_qp=False):
    body = "" if headers_only else (
        "\nDear customer,\n\n" + "Our offers this week. " * rnd.randint(5, 40) + "\n")
    return (f"Received: from mta{n % 50}.example.com (mta{n % 50}.example.com [{sip}])\n"
            f"\tby mx{n % 7}.example.net with ESMTPS id {n:08X}\n"
            f"\tfor <user{n}@example.net>; Tue, 3 Mar 2026 09:{n % 60:02d}:58 +0000\n"
            "Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=bounce.example.com;\n"
            "\tdkim=pass header.d=example.com\n"
            "From: Example News <news@example.com>\n"
            f"To: user{n}@example.net\n"
            f"Subject: Offer number {n}\n"
            "Date: Tue, 3 Mar 2026 09:59:56 +0000\n"
            f"Message-ID: <offer-{n}@mail.example.com>\n"
            f"Return-Path: <bounce-{n}@bounce.example.com>\n"
            "List-Id: Offers <offers.example.com>\n"
            f"X-Campaign-ID: campaign-{n % 13}\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=us-ascii\n" + body)


def jmrp_original(n, sip):
    """the Outlook.com mailbox copy's header block (see ms_chain.py); its
    own random source, so the other formats' draws do not move"""
    crnd = random.Random(SEED * 1000003 + n)
    if crnd.random() < 0.05:
        sip = "2001:db8:%x::%x" % (crnd.randint(1, 0xffff), crnd.randint(1, 0xffff))
        TRUTH[n] = sip
    when = dt.datetime(2026, 3, 3, 9, n % 60, 58, tzinfo=dt.timezone.utc)
    top, bottom = ms_chain.chain(crnd, sip, f"mta{n % 50}.example.com",
                                 "example.com", when,
                                 tenant=crnd.random() < 0.25)
    return (top +
            "From: Example News <news@example.com>\n"
            "To: *****@outlook.com\n"
            f"Subject: Offer number {n}\n"
            "Date: Tue, 3 Mar 2026 09:59:56 +0000\n"
            f"Message-ID: <offer-{n}@mail.example.com>\n"
            f"Return-Path: <bounce-{n}@bounce.example.com>\n"
            "List-Id: Offers <offers.example.com>\n"
            f"X-Campaign-ID: campaign-{n % 13}\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=us-ascii\n" + bottom)


def arf(rnd, n, fields, orig, ctype="message/rfc822", frm="fbl@fbl.example.org"):
    return (f"From: {frm}\nTo: abuse@example.com\nSubject: FW: Offer number {n}\n"
            f"Date: Tue, 3 Mar 2026 10:{n % 60:02d}:00 +0000\n"
            f"Message-ID: <gen-report-{n}@fbl.example.org>\nMIME-Version: 1.0\n"
            "Content-Type: multipart/report; report-type=feedback-report;\n"
            f"\tboundary=\"b{n}\"\n\n--b{n}\nContent-Type: text/plain\n\n"
            "This is an email abuse report.\n\n"
            f"--b{n}\nContent-Type: message/feedback-report\n\n{fields}\n"
            f"--b{n}\nContent-Type: {ctype}\n\n{orig}\n--b{n}--\n")


TRUTH = {}


def gen(rnd, n):
    sip = ip(rnd)
    kind = n % 7
    if kind in (0, 1, 2, 3):
        TRUTH[n] = sip
    if kind == 0:
        f = (f"Feedback-Type: abuse\nUser-Agent: ExampleFBL/1.0\nVersion: 1\n"
             f"Original-Mail-From: <bounce-{n}@bounce.example.com>\n"
             f"Original-Rcpt-To: <user{n}@example.net>\n"
             "Arrival-Date: Tue, 3 Mar 2026 09:59:58 +0000\n"
             f"Source-IP: {sip}\nReported-Domain: example.com\n")
        return arf(rnd, n, f, original(rnd, n, sip))
    if kind == 1:
        return arf(rnd, n, "Feedback-Type: abuse\nUser-Agent: JMRP/1.0\nVersion: 1\n",
                   jmrp_original(n, sip), "text/rfc822-headers",
                   "staff@hotmail.com")
    if kind == 2:
        return (f"Date: Thu, 30 Dec 10 10:37:16 -0800\nFrom: staff@hotmail.com\n"
                f"Subject: complaint about message from {sip}\nTo: fbl@example.com\n"
                f"Message-ID: <jmrp-{n}@hotmail.com>\nMIME-Version: 1.0\n"
                f"Content-Type: multipart/mixed; boundary=\"J{n}\"\n\n--J{n}\n"
                "Content-Type: message/rfc822\nContent-Disposition: inline\n\n"
                f"X-HmXmrOriginalRecipient: user{n}@hotmail.com\n"
                + original(rnd, n, sip) + f"\n--J{n}--\n")
    if kind == 3:
        o = original(rnd, n, sip).split("\n", 3)[3]
        o = (f"Received: from 127.0.0.1  (EHLO mta{n % 50}.example.com) ({sip})\n"
             f"  by mta{1000 + n % 300}.mail.ne1.yahoo.com with SMTP; "
             "Tue, 3 Mar 2026 09:59:58 +0000\n"
             f"X-Originating-IP: [{sip}]\n" + o)
        f = ("Feedback-Type: abuse\nUser-Agent: Yahoo!-Mail-Feedback/2.0\nVersion: 0.1\n"
             "Received-Date: Tue, 3 Mar 2026 01:59:58 PST\n"
             f"Original-Mail-From:\n\t<bounce-{n}@bounce.example.com>\n")
        return arf(rnd, n, f, o, frm="feedback@arf.mail.yahoo.com")
    if kind == 4:
        f = ("Source: Comcast\nAbuse-Type: complaint\nVersion: 1\nSource-Ip: x.x.x.x\n"
             "User-Agent: ReturnPathFBL/2.0\nFeedback-Type: abuse\n"
             f"Original-Rcpt-To: {rnd.getrandbits(128):032x}@comcast.net\n")
        return arf(rnd, n, f, original(rnd, n, sip),
                   frm="feedbackloop@comcastfbl.senderscore.net")
    if kind == 5:
        m = arf(rnd, n, "feedback-type: abuse\nUser-Agent: Email::ARF::Report/0.006\nVersion: 0.1\n",
                original(rnd, n, sip), frm="fbl@corp.mail.ru")
        return m.replace("\n", "\r\n")
    return (f"From: mailer-daemon@example.net\nTo: bounce@example.com\n"
            f"Subject: Undelivered Mail\nDate: Tue, 3 Mar 2026 10:00:00 +0000\n"
            f"Message-ID: <dsn-{n}@example.net>\nMIME-Version: 1.0\n"
            f"Content-Type: multipart/report; report-type=delivery-status; boundary=\"d{n}\"\n\n"
            f"--d{n}\nContent-Type: text/plain\n\nNot delivered.\n--d{n}\n"
            "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
            f"--d{n}--\n")


def main():
    global SEED, TRUTH_FILE
    ap = argparse.ArgumentParser(
        description="write a Maildir (or mbox) of realistic complaint reports")
    ap.add_argument("out", help="Maildir directory (or mbox file with --mbox)")
    ap.add_argument("count", type=int, help="number of messages")
    ap.add_argument("--mbox", action="store_true", help="write one mbox file")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--truth", metavar="FILE",
                    help="write NAME<TAB>sending IP per derivable report")
    a = ap.parse_args()
    out, count = a.out, a.count
    SEED, TRUTH_FILE = a.seed, a.truth
    rnd = random.Random(SEED)
    if a.mbox:
        with open(out, "w", newline="") as f:
            for n in range(count):
                m = gen(rnd, n).replace("\r\n", "\n")
                m = "\n".join(">" + l if l.startswith("From ") or l.startswith(">From ")
                              else l for l in m.split("\n"))
                f.write("From fbl@example.org Tue Mar  3 10:05:00 2026\n" + m + "\n")
        write_truth(lambda n: str(n))
        return
    for d in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    for n in range(count):
        with open(os.path.join(out, "new", f"{n}.gen.example:2,"), "w", newline="") as f:
            f.write(gen(rnd, n))
    write_truth(lambda n: f"{n}.gen.example:2,")


def write_truth(name):
    if not TRUTH_FILE:
        return
    with open(TRUTH_FILE, "w") as f:
        for n in sorted(TRUTH):
            f.write(f"{name(n)}\t{TRUTH[n]}\n")


if __name__ == "__main__":
    main()
