"""Logs in over SMTP submission (STARTTLS) with SASL XOAUTH2 or OAUTHBEARER and an
OpenID access token, then sends one message. Prints the AUTH outcome as
`<code> <text>`, the error challenge the server sent (if any) on a line
`challenge <json>`, and `sent 250` when the message was accepted (only when USER is given).

Usage: smtp_bearer.py HOST PORT CA MECHANISM USER TOKEN TO
"""
import smtplib
import ssl
import sys

host, port, ca, mechanism, user, token, to = sys.argv[1:8]
context = ssl.create_default_context(cafile=ca)
challenges = []


def respond(challenge=None):
    if challenge is not None:
        challenges.append(challenge.decode())
        # The dummy answer to an error challenge: ^A for OAUTHBEARER, empty for XOAUTH2.
        return "\x01" if mechanism == "OAUTHBEARER" else ""
    if mechanism == "XOAUTH2":
        return "user=%s\x01auth=Bearer %s\x01\x01" % (user, token)
    authzid = "a=%s" % user if user else ""
    return "n,%s,\x01auth=Bearer %s\x01\x01" % (authzid, token)


with smtplib.SMTP(host, int(port), timeout=30) as s:
    s.starttls(context=context)
    s.ehlo()
    print("offered", s.esmtp_features.get("auth", ""))
    try:
        code, text = s.auth(mechanism, respond)
    except smtplib.SMTPAuthenticationError as e:
        code, text = e.smtp_code, e.smtp_error
    print(code, text.decode())
    for challenge in challenges:
        print("challenge", challenge)
    if code == 235 and user:
        message = "From: %s\r\nTo: %s\r\nSubject: test\r\n\r\nbody\r\n" % (user, to)
        s.sendmail(user, [to], message.encode())
        print("sent 250")
