#!/usr/bin/env bash
# Runs the whole Caduceus test suite on a fresh machine (the README's second command).
#
# Installs and starts what the tests need, on 127.0.0.1 only, and stops it at the end:
#   - PostgreSQL 15 (Debian's `postgresql`): a throwaway cluster for the PostgreSQL
#     backend's conformance and end-to-end tests;
#   - openssl, curl and python3: real TLS, HTTPS, SMTP and IMAP clients (smtplib,
#     imaplib) of the end-to-end tests, `openssl cms` for S/MIME (MS-3, MS-16), and
#     Python's sqlite3 for the tampering tests;
#   - libssl-dev and pkg-config: the `openssl` crate (the binary's CMS signatures)
#     builds against Debian's libssl;
#   - isync (mbsync): the IMAP two-way synchronisation test;
#   - HAProxy: the short soak (crates/cli/tests/soak.rs runs scripts/soak.sh --short:
#     two nodes behind it, killed and restarted under load, with their own PostgreSQL);
#   - ldap-utils (ldapsearch, ldapdelete): the LDAP directory's end-to-end tests;
#   - ClamAV's clamd (Debian's clamav-daemon): scripts/clamd-test.sh installs it if
#     missing and the antivirus tests start it with a custom EICAR database (MS-13);
#   - a Python virtual environment with schemathesis, openapi-spec-validator and
#     selenium from PyPI (pinned below): the API's OpenAPI document is validated and
#     fuzzed (MS-18), the webmail is driven in a browser;
#   - Debian's chromium and chromium-driver: the webmail's browser tests (headless);
#   - Node.js (>= 20.19) and npm, and the npm packages of scripts/oidc-provider (the
#     certified `oidc-provider`, pinned by its package-lock.json): the caduceus-oidc
#     tests start that real OpenID Connect provider themselves, on 127.0.0.1 (AU-4);
#     and axe-core (scripts/axe, pinned the same way), which the browser tests inject
#     into every page they visit (WCAG 2.1 A/AA, 0 violations).
# Tests never skip because a service is missing: they fail and say what to install.
#
# Afterwards target/test-output.log holds cargo's output and target/test-report.json the
# result of every test (read by `cargo run -p caduceus -- compliance`).
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
command -v pkg-config >/dev/null || need_packages+=(pkg-config)
[ -f /usr/include/openssl/cms.h ] || need_packages+=(libssl-dev)
command -v curl >/dev/null || need_packages+=(curl)
command -v python3 >/dev/null || need_packages+=(python3)
command -v node >/dev/null || need_packages+=(nodejs)
command -v npm >/dev/null || need_packages+=(npm)
command -v mbsync >/dev/null || need_packages+=(isync)
command -v haproxy >/dev/null || need_packages+=(haproxy)
command -v ldapsearch >/dev/null || need_packages+=(ldap-utils)
python3 -c 'import ensurepip, venv' 2>/dev/null || need_packages+=(python3-venv)
[ -x /usr/bin/chromium ] || need_packages+=(chromium)
[ -x /usr/bin/chromedriver ] || need_packages+=(chromium-driver)
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

# The test OpenID provider: Node.js >= 20.19, and its npm packages (reinstalled when the
# lock file is newer than the installed tree).
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null; then
  echo "test.sh: Node.js >= 20.19 is needed by scripts/oidc-provider (found: $(node --version 2>/dev/null || echo none)); install it and rerun" >&2
  exit 1
fi
oidc_dir=scripts/oidc-provider
if [ ! -f "$oidc_dir/node_modules/oidc-provider/package.json" ] \
   || [ "$oidc_dir/package-lock.json" -nt "$oidc_dir/node_modules/.package-lock.json" ]; then
  echo "test.sh: installing the test OpenID provider's npm packages (npm ci)" >&2
  npm ci --prefix "$oidc_dir" --no-audit --no-fund --loglevel=error >/dev/null \
    || { echo "test.sh: 'npm ci --prefix $oidc_dir' failed: the AU-4 tests need it" >&2; exit 1; }
fi

# axe-core, injected by the browser tests into every page they visit (WCAG 2.1 A/AA),
# pinned by scripts/axe/package-lock.json.
axe_dir=scripts/axe
if [ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ] \
   || [ "$axe_dir/package-lock.json" -nt "$axe_dir/node_modules/.package-lock.json" ]; then
  echo "test.sh: installing axe-core for the browser tests (npm ci)" >&2
  npm ci --prefix "$axe_dir" --no-audit --no-fund --loglevel=error >/dev/null \
    || { echo "test.sh: 'npm ci --prefix $axe_dir' failed: the webmail's browser tests need axe-core" >&2; exit 1; }
fi

# The API fuzzer and the OpenAPI validator, pinned, in a virtual environment kept
# between runs.
venv=${CADUCEUS_TEST_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/caduceus/test-venv}
py_tools="schemathesis==4.32.5 openapi-spec-validator==0.9.0 selenium==4.51.0"
if [ "$(cat "$venv/.tools" 2>/dev/null)" != "$py_tools" ]; then
  echo "test.sh: installing $py_tools in $venv (pip)" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" \
    && "$venv/bin/pip" install -q --disable-pip-version-check $py_tools >/dev/null \
    || { echo "test.sh: pip install $py_tools failed: the API and webmail tests need them" >&2; exit 1; }
  echo "$py_tools" > "$venv/.tools"
fi
export CADUCEUS_TEST_VENV="$venv"

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

# A clean clone gains nothing from incremental artefacts, which double the disk used.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}

# cargo's whole output (stdout and stderr) is kept in target/test-output.log and turned
# into target/test-report.json, every test run with its package, target and result
# (ok, FAILED, ignored), even when tests fail; `caduceus compliance` reads it. The
# script exits with cargo's status. `--profile test` reuses the `caduceus` binary the
# test build just made instead of building it again.
mkdir -p target
log=target/test-output.log
set +e
cargo test --workspace --locked "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if ! cargo run --quiet --locked --profile test -p caduceus -- compliance \
     --from-log "$log" --write target/test-report.json; then
  echo "test.sh: could not write target/test-report.json from $log" >&2
fi
exit "$status"
