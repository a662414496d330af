#!/usr/bin/env bash
# SMTP end to end: Caduceus vs Postfix → LMTP → Dovecot, in one run, on 127.0.0.1; then
# IMAP: each side's recipient opens the delivered mailbox (scripts/imap-fetch-bench.py:
# SELECT, FETCH 1:* full bodies, then FLAGS+ENVELOPE) over implicit TLS.
#
# The same load (target/release/caduceus-load: MESSAGES messages of SIZE body bytes over
# CONNECTIONS sessions, TLS, one recipient) is submitted
#   1. to Caduceus (embedded SQLite, demo data, STARTTLS + AUTH PLAIN with Alice's
#      device credential, to Bruno): every message sealed at rest, traced, committed
#      durably before the 250; delivered = rows in Bruno's INBOX;
#   2. to Postfix (Debian's package, STARTTLS required, no AUTH: 127.0.0.1 is in
#      mynetworks) relaying over LMTP to Dovecot (Debian's package) which writes a
#      maildir; delivered = files in the maildir's new/ and cur/.
# Both sides keep their durable defaults (Caduceus: SQLite synchronous=FULL; Postfix and
# Dovecot fsync), neither scans for viruses, neither has a per-sender quota (Caduceus'
# account_messages_per_hour is set to 0). Each side runs alone on the machine (the
# other is stopped). Prints both RESULT lines and the ratios; exits non-zero if either
# side refused, lost or failed to deliver a message.
#
#   scripts/bench-smtp.sh                          # 2000 × 4600 B over 4 connections
#   MESSAGES=2000 SIZE=50000 CONNECTIONS=8 scripts/bench-smtp.sh
#   KEEP=1 scripts/bench-smtp.sh                   # keep the scratch directory and logs
#   DELIVERY_TIMEOUT=300                           # seconds to wait for delivery
#
# Needs: cargo, python3, and postfix + dovecot-lmtpd (installed with apt-get when
# missing; run as root). Figures are recorded in docs/benchmarks.md.
# PostgreSQL is not measured here (CADUCEUS_DATABASE_URL would point serve at it).
set -euo pipefail

MESSAGES=${MESSAGES:-2000}
SIZE=${SIZE:-4600}
CONNECTIONS=${CONNECTIONS:-4}
DELIVERY_TIMEOUT=${DELIVERY_TIMEOUT:-300}
KEEP=${KEEP:-0} # 1: keep the scratch directory (data, logs) even on success

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

say() { printf '\n== %s\n' "$*"; }
die() {
    printf 'bench-smtp: %s\n' "$*" >&2
    exit 1
}

