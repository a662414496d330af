"""The out-of-office reply and the signature (MS-6) set through the webmail's
settings forms as alice, and through the JSON API as bob (his own only). Prints one
line per step (`label status location body` for the webmail, `label status type
body` for the API)."""
import html
import json
import re

from apicase import A, call, login, web, web_login

alice = web_login("web-login", A["alice"], A["alice_totp"])
_, page, _ = web("web-settings", "GET", "/mail/settings", cookie=alice)
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
absence = {"csrf": csrf, "on": "on", "start": "2026-08-10", "end": "2026-08-01",
           "audience": "professionals", "language": "fr", "subject": "Congés annuels",
           "text": "Je suis en congés.\nEn cas d'urgence, appelez le 15."}
web("web-absence-bad-dates", "POST", "/mail/settings/absence", cookie=alice, form=absence)
absence["end"] = "2026-08-24"
web("web-absence", "POST", "/mail/settings/absence", cookie=alice, form=absence)
web("web-signature", "POST", "/mail/settings/signature", cookie=alice,
    form={"csrf": csrf, "signature": "Dr Alice Martin\r\nCardiologue, Lyon"})
web("web-signature-long", "POST", "/mail/settings/signature", cookie=alice,
    form={"csrf": csrf, "signature": "ligne\n" * 9})
web("web-settings-after", "GET", "/mail/settings", cookie=alice)
_, compose, _ = web("web-compose", "GET", "/mail/compose", cookie=alice)
text = re.search(r'<textarea id="text" name="text">(.*?)</textarea>', compose, re.S)
print(f"compose-text 0 {json.dumps(html.unescape(text.group(1)) if text else None)}", flush=True)

# The API, as bob (his own settings only: no route names another's).
token = login("api-login", A["bob"], A["bob_totp"])
call("api-absence", "GET", "/account/absence", token=token)
call("api-signature", "GET", "/account/signature", token=token)
call("api-absence-bad", "PUT", "/account/absence", token=token,
     body={"on": True, "start": "10/08/2026", "subject": "Away", "text": "Back soon."})
call("api-absence-set", "PUT", "/account/absence", token=token,
     body={"on": True, "language": "en", "audience": "everyone", "subject": "Out of office",
           "text": "Back on Monday.", "zone": "Indian/Reunion", "end": "2026-12-31"})
call("api-absence-after", "GET", "/account/absence", token=token)
call("api-signature-long", "PUT", "/account/signature", token=token, body={"signature": "x\n" * 9})
call("api-signature-set", "PUT", "/account/signature", token=token, body={"signature": "Dr B. Durand"})
call("api-signature-after", "GET", "/account/signature", token=token)
