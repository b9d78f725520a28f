# Copyright (c) mmjffra contributors. All rights reserved.
"""Occlusion-aware temporal consistency loss (JFFRA eq. 12-14)."""
from typing import Dict, Optional, Tuple

import torch
from mmagic.models.losses import reduce_loss
from mmagic.models.utils import flow_warp
from mmagic.registry import MODELS
from torch import Tensor, nn


def occlusion_mask(gt_ref: Tensor,
                   gt_nbr_warped: Tensor,
                   alpha: float = 0.2,
                   value_range: float = 255.) -> Tensor:
    """Occlusion-aware mask of eq. 13.

    ``m = exp(-alpha * ||gt_ref - gt_nbr_warped||_2^2)``, the squared L2
    norm taken over channels with images scaled to ``[0, value_range]``.

    Args:
        gt_ref (Tensor): Ground-truth reference frames (n, c, h, w) in
            [0, 1].
        gt_nbr_warped (Tensor): Warped ground-truth neighbours, same shape.
        alpha (float): Sharpness. Default: 0.2 (paper).
        value_range (float): Pixel scale on which ``alpha`` applies.
            Default: 255 (8-bit values): one grey level of difference gives
            ``exp(-0.2) = 0.82``, five give 0.007, the "fast transition from
            1 to 0" that the paper asks of alpha. With ``value_range=1`` the
            mask would stay above ``exp(-0.6)`` everywhere.

    Returns:
        Tensor: Mask of shape (n, 1, h, w) in (0, 1].
    """
    diff = (gt_ref - gt_nbr_warped) * value_range
    return torch.exp(-alpha * diff.pow(2).sum(dim=1, keepdim=True))


@MODELS.register_module()
class OcclusionAwareTemporalLoss(nn.Module):
    """Temporal consistency loss with occlusion-aware masking.

    For a restored reference frame ``pred_ref`` (time t) and a restored
    neighbour ``pred_nbr`` (t-1 or t+1):

    1. flow from ``gt_ref`` to ``gt_nbr`` by a frozen flow estimator on the
       clean frames (eq. 12 computes it on the ground truth);
    2. ``m = exp(-alpha * ||gt_ref - warp(gt_nbr)||^2)`` (eq. 13), see
       :func:`occlusion_mask`;
    3. ``loss = m * |pred_ref - warp(pred_nbr)|`` (eq. 14), reduced with
       ``reduction`` ('mean' averages over all elements, 'sum' sums them).

    Args:
        flow_estimator (dict): Config of a frozen flow estimator.
            Default: ``dict(type='DISFlowEstimator')``.
        alpha (float): Mask sharpness. Default: 0.2 (paper).
        value_range (float): Pixel scale ``alpha`` applies on. Default: 255.
        loss_weight (float): Weight of the loss (``w1``/``w2`` of eq. 15).
            Default: 0.2 (paper).
        reduction (str): 'none', 'mean' or 'sum'. Default: 'mean'.
    """

    def __init__(self,
                 flow_estimator: Optional[Dict] = None,
                 alpha: float = 0.2,
                 value_range: float = 255.,
                 loss_weight: float = 0.2,
                 reduction: str = 'mean') -> None:
        super().__init__()
        if reduction not in ('none', 'mean', 'sum'):
            raise ValueError(f'reduction must be none, mean or sum, got '
                             f'{reduction!r}')
        self.flow_estimator = MODELS.build(
            flow_estimator if flow_estimator is not None else dict(
                type='DISFlowEstimator'))
        self.alpha = alpha
        self.value_range = value_range
        self.loss_weight = loss_weight
        self.reduction = reduction

    def mask_and_flow(self, gt_ref: Tensor,
                      gt_nbr: Tensor) -> Tuple[Tensor, Tensor]:
        """Return the occlusion mask (n, 1, h, w) and flow (n, h, w, 2)."""
        flow = self.flow_estimator(gt_ref, gt_nbr).permute(0, 2, 3, 1)
        flow = flow.to(gt_ref.dtype)
        warped = flow_warp(gt_nbr, flow, padding_mode='border')
        return occlusion_mask(gt_ref, warped, self.alpha,
                              self.value_range), flow

    def forward(self, pred_ref: Tensor, pred_nbr: Tensor, gt_ref: Tensor,
                gt_nbr: Tensor) -> Tensor:
        """Compute the loss.

        Args:
            pred_ref (Tensor): Restored reference frames (n, c, h, w).
            pred_nbr (Tensor): Restored neighbour frames (n, c, h, w).
            gt_ref (Tensor): Ground-truth reference frames (n, c, h, w).
            gt_nbr (Tensor): Ground-truth neighbour frames (n, c, h, w).

        Returns:
            Tensor: The weighted loss.
        """
        shapes = {t.shape for t in (pred_ref, pred_nbr, gt_ref, gt_nbr)}
        if len(shapes) != 1 or pred_ref.dim() != 4:
            raise ValueError('OcclusionAwareTemporalLoss expects four '
                             '(n, c, h, w) tensors of one shape, got '
                             f'{[tuple(s) for s in shapes]}')
        with torch.no_grad():
            mask, flow = self.mask_and_flow(gt_ref, gt_nbr)
        warped = flow_warp(pred_nbr, flow, padding_mode='border')
        # eq. 14: the masked L1 averaged over all elements ('mean')
        loss = reduce_loss((pred_ref - warped).abs() * mask, self.reduction)
        return self.loss_weight * loss
