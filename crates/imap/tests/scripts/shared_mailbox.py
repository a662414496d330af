"""A delegate of an organisational mailbox (ID-3), or a patient's representative
(ID-7), with Python's imaplib over implicit TLS: NAMESPACE and LIST show the
mailbox under the shared namespace as Thunderbird asks for it, the read-only ACL
answers (RFC 4314, RFC 8440), then SELECT, FETCH, SEARCH, STORE, CREATE, APPEND,
COPY (within the shared mailbox and into the person's own), MOVE into the
person's own, EXPUNGE, STATUS and a subscription there. Asserts as it goes; prints `label value` lines for the Rust side.

Usage: shared_mailbox.py port=P ca=CA user=U secret=S shared=ADDRESS
"""
import imaplib
import re
import ssl
import sys

args = dict(a.split("=", 1) for a in sys.argv[1:])
context = ssl.create_default_context(cafile=args["ca"])
context.check_hostname = False
imaplib.Commands.setdefault("LISTRIGHTS", ("AUTH", "SELECTED"))
m = imaplib.IMAP4_SSL("127.0.0.1", int(args["port"]), ssl_context=context, timeout=20)
m.login(args["user"], args["secret"])
top = "Shared/" + args["shared"]
inbox = top + "/INBOX"


def say(label, value):
    print(label, value, flush=True)


def unquoted(line):
    """A LIST line with its name unquoted (imap-codec writes an atom when it can)."""
    head, _, name = line.rpartition(' "/" ')
    return head + ' "/" ' + name.strip('"')


def ok(answer, label):
    typ, data = answer
    assert typ == "OK", (label, typ, data)
    return data


assert "ACL" in m.capabilities and "RIGHTS=TEXK" in m.capabilities, m.capabilities
assert "LIST-MYRIGHTS" in m.capabilities, m.capabilities

# What Thunderbird asks first: NAMESPACE, then the shared namespace's first level.
namespace = ok(m.namespace(), "namespace")[0].decode()
assert namespace == '(("" "/")) NIL (("Shared/" "/"))', namespace
say("namespace", namespace)
level = [unquoted(d.decode()) for d in ok(m.list('""', '"Shared/%"'), "list_shared")]
assert level == ['(\\Noselect \\HasChildren) "/" %s' % top], level
say("list_shared", level[0])
listed = [unquoted(d.decode()) for d in ok(m.list('""', "*"), "list_all")]
assert any(line.endswith(" " + inbox) for line in listed), listed
assert any(line.endswith(" Shared") and "\\Noselect" in line for line in listed), listed
say("list_all", len(listed))

# RFC 4314: the rights of a delegate, read-only.
rights = ok(m.myrights('"%s"' % inbox), "myrights")[0].decode()
assert rights == '"%s" lrswikxte' % inbox, rights
say("myrights", rights)
typ, data = m.getacl('"%s"' % inbox)
assert typ == "NO" and b"NOPERM" in data[0], (typ, data)
say("getacl_shared", data[0].decode())
own_acl = ok(m.getacl("INBOX"), "getacl_own")[0].decode()
assert own_acl == '"INBOX" "%s" lrswikxte' % args["user"], own_acl
typ, data = m._simple_command("LISTRIGHTS", '"%s"' % inbox, '"%s"' % args["user"])
assert typ == "OK", (typ, data)
typ, data = m._untagged_response(typ, data, "LISTRIGHTS")
assert data[0].decode() == '"%s" "%s" "lrswikxte"' % (inbox, args["user"]), data
typ, data = m.setacl('"%s"' % inbox, "anyone", "lr")
assert typ == "NO" and b"NOPERM" in data[0], (typ, data)
say("setacl", data[0].decode())
typ, data = m._simple_command("LIST", '""', '"%s/%%"' % top, "RETURN", "(MYRIGHTS)")
assert typ == "OK", (typ, data)
typ, data = m._untagged_response(typ, data, "MYRIGHTS")
assert ('"%s" lrswikxte' % inbox).encode() in data, data
assert all(d.endswith(b" lrswikxte") for d in data), data
say("list_myrights", len(data))

# Reading and filing the organisation's mail.
count = ok(m.select('"%s"' % inbox), "select")[0].decode()
say("select", count)
body = ok(m.fetch("1", "(BODY[])"), "fetch")[0][1]
assert b"Subject:" in body, body
say("fetch", len(body))
found = ok(m.search(None, "ALL"), "search")[0].decode()
say("search", found)
ok(m.store("1", "+FLAGS", "(\\Flagged)"), "store")
ok(m.create('"%s/Dossiers"' % top), "create")
copied = ok(m.copy("1", '"%s/Dossiers"' % top), "copy")
say("copy", m.untagged_responses.get("COPYUID", copied))
ok(m.copy("1", "INBOX"), "copy_to_own")
raw = b"From: a@caduceus.test\r\nSubject: note\r\n\r\nfiled by a delegate\r\n"
ok(m.append('"%s/Dossiers"' % top, "(\\Seen)", None, raw), "append")
status = ok(m.status('"%s/Dossiers"' % top, "(MESSAGES)"), "status")[0].decode()
assert status.endswith("(MESSAGES 2)"), status
say("status", status)
ok(m.select('"%s/Dossiers"' % top), "select_archive")
# MOVE into the person's own Archive: read from the shared mailbox, stored in theirs.
ok(m.uid("MOVE", "1", "Archive"), "move_to_own")
ok(m.uid("STORE", "2", "+FLAGS", "(\\Deleted)"), "delete")
expunged = ok(m.expunge(), "expunge")
say("expunge", expunged[0].decode())
# Subscriptions are the person's own, shared names included (Thunderbird's LSUB).
ok(m.subscribe('"%s"' % inbox), "subscribe")
subscribed = [unquoted(d.decode()) for d in ok(m.lsub('""', '"Shared/*"'), "lsub")]
assert subscribed == ['() "/" %s' % inbox], subscribed
say("lsub", subscribed[0])
m.logout()
