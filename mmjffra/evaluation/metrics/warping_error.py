# Copyright (c) mmjffra contributors. All rights reserved.
"""Flow-based warping error: temporal consistency of a restored video."""
from typing import Dict, Optional, Sequence

import torch
from mmagic.evaluation.metrics.base_sample_wise_metric import \
    BaseSampleWiseMetric
from mmagic.evaluation.metrics.metrics_utils import obtain_data
from mmagic.models.utils import flow_warp
from mmagic.registry import METRICS, MODELS

from mmjffra.models.losses import occlusion_mask


@METRICS.register_module()
class WarpingError(BaseSampleWiseMetric):
    """Occlusion-masked warping error between consecutive restored frames.

    The OPW metric of the JFFRA paper's Table 6 (following FMNet and NVDS):
    for each pair of consecutive frames ``(t-1, t)`` of a sequence,

    - flow from GT frame ``t`` to GT frame ``t-1`` by a frozen estimator,
    - mask ``M = exp(-alpha * ||gt_t - warp(gt_{t-1})||^2)`` on the ground
      truth scaled to [0, 1] (alpha 50 as NVDS: occluded or badly matched
      pixels are left out),
    - ``E_t = sum(M * |pred_t - warp(pred_{t-1})|) / sum(M * c)``,

    and the metric is the mean of ``E_t`` over pairs and sequences, on the
    [0, 1] intensity scale (lower is more consistent). Sequences of a single
    frame are skipped.

    Args:
        flow_estimator (dict): Config of the frozen estimator. Default:
            ``dict(type='DISFlowEstimator')``.
        alpha (float): Mask sharpness on [0, 1] images. Default: 50.
        gt_key (str): Key of the ground truth. Default: 'gt_img'.
        pred_key (str): Key of the prediction. Default: 'pred_img'.
        device (str): Device of the computation. Default: 'cpu'.
        collect_device (str): Device to collect results. Default: 'cpu'.
        prefix (str, optional): Metric name prefix. Default: None.
    """

    metric = 'WarpingError'

    def __init__(self,
                 flow_estimator: Optional[Dict] = None,
                 alpha: float = 50.,
                 gt_key: str = 'gt_img',
                 pred_key: str = 'pred_img',
                 device: str = 'cpu',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(
            gt_key=gt_key,
            pred_key=pred_key,
            device=device,
            collect_device=collect_device,
            prefix=prefix)
        self.flow_estimator = MODELS.build(
            flow_estimator if flow_estimator is not None else dict(
                type='DISFlowEstimator'))
        self.alpha = alpha

    @torch.no_grad()
    def sequence_error(self, gt: torch.Tensor, pred: torch.Tensor) -> float:
        """Warping error of one sequence.

        Args:
            gt (Tensor): Ground truth (t, c, h, w) in [0, 255].
            pred (Tensor): Restored frames (t, c, h, w) in [0, 255].

        Returns:
            float: The mean masked warping error on the [0, 1] scale.
        """
        if gt.shape != pred.shape or gt.dim() != 4:
            raise ValueError('WarpingError expects (t, c, h, w) ground truth '
                             'and prediction of one shape, got '
                             f'{tuple(gt.shape)} and {tuple(pred.shape)}')
        gt = gt.float() / 255.
        pred = pred.float() / 255.
        cur_gt, prev_gt = gt[1:], gt[:-1]
        flow = self.flow_estimator(cur_gt, prev_gt).permute(0, 2, 3, 1)
        mask = occlusion_mask(
            cur_gt,
            flow_warp(prev_gt, flow, padding_mode='border'),
            self.alpha,
            value_range=1.)
        diff = (pred[1:] - flow_warp(pred[:-1], flow, padding_mode='border'))
        num = (mask * diff.abs()).sum(dim=(1, 2, 3))
        den = (mask.sum(dim=(1, 2, 3)) * gt.size(1)).clamp(min=1e-8)
        return (num / den).mean().item()

    def process(self, data_batch: Sequence[dict],
                data_samples: Sequence[dict]) -> None:
        """Compute the error of each sequence in the batch.

        Args:
            data_batch (Sequence[dict]): A batch from the dataloader.
            data_samples (Sequence[dict]): Model outputs with the GT.
        """
        for data in data_samples:
            gt = obtain_data(data, self.gt_key, self.device)
            pred = obtain_data(data['output'], self.pred_key, self.device)
            if gt.dim() != 4 or gt.size(0) < 2:
                continue
            self.results.append({self.metric: self.sequence_error(gt, pred)})

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Average the per-sequence errors (NaN when no sequence had two
        frames, e.g. a single-frame ground truth).

        Args:
            results (list): Per-sequence results.

        Returns:
            dict[str, float]: ``{'WarpingError': value}``.
        """
        if not results:
            return {self.metric: float('nan')}
        return super().compute_metrics(results)
