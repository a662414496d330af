#!/usr/bin/env bash
# Resident memory of Caduceus holding COUNT (default 10,000) idle, authenticated IMAP
# sessions over implicit TLS (each logged in with a device credential, INBOX selected,
# in IDLE). Prints the server's RSS before and with the sessions, and per session.
# Target (issue 4): under 0.5 GiB for 10,000 sessions. Figures go in docs/benchmarks.md.
#
#   scripts/bench-imap-idle.sh            # 10,000 sessions
#   COUNT=2000 scripts/bench-imap-idle.sh
set -euo pipefail

COUNT=${COUNT:-10000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
die() { printf 'bench-imap-idle: %s\n' "$*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# The server and the client are separate processes: each needs COUNT descriptors.
ulimit -n $((COUNT + 1024)) || die "cannot raise the open-file limit to $((COUNT + 1024)) (ulimit -Hn is $(ulimit -Hn))"
cargo build --release -p caduceus >/dev/null 2>&1 || die "cargo build failed"
D=$(mktemp -d /tmp/caduceus-imap-idle.XXXXXX)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$D"' EXIT
IMAPS=$(free_port)
target/release/caduceus --data "$D/data" init --demo \
    --https "127.0.0.1:$(free_port)" --submission "127.0.0.1:$(free_port)" \
    --submissions "127.0.0.1:$(free_port)" --relay "127.0.0.1:$(free_port)" \
    --imap "127.0.0.1:$(free_port)" --imaps "127.0.0.1:$IMAPS" \
    --ldap "127.0.0.1:$(free_port)" --ldaps "127.0.0.1:$(free_port)" >/dev/null 2>&1
python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["accounts"][0]["device_credential"])' \
    "$D/data/demo.json" >"$D/secret"
target/release/caduceus --data "$D/data" serve >"$D/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $IMAPS), 1)" 2>/dev/null && break; sleep 0.1; done
BEFORE=$(rss_kib $SERVER)
mkfifo "$D/go"
python3 scripts/imap-idle-sessions.py "127.0.0.1:$IMAPS" "$D/data/pki/ca.pem" \
    alice.martin@caduceus.test "$D/secret" "$COUNT" <"$D/go" >"$D/clients.out" 2>&1 &
CLIENTS=$!
exec 3>"$D/go"
for _ in $(seq 1200); do grep -q '^ready' "$D/clients.out" && break; kill -0 $CLIENTS 2>/dev/null || break; sleep 0.5; done
grep -q '^ready' "$D/clients.out" || die "the sessions did not all open: $(tail -3 "$D/clients.out")"
sleep 2
WITH=$(rss_kib $SERVER)
echo "sessions: $COUNT idle (TLS, logged in, INBOX selected, IDLE)"
echo "server RSS: before $((BEFORE / 1024)) MiB, with the sessions $((WITH / 1024)) MiB"
echo "per session: $(( (WITH - BEFORE) / COUNT )) KiB"
echo "RESULT sessions=$COUNT rss_before_kib=$BEFORE rss_with_kib=$WITH"
echo >&3
wait $CLIENTS || true
