"""Submits one message over 587 + STARTTLS with a device credential and prints the
outcome as `sent <code> <text>` (250 when accepted, else the refusal at RCPT or DATA).
`headers` (optional) are extra header lines separated by `|`."""
import smtplib

from smtpcase import args, message, starttls

a = args()
s = starttls(a)
s.login(a["user"], a["credential"])
msg = message(a["user"], a["to"], a["subject"])
if a.get("headers"):
    extra = "".join(h + "\r\n" for h in a["headers"].split("|"))
    msg = extra.encode() + msg
try:
    refused = s.sendmail(a["user"], [a["to"]], msg)
    print("sent 250 accepted" if not refused else f"sent 550 {refused}", flush=True)
except smtplib.SMTPRecipientsRefused as e:
    code, text = list(e.recipients.values())[0]
    print(f"sent {code} {text.decode()}", flush=True)
except smtplib.SMTPDataError as e:
    print(f"sent {e.smtp_code} {e.smtp_error.decode()}", flush=True)
s.quit()
