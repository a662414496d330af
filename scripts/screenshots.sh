#!/usr/bin/env bash
# Refreshes docs/screenshots/ from the webmail's browser test (headless Chromium):
# login, compose with the MS-11 warning, inbox (desktop and phone), a message, an HTML
# lab report in its sandboxed frame (html-lab-report.png), the
# patient's inbox and settings with the access log; a parent acting for their child
# (the mailbox switcher and its banner); the admin console's registration
# queue, trace viewer and health alert page; a letter autosaved in Drafts. Needs what scripts/test.sh
# installs (chromium, chromium-driver, the Python venv with selenium).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${CADUCEUS_TEST_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/caduceus/test-venv}
[ -x "$venv/bin/python" ] || { echo "screenshots.sh: run scripts/test.sh once first (it prepares $venv)" >&2; exit 1; }
mkdir -p docs/screenshots
CADUCEUS_TEST_VENV="$venv" CADUCEUS_SCREENSHOTS="$PWD/docs/screenshots" \
  cargo test -p caduceus-web --test browser --test browser_drafts -- --nocapture
ls -l docs/screenshots
