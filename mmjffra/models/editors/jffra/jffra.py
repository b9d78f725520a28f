# Copyright (c) mmjffra contributors. All rights reserved.
"""JFFRA model wrapper: losses, training and sliding-window testing."""
from typing import Dict, List, Optional, Union

import torch
from mmagic.models import BaseEditModel
from mmagic.registry import MODELS
from mmagic.structures import DataSample
from torch import Tensor

from mmjffra.models.inference import (ClipRestorer, auto_max_windows,
                                      parse_test_cfg, window_indices)
from mmjffra.models.utils import append_noise_map, is_mirror_extended


@MODELS.register_module()
class JFFRA(BaseEditModel):
    """JFFRA: joint flow and feature refinement using attention.

    Training (section 3.5): a sample holds ``2N+3`` consecutive frames; the
    centre frame ``t`` and its neighbours ``t-1`` and ``t+1`` are each
    restored from their own ``2N+1`` window (one batched generator call), and

    ``loss = pixel_loss(I_t) + L_T(t, t-1) + L_T(t, t+1)`` (eq. 15),

    the temporal terms weighted by ``temporal_loss.loss_weight`` (``w1 = w2
    = 0.2`` in the paper). With ``temporal_loss=None`` (the paper's ablation
    "without temporal loss") samples of ``2N+1`` frames are accepted too and
    only the centre frame is restored.

    Testing: every frame of the sequence is restored from its window, the
    sequence ends padded by ``test_cfg['padding']`` ('reflection' default,
    or 'replicate'); the whole restored sequence is returned, so MMagic's
    PSNR/SSIM evaluate it as for BasicVSR. When the ground truth is a single
    frame (Vimeo-90K-T), only the centre frame is restored (of the original
    half when MMagic's test pipeline mirror-extended the sequence).

    Args:
        generator (dict): Config of the network (``JFFRANet``).
        pixel_loss (dict): Config of the pixel loss on the centre frame.
        temporal_loss (dict, optional): Config of the occlusion-aware
            temporal loss. Default: None.
        train_cfg (dict, optional): Training config: ``pixel_loss_frames``,
            'centre' (eq. 15: the pixel loss on the centre window only, the
            default) or 'all' (also on the two windows restored for the
            temporal loss, which otherwise learn only from its masked
            terms; not in the paper).
            Default: None.
        test_cfg (dict, optional): Testing config: ``padding`` ('reflection'
            or 'replicate'), ``max_windows_per_forward`` (windows batched
            into one generator call: an int, default 1, or ``'auto'``: as
            many as fit 70% of the free GPU memory, 1 on the CPU), ``tile``
            and ``tile_overlap`` (spatial tiles in input pixels, default
            None and 32). The same keys drive ``tools/test.py`` and
            ``tools/restore_video.py``. Default: None.
        init_cfg (dict, optional): Initialisation config. Default: None.
        data_preprocessor (dict, optional): Data preprocessor config.
            Default: None.
    """

    #: The ``model.test_cfg`` keys this model reads, of the vocabulary of
    #: :mod:`mmjffra.models.inference.test_options` (a config giving others
    #: is refused by :func:`mmjffra.models.inference.check_test_cfg`).
    test_cfg_keys = ('padding', 'max_windows_per_forward', 'tile',
                     'tile_overlap')

    def __init__(self,
                 generator: Dict,
                 pixel_loss: Dict,
                 temporal_loss: Optional[Dict] = None,
                 train_cfg: Optional[Dict] = None,
                 test_cfg: Optional[Dict] = None,
                 init_cfg: Optional[Union[Dict, List[Dict]]] = None,
                 data_preprocessor: Optional[Dict] = None) -> None:
        super().__init__(
            generator=generator,
            pixel_loss=pixel_loss,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            init_cfg=init_cfg,
            data_preprocessor=data_preprocessor)
        self.temporal_loss = MODELS.build(temporal_loss) \
            if temporal_loss is not None else None
        self.pixel_loss_frames = (train_cfg or {}).get('pixel_loss_frames',
                                                       'centre')
        if self.pixel_loss_frames not in ('centre', 'all'):
            raise ValueError('train_cfg.pixel_loss_frames must be centre or '
                             f'all, got {self.pixel_loss_frames!r}')
        options = parse_test_cfg(test_cfg, self.test_cfg_keys)
        self.test_padding = options['padding']
        self.max_windows_per_forward = options['max_windows_per_forward']
        self.tile = options['tile']
        self.tile_overlap = options['tile_overlap']

    @property
    def num_input_frames(self) -> int:
        """int: ``2N+1``, the frames of one generator window."""
        return self.generator.num_frames

    def add_noise_map(self, inputs: Tensor,
                      data_samples: Optional[DataSample]) -> Tensor:
        """Append the noise-level map; see :func:`append_noise_map`."""
        return append_noise_map(self.generator, inputs, data_samples)

    def forward_train(self,
                      inputs: Tensor,
                      data_samples: Optional[DataSample] = None,
                      **kwargs) -> Dict[str, Tensor]:
        """Compute the losses of eq. 15.

        Args:
            inputs (Tensor): LQ frames (n, 2N+3, c, h, w), or (n, 2N+1, c,
                h, w) without the temporal loss.
            data_samples (DataSample): Holds ``gt_img`` (n, t, c, H, W).

        Returns:
            dict[str, Tensor]: ``loss_pix`` and, with the temporal loss,
            ``loss_temporal_prev`` and ``loss_temporal_next``.
        """
        k = self.num_input_frames
        n, t = inputs.shape[:2]
        allowed = (k + 2, ) if self.temporal_loss is not None else (k, k + 2)
        if inputs.dim() != 5 or t not in allowed:
            raise ValueError(
                f'JFFRA training needs samples of {allowed} frames '
                f'(2N+3 with the temporal loss), got inputs of shape '
                f'{tuple(inputs.shape)}; set num_input_frames of the '
                'training dataset accordingly')
        inputs = self.add_noise_map(inputs, data_samples)
        gt = data_samples.gt_img
        centre = t // 2
        if self.temporal_loss is None:
            start = centre - k // 2
            pred = self.generator(inputs[:, start:start + k], **kwargs)
            return dict(loss_pix=self.pixel_loss(pred, gt[:, centre]))

        windows = torch.cat([inputs[:, i:i + k] for i in range(3)], dim=0)
        prev, cur, nxt = self.generator(windows, **kwargs).split(n, dim=0)
        if self.pixel_loss_frames == 'all':
            loss_pix = self.pixel_loss(
                torch.stack([prev, cur, nxt], 1), gt[:, centre - 1:centre + 2])
        else:
            loss_pix = self.pixel_loss(cur, gt[:, centre])
        return dict(
            loss_pix=loss_pix,
            loss_temporal_prev=self.temporal_loss(cur, prev, gt[:, centre],
                                                  gt[:, centre - 1]),
            loss_temporal_next=self.temporal_loss(cur, nxt, gt[:, centre],
                                                  gt[:, centre + 1]))

    def clip_restorer(self, lqs: Tensor) -> ClipRestorer:
        """The inference path configured by ``test_cfg`` for ``lqs``."""
        windows = self.max_windows_per_forward
        if windows == 'auto':
            k = self.num_input_frames
            sample = lqs[:1, window_indices(lqs.size(1), 0, k // 2)]
            windows = auto_max_windows(self.generator, sample)
        return ClipRestorer(
            self.generator,
            padding=self.test_padding,
            max_windows=windows,
            tile=self.tile,
            tile_overlap=self.tile_overlap)

    def restore_frames(self,
                       lqs: Tensor,
                       indices: Optional[List[int]] = None) -> Tensor:
        """Restore frames of a sequence with the sliding window.

        ``max_windows_per_forward`` windows go through the generator in one
        batch (each with its own initial flows); the result does not depend
        on it.

        Args:
            lqs (Tensor): LQ sequence (n, t, c, h, w).
            indices (list[int], optional): Frames to restore. Default: all.

        Returns:
            Tensor: Restored frames (n, len(indices), c_out, H, W).
        """
        indices = list(range(lqs.size(1))) if indices is None else indices
        return self.clip_restorer(lqs).restore_windows(lqs, indices)

    def forward_tensor(self,
                       inputs: Tensor,
                       data_samples: Optional[DataSample] = None,
                       **kwargs) -> Tensor:
        """Restore every frame of ``inputs`` (n, t, c, h, w).

        Returns:
            Tensor: Restored sequence (n, t, c_out, H, W).
        """
        return self.restore_frames(self.add_noise_map(inputs, data_samples))

    def forward_inference(self,
                          inputs: Tensor,
                          data_samples: Optional[DataSample] = None,
                          **kwargs) -> DataSample:
        """Restore a sequence for validation or testing.

        Args:
            inputs (Tensor): LQ sequence (n, t, c, h, w).
            data_samples (DataSample): Data samples (with ``gt_img``).

        Returns:
            DataSample: Predictions in ``pred_img``: (n, t, c, H, W), or
            (n, c, H, W) when the ground truth is a single frame.
        """
        inputs = self.add_noise_map(inputs, data_samples)
        gt = data_samples.gt_img[0] if data_samples is not None and \
            'gt_img' in data_samples else None
        if gt is not None and gt.data.ndim == 3:
            if is_mirror_extended(inputs):
                # MMagic's Vimeo-90K-T pipeline mirrors the 7 frames for
                # recurrent models (MirrorSequence): keep the original half.
                inputs = inputs[:, :inputs.size(1) // 2]
            t = inputs.size(1)
            feats = self.restore_frames(inputs, [t // 2])[:, 0]
        else:
            feats = self.restore_frames(inputs)
        feats = self.data_preprocessor.destruct(feats, data_samples)
        return DataSample(pred_img=feats.cpu(), metainfo=data_samples.metainfo)
