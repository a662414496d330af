"""An IMAP client (implicit TLS) for the end-to-end tests: logs in with a device
credential (prints `login NO <reason>` and stops if refused), SELECTs INBOX, then
`count` (prints `count N`), `fetch` (prints `fetch <seq> OK <Message-ID>` or
`fetch <seq> NO <reason>` for each message) or `delete-first` (STORE \\Deleted on
message 1, EXPUNGE; prints `deleted`).

Usage: imap_mailbox.py HOST:PORT CA USER SECRET ACTION
"""
import imaplib
import ssl
import sys

address, ca, user, secret, action = sys.argv[1:6]
host, port = address.rsplit(":", 1)
context = ssl.create_default_context(cafile=ca)
context.check_hostname = False
m = imaplib.IMAP4_SSL(host, int(port), ssl_context=context, timeout=30)
try:
    m.login(user, secret)
except imaplib.IMAP4.error as e:
    print("login NO", e)
    sys.exit(0)
typ, data = m.select("INBOX")
count = int(data[0])
if action == "count":
    print("count", count)
elif action == "fetch":
    for seq in range(1, count + 1):
        try:
            typ, data = m.fetch(str(seq), "(BODY.PEEK[])")
            if typ != "OK":
                raise imaplib.IMAP4.error(data)
            raw = data[0][1].decode(errors="replace")
            mid = next((l for l in raw.splitlines() if l.lower().startswith("message-id:")), "none")
            print("fetch", seq, "OK", mid.split(":", 1)[1].strip())
        except imaplib.IMAP4.error as e:
            print("fetch", seq, "NO", e)
elif action == "delete-first":
    m.store("1", "+FLAGS", "(\\Deleted)")
    m.expunge()
    print("deleted")
m.logout()
