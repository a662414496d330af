"""The JSON API driven by Python's http.client over TLS, as practice software would.

Prints `label status body` for every step (the body on one line); the Rust test
(crates/web/tests/api.rs) asserts on those lines.
"""
import hashlib
import uuid

from urllib.parse import quote

from apicase import A, call, context, login, multipart

# The description, without logging in.
_, spec = call("openapi", "GET", "/openapi.json")
print(f"openapi-version 0 {spec['openapi']} paths:{len(spec['paths'])}")
call("anonymous", "GET", "/folders")
call("wrong-code", "POST", "/session", body={
    "address": A["alice"], "password": A["password"], "code": "000000"})
alice = login("login-alice", A["alice"], A["alice_totp"])
bob = login("login-bob", A["bob"], A["bob_totp"])
call("me", "GET", "/me", token=alice)
call("folders", "GET", "/folders", token=alice)

# MS-18: the same send twice with one idempotency key delivers once.
attachment = ("Compte rendu de consultation\n" * 200).encode()
form = [("to", A["bob"]), ("subject", "Consultation du 12"), ("text", "Bonjour, voici le compte rendu.")]
body, headers = multipart(form, [("attachment", "cr.txt", "text/plain", attachment)])
key = {"Idempotency-Key": "send-" + uuid.uuid4().hex}
call("send-1", "POST", "/messages", token=alice, body=body, headers={**headers, **key})
call("send-2", "POST", "/messages", token=alice, body=body, headers={**headers, **key})
other, other_headers = multipart([("to", A["bob"]), ("subject", "Autre"), ("text", "x")], [])
call("send-other-same-key", "POST", "/messages", token=alice, body=other,
     headers={**other_headers, **key})
# The rules answer in problem+json, naming the requirement.
unknown, h = multipart([("to", "nobody@" + A["domain"]), ("subject", "Test"), ("text", "x")], [])
call("send-unknown", "POST", "/messages", token=alice, body=unknown, headers=h)
nir, h = multipart([("to", A["bob"]), ("subject", "Patient 1 85 05 78 006 084 91"), ("text", "x")], [])
call("send-nir", "POST", "/messages", token=alice, body=nir, headers=h)
outside, h = multipart([("to", "someone@gmail.com"), ("subject", "Test"), ("text", "x")], [])
call("send-outside", "POST", "/messages", token=alice, body=outside, headers=h)
spoof, h = multipart([("from", A["bob"]), ("to", A["bob"]), ("subject", "Test"), ("text", "x")], [])
call("send-as-bob", "POST", "/messages", token=alice, body=spoof, headers=h)

# Bob reads it.
response, page = call("list", "GET", "/folders/INBOX/messages?limit=10", token=bob)
etag = response.getheader("ETag")
call("list-again", "GET", "/folders/INBOX/messages", token=bob, headers={"If-None-Match": etag})
message_id = page["messages"][0]["id"]
print(f"message-id 0 {message_id}")
call("search-hit", "GET", "/folders/INBOX/messages?q=consultation", token=bob)
call("search-folded", "GET", "/folders/INBOX/messages?q=C%C3%94NSULTATION", token=bob)
call("search-miss", "GET", "/folders/INBOX/messages?q=zorglub", token=bob)
call("read", "GET", f"/messages/{message_id}", token=bob)
call("attachment", "GET", f"/messages/{message_id}/attachments/0", token=bob, raw=True)
print(f"attachment-sent 0 {hashlib.sha256(attachment).hexdigest()}")
call("raw", "GET", f"/messages/{message_id}/raw", token=bob)
# AC-1: Alice cannot reach Bob's message, nor open his mailbox.
call("alice-reads-bob", "GET", f"/messages/{message_id}", token=alice)
call("alice-opens-bob", "GET", f"/folders?mailbox={A['bob']}", token=alice)
call("alice-deletes-bob", "DELETE", f"/messages/{message_id}", token=alice)
call("sent", "GET", "/folders/Sent/messages", token=alice)
call("flag", "PATCH", f"/messages/{message_id}", token=bob, body={"flags": ["\\Seen", "$Urgent"]})
# MS-14: a message marked personal by its keyword; a folder of one's own, personal.
call("mark-personal", "PATCH", f"/messages/{message_id}", token=bob, body={"flags": ["\\Seen", "$Urgent", "$Personal"]})
call("new-folder", "POST", "/folders", token=bob, body={"name": "Privé"})
call("folder-climbs", "POST", "/folders", token=bob, body={"name": "../x"})
call("folder-personal", "PATCH", f"/folders/{quote('Privé')}", token=bob, body={"personal": True})
call("inbox-personal", "PATCH", "/folders/INBOX", token=bob, body={"personal": True})
call("alice-marks-bob", "PATCH", f"/folders/{quote('Privé')}?mailbox={A['bob']}", token=alice, body={"personal": False})
call("folders-personal", "GET", "/folders", token=bob)
call("move", "PATCH", f"/messages/{message_id}", token=bob, body={"folder": "Archive"})
call("move-nowhere", "PATCH", f"/messages/{message_id}", token=bob, body={"folder": "Nowhere"})
_, archive = call("archive", "GET", "/folders/Archive/messages", token=bob)
moved = archive["messages"][0]["id"]
call("delete", "DELETE", f"/messages/{moved}", token=bob)
call("read-deleted", "GET", f"/messages/{moved}", token=bob)

call("directory", "GET", "/directory?name=martin&place=75013", token=alice)
call("directory-empty", "GET", "/directory", token=alice)
call("directory-bad", "GET", "/directory?colour=blue", token=alice)

# A client certificate logs in without a token; a session can be opened with it.
cert_ctx = context(A["cert"], A["key"])
call("cert-me", "GET", "/me", ctx=cert_ctx)
call("cert-session", "POST", "/session/certificate", ctx=cert_ctx)

# AU-1, MS-7, RT-1: where the user's notices go.
call("notify-bad-phone", "PUT", "/notifications", token=alice, body={"phone": "12"})
call("notify-set", "PUT", "/notifications", token=alice,
     body={"email": "alice@example.org", "phone": "06 12 34 56 78", "new_mail": True})
call("notify-get", "GET", "/notifications", token=alice)
# ID-2 (004 §7.1): the contact address stays outside the trust space, and is kept.
call("notify-inside", "PUT", "/notifications", token=alice,
     body={"email": "alice.bis@caduceus.test", "new_mail": True})
call("notify-clear", "PUT", "/notifications", token=alice, body={"new_mail": False})
# MS-17: forwarding inside the trust space only.
call("forward-outside", "PUT", "/forwarding", token=alice, body={"to": "alice@gmail.test"})
call("forward-bob", "PUT", "/forwarding", token=alice, body={"to": A["bob"]})
call("forwarding", "GET", "/forwarding", token=alice)
call("forward-stop", "DELETE", "/forwarding", token=alice)
call("forwarding-after", "GET", "/forwarding", token=alice)
call("logout", "DELETE", "/session", token=alice)
call("after-logout", "GET", "/me", token=alice)
call("forged", "GET", "/me", token="cses-" + "0" * 64)
