#!/usr/bin/env bash
# Run the kit's whole test suite, slow tests (real MNIST, whole notebooks) included.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install.sh
export PATH="$PWD/.venv/bin:$PATH"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
exec python -m pytest "$@"
