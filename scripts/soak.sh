#!/usr/bin/env bash
# Faults under load (issue 21 item 3; figures in docs/reliability.md).
#
# Two `caduceus serve` nodes on one PostgreSQL database behind HAProxy (TCP mode) take
# SMTP submission and IMAP load (scripts/soak/load.py), every message scanned by clamd,
# some of it addressed to another operator of the trust space (node p, `autre.test`, on
# SQLite: queued, then relayed over mutual TLS by whichever node holds the claim),
# while this script, at random times, kills a node with SIGKILL (and restarts it),
# restarts PostgreSQL in fast and in immediate mode, and stops clamd with SIGSTOP for 15 s
# (answers must then be 451 within the scan timeout, 10 s, never a hung session). Then it checks: every message answered 250 is in its mailbox exactly
# once (scripts/soak/check.py), every relayed one in the peer's mailbox exactly once
# (a node killed mid-relay leaves its claim to the other after a 30 s lease; the
# peer's relay receipts keep a second sending from landing twice, MS-16), and
# `caduceus audit verify` passes. Last, a SQLite node
# whose data directory is a small tmpfs has its disk filled (scripts/soak/disk.py):
# 452 4.3.1 while full, 250 once space returns, nothing lost or doubled, the database's
# integrity_check and the chain intact (mounting the tmpfs needs root).
#
# Usage: scripts/soak.sh [MINUTES]      (default 10)
#        scripts/soak.sh --short        ~90 s, one node kill and PostgreSQL restart of
#                                       each kind, then the disk phase (the test command
#                                       runs this: crates/cli/tests/soak.rs)
# Needs PostgreSQL 15+, HAProxy and python3 (installed from Debian when missing).
# Uses target/release/caduceus (built if missing) or $CADUCEUS_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

short=0 minutes=10
case "${1:-}" in
  --short) short=1 ;;
  "") ;;
  *) minutes=$1 ;;
esac

need=()
pg_bin=""
for v in 17 16 15; do [ -x "/usr/lib/postgresql/$v/bin/initdb" ] && { pg_bin=/usr/lib/postgresql/$v/bin; break; }; done
[ -n "$pg_bin" ] || need+=(postgresql)
command -v haproxy >/dev/null || need+=(haproxy)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "soak.sh: installing ${need[*]}" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi
  $SUDO apt-get update -qq >/dev/null || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  for v in 17 16 15; do [ -x "/usr/lib/postgresql/$v/bin/initdb" ] && { pg_bin=/usr/lib/postgresql/$v/bin; break; }; done
fi
command -v haproxy >/dev/null || { echo "soak.sh: haproxy is needed (apt-get install -y haproxy)" >&2; exit 1; }

bin=${CADUCEUS_BIN:-$root/target/release/caduceus}
if [ ! -x "$bin" ]; then
  echo "soak.sh: building $bin (cargo build --release -p caduceus)" >&2
  cargo build --release --locked -p caduceus >/dev/null
fi

work=$(mktemp -d /tmp/caduceus-soak.XXXXXX)
chmod 755 "$work"
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
[ "$(id -u)" = 0 ] && chown postgres:postgres "$work"
# N distinct free ports on 127.0.0.1 (all held open until every one is chosen).
free_ports() {
  python3 -c 'import socket,sys
s=[socket.socket() for _ in range(int(sys.argv[1]))]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))' "$1"
}

