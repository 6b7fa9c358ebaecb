#!/usr/bin/env python3
"""Generate a large SNDS data report for the benchmark: ROWS rows (default
1,000,000) in the exact SNDS shape (no header, CRLF, 14 fields), unique per
(IP, activity start): IPs counted up from 10.0.0.0, one row per IP and day.

    python3 tests/bench/snds_gen.py OUT.csv [ROWS] [IPS]
"""
import datetime as dt
import random
import sys


def stamp(d, h, m):
    ampm = "AM" if h < 12 else "PM"
    return "%d/%d/%d %d:%02d %s" % (d.month, d.day, d.year, h % 12 or 12,
                                    m, ampm)


def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    ips = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    rng = random.Random(1)
    rates = ["< 0.1%"] * 8 + ["0.1%", "0.3%", "0.6%", "1.2%", "0.1% - < 1%"]
    first = dt.date(2026, 4, 1)
    with open(out, "w", newline="") as f:
        for n in range(rows):
            ip, day = n % ips, n // ips
            d = first + dt.timedelta(days=day)
            vol = rng.randint(100, 50000)
            trap = d < dt.date(2026, 7, 22)
            f.write("10.%d.%d.%d,%s,%s,%d,%d,%d,%s,%s,%s,%s,%s,mta%d.example."
                    "net,bounce@example.net,%s\r\n" % (
                        ip >> 16, (ip >> 8) & 255, ip & 255, stamp(d, 0, 0),
                        stamp(d, 23, 59), vol + 7, vol + 2, vol,
                        rng.choice(["GREEN"] * 6 + ["YELLOW", "RED"]),
                        rng.choice(rates),
                        stamp(d, 9, 14) if trap else "",
                        stamp(d, 16, 51) if trap else "",
                        rng.randint(0, 3) if trap else "", ip % 50,
                        '"sample, quoted"' if n % 97 == 0 else ""))


if __name__ == "__main__":
    main()
