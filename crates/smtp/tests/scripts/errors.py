"""An overlong line is answered 500 and the session goes on; garbage commands are
answered 500 until the error cap, then 421 and the connection is closed."""
import smtplib

from smtpcase import HOST, args, out

a = args()
s = smtplib.SMTP(HOST, int(a["port"]), local_hostname="client.test", timeout=10)
s.ehlo()
out("long", s.docmd("NOOP", "x" * 13000))  # over the 12288-octet limit
out("noop", s.noop())
for i in range(1, 30):
    try:
        code, text = s.docmd("XYZZY%d" % i)
    except smtplib.SMTPServerDisconnected:
        print(f"disconnected {i} closed")
        break
    out(f"garbage-{i}", (code, text))