cleanup() {
  for node in a b c p; do [ -f "$work/$node.pid" ] && kill -9 "$(cat "$work/$node.pid")" 2>/dev/null || true; done
  sleep 0.2
  mountpoint -q "$work/c" 2>/dev/null && umount "$work/c"
  [ -f "$work/haproxy.pid" ] && kill "$(cat "$work/haproxy.pid")" 2>/dev/null || true
  [ -n "${clamd_pid:-}" ] && kill -CONT "$clamd_pid" 2>/dev/null || true
  scripts/clamd-test.sh stop "$work/clamd" >/dev/null 2>&1 || true
  as_pg "$pg_bin/pg_ctl -D $work/pg -m immediate -w stop" >/dev/null 2>&1 || true
  if [ "${CADUCEUS_SOAK_KEEP:-0}" = 1 ]; then echo "soak.sh: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

listeners=(https submission submissions relay imap imaps ldap ldaps metrics)
read -r -a ports <<<"$(free_ports $(( 4 * ${#listeners[@]} + 4 )))"
pg_port=${ports[0]} hs=${ports[1]} hi=${ports[2]} clamd_port=${ports[3]}
declare -A port
i=4
for node in a b c p; do for l in "${listeners[@]}"; do port[$node.$l]=${ports[$i]}; i=$((i + 1)); done; done
as_pg "$pg_bin/initdb -D $work/pg -A trust -U caduceus --no-sync" >/dev/null
as_pg "$pg_bin/pg_ctl -D $work/pg -l $work/pg.log -w start -o '-p $pg_port -k $work -c listen_addresses=127.0.0.1 -c max_connections=300'" >/dev/null
pg_restart() {
  as_pg "$pg_bin/pg_ctl -D $work/pg -l $work/pg.log -m $1 -w restart -o '-p $pg_port -k $work -c listen_addresses=127.0.0.1 -c max_connections=300'" >/dev/null
}
export CADUCEUS_DATABASE_URL="postgres://caduceus@127.0.0.1:$pg_port/postgres"
# One answer of the shared database, rows joined by commas.
psql_count() { "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U caduceus -d postgres -Atc "$1" | paste -sd, -; }

args() { local node=$1 out=(); for l in "${listeners[@]}"; do out+=("--$l" "127.0.0.1:${port[$node.$l]}"); done; echo "${out[@]}"; }

"$bin" --data "$work/a" init --demo $(args a) >/dev/null
# The load is one sender's: lift the per-account hourly cap (MS-12) for the run. Every
# message is scanned by a clamd of our own (MS-13), its verdict awaited 10 s at most.
sed -i 's/^# account_messages_per_hour = .*/account_messages_per_hour = 10000000/' "$work/a/caduceus.toml"
clamd_pid=$(scripts/clamd-test.sh start "$work/clamd" "$clamd_port" $$ | tail -1)
sed -i "s/^required = false # the demo runs without an antivirus/clamd = \"127.0.0.1:$clamd_port\"\nrequired = true\ntimeout_seconds = 10/" "$work/a/caduceus.toml"
grep -q "^clamd = " "$work/a/caduceus.toml" || { echo "soak.sh: could not configure clamd" >&2; exit 1; }
# Node p: another operator of the trust space (SQLite, certified by a's development CA);
# a and p list each other and share one national directory, a routes autre.test to p
# and hands a dead node's claims to the other after 30 s (MS-5, MS-16).
env -u CADUCEUS_DATABASE_URL "$bin" --data "$work/p" init --demo --domain autre.test \
  --dev-ca "$work/a/pki" $(args p) >/dev/null
sed -i 's/^# peer_messages_per_hour = .*/peer_messages_per_hour = 0/' "$work/p/caduceus.toml"
python3 - "$work/a/trust-list.xml" "$work/p/trust-list.xml" <<'PY'
import re, sys
rows = [re.search(r"<Domaine>.*?</Domaine>", open(f).read(), re.S).group(0) for f in sys.argv[1:]]
for f in sys.argv[1:]:
    open(f, "w").write("<ListeBlancheMSSante><ListeDomaines>%s</ListeDomaines></ListeBlancheMSSante>" % "".join(rows))
PY
national="$work/Extraction_Correspondance_MSSante_nationale.txt"
for domain in caduceus.test autre.test; do
  "$bin" --data "$work/a" directory generate --out "$work/directory-$domain" --domain "$domain" \
    --mailboxes 20 --people 20 >/dev/null
  extract="$work/directory-$domain/Extraction_Correspondance_MSSante.txt"
  if [ -f "$national" ]; then tail -n +2 "$extract" >>"$national"; else cp "$extract" "$national"; fi
done
"$bin" --data "$work/a" directory import "$national" >/dev/null
env -u CADUCEUS_DATABASE_URL "$bin" --data "$work/p" directory import "$national" >/dev/null
sed -i 's/^\[relay_out\]$/[relay_out]\nlease_seconds = 30/' "$work/a/caduceus.toml"
printf '\n[relay_out.routes]\n"autre.test" = "127.0.0.1:%s"\n' "${port[p.relay]}" >>"$work/a/caduceus.toml"
grep -q "^lease_seconds = 30" "$work/a/caduceus.toml" || { echo "soak.sh: could not set the relay lease" >&2; exit 1; }
cp -a "$work/a" "$work/b"
# Node b: the same keys and database, its own listeners (set in caduceus.toml at init).
for l in "${listeners[@]}"; do
  sed -i "s/^$l = \"127.0.0.1:${port[a.$l]}\"/$l = \"127.0.0.1:${port[b.$l]}\"/" "$work/b/caduceus.toml"
done
ca="$work/a/pki/ca.pem"

start_node() {
  local node=$1
  if [ "$node" = p ]; then
    env -u CADUCEUS_DATABASE_URL "$bin" --data "$work/$node" serve >>"$work/$node.log" 2>&1 &
  else
    "$bin" --data "$work/$node" serve >>"$work/$node.log" 2>&1 &
  fi
  echo $! >"$work/$node.pid"
  for _ in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/${port[$node.submission]}") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "soak.sh: node $node did not start (see $work/$node.log)" >&2; tail -20 "$work/$node.log" >&2; exit 1
}
start_node a
start_node b
start_node p

cat >"$work/haproxy.cfg" <<CFG
global
  maxconn 4000
defaults
  mode tcp
  timeout connect 2s
  timeout client 120s
  timeout server 120s
frontend smtp
  bind 127.0.0.1:$hs
  default_backend smtp_nodes
backend smtp_nodes
  balance roundrobin
  server a 127.0.0.1:${port[a.submission]} check inter 1s fall 1 rise 1
  server b 127.0.0.1:${port[b.submission]} check inter 1s fall 1 rise 1
frontend imaps
  bind 127.0.0.1:$hi
  default_backend imap_nodes
backend imap_nodes
  balance roundrobin
  server a 127.0.0.1:${port[a.imaps]} check inter 1s fall 1 rise 1
  server b 127.0.0.1:${port[b.imaps]} check inter 1s fall 1 rise 1
CFG
haproxy -f "$work/haproxy.cfg" -D -p "$work/haproxy.pid"

if [ $short = 1 ]; then seconds=80; else seconds=$((minutes * 60)); fi
echo "soak.sh: 2 nodes on PostgreSQL behind HAProxy, load for $seconds s" >&2
python3 scripts/soak/load.py --smtp "127.0.0.1:$hs" --imap "127.0.0.1:$hi" --ca "$ca" \
  --demo "$work/a/demo.json" --seconds "$seconds" --acked "$work/acked.txt" \
  --relay-to bruno.durand@autre.test --relay-acked "$work/relayed.txt" >"$work/load.json" &
load=$!

faults=()
fault() {
  local kind=$1 at
  at=$(date +%s)
  case $kind in
    kill-a|kill-b)
      local node=${kind#kill-}
      kill -9 "$(cat "$work/$node.pid")" 2>/dev/null || true
      sleep 3
      start_node "$node" ;;
    pg-fast) pg_restart fast ;;
    clamd-stop)
      kill -STOP "$clamd_pid"
      sleep 15
      kill -CONT "$clamd_pid" ;;
    pg-immediate) pg_restart immediate ;;
  esac
  faults+=("$kind")
  echo "soak.sh: +$((at - start))s $kind" >&2
}
start=$(date +%s)
if [ $short = 1 ]; then
  for kind in kill-a pg-fast clamd-stop kill-b pg-immediate; do sleep 10; fault "$kind"; done
