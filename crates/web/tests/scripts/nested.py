"""A message of many encapsulated messages sent through the API (as an attachment)
and stored through IMAP APPEND (imaplib), then an ordinary request on each, to show
the server still answers. Prints `label status text` lines for crates/web/tests/nested.rs.
"""
import imaplib
import ssl

from apicase import A, call, login, multipart


def nested(depth):
    raw = f"From: <{A['alice']}>\r\nTo: <{A['bob']}>\r\nSubject: nest\r\n".encode()
    raw += b"Content-Type: message/rfc822\r\n\r\n" * depth
    return raw + b"Subject: inner\r\n\r\nend\r\n"


depth = int(A["depth"])
alice = login("login", A["alice"], A["alice_totp"])
form = [("to", A["bob"]), ("subject", "Transmis"), ("text", "ci-joint")]
body, headers = multipart(form, [("attachment", "fwd.eml", "message/rfc822", nested(depth))])
call("api-deep", "POST", "/messages", token=alice, body=body, headers=headers)
body, headers = multipart(form, [("attachment", "fwd.eml", "message/rfc822", nested(3))])
call("api-shallow", "POST", "/messages", token=alice, body=body, headers=headers)

imap = imaplib.IMAP4_SSL("127.0.0.1", int(A["imap_port"]),
                         ssl_context=ssl.create_default_context(cafile=A["ca"]))
imap.login(A["alice"], A["credential"])
try:
    status, data = imap.append("INBOX", None, None, nested(depth))
    print(f"imap-deep 0 {status} {b' '.join(d for d in data if d).decode(errors='replace')}")
except imaplib.IMAP4.error as error:
    print(f"imap-deep 0 NO {error}")
status, data = imap.append("INBOX", None, None, nested(3))
print(f"imap-shallow 0 {status} {data[0].decode(errors='replace')}")
status, data = imap.select("INBOX")
print(f"imap-count 0 {status} {data[0].decode()}")
imap.logout()
