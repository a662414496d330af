"""Logs in over IMAP (implicit TLS) with SASL XOAUTH2 or OAUTHBEARER and an OpenID
access token, then SELECTs INBOX. Prints the AUTH= mechanisms offered on a line
`offered …`, the outcome as `OK` or `NO <text>`, the error challenge the server sent
(if any) on a line `challenge <json>`, and `exists <n>` after a successful SELECT.

Usage: imap_bearer.py HOST PORT CA MECHANISM USER TOKEN
"""
import base64
import imaplib
import ssl
import sys

host, port, ca, mechanism, user, token = sys.argv[1:7]
context = ssl.create_default_context(cafile=ca)
context.check_hostname = False
challenges = []
sent = []


def respond(challenge):
    if sent:
        # An error challenge: answer with the dummy response (RFC 7628 §3.2.3).
        challenges.append(challenge.decode())
        return b"\x01" if mechanism == "OAUTHBEARER" else b""
    sent.append(True)
    if mechanism == "XOAUTH2":
        return ("user=%s\x01auth=Bearer %s\x01\x01" % (user, token)).encode()
    authzid = "a=%s" % user if user else ""
    return ("n,%s,\x01auth=Bearer %s\x01\x01" % (authzid, token)).encode()


m = imaplib.IMAP4_SSL(host, int(port), ssl_context=context, timeout=30)
print("offered", " ".join(c[5:] for c in m.capabilities if c.startswith("AUTH=")))
try:
    m.authenticate(mechanism, respond)
    print("OK")
    typ, data = m.select("INBOX")
    print("exists", data[0].decode())
except imaplib.IMAP4.error as e:
    print("NO", e)
for challenge in challenges:
    print("challenge", challenge)
