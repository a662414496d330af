"""Drives the authorization matrix's cells through the JSON API: `steps` is a JSON file
of [label, token or "", method, path, JSON body or null] in order; prints
`label status body` for each."""
import json

from apicase import A, call

for label, token, method, path, body in json.load(open(A["steps"])):
    call(label, method, path, token=token or None, body=body)
