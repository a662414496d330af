"""The holder's certificate in the webmail's settings (MS-3) over HTTPS
(http.client): a request pasted and signed, a .pem uploaded and kept, and the
refusals in plain words (a request that is not one, a certificate for another
address, nothing given). Prints `label status location body` per request."""
import http.client
import re

from apicase import A, HOST, PORT, context, multipart, web, web_login

cookie = web_login("login", A["alice"], A["alice_totp"])
_, page, _ = web("settings", "GET", "/mail/settings", cookie=cookie)
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def post(label, csr, files):
    body, headers = multipart([["csrf", csrf], ["csr", csr]], files)
    headers["Cookie"] = cookie
    conn = http.client.HTTPSConnection(HOST, PORT, context=context(), timeout=20)
    conn.request("POST", "/mail/settings/certificate", body=body, headers=headers)
    response = conn.getresponse()
    data = response.read().decode("utf-8", "replace")
    conn.close()
    print(f"{label} {response.status} {response.getheader('Location', '-')} {' '.join(data.split())}", flush=True)


def pem(path):
    with open(path, "rb") as f:
        return [["pem", "alice.pem", "application/x-pem-file", f.read()]]


post("csr", open(A["csr"]).read(), [])
post("csr-bad", "pas une demande", [])
post("pem", "", pem(A["own_pem"]))
post("pem-other", "", pem(A["other_pem"]))
post("nothing", "", [])
