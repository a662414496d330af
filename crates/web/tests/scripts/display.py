"""A letter shown as written (MS-1): the message page, the letter's HTML document
and each attachment's view, as its reader and as another professional. Prints
`label status [type] [policy] [disposition] [nosniff] [framing] body` per request."""
import http.client

from apicase import A, context, web_login


def get(label, path, cookie):
    conn = http.client.HTTPSConnection("127.0.0.1", int(A["port"]), context=context(), timeout=20)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    kind = response.getheader("Content-Type", "")
    shown = " ".join(data.decode("utf-8", "replace").split()) if kind.startswith("text/") else f"<{len(data)} bytes>"
    heads = " ".join(
        f"[{name.lower()}={response.getheader(name, '-')}]"
        for name in ["Content-Type", "Content-Security-Policy", "Content-Disposition",
                     "X-Content-Type-Options", "X-Frame-Options"]
    )
    print(f"{label} {response.status} {heads} {shown}", flush=True)


message = A["message"]
alice = web_login("login", A["alice"], A["alice_totp"])
get("page", f"/mail/message/{message}", alice)
get("page-en", f"/mail/message/{message}?lang=en", alice)
get("html", f"/mail/message/{message}/html", alice)
get("text-html", f"/mail/message/{A['text']}/html", alice)
for index in range(int(A["attachments"])):
    get(f"view-{index}", f"/mail/message/{message}/attachment/{index}/view", alice)
    get(f"download-{index}", f"/mail/message/{message}/attachment/{index}", alice)
bob = web_login("login-bob", A["bob"], A["bob_totp"])
get("bob-html", f"/mail/message/{message}/html", bob)
get("bob-view", f"/mail/message/{message}/attachment/0/view", bob)
