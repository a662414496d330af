"""Accounts that are not active cannot log in to send: a pending account's client
certificate (EXTERNAL on port 465) and a suspended account's device credential (PLAIN
on port 587) are both refused."""
import smtplib

from smtpcase import HOST, args, context, out, plain, starttls

a = args()
s = smtplib.SMTP_SSL(HOST, int(a["implicit_port"]), local_hostname="client.test",
                     context=context(a["ca"], a["cert"], a["key"]), timeout=10)
s.ehlo()
out("pending-external", s.docmd("AUTH", "EXTERNAL ="))
out("pending-mail", s.docmd("MAIL", "FROM:<%s>" % a["pending"]))
s.quit()

s = starttls(a)
out("suspended-plain", s.docmd("AUTH", "PLAIN " + plain(a["suspended"], a["credential"])))
out("suspended-mail", s.docmd("MAIL", "FROM:<%s>" % a["suspended"]))
s.quit()