# A port nobody listens on now (bound then released by the kernel's choice).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port NAME PORT [SECONDS]: until 127.0.0.1:PORT accepts connections.
wait_port() {
    local name=$1 port=$2 limit=${3:-60} i
    for ((i = 0; i < limit * 10; i++)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
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
if ! command -v postfix >/dev/null || ! command -v dovecot >/dev/null ||
    [ ! -x /usr/lib/dovecot/lmtp ]; then
    say "installing postfix, dovecot-imapd, dovecot-lmtpd (Debian packages)"
    [ "$(id -u)" = 0 ] || die "postfix/dovecot missing and not root: apt-get install -y postfix dovecot-imapd dovecot-lmtpd"
    apt-get update -qq >/dev/null 2>&1 || true # a stale package list names files the mirror no longer has
    DEBIAN_FRONTEND=noninteractive apt-get install -y postfix dovecot-imapd dovecot-lmtpd >/dev/null ||
        die "apt-get install postfix dovecot-imapd dovecot-lmtpd failed"
fi
[ "$(id -u)" = 0 ] || die "run as root (Postfix and Dovecot drop privileges to their users)"

say "building (release)"
cargo build --release -p caduceus -p caduceus-load
CADUCEUS=$ROOT/target/release/caduceus
LOAD=$ROOT/target/release/caduceus-load

# --- scratch directory and clean-up ----------------------------------------------------
D=$(mktemp -d /tmp/caduceus-bench-smtp.XXXXXX)
chmod 755 "$D" # postfix, dovecot and mail users must reach their directories
MAILLOG=/var/log/caduceus-bench-postfix.$$.log
CADUCEUS_PID=
POSTFIX_CONF=
DOVECOT_CONF=
OK=0

stop_caduceus() {
    if [ -n "$CADUCEUS_PID" ]; then
        kill "$CADUCEUS_PID" 2>/dev/null || true
        wait_gone "$CADUCEUS_PID" 30 || kill -KILL "$CADUCEUS_PID" 2>/dev/null || true
        wait "$CADUCEUS_PID" 2>/dev/null || true
        CADUCEUS_PID=
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

# CPU accounting: per-process CPU of the servers (from /proc/PID/stat, children reaped
# by a process included) and the whole machine's split (from /proc/stat) between two
# snapshots.
cat >"$D/procstat.py" <<'EOF'
import json, os, sys

def ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    rest = s[s.rindex(")") + 2:].split()
    # utime + stime + cutime + cstime: children reaped by a master process (Postfix's
    # cleanup and smtpd exit after max_use clients) count in their parent.
    return sum(int(x) for x in rest[11:15])

def snapshot(names):
    procs = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
            if comm in names:
                procs[pid] = [comm, ticks(pid)]
        except OSError:
            pass
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:9]]
    return {"procs": procs, "cpu": cpu}

if sys.argv[1] == "snap":
    with open(sys.argv[2], "w") as f:
        json.dump(snapshot(set(sys.argv[3:])), f)
else:
    a, b = (json.load(open(p)) for p in sys.argv[2:4])
    per = {}
    for pid, (comm, t) in b["procs"].items():
        t0 = a["procs"].get(pid, [comm, 0])[1]
        per[comm] = per.get(comm, 0) + (t - t0) / 100
    d = [y - x for x, y in zip(a["cpu"], b["cpu"])]
    total = sum(d) or 1
    pct = lambda v: 100.0 * v / total
    busy = sorted(((s, c) for c, s in per.items() if s > 0), reverse=True)
    print("server CPU seconds: " + (", ".join(f"{c} {s:.2f}" for s, c in busy) or "none seen"))
    print("machine (%d cores, shared) over the run: user %.0f%%, system %.0f%%, iowait %.0f%%, idle %.0f%%, steal %.0f%%"
          % (os.cpu_count(), pct(d[0] + d[1]), pct(d[2] + d[5] + d[6]), pct(d[4]), pct(d[3]), pct(d[7])))
EOF

# run_load NAME SNAPSHOT-NAMES... -- LOAD-ARGS...: runs the generator, prints its output,
# keeps it in $D/NAME.out; returns its exit status.
run_load() {
    local name=$1 names=() status=0
    shift
    while [ "$1" != -- ]; do
        names+=("$1")
        shift
    done
    shift
    python3 "$D/procstat.py" snap "$D/$name.before" "${names[@]}"
    "$LOAD" --messages "$MESSAGES" --size "$SIZE" --connections "$CONNECTIONS" \
        --delivered-timeout-secs "$DELIVERY_TIMEOUT" "$@" >"$D/$name.out" 2>&1 || status=$?
    python3 "$D/procstat.py" snap "$D/$name.after" "${names[@]}"
    cat "$D/$name.out"
    python3 "$D/procstat.py" diff "$D/$name.before" "$D/$name.after"
    echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    return "$status"
}

echo "load: $MESSAGES messages, $SIZE body bytes, $CONNECTIONS connections, TLS, one recipient"
echo "scratch: $D"
echo "caduceus: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
echo "postfix: $(postconf -d -h mail_version 2>/dev/null), dovecot: $(dovecot --version 2>/dev/null | cut -d' ' -f1)"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
FAILED=()

# --- 1. Caduceus ------------------------------------------------------------------------
say "Caduceus (embedded SQLite, sealing at rest, traces, durable commit)"
CAD=$D/caduceus
SUBMISSION=$(free_port)
CAD_IMAPS=$(free_port)
"$CADUCEUS" init --data "$CAD" --demo \
    --https "127.0.0.1:$(free_port)" --submission "127.0.0.1:$SUBMISSION" \
    --submissions "127.0.0.1:$(free_port)" --relay "127.0.0.1:$(free_port)" \
    --imap "127.0.0.1:$(free_port)" --imaps "127.0.0.1:$CAD_IMAPS" \
    --ldap "127.0.0.1:$(free_port)" --ldaps "127.0.0.1:$(free_port)" \
    >"$D/caduceus-init.log" 2>&1 || die "caduceus init failed: $(cat "$D/caduceus-init.log")"
if grep -Eq '^[[:space:]]*clamd[[:space:]]*=' "$CAD/caduceus.toml"; then
    die "an [antivirus] clamd is configured in $CAD/caduceus.toml; this benchmark runs without scanning"
fi
echo "antivirus: none ([antivirus] clamd not set: messages are not scanned, as on the Postfix side)"
# The load comes from one mailbox; a per-sender hourly quota (MS-13) would refuse it past
# the quota. Postfix has no such limit here, so lift it when this version has one.
if grep -q 'account_messages_per_hour' "$CAD/caduceus.toml"; then
    grep -q '^\[limits\]' "$CAD/caduceus.toml" || die "no [limits] section in $CAD/caduceus.toml"
    sed -i 's/^\[limits\]$/[limits]\naccount_messages_per_hour = 0/' "$CAD/caduceus.toml"
    echo "sending rate: account_messages_per_hour = 0 (no per-sender quota, as on the Postfix side)"
fi
"$CADUCEUS" --data "$CAD" serve >"$D/caduceus.log" 2>&1 &
CADUCEUS_PID=$!
wait_port "caduceus serve" "$SUBMISSION"
python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["accounts"][0]["device_credential"])' \
    "$CAD/demo.json" >"$D/caduceus-secret"
