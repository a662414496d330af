"""The patient's side and the account's own settings through the API: a patient
replies only to a professional who wrote first (MS-8), blocks (MS-10), records an
opposition (MS-9), reads their access log (TR-4); device credentials (AU-2); the export
of one's messages (RT-4).
"""
import io
import zipfile

from apicase import A, call, login, multipart


def xdm(ins):
    """An IHE XDM zip whose document entry names the patient `ins` (INS OID)."""
    metadata = (
        '<?xml version="1.0"?><SubmitObjectsRequest><RegistryObjectList>'
        '<ExtrinsicObject id="d1"><ExternalIdentifier '
        'identificationScheme="urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427" '
        f'value="{ins}^^^&amp;1.2.250.1.213.1.4.8&amp;ISO" registryObject="d1"/>'
        "</ExtrinsicObject></RegistryObjectList></SubmitObjectsRequest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("IHE_XDM/SUBSET01/METADATA.XML", metadata)
        z.writestr("IHE_XDM/SUBSET01/DOC0001.PDF", b"%PDF-1.4")
    return buffer.getvalue()


def send_xdm(label, token, to, ins):
    body, headers = multipart([("to", to), ("subject", "Compte rendu"), ("text", "Ci-joint.")],
                              [("attachment", "IHE_XDM.zip", "application/zip", xdm(ins))])
    return call(label, "POST", "/messages", token=token, body=body, headers=headers)


def send(label, token, to, subject, text="Bonjour."):
    body, headers = multipart([("to", to), ("subject", subject), ("text", text)], [])
    return call(label, "POST", "/messages", token=token, body=body, headers=headers)


alice = login("login-alice", A["alice"], A["alice_totp"])
patient = login("login-patient", A["patient"], A["patient_totp"])

# MS-8: the patient cannot write first, then replies once Alice wrote.
send("patient-first", patient, A["alice"], "Question")
send("alice-writes", alice, A["patient"], "Vos résultats")
_, page = call("patient-inbox", "GET", "/folders/INBOX/messages", token=patient)
first = page["messages"][0]
call("patient-reads", "GET", f"/messages/{first['id']}", token=patient)
body, headers = multipart([("to", A["alice"]), ("subject", "Re: Vos résultats"),
                           ("text", "Merci docteur."), ("in_reply_to", first["message_id"])], [])
call("patient-replies", "POST", "/messages", token=patient, body=body, headers=headers)
send("patient-to-bob", patient, A["bob"], "Question")
# Alice reads the reply: an access to data concerning the patient (TR-4).
_, inbox = call("alice-inbox", "GET", "/folders/INBOX/messages", token=alice)
call("alice-reads-reply", "GET", f"/messages/{inbox['messages'][0]['id']}", token=alice)
call("access-log", "GET", "/patient/access-log", token=patient)
call("access-log-not-patient", "GET", "/patient/access-log", token=alice)

# MS-10: blocked, Alice's next message is refused; unblocked, it goes.
call("block", "PUT", f"/patient/blocks/{A['alice']}", token=patient)
call("blocks", "GET", "/patient/blocks", token=patient)
send("alice-blocked", alice, A["patient"], "Rendez-vous")
call("unblock", "DELETE", f"/patient/blocks/{A['alice']}", token=patient)
send("alice-unblocked", alice, A["patient"], "Rendez-vous")
call("alice-blocks-someone", "PUT", f"/patient/blocks/{A['bob']}", token=alice)

# MS-9: the patient opposes; a professional sees it; withdrawn.
ins = A["ins"]
call("opposition-none", "GET", f"/patients/{ins}/opposition", token=alice)
call("oppose", "PUT", f"/patients/{ins}/opposition", token=patient)
call("opposition-seen", "GET", f"/patients/{ins}/opposition", token=alice)
call("opposition-own", "GET", f"/patients/{ins}/opposition", token=patient)
# Only the patient, or whoever recorded it, withdraws it: not Alice.
call("alice-withdraws", "DELETE", f"/patients/{ins}/opposition", token=alice)
call("opposition-kept", "GET", f"/patients/{ins}/opposition", token=patient)
call("withdraw", "DELETE", f"/patients/{ins}/opposition", token=patient)
# Recorded by Alice at the patient's request: Alice may withdraw it, the patient too.
call("alice-records", "PUT", f"/patients/{ins}/opposition", token=alice)
call("alice-sees-hers", "GET", f"/patients/{ins}/opposition", token=alice)
call("alice-withdraws-hers", "DELETE", f"/patients/{ins}/opposition", token=alice)
call("opposition-none-after", "GET", f"/patients/{ins}/opposition", token=patient)
call("opposition-bad-ins", "GET", "/patients/123/opposition", token=alice)

# AU-2: a device credential for a mail client, shown once, then revoked.
_, device = call("device-add", "POST", "/devices", token=alice, body={"name": "Thunderbird"})
call("devices", "GET", "/devices", token=alice)
call("device-bad-name", "POST", "/devices", token=alice, body={"name": ""})
call("device-long-name", "POST", "/devices", token=alice, body={"name": "x" * 81})
call("device-revoke-other", "DELETE", f"/devices/{device['id']}", token=patient)
call("device-revoke", "DELETE", f"/devices/{device['id']}", token=alice)
call("devices-after", "GET", "/devices", token=alice)

# RT-4: the export holds every message, one .eml per message, by folder.
response, data = call("export", "GET", "/export", token=alice, raw=True)
names = sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())
print(f"export-names 0 {' '.join(names)}")

# MS-9 by the XDM attachment: a message about an opposed patient is refused with the
# postal-mail hint, even between professionals; withdrawn, it goes.
call("oppose-again", "PUT", f"/patients/{ins}/opposition", token=patient)
send_xdm("xdm-opposed", alice, A["bob"], ins)
call("withdraw-again", "DELETE", f"/patients/{ins}/opposition", token=patient)
send_xdm("xdm-withdrawn", alice, A["bob"], ins)
# MS-11: a NIR-shaped number with a wrong key is not a NIR: the subject passes.
send("nir-bad-key", alice, A["bob"], "Dossier 1 85 05 78 006 084 92")
# MS-8: [FIN] ends the exchange; the patient's next reply is refused.
send("alice-ends", alice, A["patient"], "[FIN] Suivi terminé")
send("patient-after-fin", patient, A["alice"], "Re: Suivi terminé")
