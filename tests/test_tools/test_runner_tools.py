# Copyright (c) mmjffra contributors. All rights reserved.
"""Train, test, resume and distributed training through the real tools."""
import json
import os
import random
import sys
from pathlib import Path

import torch
from conftest import REPO, run_cmd
from mmengine.config import Config
from tiny_datasets import data_options, schedule_options, size_options

CONFIG = 'configs/demo/basicvsr_c16b4_1xb2-1000i_carphone-bix4.py'


def options(data_root, iters):
    return [
        '--cfg-options', f'train_cfg.max_iters={iters}',
        f'train_cfg.val_interval={iters}',
        f'default_hooks.checkpoint.interval={iters}',
        f'param_scheduler.periods=[{iters}]',
        f'train_dataloader.dataset.data_root={data_root}',
        f'val_dataloader.dataset.data_root={data_root}',
        f'test_dataloader.0.dataset.data_root={data_root}'
    ]


def test_train_test_and_resume(demo_data, tmp_path):
    work = tmp_path / 'work'
    run_cmd([sys.executable, 'tools/train.py', CONFIG, '--work-dir', work] +
            options(demo_data, 2))
    ckpt_path = work / 'iter_2.pth'
    ckpt = torch.load(ckpt_path, weights_only=True)  # torch >= 2.6 default
    assert ckpt['meta']['iter'] == 2

    metrics_file = tmp_path / 'metrics.json'
    out = run_cmd([
        sys.executable, 'tools/test.py', CONFIG, ckpt_path, '--work-dir',
        tmp_path / 'test', '--out', metrics_file
    ] + options(demo_data, 2))
    metrics = json.loads(metrics_file.read_text())
    psnr = metrics['carphone-BIx4-RGB/PSNR']
    assert 10 < psnr < 60, out[-2000:]
    assert 0 < metrics['carphone-BIx4-RGB/SSIM'] <= 1

    out = run_cmd([
        sys.executable, 'tools/train.py', CONFIG, '--work-dir', work,
        '--resume'
    ] + options(demo_data, 4))
    assert 'resumed epoch: 0, iter: 2' in out
    ckpt = torch.load(work / 'iter_4.pth', weights_only=True)
    assert ckpt['meta']['iter'] == 4
    # resumed weights continue from iter 2, they are not re-initialised
    assert ckpt['message_hub']['runtime_info']['iter'] == 3


def dist_env():
    return {
        'PORT': str(random.randint(20000, 40000)),
        'PYTHONPATH': str(REPO),
        'OMP_NUM_THREADS': '1',
        'PATH': f'{Path(sys.executable).parent}:{os.environ["PATH"]}'
    }


def test_dist_train_and_test_paper_config_two_cpu_processes(
        tiny_data, tmp_path):
    """The paper's REDS config on 2 gloo processes: DDP with the paper
    model's parameters (all used: an unused one fails DDP's reduction at
    the second iteration), the InfiniteSampler sharded per rank, validation
    gathered across ranks, then dist_test.sh on the best checkpoint."""
    config = 'configs/jffra/jffra_c64_8xb6-700k_reds4.py'
    cfg = Config.fromfile(REPO / config)
    opts = data_options(cfg, tiny_data) + size_options(cfg)
    work = tmp_path / 'dist'
    out = run_cmd([
        'bash', 'tools/dist_train.sh', config, '2', '--work-dir', work,
        '--cfg-options', *opts, *schedule_options(3, 3)
    ],
                  env=dist_env())
    assert 'Distributed launcher: pytorch' in out
    assert 'Distributed training: True' in out
    assert 'GPU number: 2' in out  # MMEngine's name for the world size
    ckpt = torch.load(work / 'iter_3.pth', weights_only=True)
    assert ckpt['meta']['iter'] == 3
    best = list(work.glob('best_REDS4-BIx4-RGB_PSNR_iter_3.pth'))
    assert len(best) == 1, sorted(p.name for p in work.iterdir())
    # the DDP wrapper is not saved: keys are the model's own
    assert all(not k.startswith('module.') for k in ckpt['state_dict'])

    metrics_file = tmp_path / 'metrics.json'
    run_cmd([
        'bash', 'tools/dist_test.sh', config, best[0], '2', '--work-dir',
        tmp_path / 'test', '--out', metrics_file, '--cfg-options', *opts
    ],
            env=dist_env())
    metrics = json.loads(metrics_file.read_text())
    assert 5 < metrics['REDS4-BIx4-RGB/PSNR'] < 60


def test_mim_train_and_test_find_the_package(demo_data, tmp_path):
    # run from elsewhere: mim must find configs/tools through the install
    mim = Path(sys.executable).parent / 'mim'
    name = 'jffra-small_1xb2-1000i_carphone-bix4.py'
    work = tmp_path / 'mim'
    out = run_cmd(
        [mim, 'train', 'mmjffra', name, '--work-dir', work] +
        options(demo_data, 2),
        cwd=tmp_path)
    assert 'Training finished successfully' in out
    out = run_cmd(
        [
            mim, 'test', 'mmjffra', name, '--checkpoint', work / 'iter_2.pth',
            '--work-dir', tmp_path / 'mim_test'
        ] + options(demo_data, 2),
        cwd=tmp_path)
    assert 'carphone-BIx4-RGB/PSNR' in out