else
  kinds=(kill-a kill-b pg-fast pg-immediate clamd-stop)
  while [ $(( $(date +%s) - start )) -lt $((seconds - 45)) ]; do
    sleep $((20 + RANDOM % 40))
    fault "${kinds[RANDOM % ${#kinds[@]}]}"
  done
fi
wait $load
echo "soak.sh: load: $(cat "$work/load.json")" >&2

status=0 disk="not run: mounting its tmpfs needs root" integrity="not run" disk_verify=""
# The disk-full phase: node c on SQLite, its data directory a 96 MB tmpfs (root only:
# the long run fails without it, the short one says it did not run).
if [ "$(id -u)" != 0 ] && [ $short = 0 ]; then
  echo "soak.sh: the disk-full phase mounts a tmpfs: run as root" >&2; exit 1
fi
if [ "$(id -u)" = 0 ]; then
mkdir -p "$work/c"
mount -t tmpfs -o size=96m tmpfs "$work/c"
env -u CADUCEUS_DATABASE_URL "$bin" --data "$work/c/d" init --demo $(args c) >/dev/null 2>&1
sed -i 's/^# account_messages_per_hour = .*/account_messages_per_hour = 10000000/' "$work/c/d/caduceus.toml"
env -u CADUCEUS_DATABASE_URL "$bin" --data "$work/c/d" serve >>"$work/c.log" 2>&1 &
echo $! >"$work/c.pid"
for _ in $(seq 1 600); do
  (exec 3<>"/dev/tcp/127.0.0.1/${port[c.submission]}") 2>/dev/null && break
  sleep 0.1
