"""RT-4: exports Bob's messages over the API, then imports the archive into Carol's
fresh mailbox with IMAP APPEND (folders made as needed, the flags and dates of
index.json), and compares every folder: the same messages, byte for byte, with the
same flags. Prints one line per step for crates/web/tests/export.rs.
"""
import email.utils
import hashlib
import imaplib
import io
import json
import ssl
import zipfile

from apicase import A, call, login


def quoted(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def flags_of(entry_flags):
    return tuple(sorted(f.lower() for f in entry_flags if f.lower() != "\\recent"))


bob = login("login", A["bob"], A["bob_totp"])
_, data = call("export", "GET", "/export", token=bob, raw=True)
archive = zipfile.ZipFile(io.BytesIO(data))
index = json.loads(archive.read("index.json"))
print(f"index 0 {' '.join(e['file'] for e in index)}", flush=True)
print(f"personal 0 {' '.join(e['file'] for e in index if e['personal'])}", flush=True)

ctx = ssl.create_default_context(cafile=A["ca"])
imap = imaplib.IMAP4_SSL("127.0.0.1", int(A["imap_port"]), ssl_context=ctx, timeout=30)
imap.login(A["carol"], A["carol_device"])
made = set()
for entry in index:
    folder = entry["folder"]
    if folder not in made:
        imap.create(quoted(folder))  # NO when it exists (INBOX, Sent): fine
        made.add(folder)
    flags = " ".join(f for f in entry["flags"] if f.lower() != "\\recent")
    when = email.utils.parsedate_to_datetime(entry["received"])
    typ, _ = imap.append(quoted(folder), f"({flags})", imaplib.Time2Internaldate(when),
                         archive.read(entry["file"]))
    print(f"append:{entry['file']} 0 {typ}", flush=True)

for folder in sorted(made):
    expected = sorted((hashlib.sha256(archive.read(e["file"])).hexdigest(), flags_of(e["flags"]))
                      for e in index if e["folder"] == folder)
    typ, data = imap.select(quoted(folder), readonly=True)
    got = []
    for seq in range(1, int(data[0]) + 1):
        _, flags = imap.fetch(str(seq), "(FLAGS)")
        _, body = imap.fetch(str(seq), "(BODY.PEEK[])")
        parsed = [f.decode() for f in imaplib.ParseFlags(flags[0])]
        got.append((hashlib.sha256(body[0][1]).hexdigest(), flags_of(parsed)))
    verdict = "same" if sorted(got) == expected else f"different {sorted(got)} {expected}"
    print(f"folder:{folder} 0 {len(got)}/{len(expected)} {verdict}", flush=True)
imap.logout()
