#!/usr/bin/env python3
"""mta_gen - a realistic Postfix mail log of an outbound sender, for
tests/bench/mta_bench.sh (issue 15's benchmark).

    mta_gen.py OUT LINES [--seed N] [--truth FILE] [--stamps rfc3339]

What it models (Postfix 3.x with smtp_tls_loglevel = 1, four outbound
transports with their own syslog_name; doc/benchmarks.md):

* Every message is several lines of which one per recipient and attempt is
  a delivery line: injection (half by postfix/pickup, half by
  postfix/submission/smtpd from an authenticated client: connect, client=,
  disconnect with its command counts), postfix/cleanup message-id=,
  postfix/qmgr from= (queue active), one TLS line per new SMTP connection
  (connections are reused for 60% of deliveries), the delivery lines, and
  qmgr removed. Now and then anvil and scache statistics and a
  "warning: hostname ... does not resolve" line. Delivery lines are about
  23% of all lines (22% attempts, 0.4% relay=none timeouts).
* Recipients: 1 to 3 per message, over many domains: ~20% Microsoft
  (outlook.com, hotmail.*, live.*, msn.com on *.olc.protection.outlook.com,
  and Microsoft 365 tenants on *.mail.protection.outlook.com), ~35% Gmail,
  ~12% Yahoo/AOL, the rest spread over 5,000 other domains.
* Outcomes: Microsoft 84% sent, 8% S775 throttled (451 4.7.650), 2% S3114,
  2% 451 4.4.4, 1.5% blocked S3150, 0.5% S3140, 0.5% banned IP 5.7.606,
  1.5% 550 5.5.0 recipient unknown; others 92% sent, 3% greylisted or
  rate limited (450/421), 2% connection timeouts (relay=none: not an
  attempt), 3% 550 5.1.1 unknown users. A deferred recipient is tried again
  later in the log (from the deferred queue: qmgr from= again).
* Answers are the real texts of tests/fixtures/mta/ (SOURCES.md), with
  Microsoft's diagnostic brackets (MxId, front-end host, time stamp).
* Classic syslog time stamps ("Dec  7 05:10:20"), one second apart per few
  messages; --stamps rfc3339 writes rsyslog's high-precision form instead
  ("2024-12-07T05:10:20.000123+00:00"), as newer set-ups do.

--truth FILE writes "lines N attempts N microsoft N" (delivery attempts:
lines with a relay host; Microsoft: by recipient domain) for checking the
parser's counts.
"""

import argparse
import heapq
import random
import time

MS_CONSUMER = ["outlook.com", "hotmail.com", "live.com", "msn.com",
               "hotmail.co.uk", "hotmail.fr", "live.de", "outlook.de",
               "hotmail.it", "live.nl"]
MS_MX = {"outlook.com": "outlook-com.olc.protection.outlook.com",
         "hotmail.com": "hotmail-com.olc.protection.outlook.com"}
GMAIL_MX = "gmail-smtp-in.l.google.com"
YAHOO = ["yahoo.com", "aol.com", "yahoo.co.uk", "ymail.com"]
SERVICES = ["smtp-ip1", "smtp-ip2", "smtp-ip3", "smtp-ip4"]
HEX = "0123456789ABCDEF"

S775 = ("451 4.7.650 The mail server [{ip}] has been temporarily rate"
        " limited due to IP reputation. For e-mail delivery information, see"
        " https://aka.ms/postmaster (S775) [Name=Protocol Filter Agent]"
        "[AGT=PFA][MxId={mx}] [{fe} {ts} {id}]")
S3114 = ("451 4.7.651 The mail server [{ip}] has been temporarily rate"
         " limited due to IP reputation. For e-mail delivery information,"
         " see https://postmaster.live.com (S3114)")
S3150 = ("550 5.7.1 Unfortunately, messages from [{ip}] weren't sent. Please"
         " contact your Internet service provider since part of their"
         " network is on our block list (S3150). You can also refer your"
         " provider to http://mail.live.com/mail/troubleshooting.aspx#errors."
         " [Name=Protocol Filter Agent][AGT=PFA][MxId={mx}] [{fe} {ts} {id}]")
