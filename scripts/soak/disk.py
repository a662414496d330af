"""Disk-full phase of scripts/soak.sh: a SQLite node whose data directory is on a small
tmpfs takes mail before the disk is full (250), while it is full (each answer 250 —
space left inside the database's own pages — or 4.3.1 "mail system full": 452 at DATA,
454 at AUTH when the login's trace cannot be written; at least one, never another code
or a hung session), and once space returns (250 again). Then every
message answered 250 must be in the INBOX exactly once. Prints a JSON summary; exits 1
otherwise."""
import argparse, collections, errno, imaplib, json, os, re, smtplib, ssl, sys, time

p = argparse.ArgumentParser()
p.add_argument("--smtp", required=True)
p.add_argument("--imap", required=True)
p.add_argument("--ca", required=True)
p.add_argument("--demo", required=True)
p.add_argument("--filler", required=True)
a = p.parse_args()

demo = {acc["address"]: acc for acc in json.load(open(a.demo))["accounts"]}
SENDER, RECIPIENT = "alice.martin@caduceus.test", "bruno.durand@caduceus.test"
context = ssl.create_default_context(cafile=a.ca)
acked, answers = [], collections.Counter()
problems = []


def send(phase, count):
    host, port = a.smtp.rsplit(":", 1)
    codes = []
    for n in range(count):
        mid = "<disk-%s-%d-%d@soak.test>" % (phase, n, int(time.time() * 1000))
        body = ("From: %s\r\nTo: %s\r\nSubject: disk %s %d\r\nMessage-ID: %s\r\n\r\n%s\r\n"
                % (SENDER, RECIPIENT, phase, n, mid, "y" * 20000))
        try:
            with smtplib.SMTP(host, int(port), timeout=60) as s:
                s.starttls(context=context)
                s.login(SENDER, demo[SENDER]["device_credential"])
                s.sendmail(SENDER, [RECIPIENT], body.encode())
            acked.append(mid)
            code = "250"
        except smtplib.SMTPResponseException as e:
            code = "%d %s" % (e.smtp_code, e.smtp_error.decode(errors="replace").split()[0])
        except Exception as e:
            code = "broken " + type(e).__name__
        codes.append(code)
        answers["%s %s" % (phase, code)] += 1
    return codes


def fill(path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(fd)


before = send("before", 3)
if set(before) != {"250"}:
    problems.append("before the disk was full: %s" % before)
fill(a.filler)
during = send("full", 8)
full = ("452 4.3.1", "454 4.3.1")
if not any(code.startswith(full) for code in during):
    problems.append("no 4.3.1 while the disk was full: %s" % during)
if any(code != "250" and not code.startswith(full) for code in during):
    problems.append("an answer other than 250 or 4.3.1 while full: %s" % during)
os.remove(a.filler)
time.sleep(1)
after = send("after", 3)
if set(after) != {"250"}:
    problems.append("after space returned: %s" % after)

found = collections.Counter()
try:
    host, port = a.imap.rsplit(":", 1)
    m = imaplib.IMAP4_SSL(host, int(port), ssl_context=context, timeout=60)
    m.login(RECIPIENT, demo[RECIPIENT]["device_credential"])
    m.select("INBOX", readonly=True)
    typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    for item in data:
        if isinstance(item, tuple):
            match = re.search(rb"<disk-[^>]+>", item[1])
            if match:
                found[match.group(0).decode()] += 1
    m.logout()
except Exception as e:
    problems.append("the mailbox could not be read after the disk phase: %s" % e)
lost = [mid for mid in acked if found[mid] == 0]
duplicated = [mid for mid in acked if found[mid] > 1]
if lost or duplicated:
    problems.append("lost %d, duplicated %d" % (len(lost), len(duplicated)))
print(json.dumps({"acked": len(acked), "answers": answers, "lost": len(lost),
                  "duplicated": len(duplicated), "problems": problems}))
sys.exit(1 if problems else 0)
