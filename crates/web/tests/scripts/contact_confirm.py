"""A new contact address or phone number confirmed before it is used (AU-1, MS-7,
RT-1), over HTTPS (http.client): through the JSON API as alice (bob, another
account, tries her code), through the webmail's settings as carol. Codes are read
where the notice recorder (the relay's and the SMS hook's place) writes them:
`confirm <to> <code>`, `login <to> <code>`, `replaced <to> <masked>`. Phase 1 leaves
alice a new phone number waiting; phase 2 runs after the server's clock moved 15
minutes. Prints one line per step (`label status location body` for the webmail,
`label status type body` for the API; `label 0 …` for what was recorded)."""
import re

from apicase import A, call, login, web, web_login


def last(kind):
    with open(A["recorded"]) as f:
        lines = [line.split() for line in f if line.startswith(kind + " ")]
    return lines[-1][1], lines[-1][2]


def other_than(code):
    return "000000" if code != "000000" else "111111"


def send_login_code(label):
    web(label, "POST", "/login", form={
        "address": A["alice"], "password": A["password"], "code": "", "method": "send_code"})
    to, _ = last("login")
    print(f"{label}-to 0 {to}", flush=True)


if A["phase"] == "1":
    alice = login("login-alice", A["alice"], A["alice_totp"])
    bob = login("login-bob", A["bob"], A["bob_totp"])
    call("set-email", "PUT", "/notifications", alice, body={"email": A["new"], "new_mail": False})
    call("pending", "GET", "/notifications", alice)
    to, code = last("confirm")
    print(f"code-to 0 {to}", flush=True)
    # Until the code is typed, the login code goes to the old address.
    send_login_code("login-code")
    call("bob-confirms", "POST", "/notifications/confirm", bob, body={"code": code})
    call("wrong", "POST", "/notifications/confirm", alice, body={"code": other_than(code)})
    call("right", "POST", "/notifications/confirm", alice, body={"code": code})
    call("switched", "GET", "/notifications", alice)
    to, masked = last("replaced")
    print(f"replaced 0 {to} {masked}", flush=True)
    send_login_code("login-code-after")

    # The webmail: five wrong codes drop the change; given again, the right code works.
    carol = web_login("web-login", A["carol"], A["carol_totp"])
    _, page, _ = web("web-settings", "GET", "/mail/settings", cookie=carol)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    given = {"csrf": csrf, "email": A["carol_new"], "phone": "", "new_mail": "on"}
    web("web-set-email", "POST", "/mail/settings/notifications", carol, form=given)
    web("web-pending", "GET", "/mail/settings", carol)
    to, code = last("confirm")
    print(f"web-code-to 0 {to}", flush=True)
    for i in range(5):
        web(f"web-wrong-{i}", "POST", "/mail/settings/contacts/confirm", carol,
            form={"csrf": csrf, "code": other_than(code)})
    web("web-dropped", "POST", "/mail/settings/contacts/confirm", carol,
        form={"csrf": csrf, "code": code})
    web("web-set-again", "POST", "/mail/settings/notifications", carol, form=given)
    _, code = last("confirm")
    web("web-right", "POST", "/mail/settings/contacts/confirm", carol,
        form={"csrf": csrf, "code": code})
    web("web-switched", "GET", "/mail/settings", carol)

    # A new phone number left waiting for phase 2; the token kept for it.
    call("set-phone", "PUT", "/notifications", alice,
         body={"email": A["new"], "phone": "06 98 76 54 32", "new_mail": False})
    with open(A["token_file"], "w") as f:
        f.write(alice)
else:
    with open(A["token_file"]) as f:
        alice = f.read()
    to, code = last("confirm")
    print(f"sms-to 0 {to}", flush=True)
    call("expired", "POST", "/notifications/confirm", alice, body={"code": code})
    call("after-expiry", "POST", "/notifications/confirm", alice, body={"code": code})
    call("no-phone", "GET", "/notifications", alice)