S3140 = S3150.replace("S3150", "S3140")
B606 = ("550 5.7.606 Access denied, banned sending IP [{ip}]; To request"
        " removal from this list please visit https://sender.office.com/ and"
        " follow the directions.")
T444 = "451 4.4.4 Temporary server error. Please try again later ATTR1"
MS550 = ("550 5.5.0 Requested action not taken: mailbox unavailable"
         " [{fe} {ts} {id}]")
MS_OK = ("250 2.6.0 <{msgid}> [InternalId={iid}, Hostname={fe}] {size} bytes"
         " in 0.112, 41.850 KB/sec Queued mail for delivery -> 250 2.1.5")
GMAIL_OK = "250 2.0.0 OK  {t} {gid} - gsmtp"
OTHER_OK = "250 2.0.0 Ok: queued as {qid}"
GREY = "450 4.2.0 <{rcpt}>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/{dom}.html"
RATE = "421 4.7.0 [TSS04] Messages from {ip} temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes"
UNKNOWN = "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table"
GMAIL_UNKNOWN = ("550-5.1.1 The email account that you tried to reach does"
                 " not exist. Please try double-checking the recipient's"
                 " email address for typos or unnecessary spaces. For more"
                 " information, go to  https://support.google.com/mail/?p=NoSuchUser {gid} - gsmtp")
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


