# Copyright (c) mmjffra contributors. All rights reserved.
"""What the JFFRA and RVRT models share (besides the flow estimators)."""
from .attention_mask import MASK_VALUE, additive_mask
from .noise_map import append_noise_map, noise_level_map

__all__ = [
    'append_noise_map', 'noise_level_map', 'MASK_VALUE', 'additive_mask'
]
