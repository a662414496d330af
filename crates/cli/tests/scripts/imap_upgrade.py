"""The upgrade fixtures' IMAP client (implicit TLS, a device credential).

`snapshot` prints what an upgrade must keep of one account: for each of its own folders
(LIST, sorted; not the shared namespace nor `\\Noselect` containers), opened read-only (EXAMINE), its UIDVALIDITY and UIDNEXT, then each message's
UID, flags and keywords (sorted, without the session's \\Recent), Message-ID and the
SHA-256 of its whole content (first 16 hex digits). Lines are stable, so two runs
compare as text.

`mark ACTION...` changes the INBOX: each ACTION is `SEQ:+FLAGS (…)` (a STORE) or
`expunge`; prints `marked`.

Usage: imap_upgrade.py HOST:PORT CA USER SECRET snapshot|mark [ACTION...]
"""
import hashlib
import imaplib
import re
import ssl
import sys

address, ca, user, secret, command = sys.argv[1:6]
host, port = address.rsplit(":", 1)
context = ssl.create_default_context(cafile=ca)
context.check_hostname = False
m = imaplib.IMAP4_SSL(host, int(port), ssl_context=context, timeout=30)
m.login(user, secret)


def mark(actions):
    typ, data = m.select("INBOX")
    assert typ == "OK", data
    for action in actions:
        if action == "expunge":
            typ, data = m.expunge()
        else:
            seq, flags = action.split(":", 1)
            typ, data = m.store(seq, "+FLAGS", flags.split(" ", 1)[1])
        assert typ == "OK", (action, data)
    print("marked")


def snapshot():
    typ, listing = m.list()
    assert typ == "OK", listing
    # The account's own folders: not the shared namespace (the mailboxes it acts for,
    # issue 20) nor the containers that cannot be opened.
    folders = sorted(
        re.match(rb'\(.*?\) (?:"[^"]*"|NIL) (.*)$', line).group(1).decode().strip('"')
        for line in listing
        if b"\\Noselect" not in line.split(b")")[0]
    )
    folders = [f for f in folders if f != "Shared" and not f.startswith("Shared/")]
    for folder in folders:
        typ, data = m.select('"%s"' % folder, readonly=True)
        assert typ == "OK", data
        validity = m.response("UIDVALIDITY")[1][0].decode()
        uidnext = m.response("UIDNEXT")[1][0].decode()
        print("%s %s uidvalidity %s uidnext %s" % (user, folder, validity, uidnext))
        if int(data[0]) == 0:
            continue
        typ, data = m.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
        assert typ == "OK", data
        for item in data:
            if not isinstance(item, tuple):
                continue
            head = item[0].decode()
            uid = re.search(r"UID (\d+)", head).group(1)
            flags = re.search(r"FLAGS \(([^)]*)\)", head).group(1).split()
            flags = sorted(f for f in flags if f != "\\Recent")
            body = item[1]
            mid = next(
                (l.split(b":", 1)[1].strip().decode() for l in body.splitlines()
                 if l.lower().startswith(b"message-id:")),
                "none",
            )
            digest = hashlib.sha256(body).hexdigest()[:16]
            print("  uid %s flags (%s) %s sha256:%s" % (uid, " ".join(flags), mid, digest))


if command == "mark":
    mark(sys.argv[6:])
else:
    assert command == "snapshot", command
    snapshot()
m.logout()
