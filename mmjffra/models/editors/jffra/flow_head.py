# Copyright (c) mmjffra contributors. All rights reserved.
"""Flow head predicting a flow residual from a cost volume (JFFRA eq. 5)."""
import torch
from mmagic.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class FlowHead(nn.Module):
    """Predict a flow residual from a cost volume and two feature maps.

    ``delta = FlowHead(cost, ref_feat, supp_feat)`` with three 3x3 convs
    (LeakyReLU 0.1 in between) on the concatenation of its inputs. The last
    conv is initialised to zero (offset learning, as in the paper): at
    initialisation the residual is exactly zero, so the refined flow equals
    the flow it refines, and training only learns the deviation.

    Args:
        cost_channels (int): Channels of the cost volume (81 for 9x9).
        feat_channels (int): Channels of each feature map.
        hidden_channels (int): Channels of the hidden convs.
        out_channels (int): Output channels. Default: 2 (a flow field).
    """

    def __init__(self,
                 cost_channels: int,
                 feat_channels: int,
                 hidden_channels: int,
                 out_channels: int = 2) -> None:
        super().__init__()
        self.in_channels = cost_channels + 2 * feat_channels
        self.layers = nn.Sequential(
            nn.Conv2d(self.in_channels, hidden_channels, 3, 1, 1),
            nn.LeakyReLU(negative_slope=0.1, inplace=True),
            nn.Conv2d(hidden_channels, hidden_channels, 3, 1, 1),
            nn.LeakyReLU(negative_slope=0.1, inplace=True),
            nn.Conv2d(hidden_channels, out_channels, 3, 1, 1))
        nn.init.zeros_(self.layers[-1].weight)
        nn.init.zeros_(self.layers[-1].bias)

    def forward(self, cost: Tensor, ref_feat: Tensor,
                supp_feat: Tensor) -> Tensor:
        """Predict the residual.

        Args:
            cost (Tensor): Cost volume of shape (n, cost_channels, h, w).
            ref_feat (Tensor): Reference features (n, feat_channels, h, w).
            supp_feat (Tensor): Supporting features (n, feat_channels, h, w).

        Returns:
            Tensor: Residual of shape (n, out_channels, h, w).
        """
        return self.layers(torch.cat([cost, ref_feat, supp_feat], dim=1))
