"""Drives the authorization matrix's cells through the JSON API, one step per line of
standard input (JSON: [label, token or "", method, path, JSON body or null, form fields
as [name, value] pairs or null]); prints `label status body` for each as soon as it is
answered, so that the test can look at what each cell left before sending the next."""
import json
import sys

from apicase import call, multipart

for line in sys.stdin:
    label, token, method, path, body, form = json.loads(line)
    headers = None
    if form:
        body, headers = multipart(form, [])
    call(label, method, path, token=token or None, body=body, headers=headers)
