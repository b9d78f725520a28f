# Copyright (c) mmjffra contributors. All rights reserved.
"""The test options of every model wrapper: one vocabulary, checked here.

``model.test_cfg`` of our wrappers speaks the words of
:class:`~mmjffra.models.inference.clip_restorer.ClipRestorer` (the one
inference path), each wrapper reading those that apply to its network:

- ``padding``: how windows are padded at the clip ends ('reflection' or
  'replicate'; window networks);
- ``max_windows_per_forward``: windows batched into one forward, an int or
  ``'auto'`` (as many as fit 70% of the free GPU memory; window networks);
- ``chunk``, ``chunk_overlap``: frames per forward of a sequence network
  (None: the whole clip) and the context frames on each side of a chunk,
  whose outputs are discarded;
- ``tile``, ``tile_overlap``: spatial tiles in input pixels, a side or
  ``(h, w)`` (None: whole frames), blended over the overlap.

A wrapper declares the keys it reads in ``test_cfg_keys``; MMagic's
wrappers get theirs from :data:`~.spec.MMAGIC_ADAPTERS`.
:func:`check_test_cfg` refuses a key nothing reads (a misspelling) and
:func:`parse_test_cfg` a value out of range, both naming the key.
"""
from typing import Dict, Optional, Tuple

from mmjffra.errors import UnknownConfigKeyError
from .spec import MMAGIC_ADAPTERS, check_padding, check_tile

#: The vocabulary and its defaults.
TEST_OPTIONS = dict(
    padding='reflection',
    max_windows_per_forward=1,
    chunk=None,
    chunk_overlap=0,
    tile=None,
    tile_overlap=32)


def _pair(value, key: str, low: int):
    """An int or (h, w) of ints, each at least ``low``."""
    values = (value, ) if isinstance(value, int) else tuple(value)
    if len(values) not in (1, 2) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= low
            for v in values):
        extra = ' (frames per forward are test_cfg.chunk)' \
            if len(values) == 3 else ''
        raise ValueError(f'test_cfg.{key} must be an int >= {low} or (h, w) '
                         f'of them, got {value!r}{extra}')
    return value if isinstance(value, int) else values


def parse_test_cfg(test_cfg: Optional[Dict],
                   keys: Tuple[str, ...] = tuple(TEST_OPTIONS),
                   **defaults) -> Dict:
    """The options of ``keys`` from ``test_cfg``, checked.

    Args:
        test_cfg (dict, optional): ``model.test_cfg``.
        keys (tuple[str]): The keys the wrapper reads.
        **defaults: The wrapper's defaults over :data:`TEST_OPTIONS`.

    Returns:
        dict: key -> value, for every key of ``keys``.

    Raises:
        ValueError: A value out of range, naming ``test_cfg.<key>``.
    """
    options = {k: defaults.get(k, TEST_OPTIONS[k]) for k in keys}
    options.update({k: v for k, v in (test_cfg or {}).items() if k in keys})
    if 'padding' in options:
        try:
            check_padding(options['padding'])
        except ValueError as err:
            raise ValueError(f'test_cfg.{err}') from err
    windows = options.get('max_windows_per_forward', 1)
    if windows != 'auto' and (not isinstance(windows, int) or windows < 1):
        raise ValueError('test_cfg.max_windows_per_forward must be a '
                         f'positive int or "auto", got {windows!r}')
    chunk = options.get('chunk')
    if chunk is not None and not (isinstance(chunk, int) and chunk >= 1):
        raise ValueError(
            f'test_cfg.chunk must be an int >= 1 or None, got {chunk!r}')
    if 'chunk_overlap' in options and not (isinstance(
            options['chunk_overlap'], int) and options['chunk_overlap'] >= 0):
        raise ValueError('test_cfg.chunk_overlap must be an int >= 0, got '
                         f'{options["chunk_overlap"]!r}')
    if options.get('tile') is not None:
        options['tile'] = _pair(options['tile'], 'tile', 1)
        options['tile_overlap'] = _pair(options['tile_overlap'],
                                        'tile_overlap', 0)
        try:
            check_tile(options['tile'], options['tile_overlap'])
        except ValueError as err:
            raise ValueError(f'test_cfg: {err}') from err
    return options


def known_test_cfg_keys(model_type) -> Optional[Tuple[str, ...]]:
    """The ``test_cfg`` keys a model wrapper reads, or None if unknown.

    Args:
        model_type (str | type): ``model.type`` of a config (a registered
            name, with or without scope, or the class).

    Returns:
        tuple[str] | None: The wrapper's ``test_cfg_keys`` declaration, else
        those of the first class of its MRO that
        :data:`~.spec.MMAGIC_ADAPTERS` names as a wrapper, else None.
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
    wrappers = {a.wrapper: a.test_cfg_keys for a in MMAGIC_ADAPTERS.values()}
    for klass in cls.__mro__:
        if klass.__name__ in wrappers:
            return wrappers[klass.__name__]
    return None


def check_test_cfg(model_cfg: Dict) -> None:
    """Refuse keys of ``model_cfg['test_cfg']`` that its wrapper does not
    read (wrappers that declare nothing and are not in the adapter table
    are not checked).

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
