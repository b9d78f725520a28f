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
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from conftest import REPO, run_tool
from mmengine.config import Config
from tiny_datasets import data_options, schedule_options, size_options

CONFIGS = sorted(
    str(p.relative_to(REPO)) for p in (REPO / 'configs').rglob('*.py')
    if '_base_' not in p.parts)


@pytest.fixture(autouse=True)
def unformatted_config_text(monkeypatch):
    import mmengine.config.config as config_module
    monkeypatch.setattr(config_module, 'FormatCode', lambda text, **kwargs:
                        (text, None))


def val_clip_folder(cfg, data):
    """The low-quality frames of the first validation clip."""
    ds = cfg.val_dataloader.dataset
    folder = Path(data) / ds.data_root[len('data/'):] / ds.data_prefix.img
    clips = sorted(
        p for p in folder.rglob('*')
        if p.is_dir() and not any(q.is_dir() for q in p.iterdir()))
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
    # one PSNR per test set (RGB and Y of one set count once)
    sets = {
        k.split('/')[0].rsplit('-', 1)[0]
        for k in metrics if k.endswith('/PSNR')
    }
    assert len(sets) == n_sets, metrics

    # 4. restore the first frames of a validation clip with that checkpoint
    src = val_clip_folder(cfg, tiny_data)
    out = tmp_path / 'restored'
    extra = ['--noise-sigma', '30'
             ] if cfg.model.generator.get('with_noise_map') else []
    sizes = size_options(cfg)
    run_tool('tools/restore_video.py', REPO / path, best[0], src, out, '--end',
             4, '--no-progress', *extra,
             *(['--cfg-options', *sizes] if sizes else []))
    frames = sorted(out.glob('*.png'))
    assert len(frames) == 4
    lq = cv2.imread(str(sorted(src.iterdir())[0]))
    scale = cfg.model.generator.get('upscale_factor', 4)
    img = cv2.imread(str(frames[0]))
    assert img.shape == (lq.shape[0] * scale, lq.shape[1] * scale, 3)
    assert osp.isdir(work) and not (REPO / 'work_dirs' / work.name).exists()


@pytest.mark.parametrize('tool, config, missing', [
    ('tools/train.py', 'configs/jffra/jffra_c64_8xb6-700k_reds4.py',
     'data/REDS'),
    ('tools/train.py', 'configs/rvrt/rvrt_8xb1-600k_davis-denoise.py',
     'data/DAVIS/train'),
    ('tools/test.py', 'configs/jffra/jffra_c64_8xb6-700k_crvd-denoise.py',
     'data/CRVD/test/ISO1600'),
])
def test_missing_dataset_is_one_line(tool, config, missing, tmp_path, capsys):
    # run from an empty folder: the configs' relative data roots are absent
    args = [REPO / config, '--work-dir', tmp_path / 'w']
    if tool == 'tools/test.py':
        ckpt = tmp_path / 'ckpt.pth'
        torch.save({'state_dict': {}}, ckpt)
        args.insert(1, ckpt)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        with pytest.raises(AssertionError, match='exited with 2'):
            run_tool(tool, *args)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert f"'{missing}' does not exist" in err[0]
    assert 'make it with:' in err[0] and 'expected under' in err[0]
    assert not (tmp_path / 'w').exists()  # nothing written


def tiny_dvd_config(tiny_data):
    """The DVD deblurring config on the tiny layout's folders."""
    cfg = Config.fromfile(REPO /
                          'configs/jffra/jffra_c64_8xb6-700k_dvd-deblur.py')
    cfg.merge_from_dict(
        dict(
            opt.split('=', 1) for opt in data_options(cfg, tiny_data)
            if '.data_root=' in opt))
    return cfg


def test_missing_annotation_file_named(tiny_data, tmp_path):
    from mmjffra.datasets import check_dataset_paths
    from mmjffra.errors import DatasetNotFoundError
    cfg = tiny_dvd_config(tiny_data)
    check_dataset_paths(cfg)  # the tiny layout is complete
    cfg.train_dataloader.dataset.ann_file = 'meta_info_DVD_tarin.txt'
    with pytest.raises(DatasetNotFoundError) as err:
        check_dataset_paths(cfg)
    msg = str(err.value)
    assert 'annotation file' in msg and 'meta_info_DVD_tarin.txt' in msg
    assert 'prepare_video_dataset.py dvd' in msg


def test_a_missing_or_short_clip_of_the_annotation_file_is_named(
        tiny_data, tmp_path):
    from mmjffra.datasets import check_dataset_paths
    from mmjffra.errors import DatasetNotFoundError
    cfg = tiny_dvd_config(tiny_data)
    ds = cfg.train_dataloader.dataset
    root = ds.data_root
    clip = open(osp.join(root, ds.ann_file)).readline().split()[0]
    need = ds.num_input_frames
    assert isinstance(need, int) and need > 1
    with open(osp.join(root, 'meta_missing.txt'), 'w') as f:
        f.write(f'{clip} 100\nnosuchclip 100\n')
    ds.ann_file = 'meta_missing.txt'
    with pytest.raises(DatasetNotFoundError) as err:
        check_dataset_paths(cfg)
    assert "line 2 names clip 'nosuchclip', which is not in" \
        in str(err.value)
    with open(osp.join(root, 'meta_short.txt'), 'w') as f:
        f.write(f'{clip} {need - 1}\n')
    ds.ann_file = 'meta_short.txt'
    with pytest.raises(DatasetNotFoundError) as err:
        check_dataset_paths(cfg)
    assert f"clip '{clip}' of " in str(err.value) and \
        f'has {need - 1} frames, fewer than the {need} of one sample' \
        in str(err.value)
