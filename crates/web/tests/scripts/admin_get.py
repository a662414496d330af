"""Reads admin console pages with http.client and a session cookie: `pages` is a
`;`-separated list of `label|session token|path`. Prints `label status location body`
per request.
"""
import http.client

from apicase import A, HOST, PORT, context

for step in A["pages"].split(";"):
    label, token, path = step.split("|", 2)
    conn = http.client.HTTPSConnection(HOST, PORT, context=context(), timeout=20)
    conn.request("GET", path, headers={"Cookie": f"__Host-caduceus={token}"})
    response = conn.getresponse()
    page = response.read().decode("utf-8", "replace")
    conn.close()
    location = response.getheader("Location") or "-"
    print(f"{label} {response.status} {location} {' '.join(page.split())}", flush=True)
