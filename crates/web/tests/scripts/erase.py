"""RT-2 (seed 003 §4) through the JSON API: a professional (alice) asking for an
erasure at closure is refused, and stays open; a patient (camille) closing their own
account asks for their data to be erased at once; through the webmail, the choice is
offered to a patient (jean), not to a professional (bob). Prints `label status type
body` for the API, `label status location body` for the webmail."""
import re

from apicase import A, call, login, web, web_login

alice = login("pro-login", A["alice"], A["alice_totp"])
call("pro-erase", "POST", "/account/close", token=alice, body={"confirm": True, "erase": True})
call("pro-still", "GET", "/folders", token=alice)
camille = login("patient-login", A["camille"], A["camille_totp"])
call("patient-erase", "POST", "/account/close", token=camille,
     body={"confirm": True, "erase": True})
call("patient-after", "GET", "/folders", token=camille)

# The webmail: the choice is offered to a patient (jean) only, then taken.
bob = web_login("pro-web-login", A["bob"], A["bob_totp"])
web("pro-close-page", "GET", "/mail/settings/close", cookie=bob)
jean = web_login("patient-web-login", A["jean"], A["jean_totp"])
_, page, _ = web("patient-close-page", "GET", "/mail/settings/close", cookie=jean)
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
web("patient-web-erase", "POST", "/mail/settings/close", cookie=jean,
    form={"csrf": csrf, "confirm": "on", "erase": "on"})
