# Copyright (c) mmjffra contributors. All rights reserved.
from typing import Tuple

import torch.nn.functional as F
from torch import Tensor


def resize_flow(flow: Tensor, size: Tuple[int, int]) -> Tensor:
    """Resize a flow field and rescale its values to the new pixel grid.

    Args:
        flow (Tensor): Flow of shape (n, 2, h, w); channel 0 horizontal,
            channel 1 vertical, in pixels of the (h, w) grid.
        size (tuple[int, int]): Target (h', w').

    Returns:
        Tensor: Flow of shape (n, 2, h', w') in pixels of the new grid.
    """
    h, w = flow.shape[-2:]
    new_h, new_w = size
    if (new_h, new_w) == (h, w):
        return flow
    resized = F.interpolate(
        flow, size=(new_h, new_w), mode='bilinear', align_corners=False)
    scale = flow.new_tensor([new_w / w, new_h / h]).view(1, 2, 1, 1)
    return resized * scale
