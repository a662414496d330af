"""COMPRESS=DEFLATE (RFC 4978) with Python's ssl and zlib (raw DEFLATE, wbits=-15):
LOGIN in clear inside TLS, COMPRESS DEFLATE, then SELECT, FETCH of a whole message,
a second COMPRESS (refused), LOGOUT, all through the compressed stream. Prints
`label value` lines for the Rust side.

Usage: compress.py port=P ca=CA user=U secret=S
"""
import socket
import ssl
import sys
import zlib

args = dict(a.split("=", 1) for a in sys.argv[1:])
port, ca, user, secret = int(args["port"]), args["ca"], args["user"], args["secret"]
context = ssl.create_default_context(cafile=ca)
context.check_hostname = False
tls = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20))

compressor = None
inflater = None
received = b""
raw_bytes = 0


def send(line):
    data = line.encode()
    if compressor is not None:
        data = compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
    tls.sendall(data)


def more():
    global received, raw_bytes
    chunk = tls.recv(65536)
    if not chunk:
        raise AssertionError("connection closed; got " + repr(received[-200:]))
    raw_bytes += len(chunk)
    received += inflater.decompress(chunk) if inflater is not None else chunk


def until(tag):
    """Everything up to and including the tagged response's line."""
    global received
    while True:
        at = received.find(b"\r\n" + tag.encode() + b" ")
        start = 0 if received.startswith(tag.encode() + b" ") else at + 2 if at >= 0 else -1
        if start >= 0:
            end = received.find(b"\r\n", start)
            if end >= 0:
                answer, received = received[: end + 2], received[end + 2 :]
                return answer.decode("utf-8", "replace")
        more()


while b"\r\n" not in received:
    more()
received = received[received.index(b"\r\n") + 2 :]
send(f"a1 LOGIN {user} {secret}\r\n")
until("a1")
send("a2 CAPABILITY\r\n")
print("capability", until("a2").splitlines()[0], flush=True)
send("a3 COMPRESS DEFLATE\r\n")
answer = until("a3")
print("compress", answer.strip(), flush=True)
assert received == b"", received
compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
inflater = zlib.decompressobj(-15)
before = raw_bytes
send("a4 SELECT INBOX\r\n")
print("select", until("a4").strip().splitlines()[-1], flush=True)
send("a5 FETCH 1:* (BODY.PEEK[])\r\n")
fetched = until("a5")
print("fetch_lines", len(fetched), flush=True)
print("fetch_end", fetched.strip().splitlines()[-1], flush=True)
print("body_marker", fetched.count("Avis cardio"), flush=True)
print("wire_bytes", raw_bytes - before, flush=True)
send("a6 COMPRESS DEFLATE\r\n")
print("again", until("a6").strip(), flush=True)
send("a7 LOGOUT\r\n")
print("logout", until("a7").strip().splitlines()[-1], flush=True)
