# Copyright (c) mmjffra contributors. All rights reserved.
"""Helpers the JFFRA and RVRT models share (their shared layers are in
:mod:`mmjffra.models.archs`, the inference engine in
:mod:`mmjffra.models.inference`)."""
from .checkpoint_formats import (register_checkpoint_format,
                                 to_generator_weights)
from .noise_map import append_noise_map, noise_level_map
from .sequence import is_mirror_extended

__all__ = [
    'append_noise_map', 'noise_level_map', 'is_mirror_extended',
    'register_checkpoint_format', 'to_generator_weights'
]
