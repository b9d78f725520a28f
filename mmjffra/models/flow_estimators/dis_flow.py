# Copyright (c) mmjffra contributors. All rights reserved.
import cv2
import numpy as np
import torch
from mmagic.registry import MODELS
from torch import Tensor

from .base_flow_estimator import BaseFlowEstimator

_PRESETS = {
    'ultrafast': cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST,
    'fast': cv2.DISOPTICAL_FLOW_PRESET_FAST,
    'medium': cv2.DISOPTICAL_FLOW_PRESET_MEDIUM,
}


@MODELS.register_module()
class DISFlowEstimator(BaseFlowEstimator):
    """Classical DIS optical flow (Kroeger et al., ECCV 2016) from OpenCV.

    Needs no weights, so a user without a pretrained RAFT/SPyNet file still
    gets real initial flow. Runs on the CPU (frames are moved there and the
    flow moved back), on 8-bit grey images, without gradients.

    Args:
        preset (str): 'ultrafast', 'fast' or 'medium'. Default: 'medium'.
        variational_refinement_iters (int, optional): Overrides the preset's
            number of variational refinement iterations. Default: None.
    """

    learned = False
    #: frames are edge-padded to at least this side (OpenCV's DIS refuses
    #: images under 12 px on a side)
    min_size = 16

    def __init__(self,
                 preset: str = 'medium',
                 variational_refinement_iters=None) -> None:
        super().__init__(pretrained=None)
        if preset not in _PRESETS:
            raise ValueError(f'preset must be one of {sorted(_PRESETS)}, '
                             f'got {preset!r}')
        self.preset = preset
        self.variational_refinement_iters = variational_refinement_iters
        self.freeze()

    def _create(self):
        dis = cv2.DISOpticalFlow_create(_PRESETS[self.preset])
        if self.variational_refinement_iters is not None:
            dis.setVariationalRefinementIterations(
                int(self.variational_refinement_iters))
        return dis

    @staticmethod
    def _to_grey_uint8(img: Tensor) -> np.ndarray:
        """(c, h, w) tensor in [0, 1] -> (h, w) uint8 grey image."""
        if img.size(0) == 3:
            # ITU-R BT.601 luma, as cv2.cvtColor(RGB2GRAY).
            img = (0.299 * img[0] + 0.587 * img[1] + 0.114 * img[2])
        else:
            img = img[0]
        img = (img.clamp(0, 1) * 255.).round().to(torch.uint8)
        return np.ascontiguousarray(img.cpu().numpy())

    def compute_flow(self, ref: Tensor, supp: Tensor) -> Tensor:
        h, w = ref.shape[-2:]
        # OpenCV's DIS refuses images under 12 px: edge-pad to min_size
        # replication (the flow of the real pixels is cropped back)
        pad = ((0, max(0, self.min_size - h)), (0, max(0, self.min_size - w)))
        flows = []
        for r, s in zip(ref, supp):
            # a fresh instance per pair: OpenCV's DIS object carries state
            # from one calc() to the next, which would make a pair's flow
            # depend on the pairs before it
            dis = self._create()
            r, s = (
                np.pad(self._to_grey_uint8(x), pad, mode='edge')
                for x in (r, s))
            flow = dis.calc(r, s, None)[:h, :w]
            flows.append(torch.from_numpy(flow.copy()).permute(2, 0, 1))
        return torch.stack(flows).to(device=ref.device, dtype=torch.float32)

    def extra_repr(self) -> str:
        return f'preset={self.preset!r}'
