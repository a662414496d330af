"""Drives the authorization matrix's cells through the webmail and the admin console
with http.client, one step per line of standard input (JSON: [label, session token or
"", method, path, form fields as [name, value] pairs or null, whether the form is
multipart (or "json": a page script's call), [client certificate, key] files or null]); prints `label status location
body` for each (location `-` when there is none).

The session token travels in the session cookie; a form carries the session's CSRF
token, read once per session from the compose page as a browser would have it. A
certificate-only account (AU-1) first logs in with its client certificate (`POST
/login/certificate`, once per certificate) and goes on with the cookie it gets.
"""
import http.client
import json
import re
import sys
import urllib.parse

from apicase import HOST, PORT, context, multipart

csrf_tokens = {}
certificate_sessions = {}


def request(method, path, token, body=None, headers=None):
    conn = http.client.HTTPSConnection(HOST, PORT, context=context(), timeout=20)
    all_headers = dict(headers or {})
    if token:
        all_headers["Cookie"] = f"__Host-caduceus={token}"
    conn.request(method, path, body=body, headers=all_headers)
    response = conn.getresponse()
    page = response.read().decode("utf-8", "replace")
    conn.close()
    return response, page


def certificate_login(certificate):
    """The session token `POST /login/certificate` gives the holder of `certificate`."""
    key = tuple(certificate)
    if key not in certificate_sessions:
        conn = http.client.HTTPSConnection(HOST, PORT, context=context(*certificate), timeout=20)
        conn.request("POST", "/login/certificate", body=b"",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        conn.close()
        cookie = response.getheader("Set-Cookie") or ""
        found = re.search(r"__Host-caduceus=([^;]+)", cookie)
        if not found:
            raise SystemExit(f"certificate login refused: {response.status}")
        certificate_sessions[key] = found.group(1)
    return certificate_sessions[key]


def csrf(token):
    if token not in csrf_tokens:
        _, page = request("GET", "/mail/compose", token)
        found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        csrf_tokens[token] = found.group(1) if found else ""
    return csrf_tokens[token]


for line in sys.stdin:
    label, token, method, path, form, as_multipart, certificate = json.loads(line)
    if certificate:
        token = certificate_login(certificate)
    body = headers = None
    if form is not None:
        fields = form + [["csrf", csrf(token)]]
        if as_multipart == "json":  # a page script's call: JSON, the CSRF in a header
            body = json.dumps(dict(form))
            headers = {"Content-Type": "application/json", "X-CSRF": csrf(token)}
        elif as_multipart:
            body, headers = multipart(fields, [])
        else:
            body = urllib.parse.urlencode([tuple(field) for field in fields])
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response, page = request(method, path, token, body, headers)
    location = response.getheader("Location") or "-"
    print(f"{label} {response.status} {location} {' '.join(page.split())}", flush=True)
