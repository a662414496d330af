"""SASL on port 587 after STARTTLS: both forms of PLAIN and LOGIN, cancel, unknown
mechanisms, EXTERNAL without a certificate, a foreign authzid, the web password and a
revoked device credential refused, then a good login."""
import smtplib

from smtpcase import args, b64, out, plain, starttls

a = args()
user, good, revoked, web = a["user"], a["credential"], a["revoked"], a["password"]

s = starttls(a)
out("plain-challenge", s.docmd("AUTH", "PLAIN"))
out("plain-cancel", s.docmd("*"))
out("login-challenge", s.docmd("AUTH", "LOGIN"))
out("login-user", s.docmd(b64(user)))
out("login-cancel", s.docmd("*"))
out("cram", s.docmd("AUTH", "CRAM-MD5"))
out("external-no-cert", s.docmd("AUTH", "EXTERNAL ="))
out("bad-base64", s.docmd("AUTH", "PLAIN !!!"))
out("foreign-authzid", s.docmd("AUTH", "PLAIN " + plain(user, good, authzid=a["other"])))
out("web-password", s.docmd("AUTH", "PLAIN " + plain(user, web)))
out("revoked-initial", s.docmd("AUTH", "LOGIN " + b64(user)))
out("revoked-password", s.docmd(b64(revoked)))
out("login-good-user", s.docmd("AUTH", "LOGIN"))
s.docmd(b64(user))
out("login-good", s.docmd(b64(good)))
out("auth-again", s.docmd("AUTH", "PLAIN " + plain(user, good)))
out("quit", s.quit())

# The challenge form of PLAIN, and smtplib's own login (PLAIN with initial response).
s = starttls(a, "starttls-2")
out("plain-empty-challenge", s.docmd("AUTH", "PLAIN"))
out("plain-good", s.docmd(plain(user, good)))
out("quit-2", s.quit())
s = starttls(a, "starttls-3")
out("smtplib-login", s.login(user, good))
s.quit()
