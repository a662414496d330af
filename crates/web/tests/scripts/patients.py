"""Patients found by name in the compose form (issue 22) over HTTPS (http.client):
the suggestions of `/mail/patients?q=` for two professionals. Prints `label status
location body` per request."""
from apicase import A, web, web_login

doctor = web_login("login-doctor", A["doctor"], A["doctor_totp"])
web("doctor-petit", "GET", "/mail/patients?q=petit", cookie=doctor)
web("doctor-lea", "GET", "/mail/patients?q=lea", cookie=doctor)
web("doctor-paul", "GET", "/mail/patients?q=paul", cookie=doctor)
other = web_login("login-other", A["other"], A["other_totp"])
web("other-petit", "GET", "/mail/patients?q=petit", cookie=other)
web("anonymous", "GET", "/mail/patients?q=petit")
