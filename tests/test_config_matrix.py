# Copyright (c) mmjffra contributors. All rights reserved.
"""Every shipped config, end to end, the way a user runs it.

For each config under ``configs/`` (jffra, rvrt, baselines, demo), on tiny
datasets in exactly that config's layout (``tiny_datasets.py``: real frames,
REDS/Vimeo-90K/Vid4/UDM10 as MMagic's converters write them, DAVIS/Set8/
DVD/CRVD through our converter), overriding with ``--cfg-options`` only the
data roots and sizes (model widths, crop, batch, clip length, iterations):

1. ``tools/train.py``: 2 iterations, a validation, ``save_best`` writes the
   best checkpoint into the work dir;
2. ``tools/train.py --resume``: 1 more iteration and a validation;
3. ``tools/test.py`` on the best checkpoint: every test set of the config,
   the validation key among the metrics;
4. ``tools/restore_video.py`` with that checkpoint on the first frames of
   a validation clip.

The tools run in this process (``runpy``, the scripts' own ``__main__``):
importing MMagic costs about 10 s per process, 70 processes would not fit
the suite's budget. ``test_runner_tools.py`` runs the same tools as
subprocesses and through ``dist_train.sh``/``dist_test.sh`` and ``mim``.

MMEngine formats the whole config with yapf each time it logs, dumps or
checkpoints it (``Config.pretty_text``): 2-4 s per call for a config with
ten test sets, seven calls per training run. The matrix skips that
cosmetic step (the config text stays valid Python, unformatted).
"""
import json
import os.path as osp
import runpy
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from conftest import REPO
from mmengine.config import Config
from tiny_datasets import CLIP_LEN, build_all

CONFIGS = sorted(
    str(p.relative_to(REPO)) for p in (REPO / 'configs').rglob('*.py')
    if '_base_' not in p.parts)
TRAIN_CROP = 32  # GT pixels


@pytest.fixture(autouse=True)
def unformatted_config_text(monkeypatch):
    import mmengine.config.config as config_module
    monkeypatch.setattr(config_module, 'FormatCode',
                        lambda text, **kwargs: (text, None))


@pytest.fixture(scope='session')
def tiny_data(tmp_path_factory, demo_data):
    return build_all(tmp_path_factory.mktemp('datasets'), demo_data)


def run_tool(script, *args):
    """Run ``tools/<script>`` as ``python tools/<script> args`` would."""
    argv = sys.argv
    sys.argv = [script] + [str(a) for a in args]
    try:
        runpy.run_path(str(REPO / script), run_name='__main__')
    except SystemExit as err:
        assert err.code in (0, None), f'{script} exited with {err.code}'
    finally:
        sys.argv = argv


def datasets(cfg):
    """(cfg-options key, dataset cfg) of every dataset the config reads."""
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loaders = cfg.get(name)
        if isinstance(loaders, (list, tuple)):
            items = [(f'{name}.{i}', x) for i, x in enumerate(loaders)]
        else:
            items = [(name, loaders)]
        for key, loader in items:
            ds = loader['dataset']
            if 'datasets' in ds:  # ConcatDataset
                for j, sub in enumerate(ds['datasets']):
                    yield f'{key}.dataset.datasets.{j}', sub
            else:
                yield f'{key}.dataset', ds


def data_options(cfg, data):
    opts = []
    for key, ds in datasets(cfg):
        root = ds['data_root']
        assert root.startswith('data/'), (key, root)
        opts.append(f'{key}.data_root={data}/{root[len("data/"):]}')
        if ds.get('fixed_seq_len') not in (None, 7, CLIP_LEN):
            # REDS4 clips have 100 frames, ours CLIP_LEN
            opts += [
                f'{key}.fixed_seq_len={CLIP_LEN}',
                f'{key}.num_input_frames={CLIP_LEN}'
            ]
        if key.startswith('train_dataloader'):
            if (ds.get('num_input_frames') or 0) > 7:
                opts.append(f'{key}.num_input_frames=4')  # RVRT: 16-30
            for i, step in enumerate(ds['pipeline']):
                if step['type'] == 'PairedRandomCrop':
                    opts.append(f'{key}.pipeline.{i}.gt_patch_size='
                                f'{TRAIN_CROP}')
    for name in ('train_dataloader', 'val_dataloader'):
        opts += [f'{name}.num_workers=0', f'{name}.persistent_workers=False']
    loaders = cfg.test_dataloader
    if isinstance(loaders, (list, tuple)):
        opts += [f'test_dataloader.{i}.num_workers=0'
                 for i in range(len(loaders))]
    opts.append('train_dataloader.batch_size=1')
    return opts


