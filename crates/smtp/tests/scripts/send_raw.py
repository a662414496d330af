"""Submits the message held in the file `message` as it is, over 587 + STARTTLS with a
device credential, to `to` (comma-separated), `times` times in one session (once by
default), and prints the outcome as `sent <code> <text>` (250 when every submission was
accepted, else the first refusal, at RCPT or DATA)."""
import smtplib

from smtpcase import args, starttls


def submit(s, frm, rcpts, msg):
    try:
        refused = s.sendmail(frm, rcpts, msg)
        return "250 accepted" if not refused else f"550 {refused}"
    except smtplib.SMTPRecipientsRefused as e:
        code, text = list(e.recipients.values())[0]
        return f"{code} {text.decode()}"
    except smtplib.SMTPDataError as e:
        return f"{e.smtp_code} {e.smtp_error.decode()}"


a = args()
with open(a["message"], "rb") as f:
    msg = f.read()
s = starttls(a)
s.login(a["user"], a["credential"])
outcomes = [submit(s, a["user"], a["to"].split(","), msg) for _ in range(int(a.get("times", "1")))]
print("sent " + next((o for o in outcomes if not o.startswith("250")), outcomes[0]), flush=True)
s.quit()
