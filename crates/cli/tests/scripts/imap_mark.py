"""Marks messages of one account's INBOX through IMAP (implicit TLS, a device
credential), for the upgrade fixture: each ACTION is `SEQ:+FLAGS (…)` (a STORE) or
`expunge`. Prints `marked`.

Usage: imap_mark.py HOST:PORT CA USER SECRET ACTION...
"""
import imaplib
import ssl
import sys

address, ca, user, secret = sys.argv[1:5]
host, port = address.rsplit(":", 1)
context = ssl.create_default_context(cafile=ca)
context.check_hostname = False
m = imaplib.IMAP4_SSL(host, int(port), ssl_context=context, timeout=30)
m.login(user, secret)
typ, data = m.select("INBOX")
assert typ == "OK", data
for action in sys.argv[5:]:
    if action == "expunge":
        typ, data = m.expunge()
    else:
        seq, flags = action.split(":", 1)
        typ, data = m.store(seq, "+FLAGS", flags.split(" ", 1)[1])
    assert typ == "OK", (action, data)
m.logout()
print("marked")
