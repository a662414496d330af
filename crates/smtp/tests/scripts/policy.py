"""Envelope rules after login: sender (ID-3), recipients (MS-2), their number (MS-12),
size announced and actual (MS-1); the session goes on after each refusal."""
from smtpcase import args, message, out, starttls

a = args()
me, other, org = a["user"], a["other"], a["org"]
verified = a["verified"].split(",")
s = starttls(a)
s.login(me, a["credential"])

# ID-3: not someone else's address; an organisational mailbox one is a delegate of.
out("mail-as-other", s.mail(other))
out("rset", s.rset())
out("mail-as-org", s.mail(org))
out("rcpt-from-org", s.rcpt(verified[0]))
out("data-from-org", s.data(message(org, verified[0], "as org")))

# MS-2, MS-12.
out("mail", s.mail(me))
out("rcpt-unknown", s.rcpt(a["unknown"]))
out("rcpt-unverified", s.rcpt(a["unverified"]))
out("rcpt-outside", s.rcpt("dr.house@gmail.test"))
out("rcpt-bad-syntax", s.rcpt("not-an-address"))
for i, rcpt in enumerate(verified):
    out(f"rcpt-{i + 1}", s.rcpt(rcpt))
out("data-many", s.data(message(me, ", ".join(verified[:3]), "to three")))

# MS-1: announced, then actual.
out("mail-size", s.mail(me, ["SIZE=" + a["too_big"]]))
out("mail-big", s.mail(me))
out("rcpt-big", s.rcpt(verified[0]))
big = message(me, verified[0], "big", ("x" * 998 + "\r\n") * (int(a["too_big"]) // 1000 + 1))
out("data-big", s.data(big))
out("mail-small", s.mail(me))
out("rcpt-small", s.rcpt(verified[0]))
out("data-small", s.data(message(me, verified[0], "small")))
out("data-without-mail", s.docmd("DATA"))
out("mail-null", s.mail(""))
out("mail-dsn", s.mail(me, ["RET=HDRS"]))
out("mail-again", s.mail(me))
out("rcpt-none", s.rcpt(a["unknown"]))
out("data-no-rcpt", s.docmd("DATA"))
out("rset-again", s.rset())
out("quit", s.quit())
