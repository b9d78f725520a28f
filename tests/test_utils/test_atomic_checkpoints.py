# Copyright (c) mmjffra contributors. All rights reserved.
"""Training checkpoints are complete or absent, ``--resume`` never picks a
truncated one, and ``tools/test.py`` refuses what it would ignore or lose
(issue 22)."""
import ast
import errno
import os
import subprocess
import sys

import pytest
import torch
from conftest import REPO
from test_restore_safety import snapshot

from mmjffra.utils.atomic_checkpoints import (AtomicCheckpointMixin,
                                              latest_complete_checkpoint,
                                              set_resume)

JFFRA = 'configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py'


def checkpoint(path, step):
    torch.save({
        'meta': {
            'iter': step
        },
        'state_dict': {
            'w': torch.ones(64)
        }
    }, path)


class Saver:
    """Stands for MMEngine's Runner: ``save_checkpoint`` as it writes
    (``torch.save`` to ``out_dir/filename``), failing midway on demand
    (a full disk, or a kill, mid-save)."""

    def __init__(self, fail=None):
        self.fail = fail

    def save_checkpoint(self, out_dir, filename, meta=None):
        path = os.path.join(out_dir, filename)
        checkpoint(path, meta['iter'])
        if self.fail is not None:
            with open(path, 'r+b') as f:  # half written
                f.truncate(os.path.getsize(path) // 2)
            raise self.fail


def test_a_failed_save_leaves_the_previous_checkpoints(tmp_path):

    class AtomicSaver(AtomicCheckpointMixin, Saver):
        pass

    runner = AtomicSaver()
    runner.save_checkpoint(str(tmp_path), 'iter_1.pth', meta={'iter': 1})
    assert sorted(os.listdir(tmp_path)) == ['iter_1.pth']
    before = snapshot(tmp_path)
    for fail in (OSError(errno.ENOSPC,
                         os.strerror(errno.ENOSPC)), KeyboardInterrupt()):
        runner.fail = fail
        with pytest.raises(type(fail)):
            runner.save_checkpoint(
                str(tmp_path), 'iter_2.pth', meta={'iter': 2})
        assert snapshot(tmp_path) == before  # no iter_2.pth, no temporary
    assert torch.load(tmp_path / 'iter_1.pth')['meta']['iter'] == 1


def test_resume_skips_a_truncated_checkpoint(tmp_path, capsys):
    for step in (1, 2, 3):
        checkpoint(tmp_path / f'iter_{step}.pth', step)
    data = (tmp_path / 'iter_3.pth').read_bytes()
    (tmp_path / 'iter_3.pth').write_bytes(data[:len(data) // 2])
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_3.pth'))
    (tmp_path / '.iter_4.tmp12345.pth').write_bytes(b'killed mid-save')
    logged = []
    assert latest_complete_checkpoint(str(tmp_path), logged.append) == str(
        tmp_path / 'iter_2.pth')
    assert len(logged) == 1 and 'iter_3.pth' in logged[0]
    assert 'cannot be loaded' in logged[0]
    # the killed save's temporary is gone; the checkpoints are kept
    assert sorted(os.listdir(tmp_path)) == [
        'iter_1.pth', 'iter_2.pth', 'iter_3.pth', 'last_checkpoint'
    ]
    # an empty last_checkpoint (killed while writing it): the newest
    (tmp_path / 'last_checkpoint').write_text('')
    assert latest_complete_checkpoint(str(tmp_path),
                                      logged.append).endswith('iter_2.pth')
    for step in (1, 2):
        (tmp_path / f'iter_{step}.pth').write_bytes(b'')
    assert latest_complete_checkpoint(str(tmp_path), logged.append) is None


def test_resume_continues_the_work_dir_not_the_stage_weights(tmp_path):
    from mmengine.config import Config
    stage1 = tmp_path / 'stage1.pth'
    checkpoint(stage1, 4000)
    work = tmp_path / 'work'
    work.mkdir()
    logged = []

    # a second stage (load_from in the config) interrupted before its first
    # checkpoint: it starts again from the first stage's weights
    cfg = Config(dict(work_dir=str(work), load_from=str(stage1)))
    set_resume(cfg, False, logged.append)
    assert cfg.resume is False and cfg.load_from == str(stage1)
    assert f"training from {stage1}'s weights" in logged[-1]

    # after its own checkpoints: resumed from the newest, not the stage's
    checkpoint(work / 'iter_1000.pth', 1000)
    cfg = Config(dict(work_dir=str(work), load_from=str(stage1)))
    set_resume(cfg, False, logged.append)
    assert cfg.resume is True and cfg.load_from == str(work / 'iter_1000.pth')

    # load_from on the command line: that checkpoint is resumed (MMagic)
    cfg = Config(dict(work_dir=str(work), load_from=str(stage1)))
    set_resume(cfg, True, logged.append)
    assert cfg.resume is True and cfg.load_from == str(stage1)

    # nothing to resume, no weights named: from the start
    cfg = Config(dict(work_dir=str(tmp_path / 'empty'), load_from=None))
    set_resume(cfg, False, logged.append)
    assert cfg.resume is False and cfg.load_from is None
    assert logged[-1].endswith('training from the start')


def run_test_tool(args):
    proc = subprocess.run(
        [sys.executable, 'tools/test.py', JFFRA] + [str(a) for a in args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300)
    return proc.returncode, proc.stderr


def test_test_tool_refuses_unknown_keys_and_bad_out(tmp_path):
    ckpt = tmp_path / 'jffra.pth'
    checkpoint(ckpt, 1)
    before = snapshot(tmp_path)
    for extra, message in [
        (['--cfg-options', 'model.test_cfg.max_windows_per_forwrd=2'],
         'error: unknown key model.test_cfg.max_windows_per_forwrd for '
         'JFFRA: the known keys are padding, max_windows_per_forward, '
         'tile, tile_overlap'),
        (['--out', tmp_path / 'metrics.txt'], 'give a .json, .yaml or .pkl'),
    ]:
        code, err = run_test_tool([ckpt] + extra)
        lines = err.strip().splitlines()
        assert code == 2 and message in lines[-1], err
        assert 'Traceback' not in err
        assert snapshot(tmp_path) == before


def test_runner_type_gives_the_atomic_runner(tmp_path):
    """Our runtime base picks the atomic runner: RUNNERS.build (what
    tools/train.py and mim run) builds it from the config alone (the full
    train/resume path runs in test_config_matrix.py)."""
    from mmengine.config import Config
    from mmengine.registry import RUNNERS

    from mmjffra.engine import AtomicCheckpointRunner
    cfg = Config.fromfile(REPO / JFFRA)
    assert cfg.runner_type == 'AtomicCheckpointRunner'
    cfg.work_dir = str(tmp_path)
    runner = RUNNERS.build(cfg)
    assert isinstance(runner, AtomicCheckpointRunner)
    # its save is the mixin's (tested above), before Runner's own
    assert type(
        runner).save_checkpoint is AtomicCheckpointMixin.save_checkpoint


def test_the_runner_resumes_past_a_truncated_checkpoint(tiny_data, tmp_path):
    """RUNNERS.build with resume=True (mim train --resume, a plain script):
    the truncated newest checkpoint is skipped for the one before it."""
    from mmengine.config import Config
    from mmengine.registry import RUNNERS
    from tiny_datasets import data_options, schedule_options
    cfg = Config.fromfile(REPO / JFFRA)
    opts = data_options(cfg, tiny_data) + schedule_options(2, 2)
    cfg.merge_from_dict({
        key:
        value if '.data_root' in key else ast.literal_eval(value)
        for key, value in (opt.split('=', 1) for opt in opts)
    })
    cfg.merge_from_dict({'default_hooks.checkpoint.interval': 1})
    cfg.work_dir = str(tmp_path)
    RUNNERS.build(cfg).train()
    ckpt = tmp_path / 'iter_2.pth'
    ckpt.write_bytes(ckpt.read_bytes()[:1000])  # truncated
    cfg.train_cfg.max_iters = 3
    cfg.resume = True
    runner = RUNNERS.build(cfg)
    runner.train()
    assert runner.iter == 3 and (tmp_path / 'iter_3.pth').is_file()
    # resumed from iteration 1, the newest checkpoint that loads
    assert runner._load_from == str(tmp_path / 'iter_1.pth')
