# Copyright (c) mmjffra contributors. All rights reserved.
"""Layers and helpers the JFFRA and RVRT models share (besides the flow
estimators and the inference engine, :mod:`mmjffra.models.inference`)."""
from .attention_mask import MASK_VALUE, additive_mask
from .checkpoint_formats import (register_checkpoint_format,
                                 to_generator_weights)
from .noise_map import append_noise_map, noise_level_map
from .sequence import is_mirror_extended

__all__ = [
    'append_noise_map', 'noise_level_map', 'MASK_VALUE', 'additive_mask',
    'is_mirror_extended', 'register_checkpoint_format', 'to_generator_weights'
]
