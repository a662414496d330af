"""Marks in the webmail (MS-6): Alice flags a message, then marks it unread; Bruno
tries the same on her message; a mark that is no mark. Prints `label status location
body` per request."""
import re

from apicase import A, web, web_login

alice = web_login("login", A["alice"], A["alice_totp"])
one = A["message"]
_, page, _ = web("read", "GET", f"/mail/message/{one}", cookie=alice)
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
web("flag", "POST", f"/mail/message/{one}/mark", cookie=alice, form={"csrf": csrf, "mark": "flag"})
web("flagged-page", "GET", f"/mail/message/{one}", cookie=alice)
web("unread", "POST", f"/mail/message/{one}/mark", cookie=alice, form={"csrf": csrf, "mark": "unread"})
web("list", "GET", "/mail/folder/INBOX", cookie=alice)
web("no-mark", "POST", f"/mail/message/{one}/mark", cookie=alice, form={"csrf": csrf, "mark": "delete"})
web("forged", "POST", f"/mail/message/{one}/mark", cookie=alice, form={"csrf": "forged", "mark": "read"})
bruno = web_login("bruno-login", A["bruno"], A["bruno_totp"])
_, page, _ = web("bruno-inbox", "GET", "/mail/folder/INBOX", cookie=bruno)
bruno_csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
web("bruno-marks", "POST", f"/mail/message/{one}/mark", cookie=bruno,
    form={"csrf": bruno_csrf, "mark": "read"})
