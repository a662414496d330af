"""Dates in the webmail (MS-6): the message's own Date: in the user's time zone and
language, the time alone for today; the zone chosen in the settings; French
typography. Prints `label status location body` per request, and `label 0 text`
for what is read from a page."""
import re

from apicase import A, web, web_login

cookie = web_login("login", A["alice"], A["alice_totp"])


def times(label, page):
    """The dates of a list, as shown: `shown|full|datetime` per row."""
    rows = re.findall(r'<time datetime="([^"]+)" title="([^"]+)">([^<]+)</time>', page)
    print(f"{label} 0 " + " ## ".join(f"{shown}|{full}|{at}" for at, full, shown in rows), flush=True)


_, page, _ = web("inbox", "GET", "/mail/folder/INBOX", cookie=cookie)
times("inbox-dates", page)
web("old-message", "GET", f"/mail/message/{A['old']}", cookie=cookie)
_, settings, _ = web("settings", "GET", "/mail/settings", cookie=cookie)
csrf = re.search(r'name="csrf" value="([^"]+)"', settings).group(1)
web("zone-unknown", "POST", "/mail/settings/zone", cookie=cookie, form={"csrf": csrf, "zone": "Mars/Olympus"})
response, _, zone = web("zone-noumea", "POST", "/mail/settings/zone", cookie=cookie,
                        form={"csrf": csrf, "zone": "Pacific/Noumea"})
print(f"zone-cookie 0 {zone}", flush=True)
both = f"{cookie}; {zone}"
web("old-message-noumea", "GET", f"/mail/message/{A['old']}", cookie=both)
_, settings, _ = web("settings-noumea", "GET", "/mail/settings", cookie=both)
chosen = re.search(r'<option value="([^"]+)" selected>', settings)
print(f"zone-chosen 0 {chosen.group(1) if chosen else '-'}", flush=True)
web("old-message-english-utc", "GET", f"/mail/message/{A['old']}?lang=en", cookie=f"{cookie}; tz=UTC")
# French typography: a narrow no-break space before the colon, never a plain space.
_, compose, _ = web("compose", "GET", "/mail/compose?lang=fr", cookie=cookie)
narrow, plain = "nom\u202f:" in compose, "nom :" in compose
print(f"typography 0 narrow={narrow} plain={plain}", flush=True)
