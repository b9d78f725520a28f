#!/usr/bin/env bash
# Set up everything (first run: venv, torch, MMCV build, MMagic) and run the
# test suite on the CPU. Extra arguments go to pytest.
#
#   bash scripts/run_tests.sh
#   bash scripts/run_tests.sh tests/test_models -k cost_volume
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
VENV="${MMJFFRA_VENV:-$ROOT/.venv}"
cd "$ROOT"
export PATH="$VENV/bin:$PATH"
"$VENV/bin/python" -m flake8 mmjffra tools tests configs projects
"$VENV/bin/python" -m isort --check-only --diff mmjffra tools tests configs projects
"$VENV/bin/python" -m yapf --diff --recursive mmjffra tools tests configs projects
exec "$VENV/bin/python" -m pytest -q -p no:cacheprovider --durations=20 "${@:-tests}"
