"""Filing in the webmail (MS-6, RT-3): a message moved to Archive, deleted to Trash,
then deleted for good only with the confirmation box. Prints `label status location
body` per request."""
import re

from apicase import A, web, web_login

cookie = web_login("login", A["alice"], A["alice_totp"])
one, other = A["message"], A["other"]
_, page, _ = web("message", "GET", f"/mail/message/{one}", cookie=cookie)
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
web("archive", "POST", f"/mail/message/{one}/move", cookie=cookie, form={"csrf": csrf, "folder": "Archive"})
web("archive-list", "GET", "/mail/folder/Archive", cookie=cookie)
web("inbox-list", "GET", "/mail/folder/INBOX", cookie=cookie)
web("to-trash", "POST", f"/mail/message/{one}/delete", cookie=cookie, form={"csrf": csrf})
web("in-trash", "GET", f"/mail/message/{one}", cookie=cookie)
web("for-good", "POST", f"/mail/message/{one}/delete", cookie=cookie, form={"csrf": csrf, "confirm": "on"})
web("gone", "GET", f"/mail/message/{one}", cookie=cookie)
web("move-nowhere", "POST", f"/mail/message/{other}/move", cookie=cookie,
    form={"csrf": csrf, "folder": "Nowhere"})
web("move-forged", "POST", f"/mail/message/{other}/move", cookie=cookie,
    form={"csrf": "forged", "folder": "Archive"})