chmod 600 "$D/caduceus-secret"
cat >"$D/caduceus-count.py" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
print(c.execute("SELECT COUNT(*) FROM messages m JOIN mailboxes b ON b.id=m.mailbox_id "
                "JOIN accounts a ON a.id=b.account_id WHERE a.address=? AND b.name='INBOX'",
                (sys.argv[2],)).fetchone()[0])
EOF
CADUCEUS_STATUS=0
run_load caduceus caduceus -- \
    --server "127.0.0.1:$SUBMISSION" --starttls --ca "$CAD/pki/ca.pem" \
    --auth-user alice.martin@caduceus.test --auth-secret-file "$D/caduceus-secret" \
    --from alice.martin@caduceus.test --to bruno.durand@caduceus.test \
    --delivered-cmd "python3 $D/caduceus-count.py $CAD/caduceus.db bruno.durand@caduceus.test" ||
    CADUCEUS_STATUS=$?
CADUCEUS_RESULT=$(grep '^RESULT ' "$D/caduceus.out" || true)
# IMAP: Bruno opens his INBOX of MESSAGES messages (implicit TLS, device credential).
python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["accounts"][1]["device_credential"])' \
    "$CAD/demo.json" >"$D/caduceus-imap-secret"
python3 "$ROOT/scripts/imap-fetch-bench.py" caduceus "127.0.0.1:$CAD_IMAPS" "$CAD/pki/ca.pem" localhost \
    bruno.durand@caduceus.test "$D/caduceus-imap-secret" >"$D/caduceus-imap.out" 2>&1 ||
    FAILED+=("caduceus IMAP ($(tail -1 "$D/caduceus-imap.out"))")
