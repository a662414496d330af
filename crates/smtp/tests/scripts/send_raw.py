"""Submits the message held in the file `message` as it is, over 587 + STARTTLS with a
device credential, and prints the outcome as `sent <code> <text>` (250 when accepted,
else the refusal at RCPT or DATA)."""
import smtplib

from smtpcase import args, starttls

a = args()
with open(a["message"], "rb") as f:
    msg = f.read()
s = starttls(a)
s.login(a["user"], a["credential"])
try:
    refused = s.sendmail(a["user"], [a["to"]], msg)
    print("sent 250 accepted" if not refused else f"sent 550 {refused}", flush=True)
except smtplib.SMTPRecipientsRefused as e:
    code, text = list(e.recipients.values())[0]
    print(f"sent {code} {text.decode()}", flush=True)
except smtplib.SMTPDataError as e:
    print(f"sent {e.smtp_code} {e.smtp_error.decode()}", flush=True)
s.quit()
