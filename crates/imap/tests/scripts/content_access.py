"""Every way imaplib can reveal a message's content, one command each: BODY.PEEK[],
BINARY.PEEK[1], SEARCH TEXT, FETCH ENVELOPE, then FLAGS (which reveals nothing).
Prints `label value` lines for crates/imap/tests/content_traces.rs.

Usage: content_access.py port=P ca=CA user=U secret=S
"""
import imaplib
import ssl
import sys

args = dict(a.split("=", 1) for a in sys.argv[1:])
context = ssl.create_default_context(cafile=args["ca"])
m = imaplib.IMAP4_SSL("127.0.0.1", int(args["port"]), ssl_context=context, timeout=20)
m.login(args["user"], args["secret"])
m.select("INBOX")


def step(label, *command):
    typ, data = m.fetch(*command) if command[0] != "SEARCH" else m.search(None, *command[1:])
    assert typ == "OK", (label, data)
    first = data[0]
    shown = first[1] if isinstance(first, tuple) else first
    print(label, len(shown), flush=True)


step("peek", "1", "(BODY.PEEK[])")
step("binary", "1", "(BINARY.PEEK[1])")
step("search", "SEARCH", "TEXT", "tension")
step("envelope", "1", "(ENVELOPE)")
typ, data = m.fetch("1", "(FLAGS)")
print("flags", data[0].decode(), flush=True)
m.logout()
