# Copyright (c) mmjffra contributors. All rights reserved.
"""Refuse config keys that nothing reads.

``model.test_cfg`` is a free dict: the wrappers take the keys they know
with ``test_cfg.get(key, default)``, so a misspelt key
(``max_windows_per_forwrd=2``) was silently ignored by ``tools/test.py``
and ``tools/restore_video.py``. :func:`check_test_cfg` names it and the
known ones.
"""
from typing import Dict, Optional, Tuple

# keys of model.test_cfg read by each wrapper (the first class of a
# wrapper's MRO found here decides); ``max_windows_per_forward`` is also
# read by tools/restore_video.py for every window network (EDVR)
TEST_CFG_KEYS: Dict[str, Tuple[str, ...]] = {
    'JFFRA': ('padding', 'max_windows_per_forward', 'tile', 'tile_overlap'),
    'RVRT': ('tile', 'tile_overlap'),
    'EDVR': ('max_windows_per_forward', ),
    'BasicVSR': (),
}


class UnknownConfigKeyError(KeyError):
    """A config key that nothing reads (a misspelling, most likely)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def known_test_cfg_keys(model_type) -> Optional[Tuple[str, ...]]:
    """The ``test_cfg`` keys a model wrapper reads, or None if unknown.

    Args:
        model_type (str | type): ``model.type`` of a config (a registered
            name, with or without scope, or the class).
    """
    cls = model_type
    if isinstance(model_type, str):
        from mmagic.registry import MODELS
        cls = MODELS.get(model_type)
    if not isinstance(cls, type):
        return None
    for klass in cls.__mro__:
        if klass.__name__ in TEST_CFG_KEYS:
            return TEST_CFG_KEYS[klass.__name__]
    return None


def check_test_cfg(model_cfg: Dict) -> None:
    """Refuse keys of ``model_cfg['test_cfg']`` that its wrapper does not
    read (wrappers not in :data:`TEST_CFG_KEYS` are not checked).

    Raises:
        UnknownConfigKeyError: Naming the key and the known ones.
    """
    test_cfg = model_cfg.get('test_cfg') or {}
    known = known_test_cfg_keys(model_cfg.get('type'))
    if known is None:
        return
    unknown = sorted(set(test_cfg) - set(known))
    if unknown:
        raise UnknownConfigKeyError(
            f'unknown key model.test_cfg.{unknown[0]} for '
            f'{model_cfg.get("type")}: the known keys are '
            f'{", ".join(known) or "none"}')
