#!/usr/bin/env bash
# Runs the whole Caduceus test suite on a fresh machine (the README's second command).
#
# Installs and starts what the tests need, on 127.0.0.1 only, and stops it at the end:
#   - PostgreSQL 15 (Debian's `postgresql`): a throwaway cluster for the PostgreSQL
#     backend's conformance and end-to-end tests;
#   - openssl (the CLI), used as a real TLS client by the PKI tests.
# Tests never skip because a service is missing: they fail and say what to install.
#
# Usage: scripts/test.sh [extra cargo test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

need_packages=()
pg_bin=""
for v in 17 16 15; do
  if [ -x "/usr/lib/postgresql/$v/bin/initdb" ]; then pg_bin="/usr/lib/postgresql/$v/bin"; break; fi
done
[ -n "$pg_bin" ] || need_packages+=(postgresql)
command -v openssl >/dev/null || need_packages+=(openssl)
if [ ${#need_packages[@]} -gt 0 ]; then
  echo "test.sh: installing ${need_packages[*]}" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_packages[@]}" >/dev/null
  for v in 17 16 15; do
    if [ -x "/usr/lib/postgresql/$v/bin/initdb" ]; then pg_bin="/usr/lib/postgresql/$v/bin"; break; fi
  done
fi
[ -n "$pg_bin" ] || { echo "test.sh: PostgreSQL's initdb not found after install (apt-get install -y postgresql)" >&2; exit 1; }

work=$(mktemp -d /tmp/caduceus-test.XXXXXX)
chmod 755 "$work"
as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$work"; fi

pg_port=${CADUCEUS_TEST_PG_PORT:-55432}
while (exec 3<>/dev/tcp/127.0.0.1/$pg_port) 2>/dev/null; do pg_port=$((pg_port + 1)); done

cleanup() {
  as_pg "$pg_bin/pg_ctl -D $work/pg -m immediate -w stop" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

as_pg "$pg_bin/initdb -D $work/pg -A trust -U caduceus --no-sync" >/dev/null
as_pg "$pg_bin/pg_ctl -D $work/pg -l $work/pg.log -w start \
  -o '-p $pg_port -k $work -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=on'" >/dev/null
export CADUCEUS_TEST_DATABASE_URL="postgres://caduceus@127.0.0.1:$pg_port/postgres"
export CADUCEUS_TEST_PGDATA="$work/pg"
echo "test.sh: PostgreSQL on 127.0.0.1:$pg_port" >&2

cargo test --workspace --locked "$@"
