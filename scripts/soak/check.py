"""After a soak (scripts/soak.sh): every Message-ID in ACKED (answered 250) must be in
the recipient's INBOX exactly once. With --wait, the INBOX is read again until it holds
every one or the time has passed (relayed mail arrives after the load). Prints a JSON
summary; exits 1 on a lost or a duplicated message."""
import argparse, collections, imaplib, json, re, ssl, sys, time

p = argparse.ArgumentParser()
p.add_argument("--imap", required=True)
p.add_argument("--ca", required=True)
p.add_argument("--demo", required=True)
p.add_argument("--acked", required=True)
p.add_argument("--recipient", default="bruno.durand@caduceus.test")
p.add_argument("--wait", type=int, default=0)
a = p.parse_args()

demo = {acc["address"]: acc for acc in json.load(open(a.demo))["accounts"]}
host, port = a.imap.rsplit(":", 1)
acked = [line.strip() for line in open(a.acked) if line.strip()]


def stored():
    m = imaplib.IMAP4_SSL(host, int(port), ssl_context=ssl.create_default_context(cafile=a.ca), timeout=120)
    m.login(a.recipient, demo[a.recipient]["device_credential"])
    typ, data = m.select("INBOX", readonly=True)
    found = collections.Counter()
    if int(data[0]):
        typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        for item in data:
            if isinstance(item, tuple):
                match = re.search(rb"<soak-[^>]+>", item[1])
                if match:
                    found[match.group(0).decode()] += 1
    m.logout()
    return found


deadline = time.time() + a.wait
found = stored()
waited = 0
while any(found[mid] == 0 for mid in acked) and time.time() < deadline:
    time.sleep(5)
    found = stored()
waited = round(a.wait - max(0, deadline - time.time()))
lost = [mid for mid in acked if found[mid] == 0]
duplicated = [mid for mid in acked if found[mid] > 1]
summary = {"acked": len(acked), "stored_soak_messages": sum(found.values()),
           "lost": len(lost), "duplicated": len(duplicated), "waited_s": waited,
           "examples": (lost + duplicated)[:5]}
print(json.dumps(summary))
sys.exit(1 if lost or duplicated else 0)
