#!/usr/bin/env python3
"""Write the demo's MTA logs: the Postfix log of the sample's sending
hosts, as Debian 12's rsyslog writes it (RFC 3339 time stamps), rotated
weekly by logrotate with "compress":

    data/sample/mta/mail.log        2026-08-09 .. 2026-08-14
    data/sample/mta/mail.log.1.gz   2026-08-02 .. 2026-08-08
    data/sample/mta/mail.log.2.gz   2026-07-26 .. 2026-08-01

They agree with the SNDS sample in data/sample/snds/ (same IPs and days;
one message per 100 of the day's SNDS recipients is logged, so the logs
stay small) and tell the story the backtest measures (doc/backtest.md):

- 192.0.2.10-17 deliver; now and then a 451 4.4.4 deferral, retried;
- 192.0.2.50 (complaints rising from 2026-08-06) is throttled from
  2026-08-11 (451 4.7.650 ... S775), a growing share of its attempts,
  each throttled message retried with Postfix's backoff;
- 198.51.100.20-27 (the /24 rising together) are throttled on
  2026-08-11 and 08-12 (451 4.7.651 ... S3114), then blocked from 10:00 on
  2026-08-13 (550 5.7.1 ... S3150): a day after repwatch's first warning;
- 203.0.113.6, a small sender, is banned without warning for one day,
  2026-08-05 (550 5.7.606 ... banned sending IP), then delisted.

Postfix does not log its bind address: each IP has its own smtp transport
with a syslog_name "postfix-NAME" (master.cf "-o syslog_name=..."), and
repwatch maps NAME to the IP with ip_by_service (the demo's [mta.demo]:
IP_BY_SERVICE below). Microsoft's answer texts are verbatim from the
public sources named in tests/fixtures/mta/SOURCES.md; only the sending
IP inside them, the MxId and the front-end host change.

Deterministic (fixed seed; gzip without name and time), documentation
addresses only.

    python3 data/sample/generate_mta_logs.py [SNDS_DIR] [OUT_DIR]
"""
import csv
import datetime as dt
import gzip
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PT = dt.timezone(dt.timedelta(hours=-7))  # PDT during the sample window
FIRST = dt.date(2026, 7, 26)
LAST = dt.date(2026, 8, 14)
FILES = [  # (name, first day, last day)
    ("mail.log.2.gz", dt.date(2026, 7, 26), dt.date(2026, 8, 1)),
    ("mail.log.1.gz", dt.date(2026, 8, 2), dt.date(2026, 8, 8)),
    ("mail.log", dt.date(2026, 8, 9), dt.date(2026, 8, 14)),
]
PER_MESSAGE = 100  # SNDS recipients per logged message


def service(ip):
    return "ip" + ip.rsplit(".", 1)[1] if ip.startswith("192.0.2.") else \
        ("net" if ip.startswith("198.51.100.") else "small") + \
        ip.rsplit(".", 1)[1]


IPS = (["192.0.2.%d" % i for i in range(10, 18)] + ["192.0.2.50"] +
       ["198.51.100.%d" % i for i in range(20, 28)] +
       ["203.0.113.5", "203.0.113.6"])
IP_BY_SERVICE = ", ".join("%s:%s" % (service(ip), ip) for ip in IPS)

CONSUMER = [
    ("outlook.com", "outlook-com.olc.protection.outlook.com",
     "52.101.8.47"),
    ("hotmail.com", "hotmail-com.olc.protection.outlook.com",
     "52.101.8.48"),
    ("live.com", "live-com.olc.protection.outlook.com", "52.101.9.2"),
    ("msn.com", "msn-com.olc.protection.outlook.com", "52.101.10.5"),
    ("hotmail.co.uk", "eur.olc.protection.outlook.com", "52.101.73.27"),
]
TENANT = ("contoso.example", "contoso-example.mail.protection.outlook.com",
          "52.101.40.12")
GMAIL = ("gmail.com", "gmail-smtp-in.l.google.com", "142.250.102.27")

# Microsoft's answers (sources: tests/fixtures/mta/SOURCES.md)
SENT = ("250 2.6.0 <{msgid}> [InternalId={iid}, Hostname={fe}] {size} "
        "bytes in {secs:.3f}, {kbs:.3f} KB/sec Queued mail for delivery "
        "-> 250 2.1.5")
S775 = ("451 4.7.650 The mail server [{ip}] has been temporarily rate "
        "limited due to IP reputation. For e-mail delivery information, "
        "see https://aka.ms/postmaster (S775) [Name=Protocol Filter Agent]"
        "[AGT=PFA][MxId={mxid}] [{fe} {stamp} {tid}] (in reply to MAIL "
        "FROM command)")
