"""Submits one message over 587 + STARTTLS with a device credential and prints the
outcome as `sent <code> <text>` (250 when accepted, else the refusal at RCPT or DATA).
`headers` (optional) are extra header lines separated by `|`; `xdm_ins` (optional)
attaches an IHE_XDM.zip whose METADATA.XML names that patient (INS OID)."""
import io
import smtplib
import zipfile
import email.policy
from email.message import EmailMessage

from smtpcase import args, message, starttls

a = args()
s = starttls(a)
s.login(a["user"], a["credential"])
msg = message(a["user"], a["to"], a["subject"])
if a.get("xdm_ins"):
    metadata = (
        '<?xml version="1.0"?><SubmitObjectsRequest><RegistryObjectList>'
        '<ExtrinsicObject id="d1"><ExternalIdentifier '
        'identificationScheme="urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427" '
        f'value="{a["xdm_ins"]}^^^&amp;1.2.250.1.213.1.4.8&amp;ISO" registryObject="d1"/>'
        "</ExtrinsicObject></RegistryObjectList></SubmitObjectsRequest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("IHE_XDM/SUBSET01/METADATA.XML", metadata)
        z.writestr("IHE_XDM/SUBSET01/DOC0001.PDF", b"%PDF-1.4")
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = a["user"], a["to"], a["subject"]
    m.set_content("Compte rendu en piece jointe.")
    m.add_attachment(buffer.getvalue(), maintype="application", subtype="zip", filename="IHE_XDM.zip")
    msg = m.as_bytes(policy=email.policy.SMTP)
if a.get("headers"):
    extra = "".join(h + "\r\n" for h in a["headers"].split("|"))
    msg = extra.encode() + msg
try:
    refused = s.sendmail(a["user"], [a["to"]], msg)
    print("sent 250 accepted" if not refused else f"sent 550 {refused}", flush=True)
except smtplib.SMTPRecipientsRefused as e:
    code, text = list(e.recipients.values())[0]
    print(f"sent {code} {text.decode()}", flush=True)
except smtplib.SMTPDataError as e:
    print(f"sent {e.smtp_code} {e.smtp_error.decode()}", flush=True)
s.quit()
