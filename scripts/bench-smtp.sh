#!/usr/bin/env bash
# SMTP end to end, a sweep of connection counts: Caduceus on SQLite, on PostgreSQL with
# one node, on PostgreSQL with two nodes behind HAProxy, and Postfix → LMTP → Dovecot,
# in one run, on 127.0.0.1, one side at a time (the others stopped). Optionally (IMAP=1)
# the recipients of the SQLite, PostgreSQL (one node) and Postfix sides then open the
# delivered mailbox, the three servers running side by side, the FETCHes interleaved
# (scripts/imap-fetch-bench.py: a listing `FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE
# INTERNALDATE RFC822.SIZE)` and a full `FETCH 1:* (RFC822)`, IMAP_RUNS times each,
# medians of wall time and of server CPU). IMAP_ONLY=DIR runs just that IMAP step on the
# scratch directory a `KEEP=1` run left (no SMTP load, nothing built but `caduceus`).
#
# The same load (caduceus-load: MESSAGES messages of SIZE body bytes over C sessions,
# STARTTLS, one recipient) is submitted RUNS times at each C of SWEEP, to
#   sqlite   Caduceus, embedded SQLite (demo data, AUTH PLAIN with Alice's device
#            credential, to Bruno): every message sealed at rest, traced, committed
#            durably (group commit) before the 250; delivered = rows in Bruno's INBOX;
#   pg1      the same on PostgreSQL 15 (a throwaway cluster this script starts, as
#            scripts/test.sh and scripts/soak.sh do; fsync on), one `serve` node;
#   pg2      two `serve` nodes on that one database (the second a copy of the first's
#            data directory with its own listeners, as scripts/soak.sh runs them) behind
#            HAProxy (Debian's, TCP mode, round robin);
#   postfix  Postfix (STARTTLS required, no AUTH: 127.0.0.1 is in mynetworks) relaying
#            over LMTP to Dovecot, which writes a maildir; delivered = files in it.
# Every side keeps its durable defaults (SQLite synchronous=FULL, PostgreSQL fsync,
# Postfix and Dovecot fsync), none scans for viruses, none has a per-sender quota
# (Caduceus' account_messages_per_hour is set to 0). The messages of a side's runs
# accumulate in one mailbox (each run counts only its own).
#
# Printed per side and connection count (medians of RUNS): delivered msg/s, median
# MAIL→250 time (p50 of the generator's transactions), and CPU ms per message of the
# server's processes from /proc (Caduceus: its `caduceus` processes, plus HAProxy for
# pg2, with PostgreSQL's processes apart; Postfix+Dovecot: the sum of all theirs).
# Then the ratios the issue sets targets for: delivered msg/s Caduceus / Postfix→Dovecot
# at 16 connections (≥ 3), and each side's median latency at 64 / at 4 (≤ 3).
#
#   scripts/bench-smtp.sh                                # the full sweep, all sides
#   SWEEP="4 16" RUNS=1 BACKENDS="sqlite postfix" scripts/bench-smtp.sh
#   MESSAGES=2000 SIZE=50000 scripts/bench-smtp.sh
#   KEEP=1 scripts/bench-smtp.sh                         # keep the scratch directory and logs
#   IMAP=1 scripts/bench-smtp.sh                         # also time IMAP FETCH at the end
#   IMAP_ONLY=/tmp/caduceus-bench-smtp.XXXXXX scripts/bench-smtp.sh  # only IMAP, kept data
#   IMAP_RUNS=7                                          # FETCHes of each kind per side (≥ 5)
#   PIN=1                                                # IMAP step: servers on CPU 0, client on CPU 1
#   DELIVERY_TIMEOUT=300                                 # seconds to wait for delivery
#   BIN_DIR=/tmp/old-build                               # its caduceus, caduceus-load; no build
#
# Builds with `cargo build --release` into CARGO_TARGET_DIR (default ./target). Needs
# cargo, python3, and (installed with apt-get when missing; run as root) postfix,
# dovecot-imapd, dovecot-lmtpd, postgresql, haproxy. Figures: docs/benchmarks.md.
set -euo pipefail

