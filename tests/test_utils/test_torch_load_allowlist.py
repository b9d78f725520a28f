# Copyright (c) mmjffra contributors. All rights reserved.
import os
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner import load_checkpoint

from mmjffra.apis.inference_model import load_generator_checkpoint
from mmjffra.errors import CheckpointMismatchError
from mmjffra.utils import (checkpoint_safe_globals, load_failure,
                           register_checkpoint_safe_globals)
from mmjffra.utils.atomic_checkpoints import checkpoint_problem
from mmjffra.utils.torch_load_allowlist import history_buffer_getattr


class _Payload:
    """Pickles to a call of os.system: what a malicious checkpoint does."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


class _Unknown:
    pass


def mmengine_like_checkpoint():
    buffer = HistoryBuffer()
    buffer.update(0.5)
    buffer.update(np.float64(0.25))
    return {
        'meta': {
            'epoch': 0,
            'iter': np.int64(2),
            'seed': np.int32(7),
            'mmengine_version': '0.10.7',
        },
        'state_dict': {
            'w': torch.ones(2)
        },
        'message_hub': {
            'log_scalars': {
                'train/loss': buffer
            },
            'runtime_info': {
                'arr': np.arange(3, dtype=np.float32)
            },
        },
    }


def test_import_registers_globals():
    assert register_checkpoint_safe_globals()
    safe = checkpoint_safe_globals()
    names = {getattr(g, '__name__', '') for g in safe}
    assert {'HistoryBuffer', '_reconstruct', 'scalar', 'ndarray',
            'dtype'} <= names
    for obj in safe:
        assert obj not in (os.system, eval, exec, getattr)
    assert (history_buffer_getattr, 'builtins.getattr') in safe


def test_restricted_getattr():
    assert history_buffer_getattr(HistoryBuffer, 'mean') is HistoryBuffer.mean
    with pytest.raises(pickle.UnpicklingError, match='statistics'):
        history_buffer_getattr(HistoryBuffer, '__init__')
    with pytest.raises(pickle.UnpicklingError, match='statistics'):
        history_buffer_getattr(os, 'system')


class _GetattrPayload:
    """Pickles to getattr(HistoryBuffer, '__init__'): an attribute that is
    not a statistics method, refused by the restricted getattr."""

    def __reduce__(self):
        return (getattr, (HistoryBuffer, '__init__'))


def test_mmengine_checkpoint_loads_with_weights_only(tmp_path):
    path = tmp_path / 'ckpt.pth'
    torch.save(mmengine_like_checkpoint(), path)
    ckpt = torch.load(path, weights_only=True)
    assert ckpt['meta']['iter'] == 2
    buffer = ckpt['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.mean() == pytest.approx(0.375)
    np.testing.assert_array_equal(ckpt['message_hub']['runtime_info']['arr'],
                                  [0, 1, 2])


def test_malicious_pickle_is_refused(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'x': _Payload(marker)}, path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
    with pytest.raises(pickle.UnpicklingError):
        load_checkpoint(torch.nn.Linear(1, 1), str(path))
    assert not marker.exists()
    # the one-line reasons name the blocked global, which torch writes
    # below its first line
    with pytest.raises(CheckpointMismatchError) as err:
        load_generator_checkpoint(torch.nn.Linear(1, 1), str(path))
    assert f'cannot read checkpoint {str(path)!r}: weights-only loading ' \
        'refused the global posix.system' in str(err.value)
    assert '\n' not in str(err.value)
    assert 'posix.system' in checkpoint_problem(str(path))
    assert not marker.exists()
    assert load_failure(OSError()) == 'OSError'
    assert load_failure(RuntimeError('short\nlong')) == 'short'


def test_other_objects_are_still_refused(tmp_path):
    path = tmp_path / 'unknown.pth'
    torch.save({'state_dict': {}, 'x': _Unknown()}, path)
    with pytest.raises(pickle.UnpicklingError, match='_Unknown'):
        torch.load(path, weights_only=True)
    path = tmp_path / 'getattr.pth'
    torch.save({'x': _GetattrPayload()}, path)
    with pytest.raises(pickle.UnpicklingError, match='__init__'):
        torch.load(path, weights_only=True)


def test_safetensors_weights_load_everywhere_without_pickle(tmp_path):
    """A .safetensors file of the generator's weights loads through
    MMEngine's loader (load_from, test.py) and the restore path, equal to
    the .pth it was made from; a file that is not one is refused."""
    import pytest
    import torch
    from mmengine.runner import CheckpointLoader

    from mmjffra.apis import VideoRestorer
    from mmjffra.errors import CheckpointMismatchError
    from mmjffra.utils import save_safetensors
    config = 'configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py'
    pth = 'weights/jffra-small-x4_skvideo-6589d868.pth'
    ckpt = torch.load(pth, weights_only=True)
    path = tmp_path / 'w.safetensors'
    save_safetensors(str(path), ckpt['state_dict'], ckpt['meta'])
    loaded = CheckpointLoader.load_checkpoint(str(path), logger='silent')
    assert loaded['meta'] == ckpt['meta']
    assert loaded['state_dict'].keys() == ckpt['state_dict'].keys()
    assert all(
        torch.equal(loaded['state_dict'][k], v)
        for k, v in ckpt['state_dict'].items())
    frames = [np.full((32, 32, 3), 40 * i, np.uint8) for i in range(3)]
    a = list(VideoRestorer(config, str(path)).restore_stream(frames))
    b = list(VideoRestorer(config, pth).restore_stream(frames))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    bad = tmp_path / 'bad.safetensors'
    bad.write_bytes(b'\x80\x02 a pickle')
    with pytest.raises(CheckpointMismatchError, match='not a safetensors'):
        VideoRestorer(config, str(bad))
