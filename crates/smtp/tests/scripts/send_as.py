"""Submits messages over 587 + STARTTLS with one device credential, each with its own
envelope sender and From:/Sender: headers, as a mail client configured (or abused) to
write as someone else would. Cases are `label,mail_from,from,sender,to` separated by
`;` (sender may be empty). Prints `label <code> <text>` for each.
"""
import smtplib

from smtpcase import args, starttls

a = args()
s = starttls(a)
s.login(a["user"], a["credential"])
for case in a["cases"].split(";"):
    label, mail_from, header_from, sender, to = case.split(",")
    lines = [f"From: {header_from}", f"To: {to}", "Subject: Avis", "Message-ID: <"
             + label + "@caduceus.test>"]
    if sender:
        lines.append(f"Sender: {sender}")
    msg = ("\r\n".join(lines) + "\r\n\r\nBonjour.\r\n").encode()
    try:
        s.sendmail(mail_from, [to], msg)
        print(f"{label} 250 accepted", flush=True)
    except smtplib.SMTPRecipientsRefused as e:
        code, text = list(e.recipients.values())[0]
        print(f"{label} {code} {text.decode()}", flush=True)
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as e:
        print(f"{label} {e.smtp_code} {e.smtp_error.decode()}", flush=True)
        s.rset()
s.quit()
