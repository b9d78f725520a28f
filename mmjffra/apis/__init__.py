# Copyright (c) mmjffra contributors. All rights reserved.
from .video_io import FrameReader, FrameWriter, VideoInputError
from .video_restorer import CheckpointMismatchError, VideoRestorer

__all__ = [
    'VideoRestorer', 'CheckpointMismatchError', 'FrameReader', 'FrameWriter',
    'VideoInputError'
]
