"""Helpers shared by the client scripts: arguments, TLS contexts, one output line per step.

Each script prints `label code text` for every step (the reply's lines joined with
" | "), and the Rust test asserts on those lines.
"""
import base64
import smtplib
import ssl
import sys

HOST = "127.0.0.1"


def args():
    """The `key=value` arguments the Rust test passed."""
    return dict(a.split("=", 1) for a in sys.argv[1:])


def context(ca, cert=None, key=None):
    """A TLS client context trusting the development CA, with a client certificate."""
    ctx = ssl.create_default_context(cafile=ca)
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


def out(label, reply):
    """Prints one step: its reply code and text."""
    code, text = reply
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    print(f"{label} {code} {' | '.join(text.splitlines())}", flush=True)


def b64(text):
    return base64.b64encode(text.encode()).decode()


def plain(user, secret, authzid=""):
    return b64(f"{authzid}\0{user}\0{secret}")


def starttls(a, label="starttls"):
    """Connects to the 587-like port, says EHLO, starts TLS, says EHLO again."""
    s = smtplib.SMTP(HOST, int(a["port"]), local_hostname="client.test", timeout=10)
    s.ehlo()
    out(label, s.starttls(context=context(a["ca"])))
    s.ehlo()
    return s


def message(sender, to, subject, body="Confidential body.\r\n"):
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    ).encode()
