"""Sends `count` messages in one session as `user`, then one as `other` (who has a
quota of their own); prints each MAIL's and DATA's reply."""
from smtpcase import args, message, out, plain, starttls

a = args()
s = starttls(a)
out("auth", s.docmd("AUTH", "PLAIN " + plain(a["user"], a["credential"])))
for n in range(int(a["count"])):
    reply = s.docmd("MAIL", "FROM:<%s>" % a["user"])
    out("mail-%d" % n, reply)
    if reply[0] != 250:
        continue
    s.docmd("RCPT", "TO:<%s>" % a["to"])
    s.putcmd("DATA")
    s.getreply()
    s.send(message(a["user"], a["to"], "rate %d" % n) + b".\r\n")
    out("data-%d" % n, s.getreply())
s.quit()
s = starttls(a)
out("other-auth", s.docmd("AUTH", "PLAIN " + plain(a["other"], a["other_credential"])))
out("other-mail", s.docmd("MAIL", "FROM:<%s>" % a["other"]))
s.quit()
