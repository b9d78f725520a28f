# Copyright (c) mmjffra contributors. All rights reserved.
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmagic.utils import register_all_modules

import mmjffra  # noqa: F401  (registers the plugin's modules)

REPO = Path(__file__).resolve().parents[1]
# the restore tests' helpers (frames, checkpoints, the tool), for every
# folder of tests
sys.path.insert(0, str(REPO / 'tests' / 'test_apis'))

# As a config with default_scope = 'mmagic' does.
register_all_modules(init_default_scope=True)

# Keep the suite deterministic and light on the 2-core machines.
torch.set_num_threads(min(2, os.cpu_count() or 1))


def tiny_jffra_cfg(**kwargs):
    """A JFFRANet config small enough for CPU unit tests (DIS flow)."""
    cfg = dict(
        type='JFFRANet',
        mid_channels=8,
        channel_multipliers=(1, 2),
        num_heads=(1, 2),
        num_res_blocks=1,
        num_reconstruction_blocks=1,
        window_size=8,
        search_radius=4,
        upscale_factor=4,
        flow_estimator=dict(type='DISFlowEstimator', preset='ultrafast'))
    cfg.update(kwargs)
    return cfg


def run_cmd(args, cwd=REPO, timeout=900, env=None):
    """Run a command, fail the test with its output tail when it fails."""
    full_env = dict(os.environ, **(env or {}))
    proc = subprocess.run([str(a) for a in args],
                          cwd=cwd,
                          env=full_env,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          text=True,
                          timeout=timeout)
    assert proc.returncode == 0, (f'{" ".join(map(str, args))} exited '
                                  f'{proc.returncode}:\n{proc.stdout[-6000:]}')
    return proc.stdout


def run_tool(script, *args, code=0):
    """Run ``tools/<script>`` in this process as ``python <script> args``
    would (its ``__main__``); assert its exit code."""
    import runpy
    argv = sys.argv
    sys.argv = [script] + [str(a) for a in args]
    try:
        runpy.run_path(str(REPO / script), run_name='__main__')
    except SystemExit as err:
        got = 0 if err.code is None else err.code
        assert got == code, f'{script} exited with {err.code}'
        return
    finally:
        sys.argv = argv
    assert code == 0, f'{script} exited with 0, expected {code}'


@pytest.fixture(scope='session')
def demo_data(tmp_path_factory):
    """The real demo clip, prepared once per session by the project's tool.

    Set MMJFFRA_DEMO_DATA to reuse an already prepared folder.
    """
    ready = os.environ.get('MMJFFRA_DEMO_DATA')
    if ready:
        return Path(ready)
    out = tmp_path_factory.mktemp('carphone')
    run_cmd([sys.executable, 'tools/prepare_demo_data.py', '--out-dir', out])
    return out


@pytest.fixture(scope='session')
def tiny_data(tmp_path_factory, demo_data):
    """Every dataset of our configs, tiny, in its layout (tiny_datasets.py).

    Returns the folder that plays ``data/`` in the configs.
    """
    from tiny_datasets import build_all
    return build_all(tmp_path_factory.mktemp('datasets'), demo_data)
