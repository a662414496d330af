"""Submits COUNT messages over one SMTP session (STARTTLS, AUTH PLAIN with a device
credential), each with a distinct Subject and Message-ID; prints "sent N" at the end.

Usage: send_many.py HOST:PORT CA_PEM USER SECRET TO TAG COUNT
"""
import smtplib
import ssl
import sys

address, ca, user, secret, to, tag, count = sys.argv[1:8]
host, port = address.rsplit(":", 1)
context = ssl.create_default_context(cafile=ca)
with smtplib.SMTP(host, int(port), timeout=30) as s:
    s.starttls(context=context)
    s.login(user, secret)
    for n in range(int(count)):
        body = (
            "From: %s\r\nTo: %s\r\nSubject: %s %d\r\nMessage-ID: <%s.%d@test>\r\n\r\nBonjour.\r\n"
            % (user, to, tag, n, tag, n)
        )
        refused = s.sendmail(user, [to], body.encode())
        assert not refused, refused
print("sent", count)
