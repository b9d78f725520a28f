# Copyright (c) mmjffra contributors. All rights reserved.
"""Facts about input frame sequences that the models test for."""
import torch
from torch import Tensor


def is_mirror_extended(frames: Tensor) -> bool:
    """Whether a sequence is mirror-extended: frame ``i`` equals ``t-1-i``.

    MMagic's Vimeo-90K-T test pipeline mirrors the 7 LQ frames to 14
    (``MirrorSequence``) for recurrent models; the same test as MMagic's
    ``BasicVSR.check_if_mirror_extended``.

    Args:
        frames (Tensor): Frames of shape (n, t, c, h, w).

    Returns:
        bool: True when ``t`` is even and the second half is the first half
        reversed in time.
    """
    if frames.size(1) % 2 != 0:
        return False
    first, second = torch.chunk(frames, 2, dim=1)
    return bool(torch.equal(first, second.flip(1)))
