#!/usr/bin/env python3
"""Write the demo's SNDS sample: one data report per day and one IP-status
report, in the exact shape SNDS sends (no header, CRLF, 14 fields).

Deterministic (fixed seed), documentation addresses only:
  192.0.2.10-17    clean senders, GREEN, "< 0.1%"
  192.0.2.50       one IP whose complaint rate rises over the last 10 days
  198.51.100.20-27 a /24 whose IPs rise together over the last 7 days
  203.0.113.5-6    small senders, days under 100 messages missing

The window crosses 2026-07-22, when Microsoft dropped the trap columns:
before it trap hits are counted, after it the trap fields are empty.

    python3 data/sample/snds/generate.py [OUTDIR]
"""
import datetime as dt
import os
import random
import sys

FIRST = dt.date(2026, 7, 1)
DAYS = 45
TRAPS_GONE = dt.date(2026, 7, 22)
CLEAN = ["192.0.2.%d" % i for i in range(10, 18)]
RISING = "192.0.2.50"
BLOCK = ["198.51.100.%d" % i for i in range(20, 28)]
SMALL = ["203.0.113.5", "203.0.113.6"]


def stamp(d, h, m):
    ampm = "AM" if h < 12 else "PM"
    h12 = h % 12 or 12
    return "%d/%d/%d %d:%02d %s" % (d.month, d.day, d.year, h12, m, ampm)


def rate_text(r):
    if r < 0.001:
        return "< 0.1%"
    pct = round(r * 100, 1)
    return ("%d%%" % pct) if pct == int(pct) else ("%.1f%%" % pct)


def colour(r):
    return "GREEN" if r < 0.003 else ("YELLOW" if r < 0.01 else "RED")


def row(rng, d, ip, volume, rate, helo, sender, comment=""):
    rcpt = volume + rng.randint(0, volume // 50 + 1)
    data = volume + rng.randint(0, 3)
    traps = ("", "", "")
    if d < TRAPS_GONE:
        hits = rng.choice([0, 0, 0, 1]) if rate < 0.003 else rng.randint(1, 9)
        traps = ((stamp(d, 9, 14), stamp(d, 16, 51), str(hits)) if hits
                 else ("", "", "0"))
    f = [ip, stamp(d, 0, 0), stamp(d, 23, 59), str(rcpt), str(data),
         str(volume), colour(rate), rate_text(rate), traps[0], traps[1],
         traps[2], helo, sender, comment]
    return ",".join('"%s"' % c.replace('"', '""') if "," in c else c
                    for c in f)


def day_rows(rng, i, d):
    weekday = d.weekday() < 5
    rows = []
    for n, ip in enumerate(CLEAN):
        vol = int(rng.gauss(3000 if weekday else 1200, 150)) + 100 * n
        rows.append(row(rng, d, ip, vol, rng.uniform(0, 0.0009),
                        "mta%d.example.net" % n, "bounce@example.net"))
    late = max(0, i - (DAYS - 10))   # last 10 days: 1..10
    rate = 0.0005 if late == 0 else 0.001 * (1.45 ** late)
    rows.append(row(rng, d, RISING, int(rng.gauss(5000, 200)), rate,
                    "news.example.net", "@news.example.net",
                    "complaints rising, see JMRP" if late > 6 else ""))
    late = max(0, i - (DAYS - 7))    # last 7 days: 1..7
    for ip in BLOCK:
        r = rng.uniform(0, 0.0009) if late == 0 else \
            0.0008 * late * rng.uniform(0.8, 1.2)
        rows.append(row(rng, d, ip, int(rng.gauss(1500, 100)), r,
                        "bulk.example.org", "list@example.org"))
    for ip in SMALL:
        vol = rng.randint(40, 400)
        if vol >= 100:   # SNDS shows nothing under 100 messages
            rows.append(row(rng, d, ip, vol, rng.uniform(0, 0.0009),
                            "smtp.example.com", ""))
    return rows


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(
        os.path.abspath(__file__))
    rng = random.Random(20260701)
    for i in range(DAYS):
        d = FIRST + dt.timedelta(days=i)
        with open(os.path.join(out, "data-%s.csv" % d.isoformat()), "w",
                  newline="") as f:
            f.write("".join(r + "\r\n" for r in day_rows(rng, i, d)))
    last = FIRST + dt.timedelta(days=DAYS - 1)
    with open(os.path.join(out, "status-%s.csv" % last.isoformat()), "w",
              newline="") as f:
        f.write("192.0.2.50,192.0.2.50,No,Junked due to user complaints or "
                "other evidence of spamming\r\n"
                "198.51.100.24,198.51.100.25,No,Junked due to user "
                "complaints or other evidence of spamming\r\n")


if __name__ == "__main__":
    main()
