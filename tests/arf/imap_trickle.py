#!/usr/bin/env python3
"""imap_trickle - an IMAP stand-in on 127.0.0.1 that logs anyone in and
answers SELECT with "* OK keepalive" once a second, for ever (issue 17
item 9). Usage: imap_trickle.py PORTFILE; the port (chosen by the system)
is written to PORTFILE once the server listens."""
import os
import socketserver
import sys
import time


class Handler(socketserver.StreamRequestHandler):
    def send(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        try:
            self.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] trickle ready")
            while True:
                line = self.rfile.readline(65536)
                if not line:
                    return
                parts = line.decode("latin-1").strip().split(" ", 2)
                tag = parts[0]
                cmd = parts[1].upper() if len(parts) > 1 else ""
                if cmd == "CAPABILITY":
                    self.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN")
                    self.send(tag + " OK done")
                elif cmd == "AUTHENTICATE":
                    if len(parts) < 3 or " " not in parts[2]:
                        self.send("+ ")
                        self.rfile.readline(65536)
                    self.send(tag + " OK logged in")
                elif cmd in ("SELECT", "EXAMINE"):
                    while True:
                        self.send("* OK keepalive")
                        time.sleep(1)
                elif cmd == "LOGOUT":
                    self.send("* BYE")
                    self.send(tag + " OK bye")
                    return
                else:
                    self.send(tag + " OK done")
        except (BrokenPipeError, ConnectionResetError):
            return


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