MESSAGES=${MESSAGES:-2000}
SIZE=${SIZE:-4600}
SWEEP=${SWEEP:-1 4 16 64}
RUNS=${RUNS:-3}
BACKENDS=${BACKENDS:-sqlite pg1 pg2 postfix}
DELIVERY_TIMEOUT=${DELIVERY_TIMEOUT:-300}
KEEP=${KEEP:-0} # 1: keep the scratch directory (data, logs) even on success
IMAP=${IMAP:-0} # 1: time IMAP FETCH of the delivered mailbox (sqlite, pg1 and postfix sides)
IMAP_ONLY=${IMAP_ONLY:-} # a kept scratch directory: only its IMAP step, no SMTP load
IMAP_RUNS=${IMAP_RUNS:-7}
# 1: in the IMAP step, every server (Caduceus, PostgreSQL, Dovecot) runs on CPU 0 and the
# client on CPU 1, as if it were on another machine: on two cores shared with the
# client, a server whose work hops between threads (Caduceus) is slowed by the client
# being scheduled on its core, one that runs in a single process (Dovecot) much less.
PIN=${PIN:-0}
if [ -n "$IMAP_ONLY" ]; then
    [ -d "$IMAP_ONLY" ] || { echo "bench-smtp: IMAP_ONLY=$IMAP_ONLY is no directory" >&2; exit 1; }
    IMAP=1
    KEEP=1
fi
if [ -n "${CONNECTIONS:-}" ]; then
    echo "bench-smtp: CONNECTIONS is replaced by SWEEP (connection counts); using SWEEP=\"$CONNECTIONS\"" >&2
    SWEEP=$CONNECTIONS
fi

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

say() { printf '\n== %s\n' "$*"; }
die() {
    printf 'bench-smtp: %s\n' "$*" >&2
    exit 1
}

for backend in $BACKENDS; do
    case $backend in sqlite | pg1 | pg2 | postfix) ;; *) die "unknown backend $backend (sqlite pg1 pg2 postfix)" ;; esac
done
has() { [[ " $BACKENDS " == *" $1 "* ]]; }
# sweeping SIDE: whether SIDE takes the SMTP load in this run (none with IMAP_ONLY).
sweeping() { [ -z "$IMAP_ONLY" ] && has "$1"; }

