"""A one-time login code by SMS in the webmail (AU-1, seed 004 §6.2) over HTTPS
(http.client): the code asked by SMS, read where the gateway hook's recorder put it,
then the login with it; an account without a mobile number gets the same answer.
Prints `label status location body` per request."""
from apicase import A, web


def ask(label, address):
    return web(label, "POST", "/login", form={
        "address": address, "password": A["password"], "code": "", "method": "send_sms"})


ask("send-sms", A["alice"])
with open(A["recorded"]) as f:
    number, code = f.read().split()
print(f"recorded 0 {number}", flush=True)
web("login", "POST", "/login", form={
    "address": A["alice"], "password": A["password"], "code": code, "method": "email"})
ask("send-sms-no-phone", A["bob"])
