# Copyright (c) mmjffra contributors. All rights reserved.
"""The inference engine: what a network declares, and how a clip is
restored from the declaration.

- :mod:`.spec`: :class:`InferenceSpec` (window or sequence, scale, spatial
  multiples), the one adapter table of MMagic's networks, and the frames of
  a window;
- :mod:`.clip_restorer`: :class:`ClipRestorer`, the one inference path
  (windows, chunks with context, spatial tiles) used by the wrappers' test
  modes, ``tools/test.py`` and :class:`mmjffra.apis.VideoRestorer`;
- :mod:`.streaming`: the same on a stream of frames read as they come;
- :mod:`.test_options`: the ``model.test_cfg`` vocabulary every wrapper
  speaks, checked in one place;
- :mod:`.memory`: the windows per forward that fit a GPU's memory.
"""
from .clip_restorer import ChunkSpan, ClipRestorer, run_tiled, tile_spans
from .memory import (MemoryModel, auto_max_windows, available_bytes,
                     check_frame_memory, fit_memory_model, peak_bytes,
                     windows_for_memory)
from .spec import (MMAGIC_ADAPTERS, PADDINGS, InferenceSpec, MMagicAdapter,
                   check_padding, check_tile, get_inference_spec,
                   window_indices)
from .streaming import FrameBuffer, stream_chunks, stream_windows
from .test_options import (TEST_OPTIONS, check_test_cfg, known_test_cfg_keys,
                           parse_test_cfg)

__all__ = [
    'InferenceSpec', 'MMagicAdapter', 'MMAGIC_ADAPTERS', 'PADDINGS',
    'check_padding', 'check_tile', 'get_inference_spec', 'window_indices',
    'ClipRestorer', 'ChunkSpan', 'run_tiled', 'tile_spans', 'auto_max_windows',
    'windows_for_memory', 'MemoryModel', 'available_bytes',
    'check_frame_memory', 'fit_memory_model', 'peak_bytes', 'FrameBuffer',
    'stream_chunks', 'stream_windows', 'TEST_OPTIONS', 'parse_test_cfg',
    'check_test_cfg', 'known_test_cfg_keys'
]
