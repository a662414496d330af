"""Port 587: EHLO in clear offers STARTTLS but no AUTH; AUTH and MAIL before TLS are
refused; after STARTTLS, AUTH PLAIN with a device credential, then a message."""
import smtplib

from smtpcase import HOST, args, context, message, out, plain

a = args()
s = smtplib.SMTP(HOST, int(a["port"]), local_hostname="client.test", timeout=10)
out("ehlo", s.ehlo())
out("auth-in-clear", s.docmd("AUTH", "PLAIN " + plain(a["user"], a["credential"])))
out("mail-in-clear", s.docmd("MAIL", f"FROM:<{a['user']}>"))
out("starttls", s.starttls(context=context(a["ca"])))
out("mail-before-ehlo", s.docmd("MAIL", f"FROM:<{a['user']}>"))
out("ehlo-tls", s.ehlo())
out("mail-before-auth", s.docmd("MAIL", f"FROM:<{a['user']}>"))
out("login", s.login(a["user"], a["credential"]))
body = "Bonjour,\r\n.une ligne qui commence par un point\r\nRésultats joints.\r\n"
msg = message(a["user"], a["to"], a["subject"], body)
refused = s.sendmail(a["user"], [a["to"]], msg, mail_options=["BODY=8BITMIME"])
print("refused", 0 if not refused else 550, len(refused))
out("noop", s.noop())
out("quit", s.quit())
