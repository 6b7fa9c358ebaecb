#!/usr/bin/env python3
"""ms_smtp_standin - a stand-in for Microsoft's inbound SMTP servers
(Outlook.com / Microsoft 365) for tests/mta/test_postfix.sh: python3
standard library only (asyncio), listening on one address and port.

It answers MAIL FROM the way Microsoft answers a sender whose IP it
throttles or blocks, with Microsoft's real texts (../shared/reference/mta.md
and tests/fixtures/mta/SOURCES.md name where each comes from). The [IP]
inside an answer is the address the client connected from, as Microsoft
writes the IP it judged, so a Postfix transport bound to 127.0.0.2 is told
about [127.0.0.2].

Which answer a message gets is chosen by the local part of its envelope
sender, "KIND[xTIMES]-ANYTHING":

  ok        250: accepted, the message is taken (DATA)
  s775      451 4.7.650 ... (S775)   throttled on IP reputation
  s3114     451 4.7.651 ... (S3114)  throttled
  t444      451 4.4.4 Temporary server error (a deferral, not throttling)
  s3150     550 5.7.1 ... on our block list (S3150)
  s3140     550 5.7.1 ... on our block list (S3140)
  b606      550 5.7.606 Access denied, banned sending IP [IP]

"xTIMES" makes a 4xx kind answer only the first TIMES attempts of that
sender address, then accept (a throttled message that goes through on a
later retry): "s775x2-a1" is deferred twice, then delivered. Without it
the answer is given every time. Anything else is accepted.

Every answer to MAIL FROM and every message taken is written to the
transcript (--transcript), one line per event, tab-separated:
"PEER  SENDER  RECIPIENTS(comma)  REPLY-CODE  ENHANCED  S-CODE", so the
test can compare what Postfix logged against what the server said.

  ms_smtp_standin.py --listen 127.0.0.1 --port-file F --transcript T
      [--port N]   (0 or absent: a free port, written to F when listening)
"""

import argparse
import asyncio
import datetime
import os
import random
import re
import signal
import sys

HOST = "BN8NAM12FT054.mail.protection.outlook.com"

# Microsoft's texts; {ip} is the client's address, {tail} the diagnostic
# brackets Microsoft appends (agent, MxId, front-end host, time, id)
ANSWERS = {
    "s775": ("451", "4.7.650",
             "The mail server [{ip}] has been temporarily rate limited due to"
             " IP reputation. For e-mail delivery information, see"
             " https://aka.ms/postmaster (S775){tail}"),
    "s3114": ("451", "4.7.651",
              "The mail server [{ip}] has been temporarily rate limited due"
              " to IP reputation. For e-mail delivery information, see"
              " https://postmaster.live.com (S3114)"),
    "t444": ("451", "4.4.4",
             "Temporary server error. Please try again later ATTR1"),
    "s3150": ("550", "5.7.1",
              "Unfortunately, messages from [{ip}] weren't sent. Please"
              " contact your Internet service provider since part of their"
              " network is on our block list (S3150). You can also refer"
              " your provider to"
              " http://mail.live.com/mail/troubleshooting.aspx#errors.{tail}"),
    "s3140": ("550", "5.7.1",
              "Unfortunately, messages from [{ip}] weren't sent. Please"
              " contact your Internet service provider since part of their"
              " network is on our block list (S3140). You can also refer"
              " your provider to"
              " http://mail.live.com/mail/troubleshooting.aspx#errors.{tail}"),
    "b606": ("550", "5.7.606",
             "Access denied, banned sending IP [{ip}]; To request removal"
             " from this list please visit https://sender.office.com/ and"
             " follow the directions."),
}
KIND_RE = re.compile(r"^([a-z]+[0-9]*?)(?:x([0-9]+))?-")
SCODE_RE = re.compile(r"\((S[0-9]{3,5})\)")


class State:
    def __init__(self, transcript):
        self.tries = {}          # sender address -> MAIL FROMs seen
        self.out = open(transcript, "a", buffering=1, encoding="utf-8")

    def log(self, peer, sender, rcpts, code, enhanced, text):
        m = SCODE_RE.search(text)
        self.out.write("\t".join([peer, sender, ",".join(rcpts), code,
                                  enhanced, m.group(1) if m else ""]) + "\n")


