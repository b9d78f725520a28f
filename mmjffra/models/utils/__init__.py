# Copyright (c) mmjffra contributors. All rights reserved.
"""What the JFFRA and RVRT models share (besides the flow estimators)."""
from .attention_mask import MASK_VALUE, additive_mask
from .clip_restorer import (ClipRestorer, auto_max_windows, run_tiled,
                            tile_spans, windows_for_memory)
from .inference_spec import (MMAGIC_INFERENCE_SPECS, PADDINGS, InferenceSpec,
                             get_inference_spec, window_indices)
from .noise_map import append_noise_map, noise_level_map
from .sequence import is_mirror_extended

__all__ = [
    'append_noise_map', 'noise_level_map', 'MASK_VALUE', 'additive_mask',
    'InferenceSpec', 'MMAGIC_INFERENCE_SPECS', 'PADDINGS',
    'get_inference_spec', 'ClipRestorer', 'run_tiled', 'tile_spans',
    'window_indices', 'auto_max_windows', 'windows_for_memory',
    'is_mirror_extended'
]
