#!/usr/bin/env python3
"""Concurrent IMAP stress against one mailbox (issue 20): CLIENTS sessions of one
user append, store flags and keywords, expunge and fetch in INBOX for MINUTES
minutes, each checking every response against the RFC 3501 state model:

- a keyword in a FETCH FLAGS must have been announced in FLAGS (RFC 3501 §7.2.6);
- no tagged NO or BAD: every race here is one RFC 2180 §4 lets succeed;
- EXISTS never shrinks the view, EXPUNGE names a message of the view and is never
  sent during FETCH, STORE or SEARCH (RFC 3501 §7.4.1), FETCH names a message of
  the view with the UID it had, and UIDs grow along the sequence numbers;
- a listing's ENVELOPE is the message's own: its subject the one appended under
  that UID (the listing cache, issue 20 item 4, never serves another's).

Prints one line per violation (the first 20 of each kind), a summary, and
"RESULT clients=… minutes=… commands=… violations=…"; exits 1 on any violation.

Usage: imap-stress.py HOST:PORT CA_PEM USER SECRET_FILE [CLIENTS [MINUTES]]
"""
import asyncio
import collections
import random
import re
import ssl
import sys
import time

KEYWORDS = ["$label1", "$label2", "$label3", "$Todo", "Urgent", "Suivi"]
SYSTEM = ["\\Seen", "\\Flagged", "\\Answered"]
NO_EXPUNGE_DURING = {"FETCH", "STORE", "SEARCH"}

FETCH_RE = re.compile(rb"^\* (\d+) FETCH \((.*)\)\r\n$", re.S)
FLAGS_RE = re.compile(rb"FLAGS \(([^)]*)\)")
UID_RE = re.compile(rb"UID (\d+)")
ENVELOPE_SUBJECT_RE = re.compile(rb'ENVELOPE \((?:NIL|"[^"]*") "([^"]*)"')
APPENDUID_RE = re.compile(rb"APPENDUID \d+ (\d+)")
# The subject each client appended, by UID (all clients share one mailbox): a listing
# must show a message's own ENVELOPE, never one the listing cache kept for another.
SUBJECTS = {}
LITERAL_RE = re.compile(rb"\{(\d+)\}\r\n$")


class Violations:
    """Violations by kind, the first few kept as samples."""

    def __init__(self):
        self.counts = collections.Counter()
        self.shown = collections.Counter()

    def add(self, client, kind, detail):
        self.counts[kind] += 1
        if self.shown[kind] < 20:
            self.shown[kind] += 1
            print(f"VIOLATION client={client} {kind}: {detail}", flush=True)

    def total(self):
        return sum(self.counts.values())


