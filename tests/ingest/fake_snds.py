#!/usr/bin/env python3
"""A fake SNDS for the integration tests, on 127.0.0.1 only.

Report links:  GET /link/data?key=K&date=MMDDYY, GET /link/status?key=K
REST API:      GET /api/report/data/YYYY-MM-DD, GET /api/report/status/ip
               (Authorization: Bearer, the current access token only)
OAuth:         GET /oauth/authorize (302 back to redirect_uri with a code),
               POST /oauth/token (authorization_code with a PKCE S256 check,
               refresh_token with rotation: an old refresh token is dead)
Stalled:       GET /stall/... answers only after 4 s (any path)
Redirects:     GET /hop/...?to=URL answers 302 to URL
Test control:  GET /admin/hits?path=P (requests seen for P),
               GET /admin/revoke (every refresh token becomes invalid_grant)

The day decides the answer (see DAYS). Prints nothing but errors; writes
its port to the file named by --port-file once it listens.
"""
import argparse
import base64
import hashlib
import http.server
import json
import secrets
import threading
import time
import urllib.parse

KEY = "SECRETKEY-0123456789abcdef"
ROWS = {
    "2026-03-02": (
        "192.0.2.25,3/2/2026 12:00 AM,3/2/2026 11:59 PM,2410,2398,2405,GREEN,"
        "< 0.1%,,,,mta1.example.net,bounces@example.net,\r\n"
        "198.51.100.40,3/2/2026 12:00 AM,3/2/2026 11:59 PM,880,861,870,"
        "YELLOW,0.6%,,,,mta2.example.net,@example.net,\"a, b\"\r\n"),
    "2026-03-06": (
        "192.0.2.26,3/6/2026 12:00 AM,3/6/2026 11:59 PM,100,100,100,GREEN,"
        "0.3%,,,,mta1.example.net,bounces@example.net,\r\n"),
    "2026-03-12": (
        "192.0.2.27,3/12/2026 12:00 AM,3/12/2026 11:59 PM,100,100,100,GREEN,"
        "0.3%,,,,mta1.example.net,bounces@example.net,\r\n"
        "192.0.2.28,3/12/2026 12:00 AM,3/12/2026 11:59 PM,many,100,100,"
        "GREEN,0.3%,,,,mta1.example.net,bounces@example.net,\r\n"),
}
DAYS = {
    "2026-03-02": "csv", "2026-03-03": "empty", "2026-03-04": "404",
    "2026-03-05": "html", "2026-03-06": "500-then-csv",
    "2026-03-07": "timeout", "2026-03-08": "truncated",
    "2026-03-09": "oversize", "2026-03-10": "signin-redirect",
    "2026-03-11": "400", "2026-03-12": "csv",
}
STATUS = ("192.0.2.25,192.0.2.25,No,Junked due to user complaints or other "
          "evidence of spamming\r\n203.0.113.0,203.0.113.255,Yes,Blocked due "
          "to user complaints or other evidence of spamming\r\n")
SIGNIN = (b"<!DOCTYPE html><html><head><title>Sign in to your Microsoft "
          b"account</title></head><body><form></form></body></html>")

lock = threading.Lock()
hits = {}
codes = {}            # code -> (challenge, redirect_uri)
tokens = {"refresh": None, "access": None, "n": 0}


