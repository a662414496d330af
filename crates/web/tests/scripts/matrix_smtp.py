"""Drives the authorization matrix's sending cells through SMTP submission with smtplib
(implicit TLS), one step per line of standard input (JSON: {label, session, user,
secret, certificate, mail_from, to, subject}); prints `label code text` for each.

A session is a connection, logged in as `user` (AUTH with a device credential), or
with its client certificate (`certificate`: [cert, key] files; AUTH EXTERNAL, AU-1),
the first time a step names it, never without either, and kept for the steps that name it
again; a step without `mail_from` only opens it (a suspended account's, before the
suspension). The message's envelope sender and `From:` are `mail_from`.
Usage: matrix_smtp.py port=P ca=CA
"""
import json
import smtplib
import ssl
import sys

A = dict(a.split("=", 1) for a in sys.argv[1:])
CONTEXT = ssl.create_default_context(cafile=A["ca"])
sessions = {}


def session(step):
    name = step["session"]
    if name not in sessions:
        context = CONTEXT
        if step.get("certificate"):
            context = ssl.create_default_context(cafile=A["ca"])
            context.load_cert_chain(*step["certificate"])
        s = smtplib.SMTP_SSL("127.0.0.1", int(A["port"]), local_hostname="client.test",
                             context=context, timeout=20)
        s.ehlo()
        if step.get("certificate"):
            code, text = s.docmd("AUTH", "EXTERNAL =")
            if code != 235:
                raise smtplib.SMTPAuthenticationError(code, text)
        elif step["user"]:
            s.login(step["user"], step["secret"])
        sessions[name] = s
    return sessions[name]


def send(step):
    try:
        s = session(step)
    except smtplib.SMTPAuthenticationError as e:
        return e.smtp_code, e.smtp_error
    if not step.get("mail_from"):
        return 0, "opened"
    message = (f"From: {step['mail_from']}\r\nTo: {step['to']}\r\nSubject: {step['subject']}\r\n"
               "\r\nBonjour.\r\n").encode()
    try:
        s.sendmail(step["mail_from"], [step["to"]], message)
        return 250, "accepted"
    except smtplib.SMTPRecipientsRefused as e:
        return list(e.recipients.values())[0]
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as e:
        if e.smtp_code == 421:
            sessions.pop(step["session"])
        return e.smtp_code, e.smtp_error
    except smtplib.SMTPServerDisconnected as e:
        sessions.pop(step["session"])
        return 421, str(e)


for line in sys.stdin:
    step = json.loads(line)
    code, text = send(step)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    print(f"{step['label']} {code} {' | '.join(str(text).splitlines())}", flush=True)
