"""After a soak (scripts/soak.sh): every Message-ID in ACKED (answered 250) must be in
the recipient's INBOX exactly once. Prints a JSON summary; exits 1 on a lost or a
duplicated message."""
import argparse, collections, imaplib, json, re, ssl, sys

p = argparse.ArgumentParser()
p.add_argument("--imap", required=True)
p.add_argument("--ca", required=True)
p.add_argument("--demo", required=True)
p.add_argument("--acked", required=True)
a = p.parse_args()

demo = {acc["address"]: acc for acc in json.load(open(a.demo))["accounts"]}
RECIPIENT = "bruno.durand@caduceus.test"
host, port = a.imap.rsplit(":", 1)
m = imaplib.IMAP4_SSL(host, int(port), ssl_context=ssl.create_default_context(cafile=a.ca), timeout=120)
m.login(RECIPIENT, demo[RECIPIENT]["device_credential"])
m.select("INBOX", readonly=True)
typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
found = collections.Counter()
for item in data:
    if isinstance(item, tuple):
        match = re.search(rb"<soak-[^>]+>", item[1])
        if match:
            found[match.group(0).decode()] += 1
m.logout()
acked = [line.strip() for line in open(a.acked) if line.strip()]
lost = [mid for mid in acked if found[mid] == 0]
duplicated = [mid for mid in acked if found[mid] > 1]
summary = {"acked": len(acked), "stored_soak_messages": sum(found.values()),
           "lost": len(lost), "duplicated": len(duplicated),
           "examples": (lost + duplicated)[:5]}
print(json.dumps(summary))
sys.exit(1 if lost or duplicated else 0)
