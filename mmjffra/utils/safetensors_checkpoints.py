# Copyright (c) mmjffra contributors. All rights reserved.
"""Weights-only ``.safetensors`` checkpoints through MMEngine's loader.

MMEngine's :class:`~mmengine.runner.CheckpointLoader` picks a loader by a
path's prefix (a regular expression); :func:`register_safetensors_loader`
registers one for local paths ending in ``.safetensors``, so that
``load_from``, ``tools/test.py``, ``tools/restore_video.py`` and
``load_checkpoint`` read them with no pickle involved. A file written by
:func:`save_safetensors` holds the weights (float tensors of any dtype) and
the training's ``meta`` as JSON in the file's metadata; it loads as
``{'state_dict': ..., 'meta': ...}``, the shape of an MMEngine checkpoint.
"""
import json
import os.path as osp
from typing import Dict, Optional

SCHEME = r'.*\.safetensors$'


def load_from_safetensors(filename: str, map_location=None) -> Dict:
    """Read a ``.safetensors`` file as an MMEngine checkpoint dict."""
    from safetensors import safe_open
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    device = 'cpu' if map_location in (None, 'cpu') else str(map_location)
    with safe_open(filename, framework='pt', device=device) as f:
        state = {key: f.get_tensor(key) for key in f.keys()}
        meta = json.loads((f.metadata() or {}).get('meta', '{}'))
    return {'state_dict': state, 'meta': meta}


def save_safetensors(path: str,
                     state_dict: Dict,
                     meta: Optional[Dict] = None) -> None:
    """Write ``state_dict`` (tensors) and ``meta`` (JSON-able) to ``path``.
    """
    from safetensors.torch import save_file
    tensors = {k: v.contiguous() for k, v in state_dict.items()}
    save_file(tensors, path, metadata={'meta': json.dumps(meta or {})})


def register_safetensors_loader() -> None:
    """Register :func:`load_from_safetensors` with MMEngine's loader (URL
    schemes keep precedence: they are matched first)."""
    from mmengine.runner import CheckpointLoader
    CheckpointLoader.register_scheme(
        prefixes=SCHEME, loader=load_from_safetensors, force=True)
