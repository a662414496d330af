"""AU-5 through the JSON API: a health professional's password and code are refused
naming AU-5, their CPS certificate opens a session; another professional keeps
password and code. Prints `label status content-type body` per call."""
from apicase import A, call, context, login

login("doctor-password", A["doctor"], A["doctor_totp"])
call("doctor-card", "POST", "/session/certificate", ctx=context(A["cert"], A["key"]))
login("other-password", A["other"], A["other_totp"])
