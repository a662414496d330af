"""Schemathesis hooks for the fuzz test (crates/web/tests/fuzz.rs): payloads for the
media types it cannot generate itself. A certificate request (`POST /certificates`,
`application/pkcs10`, MS-3) is fuzzed with raw bytes and with PEM armour around
arbitrary text: the server must refuse each with a 4xx, never fail."""
from hypothesis import strategies as st

import schemathesis

PEM = "-----BEGIN CERTIFICATE REQUEST-----\n{}\n-----END CERTIFICATE REQUEST-----\n"

schemathesis.openapi.media_type(
    "application/pkcs10",
    st.one_of(
        st.binary(max_size=2048),
        st.text(max_size=512).map(lambda text: PEM.format(text).encode()),
    ),
)