# A port nobody listens on now (bound then released by the kernel's choice).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port NAME PORT [SECONDS [PID]]: until 127.0.0.1:PORT accepts connections (or
# process PID, which is to listen there, has ended).
wait_port() {
    local name=$1 port=$2 limit=${3:-60} pid=${4:-} i
    for ((i = 0; i < limit * 10; i++)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            die "$name ended before listening on 127.0.0.1:$port (logs in $D)"
        fi
        sleep 0.1
    done
    die "$name did not listen on 127.0.0.1:$port within $limit s (logs in $D)"
}

# wait_gone PID [SECONDS]
wait_gone() {
    local pid=$1 limit=${2:-30} i
    for ((i = 0; i < limit * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    return 1
}

# --- tools -----------------------------------------------------------------------------
for tool in python3 cargo; do
    command -v "$tool" >/dev/null || die "$tool is needed"
done
PG_BIN=
for v in 17 16 15; do
    [ -x "/usr/lib/postgresql/$v/bin/initdb" ] && {
        PG_BIN=/usr/lib/postgresql/$v/bin
        break
    }
done
NEED=()
if has postfix && { ! command -v postfix >/dev/null || ! command -v dovecot >/dev/null ||
    [ ! -x /usr/lib/dovecot/lmtp ]; }; then
    NEED+=(postfix dovecot-imapd dovecot-lmtpd)
fi
if { has pg1 || has pg2; } && [ -z "$PG_BIN" ]; then NEED+=(postgresql); fi
if has pg2 && ! command -v haproxy >/dev/null; then NEED+=(haproxy); fi
if [ "${#NEED[@]}" -gt 0 ]; then
    say "installing ${NEED[*]} (Debian packages)"
    [ "$(id -u)" = 0 ] || die "${NEED[*]} missing and not root: apt-get install -y ${NEED[*]}"
    apt-get update -qq >/dev/null 2>&1 || true # a stale package list names files the mirror no longer has
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${NEED[@]}" >/dev/null ||
        die "apt-get install ${NEED[*]} failed"
    for v in 17 16 15; do
        [ -x "/usr/lib/postgresql/$v/bin/initdb" ] && {
            PG_BIN=/usr/lib/postgresql/$v/bin
            break
        }
    done
fi
[ "$(id -u)" = 0 ] || die "run as root (Postfix, Dovecot and PostgreSQL run as their own users)"

if [ -n "${BIN_DIR:-}" ]; then
    say "binaries of $BIN_DIR (not built)"
else
    say "building (release)"
    cargo build --release -p caduceus -p caduceus-load
    BIN_DIR=${CARGO_TARGET_DIR:-$ROOT/target}/release
fi
CADUCEUS=$BIN_DIR/caduceus
LOAD=$BIN_DIR/caduceus-load

# --- scratch directory and clean-up ----------------------------------------------------
if [ -n "$IMAP_ONLY" ]; then
    D=$(cd "$IMAP_ONLY" && pwd)
else
    D=$(mktemp -d /tmp/caduceus-bench-smtp.XXXXXX)
fi
chmod 755 "$D" # postfix, dovecot, postgres and mail users must reach their directories
MAILLOG=/var/log/caduceus-bench-postfix.$$.log
CADUCEUS_PIDS=()
HAPROXY_PID=
PG_DATA=
POSTFIX_CONF=
DOVECOT_CONF=
OK=0

as_postgres() { su postgres -s /bin/sh -c "$*"; }

stop_caduceus() {
    local pid
    for pid in "${CADUCEUS_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait_gone "$pid" 30 || kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    CADUCEUS_PIDS=()
    if [ -n "$HAPROXY_PID" ]; then
        kill "$HAPROXY_PID" 2>/dev/null || true
        wait_gone "$HAPROXY_PID" 10 || kill -KILL "$HAPROXY_PID" 2>/dev/null || true
        HAPROXY_PID=
    fi
}
stop_postgres() {
    if [ -n "$PG_DATA" ]; then
        as_postgres "$PG_BIN/pg_ctl -D $PG_DATA -m fast -w stop" >/dev/null 2>&1 || true
        PG_DATA=
    fi
}
stop_postfix() {
    if [ -n "$POSTFIX_CONF" ]; then
        local pid
        pid=$(tr -d ' ' 2>/dev/null <"$D/postfix/queue/pid/master.pid" || true)
        postfix -c "$POSTFIX_CONF" stop >/dev/null 2>&1 || true
        if [ -n "$pid" ] && ! wait_gone "$pid" 30; then
            postfix -c "$POSTFIX_CONF" abort >/dev/null 2>&1 || true
            wait_gone "$pid" 10 || true
        fi
        POSTFIX_CONF=
    fi
}
stop_dovecot() {
    if [ -n "$DOVECOT_CONF" ]; then
        local pid
        pid=$(cat "$D/dovecot/run/master.pid" 2>/dev/null || true)
        dovecot -c "$DOVECOT_CONF" stop >/dev/null 2>&1 || true
        if [ -n "$pid" ] && ! wait_gone "$pid" 30; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
        DOVECOT_CONF=
    fi
}
cleanup() {
    stop_caduceus
    stop_postgres
    stop_postfix
    stop_dovecot
    if [ -f "$MAILLOG" ]; then
        cp "$MAILLOG" "$D/postfix.log" 2>/dev/null || true
        rm -f "$MAILLOG"
    fi
    if [ "$OK" = 1 ] && [ "$KEEP" != 1 ]; then
        rm -rf "$D"
    else
        echo "bench-smtp: logs and data kept in $D" >&2
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# CPU accounting: the CPU time of named processes (from /proc/PID/stat, children reaped
# by a process included) and the whole machine's split (from /proc/stat) between two
# snapshots. `diff` prints a human line, then `CPU <group>=<seconds> …` for the groups
# given as NAME=comm,comm.
cat >"$D/procstat.py" <<'EOF'
import json, os, sys

def ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    rest = s[s.rindex(")") + 2:].split()
    # utime + stime + cutime + cstime: children reaped by a master process (Postfix's
    # cleanup and smtpd exit after max_use clients, PostgreSQL's backends) count in
    # their parent.
    return sum(int(x) for x in rest[11:15])

def snapshot():
    procs = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
            procs[pid] = [comm, ticks(pid)]
        except OSError:
            pass
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:9]]
    return {"procs": procs, "cpu": cpu}

if sys.argv[1] == "snap":
    with open(sys.argv[2], "w") as f:
        json.dump(snapshot(), f)
else:
    a, b = (json.load(open(p)) for p in sys.argv[2:4])
    groups = [g.split("=", 1) for g in sys.argv[4:]]
    names = {c for _, comms in groups for c in comms.split(",")}
    hz = os.sysconf("SC_CLK_TCK")
    per = {}
    for pid, (comm, t) in b["procs"].items():
        if comm in names:
            t0 = a["procs"].get(pid, [comm, 0])[1]
            per[comm] = per.get(comm, 0) + (t - t0) / hz
    d = [y - x for x, y in zip(a["cpu"], b["cpu"])]
    total = sum(d) or 1
    pct = lambda v: 100.0 * v / total
    busy = sorted(((s, c) for c, s in per.items() if s > 0), reverse=True)
    print("server CPU seconds: " + (", ".join(f"{c} {s:.2f}" for s, c in busy) or "none seen"))
    print("machine (%d cores, shared) over the run: user %.0f%%, system %.0f%%, iowait %.0f%%, idle %.0f%%, steal %.0f%%"
          % (os.cpu_count(), pct(d[0] + d[1]), pct(d[2] + d[5] + d[6]), pct(d[4]), pct(d[3]), pct(d[7])))
    print("CPU " + " ".join("%s=%.3f" % (g, sum(per.get(c, 0) for c in comms.split(","))) for g, comms in groups))
EOF

# The per-run figures: one line per run, "side connections run delivered_per_s p50_ms
# server_cpu_ms_per_msg db_cpu_ms_per_msg".
RESULTS=$D/results.txt
: >"$RESULTS"
FAILED=()

# run_point SIDE CONNECTIONS RUN SERVER-COMMS DB-COMMS -- LOAD-ARGS...: one run of the
# generator; prints its output and the CPU of the servers; appends to $RESULTS.
run_point() {
    local side=$1 conns=$2 run=$3 server=$4 db=$5 name status=0
    shift 6
    name=$side-c$conns-r$run
    python3 "$D/procstat.py" snap "$D/$name.before"
    "$LOAD" --messages "$MESSAGES" --size "$SIZE" --connections "$conns" \
        --delivered-timeout-secs "$DELIVERY_TIMEOUT" "$@" >"$D/$name.out" 2>&1 || status=$?
    python3 "$D/procstat.py" snap "$D/$name.after"
    python3 "$D/procstat.py" diff "$D/$name.before" "$D/$name.after" "server=$server" "db=${db:-none}" \
        >"$D/$name.cpu"
    local result cpu delivered accepted
    result=$(grep '^RESULT ' "$D/$name.out" || true)
    cpu=$(grep '^CPU ' "$D/$name.cpu" || true)
    delivered=$(sed -n 's/.* delivered_per_s=\([^ ]*\).*/\1/p' <<<"$result")
    accepted=$(sed -n 's/^RESULT accepted=\([^ ]*\).*/\1/p' <<<"$result")
    python3 - "$side" "$conns" "$run" "$result" "$cpu" "${accepted:-0}" >>"$RESULTS" <<'EOF'
import sys
side, conns, run, result, cpu, accepted = sys.argv[1:7]
f = dict(kv.split("=", 1) for kv in result.split()[1:] if "=" in kv)
c = dict(kv.split("=", 1) for kv in cpu.split()[1:] if "=" in kv)
n = max(int(accepted), 1)
print(side, conns, run, f.get("delivered_per_s", "na"), f.get("p50_ms", "na"),
      "%.3f" % (1000 * float(c.get("server", 0)) / n), "%.3f" % (1000 * float(c.get("db", 0)) / n))
EOF
    echo "  $side c=$conns run $run: delivered ${delivered:-?} msg/s, $(sed -n 's/.*transaction time (MAIL to 250): \(.*\)/MAIL→250 \1/p' "$D/$name.out")"
    sed 's/^/    /' "$D/$name.cpu" | grep -v '^    CPU '
    if [ "$status" != 0 ]; then
        sed 's/^/    /' "$D/$name.out" | tail -5
        FAILED+=("$side c=$conns run $run (load exit $status)")
    fi
}

# sweep SIDE SERVER-COMMS DB-COMMS -- LOAD-ARGS...: every connection count, RUNS times.
sweep() {
    local side=$1 server=$2 db=$3 conns run
    shift 4
    for conns in $SWEEP; do
        for ((run = 1; run <= RUNS; run++)); do
            run_point "$side" "$conns" "$run" "$server" "$db" -- "$@"
        done
    done
}

echo "load: $MESSAGES messages, $SIZE body bytes, connections: $SWEEP, $RUNS runs each, TLS, one recipient"
echo "sides: $BACKENDS"
echo "scratch: $D"
echo "caduceus: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
has postfix && echo "postfix: $(postconf -d -h mail_version 2>/dev/null), dovecot: $(dovecot --version 2>/dev/null | cut -d' ' -f1)"
{ has pg1 || has pg2; } && echo "postgresql: $("$PG_BIN/postgres" --version | awk '{print $3}')"
has pg2 && echo "haproxy: $(haproxy -v 2>/dev/null | head -1 | awk '{print $3}')"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"

# --- Caduceus ---------------------------------------------------------------------------
LISTENERS=(https submission submissions relay imap imaps ldap ldaps metrics)
# init_caduceus DIR: `caduceus init --demo` with free ports (PostgreSQL when
# CADUCEUS_DATABASE_URL is set), no per-sender quota.
init_caduceus() {
    local dir=$1 args=() l
    for l in "${LISTENERS[@]}"; do args+=("--$l" "127.0.0.1:$(free_port)"); done
    "$CADUCEUS" init --data "$dir" --demo "${args[@]}" >"$dir.init.log" 2>&1 ||
        die "caduceus init failed: $(cat "$dir.init.log")"
    if grep -Eq '^[[:space:]]*clamd[[:space:]]*=' "$dir/caduceus.toml"; then
        die "an [antivirus] clamd is configured in $dir/caduceus.toml; this benchmark runs without scanning"
    fi
    # The load comes from one mailbox; a per-sender hourly quota (MS-12) would refuse it
    # past the quota. Postfix has no such limit here.
    grep -q '^\[limits\]' "$dir/caduceus.toml" || die "no [limits] section in $dir/caduceus.toml"
    sed -i 's/^\[limits\]$/[limits]\naccount_messages_per_hour = 0/' "$dir/caduceus.toml"
}
# listener DIR NAME: the address DIR's caduceus.toml gives listener NAME.
listener() { sed -n "s/^$2 = \"\(127\.0\.0\.1:[0-9]*\)\"/\1/p" "$1/caduceus.toml" | head -1; }
# serve_caduceus DIR: starts `serve` and waits for its submission port.
serve_caduceus() {
    local dir=$1
    "$CADUCEUS" --data "$dir" serve >"$dir.log" 2>&1 &
    CADUCEUS_PIDS+=($!)
    wait_port "caduceus serve ($dir)" "$(listener "$dir" submission | cut -d: -f2)" 60 $!
}
secret_of() { # DIR INDEX FILE: the demo account's device credential
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["accounts"][int(sys.argv[2])]["device_credential"])' \
        "$1/demo.json" "$2" >"$3"
    chmod 600 "$3"
}
# warnings DIR: the server's warnings and errors (the antivirus notice aside).
warnings() {
    local lines
    lines=$(sed 's/\x1b\[[0-9;]*m//g' "$1.log" | grep -E ' (WARN|ERROR) ' | grep -v 'NOT scanned' || true)
    if [ -n "$lines" ]; then
        echo "caduceus ($1) logged $(wc -l <<<"$lines") warning/error lines, first ones:"
        head -5 <<<"$lines"
    fi
}
COUNT_SQL="SELECT COUNT(*) FROM messages m JOIN mailboxes b ON b.id=m.mailbox_id JOIN accounts a ON a.id=b.account_id WHERE a.address='bruno.durand@caduceus.test' AND b.name='INBOX'"
cat >"$D/sqlite-count.py" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
print(c.execute(sys.argv[2]).fetchone()[0])
EOF
# caduceus_sweep SIDE DIR SMTP-ADDRESS SERVER-COMMS DB-COMMS COUNT-COMMAND
caduceus_sweep() {
    local side=$1 dir=$2 smtp=$3 server=$4 db=$5 count=$6
    secret_of "$dir" 0 "$D/$side-secret"
    sweep "$side" "$server" "$db" -- \
        --server "$smtp" --starttls --ca "$dir/pki/ca.pem" \
        --auth-user alice.martin@caduceus.test --auth-secret-file "$D/$side-secret" \
        --from alice.martin@caduceus.test --to bruno.durand@caduceus.test \
        --delivered-cmd "$count"
}

if sweeping sqlite; then
    say "Caduceus on SQLite (sealing at rest, traces, group commit, synchronous=FULL)"
    CAD=$D/sqlite
    init_caduceus "$CAD"
    serve_caduceus "$CAD"
    caduceus_sweep sqlite "$CAD" "$(listener "$CAD" submission)" caduceus "" \
        "python3 $D/sqlite-count.py $CAD/caduceus.db \"$COUNT_SQL\""
    warnings "$CAD"
    stop_caduceus
fi

# start_postgres: the throwaway cluster in $D/pg (made when missing) on a free port.
start_postgres() {
    PG_PORT=$(free_port)
    if [ ! -d "$D/pg/data" ]; then
        mkdir -p "$D/pg"
        chown postgres:postgres "$D/pg"
        as_postgres "$PG_BIN/initdb -D $D/pg/data -A trust -U caduceus" >"$D/pg/initdb.log" 2>&1 ||
            die "initdb failed: $(tail -3 "$D/pg/initdb.log")"
    fi
    as_postgres "$PG_BIN/pg_ctl -D $D/pg/data -l $D/pg/log -w start -o '-p $PG_PORT -k $D/pg -c listen_addresses=127.0.0.1 -c max_connections=300'" \
        >/dev/null || die "PostgreSQL did not start (see $D/pg/log)"
    PG_DATA=$D/pg/data
    PSQL="$PG_BIN/psql -h 127.0.0.1 -p $PG_PORT -U caduceus -tAq"
}
if sweeping pg1 || sweeping pg2; then
    say "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') (throwaway cluster, fsync on)"
    start_postgres
fi
# pg_side SIDE NODES: Caduceus on a database of its own, NODES serve nodes (behind
# HAProxy when 2), swept.
pg_side() {
    local side=$1 nodes=$2 dir smtp server=caduceus
    $PSQL -d postgres -c "CREATE DATABASE bench_$side" || die "CREATE DATABASE bench_$side failed"
    export CADUCEUS_DATABASE_URL="postgres://caduceus@127.0.0.1:$PG_PORT/bench_$side"
    dir=$D/$side-a
    init_caduceus "$dir"
    serve_caduceus "$dir"
    smtp=$(listener "$dir" submission)
    if [ "$nodes" = 2 ]; then
        # Node b: node a's keys and configuration on the same database, its own
        # listeners (as scripts/soak.sh runs two nodes).
        cp -a "$dir" "$D/$side-b"
        local l old
        for l in "${LISTENERS[@]}"; do
            old=$(listener "$dir" "$l")
            sed -i "s/^$l = \"$old\"/$l = \"127.0.0.1:$(free_port)\"/" "$D/$side-b/caduceus.toml"
        done
        serve_caduceus "$D/$side-b"
        local front
        front=$(free_port)
        cat >"$D/$side-haproxy.cfg" <<CFG
global
  maxconn 4000
defaults
  mode tcp
  timeout connect 2s
  timeout client 120s
  timeout server 120s
frontend smtp
  bind 127.0.0.1:$front
  default_backend smtp_nodes
backend smtp_nodes
  balance roundrobin
  server a $smtp
  server b $(listener "$D/$side-b" submission)
CFG
        haproxy -f "$D/$side-haproxy.cfg" -db >"$D/$side-haproxy.log" 2>&1 &
        HAPROXY_PID=$!
        wait_port haproxy "$front"
        smtp=127.0.0.1:$front
        server=caduceus,haproxy
    fi
    caduceus_sweep "$side" "$dir" "$smtp" "$server" postgres \
        "$PSQL -d bench_$side -c \"$COUNT_SQL\""
    warnings "$dir"
    [ "$nodes" = 2 ] && warnings "$D/$side-b"
    stop_caduceus
    unset CADUCEUS_DATABASE_URL
}
if sweeping pg1; then
    say "Caduceus on PostgreSQL, one node"
    pg_side pg1 1
fi
if sweeping pg2; then
    say "Caduceus on PostgreSQL, two nodes behind HAProxy (TCP, round robin)"
    pg_side pg2 2
fi
stop_postgres

# --- Postfix → LMTP → Dovecot --------------------------------------------------------
if sweeping postfix; then
    say "Postfix → LMTP → Dovecot (Debian packages, fsync defaults)"
    # The development certificate of a Caduceus data directory serves both.
    CAD=$D/certs
    [ -d "$D/sqlite" ] && CAD=$D/sqlite || init_caduceus "$CAD"
SMTP_PORT=$(free_port)
LMTP_PORT=$(free_port)
DOV_IMAPS=$(free_port)
DOV=$D/dovecot
mkdir -p "$DOV/run" "$DOV/state" "$DOV/mail"
chown mail:mail "$DOV/mail"
cat >"$DOV/dovecot.conf" <<EOF
# LMTP and IMAP (implicit TLS only, Caduceus' development certificate), 127.0.0.1 only;
# maildir under the scratch directory owned by "mail"; any password (static passdb).
protocols = lmtp imap
listen = 127.0.0.1
base_dir = $DOV/run
state_dir = $DOV/state
log_path = $DOV/dovecot.log
ssl = required
ssl_cert = <$CAD/pki/server.pem
ssl_key = <$CAD/pki/server.key
auth_mechanisms = plain
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = $(id -u mail)
mail_location = maildir:~/Maildir
passdb {
  driver = static
  args = nopassword=y
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$DOV/mail/%d/%n
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $DOV_IMAPS
    ssl = yes
  }
}
EOF
DOVECOT_CONF=$DOV/dovecot.conf
dovecot -c "$DOVECOT_CONF" || die "dovecot did not start (see $DOV/dovecot.log)"
wait_port "dovecot lmtp" "$LMTP_PORT"

