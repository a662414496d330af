"""Soak load (scripts/soak.sh): SMTP submission writers and IMAP readers through HAProxy
until a deadline, reconnecting after any failure. Every message carries a unique
Message-ID; each one answered 250 is written to ACKED (one per line, flushed at once),
so that check.py can find it in the mailbox exactly once. With --relay-to, one more
writer sends to a recipient at another operator (queued, then relayed; its 250s go to
RELAY_ACKED). Prints a JSON summary."""
import argparse, imaplib, json, smtplib, ssl, threading, time

p = argparse.ArgumentParser()
p.add_argument("--smtp", required=True)
p.add_argument("--imap", required=True)
p.add_argument("--ca", required=True)
p.add_argument("--demo", required=True)
p.add_argument("--seconds", type=int, required=True)
p.add_argument("--acked", required=True)
p.add_argument("--writers", type=int, default=4)
p.add_argument("--readers", type=int, default=2)
p.add_argument("--relay-to")
p.add_argument("--relay-acked")
a = p.parse_args()

demo = {acc["address"]: acc for acc in json.load(open(a.demo))["accounts"]}
SENDER, RECIPIENT = "alice.martin@caduceus.test", "bruno.durand@caduceus.test"
context = ssl.create_default_context(cafile=a.ca)
deadline = time.time() + a.seconds
lock = threading.Lock()
acked = open(a.acked, "a")
relay_acked = open(a.relay_acked, "a") if a.relay_to else None
stats = {"acked": 0, "relay_acked": 0, "smtp_refused": 0, "smtp_broken": 0, "imap_sessions": 0, "imap_broken": 0,
         "refusals": {}, "slowest_answer_s": 0.0}


def count(key):
    with lock:
        stats[key] += 1


def writer(w, recipient=RECIPIENT, out=acked, counter="acked"):
    host, port = a.smtp.rsplit(":", 1)
    n = 0
    while time.time() < deadline:
        try:
            with smtplib.SMTP(host, int(port), timeout=30) as s:
                s.starttls(context=context)
                s.login(SENDER, demo[SENDER]["device_credential"])
                while time.time() < deadline:
                    n += 1
                    mid = "<soak-%d-%d-%d@soak.test>" % (w, n, int(time.time() * 1000))
                    body = ("From: %s\r\nTo: %s\r\nSubject: soak %d-%d\r\nMessage-ID: %s\r\n\r\n%s\r\n"
                            % (SENDER, recipient, w, n, mid, "x" * 3000))
                    started = time.time()
                    try:
                        s.sendmail(SENDER, [recipient], body.encode())
                    except smtplib.SMTPResponseException as e:
                        took = time.time() - started
                        with lock:
                            stats["slowest_answer_s"] = round(max(stats["slowest_answer_s"], took), 1)
                        # A 4xx/5xx is an answer, not an acceptance: nothing to find.
                        with lock:
                            stats["smtp_refused"] += 1
                            code = str(e.smtp_code)
                            stats["refusals"][code] = stats["refusals"].get(code, 0) + 1
                        if e.smtp_code == 421:
                            break
                        continue
                    took = time.time() - started
                    with lock:
                        stats["slowest_answer_s"] = round(max(stats["slowest_answer_s"], took), 1)
                        out.write(mid + "\n")
                        out.flush()
                        stats[counter] += 1
        except Exception:
            count("smtp_broken")
            time.sleep(0.5)


def reader(r):
    host, port = a.imap.rsplit(":", 1)
    while time.time() < deadline:
        try:
            m = imaplib.IMAP4_SSL(host, int(port), ssl_context=context, timeout=30)
            m.login(RECIPIENT, demo[RECIPIENT]["device_credential"])
            typ, data = m.select("INBOX", readonly=True)
            total = int(data[0])
            if total:
                m.fetch("%d:*" % max(1, total - 4), "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            m.logout()
            count("imap_sessions")
        except Exception:
            count("imap_broken")
            time.sleep(0.5)


threads = [threading.Thread(target=writer, args=(i,)) for i in range(a.writers)]
threads += [threading.Thread(target=reader, args=(i,)) for i in range(a.readers)]
if a.relay_to:
    threads.append(threading.Thread(target=writer, args=(a.writers, a.relay_to, relay_acked, "relay_acked")))
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps(stats))
