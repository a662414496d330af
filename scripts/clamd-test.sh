#!/usr/bin/env bash
# Starts or stops a throwaway ClamAV daemon (clamd) on 127.0.0.1 for the antivirus
# tests (MS-13).
#
# Usage:
#   scripts/clamd-test.sh start DIR PORT [OWNER_PID]
#   scripts/clamd-test.sh stop DIR
#
# `start` writes DIR/clamd.conf and a test signature database in DIR/db, starts clamd
# listening on 127.0.0.1:PORT (TCP) and DIR/clamd.sock (Unix socket), waits until it
# answers PING with PONG, and prints its PID. With OWNER_PID, clamd is also stopped
# and DIR removed once that process has exited (for test harnesses that have no
# teardown). `stop` stops the clamd started in DIR (and DIR's watcher).
#
# The database: no signature download is possible here, so clamd gets two
# one-signature files that both detect the EICAR test file:
#   - DIR/db/test.ndb, a body signature (the EICAR string in hex, anywhere in any
#     file): matches EICAR in a plain-text body and in a decoded MIME attachment;
#   - DIR/db/test.hdb, a file hash (EICAR's MD5 and size): matches a file, or a MIME
#     attachment, that is exactly the EICAR file (clamd hashes each decoded part),
#     but not EICAR inside a larger body.
# clamd reports them as `Caduceus.Test.EICAR.UNOFFICIAL` (unsigned databases get
# `.UNOFFICIAL` appended).
#
# In production, clamd uses the official database instead: install `clamav-daemon`
# and `clamav-freshclam` (Debian), let freshclam keep DatabaseDirectory
# (/var/lib/clamav) up to date, and do not point clamd at a directory like DIR/db.
#
# clamd comes from Debian's `clamav-daemon`; when it is missing and this runs as
# root, it is installed (apt-get install -y clamav-daemon).
set -euo pipefail

die() { echo "clamd-test.sh: $*" >&2; exit 1; }
usage() { die "usage: $0 start DIR PORT [OWNER_PID] | stop DIR"; }

# The EICAR test file (68 bytes), never written out in clear: its MD5, and its bytes
# in hex.
eicar_md5=44d88612fea8a8f36de82e1278abb02f
eicar_size=68
eicar_hex=58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956495255532d544553542d46494c452124482b482a

find_clamd() {
  command -v clamd 2>/dev/null || { [ -x /usr/sbin/clamd ] && echo /usr/sbin/clamd; } || true
}

# Answers 0 when clamd on 127.0.0.1:$1 answers zPING with PONG.
pong() {
  # shellcheck disable=SC2016 # expanded by the inner shell
  timeout 2 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "zPING\0" >&3
    IFS= read -r -d "" reply <&3 || true
    [ "$reply" = PONG ]' pong "$1" 2>/dev/null
}

# Answers 0 when $1 is a running clamd (not a reused PID).
is_clamd() {
  if [ -d /proc/self ]; then
    [ "$(cat "/proc/$1/comm" 2>/dev/null)" = clamd ]
  else
    kill -0 "$1" 2>/dev/null
  fi
}

stop() {
  local dir=$1 pid
  [ -f "$dir/clamd.pid" ] || return 0
  pid=$(cat "$dir/clamd.pid")
  if [ -n "$pid" ] && is_clamd "$pid"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  if [ -f "$dir/watch.pid" ]; then
    kill "$(cat "$dir/watch.pid")" 2>/dev/null || true
    rm -f "$dir/watch.pid"
  fi
  rm -f "$dir/clamd.pid"
}

