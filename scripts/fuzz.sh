#!/usr/bin/env bash
# Coverage-guided fuzzing on the stable toolchain with AFL++ through cargo-afl
# (issue 21 item 6; docs/reliability.md keeps the hours and findings).
#
# Usage: scripts/fuzz.sh TARGET MINUTES     fuzz one target (see fuzz/Cargo.toml)
#        scripts/fuzz.sh all MINUTES        each target in turn, MINUTES each
#        scripts/fuzz.sh list               the targets
#
# Installs cargo-afl (crates.io) and builds its AFL++ runtime when missing. The
# seed corpus is fuzz/corpus/TARGET (committed); findings go to
# fuzz/out/TARGET/default/{crashes,hangs} (not committed): each crash becomes a
# regression test in the crate it hit, then its input is added to the corpus.
# Not part of the test command: it runs for as long as it is asked to.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

targets=$(sed -n 's/^name = "\([a-z_]*\)"$/\1/p' Cargo.toml | grep -v '^caduceus-fuzz$')
if [ "${1:-}" = list ] || [ $# -lt 2 ]; then
  echo "targets:"; echo "$targets" | sed 's/^/  /'
  [ "${1:-}" = list ] && exit 0
  echo "usage: scripts/fuzz.sh TARGET|all MINUTES" >&2; exit 2
fi
target=$1 minutes=$2

if ! command -v cargo-afl >/dev/null; then
  echo "fuzz.sh: installing cargo-afl (cargo install cargo-afl)" >&2
  cargo install --locked cargo-afl
fi
# The AFL++ runtime for this rustc (built once per toolchain; "already built" is fine).
cargo afl config --build >/dev/null 2>&1 || true

# AFL++ refuses to start when core dumps go to a program, or the CPU governor may
# throttle; say so rather than fail obscurely.
export AFL_SKIP_CPUFREQ=1
if [ "$(cat /proc/sys/kernel/core_pattern 2>/dev/null | cut -c1)" = "|" ]; then
  export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
fi
export AFL_NO_UI=1

cargo afl build --release --locked --bin "$([ "$target" = all ] && echo smtp_command || echo "$target")" >/dev/null
[ "$target" = all ] && cargo afl build --release --locked >/dev/null

run() {
  local t=$1
  echo "$targets" | grep -qx "$t" || { echo "fuzz.sh: no target $t (scripts/fuzz.sh list)" >&2; exit 2; }
  mkdir -p "out/$t"
  local input="corpus/$t"
  # Resume where the last run stopped.
  [ -d "out/$t/default/queue" ] && input=-
  echo "fuzz.sh: $t for $minutes minute(s)" >&2
  # AFL++ without its screen prints a line per test case: keep the last ones only.
  cargo afl fuzz -i "$input" -o "out/$t" -V $((minutes * 60)) "target/release/$t" 2>&1 \
    | tail -n 300 >"out/$t/afl.log" || true
  local stats="out/$t/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    echo "fuzz.sh: $t did not start: see fuzz/out/$t/afl.log" >&2; tail -20 "out/$t/afl.log" >&2; exit 1
  fi
  local crashes hangs execs paths
  crashes=$(find "out/$t/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
  hangs=$(find "out/$t/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
  execs=$(sed -n 's/^execs_done *: //p' "$stats")
  paths=$(sed -n 's/^corpus_count *: //p' "$stats")
  printf '%-18s %4s min  execs %-10s corpus %-6s crashes %-3s hangs %s\n' \
    "$t" "$minutes" "$execs" "$paths" "$crashes" "$hangs"
}

if [ "$target" = all ]; then
  for t in $targets; do run "$t"; done
else
  run "$target"
fi