PF=$D/postfix
mkdir -p "$PF/conf" "$PF/queue" "$PF/data"
chown postfix:postfix "$PF/data"
cp "$CAD/pki/server.pem" "$CAD/pki/server.key" "$PF/conf/"
chmod 600 "$PF/conf/server.key"
cp /etc/postfix/dynamicmaps.cf "$PF/conf/" 2>/dev/null || true
echo "bruno.durand@postfix.test bruno.durand" >"$PF/conf/vmailbox"
cat >"$PF/conf/main.cf" <<EOF
# Debian's Postfix with its defaults (fsync, in_flow_delay, concurrency), on 127.0.0.1:$SMTP_PORT;
# postfix.test is delivered over LMTP to Dovecot on 127.0.0.1:$LMTP_PORT.
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $MAILLOG
myhostname = mx.postfix.test
mydomain = postfix.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
virtual_mailbox_domains = postfix.test
virtual_mailbox_maps = texthash:$PF/conf/vmailbox
virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
smtpd_tls_security_level = encrypt
smtpd_tls_cert_file = $PF/conf/server.pem
smtpd_tls_key_file = $PF/conf/server.key
smtpd_tls_loglevel = 1
biff = no
EOF
cat >"$PF/conf/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
POSTFIX_CONF=$PF/conf
postfix -c "$POSTFIX_CONF" start >"$D/postfix-start.log" 2>&1 ||
    die "postfix did not start: $(cat "$D/postfix-start.log")"
