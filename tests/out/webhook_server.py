#!/usr/bin/env python3
"""webhook_server DIR - a local webhook receiver for test_notify.sh.
Listens on 127.0.0.1 (free port written to DIR/port), appends every POST
body as one line to DIR/posts.jsonl with its Content-Type, and answers
500 while DIR/fail holds a number > 0 (decremented per request)."""
import http.server
import json
import os
import sys

DIR = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        fail = os.path.join(DIR, 'fail')
        n = int(open(fail).read() or 0) if os.path.exists(fail) else 0
        if n > 0:
            with open(fail, 'w') as f:
                f.write(str(n - 1))
            self.send_response(500)
            self.end_headers()
            return
        with open(os.path.join(DIR, 'posts.jsonl'), 'a') as f:
            f.write(json.dumps({'type': self.headers.get('Content-Type'),
                                'body': json.loads(body)}) + '\n')
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


srv = http.server.HTTPServer(('127.0.0.1', 0), Handler)
with open(os.path.join(DIR, 'port.tmp'), 'w') as f:
    f.write(str(srv.server_address[1]))
os.rename(os.path.join(DIR, 'port.tmp'), os.path.join(DIR, 'port'))
srv.serve_forever()
