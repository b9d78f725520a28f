# Copyright (c) mmjffra contributors. All rights reserved.
"""Restore a user's videos: one module per job.

- :mod:`.inference_model`: a model for inference from a config and a
  checkpoint;
- :mod:`.arguments`: the restoration's arguments, checked first;
- :mod:`.video_restorer`: :class:`VideoRestorer`, streams and files, on
  the inference engine (:mod:`mmjffra.models.inference`);
- :mod:`.resumable`: an output written in segments that survives any
  interruption, shared out among the ranks of a process group;
- :mod:`.progress`: progress on rich's bar;
- :mod:`.video_io`, :mod:`.video_writer`, :mod:`.restore_output`: reading
  and safe writing (their errors: :mod:`mmjffra.errors`).
"""
from mmjffra.errors import (CheckpointMismatchError, RestorationError,
                            VideoInputError)
from .inference_model import load_generator_checkpoint
from .progress import RestoreProgress
from .video_io import FrameReader
from .video_restorer import VideoRestorer
from .video_writer import FrameWriter

__all__ = [
    'VideoRestorer', 'CheckpointMismatchError', 'RestorationError',
    'FrameReader', 'FrameWriter', 'VideoInputError', 'RestoreProgress',
    'load_generator_checkpoint'
]
