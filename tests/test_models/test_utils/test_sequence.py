# Copyright (c) mmjffra contributors. All rights reserved.
import torch

from mmjffra.models.utils import is_mirror_extended


def test_is_mirror_extended():
    frames = torch.rand(2, 7, 3, 4, 5)
    mirrored = torch.cat([frames, frames.flip(1)], dim=1)
    assert is_mirror_extended(mirrored)
    assert not is_mirror_extended(frames)  # odd length
    assert not is_mirror_extended(torch.cat([frames, frames], dim=1))
    changed = mirrored.clone()
    changed[1, -1, 0, 0, 0] += 1e-3  # one value of one sample
    assert not is_mirror_extended(changed)
