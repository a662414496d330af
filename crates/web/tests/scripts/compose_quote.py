"""Reply-all and forward in the webmail (MS-1): the form as the server fills it
(recipients, subject, the original quoted under its author and date), then the
forward sent. Prints `label 0 value` for each field read, and `label status
location body` for the requests."""
import html
import http.client
import json
import re

from apicase import A, HOST, PORT, context, multipart, web, web_login

cookie = web_login("login", A["alice"], A["alice_totp"])


def fields(label, path):
    _, page, _ = web(label, "GET", path, cookie=cookie)
    found = {}
    for name in ["to", "cc", "subject"]:
        match = re.search(rf'id="{name}" name="{name}"[^>]*value="([^"]*)"', page)
        found[name] = html.unescape(match.group(1)) if match else None
    text = re.search(r'<textarea id="text" name="text">(.*?)</textarea>', page, re.S)
    found["text"] = html.unescape(text.group(1)) if text else None
    found["csrf"] = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    found["forward_of"] = re.search(r'name="forward_of" value="([^"]*)"', page).group(1)
    forwarded = re.search(r'<p id="forwarded">(.*?)</p>', page, re.S)
    found["forwarded"] = html.unescape(forwarded.group(1)) if forwarded else None
    print(f"{label}-fields 0 {json.dumps(found, ensure_ascii=False)}", flush=True)
    return found


web("message", "GET", f"/mail/message/{A['original']}", cookie=cookie)
everyone = fields("reply-all", f"/mail/compose?reply={A['original']}&all=on")
fields("reply", f"/mail/compose?reply={A['original']}")
forward = fields("forward", f"/mail/compose?forward={A['original']}")
# The forward, sent to eve as the form proposes it, a disposition notification asked.
body, headers = multipart([
    ["csrf", forward["csrf"]], ["to", A["eve"]], ["cc", ""], ["subject", forward["subject"]],
    ["text", forward["text"]], ["in_reply_to", ""], ["forward_of", forward["forward_of"]],
    ["read_receipt", "on"],
], [])
conn = http.client.HTTPSConnection(HOST, PORT, context=context(), timeout=20)
conn.request("POST", "/mail/compose", body=body, headers={**headers, "Cookie": cookie})
response = conn.getresponse()
response.read()
print(f"forward-sent {response.status} {response.getheader('Location', '-')}", flush=True)
