#!/usr/bin/env bash
# One command for a fresh machine: install into .venv, fetch MNIST, build release/ and solutions/, run the demo.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install.sh
export PATH="$PWD/.venv/bin:$PATH"
nncourse mnist
nncourse build
nncourse demo