wait_port "postfix smtpd" "$SMTP_PORT"
echo "postfix: STARTTLS required (smtpd_tls_security_level=encrypt), no AUTH (127.0.0.1 is in mynetworks); antivirus: none"

    sweep postfix master,pickup,qmgr,smtpd,cleanup,trivial-rewrite,lmtp,tlsmgr,anvil,postlogd,proxymap,scache,dovecot,auth,config,log,stats,anvil "" -- \
        --server "127.0.0.1:$SMTP_PORT" --starttls --ca "$CAD/pki/ca.pem" --tls-name localhost \
        --from alice.martin@postfix.test --to bruno.durand@postfix.test \
        --delivered-cmd "find $DOV/mail -type f \\( -path '*/new/*' -o -path '*/cur/*' \\) | wc -l"
    stop_postfix
    stop_dovecot
fi

# --- IMAP: the delivered mailboxes opened, the servers side by side --------------------
if [ "$IMAP" = 1 ]; then
    say "IMAP: listing and full FETCH of each recipient's INBOX, interleaved, $IMAP_RUNS each"
    IMAP_SIDES=()
    if [ -d "$D/sqlite" ]; then
        serve_caduceus "$D/sqlite"
        secret_of "$D/sqlite" 1 "$D/sqlite-imap-secret"
        IMAP_SIDES+=("caduceus-sqlite,$(listener "$D/sqlite" imaps),$D/sqlite/pki/ca.pem,localhost,bruno.durand@caduceus.test,$D/sqlite-imap-secret,${CADUCEUS_PIDS[-1]}")
    fi
    if [ -d "$D/pg1-a" ] && [ -d "$D/pg/data" ]; then
        start_postgres
        export CADUCEUS_DATABASE_URL="postgres://caduceus@127.0.0.1:$PG_PORT/bench_pg1"
        serve_caduceus "$D/pg1-a"
        unset CADUCEUS_DATABASE_URL
        secret_of "$D/pg1-a" 1 "$D/pg1-imap-secret"
        IMAP_SIDES+=("caduceus-pg,$(listener "$D/pg1-a" imaps),$D/pg1-a/pki/ca.pem,localhost,bruno.durand@caduceus.test,$D/pg1-imap-secret,${CADUCEUS_PIDS[-1]},$(head -1 "$PG_DATA/postmaster.pid")")
    fi
    if [ -f "$D/dovecot/dovecot.conf" ]; then
        DOVECOT_CONF=$D/dovecot/dovecot.conf
        dovecot -c "$DOVECOT_CONF" || die "dovecot did not start (see $D/dovecot/dovecot.log)"
        DOV_IMAPS=$(sed -n '/inet_listener imaps/,/}/s/^ *port = \([0-9]*\)$/\1/p' "$DOVECOT_CONF")
        wait_port "dovecot imaps" "$DOV_IMAPS"
        echo "any-password" >"$D/dovecot-imap-secret"
        CERTS=$D/certs
        [ -d "$D/sqlite" ] && CERTS=$D/sqlite
        IMAP_SIDES+=("dovecot,127.0.0.1:$DOV_IMAPS,$CERTS/pki/ca.pem,localhost,bruno.durand@postfix.test,$D/dovecot-imap-secret,$(cat "$D/dovecot/run/master.pid")")
    fi
    echo "caduceus: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), machine load average $(cut -d' ' -f1-3 /proc/loadavg)"
    CLIENT=()
    if [ "$PIN" = 1 ]; then
        # Every server process and thread on CPU 0 (the threads and processes they make
        # later inherit it), the client on CPU 1.
        for pid in "${CADUCEUS_PIDS[@]}" $(head -1 "${PG_DATA:-/nonexistent}/postmaster.pid" 2>/dev/null) $(cat "$D/dovecot/run/master.pid" 2>/dev/null); do
            taskset -a -cp 0 "$pid" >/dev/null
            for child in $(pgrep -P "$pid"); do taskset -a -cp 0 "$child" >/dev/null; done
        done
        CLIENT=(taskset -c 1)
        echo "pinned: servers on CPU 0, the client on CPU 1"
    fi
    if "${CLIENT[@]}" python3 "$ROOT/scripts/imap-fetch-bench.py" --runs "$IMAP_RUNS" "${IMAP_SIDES[@]}" >"$D/imap.out" 2>&1; then
        grep -E '^(IMAP|RATIO) ' "$D/imap.out"
    else
        FAILED+=("IMAP ($(tail -1 "$D/imap.out"))")
    fi
    stop_caduceus
    stop_postgres
    stop_dovecot