def s256(verifier):
    d = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(d).decode().rstrip("=")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body=b"", ctype="text/csv", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def count(self, path):
        with lock:
            hits[path] = hits.get(path, 0) + 1
            return hits[path]

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        n = self.count(u.path + ("?date=" + q["date"] if "date" in q else ""))
        if u.path == "/admin/hits":
            return self.send(200, str(hits.get(q.get("path", ""), 0)))
        if u.path == "/admin/revoke":
            with lock:
                tokens["refresh"] = None
            return self.send(200, "revoked")
        if u.path == "/oauth/authorize":
            return self.authorize(q)
        if u.path.startswith("/hop/"):
            # a link that redirects wherever its "to" parameter says
            return self.send(302, "", "text/html",
                             [("Location", q.get("to", "/"))])
        if u.path.startswith("/stall/"):
            # a dead endpoint: accepts, then says nothing for 4 s
            time.sleep(4)
            return self.send(200, "")
        if u.path.startswith("/link/"):
            if q.get("key") != KEY:
                return self.send(403, "forbidden")
            if u.path == "/link/status":
                return self.send(200, STATUS)
            d = q.get("date", "")
            day = "20%s-%s-%s" % (d[4:6], d[0:2], d[2:4]) if len(d) == 6 \
                else ""
            return self.report(day, n)
        if u.path.startswith("/api/report/"):
            if self.headers.get("Authorization") != \
                    "Bearer %s" % tokens["access"] or not tokens["access"]:
                return self.send(401, "", "application/json")
            if u.path == "/api/report/status/ip":
                return self.send(200, STATUS, "application/octet-stream")
            return self.report(u.path.rsplit("/", 1)[1], n)
        return self.send(404, "")

    def report(self, day, n):
        kind = DAYS.get(day, "404")
        if kind == "csv" or (kind == "500-then-csv" and n > 1):
            return self.send(200, ROWS[day], "application/octet-stream")
        if kind == "empty":
            return self.send(200, "")
        if kind in ("404", "400"):
            return self.send(int(kind), "")
        if kind == "html":
            return self.send(200, SIGNIN, "text/html; charset=utf-8")
        if kind == "500-then-csv":
            return self.send(500, "oops", "text/plain")
        if kind == "timeout":
            time.sleep(4)
            return self.send(200, ROWS["2026-03-02"])
        if kind == "truncated":
            self.send_response(200)
            self.send_header("Content-Length", "2000")
            self.end_headers()
            self.wfile.write(ROWS["2026-03-02"].encode()[:100])
            self.wfile.flush()
            self.close_connection = True
            return None
        if kind == "oversize":
            return self.send(200, ROWS["2026-03-02"] * 100)
        if kind == "signin-redirect":
            return self.send(302, "", "text/html", [(
                "Location", "https://login.live.com/login.srf?wa=wsignin1.0")])
        return self.send(404, "")

    def authorize(self, q):
        if q.get("code_challenge_method") != "S256" or \
                not q.get("code_challenge") or not q.get("state"):
            return self.send(400, "pkce and state required")
        code = "CODE-" + secrets.token_hex(8)
        with lock:
            codes[code] = (q["code_challenge"], q["redirect_uri"])
        loc = "%s?code=%s&state=%s" % (q["redirect_uri"], code,
                                       urllib.parse.quote(q["state"]))
        return self.send(302, "", "text/html", [("Location", loc)])

    def grant(self):
        with lock:
            tokens["n"] += 1
            n = tokens["n"]
            tokens["refresh"] = "RT-SECRET-%d-%s" % (n, secrets.token_hex(4))
            tokens["access"] = "AT-SECRET-%d-%s" % (n, secrets.token_hex(4))
        return self.send(200, json.dumps({
            "token_type": "Bearer", "expires_in": 3600,
            "access_token": tokens["access"],
            "refresh_token": tokens["refresh"]}), "application/json")

    def refuse(self, why):
        return self.send(400, json.dumps({
            "error": "invalid_grant", "error_description":
            "AADSTS70000: %s\r\nTrace ID: 1234" % why}), "application/json")

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        self.count(u.path)
        n = int(self.headers.get("Content-Length", "0"))
        q = dict(urllib.parse.parse_qsl(self.rfile.read(n).decode()))
        if u.path != "/oauth/token" or self.headers.get("Origin"):
            return self.send(400, "", "application/json")
        if q.get("grant_type") == "authorization_code":
            c = codes.pop(q.get("code", ""), None)
            if c is None or s256(q.get("code_verifier", "")) != c[0] or \
                    q.get("redirect_uri") != c[1]:
                return self.refuse("bad code or PKCE verifier")
            return self.grant()
        if q.get("grant_type") == "refresh_token":
            if not tokens["refresh"] or \
                    q.get("refresh_token") != tokens["refresh"]:
                return self.refuse("refresh token expired or reused")
            return self.grant()
        return self.send(400, json.dumps({"error": "unsupported_grant_type"}),
                         "application/json")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.handle_error = lambda request, address: None  # client hang-ups
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
