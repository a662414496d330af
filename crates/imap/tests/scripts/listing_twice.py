"""A mail client opening a folder, `times` times in one session with imaplib: the
listing `FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE INTERNALDATE RFC822.SIZE)`, then
each content item alone (ENVELOPE, BODYSTRUCTURE, BODY). Prints, for each round,
the SHA-256 of every answer's bytes as imaplib read them (response lines and
literals, in order), for crates/imap/tests/listing_cache.rs to compare; then checks
that a listing's responses are those of the same items fetched beside a body section
(answered from the opened messages, never from the listing cache).

Usage: listing_twice.py port=P ca=CA user=U secret=S times=N
"""
import hashlib
import imaplib
import ssl
import sys

args = dict(a.split("=", 1) for a in sys.argv[1:])
context = ssl.create_default_context(cafile=args["ca"])
m = imaplib.IMAP4_SSL("127.0.0.1", int(args["port"]), ssl_context=context, timeout=20)
m.login(args["user"], args["secret"])
typ, data = m.select("INBOX")
assert typ == "OK", data

ITEMS = {
    "listing": "(FLAGS ENVELOPE BODYSTRUCTURE INTERNALDATE RFC822.SIZE)",
    "envelope": "(ENVELOPE)",
    "bodystructure": "(BODYSTRUCTURE)",
    "body": "(BODY)",
}


def answer_bytes(data):
    """Every byte imaplib kept of the untagged FETCH responses, in order."""
    out = b""
    for part in data:
        if isinstance(part, tuple):
            out += b"".join(part) + b"\n"
        else:
            out += part + b"\n"
    return out


for round in range(int(args["times"])):
    for label, items in ITEMS.items():
        typ, data = m.fetch("1:*", items)
        assert typ == "OK", (label, data)
        raw = answer_bytes(data)
        assert raw.count(b"\n") >= len(data) > 0, data
        print(f"{label}{round} {len(data)} {hashlib.sha256(raw).hexdigest()}", flush=True)
        if round == 0 and label == "listing":
            print("first 0", data[0].decode("utf-8", "replace")[:400], flush=True)
# The same items beside a body section: answered from the opened messages, encoded by
# imap-codec in one response each, never from the listing cache. Each listing
# response must be that response up to the section.
items = "FLAGS ENVELOPE BODYSTRUCTURE INTERNALDATE RFC822.SIZE"
typ, listed = m.fetch("1:*", f"({items})")
typ, opened = m.fetch("1:*", f"({items} BODY.PEEK[HEADER])")
heads = [p[0].split(b" BODY[HEADER] {")[0] for p in opened if isinstance(p, tuple)]
lines = [p[:-1] for p in listed if not isinstance(p, tuple)]
assert len(lines) == len(heads) > 0, (listed, opened)
for line, head in zip(lines, heads):
    assert line == head, (line, head)
print(f"opened {len(heads)} same bytes", flush=True)
m.logout()