fi
if [ -n "$IMAP_ONLY" ]; then
    [ "${#FAILED[@]}" -eq 0 ] || die "failed: ${FAILED[*]}"
    OK=1
    exit 0
fi

# --- summary ----------------------------------------------------------------------------
say "summary ($MESSAGES × $SIZE B per run, medians of $RUNS runs)"
python3 - "$RESULTS" "$SWEEP" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
sweep = [int(c) for c in sys.argv[2].split()]
sides = [s for s in ("sqlite", "pg1", "pg2", "postfix") if any(r[0] == s for r in rows)]
names = {"sqlite": "Caduceus SQLite", "pg1": "Caduceus PG 1 node", "pg2": "Caduceus PG 2 nodes",
         "postfix": "Postfix→Dovecot"}

def med(side, conns, col):
    vals = []
    for r in rows:
        if r[0] == side and int(r[1]) == conns:
            try:
                vals.append(float(r[col]))
            except ValueError:
                pass
    return statistics.median(vals) if vals else None

fmt = lambda v, p=1: "n/a" if v is None else f"{v:.{p}f}"
print("| side | connections | delivered msg/s | median MAIL→250 ms | server CPU ms/msg | PostgreSQL CPU ms/msg |")
print("|---|---:|---:|---:|---:|---:|")
for side in sides:
    for c in sweep:
        db = med(side, c, 6) if side in ("pg1", "pg2") else None
        print(f"| {names[side]} | {c} | {fmt(med(side, c, 3))} | {fmt(med(side, c, 4))} | "
              f"{fmt(med(side, c, 5), 2)} | {fmt(db, 2) if db is not None else '-'} |")
print()
pf = med("postfix", 16, 3)
for side in sides:
    if side == "postfix":
        continue
    v = med(side, 16, 3)
    ratio = v / pf if v and pf else None
    print(f"ratio delivered msg/s {names[side]} / Postfix→Dovecot at 16 connections = {fmt(ratio, 2)} (target ≥ 3)")
for side in sides:
    a, b = med(side, 4, 4), med(side, 64, 4)
    ratio = b / a if a and b else None
    print(f"latency ratio {names[side]} median MAIL→250 at 64 / at 4 = {fmt(ratio, 2)}"
          + (" (target ≤ 3)" if side != "postfix" else ""))
EOF
echo "per-run figures: side connections run delivered_per_s p50_ms server_cpu_ms_per_msg db_cpu_ms_per_msg"
sed 's/^/  /' "$RESULTS"
if [ "${#FAILED[@]}" -gt 0 ]; then
    die "failed: ${FAILED[*]}"
fi
OK=1
