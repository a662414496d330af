"""A peer operator relaying to Caduceus (MS-5): smtplib with an operator certificate.

Arguments: port, ca (the server's CA), optional cert/key (the operator certificate),
from, to (comma-separated), optional probe=1 (MAIL and AUTH before STARTTLS, AUTH after),
optional subject, optional message_id (a Message-ID: field).
Prints one `label code text` line per step; `tls-failed 0 ...` if TLS is refused.
"""
import smtplib
import ssl

from smtpcase import HOST, args, context, message, out, plain

a = args()
frm = a["from"]
rcpts = [r for r in a.get("to", "").split(",") if r]
s = smtplib.SMTP(HOST, int(a["port"]), local_hostname="relais.autre-operateur.test", timeout=10)
out("ehlo", s.ehlo())
if a.get("probe"):
    out("mail-in-clear", s.docmd(f"MAIL FROM:<{frm}>"))
    out("auth-in-clear", s.docmd("AUTH", "PLAIN " + plain("x", "y")))
try:
    out("starttls", s.starttls(context=context(a["ca"], a.get("cert"), a.get("key"))))
    out("ehlo-tls", s.ehlo())
except (ssl.SSLError, OSError, smtplib.SMTPException) as e:
    print(f"tls-failed 0 {type(e).__name__}: {e}", flush=True)
    raise SystemExit(0)
if a.get("probe"):
    out("auth", s.docmd("AUTH", "PLAIN " + plain("x", "y")))
out("mail", s.docmd(f"MAIL FROM:<{frm}>"))
for i, rcpt in enumerate(rcpts):
    out(f"rcpt-{i}", s.docmd(f"RCPT TO:<{rcpt}>"))
code, text = s.docmd("DATA")
out("data-start", (code, text))
if code == 354:
    subject = a.get("subject", "Compte rendu Mme Zorglub")
    body = message(frm, ", ".join(rcpts), subject, "Resultats confidentiels.\r\n")
    if a.get("message_id"):
        body = f"Message-ID: <{a['message_id']}>\r\n".encode() + body
    s.send(body + b"\r\n.\r\n")
    out("data", s.getreply())
out("quit", s.quit())
