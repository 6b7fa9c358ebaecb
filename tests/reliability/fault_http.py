#!/usr/bin/env python3
"""An SNDS look-alike that misbehaves on purpose, on 127.0.0.1 only.

The first path segment picks the behaviour of /MODE/data?key=K&date=MMDDYY
and /MODE/status?key=K:
  ok        a CSV report of ROWS rows for the day (200)
  slow      the same after SLOW seconds (time to stop the database)
  reset     headers and half the body, then a TCP reset
  e503      503 on every request
  burstN    503 on the first N requests for a URL, then the report
  loop      302 to itself (a redirect loop)
  pingpong  302 to /pong..., which 302s back
  html      200 text/html sign-in page with a title
REST API (any refresh token "RT-..." is taken and rotated):
  POST /oauth/token, GET /api/report/data/YYYY-MM-DD, /api/report/status/ip
Control: GET /admin/hits?path=P (requests seen for P).
Writes its port to --port-file once it listens.
"""
import argparse
import http.server
import json
import os
import socket
import struct
import threading
import time
import urllib.parse

ROWS = 5
SLOW = 3.0
lock = threading.Lock()
hits = {}
tokens = {"n": 0, "access": None}


def report(day):
    """ROWS data rows for DAY (YYYY-MM-DD) in the SNDS shape."""
    y, m, d = day.split("-")
    md = "%d/%d/%s" % (int(m), int(d), y)
    out = []
    for i in range(ROWS):
        out.append("192.0.2.%d,%s 12:00 AM,%s 11:59 PM,1000,990,995,GREEN,"
                   "< 0.1%%,,,,mta%d.example.net,bounces@example.net,\r\n"
                   % (10 + i, md, md, i))
    return "".join(out).encode()


STATUS = b"192.0.2.10,192.0.2.10,No,Junked due to user complaints\r\n"
SIGNIN = (b"<!DOCTYPE html><html><head><title>Sign in to your Microsoft "
          b"account</title></head><body>please sign in</body></html>")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body=b"", ctype="application/octet-stream",
             headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def count(self, key):
        with lock:
            hits[key] = hits.get(key, 0) + 1
            return hits[key]

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        parts = u.path.strip("/").split("/")
        n = self.count(u.path + ("?date=" + q["date"] if "date" in q else ""))
        if u.path == "/admin/hits":
            return self.send(200, str(hits.get(q.get("path", ""), 0)).encode())
        if parts[0] == "api":
            if not tokens["access"] or self.headers.get("Authorization") != \
                    "Bearer " + tokens["access"]:
                return self.send(401)
            if parts[-1] == "ip":
                return self.send(200, STATUS)
            return self.send(200, report(parts[-1]))
        mode = parts[0]
        if mode == "pong":
            return self.send(302, headers=[("Location", "/pingpong/" +
                                            "/".join(parts[1:]) + "?" +
                                            u.query)])
        d = q.get("date", "")
        day = "20%s-%s-%s" % (d[4:6], d[0:2], d[2:4]) if len(d) == 6 else ""
        body = STATUS if parts[-1] == "status" else \
            report(day) if day else b""
        if mode == "ok":
            return self.send(200, body)
        if mode == "slow":
            time.sleep(SLOW)
            return self.send(200, body)
        if mode == "html":
            return self.send(200, SIGNIN, "text/html; charset=utf-8")
        if mode == "e503":
            return self.send(503, b"busy", "text/plain")
        if mode.startswith("burst"):
            if n <= int(mode[5:]):
                return self.send(503, b"busy", "text/plain")
            return self.send(200, body)
        if mode == "loop":
            return self.send(302, headers=[("Location", self.path)])
        if mode == "pingpong":
            return self.send(302, headers=[("Location", "/pong/" +
                                            "/".join(parts[1:]) + "?" +
                                            u.query)])
        if mode == "reset":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            # SO_LINGER 0: close() sends RST instead of FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return None
        return self.send(404)

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        self.count(u.path)
        n = int(self.headers.get("Content-Length", "0"))
        q = dict(urllib.parse.parse_qsl(self.rfile.read(n).decode()))
        if u.path != "/oauth/token" or q.get("grant_type") != "refresh_token" \
                or not q.get("refresh_token", "").startswith("RT-"):
            return self.send(400, json.dumps({"error": "invalid_grant"})
                             .encode(), "application/json")
        with lock:
            tokens["n"] += 1
            k = tokens["n"]
            tokens["access"] = "AT-SECRET-%d-%s" % (k, os.urandom(4).hex())
            rt = "RT-SECRET-%d-%s" % (k, os.urandom(4).hex())
        return self.send(200, json.dumps({
            "token_type": "Bearer", "expires_in": 3600,
            "access_token": tokens["access"], "refresh_token": rt}).encode(),
            "application/json")


def main():
    global ROWS, SLOW
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--rows", type=int, default=5)
    ap.add_argument("--slow", type=float, default=3.0)
    args = ap.parse_args()
    ROWS, SLOW = args.rows, args.slow
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.handle_error = lambda request, address: None
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
