# Copyright (c) mmjffra contributors. All rights reserved.
import math
from typing import Optional

import torch
import torch.nn.functional as F
from mmagic.registry import MODELS
from torch import Tensor

from .base_flow_estimator import BaseFlowEstimator

_ARCHS = ('raft_small', 'raft_large')


@MODELS.register_module()
class RAFTFlowEstimator(BaseFlowEstimator):
    """Frozen RAFT (Teed and Deng, ECCV 2020) from ``torchvision``.

    The JFFRA paper computes its initial flow with a pre-trained RAFT.
    Inputs in [0, 1] are scaled to [-1, 1] as torchvision's RAFT expects and
    replicate-padded on the right and bottom so that each side is at least
    ``min_size`` (RAFT refuses feature maps under 16 px, i.e. images under
    128 px) and a multiple of 8; the flow is cropped back to the input size,
    so its values need no rescaling.

    Args:
        arch (str): 'raft_small' or 'raft_large'. Default: 'raft_small'.
        pretrained (str, optional): Local checkpoint path (a torchvision
            RAFT ``state_dict``), or 'torchvision' to let torchvision
            download its default weights (needs internet access), or
            'random' for random weights (tests, benchmarks). None is refused
            (see :class:`BaseFlowEstimator`). Default: None.
        num_flow_updates (int): RAFT's recurrent refinement iterations.
            Default: 12 (torchvision's default).
        min_size (int): Minimum padded side. Default: 128.
    """

    def __init__(self,
                 arch: str = 'raft_small',
                 pretrained: Optional[str] = None,
                 num_flow_updates: int = 12,
                 min_size: int = 128) -> None:
        from torchvision.models import optical_flow
        if arch not in _ARCHS:
            raise ValueError(f'arch must be one of {_ARCHS}, got {arch!r}')
        weights_enum = {
            'raft_small': optical_flow.Raft_Small_Weights,
            'raft_large': optical_flow.Raft_Large_Weights
        }[arch]
        self.weights_url = (f'{weights_enum.DEFAULT.url} (torchvision\'s '
                            f'{weights_enum.DEFAULT})')
        super().__init__(pretrained=pretrained)
        self.arch = arch
        self.num_flow_updates = num_flow_updates
        self.min_size = min_size
        builder = getattr(optical_flow, arch)
        if pretrained == 'torchvision':
            weights = weights_enum.DEFAULT
            try:
                self.raft = builder(weights=weights, progress=False)
            except Exception as err:  # no network, proxy, ...
                raise RuntimeError(
                    f'RAFTFlowEstimator: downloading torchvision weights '
                    f'{weights} failed ({err}). Download the file where you '
                    'have internet access and pass its local path as '
                    '`pretrained`.') from err
        else:
            self.raft = builder(weights=None)
            if pretrained != 'random':
                self.load_local_weights(self.raft, pretrained)
        self.freeze()

    def _padded_size(self, size: int) -> int:
        if isinstance(size, Tensor):  # a traced size (ONNX export)
            return torch.clamp((size + 7) // 8 * 8, min=self.min_size)
        return max(self.min_size, int(math.ceil(size / 8) * 8))

    def compute_flow(self, ref: Tensor, supp: Tensor) -> Tensor:
        n, c, h, w = ref.shape
        if c == 1:
            ref, supp = ref.expand(-1, 3, -1, -1), supp.expand(-1, 3, -1, -1)
        pad = (0, self._padded_size(w) - w, 0, self._padded_size(h) - h)
        ref = F.pad(ref * 2 - 1, pad, mode='replicate')
        supp = F.pad(supp * 2 - 1, pad, mode='replicate')
        flows = self.raft(
            ref.contiguous(),
            supp.contiguous(),
            num_flow_updates=self.num_flow_updates)
        return flows[-1][:, :, :h, :w]

    def extra_repr(self) -> str:
        return (f'arch={self.arch!r}, num_flow_updates='
                f'{self.num_flow_updates}')
