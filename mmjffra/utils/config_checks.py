# Copyright (c) mmjffra contributors. All rights reserved.
"""Refuse config keys that nothing reads.

``model.test_cfg`` is a free dict: the wrappers take the keys they know
with ``test_cfg.get(key, default)``, so a misspelt key
(``max_windows_per_forwrd=2``) was silently ignored by ``tools/test.py``
and ``tools/restore_video.py``. Our wrappers declare the keys they read in
a ``test_cfg_keys`` class attribute (``JFFRA.test_cfg_keys``,
``RVRT.test_cfg_keys``); MMagic's wrappers get theirs from
:data:`MMAGIC_TEST_CFG_KEYS`, the one adapter table. :func:`check_test_cfg`
names an unknown key and the known ones.
"""
from typing import Dict, Optional, Tuple

from mmjffra.errors import UnknownConfigKeyError

#: MMagic wrapper class name -> the ``model.test_cfg`` keys read for it (the
#: first class of a wrapper's MRO found here decides).
#: ``max_windows_per_forward`` is read by :class:`mmjffra.apis.VideoRestorer`
#: for every window network (EDVR).
MMAGIC_TEST_CFG_KEYS: Dict[str, Tuple[str, ...]] = {
    'EDVR': ('max_windows_per_forward', ),
    'BasicVSR': (),
}


def known_test_cfg_keys(model_type) -> Optional[Tuple[str, ...]]:
    """The ``test_cfg`` keys a model wrapper reads, or None if unknown.

    Args:
        model_type (str | type): ``model.type`` of a config (a registered
            name, with or without scope, or the class).

    Returns:
        tuple[str] | None: The wrapper's ``test_cfg_keys`` declaration, else
        its entry of :data:`MMAGIC_TEST_CFG_KEYS`, else None.
    """
    cls = model_type
    if isinstance(model_type, str):
        from mmagic.registry import MODELS
        cls = MODELS.get(model_type)
    if not isinstance(cls, type):
        return None
    declared = getattr(cls, 'test_cfg_keys', None)
    if declared is not None:
        return tuple(declared)
    for klass in cls.__mro__:
        if klass.__name__ in MMAGIC_TEST_CFG_KEYS:
            return MMAGIC_TEST_CFG_KEYS[klass.__name__]
    return None


def check_test_cfg(model_cfg: Dict) -> None:
    """Refuse keys of ``model_cfg['test_cfg']`` that its wrapper does not
    read (wrappers that declare nothing and are not in
    :data:`MMAGIC_TEST_CFG_KEYS` are not checked).

    Args:
        model_cfg (dict): A config's ``model``.

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


BUILD_ERRORS = (KeyError, TypeError, ValueError)


def build_error_line(err: BaseException) -> str:
    """One line for an error raised while a config's modules are built (a
    misspelt ``type``, an unknown argument, a value out of range): the
    registry's or the module's own message, whitespace folded."""
    text = err.args[0] if isinstance(err, KeyError) and err.args else err
    text = ' '.join(str(text).split())
    cut = text.find(' Please check whether')  # MMEngine's registry advice
    return text[:cut] if cut > 0 else text
