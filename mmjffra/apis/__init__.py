# Copyright (c) mmjffra contributors. All rights reserved.
from .video_io import FrameReader, FrameWriter, VideoInputError
from .video_restorer import (CheckpointMismatchError, Progress,
                             RestorationError, VideoRestorer,
                             load_generator_checkpoint)

__all__ = [
    'VideoRestorer', 'CheckpointMismatchError', 'RestorationError',
    'FrameReader', 'FrameWriter', 'VideoInputError', 'Progress',
    'load_generator_checkpoint'
]
