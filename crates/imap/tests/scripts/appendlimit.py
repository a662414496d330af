"""APPENDLIMIT (RFC 7889) with Python's imaplib over implicit TLS: the limit read
from CAPABILITY, a message of exactly that size appended, one byte more refused
with NO [TOOBIG] (MS-1). Prints `label value` lines for the Rust side.

Usage: appendlimit.py port=P ca=CA user=U secret=S
"""
import imaplib
import ssl
import sys

args = dict(a.split("=", 1) for a in sys.argv[1:])
port, ca, user, secret = int(args["port"]), args["ca"], args["user"], args["secret"]
context = ssl.create_default_context(cafile=ca)
context.check_hostname = False

m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=context, timeout=20)
m.login(user, secret)
typ, data = m.capability()
caps = data[0].decode().split()
limits = [c.split("=", 1)[1] for c in caps if c.startswith("APPENDLIMIT=")]
assert len(limits) == 1, caps
limit = int(limits[0])
print("limit", limit, flush=True)


def message(size):
    head = b"From: alice@caduceus.test\r\nSubject: taille\r\n\r\n"
    return head + b"x" * (size - len(head))


typ, data = m.append("Drafts", None, None, message(limit))
print("at_limit", typ, data[0].decode(), flush=True)
typ, data = m.append("Drafts", None, None, message(limit + 1))
print("over_limit", typ, data[0].decode(), flush=True)
typ, data = m.status("Drafts", "(MESSAGES)")
print("status", data[0].decode(), flush=True)
m.logout()