done
disk=$(python3 scripts/soak/disk.py --smtp "127.0.0.1:${port[c.submission]}" \
  --imap "127.0.0.1:${port[c.imaps]}" --ca "$work/c/d/pki/ca.pem" --demo "$work/c/d/demo.json" \
  --filler "$work/c/filler") || status=1
kill "$(cat "$work/c.pid")"; wait "$(cat "$work/c.pid")" 2>/dev/null || true
integrity=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$work/c/d/caduceus.db")
[ "$integrity" = ok ] || status=1
disk_verify=$(env -u CADUCEUS_DATABASE_URL "$bin" --data "$work/c/d" audit verify 2>&1) || status=1
fi

check=$(python3 scripts/soak/check.py --imap "127.0.0.1:${port[a.imaps]}" --ca "$ca" \
  --demo "$work/a/demo.json" --acked "$work/acked.txt") || status=1
# The queue drains after the load (a claim of a killed node waits for its 30 s lease, a
# deferred attempt for its retry, 4 minutes at most here); then the peer's mailbox must
# hold every relayed message exactly once.
for _ in $(seq 1 48); do
  [ "$(psql_count "SELECT COUNT(*) FROM outbound WHERE state = 'queued'")" = 0 ] && break
  sleep 5
done
queue=$(psql_count "SELECT state || ' ' || COUNT(*) FROM outbound GROUP BY state ORDER BY state")
relay_check=$(python3 scripts/soak/check.py --imap "127.0.0.1:${port[p.imaps]}" --ca "$ca" \
  --demo "$work/p/demo.json" --acked "$work/relayed.txt" --recipient bruno.durand@autre.test \
  --wait 60) || status=1
resent=$(grep -c "relayed message already stored" "$work/p.log" || true)
peer_verify=$(env -u CADUCEUS_DATABASE_URL "$bin" --data "$work/p" audit verify 2>&1) || status=1
verify=$("$bin" --data "$work/a" audit verify 2>&1) || status=1
echo "faults: ${faults[*]}"
echo "load: $(cat "$work/load.json")"
echo "check: $check"
echo "relay: $relay_check; queue after the load: ${queue:-empty}; sent again and not stored twice (peer's receipts): $resent"
echo "peer audit: $peer_verify"
echo "audit: $verify"
echo "disk: $disk"
echo "disk store: integrity_check $integrity; $disk_verify"
[ $status = 0 ] && echo "soak: PASS (0 lost, 0 duplicated, relayed once each, chains intact)" || echo "soak: FAIL"
exit $status