S3114 = ("451 4.7.651 The mail server [{ip}] has been temporarily rate "
         "limited due to IP reputation. For e-mail delivery information, "
         "see https://postmaster.live.com (S3114) (in reply to MAIL FROM "
         "command)")
S3150 = ("550 5.7.1 Unfortunately, messages from [{ip}] weren't sent. "
         "Please contact your Internet service provider since part of "
         "their network is on our block list (S3150). You can also refer "
         "your provider to http://mail.live.com/mail/troubleshooting.aspx"
         "#errors. [Name=Protocol Filter Agent][AGT=PFA][MxId={mxid}] "
         "[{fe} {stamp} {tid}] (in reply to MAIL FROM command)")
BANNED = ("550 5.7.606 Access denied, banned sending IP [{ip}]; To request "
          "removal from this list please visit https://sender.office.com/ "
          "and follow the directions. (in reply to RCPT TO command)")
TEMP = ("451 4.4.4 Temporary server error. Please try again later ATTR1 "
        "(in reply to RCPT TO command)")
GMAIL_OK = "250 2.0.0 OK  {epoch} {gid} - gsmtp"

FRONTENDS = ["SA2PEPF00003AE4.namprd02.prod.outlook.com",
             "AMS0EPF000001A7.eurprd05.prod.outlook.com",
             "BN8NAM11HT232.eop-nam11.prod.protection.outlook.com",
             "DM6PR02MB4473.namprd02.prod.outlook.com"]


