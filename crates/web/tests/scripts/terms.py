"""The terms of use (IN-1) through the API and the webmail: refused until the version
in force is accepted, accepted once, asked again for a new version. `phase=first`
logs in and accepts version one, keeping the sessions in the file `state`;
`phase=next` runs with those sessions against a service with a new version.
"""
import json
import re

from apicase import A, call, login, web, web_login


if A["phase"] == "first":
    alice = login("api-login", A["alice"], A["alice_totp"])
    bob = web_login("web-login", A["bob"], A["bob_totp"])
    with open(A["state"], "w") as state:
        json.dump({"alice": alice, "bob": bob}, state)
else:
    with open(A["state"]) as state:
        sessions = json.load(state)
    alice, bob = sessions["alice"], sessions["bob"]
call("api-folders-before", "GET", "/folders", token=alice)
web("web-inbox-before", "GET", "/mail/folder/INBOX", cookie=bob)

if A["phase"] == "first":
    call("api-terms", "GET", "/terms", token=alice)
    call("api-accept-stale", "POST", "/terms", token=alice, body={"version": "1999-01"})
    call("api-accept", "POST", "/terms", token=alice, body={"version": A["version"]})
    call("api-terms-after", "GET", "/terms", token=alice)
    call("api-folders-after", "GET", "/folders", token=alice)

    _, page, _ = web("web-terms", "GET", "/terms", cookie=bob)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    web("web-accept-bad-csrf", "POST", "/terms", cookie=bob, form={"csrf": "forged", "version": A["version"]})
    web("web-accept", "POST", "/terms", cookie=bob, form={"csrf": csrf, "version": A["version"]})
    web("web-inbox-after", "GET", "/mail/folder/INBOX", cookie=bob)
    web("web-terms-after", "GET", "/terms", cookie=bob)
