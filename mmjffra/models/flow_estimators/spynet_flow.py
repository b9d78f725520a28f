# Copyright (c) mmjffra contributors. All rights reserved.
from typing import Optional

from mmagic.models.editors.basicvsr.basicvsr_net import SPyNet
from mmagic.registry import MODELS
from torch import Tensor

from .base_flow_estimator import BaseFlowEstimator


@MODELS.register_module()
class SPyNetFlowEstimator(BaseFlowEstimator):
    """Frozen SPyNet (Ranjan and Black, CVPR 2017), MMagic's implementation.

    Wraps :class:`mmagic.models.editors.basicvsr.basicvsr_net.SPyNet`, which
    normalises RGB input in [0, 1] itself and resizes any size to a multiple
    of 32 internally, so inputs of any size (also < 128 px) are accepted.

    Args:
        pretrained (str, optional): Local path of SPyNet weights (MMagic's
            ``spynet_20210409-c6c1bd09.pth`` layout), or 'random' for random
            weights (tests, benchmarks). None is refused (see
            :class:`BaseFlowEstimator`). Default: None.
    """

    weights_url = ('https://download.openmmlab.com/mmediting/restorers/'
                   'basicvsr/spynet_20210409-c6c1bd09.pth')

    def __init__(self, pretrained: Optional[str] = None) -> None:
        super().__init__(pretrained=pretrained)
        self.spynet = SPyNet(pretrained=None)
        if pretrained != 'random':
            self.load_local_weights(self.spynet, pretrained)
        self.freeze()

    def compute_flow(self, ref: Tensor, supp: Tensor) -> Tensor:
        if ref.size(1) == 1:
            ref, supp = ref.expand(-1, 3, -1, -1), supp.expand(-1, 3, -1, -1)
        return self.spynet(ref, supp)
