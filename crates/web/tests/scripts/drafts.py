"""Drafts in the webmail (MS-6, issue 22) over HTTPS (http.client) and IMAP
(imaplib): a letter saved by the form's button, then by the autosave (JSON), is one
draft in Drafts flagged \\Draft; it opens back into the form; a refused send keeps
everything typed and the attachment (saved again in Drafts); the send removes the
draft; a send after the session ended leads to the login page saying the letter is
in Drafts. Prints `label status location body` per request, `label 0 value` per
reading."""
import html
import http.client
import imaplib
import json
import re
import ssl
import time

from apicase import A, HOST, PORT, context, multipart, web, web_login

cookie = web_login("login", A["alice"], A["alice_totp"])
PDF = b"%PDF-1.4 compte-rendu-7\n"


def post(label, path, fields, files, cookie=cookie, accept=None):
    body, headers = multipart(fields, files)
    if cookie:
        headers["Cookie"] = cookie
    if accept:
        headers["Accept"] = accept
    conn = http.client.HTTPSConnection(HOST, PORT, context=context(), timeout=20)
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read().decode("utf-8", "replace")
    conn.close()
    location = response.getheader("Location", "-")
    print(f"{label} {response.status} {location} {' '.join(data.split())}", flush=True)
    return data


def form_of(label, page):
    """The compose form's fields as the page fills them."""
    found = {}
    for name in ["to", "subject"]:
        match = re.search(rf'id="{name}" name="{name}"[^>]*value="([^"]*)"', page)
        found[name] = html.unescape(match.group(1)) if match else None
    text = re.search(r'<textarea id="text" name="text">(.*?)</textarea>', page, re.S)
    found["text"] = html.unescape(text.group(1)) if text else None
    found["draft"] = re.search(r'name="draft" value="([^"]*)"', page).group(1)
    found["kept"] = [html.unescape(v) for v in re.findall(r'name="kept" value="([^"]*)"', page)]
    found["kept_names"] = re.findall(r'name="kept" value="[^"]*" checked> ([^<\n]+)', page)
    print(f"{label}-fields 0 {json.dumps({k: v for k, v in found.items() if k != 'kept'}, ensure_ascii=False)}", flush=True)
    return found


def imap_drafts(label):
    """What IMAP shows of Drafts: its special use, and each message's flags and body."""
    ctx = ssl.create_default_context(cafile=A["ca"])
    imap = imaplib.IMAP4_SSL("127.0.0.1", int(A["imap_port"]), ssl_context=ctx, timeout=30)
    imap.login(A["alice"], A["alice_device"])
    _, listed = imap.list('""', "Drafts")
    typ, _ = imap.select("Drafts", readonly=True)
    _, found = imap.uid("SEARCH", None, "ALL")
    messages = []
    for uid in found[0].split():
        _, data = imap.uid("FETCH", uid, "(FLAGS BODY.PEEK[])")
        flags = [f.decode() for f in imaplib.ParseFlags(data[0][0])]
        raw = data[0][1].decode("utf-8", "replace")
        messages.append({"flags": flags, "text": "amélioration" in raw or "am=C3=A9lioration" in raw,
                         "pdf": "cr.pdf" in raw, "to": "To: " + A["bob"] in raw})
    imap.logout()
    print(f"{label} 0 {json.dumps({'list': [l.decode() for l in listed if l], 'select': typ, 'messages': messages})}", flush=True)


_, page, _ = web("compose", "GET", "/mail/compose", cookie=cookie)
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
letter = [["csrf", csrf], ["to", A["bob"]], ["cc", ""], ["subject", "Compte rendu"],
          ["text", "Bonjour,\nle patient va mieux."], ["in_reply_to", ""], ["forward_of", ""]]
# The button, without JavaScript: the form again, with its draft and the attachment kept.
saved = form_of("saved", post("save", "/mail/draft", letter + [["draft", ""]],
                              [["attachment", "cr.pdf", "application/pdf", PDF]]))
# The autosave: JSON, the same letter replaced.
letter[4] = ["text", "Bonjour,\nle patient va mieux, nette amélioration."]
kept = [["kept", v] for v in saved["kept"]]
autosaved = post("autosave", "/mail/draft", letter + [["draft", saved["draft"]]] + kept, [],
                 accept="application/json")
draft = str(json.loads(autosaved)["draft"])
imap_drafts("imap-one-draft")
web("drafts", "GET", "/mail/folder/Drafts", cookie=cookie)
opened = form_of("opened", web("open", "GET", f"/mail/compose?draft={draft}", cookie=cookie)[1])
# A refused send: everything typed and the attachment come back, saved in Drafts.
refused = letter.copy()
refused[1] = ["to", "nobody@unknown.example"]
kept = [["kept", v] for v in opened["kept"]]
again = form_of("refused", post("send-refused", "/mail/compose", refused + [["draft", draft]] + kept, []))
imap_drafts("imap-after-refusal")
# Sent from the draft: the draft goes.
post("send", "/mail/compose", letter + [["draft", again["draft"]]] + [["kept", v] for v in again["kept"]], [])
imap_drafts("imap-after-send")
# How long a save takes with a 70 KB attachment (over the 64 KiB a form may carry
# before login: the draft route takes a message), then its replacement (measured, not
# asserted).
big = [["attachment", "scan.pdf", "application/pdf", b"%PDF-1.4 " + b"x" * 70_000]]
started = time.monotonic()
first = json.loads(post("big-save", "/mail/draft", letter + [["draft", ""]], big, accept="application/json"))
middle = time.monotonic()
post("big-replace", "/mail/draft", letter + [["draft", str(first["draft"])]], big, accept="application/json")
print(f"save-ms 0 {(middle - started) * 1000:.0f} {(time.monotonic() - middle) * 1000:.0f}", flush=True)
# The session ended (here: logged out) while a saved letter was being written.
web("logout", "POST", "/logout", cookie=cookie, form={"csrf": csrf})
post("send-expired", "/mail/compose", letter + [["draft", "1"]], [], cookie=cookie)
post("send-expired-unsaved", "/mail/compose", letter + [["draft", ""]], [], cookie=cookie)
web("login-kept", "GET", "/login?kept=draft")
