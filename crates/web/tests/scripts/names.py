"""People by name in the webmail (ID-4): the INBOX list, a message's page, the
conversations and the directory suggestions. Prints `label status location body`."""
from apicase import A, web, web_login

alice = web_login("login", A["alice"], A["alice_totp"])
web("inbox", "GET", "/mail/folder/INBOX", cookie=alice)
web("message", "GET", f"/mail/message/{A['message']}", cookie=alice)
web("message-en", "GET", f"/mail/message/{A['message']}?lang=en", cookie=alice)
web("conversations", "GET", "/mail/conversations", cookie=alice)
web("conversation", "GET", f"/mail/conversation/{A['message']}", cookie=alice)
web("suggest", "GET", "/mail/directory?q=durand", cookie=alice)
web("reply-all", "GET", f"/mail/compose?reply={A['message']}&all=on", cookie=alice)
