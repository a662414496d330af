"""Helpers shared by the API client scripts: arguments, TLS, TOTP, one output line
per call (`label status content-type [headers] body`; webmail requests: `label
status location body`), multipart forms, the webmail's login.
"""
import base64
import hashlib
import hmac
import http.client
import json
import ssl
import struct
import sys
import time
import urllib.parse
import uuid

A = dict(a.split("=", 1) for a in sys.argv[1:])
HOST, PORT = "127.0.0.1", int(A["port"])


def context(cert=None, key=None):
    ctx = ssl.create_default_context(cafile=A["ca"])
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


def totp(secret_b32):
    """RFC 6238: six digits, 30-second steps, HMAC-SHA1."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 15
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def call(label, method, path, token=None, body=None, headers=None, ctx=None, raw=False):
    conn = http.client.HTTPSConnection(HOST, PORT, context=ctx or context(), timeout=20)
    all_headers = dict(headers or {})
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    conn.request(method, "/api/v1" + path, body=body, headers=all_headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    kind = response.getheader("Content-Type", "")
    if raw:
        shown = hashlib.sha256(data).hexdigest()
    elif data:
        shown = " ".join(data.decode("utf-8", "replace").split())
    else:
        shown = ""
    extra = ""
    for name in ["ETag", "Idempotent-Replayed", "WWW-Authenticate"]:
        if response.getheader(name):
            extra += f" [{name.lower()}={response.getheader(name)}]"
    print(f"{label} {response.status} {kind}{extra} {shown}", flush=True)
    return response, (json.loads(data) if data and "json" in kind else data)


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode()
        )
    for name, filename, kind, content in files:
        parts.append(
            (
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
                f"Content-Type: {kind}\r\n\r\n"
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def login(label, address, secret):
    _, body = call(label, "POST", "/session", body={
        "address": address, "password": A["password"], "code": totp(secret)})
    return body.get("token") if isinstance(body, dict) else None


def web(label, method, path, cookie=None, form=None):
    """One webmail request: prints `label status location body`; returns the
    response, its body and the session cookie it set, if any."""
    conn = http.client.HTTPSConnection(HOST, PORT, context=context(), timeout=20)
    headers = {}
    if cookie:
        headers["Cookie"] = cookie
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read().decode("utf-8", "replace")
    conn.close()
    location = response.getheader("Location", "-")
    print(f"{label} {response.status} {location} {' '.join(data.split())}", flush=True)
    set_cookie = response.getheader("Set-Cookie", "")
    return response, data, set_cookie.split(";")[0] if set_cookie else None


def web_login(label, address, secret):
    _, _, cookie = web(label, "POST", "/login", form={
        "address": address, "password": A["password"], "code": totp(secret), "method": "totp"})
    return cookie
