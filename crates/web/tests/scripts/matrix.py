"""Drives the authorization matrix's cells through the JSON API, one step per line of
standard input (JSON: [label, token or "", method, path, JSON body or null, form fields
as [name, value] pairs or null, [client certificate, key] files or null]); prints `label status body` for each as soon as it is
answered, so that the test can look at what each cell left before sending the next."""
import json
import sys

from apicase import call, context, multipart

for line in sys.stdin:
    label, token, method, path, body, form, certificate = json.loads(line)
    headers = None
    if form:
        body, headers = multipart(form, [])
    ctx = context(*certificate) if certificate else None
    call(label, method, path, token=token or None, body=body, headers=headers, ctx=ctx)
