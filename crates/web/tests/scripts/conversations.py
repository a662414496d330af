"""Conversations in the webmail (MS-6): the list grouped by patient, then one
conversation's page. Prints `label status location body` per request."""
from apicase import A, web, web_login

cookie = web_login("login", A["alice"], A["alice_totp"])
web("inbox", "GET", "/mail/folder/INBOX", cookie=cookie)
web("conversations", "GET", "/mail/conversations", cookie=cookie)
web("conversations-2", "GET", "/mail/conversations?page=2", cookie=cookie)
web("conversation", "GET", f"/mail/conversation/{A['reply']}", cookie=cookie)
web("conversation-en", "GET", f"/mail/conversation/{A['reply']}?lang=en", cookie=cookie)
web("conversation-unknown", "GET", "/mail/conversation/999999", cookie=cookie)
