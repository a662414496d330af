#!/usr/bin/env python3
"""Times what a mail client does when it opens a big mailbox, on several servers at
once, over implicit TLS with Python's imaplib. Each side gets one session: LOGIN,
SELECT INBOX, one untimed round (a first full FETCH also sets \\Seen on every message),
then RUNS rounds, interleaved across the sides (side 1, side 2, … then again), of

  listing  `FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE INTERNALDATE RFC822.SIZE)`, what a
           client asks when it opens a folder (Thunderbird, issue 20 item 4);
  full     `FETCH 1:* (RFC822)`, every full body.

Each FETCH is timed twice per round on the client (wall clock, to the tagged OK): read
by imaplib, which parses each response in Python (about 30 ms for a listing of 2,000
on this VM, slower than either server: both then wait for the client), and read raw
(`raw_*`: the bytes taken off the TLS stream as they come until the tagged OK, the
responses counted, nothing parsed), which measures the server — what a client in C
(Thunderbird, mbsync) sees. And on the server:
the CPU time (/proc/PID/stat utime+stime) of the processes given for the side and
all their descendants (Dovecot's `imap` processes are children of its master),
robust to other load on a shared machine. Medians of the times and means of the CPU
times (counted in ticks of 1/CLK_TCK s) are printed, one line per side:

  IMAP name=… messages=… bytes=… full_s=… list_s=… raw_full_s=… raw_list_s=…
       full_cpu_ms=… list_cpu_ms=…
       [db_full_cpu_ms=… db_list_cpu_ms=…] first_list_s=… [first_list_cpu_ms=…]
       [db_first_list_cpu_ms=…]

(`first_list_*`: the untimed round's listing, the first after the server started: one
sample, with Caduceus' listing cache still cold.)

then, when a side is named `dovecot`, each other side's ratios (Dovecot's median time
over the side's: ≥ 1 means no slower than Dovecot):

  RATIO name=… full=… list=… raw_full=… raw_list=…

Usage: imap-fetch-bench.py [--runs N] SIDE...
  SIDE = NAME,HOST:PORT,CA_PEM,TLS_NAME,USER,SECRET_FILE[,PIDS[,DB_PIDS]]
  PIDS, DB_PIDS: process ids joined with `+` (the server; its database server).
Used by scripts/bench-smtp.sh (IMAP=1, or IMAP_ONLY=DIR on a kept data directory).
"""
import imaplib
import os
import ssl
import statistics
import sys
import time

LISTING = "(FLAGS ENVELOPE BODYSTRUCTURE INTERNALDATE RFC822.SIZE)"
FULL = "(RFC822)"
HZ = os.sysconf("SC_CLK_TCK")


def cpu_seconds(roots):
    """CPU seconds used so far by the processes `roots` and their descendants."""
    stats = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                s = f.read()
        except OSError:
            continue
        rest = s[s.rindex(")") + 2 :].split()
        stats[int(pid)] = (int(rest[1]), int(rest[11]) + int(rest[12]))
    children = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo, seen = 0, [p for p in roots if p in stats], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += stats[pid][1]
        todo.extend(children.get(pid, []))
    return total / HZ


def pids(spec):
    return [int(p) for p in spec.split("+") if p]


