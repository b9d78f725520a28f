# Copyright (c) mmjffra contributors. All rights reserved.
"""Checkpoint formats other than MMEngine's, each registered by its editor.

A network whose weights are also released in another layout (RVRT's
official files) registers a converter here, in its own package; the
generic loader (:func:`mmjffra.apis.inference_model.load_generator_checkpoint`)
passes every checkpoint through :func:`to_generator_weights` and knows no
format itself.
"""
from typing import Callable, Dict, List, Optional

from torch import nn

#: converters ``state -> state``: each returns the state it does not know
#: unchanged
CHECKPOINT_FORMATS: List[Callable[[Dict], Dict]] = []


def register_checkpoint_format(
        converter: Callable[[Dict], Dict]) -> Callable[[Dict], Dict]:
    """Register ``converter`` (usable as a decorator)."""
    if converter not in CHECKPOINT_FORMATS:
        CHECKPOINT_FORMATS.append(converter)
    return converter


def to_generator_weights(state: Dict) -> Dict:
    """``state`` through every registered converter, in order."""
    for converter in CHECKPOINT_FORMATS:
        state = converter(state)
    return state


def state_dict_mismatch(module: nn.Module, state: Dict) -> Optional[str]:
    """How ``state`` does not fit ``module`` for a strict load, in one
    line (counts and the first keys missing, unexpected and of other
    shapes), or None if it fits."""
    own = module.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    reshaped = [
        key for key in sorted(set(own) & set(state))
        if tuple(state[key].shape) != tuple(own[key].shape)
    ]
    if not (missing or unexpected or reshaped):
        return None
    return (f'{len(missing)} missing keys {missing[:3]}, {len(unexpected)} '
            f'unexpected keys {unexpected[:3]}, {len(reshaped)} of other '
            f'shapes {reshaped[:3]}')
