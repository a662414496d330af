"""ID-7 through the JSON API: a parent (a professional with a CPS-like certificate)
logs in as themself and acts for their child's patient mailbox (phase `before`), then
again once the child came of age (phase `after`). Prints `label status type body`."""
from apicase import A, call, context

ctx = context(A["cert"], A["key"])
_, body = call(f"{A['phase']}-login", "POST", "/session/certificate", ctx=ctx)
token = body.get("token") if isinstance(body, dict) else None
mailbox = f"?mailbox={A['patient']}"
call(f"{A['phase']}-list", "GET", f"/folders/INBOX/messages{mailbox}", token=token)
if A["phase"] == "before":
    call("before-read", "GET", f"/messages/{A['message']}{mailbox}", token=token)
    call("before-oppose", "PUT", f"/patients/{A['ins']}/opposition", token=token)
    call("before-withdraw", "DELETE", f"/patients/{A['ins']}/opposition", token=token)
