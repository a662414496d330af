"""The breach register in the admin console (TR-6) with http.client and the session
cookie (the security officer's session token is given): record two breaches (one
detected now, one four days ago), assess the old one (high risk, one account
concerned), notify it, close it, reading the register after each step. Prints `label
status location body` per request.
"""
import http.client
import re
import urllib.parse

from apicase import A, HOST, PORT, context

token = A["security"]
csrf_token = None


def request(label, method, path, form=None):
    global csrf_token
    conn = http.client.HTTPSConnection(HOST, PORT, context=context(), timeout=20)
    headers = {"Cookie": f"__Host-caduceus={token}"}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form + [("csrf", csrf_token)])
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    page = response.read().decode("utf-8", "replace")
    conn.close()
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    if found:
        csrf_token = found.group(1)
    location = response.getheader("Location") or "-"
    print(f"{label} {response.status} {location} {' '.join(page.split())}", flush=True)


request("empty", "GET", "/admin/breaches")
request("record-now", "POST", "/admin/breaches", [("nature", "availability"), ("detected", "")])
request("record-old", "POST", "/admin/breaches",
        [("nature", "confidentiality"), ("detected", A["old"])])
request("recorded", "GET", "/admin/breaches")
request("future", "POST", "/admin/breaches", [("nature", "integrity"), ("detected", "2999-01-01T00:00:00Z")])
request("notify-first", "POST", "/admin/breaches/2/notify", [])
request("assess", "POST", "/admin/breaches/2/assess", [("risk", "high"), ("accounts", A["concerned"])])
request("assessed", "GET", "/admin/breaches")
request("notify", "POST", "/admin/breaches/2/notify", [])
request("notified", "GET", "/admin/breaches")
request("close", "POST", "/admin/breaches/2/close", [])
request("closed", "GET", "/admin/breaches")