class Client:
    """One session and its view of INBOX: the UIDs by sequence number (None while
    not yet known) and the keywords announced."""

    def __init__(self, n, violations, stats):
        self.n = n
        self.violations = violations
        self.stats = stats
        self.view = []
        self.keywords = set()
        self.tag = 0

    def violation(self, kind, detail):
        self.violations.add(self.n, kind, detail)

    async def connect(self, host, port, context, user, secret):
        self.reader, self.writer = await asyncio.open_connection(
            host, port, ssl=context, server_hostname="localhost"
        )
        await self.read_response()
        login = await self.command(b"LOGIN %s %s" % (user.encode(), secret.encode()), "LOGIN")
        if b" OK " not in login:
            raise ConnectionError("not logged in")
        self.view = []
        await self.command(b"SELECT INBOX", "SELECT")
        await self.command(b"FETCH 1:* (UID FLAGS)", "FETCH")

    async def read_response(self):
        """One response with its literals."""
        data = await self.reader.readline()
        if not data:
            raise ConnectionError("closed by the server")
        while (m := LITERAL_RE.search(data)) is not None:
            data += await self.reader.readexactly(int(m.group(1)))
            data += await self.reader.readline()
        return data

    async def command(self, text, name, literal=None):
        """Sends a command, checks every response up to its tagged one."""
        self.tag += 1
        tag = b"c%d" % self.tag
        if literal is None:
            self.writer.write(tag + b" " + text + b"\r\n")
        else:
            self.writer.write(tag + b" " + text + b" {%d+}\r\n" % len(literal) + literal + b"\r\n")
        await self.writer.drain()
        self.stats[name] += 1
        while True:
            line = await self.read_response()
            if line.startswith(tag + b" "):
                status = line[len(tag) + 1 :].split(b" ", 1)[0]
                if status != b"OK":
                    self.violation(f"{name}-{status.decode()}", line.decode(errors="replace").strip())
                self.check_order()
                return line
            self.untagged(line, name)

    def untagged(self, line, during):
        if line.startswith(b"* FLAGS ("):
            flags = line[len(b"* FLAGS (") : line.rindex(b")")].split()
            self.keywords = {f.decode() for f in flags if not f.startswith(b"\\")}
            return
        parts = line.split(b" ", 3)
        if len(parts) >= 3 and parts[2].startswith(b"EXISTS"):
            count = int(parts[1])
            if count < len(self.view):
                self.violation("exists-shrank", f"{count} < {len(self.view)} during {during}")
                del self.view[count:]
            self.view.extend([None] * (count - len(self.view)))
            return
        if len(parts) >= 3 and parts[2].startswith(b"EXPUNGE"):
            seq = int(parts[1])
            if during in NO_EXPUNGE_DURING:
                self.violation("expunge-during-" + during, line.decode().strip())
            if not 1 <= seq <= len(self.view):
                self.violation("expunge-out-of-view", f"{seq} of {len(self.view)}")
                return
            del self.view[seq - 1]
            return
        m = FETCH_RE.match(line)
        if m:
            self.fetched(int(m.group(1)), m.group(2), during)

    def fetched(self, seq, items, during):
        if not 1 <= seq <= len(self.view):
            self.violation("fetch-out-of-view", f"{seq} of {len(self.view)} during {during}")
            return
        # FLAGS come before any literal in what this client fetches.
        head = items.split(b"{", 1)[0]
        flags = FLAGS_RE.search(head)
        if flags:
            for flag in flags.group(1).split():
                word = flag.decode()
                if not word.startswith("\\") and word not in self.keywords:
                    self.violation("unannounced-keyword", f"{word} at {seq} during {during}")
        uid = UID_RE.search(head)
        if uid:
            uid = int(uid.group(1))
            known = self.view[seq - 1]
            if known is not None and known != uid:
                self.violation("uid-changed", f"seq {seq}: {known} then {uid}")
            self.view[seq - 1] = uid
            subject = ENVELOPE_SUBJECT_RE.search(items)
            if subject and uid in SUBJECTS and subject.group(1).decode() != SUBJECTS[uid]:
                self.violation("envelope-of-another-message", f"UID {uid} during {during}")

    def check_order(self):
        known = [u for u in self.view if u is not None]
        if any(a >= b for a, b in zip(known, known[1:])):
            self.violation("uids-out-of-order", str(known[:20]))

    async def step(self, rng):
        """One random operation."""
        count = len(self.view)
        pick = rng.random()
        flag = rng.choice(KEYWORDS + SYSTEM)
        if pick < 0.2 or count < 5:
            subject = f"stress {rng.random()}"
            body = (
                "From: stress@caduceus.test\r\nTo: alice.martin@caduceus.test\r\n"
                f"Subject: {subject}\r\n\r\nbody\r\n"
            ).encode()
            done = await self.command(b"APPEND INBOX (%s)" % flag.encode(), "APPEND", body)
            appended = APPENDUID_RE.search(done or b"")
            if appended:
                SUBJECTS[int(appended.group(1))] = subject
        elif pick < 0.45:
            seq = rng.randint(1, count)
            sign = rng.choice([b"+", b"-"])
            await self.command(b"STORE %d %sFLAGS (%s)" % (seq, sign, flag.encode()), "STORE")
        elif pick < 0.55:
            seq = rng.randint(1, count)
            await self.command(b"STORE %d +FLAGS.SILENT (\\Deleted)" % seq, "STORE")
        elif pick < 0.62:
            await self.command(b"EXPUNGE", "EXPUNGE")
        elif pick < 0.75:
            # A client's listing (issue 20 item 4): answered from the listing cache
            # once another listing put the messages in it, while others expunge.
            first = rng.randint(1, count)
            last = min(count, first + rng.randint(0, 50))
            await self.command(b"FETCH %d:%d (UID FLAGS ENVELOPE BODYSTRUCTURE)" % (first, last), "FETCH")
        elif pick < 0.85:
            first = rng.randint(1, count)
            last = min(count, first + rng.randint(0, 5))
            await self.command(b"FETCH %d:%d (UID FLAGS BODY.PEEK[HEADER])" % (first, last), "FETCH")
        elif pick < 0.92:
            await self.command(b"SEARCH KEYWORD %s" % rng.choice(KEYWORDS).encode(), "SEARCH")
        else:
            await self.command(b"NOOP", "NOOP")
            await self.command(b"FETCH 1:* (UID)", "FETCH")


async def run_client(n, args, violations, stats, deadline):
    host, port, context, user, secret = args
    client = Client(n, violations, stats)
    rng = random.Random(n)
    try:
        # Every client logs in at once, as a mail client's connections do (AU-3 takes
        # them for what they are: right credentials, no failures).
        await client.connect(host, port, context, user, secret)
        while time.monotonic() < deadline:
            await client.step(rng)
        await client.command(b"LOGOUT", "LOGOUT")
    except (ConnectionError, asyncio.IncompleteReadError, OSError) as error:
        violations.add(n, "connection-lost", repr(error))


async def main():
    address, ca, user, secret_file = sys.argv[1:5]
    clients = int(sys.argv[5]) if len(sys.argv) > 5 else 10
    minutes = float(sys.argv[6]) if len(sys.argv) > 6 else 5
    host, port = address.rsplit(":", 1)
    secret = open(secret_file).read().strip()
    context = ssl.create_default_context(cafile=ca)
    context.check_hostname = False
    violations = Violations()
    stats = collections.Counter()
    deadline = time.monotonic() + minutes * 60
    args = (host, int(port), context, user, secret)
    await asyncio.gather(*(run_client(n, args, violations, stats, deadline) for n in range(clients)))
    commands = sum(stats.values())
    print("commands:", dict(sorted(stats.items())))
    print("violations:", dict(sorted(violations.counts.items())) or "none")
    print(
        f"RESULT clients={clients} minutes={minutes} commands={commands} "
        f"violations={violations.total()}"
    )
    sys.exit(1 if violations.total() else 0)


asyncio.run(main())
