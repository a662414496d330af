"""Drives the authorization matrix's cells through IMAP with imaplib, one step per line
of standard input (JSON: {label, session, user, secret, commands}); prints one JSON
line per step: {label, answers: [[status, text] for each command run]}.

A session is a connection, logged in as `user` with a device credential (or, for a
certificate-only account, `certificate`: [cert, key] files and AUTHENTICATE EXTERNAL,
AU-1) the first time a step names it, and kept for the next steps that name it (a suspended account's one
is opened before the suspension). A command is an imaplib method and its arguments
(["uid", "FETCH", "3", "(BODY[])"]). Status: the server's OK/NO, BAD, BYE when the
server ended the session (then it is forgotten), LOGIN when the login was refused.
Usage: matrix_imap.py port=P ca=CA
"""
import imaplib
import json
import ssl
import sys

A = dict(a.split("=", 1) for a in sys.argv[1:])
CONTEXT = ssl.create_default_context(cafile=A["ca"])
sessions = {}


def text(data):
    """The untagged data imaplib returned, literals included, as one line."""
    parts = []
    for item in data or []:
        parts.extend(item if isinstance(item, tuple) else [item])
    shown = [p.decode("utf-8", "replace") if isinstance(p, bytes) else str(p) for p in parts]
    return " ".join(" ".join(shown).split())


def session(step):
    name = step["session"]
    if name not in sessions:
        context = CONTEXT
        if step.get("certificate"):
            context = ssl.create_default_context(cafile=A["ca"])
            context.load_cert_chain(*step["certificate"])
        m = imaplib.IMAP4_SSL("127.0.0.1", int(A["port"]), ssl_context=context, timeout=20)
        if step.get("certificate"):
            m.authenticate("EXTERNAL", lambda _: b"")
        elif step["user"]:
            m.login(step["user"], step["secret"])
        sessions[name] = m
    m = sessions[name]
    if not step["user"]:
        # imaplib refuses to send these before a login: pretend, to hear the server.
        m.state = "SELECTED"
    return m


def run(step):
    try:
        m = session(step)
    except imaplib.IMAP4.error as e:
        return [["LOGIN", str(e)]]
    answers = []
    for command in step.get("commands", []):
        try:
            status, data = getattr(m, command[0])(*command[1:])
            answers.append([status, text(data)])
        except imaplib.IMAP4.abort as e:
            sessions.pop(step["session"])
            answers.append(["BYE", str(e)])
            break
        except imaplib.IMAP4.error as e:
            answers.append(["BAD", str(e)])
    return answers


for line in sys.stdin:
    step = json.loads(line)
    print(json.dumps({"label": step["label"], "answers": run(step)}), flush=True)