class Side:
    def __init__(self, spec):
        fields = spec.split(",")
        if len(fields) < 6:
            sys.exit(f"imap-fetch-bench: a side is NAME,HOST:PORT,CA,TLS_NAME,USER,SECRET_FILE[,PIDS[,DB_PIDS]]: {spec}")
        self.name, address, ca, tls_name, user, secret_file = fields[:6]
        self.server = pids(fields[6]) if len(fields) > 6 else []
        self.db = pids(fields[7]) if len(fields) > 7 else []
        host, port = address.rsplit(":", 1)
        context = ssl.create_default_context(cafile=ca)
        context.check_hostname = False  # the certificate names TLS_NAME; we dial an address

        class Client(imaplib.IMAP4_SSL):
            def _create_socket(self, timeout):
                sock = super(imaplib.IMAP4_SSL, self)._create_socket(timeout)
                return self.ssl_context.wrap_socket(sock, server_hostname=tls_name)

        self.m = Client(host, int(port), ssl_context=context, timeout=300)
        self.m.login(user, open(secret_file).read().strip())
        typ, data = self.m.select("INBOX")
        assert typ == "OK", data
        self.count = int(data[0])
        self.size = 0
        self.times = {"full": [], "list": [], "raw_full": [], "raw_list": []}
        self.tags = 0
        self.cpu = {"full": [], "list": []}
        self.db_cpu = {"full": [], "list": []}
        self.first_list = (0.0, 0.0, 0.0)

    def fetch(self, kind, record=True):
        items = FULL if kind == "full" else LISTING
        cpu0, db0 = cpu_seconds(self.server), cpu_seconds(self.db)
        start = time.perf_counter()
        typ, data = self.m.fetch("1:*", items)
        elapsed = time.perf_counter() - start
        cpu1, db1 = cpu_seconds(self.server), cpu_seconds(self.db)
        assert typ == "OK", data
        answered = sum(1 for part in data if isinstance(part, tuple) or part != b")")
        assert answered >= self.count, f"{self.name}: {answered} responses for {self.count} messages"
        if kind == "full":
            self.size = sum(len(part[1]) for part in data if isinstance(part, tuple))
        if not record and kind == "list":
            # The first listing after the server started: Caduceus' listing cache is
            # cold (the full FETCH before it does not fill it).
            self.first_list = (elapsed, 1000 * (cpu1 - cpu0), 1000 * (db1 - db0))
        if record:
            self.times[kind].append(elapsed)
            self.cpu[kind].append(1000 * (cpu1 - cpu0))
            self.db_cpu[kind].append(1000 * (db1 - db0))

    def fetch_raw(self, kind):
        """The same FETCH, its answer read off the stream unparsed (imaplib's reader,
        so nothing is left buffered for the next command)."""
        items = FULL if kind == "full" else LISTING
        self.tags += 1
        tag = b"R%d" % self.tags
        done = b"\r\n" + tag + b" "
        start = time.perf_counter()
        self.m.send(tag + b" FETCH 1:* " + items.encode() + b"\r\n")
        parts, tail = [], b""
        while True:
            chunk = self.m.file.read1(1 << 20)
            assert chunk, f"{self.name}: connection closed"
            parts.append(chunk)
            tail = (tail + chunk)[-400:]
            at = tail.rfind(done)
            if at >= 0 and tail.endswith(b"\r\n") and tail.find(b"\r\n", at + 2) == len(tail) - 2:
                break
        elapsed = time.perf_counter() - start
        answer = b"".join(parts)
        status = answer[answer.rfind(done) + len(done):].split(b" ", 1)[0]
        assert status == b"OK", f"{self.name}: {answer[-200:]!r}"
        answered = answer.count(b" FETCH (")
        assert answered >= self.count, f"{self.name}: {answered} raw responses for {self.count} messages"
        self.times["raw_" + kind].append(elapsed)

    def line(self):
        med = statistics.median
        out = "IMAP name=%s messages=%d bytes=%d full_s=%.4f list_s=%.4f raw_full_s=%.4f raw_list_s=%.4f" % (
            self.name, self.count, self.size, med(self.times["full"]), med(self.times["list"]),
            med(self.times["raw_full"]), med(self.times["raw_list"]))
        # CPU: the mean over the runs (the kernel counts in ticks of 1/CLK_TCK s, 10 ms
        # here, too coarse for one FETCH's median).
        mean = statistics.mean
        if self.server:
            out += " full_cpu_ms=%.1f list_cpu_ms=%.1f" % (mean(self.cpu["full"]), mean(self.cpu["list"]))
        if self.db:
            out += " db_full_cpu_ms=%.1f db_list_cpu_ms=%.1f" % (
                mean(self.db_cpu["full"]), mean(self.db_cpu["list"]))
        first_s, first_cpu, first_db = self.first_list
        out += " first_list_s=%.4f" % first_s
        if self.server:
            out += " first_list_cpu_ms=%.0f" % first_cpu
        if self.db:
            out += " db_first_list_cpu_ms=%.0f" % first_db
        return out


def main(argv):
    runs = 7
    if len(argv) > 1 and argv[0] == "--runs":
        runs, argv = int(argv[1]), argv[2:]
    if runs < 5:
        sys.exit("imap-fetch-bench: at least 5 runs (single FETCHes vary too much)")
    if not argv:
        sys.exit(__doc__)
    sides = [Side(spec) for spec in argv]
    for side in sides:  # untimed: caches, \Seen set by the first full FETCH
        side.fetch("full", record=False)
        side.fetch("list", record=False)
    for _ in range(runs):
        for side in sides:
            side.fetch("list")
            side.fetch("full")
            side.fetch_raw("list")
            side.fetch_raw("full")
    for side in sides:
        side.m.logout()
        print(side.line())
    dovecot = next((s for s in sides if s.name == "dovecot"), None)
    if dovecot:
        med = statistics.median
        for side in sides:
            if side is not dovecot:
                ratio = lambda kind: med(dovecot.times[kind]) / med(side.times[kind])
                print("RATIO name=%s full=%.2f list=%.2f raw_full=%.2f raw_list=%.2f" % (
                    side.name, ratio("full"), ratio("list"), ratio("raw_full"), ratio("raw_list")))


if __name__ == "__main__":
    main(sys.argv[1:])
