#!/usr/bin/env bash
# Set up everything, download the embedded demo clip, train a model on it on
# the CPU with tools/train.py and test the checkpoint with tools/test.py,
# printing PSNR/SSIM.
#
#   bash scripts/run_demo.sh [CONFIG] [train.py options]
#
# CONFIG defaults to the JFFRA demo config. Outputs go to work_dirs/<config>.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIG="${1:-configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py}"
shift || true
bash "$ROOT/scripts/setup.sh"
VENV="${MMJFFRA_VENV:-$ROOT/.venv}"
cd "$ROOT"
export PATH="$VENV/bin:$PATH"
python tools/prepare_demo_data.py --out-dir data/carphone
NAME="$(basename "${CONFIG%.py}")"
WORK="work_dirs/$NAME"
python tools/train.py "$CONFIG" --work-dir "$WORK" "$@"
CKPT="$WORK/$(cat "$WORK/last_checkpoint" | xargs basename)"
python tools/test.py "$CONFIG" "$CKPT" --work-dir "$WORK/test" --out "$WORK/test_metrics.json"
echo "== test metrics of $CKPT on the demo clip (carphone frames 80-119, x4 BI):"
cat "$WORK/test_metrics.json"; echo
