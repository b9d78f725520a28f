# Copyright (c) mmjffra contributors. All rights reserved.
"""The quality study's bookkeeping (no training: known values), and the
restore speed tool on a tiny clip."""
import importlib.util
import json
import math
import os
import os.path as osp
import subprocess
import sys
from types import SimpleNamespace

import pytest
from conftest import run_cmd

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def _tool():
    spec = importlib.util.spec_from_file_location(
        'quality_study',
        osp.join(REPO, 'projects/jffra_study/tools/quality_study.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


qs = _tool()


def _row(run, seed, psnrs, secs, fold='bikes'):
    curve = [
        dict(
            iter=100 * (i + 1),
            seconds=s,
            **{
                'PSNR': p,
                'PSNR-Y': p,
                'SSIM': .9,
                'SSIM-Y': .9,
                'WarpingError': .01
            }) for i, (p, s) in enumerate(zip(psnrs, secs))
    ]
    return dict(
        run=run,
        fold=fold,
        seed=seed,
        curve=curve,
        bicubic={'PSNR-Y': 30.},
        train_seconds=secs[-1],
        **curve[-1])


def test_interp_and_equal_time_psnr():
    pts = [(0, 0.), (10, 1.), (20, 3.)]
    assert qs.interp(pts, 5) == 0.5
    assert qs.interp(pts, 15) == 2.0
    assert qs.interp(pts, 30) == 3.0  # clamped
    row = _row('a', 0, [31., 33.], [10., 20.])
    assert qs.equal_time_psnr(row, 15.) == 32.
    assert math.isnan(qs.equal_time_psnr(row, 5.))  # before the first point


def test_report_means_spreads_paired_deltas_and_budget():
    results = [
        _row('ref', 0, [31., 32.], [10., 20.]),
        _row('ref', 1, [31., 34.], [10., 20.]),
        # twice as slow: equal wall-clock (20 s) reads its first checkpoint
        _row('new', 0, [32., 33.], [20., 40.]),
        _row('new', 1, [32., 36.], [20., 40.]),
    ]
    table = qs.report(results, 'ref').splitlines()
    assert 'equal wall-clock = 20 s' in table[0]
    ref = next(line for line in table if line.startswith('| ref '))
    new = next(line for line in table if line.startswith('| new '))
    # PSNR-Y: mean 33, sample std of (32, 34) = 1.414
    assert '33.00 +- 1.41' in ref
    assert '34.50 +- 2.12' in new
    # paired deltas +1 and +2: mean 1.5, std 0.71
    assert new.endswith('| +1.50 +- 0.71 |')
    # equal wall-clock: 32 for both seeds of 'new', 33 +- 1.41 for 'ref'
    cells = [c.strip() for c in new.split('|')]
    assert cells[8] == '32.00 +- 0.00'
    # s/iter: 40 s over 200 iterations
    assert cells[9] == '0.200'


def test_common_iters_takes_the_second_newest_checkpoint(tmp_path):
    args = SimpleNamespace(
        work_dir=str(tmp_path), seeds=[0, 1], runs=['a b'], eval_every=10)
    for seed, its in ((0, (10, 20, 30, 40)), (1, (10, 20, 30))):
        work = qs.run_dir(args, 'bikes', 'a b', seed)
        os.makedirs(work)
        for it in its:
            open(osp.join(work, f'iter_{it}.pth'), 'w').close()
    # seed 1's iter_30 may be cut short by the stop: 20 counts
    assert qs.common_iters(args, ['bikes']) == 20
    args.seeds = [0, 1, 2]
    with pytest.raises(SystemExit, match='no complete checkpoint'):
        qs.common_iters(args, ['bikes'])


def test_timed_training_command(tmp_path, monkeypatch):
    root = tmp_path / 'data'
    root.mkdir()
    for clip in ('carphone', 'bikes', 'bigbuckbunny'):
        (root / f'meta_info_{clip}.txt').write_text(f'{clip} 5 (8,8,3)\n')
    seen = {}

    def fake_run(cmd, timeout=None, **kwargs):
        seen.update(cmd=cmd, timeout=timeout)
        raise subprocess.TimeoutExpired(cmd, timeout)

    monkeypatch.setattr(qs.subprocess, 'run', fake_run)
    args = SimpleNamespace(
        work_dir=str(tmp_path / 'w'),
        data_root=str(root),
        clips=['carphone', 'bikes', 'bigbuckbunny'],
        iters=1000,
        eval_every=20,
        threads=1,
        train_seconds=5.)
    work = qs.train(args, 'bikes', 'basicvsr-c64b30', 3)
    assert seen['timeout'] == 5.
    cmd = seen['cmd']
    assert 'configs/demo/basicvsr_c16b4_1xb2-1000i_carphone-bix4.py' in cmd
    for opt in ('randomness.seed=3', 'train_cfg.max_iters=10000000',
                'param_scheduler.eta_min=None',
                'param_scheduler.eta_min_ratio=1.0',
                'train_dataloader.batch_size=4',
                'train_dataloader.dataset.pipeline.4.gt_patch_size=128',
                'optim_wrapper.optimizer.lr=2e-4',
                'model.generator.num_blocks=30',
                'default_hooks.checkpoint.interval=20'):
        assert opt in cmd, opt
    # the run table's CROP= is translated into the crop step's option above
    assert not any(c.startswith('CROP=') for c in cmd)
    # the held-out clip is not trained on
    clips = open(osp.join(work, 'train_clips.txt')).read()
    assert 'bikes' not in clips and 'carphone' in clips


def test_report_merges_files_and_keeps_the_runs_asked(tmp_path):
    a, b = tmp_path / 'a.json', tmp_path / 'b.json'
    a.write_text(
        json.dumps(
            dict(results=[
                _row('ref', 0, [31., 32.], [10., 20.]),
                _row('other', 0, [30., 30.], [10., 20.])
            ])))
    # a second fold of 'ref': each seed is averaged over its folds
    b.write_text(
        json.dumps(
            dict(results=[
                _row('ref', 0, [31., 34.], [10., 20.], fold='carphone')
            ])))
    out = run_cmd([
        sys.executable, 'projects/jffra_study/tools/quality_study.py',
        '--report', a, b, '--runs', 'ref', '--reference', 'ref'
    ])
    assert 'held-out clips: bikes, carphone' in out
    assert '| ref | 1 | 33.00 |' in out and '| other |' not in out
    with pytest.raises(subprocess.CalledProcessError):
        subprocess.run([
            sys.executable, 'projects/jffra_study/tools/quality_study.py',
            '--report', a, '--runs', 'missing'
        ],
                       cwd=REPO,
                       check=True,
                       capture_output=True)


def test_curves_of_folds_on_different_checkpoint_grids(tmp_path):
    rows = [
        _row('ref', 0, [31., 32.], [10., 20.]),  # iterations 100, 200
        _row('ref', 0, [30., 31., 33.], [5., 10., 15.], fold='carphone'),
        _row('ref', 1, [33., 34.], [10., 20.]),
    ]
    for i, c in enumerate(rows[1]['curve']):  # 70, 140, 210: another grid
        c['iter'] = 70 * (i + 1)
    xs, means, stds = qs.mean_curve(rows, 'iter')
    # from the latest first checkpoint (100) on, the union of the grids
    assert xs == [100, 140, 200, 210]
    # seed 0 at 100: bikes 31, carphone 30 + 30/70, averaged over folds;
    # seed 1 at 100: 33 (one fold)
    s0 = (31. + 30. + 30. / 70.) / 2
    assert means[0] == pytest.approx((s0 + 33.) / 2)
    assert stds[0] == pytest.approx(abs(33. - s0) / math.sqrt(2))
    # past a curve's end it stays at its last value: seed 0 at 210 is
    # (32 + 33) / 2, seed 1 is 34
    assert means[-1] == pytest.approx((32.5 + 34.) / 2)
    secs = qs.mean_curve(rows, 'seconds')[0]
    # seconds at iteration 200: seed 0 (20 + 5 + 130/70 * 5) / 2, seed 1 20
    assert secs[2] == pytest.approx(
        ((20. + 5. + 130. / 70. * 5.) / 2 + 20.) / 2)
    png = tmp_path / 'curves.png'
    qs.plot_curves({'ref': rows}, str(png))
    assert png.stat().st_size > 1000
