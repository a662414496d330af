"""Patients found by name in the compose form (issue 22) over HTTPS (http.client):
the suggestions of `/mail/patients?q=` for two professionals, and the names
`POST /mail/check` gives the recipients they type. Prints `label status location
body` per request."""
import re

from apicase import A, web, web_login


def check(label, cookie, to):
    """The recipients `to` typed in a new letter, as the form checks them."""
    _, page, _ = web(label + "-form", "GET", "/mail/compose", cookie=cookie)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    web(label, "POST", "/mail/check", cookie=cookie,
        form={"csrf": csrf, "to": to, "cc": "", "subject": "Suivi"})


doctor = web_login("login-doctor", A["doctor"], A["doctor_totp"])
web("doctor-petit", "GET", "/mail/patients?q=petit", cookie=doctor)
web("doctor-lea", "GET", "/mail/patients?q=lea", cookie=doctor)
web("doctor-paul", "GET", "/mail/patients?q=paul", cookie=doctor)
other = web_login("login-other", A["other"], A["other_totp"])
web("other-petit", "GET", "/mail/patients?q=petit", cookie=other)
check("doctor-check", doctor, f"{A['lea']}, {A['paul']}")
check("other-check", other, A["lea"])
web("anonymous", "GET", "/mail/patients?q=petit")
