"""Acting for another mailbox in the webmail (ID-3, ID-7, AC-1): a person logs in as
themself, finds the mailboxes they act for in the switcher, and works on one at
`/mail/as/{account}/…`. `A["journey"]` says which: `delegate` (read, reply as the
organisation, flag, file), `parent` (read the child's mail, record the child's
opposition once confirmed), `before` (a page; prints the session cookie) or `after`
(the same session's next pages, once the test withdrew the delegation). Prints
`label status location body` per request."""
import html
import http.client
import re

from apicase import A, HOST, PORT, context, multipart, web, web_login

base = f"/mail/as/{A['mailbox']}"
one = A["message"]
if A["journey"] == "after":
    cookie = A["cookie"]
    web("removed-list", "GET", f"{base}/folder/INBOX", cookie=cookie)
    web("removed-read", "GET", f"{base}/message/{one}", cookie=cookie)
    web("removed-own", "GET", "/mail/folder/INBOX", cookie=cookie)
    raise SystemExit(0)

cookie = web_login("login", A["alice"], A["alice_totp"])
print(f"cookie 0 {cookie}", flush=True)
web("own", "GET", "/mail/folder/INBOX", cookie=cookie)
_, page, _ = web("acting-list", "GET", f"{base}/folder/INBOX", cookie=cookie)
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)



def reply(text):
    """Answers message `one` as the reply form proposes (its sender, its address
    sent as), from the mailbox acted for."""
    _, form, _ = web("acting-reply-form", "GET", f"{base}/compose?reply={one}", cookie=cookie)
    sent_as = re.search(r'name="from" value="([^"]*)"', form)
    to = re.search(r'id="to" name="to"[^>]*value="([^"]*)"', form).group(1)
    subject = re.search(r'id="subject" name="subject"[^>]*value="([^"]*)"', form).group(1)
    in_reply_to = re.search(r'name="in_reply_to" value="([^"]*)"', form).group(1)
    body, headers = multipart([
        ["csrf", csrf], ["from", sent_as.group(1) if sent_as else ""], ["to", to],
        ["cc", ""], ["subject", html.unescape(subject)], ["text", text],
        ["in_reply_to", html.unescape(in_reply_to)], ["forward_of", ""],
    ], [])
    conn = http.client.HTTPSConnection(HOST, PORT, context=context(), timeout=20)
    conn.request("POST", f"{base}/compose", body=body, headers={**headers, "Cookie": cookie})
    response = conn.getresponse()
    page = " ".join(response.read().decode("utf-8", "replace").split())
    print(f"acting-send {response.status} {response.getheader('Location', '-')} {page}", flush=True)
    web("acting-sent", "GET", f"{base}/folder/Sent", cookie=cookie)


if A["journey"] == "delegate":
    web("acting-read", "GET", f"{base}/message/{one}", cookie=cookie)
    reply("Rendez-vous confirmé.")
    web("acting-flag", "POST", f"{base}/message/{one}/personal", cookie=cookie,
        form={"csrf": csrf, "personal": "on"})
    web("acting-archive", "POST", f"{base}/message/{one}/move", cookie=cookie,
        form={"csrf": csrf, "folder": "Archive"})
elif A["journey"] == "parent":
    web("acting-read", "GET", f"{base}/message/{one}", cookie=cookie)
    reply("Merci, c'est noté.")
    web("acting-settings", "GET", f"{base}/settings", cookie=cookie)
    web("acting-oppose-ask", "POST", f"{base}/settings/opposition", cookie=cookie,
        form={"csrf": csrf, "opposed": "true"})
    web("acting-oppose", "POST", f"{base}/settings/opposition", cookie=cookie,
        form={"csrf": csrf, "opposed": "true", "confirm": "yes"})
    web("acting-opposed", "GET", f"{base}/settings", cookie=cookie)
