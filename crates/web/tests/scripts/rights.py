"""The holder's rights over their account (AC-3, ID-4, RT-2, RT-4) through the JSON
API (alice, a professional; camille, a patient) and the webmail (bob), then the
registration authority's view of the correction requests (rita, in the admin
console). Prints one line per step (`label status type body` for the API, `label
status location body` for the webmail)."""
import re

from apicase import A, call, login, web, web_login

# The API, as alice.
alice = login("api-login", A["alice"], A["alice_totp"])
call("api-directory", "GET", "/account/directory", token=alice)
call("api-search-listed", "GET", "/directory?name=Martin", token=alice)
call("api-directory-set", "PUT", "/account/directory", token=alice,
     body={"liste_rouge": True, "phone_consent": True})
call("api-directory-after", "GET", "/account/directory", token=alice)
call("api-search-unlisted", "GET", "/directory?name=Martin", token=alice)
call("api-correction-empty", "POST", "/account/corrections", token=alice, body={"what": "  "})
call("api-correction", "POST", "/account/corrections", token=alice, body={"what": A["alice_fix"]})
call("api-corrections", "GET", "/account/corrections", token=alice)
call("api-data", "GET", "/account/data", token=alice)
call("api-close-unconfirmed", "POST", "/account/close", token=alice, body={"confirm": False})
call("api-close", "POST", "/account/close", token=alice, body={"confirm": True})
call("api-after-close", "GET", "/folders", token=alice)

# A patient closes their own account too: kept for the patient retention.
camille = login("patient-login", A["camille"], A["camille_totp"])
call("patient-data", "GET", "/account/data", token=camille)
call("patient-close", "POST", "/account/close", token=camille, body={"confirm": True})

# The webmail, as bob.
bob = web_login("web-login", A["bob"], A["bob_totp"])
_, page, _ = web("web-settings", "GET", "/mail/settings", cookie=bob)
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
web("web-directory", "POST", "/mail/settings/directory", cookie=bob,
    form={"csrf": csrf, "liste_rouge": "on"})
web("web-correction", "POST", "/mail/settings/correction", cookie=bob,
    form={"csrf": csrf, "what": A["bob_fix"]})
web("web-settings-after", "GET", "/mail/settings", cookie=bob)
web("web-data", "GET", "/mail/account-data", cookie=bob)
web("web-close-page", "GET", "/mail/settings/close", cookie=bob)
web("web-close-unconfirmed", "POST", "/mail/settings/close", cookie=bob, form={"csrf": csrf})
web("web-close-forged", "POST", "/mail/settings/close", cookie=bob,
    form={"csrf": "forged", "confirm": "on"})
_, _, cleared = web("web-close", "POST", "/mail/settings/close", cookie=bob,
                    form={"csrf": csrf, "confirm": "on"})
print(f"web-close-cookie 0 {cleared}", flush=True)
web("web-after-close", "GET", "/mail/folder/INBOX", cookie=bob)

# The registration authority sees the requests with the accounts.
rita = web_login("ra-login", A["rita"], A["rita_totp"])
web("ra-accounts", "GET", "/admin/accounts", cookie=rita)
