"""Port 465 (implicit TLS): with a client certificate EHLO offers EXTERNAL and AUTH
EXTERNAL logs in, then a message; without one, no EXTERNAL."""
import smtplib

from smtpcase import HOST, args, b64, context, message, out

a = args()
ctx = context(a["ca"], a["cert"], a["key"])
s = smtplib.SMTP_SSL(HOST, int(a["port"]), local_hostname="client.test", context=ctx, timeout=10)
out("ehlo", s.ehlo())
out("starttls-again", s.docmd("STARTTLS"))
out("external", s.docmd("AUTH", "EXTERNAL ="))
refused = s.sendmail(a["user"], [a["to"]], message(a["user"], a["to"], a["subject"]))
print("refused", 0 if not refused else 550, len(refused))
out("quit", s.quit())

# The challenge form with an explicit authzid: one's own address.
s = smtplib.SMTP_SSL(HOST, int(a["port"]), local_hostname="client.test", context=ctx, timeout=10)
s.ehlo()
out("external-challenge", s.docmd("AUTH", "EXTERNAL"))
out("external-authzid", s.docmd(b64(a["user"])))
s.quit()

# Someone else's authzid is refused.
s = smtplib.SMTP_SSL(HOST, int(a["port"]), local_hostname="client.test", context=ctx, timeout=10)
s.ehlo()
out("external-foreign", s.docmd("AUTH", "EXTERNAL " + b64(a["other"])))
s.quit()

# Without a certificate: no EXTERNAL.
s = smtplib.SMTP_SSL(HOST, int(a["port"]), local_hostname="client.test", context=context(a["ca"]), timeout=10)
out("ehlo-no-cert", s.ehlo())
out("external-no-cert", s.docmd("AUTH", "EXTERNAL ="))
s.quit()
