"""Passkeys over HTTPS with a software authenticator (AU-1, MS-18): ES256 keys made
here, "none" attestation, the WebAuthn messages built by hand (CBOR, authenticator
data, client data) and sent as the webmail's script sends them. Alice and Bruno each
register a passkey; Alice's logs her in; her assertion presented as Bruno's (his user
handle, or his credential id), or replayed, logs nobody in; a pairing token registers
one phone and is then refused. One line per step: `label status body`.

With `finish_port`, every ceremony begun on `port` is finished there: another node
over the same database (AU-1, MS-18: the ceremony is kept in the store).
"""
import base64
import hashlib
import http.client
import json
import re
import struct
import sys

from apicase import A, HOST, PORT, context

try:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
except ImportError:
    sys.exit("python3's cryptography module is missing: apt-get install -y python3-cryptography")

ORIGIN = f"https://localhost:{PORT}"
FINISH_PORT = int(A.get("finish_port", PORT))


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cbor(value):
    """The CBOR of ints, byte and text strings, and maps (what WebAuthn needs)."""
    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        for size, code, fmt in [(1, 24, ">B"), (2, 25, ">H"), (4, 26, ">I")]:
            if n < 256 ** size:
                return bytes([major << 5 | code]) + struct.pack(fmt, n)
        raise ValueError(n)
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        return head(3, len(value.encode())) + value.encode()
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    raise TypeError(value)


def call(label, method, path, body=None, token=None, csrf=None, quiet=False, port=PORT):
    conn = http.client.HTTPSConnection(HOST, port, context=context(), timeout=20)
    headers = {}
    if token:
        headers["Cookie"] = f"__Host-caduceus={token}"
    if csrf:
        headers["X-CSRF"] = csrf
    if body is not None:
        body = json.dumps(body)
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read().decode("utf-8", "replace")
    conn.close()
    if not quiet:
        print(f"{label} {response.status} {' '.join(data.split())}", flush=True)
    return response.status, data


def csrf_of(token):
    _, page = call("csrf", "GET", "/mail/compose", token=token, quiet=True)
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)


class Authenticator:
    """One passkey: a P-256 key, its credential id, the user handle it was made for."""

    def __init__(self, name):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.id = hashlib.sha256(name.encode()).digest()
        self.handle = None
        self.counter = 0

    def client_data(self, kind, challenge):
        return json.dumps({"type": kind, "challenge": challenge, "origin": ORIGIN,
                           "crossOrigin": False}).encode()

    def create(self, options):
        key = options["publicKey"]
        self.handle = key["user"]["id"]
        numbers = self.key.public_key().public_numbers()
        cose = cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                     -3: numbers.y.to_bytes(32, "big")})
        auth_data = (hashlib.sha256(key["rp"]["id"].encode()).digest() + bytes([0x45])
                     + struct.pack(">I", 0) + bytes(16) + struct.pack(">H", len(self.id))
                     + self.id + cose)
        attestation = cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"id": b64(self.id), "rawId": b64(self.id), "type": "public-key",
                "response": {"attestationObject": b64(attestation),
                             "clientDataJSON": b64(self.client_data("webauthn.create", key["challenge"]))},
                "extensions": {}}

    def get(self, options, handle=None, credential=None):
        """An assertion signed by this key; `handle` and `credential` claim another's."""
        self.counter += 1
        client = self.client_data("webauthn.get", options["publicKey"]["challenge"])
        auth_data = (hashlib.sha256(b"localhost").digest() + bytes([0x05])
                     + struct.pack(">I", self.counter))
        signature = self.key.sign(auth_data + hashlib.sha256(client).digest(),
                                  ec.ECDSA(hashes.SHA256()))
        cred = credential or self.id
        return {"id": b64(cred), "rawId": b64(cred), "type": "public-key",
                "response": {"authenticatorData": b64(auth_data), "clientDataJSON": b64(client),
                             "signature": b64(signature), "userHandle": handle or self.handle},
                "extensions": {}}


def register(label, token, device):
    csrf = csrf_of(token)
    _, begun = call(label + "-begin", "POST", "/mail/settings/passkeys/begin", {"name": label},
                    token, csrf, quiet=True)
    begun = json.loads(begun)
    answer = device.create(begun["options"])
    call(label, "POST", "/mail/settings/passkeys/finish",
         {"ceremony": begun["ceremony"], "credential": answer}, token, csrf, port=FINISH_PORT)


def login(label, sign):
    _, begun = call(label + "-begin", "POST", "/login/passkey/begin", {}, quiet=True)
    begun = json.loads(begun)
    return call(label, "POST", "/login/passkey/finish",
                {"ceremony": begun["ceremony"], "credential": sign(begun["options"])},
                port=FINISH_PORT)


alice, bruno = Authenticator("alice"), Authenticator("bruno")
register("alice-registered", A["alice_token"], alice)
register("bruno-registered", A["bruno_token"], bruno)
login("alice-login", alice.get)
# Alice's key presented as Bruno's: his user handle, then his credential id.
login("as-bruno-handle", lambda o: alice.get(o, handle=bruno.handle))
login("as-bruno-credential", lambda o: alice.get(o, handle=bruno.handle, credential=bruno.id))
# An assertion answered once, replayed in a new ceremony.
_, begun = call("replay-begin", "POST", "/login/passkey/begin", {}, quiet=True)
first = json.loads(begun)
signed = alice.get(first["options"])
call("replay-first", "POST", "/login/passkey/finish", {"ceremony": first["ceremony"], "credential": signed},
     port=FINISH_PORT)
login("replay-again", lambda _o: signed)

# The passkey as the second factor after the password: Alice's key after Alice's
# password; after Bruno's, it is not one of his.
for label, who, sign in [("password-passkey", "alice", alice.get),
                         ("bruno-password-alice-key", "bruno", alice.get)]:
    _, begun = call(label + "-begin", "POST", "/login/passkey/password",
                    {"address": A[who], "password": A["password"]}, quiet=True)
    begun = json.loads(begun)
    call(label, "POST", "/login/passkey/password/finish",
         {"ceremony": begun["ceremony"], "credential": sign(begun["options"])}, port=FINISH_PORT)
call("wrong-password", "POST", "/login/passkey/password",
     {"address": A["alice"], "password": "not the password"})

# Pairing: a token made from Alice's settings pairs one phone, once.
csrf = csrf_of(A["alice_token"])
conn = http.client.HTTPSConnection(HOST, PORT, context=context(), timeout=20)
conn.request("POST", "/mail/settings/pair", body=f"csrf={csrf}",
             headers={"Cookie": f"__Host-caduceus={A['alice_token']}",
                      "Content-Type": "application/x-www-form-urlencoded"})
page = conn.getresponse().read().decode()
conn.close()
path = "/pair/" + re.search(r'id="pair-url">https://[^/]+/pair/([0-9a-f]+)<', page).group(1)
print(f"pair-path 0 {path}", flush=True)
phone = Authenticator("phone")
for attempt in ["paired", "paired-again"]:
    status, begun = call(attempt + "-begin", "POST", path + "/begin", {"name": "Téléphone"})
    if status != 200:
        continue
    begun = json.loads(begun)
    call(attempt, "POST", path + "/finish",
         {"ceremony": begun["ceremony"], "credential": phone.create(begun["options"])},
         port=FINISH_PORT)
call("pair-page-again", "GET", path)
login("phone-login", phone.get)
