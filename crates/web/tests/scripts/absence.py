"""Out-of-office replies (RFC 3834) through real clients: letters submitted with
smtplib (implicit TLS, a device credential each), then a sender's INBOX read with
imaplib. Arguments: `smtp_port`, `imap_port`, `ca`, then either `send=` cases
`label|user|credential|to|extra header lines (\\n-separated)` separated by `;;`, or
`read=user|credential`. Prints `label 250 accepted` per letter, and for a reading
`inbox 0 <count>` then `reply-N 0 <JSON of the headers>` per message.
"""
import email
import email.policy
import imaplib
import json
import smtplib
import ssl
import sys

A = dict(a.split("=", 1) for a in sys.argv[1:])
ctx = ssl.create_default_context(cafile=A["ca"])

if A.get("send"):
    for case in A["send"].split(";;"):
        label, user, credential, to, extra = case.split("|")
        headers = [f"From: {user}", f"To: {to}", "Subject: Résultats d'analyse",
                   f"Message-ID: <{label}@caduceus.test>", "References: <earlier@caduceus.test>"]
        headers += [h for h in extra.split("\\n") if h]
        msg = ("\r\n".join(headers) + "\r\nContent-Type: text/plain; charset=utf-8\r\n"
               + "\r\nBonjour, voici les résultats.\r\n").encode()
        s = smtplib.SMTP_SSL("127.0.0.1", int(A["smtp_port"]), context=ctx, timeout=30)
        s.login(user, credential)
        s.sendmail(user, [to], msg)
        s.quit()
        print(f"{label} 250 accepted", flush=True)

if A.get("read"):
    user, credential = A["read"].split("|")
    imap = imaplib.IMAP4_SSL("127.0.0.1", int(A["imap_port"]), ssl_context=ctx, timeout=30)
    imap.login(user, credential)
    imap.select("INBOX", readonly=True)
    _, found = imap.uid("SEARCH", None, "ALL")
    uids = found[0].split()
    print(f"inbox 0 {len(uids)}", flush=True)
    for n, uid in enumerate(uids):
        _, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
        message = email.message_from_bytes(data[0][1], policy=email.policy.default)
        shown = {name: str(message[name]) for name in
                 ["From", "To", "Subject", "Auto-Submitted", "In-Reply-To", "References"]
                 if message[name] is not None}
        shown["body"] = message.get_content().strip()
        print(f"reply-{n} 0 {json.dumps(shown, ensure_ascii=False)}", flush=True)
    imap.logout()