def size_options(cfg):
    """Model widths a CPU runs in seconds; learned flows: random weights."""
    gen = cfg.model.generator
    g = 'model.generator.'
    opts = []
    if gen.type == 'JFFRANet' and gen.mid_channels > 16:
        opts += [
            g + 'mid_channels=8', g + 'num_res_blocks=1',
            g + 'num_reconstruction_blocks=1'
        ]
    elif gen.type == 'RVRTNet' and gen.embed_dims > 16:
        opts += [
            g + 'embed_dims=12', g + 'num_heads=[2,2,2]',
            g + 'num_blocks=[1,1,1]', g + 'num_refinement_rounds=1',
            g + 'gda_heads=4', g + 'gda_groups=4', g + 'mid_channels=16'
        ]
    elif gen.type == 'BasicVSRNet' and gen.mid_channels > 16:
        opts += [g + 'mid_channels=16', g + 'num_blocks=2']
    elif gen.type == 'EDVRNet' and gen.mid_channels > 16:
        opts += [
            g + 'mid_channels=16', g + 'num_blocks_extraction=1',
            g + 'num_blocks_reconstruction=1'
        ]
    for key, parent in (('model.generator.flow_estimator', gen),
                        ('model.temporal_loss.flow_estimator',
                         cfg.model.get('temporal_loss'))):
        est = (parent or {}).get('flow_estimator')
        if est is None or est.type == 'DISFlowEstimator':
            continue
        # no RAFT/SPyNet weights offline: random weights, said explicitly
        opts.append(f'{key}.pretrained=random')
        if est.type == 'RAFTFlowEstimator':
            opts += [f'{key}.arch=raft_small', f'{key}.num_flow_updates=1']
    return opts


def schedule_options(iters, val_interval):
    return [
        f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={val_interval}',
        f'default_hooks.checkpoint.interval={iters}',
        'default_hooks.logger.interval=1'
    ]


def val_clip_folder(cfg, data):
    """The low-quality frames of the first validation clip."""
    ds = cfg.val_dataloader.dataset
    folder = Path(data) / ds.data_root[len('data/'):] / ds.data_prefix.img
    clips = sorted(p for p in folder.rglob('*') if p.is_dir() and not any(
        q.is_dir() for q in p.iterdir()))
    return clips[0]


@pytest.mark.parametrize('path', CONFIGS)
def test_config_end_to_end(path, tiny_data, tmp_path):
    cfg = Config.fromfile(REPO / path)
    save_best = cfg.default_hooks.checkpoint.save_best
    opts = data_options(cfg, tiny_data) + size_options(cfg)
    work = tmp_path / 'work'

    # 1. train, validate, keep the best checkpoint
    run_tool('tools/train.py', REPO / path, '--work-dir', work,
             '--cfg-options', *opts, *schedule_options(2, 2))
    best = sorted(work.glob('best_*.pth'))
    assert len(best) == 1, sorted(p.name for p in work.iterdir())
    assert best[0].name == f'best_{save_best.replace("/", "_")}_iter_2.pth'
    assert (work / 'iter_2.pth').is_file()

    # 2. resume for one more iteration (and a validation: save_best again)
    run_tool('tools/train.py', REPO / path, '--work-dir', work, '--resume',
             '--cfg-options', *opts, *schedule_options(3, 3))
    ckpt = torch.load(work / 'iter_3.pth', weights_only=True)
    assert ckpt['meta']['iter'] == 3
    assert ckpt['message_hub']['runtime_info']['iter'] == 2  # continued
    best = sorted(work.glob('best_*.pth'))
    assert len(best) == 1

    # 3. test the best checkpoint on every test set of the config
    metrics_file = tmp_path / 'metrics.json'
    run_tool('tools/test.py', REPO / path, best[0], '--work-dir',
             tmp_path / 'test', '--out', metrics_file, '--cfg-options', *opts)
    metrics = json.loads(metrics_file.read_text())
    assert np.isfinite(metrics[save_best]) and metrics[save_best] > 5
    loaders = cfg.test_dataloader
    n_sets = len(loaders) if isinstance(loaders, (list, tuple)) else 1
    assert sum(k.endswith('/PSNR') for k in metrics) == n_sets, metrics

    # 4. restore the first frames of a validation clip with that checkpoint
    src = val_clip_folder(cfg, tiny_data)
    out = tmp_path / 'restored'
    extra = ['--noise-sigma', '30'] if cfg.model.generator.get(
        'with_noise_map') else []
    sizes = size_options(cfg)
    run_tool('tools/restore_video.py', REPO / path, best[0], src, out,
             '--end', 4, '--no-progress', *extra,
             *(['--cfg-options', *sizes] if sizes else []))
    frames = sorted(out.glob('*.png'))
    assert len(frames) == 4
    lq = cv2.imread(str(sorted(src.iterdir())[0]))
    scale = cfg.model.generator.get('upscale_factor',
                                    cfg.model.generator.get('upscale', 4))
    img = cv2.imread(str(frames[0]))
    assert img.shape == (lq.shape[0] * scale, lq.shape[1] * scale, 3)
    assert osp.isdir(work) and not (REPO / 'work_dirs' / work.name).exists()