def day(d):
    return dt.date(2026, d // 100, d % 100)


# share of a day's messages throttled, per IP group and day
THROTTLE_50 = {day(811): 0.30, day(812): 0.45, day(813): 0.55,
               day(814): 0.60}
THROTTLE_NET = {day(811): 0.20, day(812): 0.40, day(813): 0.50}
NET_BLOCK_DAY = day(813)   # blocked from 10:00 local
NET_BLOCK_HOUR = 10
BANNED_IP, BANNED_DAY = "203.0.113.6", day(805)


def read_snds(snds_dir):
    """recipients per (ip, day) from the SNDS data files"""
    out = {}
    for name in sorted(os.listdir(snds_dir)):
        if not name.startswith("data-"):
            continue
        with open(os.path.join(snds_dir, name), newline="") as f:
            for row in csv.reader(f):
                start = dt.datetime.strptime(row[1].split(" ")[0],
                                             "%m/%d/%Y").date()
                out[(row[0], start)] = int(row[3])
    return out


class Log:
    def __init__(self, rng):
        self.rng = rng
        self.lines = []  # (time, seq, text)
        self.seq = 0

    def qid(self):
        return "%010X" % self.rng.getrandbits(40)

    def add(self, t, text):
        self.seq += 1
        self.lines.append((t, self.seq, text))

    def attempt(self, t, tag, qid, rcpt, dest, status, dsn, answer):
        dom, host, addr = dest
        rng = self.rng
        d_conn = rng.uniform(0.2, 0.9)
        d_xfer = rng.uniform(0.05, 0.4)
        d_q = rng.uniform(0.01, 0.05)
        said = answer if status == "sent" else \
            "host %s[%s] said: %s" % (host, addr, answer)
        self.add(t, "mx1 %s[%d]: %s: to=<%s@%s>, relay=%s[%s]:25, "
                 "delay=%.2g, delays=%.2g/0/%.2g/%.2g, dsn=%s, status=%s "
                 "(%s)" % (tag, rng.randint(2000, 60000), qid, rcpt, dom,
                           host, addr, d_q + d_conn + d_xfer, d_q, d_conn,
                           d_xfer, dsn, status, said))


def stamp(t):
    return t.astimezone(dt.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def answer(rng, tmpl, ip, t):
    return tmpl.format(ip=ip, mxid="%016X" % rng.getrandbits(64),
                       fe=rng.choice(FRONTENDS), stamp=stamp(t),
                       tid="%016X" % rng.getrandbits(64))


def sent(rng, ip, t, qid):
    size = rng.randint(8000, 60000)
    secs = rng.uniform(0.05, 0.4)
    return SENT.format(msgid="%s.%s@mta%s.example.net" % (
        t.strftime("%Y%m%d%H%M%S"), qid, ip.rsplit(".", 1)[1]),
        iid=rng.randint(10 ** 12, 10 ** 13 - 1), fe=rng.choice(FRONTENDS),
        size=size, secs=secs, kbs=size / 1024 / secs)


def message(log, rng, ip, d, t):
    """one message to a Microsoft mailbox: its attempts of the day"""
    tag = "postfix-%s/smtp" % service(ip)
    qid = log.qid()
    rcpt = "u%06d" % rng.randint(0, 999999)
    dest = rng.choice(CONSUMER)
    if rng.random() < 0.1:
        log.add(t - dt.timedelta(seconds=1), "mx1 postfix/qmgr[812]: %s: "
                "from=<bounce@example.net>, size=%d, nrcpt=1 (queue "
                "active)" % (qid, rng.randint(8000, 60000)))
    if ip == BANNED_IP and d == BANNED_DAY:
        log.attempt(t, tag, qid, rcpt, TENANT, "bounced", "5.7.606",
                    answer(rng, BANNED, ip, t))
        return
    if ip.startswith("198.51.100.") and (d > NET_BLOCK_DAY or (
            d == NET_BLOCK_DAY and t.hour >= NET_BLOCK_HOUR)):
        log.attempt(t, tag, qid, rcpt, dest, "bounced", "5.7.1",
                    answer(rng, S3150, ip, t))
        return
    share = (THROTTLE_50 if ip == "192.0.2.50" else THROTTLE_NET
             if ip.startswith("198.51.100.") else {}).get(d, 0)
    tmpl, dsn = (S775, "4.7.650") if ip == "192.0.2.50" else \
        (S3114, "4.7.651")
    backoff = 300
    if rng.random() < share:
        # Postfix retries with a doubling backoff: throttled again and
        # again, delivered late or tomorrow
        for _ in range(rng.randint(3, 6)):
            log.attempt(t, tag, qid, rcpt, dest, "deferred", dsn,
                        answer(rng, tmpl, ip, t))
            t += dt.timedelta(seconds=backoff + rng.randint(0, 60))
            backoff = min(backoff * 2, 4000)
    elif rng.random() < 0.02:
        log.attempt(t, tag, qid, rcpt, dest, "deferred", "4.4.4", TEMP)
        t += dt.timedelta(seconds=300 + rng.randint(0, 60))
    if t.date() == d:
        log.attempt(t, tag, qid, rcpt, dest, "sent", "2.6.0",
                    sent(rng, ip, t, qid))


def gmail(log, rng, ip, t):
    qid = log.qid()
    log.attempt(t, "postfix-%s/smtp" % service(ip), qid,
                "u%06d" % rng.randint(0, 999999), GMAIL, "sent", "2.0.0",
                GMAIL_OK.format(epoch=int(t.timestamp()),
                                gid="%s.%d" % ("".join(rng.choice(
                                    "abcdefghijklmnopqrstuvwxyz0123456789")
                                    for _ in range(16)),
                                    rng.randint(1, 99))))


def build(snds):
    rng = random.Random(20260815)
    log = Log(rng)
    d = FIRST
    while d <= LAST:
        for ip in IPS:
            n = snds.get((ip, d))
            # small senders send on days SNDS leaves out (< 100 messages)
            msgs = max(1, round(n / PER_MESSAGE)) if n else (
                1 if ip.startswith("203.0.113.") else 0)
            for _ in range(msgs):
                t = dt.datetime.combine(d, dt.time(6), PT) + dt.timedelta(
                    seconds=rng.randint(0, 16 * 3600 - 1),
                    microseconds=rng.randint(0, 999999))
                message(log, rng, ip, d, t)
                if rng.random() < 0.12:
                    gmail(log, rng, ip, t + dt.timedelta(seconds=2))
        d += dt.timedelta(days=1)
    return sorted(log.lines)


def write(out_dir, lines):
    os.makedirs(out_dir, exist_ok=True)
    for name, first, last in FILES:
        body = "".join("%s %s\n" % (t.isoformat(timespec="microseconds"),
                                    text)
                       for t, _, text in lines
                       if first <= t.date() <= last).encode()
        path = os.path.join(out_dir, name)
        if name.endswith(".gz"):
            with open(path, "wb") as f:
                with gzip.GzipFile(filename="", mode="wb", fileobj=f,
                                   mtime=0) as z:
                    z.write(body)
        else:
            with open(path, "wb") as f:
                f.write(body)


def main():
    snds_dir = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(HERE, "snds")
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "mta")
    lines = build(read_snds(snds_dir))
    write(out_dir, lines)
    print("%d lines; ip_by_service = %s" % (len(lines), IP_BY_SERVICE))


if __name__ == "__main__":
    main()
