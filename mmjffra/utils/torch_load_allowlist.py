# Copyright (c) mmjffra contributors. All rights reserved.
"""Let ``torch.load(weights_only=True)`` read MMEngine checkpoints.

Since PyTorch 2.6 ``torch.load`` defaults to ``weights_only=True``: its
unpickler only rebuilds tensors, containers and primitive types, plus the
globals registered with :func:`torch.serialization.add_safe_globals`. A
checkpoint written by MMEngine's ``Runner`` also holds its ``message_hub``
(``HistoryBuffer`` objects whose state is numpy arrays) and numpy scalars in
``meta``, so ``tools/test.py`` and ``--resume`` fail with ``UnpicklingError:
Weights only load failed``.

Instead of turning ``weights_only`` off (which lets a checkpoint run arbitrary
code), :func:`register_checkpoint_safe_globals` allow-lists exactly the
globals such checkpoints contain (read with ``pickletools`` from a runner
checkpoint): MMEngine's ``HistoryBuffer``, the numpy array, dtype and scalar
reconstructors with the dtype classes named in :data:`CHECKPOINT_DTYPES`
(float and integer types, no module wildcard), and ``builtins.getattr``,
which the pickle of a ``HistoryBuffer`` uses to name its statistics methods
(``getattr(HistoryBuffer, 'mean')``). ``getattr`` is not allow-listed as
such: the name ``builtins.getattr`` is bound to
:func:`history_buffer_getattr`, which resolves only those statistics
methods of ``HistoryBuffer`` and refuses any other attribute. Anything else,
e.g. ``os.system`` or ``builtins.eval``, is still refused by the unpickler.
"""
import pickle
import re
from typing import List

import numpy as np
import torch

_REGISTERED = False

# The numpy dtype classes (numpy >= 1.25 pickles a dtype by its class) of
# the arrays and scalars MMEngine checkpoints hold: float statistics in the
# message hub, integer counters and seeds in ``meta``.
CHECKPOINT_DTYPES = ('Float64DType', 'Float32DType', 'Float16DType',
                     'Int64DType', 'Int32DType', 'BoolDType')


def _numpy_globals() -> List:
    """Return the numpy reconstruction globals MMEngine checkpoints use."""
    # numpy < 2 keeps these under numpy.core, numpy >= 2 under numpy._core;
    # pickles written by either name the module they were written with.
    from numpy.core import multiarray
    allowed = [
        multiarray._reconstruct, multiarray.scalar, np.ndarray, np.dtype
    ]
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        allowed += [getattr(dtypes, name) for name in CHECKPOINT_DTYPES]
    return allowed


_HISTORY_BUFFER_STATS = ('min', 'max', 'current', 'mean')


def history_buffer_getattr(obj, name: str):
    """``getattr`` restricted to ``HistoryBuffer``'s statistics methods.

    Stands in for ``builtins.getattr`` while unpickling with
    ``weights_only=True``.

    Args:
        obj: The object the pickle asks an attribute of.
        name (str): The attribute.

    Returns:
        The statistics method ``HistoryBuffer.<name>``.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    allowed = set(_HISTORY_BUFFER_STATS) | set(
        HistoryBuffer._statistics_methods)
    if obj is not HistoryBuffer or name not in allowed:
        raise pickle.UnpicklingError(
            f'checkpoint asks for getattr({obj!r}, {name!r}); only '
            f'HistoryBuffer statistics methods {sorted(allowed)} are allowed')
    return getattr(HistoryBuffer, name)


def checkpoint_safe_globals() -> List:
    """Return the globals that MMEngine runner checkpoints need.

    Returns:
        list: Classes and functions, and ``(function, name)`` pairs, for
        :func:`torch.serialization.add_safe_globals`.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    return [HistoryBuffer,
            (history_buffer_getattr, 'builtins.getattr')] + _numpy_globals()


def register_checkpoint_safe_globals() -> bool:
    """Allow-list MMEngine checkpoint globals for ``weights_only`` loading.

    Idempotent. Does nothing on PyTorch versions without
    ``torch.serialization.add_safe_globals`` (< 2.4), where ``torch.load``
    does not default to ``weights_only=True`` anyway.

    Returns:
        bool: True if the globals are (now) registered.
    """
    global _REGISTERED
    if _REGISTERED:
        return True
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is None:
        return False
    add_safe_globals(checkpoint_safe_globals())
    _REGISTERED = True
    return True


def load_failure(err: BaseException) -> str:
    """One line saying why ``torch.load`` failed: for a weights-only
    refusal, the global it blocked (e.g. ``posix.system``, which torch
    writes below its first line), else torch's first line."""
    text = str(err).strip()
    blocked = re.search(r'unsupported GLOBAL (\S+)', text)
    if blocked:
        return (f'weights-only loading refused the global {blocked.group(1)}'
                ' (a pickled object that would run code when loaded)')
    return text.splitlines()[0] if text else type(err).__name__
