#!/usr/bin/env python3
"""Memory a `caduceus serve` takes from clients that never log in (issue 21 item 5, AU-3).

Two probes, each against a fresh demo server (`caduceus init --demo`, then `serve`):

  https  150 TLS connections each POST /api/v1/session with a 26 MB body, unauthenticated
  imap   40 TLS connections each send `a LOGIN {26000000}` before login, then the 26 MB
         if the server asks for them (`+`); `imap-nonsync` sends `{26000000+}` and the
         bytes without asking (RFC 7888)

For each: the server's resident memory before the probe and at its peak during it
(sampled from /proc every 20 ms), the answers the clients got, and the bytes they could
send. Figures go to docs/reliability.md ("Listeners").

usage: scripts/probe-preauth-memory.py [--binary target/debug/caduceus] [--probe https|imap|imap-nonsync]...
"""
import argparse
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

BODY = 26_000_000
CHUNK = b"a" * 65536


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Sampler(threading.Thread):
    """The peak resident memory of `pid` while running."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.02)


def start_server(binary, root):
    data = os.path.join(root, "data")
    ports = {name: f"127.0.0.1:{free_port()}" for name in
             ["https", "submission", "submissions", "relay", "imap", "imaps", "ldap", "ldaps", "metrics"]}
    args = [binary, "--data", data, "init", "--demo"]
    for name, address in ports.items():
        args += [f"--{name}", address]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = subprocess.Popen([binary, "--data", data, "serve"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for name in ["https", "imaps"]:
        host, port = ports[name].rsplit(":", 1)
        for _ in range(600):
            try:
                socket.create_connection((host, int(port)), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
    time.sleep(1)
    context = ssl.create_default_context(cafile=os.path.join(data, "pki/ca.pem"))
    context.check_hostname = False
    return server, ports, context


def connect(address, context):
    host, port = address.rsplit(":", 1)
    return context.wrap_socket(socket.create_connection((host, int(port)), timeout=120))


def send_body(conn, size):
    """Sends `size` bytes; how many the server took before it closed."""
    sent = 0
    try:
        while sent < size:
            n = min(len(CHUNK), size - sent)
            conn.sendall(CHUNK[:n])
            sent += n
    except OSError:
        pass
    return sent


def https_client(address, context, results):
    try:
        conn = connect(address, context)
        conn.sendall((f"POST /api/v1/session HTTP/1.1\r\nHost: localhost\r\n"
                      f"Content-Type: application/json\r\nContent-Length: {BODY}\r\n\r\n").encode())
        sent = send_body(conn, BODY)
        try:
            answer = conn.recv(200).split(b"\r\n")[0].decode(errors="replace")
        except OSError as error:
            answer = f"({type(error).__name__})"
        results.append((answer or "(closed)", sent))
    except OSError as error:
        results.append((f"({type(error).__name__})", 0))


def imap_client(address, context, results, non_sync):
    try:
        conn = connect(address, context)
        conn.recv(4096)  # greeting
        header = f"a LOGIN user {{{BODY}+}}\r\n" if non_sync else f"a LOGIN user {{{BODY}}}\r\n"
        conn.sendall(header.encode())
        sent = 0
        if non_sync:
            sent = send_body(conn, BODY)
            conn.sendall(b"\r\n")
        answer = conn.recv(200).split(b"\r\n")[0].decode(errors="replace")
        if answer.startswith("+"):
            sent = send_body(conn, BODY)
            conn.sendall(b"\r\n")
            answer = conn.recv(200).split(b"\r\n")[0].decode(errors="replace")
        results.append((answer[:60] or "(closed)", sent))
    except OSError as error:
        results.append((f"({type(error).__name__})", 0))


def probe(binary, name):
    with tempfile.TemporaryDirectory() as root:
        server, ports, context = start_server(binary, root)
        try:
            before = rss_kib(server.pid)
            sampler = Sampler(server.pid)
            sampler.start()
            results = []
            if name == "https":
                count, target = 150, lambda: https_client(ports["https"], context, results)
            else:
                count = 40
                target = lambda: imap_client(ports["imaps"], context, results, name == "imap-nonsync")
            threads = [threading.Thread(target=target) for _ in range(count)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            time.sleep(0.5)
            sampler.running = False
            sampler.join()
            answers = {}
            for answer, _ in results:
                answers[answer] = answers.get(answer, 0) + 1
            sent = sum(s for _, s in results)
            print(f"{name}: {count} clients, server RSS before {before / 1024:.0f} MiB, "
                  f"peak {sampler.peak / 1024:.0f} MiB; bytes sent {sent / 1e6:.0f} MB "
                  f"in {elapsed:.1f} s; answers {answers}")
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                print(f"{name}: serve did not stop within 60 s of SIGTERM", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default="target/debug/caduceus")
    parser.add_argument("--probe", action="append", choices=["https", "imap", "imap-nonsync"])
    args = parser.parse_args()
    print(f"binary: {args.binary}")
    for name in args.probe or ["https", "imap", "imap-nonsync"]:
        probe(args.binary, name)


if __name__ == "__main__":
    main()
