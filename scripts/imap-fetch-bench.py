#!/usr/bin/env python3
"""Times what a mail client does when it opens a big mailbox, over implicit TLS with
Python's imaplib: LOGIN, SELECT INBOX, then `FETCH 1:* (RFC822)` (every full body)
and `FETCH 1:* (FLAGS ENVELOPE)` (a message list), each RUNS times on one session
(the median is reported). Prints one `IMAP name=… messages=… bytes=… full_s=…
list_s=…` line. Used by scripts/bench-smtp.sh against Caduceus and Dovecot alike.

Usage: imap-fetch-bench.py NAME HOST:PORT CA_PEM TLS_NAME USER SECRET_FILE [RUNS]
"""
import imaplib
import ssl
import statistics
import sys
import time

name, address, ca, tls_name, user, secret_file = sys.argv[1:7]
runs = int(sys.argv[7]) if len(sys.argv) > 7 else 3
host, port = address.rsplit(":", 1)
secret = open(secret_file).read().strip()
context = ssl.create_default_context(cafile=ca)
context.check_hostname = False  # the certificate names TLS_NAME; we dial an address


class Client(imaplib.IMAP4_SSL):
    def _create_socket(self, timeout):
        sock = super(imaplib.IMAP4_SSL, self)._create_socket(timeout)
        return self.ssl_context.wrap_socket(sock, server_hostname=tls_name)


m = Client(host, int(port), ssl_context=context, timeout=300)
m.login(user, secret)
typ, data = m.select("INBOX")
assert typ == "OK", data
count = int(data[0])


def timed(items):
    start = time.perf_counter()
    typ, data = m.fetch("1:*", items)
    elapsed = time.perf_counter() - start
    assert typ == "OK", data
    return elapsed, data


full, size = [], 0
for _ in range(runs):
    elapsed, data = timed("(RFC822)")
    full.append(elapsed)
    size = sum(len(part[1]) for part in data if isinstance(part, tuple))
listing = [timed("(FLAGS ENVELOPE)")[0] for _ in range(runs)]
m.logout()
print(
    "IMAP name=%s messages=%d bytes=%d full_s=%.4f list_s=%.4f"
    % (name, count, size, statistics.median(full), statistics.median(listing))
)