class Gen:
    def __init__(self, seed, rfc3339=False):
        self.r = random.Random(seed)
        self.rfc3339 = rfc3339
        self.t = 1733548220  # seconds, advanced as the log goes
        self.lines = []    # (text, attempt?, to Microsoft?)
        self.pos = 0       # lines emitted so far
        self.seq = 0
        self.others = ["d%04d.example" % i for i in range(5000)]
        self.pending = []  # heap of (due line, seq, message) retries
        self.pid = {s: 10000 + i * 97 for i, s in enumerate(SERVICES)}
        self.ips = {s: "203.0.113.%d" % (5 + i) for i, s in enumerate(SERVICES)}

    def stamp(self):
        tm = time.gmtime(self.t)
        if self.rfc3339:
            return "%s.%06d+00:00" % (time.strftime("%Y-%m-%dT%H:%M:%S", tm),
                                      self.pos % 1000000)
        return "%s %2d %02d:%02d:%02d" % (MONTHS[tm.tm_mon - 1], tm.tm_mday,
                                          tm.tm_hour, tm.tm_min, tm.tm_sec)

    def emit(self, tag, msg, attempt=False, ms=False):
        self.lines.append(("%s mx1 %s: %s\n" % (self.stamp(), tag, msg),
                           attempt, ms))
        self.pos += 1

    def qid(self):
        return "".join(self.r.choice(HEX) for _ in range(10))

    def hexid(self, n=16):
        return "".join(self.r.choice(HEX) for _ in range(n))

    def rcpt(self):
        x = self.r.random()
        user = "u%d" % self.r.randrange(10 ** 7)
        if x < 0.20:
            if self.r.random() < 0.8:
                dom = self.r.choice(MS_CONSUMER)
                mx = MS_MX.get(dom, "eur.olc.protection.outlook.com")
            else:
                dom = self.r.choice(self.others[:300])
                mx = dom.replace(".", "-") + ".mail.protection.outlook.com"
            return user + "@" + dom, dom, mx, "ms"
        if x < 0.55:
            return user + "@gmail.com", "gmail.com", GMAIL_MX, "gmail"
        if x < 0.67:
            dom = self.r.choice(YAHOO)
            return user + "@" + dom, dom, "mta7.am0.yahoodns.net", "yahoo"
        dom = self.r.choice(self.others)
        return user + "@" + dom, dom, "mx.%s" % dom, "other"

    def answer(self, kind, rcpt, dom, ip, size):
        """(dsn, status, text-in-parens or None for a timeout)"""
        r = self.r.random()
        fe = "AM%dPEPF0000%s.eurprd0%d.prod.outlook.com" % (
            self.r.randrange(9), self.hexid(4), self.r.randrange(1, 9))
        ts = "2026-12-07T05:%02d:%02d.%03dZ" % (self.r.randrange(60),
                                               self.r.randrange(60),
                                               self.r.randrange(1000))
        fill = dict(ip=ip, mx=self.hexid(), fe=fe, ts=ts, id=self.hexid(),
                    rcpt=rcpt, dom=dom, msgid=self.hexid(32) + "@mx1",
                    iid=self.r.randrange(10 ** 12), size=size,
                    t=self.t, gid=self.hexid(8).lower() + ".32",
                    qid=self.qid())
        if kind == "ms":
            for p, dsn, st, text in ((0.84, "2.6.0", "sent", MS_OK),
                                     (0.92, "4.7.650", "deferred", S775),
                                     (0.94, "4.7.651", "deferred", S3114),
                                     (0.96, "4.4.4", "deferred", T444),
                                     (0.975, "5.7.1", "bounced", S3150),
                                     (0.98, "5.7.1", "bounced", S3140),
                                     (0.985, "5.7.606", "bounced", B606),
                                     (1.01, "5.5.0", "bounced", MS550)):
                if r < p:
                    return dsn, st, text.format(**fill)
        if r < 0.92:
            text = {"gmail": GMAIL_OK}.get(kind, OTHER_OK)
            return "2.0.0", "sent", text.format(**fill)
        if r < 0.95:
            text = RATE if kind == "yahoo" else GREY
            return "4.7.0" if kind == "yahoo" else "4.2.0", "deferred", \
                text.format(**fill)
        if r < 0.97:
            return "4.4.1", "deferred", None
        text = GMAIL_UNKNOWN if kind == "gmail" else UNKNOWN
        return "5.1.1", "bounced", text.format(**fill)

    def deliver(self, qid, rcpts, size, svc, first):
        ip = self.ips[svc]
        tag = "postfix/%s/smtp[%d]" % (svc, self.pid[svc])
        again = []
        for rcpt, dom, mx, kind in rcpts:
            mxip = "52.101.%d.%d" % (self.r.randrange(256), self.r.randrange(256)) \
                if kind == "ms" else "192.0.2.%d" % self.r.randrange(1, 255)
            if self.r.random() > 0.6:
                self.emit(tag, "Trusted TLS connection established to "
                          "%s[%s]:25: TLSv1.3 with cipher "
                          "TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange "
                          "X25519 server-signature RSA-PSS (2048 bits) "
                          "server-digest SHA256" % (mx, mxip))
            dsn, st, text = self.answer(kind, rcpt, dom, ip, size)
            delay = self.r.random() * 2 + (0 if first else 600)
            if text is None:
                self.emit(tag, "%s: to=<%s>, relay=none, delay=%.1f, "
                          "delays=%.2f/0.01/%.1f/0, dsn=%s, status=deferred "
                          "(connect to %s[%s]:25: Connection timed out)" % (
                              qid, rcpt, delay + 30, delay, 30, dsn, mx, mxip))
                again.append((rcpt, dom, mx, kind))
                continue
            said = "" if st == "sent" else "host %s[%s] said: " % (mx, mxip)
            cmd = "" if st == "sent" else " (in reply to %s command)" % (
                "MAIL FROM" if dsn.startswith(("4.7.65", "5.7.")) else "RCPT TO")
            self.emit(tag, "%s: to=<%s>, relay=%s[%s]:25, delay=%.2f, "
                      "delays=%.2f/0.01/0.2/0.3, dsn=%s, status=%s (%s%s%s)" % (
                          qid, rcpt, mx, mxip, delay, delay, dsn, st, said,
                          text, cmd), True, kind == "ms")
            if st == "deferred":
                again.append((rcpt, dom, mx, kind))
        return again

    def message(self):
        qid = self.qid()
        size = self.r.randrange(2000, 60000)
        sender = "news-%d@bulk.example.net" % self.r.randrange(10 ** 6)
        rcpts = [self.rcpt() for _ in range(self.r.choice((1, 1, 1, 2, 3)))]
        if self.r.random() < 0.5:
            self.emit("postfix/pickup[812]", "%s: uid=1001 from=<%s>" % (qid, sender))
        else:
            pid = 20000 + self.r.randrange(5000)
            cip = "10.1.%d.%d" % (self.r.randrange(256), self.r.randrange(256))
            tag = "postfix/submission/smtpd[%d]" % pid
            self.emit(tag, "connect from app%d.internal.example[%s]" % (pid % 40, cip))
            self.emit(tag, "%s: client=app%d.internal.example[%s], "
                      "sasl_method=PLAIN, sasl_username=app" % (qid, pid % 40, cip))
            rcpts_n = len(rcpts)
            self.emit(tag, "disconnect from app%d.internal.example[%s] ehlo=2 "
                      "starttls=1 auth=1 mail=1 rcpt=%d data=1 quit=1 "
                      "commands=%d" % (pid % 40, cip, rcpts_n, 7 + rcpts_n))
        self.emit("postfix/cleanup[%d]" % (3000 + self.r.randrange(4)),
                  "%s: message-id=<%s@bulk.example.net>" % (qid, self.hexid(24)))
        self.emit("postfix/qmgr[811]", "%s: from=<%s>, size=%d, nrcpt=%d "
                  "(queue active)" % (qid, sender, size, len(rcpts)))
        svc = self.r.choice(SERVICES)
        again = self.deliver(qid, rcpts, size, svc, True)
        if again:
            self.later((qid, sender, size, svc, again))
        else:
            self.emit("postfix/qmgr[811]", "%s: removed" % qid)

    def later(self, msg):
        self.seq += 1
        heapq.heappush(self.pending, (self.pos + self.r.randrange(200, 5000),
                                      self.seq, msg))

    def retry(self, msg):
        qid, sender, size, svc, rcpts = msg
        self.emit("postfix/qmgr[811]", "%s: from=<%s>, size=%d, nrcpt=%d "
                  "(queue active)" % (qid, sender, size, len(rcpts)))
        again = self.deliver(qid, rcpts, size, svc, False)
        if again and self.r.random() < 0.7:
            self.later((qid, sender, size, svc, again))
        else:
            self.emit("postfix/qmgr[811]", "%s: removed" % qid)

    def noise(self):
        x = self.r.random()
        if x < 0.4:
            self.emit("postfix/anvil[815]", "statistics: max connection rate "
                      "2/60s for (submission:10.1.0.%d) at %s" % (
                          self.r.randrange(256), self.stamp()))
        elif x < 0.8:
            self.emit("postfix/scache[816]", "statistics: domain lookup hits=%d "
                      "miss=%d success=%d%%" % (self.r.randrange(900),
                                                 self.r.randrange(300), 75))
        else:
            self.emit("postfix/submission/smtpd[%d]" % (20000 + self.r.randrange(5000)),
                      "warning: hostname app.internal.example does not resolve"
                      " to address 10.1.2.%d" % self.r.randrange(256))

    def run(self, want, out):
        """write WANT lines to OUT; (attempts, to Microsoft) among them"""
        attempts = microsoft = written = 0
        with open(out, "w", encoding="ascii") as f:
            while written < want:
                if self.pending and self.pending[0][0] <= self.pos:
                    self.retry(heapq.heappop(self.pending)[2])
                elif self.r.random() < 0.01:
                    self.noise()
                else:
                    self.message()
                if self.r.random() < 0.3:
                    self.t += 1
                if len(self.lines) >= 10000 or written + len(self.lines) >= want:
                    take = self.lines[:want - written]
                    f.writelines(t for t, _, _ in take)
                    attempts += sum(1 for _, a, _ in take if a)
                    microsoft += sum(1 for _, _, m in take if m)
                    written += len(take)
                    self.lines = []
        return written, attempts, microsoft


def main():
    ap = argparse.ArgumentParser(description="a realistic Postfix mail log")
    ap.add_argument("out")
    ap.add_argument("lines", type=int)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--truth")
    ap.add_argument("--stamps", choices=("classic", "rfc3339"),
                    default="classic")
    a = ap.parse_args()
    g = Gen(a.seed, a.stamps == "rfc3339")
    n, attempts, microsoft = g.run(a.lines, a.out)
    if a.truth:
        with open(a.truth, "w", encoding="ascii") as f:
            f.write("lines %d attempts %d microsoft %d\n" % (n, attempts,
                                                             microsoft))


if __name__ == "__main__":
    main()
