"""A mail client's day with Python's imaplib against the real listener (STARTTLS):
refused before TLS, login with a device credential, LIST, SELECT, SEARCH, FETCH
(peek and read), STORE, APPEND, EXPUNGE, IDLE woken by a second session's APPEND,
LOGOUT. Asserts as it goes; prints `label value` lines for the Rust side.

Usage: scenario.py port=P ca=CA user=U secret=S
"""
import imaplib
import re
import socket
import ssl
import sys

args = dict(a.split("=", 1) for a in sys.argv[1:])
port, ca, user, secret = int(args["port"]), args["ca"], args["user"], args["secret"]
context = ssl.create_default_context(cafile=ca)
context.check_hostname = False


def say(label, value):
    print(label, value, flush=True)


def connect():
    m = imaplib.IMAP4("127.0.0.1", port, timeout=20)
    m.starttls(ssl_context=context)
    m.login(user, secret)
    return m


# Before TLS: STARTTLS offered, no AUTH=, LOGIN refused (RFC 9051 §6.2.3, MS-3).
m = imaplib.IMAP4("127.0.0.1", port, timeout=20)
assert "STARTTLS" in m.capabilities and "LOGINDISABLED" in m.capabilities, m.capabilities
assert not any(c.startswith("AUTH=") for c in m.capabilities), m.capabilities
try:
    m.login(user, secret)
    raise AssertionError("LOGIN accepted before TLS")
except imaplib.IMAP4.error as e:
    say("before_tls", str(e))
m.starttls(ssl_context=context)
assert "AUTH=PLAIN" in m.capabilities, m.capabilities
typ, data = m.login(user, secret)
assert typ == "OK", data
say("capabilities", " ".join(m.capabilities))

# LIST with special-use attributes (RFC 6154).
typ, folders = m.list()
assert typ == "OK"
listed = {re.search(rb'"/" (.*)$', f).group(1).decode(): f.decode() for f in folders}
assert "\\Sent" in listed["Sent"] and "\\Trash" in listed["Trash"], listed
say("folders", ",".join(sorted(listed)))

typ, data = m.select("INBOX")
assert typ == "OK", data
say("exists", data[0].decode())

typ, data = m.search(None, "UNSEEN")
say("unseen", data[0].decode())
typ, data = m.uid("SEARCH", None, "ALL")
uids = data[0].split()
say("uids", b",".join(uids).decode())

# A peek leaves the message unseen; a read marks it \Seen.
typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
subject = data[0][1].decode().strip()
say("subject", subject)
typ, data = m.fetch("1", "(FLAGS)")
assert b"\\Seen" not in data[0], data
typ, data = m.fetch("1", "(BODY[])")
body = data[0][1]
assert b"Bonjour" in body, body
typ, data = m.fetch("1", "(FLAGS)")
assert b"\\Seen" in data[0], data

typ, data = m.store("2", "+FLAGS", "(\\Flagged)")
assert typ == "OK", data
typ, data = m.search(None, "FLAGGED")
assert data[0] == b"2", data
typ, data = m.search(None, 'SUBJECT "cardio"')
say("search_subject", data[0].decode())

# APPEND to Drafts: APPENDUID (RFC 4315).
typ, data = m.append("Drafts", "(\\Draft)", None, b"From: " + user.encode() + b"\r\nSubject: brouillon\r\n\r\nA finir\r\n")
assert typ == "OK" and b"APPENDUID" in data[0], data
say("appenduid", data[0].decode())
typ, data = m.status("Drafts", "(MESSAGES UIDNEXT)")
say("drafts_status", data[0].decode())

# EXPUNGE of a \Deleted message.
typ, data = m.store("3", "+FLAGS", "(\\Deleted)")
typ, data = m.expunge()
assert data == [b"3"], data
typ, data = m.search(None, "ALL")
say("after_expunge", data[0].decode())

# IDLE (RFC 2177), woken by another session's APPEND to this INBOX.
tag = m._new_tag()
m.send(tag + b" IDLE\r\n")
line = m.readline()
assert line.startswith(b"+"), line
other = connect()
other.append("INBOX", None, None, b"From: x@caduceus.test\r\nSubject: new\r\n\r\nhi\r\n")
other.logout()
m.sock.settimeout(5)
line = m.readline()
say("idle_woken", line.decode().strip())
m.send(b"DONE\r\n")
while True:
    line = m.readline()
    if line.startswith(tag):
        assert b"OK" in line, line
        break

# Bad syntax gets BAD, and the session goes on.
tag = m._new_tag()
m.send(tag + b" FETCH 1 (NONSENSE)\r\n")
line = m.readline()
say("bad_syntax", line.decode().strip())
typ, data = m.noop()
assert typ == "OK"

typ, data = m.logout()
say("logout", typ)