CADUCEUS_IMAP=$(grep '^IMAP ' "$D/caduceus-imap.out" || true)
echo "${CADUCEUS_IMAP:-caduceus IMAP: no result}"
# Warnings and errors of the server (the antivirus notice aside), colour codes removed.
WARNINGS=$(sed 's/\x1b\[[0-9;]*m//g' "$D/caduceus.log" | grep -E ' (WARN|ERROR) ' | grep -v 'NOT scanned' || true)
if [ -n "$WARNINGS" ]; then
    echo "caduceus logged $(wc -l <<<"$WARNINGS") warning/error lines during the run, first ones:"
    head -5 <<<"$WARNINGS"
fi
stop_caduceus
[ "$CADUCEUS_STATUS" = 0 ] || FAILED+=("caduceus (load exit $CADUCEUS_STATUS)")

# --- 2. Postfix → LMTP → Dovecot --------------------------------------------------------
say "Postfix → LMTP → Dovecot (Debian packages, fsync defaults)"
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

POSTFIX_STATUS=0
run_load postfix master pickup qmgr smtpd cleanup trivial-rewrite lmtp tlsmgr anvil postlogd \
    proxymap scache dovecot auth config log stats -- \
    --server "127.0.0.1:$SMTP_PORT" --starttls --ca "$CAD/pki/ca.pem" --tls-name localhost \
    --from alice.martin@postfix.test --to bruno.durand@postfix.test \
    --delivered-cmd "find $DOV/mail -type f \\( -path '*/new/*' -o -path '*/cur/*' \\) | wc -l" ||
    POSTFIX_STATUS=$?
POSTFIX_RESULT=$(grep '^RESULT ' "$D/postfix.out" || true)
echo "any-password" >"$D/dovecot-imap-secret"
python3 "$ROOT/scripts/imap-fetch-bench.py" dovecot "127.0.0.1:$DOV_IMAPS" "$CAD/pki/ca.pem" localhost \
    bruno.durand@postfix.test "$D/dovecot-imap-secret" >"$D/dovecot-imap.out" 2>&1 ||
    FAILED+=("dovecot IMAP ($(tail -1 "$D/dovecot-imap.out"))")
DOVECOT_IMAP=$(grep '^IMAP ' "$D/dovecot-imap.out" || true)
echo "${DOVECOT_IMAP:-dovecot IMAP: no result}"
[ "$POSTFIX_STATUS" = 0 ] || FAILED+=("postfix (load exit $POSTFIX_STATUS)")
stop_postfix
stop_dovecot

# --- summary ----------------------------------------------------------------------------
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
ratio() {
    python3 -c 'import sys
try:
    a, b = float(sys.argv[1]), float(sys.argv[2])
    print("%.2f" % (a / b))
except (ValueError, ZeroDivisionError):
    print("n/a")' "$1" "$2"
}
say "summary ($MESSAGES × $SIZE B, $CONNECTIONS connections)"
echo "caduceus: ${CADUCEUS_RESULT:-no RESULT line}"
echo "postfix:  ${POSTFIX_RESULT:-no RESULT line}"
echo "ratio accepted caduceus/postfix = $(ratio "$(field "$CADUCEUS_RESULT" accepted_per_s)" "$(field "$POSTFIX_RESULT" accepted_per_s)")"
echo "ratio delivered caduceus/postfix = $(ratio "$(field "$CADUCEUS_RESULT" delivered_per_s)" "$(field "$POSTFIX_RESULT" delivered_per_s)")"
echo "caduceus: ${CADUCEUS_IMAP:-no IMAP line}"
echo "dovecot:  ${DOVECOT_IMAP:-no IMAP line}"
# Times: above 1 means Caduceus took less time than Dovecot.
echo "ratio IMAP full FETCH dovecot_time/caduceus_time = $(ratio "$(field "$DOVECOT_IMAP" full_s)" "$(field "$CADUCEUS_IMAP" full_s)")"
echo "ratio IMAP FLAGS+ENVELOPE dovecot_time/caduceus_time = $(ratio "$(field "$DOVECOT_IMAP" list_s)" "$(field "$CADUCEUS_IMAP" list_s)")"
if [ "${#FAILED[@]}" -gt 0 ]; then
    die "failed: ${FAILED[*]}"
fi
OK=1
