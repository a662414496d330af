#!/usr/bin/env bash
# IMAP under concurrent clients on one mailbox (issue 20): a Caduceus with demo data
# (embedded SQLite) on 127.0.0.1, then scripts/imap-stress.py: CLIENTS sessions of one
# user appending, storing flags and keywords, expunging and fetching in INBOX for
# MINUTES minutes, every response checked against the RFC state model. Exits non-zero
# on any violation. Runs are recorded in docs/benchmarks.md.
#
#   scripts/imap-stress.sh                    # 10 clients, 5 minutes
#   CLIENTS=20 MINUTES=1 scripts/imap-stress.sh
#   PROFILE=release scripts/imap-stress.sh    # default: the debug build
set -euo pipefail

CLIENTS=${CLIENTS:-10}
MINUTES=${MINUTES:-5}
PROFILE=${PROFILE:-debug}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
die() { printf 'imap-stress: %s\n' "$*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

flag=()
[ "$PROFILE" = release ] && flag=(--release)
cargo build "${flag[@]}" -p caduceus >/dev/null 2>&1 || die "cargo build failed"
BIN="${CARGO_TARGET_DIR:-target}/$PROFILE/caduceus"
D=$(mktemp -d /tmp/caduceus-imap-stress.XXXXXX)
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$D"' EXIT
IMAPS=$(free_port)
"$BIN" --data "$D/data" init --demo \
    --https "127.0.0.1:$(free_port)" --submission "127.0.0.1:$(free_port)" \
    --submissions "127.0.0.1:$(free_port)" --relay "127.0.0.1:$(free_port)" \
    --imap "127.0.0.1:$(free_port)" --imaps "127.0.0.1:$IMAPS" >/dev/null 2>&1
python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["accounts"][0]["device_credential"])' \
    "$D/data/demo.json" >"$D/secret"
"$BIN" --data "$D/data" serve >"$D/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $IMAPS), 1)" 2>/dev/null && break; sleep 0.1; done
echo "imap-stress: $CLIENTS clients for $MINUTES min on 127.0.0.1:$IMAPS ($PROFILE build)"
python3 scripts/imap-stress.py "127.0.0.1:$IMAPS" "$D/data/pki/ca.pem" \
    alice.martin@caduceus.test "$D/secret" "$CLIENTS" "$MINUTES"
