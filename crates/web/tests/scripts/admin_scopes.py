"""The admin console for staff whose roles are limited (AC-1, MS-15), with
http.client and the session cookie (the session tokens are given): a registration
authority of one structure lists and suspends accounts, an alert sender of one region
broadcasts. Prints `label status location body` per request.
"""
import http.client
import re
import urllib.parse

from apicase import A, HOST, PORT, context


def request(label, token, method, path, form=None):
    conn = http.client.HTTPSConnection(HOST, PORT, context=context(), timeout=20)
    headers = {"Cookie": f"__Host-caduceus={token}"}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form + [("csrf", csrf(token))])
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    page = response.read().decode("utf-8", "replace")
    conn.close()
    if label:
        location = response.getheader("Location") or "-"
        print(f"{label} {response.status} {location} {' '.join(page.split())}", flush=True)
    return page


tokens = {}


def csrf(token):
    if token not in tokens:
        page = request(None, token, "GET", "/mail/compose")
        tokens[token] = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    return tokens[token]


ra, alerts = A["ra"], A["alerts"]
request("ra-list", ra, "GET", "/admin/accounts")
request("ra-suspend-other", ra, "POST", f"/admin/accounts/{A['other']}/suspend", [("confirm", "on")])
request("ra-suspend-own", ra, "POST", f"/admin/accounts/{A['own']}/suspend", [("confirm", "on")])
alert = [("subject", "Rappel de lot"), ("text", "Lot 42 rappelé.")]
request("alerts-outside", alerts, "POST", "/admin/broadcast",
        [("profession", "10"), ("department", "75")] + alert)
request("alerts-nowhere", alerts, "POST", "/admin/broadcast",
        [("profession", "10"), ("department", "")] + alert)
request("alerts-inside", alerts, "POST", "/admin/broadcast",
        [("profession", "10"), ("department", "69")] + alert)
