# Copyright (c) mmjffra contributors. All rights reserved.
import json
import sys

import cv2
import numpy as np
from conftest import run_cmd


def test_restore_speed_on_cpu(tmp_path):
    frames = tmp_path / 'lq'
    frames.mkdir()
    rng = np.random.default_rng(0)
    for i in range(4):
        cv2.imwrite(
            str(frames / f'{i:03d}.png'),
            rng.integers(0, 256, (16, 20, 3), dtype=np.uint8))
    out = tmp_path / 'speed.json'
    run_cmd([
        sys.executable, 'tools/analysis_tools/restore_speed.py', '--model',
        'jffra-small-x4', frames, '--batch', '1', 'auto', '--repeats', '1',
        '--out', out
    ])
    res = json.loads(out.read_text())
    assert res['device'] == 'cpu' and res['input'] == '4 frames 20x16'
    rows = {r['batch']: r for r in res['results']}
    assert set(rows) == {'1', 'auto'}
    # auto is one window per forward on the CPU
    assert rows['auto']['windows_per_forward'] == 1
    assert all(r['frames'] == 4 and r['ms_per_frame'] > 0
               for r in rows.values())
