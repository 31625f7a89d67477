#!/usr/bin/env bash
# Optional: Debian's chromium for the browser tests (tests/web/test_browser.py), which Playwright drives at
# /usr/bin/chromium (Playwright never downloads a browser here). Needs root, or sudo without a password.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if ! sudo -n true 2>/dev/null; then
        echo "install-browser: needs root or passwordless sudo (apt-get install chromium)" >&2
        exit 1
    fi
    SUDO="sudo -n"
fi
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq chromium >/dev/null