def tail():
    now = datetime.datetime.now(datetime.timezone.utc)
    return (" [Name=Protocol Filter Agent][AGT=PFA][MxId=%016X]"
            " [%s %s.%03dZ %016X]" % (
                random.getrandbits(64), "SA2PEPF00003AE4.namprd02.prod.outlook.com",
                now.strftime("%Y-%m-%dT%H:%M:%S"), now.microsecond // 1000,
                random.getrandbits(64)))


def verdict(state, sender, ip):
    """(code, enhanced, text) for a MAIL FROM of SENDER from IP"""
    local = sender.split("@", 1)[0].lower()
    n = state.tries.get(sender, 0) + 1
    state.tries[sender] = n
    m = KIND_RE.match(local)
    if m and m.group(1) in ANSWERS:
        kind, times = m.group(1), m.group(2)
        code, enh, text = ANSWERS[kind]
        if times is None or n <= int(times):
            return code, enh, text.format(ip=ip, tail=tail())
    return "250", "2.1.0", "Sender OK"


async def session(state, reader, writer):
    peer = writer.get_extra_info("peername")[0]

    async def say(line):
        writer.write(line.encode() + b"\r\n")
        await writer.drain()

    now = datetime.datetime.now(datetime.timezone.utc)
    await say("220 %s Microsoft ESMTP MAIL Service ready at %s"
              % (HOST, now.strftime("%a, %d %b %Y %H:%M:%S +0000")))
    sender, rcpts, accepted = None, [], False
    try:
        while True:
            raw = await reader.readline()
            if not raw:
                return
            line = raw.decode("latin-1").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                if verb == "HELO":
                    await say("250 %s Hello [%s]" % (HOST, peer))
                    continue
                for ext in ("%s Hello [%s]" % (HOST, peer), "SIZE 49283072",
                            "PIPELINING", "DSN", "ENHANCEDSTATUSCODES",
                            "8BITMIME"):
                    await say("250-" + ext)
                await say("250 SMTPUTF8")
            elif verb == "MAIL":
                m = re.search(r"<([^>]*)>", line)
                sender = m.group(1) if m else ""
                rcpts = []
                code, enh, text = verdict(state, sender, peer)
                accepted = code == "250"
                if not accepted:
                    state.log(peer, sender, [], code, enh, text)
                await say("%s %s %s" % (code, enh, text))
            elif verb == "RCPT":
                if not accepted:
                    await say("503 5.5.1 Bad sequence of commands")
                    continue
                m = re.search(r"<([^>]*)>", line)
                rcpts.append(m.group(1) if m else "")
                await say("250 2.1.5 Recipient OK")
            elif verb == "DATA":
                if not accepted or not rcpts:
                    await say("503 5.5.1 Bad sequence of commands")
                    continue
                await say("354 Start mail input; end with <CRLF>.<CRLF>")
                size = 0
                while True:
                    d = await reader.readline()
                    if not d:
                        return
                    if d in (b".\r\n", b".\n"):
                        break
                    size += len(d)
                state.log(peer, sender, rcpts, "250", "2.6.0", "")
                await say("250 2.6.0 <%016x@%s> [InternalId=%d, Hostname=%s]"
                          " %d bytes in 0.012, 81.380 KB/sec Queued mail for"
                          " delivery" % (random.getrandbits(64), HOST,
                                         random.getrandbits(40), HOST, size))
                sender, rcpts, accepted = None, [], False
            elif verb == "RSET":
                sender, rcpts, accepted = None, [], False
                await say("250 2.0.0 Resetting")
            elif verb == "NOOP":
                await say("250 2.0.0 OK")
            elif verb == "QUIT":
                await say("221 2.0.0 Service closing transmission channel")
                return
            else:
                await say("500 5.3.3 Unrecognized command")
    except (ConnectionError, asyncio.IncompleteReadError):
        return
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listen", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--transcript", required=True)
    args = ap.parse_args()
    state = State(args.transcript)
    server = await asyncio.start_server(
        lambda r, w: session(state, r, w), args.listen, args.port)
    port = server.sockets[0].getsockname()[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.port_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
