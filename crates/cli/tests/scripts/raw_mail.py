"""Raw messages through a real mail client's libraries, byte for byte, for the
end-to-end S/MIME tests (MS-3):

  raw_mail.py submit HOST:PORT CA USER SECRET TO FILE [NOTIFY]
      submits FILE's bytes unchanged (STARTTLS, AUTH PLAIN with a device
      credential, smtplib's sendmail with bytes), with the DSN `NOTIFY=` list when
      given (e.g. SUCCESS,FAILURE); prints `sent` or `refused <code> <reply>`.
  raw_mail.py submit-queued HOST:PORT CA USER SECRET TO FILE [NOTIFY]
      the same, printing `sent <queue reference>` from the final 250 reply
      (`queued as …`, for a recipient at another operator).
  raw_mail.py fetch HOST:PORT CA USER SECRET SUBJECT OUT
      over implicit TLS (imaplib), waits (30 s at most) for the INBOX message whose
      Subject is SUBJECT and writes its BODY.PEEK[] bytes to OUT; prints `fetched`.
"""
import imaplib
import smtplib
import ssl
import sys
import time

action, address, ca, user, secret = sys.argv[1:6]
host, port = address.rsplit(":", 1)
context = ssl.create_default_context(cafile=ca)
context.check_hostname = False

if action in ("submit", "submit-queued"):
    to, path = sys.argv[6:8]
    notify = ["NOTIFY=" + sys.argv[8]] if len(sys.argv) > 8 else []
    data = open(path, "rb").read()
    with smtplib.SMTP(host, int(port), timeout=30) as s:
        s.starttls(context=context)
        s.login(user, secret)
        try:
            if action == "submit":
                refused = s.sendmail(user, [to], data, rcpt_options=notify)
                assert not refused, refused
                print("sent")
            else:
                s.ehlo()
                code, reply = s.mail(user)
                assert code == 250, reply
                code, reply = s.rcpt(to, notify)
                assert code in (250, 251), reply
                code, reply = s.data(data)
                if code != 250:
                    raise smtplib.SMTPDataError(code, reply)
                print("sent", reply.decode().split("queued as ")[1].split()[0])
        except smtplib.SMTPDataError as e:
            print("refused", e.smtp_code, e.smtp_error.decode(errors="replace"))
        except smtplib.SMTPRecipientsRefused as e:
            code, reply = list(e.recipients.values())[0]
            print("refused", code, reply.decode(errors="replace"))
elif action == "fetch":
    subject, out = sys.argv[6:8]
    m = imaplib.IMAP4_SSL(host, int(port), ssl_context=context, timeout=30)
    m.login(user, secret)
    deadline = time.time() + 30
    while True:
        m.select("INBOX", readonly=True)
        typ, data = m.search(None, "SUBJECT", '"%s"' % subject)
        found = data[0].split()
        if found or time.time() > deadline:
            break
        time.sleep(0.3)
    assert found, "no message with subject %r in INBOX" % subject
    typ, data = m.fetch(found[-1], "(BODY.PEEK[])")
    assert typ == "OK", data
    open(out, "wb").write(data[0][1])
    m.logout()
    print("fetched")
else:
    sys.exit("unknown action " + action)