start() {
  local dir=$1 port=$2 owner=${3:-}
  case "$port" in ''|*[!0-9]*) die "PORT must be a number (got '$port')";; esac
  if [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then die "PORT must be 1..65535 (got $port)"; fi

  local clamd
  clamd=$(find_clamd)
  if [ -z "$clamd" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "clamd-test.sh: installing clamav-daemon" >&2
      apt-get update -qq >/dev/null 2>&1 || true
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clamav-daemon >/dev/null 2>&1 \
        || die "apt-get install -y clamav-daemon failed: install ClamAV's clamd (Debian/Ubuntu: clamav-daemon) and rerun"
      clamd=$(find_clamd)
    fi
    [ -n "$clamd" ] || die "clamd not found: install ClamAV's daemon (Debian/Ubuntu: sudo apt-get install clamav-daemon) and rerun"
  fi

  if pong "$port"; then
    die "something already answers PING on 127.0.0.1:$port; choose another port"
  fi

  mkdir -p "$dir/db"
  dir=$(cd "$dir" && pwd)
  stop "$dir"
  rm -f "$dir/db/"* "$dir/clamd.sock"
  printf '%s:%s:Caduceus.Test.EICAR\n' "$eicar_md5" "$eicar_size" >"$dir/db/test.hdb"
  printf 'Caduceus.Test.EICAR:0:*:%s\n' "$eicar_hex" >"$dir/db/test.ndb"

  {
    echo "# Written by scripts/clamd-test.sh: a throwaway clamd for the MS-13 tests."
    echo "Foreground yes"
    echo "TCPSocket $port"
    echo "TCPAddr 127.0.0.1"
    echo "LocalSocket $dir/clamd.sock"
    echo "LocalSocketMode 600"
    echo "DatabaseDirectory $dir/db"
    echo "PidFile $dir/clamd.pid"
    echo "LogFile $dir/clamd.log"
    echo "LogTime yes"
    echo "StreamMaxLength 30M"
    echo "MaxThreads 4"
    echo "SelfCheck 0"
    if [ "$(id -u)" = 0 ]; then echo "User root"; fi
  } >"$dir/clamd.conf"

  : >"$dir/clamd.log"
  local started=$SECONDS
  # Detached from our stdout, so whoever reads this script's output is not kept
  # waiting by clamd.
  "$clamd" --config-file="$dir/clamd.conf" </dev/null >"$dir/clamd.out" 2>&1 &
  local pid=$!
  echo "$pid" >"$dir/clamd.pid"
  until pong "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$dir/clamd.pid"
      die "clamd exited during startup; its output ($dir/clamd.out):
$(tail -n 20 "$dir/clamd.out")"
    fi
    # clamd carries on without its TCP socket when the port is taken.
    if grep -q "Cannot bind" "$dir/clamd.log"; then
      stop "$dir"
      die "clamd could not listen on 127.0.0.1:$port: $(grep "Cannot bind" "$dir/clamd.log" | head -n 1)"
    fi
    if [ $((SECONDS - started)) -ge 60 ]; then
      stop "$dir"
      die "clamd did not answer PING on 127.0.0.1:$port within 60 s; its log ($dir/clamd.log):
$(tail -n 20 "$dir/clamd.log")"
    fi
    sleep 0.1
  done
  # clamd may rewrite the PID file with its own (same) PID.
  echo "$pid" >"$dir/clamd.pid"

  if [ -n "$owner" ]; then
    case "$owner" in *[!0-9]*) die "OWNER_PID must be a number (got '$owner')";; esac
    # Once the owner has exited: stops clamd and removes DIR.
    # shellcheck disable=SC2016 # expanded by the inner shell
    nohup bash -c '
      owner=$1 pid=$2 dir=$3
      while kill -0 "$owner" 2>/dev/null; do sleep 1; done
      if [ ! -d /proc/self ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = clamd ]; then
        kill "$pid" 2>/dev/null
      fi
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      rm -rf -- "$dir"' watch "$owner" "$pid" "$dir" </dev/null >/dev/null 2>&1 &
    echo $! >"$dir/watch.pid"
  fi
  echo "$pid"
}

case "${1:-}" in
  start)
    if [ $# -lt 3 ] || [ $# -gt 4 ]; then usage; fi
    start "$2" "$3" "${4:-}" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  *) usage ;;
esac
