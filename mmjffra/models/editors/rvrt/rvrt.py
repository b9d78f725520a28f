# Copyright (c) mmjffra contributors. All rights reserved.
from typing import Optional, Sequence

import torch
from mmagic.models.editors.basicvsr import BasicVSR
from mmagic.registry import MODELS
from mmagic.structures import DataSample
from torch import Tensor, nn

from mmjffra.models.utils import append_noise_map


def _tile_starts(size: int, tile: int, overlap: int) -> tuple:
    """Start indices and length of tiles covering ``size`` (0: no tiling)."""
    if tile <= 0 or tile >= size:
        return [0], size
    if overlap >= tile:
        raise ValueError(f'tile_overlap ({overlap}) must be smaller than the '
                         f'tile ({tile})')
    stride = tile - overlap
    return list(range(0, size - tile, stride)) + [size - tile], tile


def tiled_forward(generator: nn.Module, lqs: Tensor, tile: Sequence[int],
                  tile_overlap: Sequence[int], scale: int) -> Tensor:
    """Run a sequence net on temporal and spatial tiles and blend them.

    Like the official RVRT test script: tiles of ``tile = (t, h, w)`` LQ
    frames/pixels (0 = the whole axis) overlapping by ``tile_overlap``; on
    the inner borders of a tile the outer half of the overlap is discarded
    (those outputs lack context), the rest is averaged.

    Args:
        generator (nn.Module): Net mapping (n, t, c, h, w) to
            (n, t, c', s*h, s*w).
        lqs (Tensor): (n, t, c, h, w).
        tile (Sequence[int]): (t, h, w) tile size.
        tile_overlap (Sequence[int]): (t, h, w) overlap.
        scale (int): Upscaling factor of the net.

    Returns:
        Tensor: (n, t, c', s*h, s*w).
    """
    if len(tile) != 3 or len(tile_overlap) != 3:
        raise ValueError('tile and tile_overlap are (t, h, w) triples, got '
                         f'{tile} and {tile_overlap}')
    n, t, _, h, w = lqs.shape
    axes = [
        _tile_starts(size, tl, ov)
        for size, tl, ov in zip((t, h, w), tile, tile_overlap)
    ]
    (t_starts, tt), (y_starts, th), (x_starts, tw) = axes
    margins = [ov // 2 for ov in tile_overlap]
    out = weight = None
    for t0 in t_starts:
        for y0 in y_starts:
            for x0 in x_starts:
                res = generator(lqs[:, t0:t0 + tt, :, y0:y0 + th,
                                    x0:x0 + tw]).float()
                if out is None:
                    out = lqs.new_zeros(n, t, res.size(2), scale * h,
                                        scale * w).float()
                    weight = out.new_zeros(1, t, 1, scale * h, scale * w)
                mask = res.new_ones(1, tt, 1, scale * th, scale * tw)
                for dim, start, length, size, margin, s in ((1, t0, tt, t,
                                                             margins[0], 1),
                                                            (3, y0, th, h,
                                                             margins[1],
                                                             scale),
                                                            (4, x0, tw, w,
                                                             margins[2],
                                                             scale)):
                    cut = margin * s
                    if cut == 0:
                        continue
                    if start > 0:
                        mask.narrow(dim, 0, cut).zero_()
                    if start + length < size:
                        mask.narrow(dim, mask.size(dim) - cut, cut).zero_()
                out[:, t0:t0 + tt, :, scale * y0:scale * (y0 + th),
                    scale * x0:scale * (x0 + tw)] += res * mask
                weight[:, t0:t0 + tt, :, scale * y0:scale * (y0 + th),
                       scale * x0:scale * (x0 + tw)] += mask
    return (out / weight).to(lqs.dtype)


@MODELS.register_module()
class RVRT(BasicVSR):
    """RVRT model (wrapper of :class:`RVRTNet`) on MMagic's BasicVSR wrapper.

    Training and testing are BasicVSR's (whole clips in, every frame
    supervised; Vimeo-90K-T mirror-extended inputs averaged; centre frame for
    single-frame GT), with three differences:

    - The flow estimator inside the generator stays frozen: BasicVSR's
      ``fix_iter`` (which turns gradients of SPyNet/EDVR back on) is not
      applied, so an estimator never joins the optimiser or DDP.
    - Non-blind denoising nets (``with_noise_map``) get the noise-level map
      from the ``noise_sigma`` metainfo (as JFFRA).
    - ``test_cfg=dict(tile=(t, h, w), tile_overlap=(t, h, w))`` restores
      long or large videos in overlapping temporal/spatial tiles (0 = whole
      axis), as the official test script, bounding memory. Training always
      runs on whole clips.

    Args:
        generator (dict): Generator config (``RVRTNet``).
        pixel_loss (dict): Pixel loss config.
        train_cfg (dict, optional): Ignored: BasicVSR's ``fix_iter`` does not
            apply (the flow estimator stays frozen). Kept so that configs
            written for MMagic's BasicVSR build.
        test_cfg (dict, optional): ``tile`` and ``tile_overlap``.
        init_cfg (dict, optional): Initialisation config.
        data_preprocessor (dict, optional): Data preprocessor config.
    """

    def __init__(self,
                 generator,
                 pixel_loss,
                 train_cfg=None,
                 test_cfg=None,
                 init_cfg=None,
                 data_preprocessor=None):
        super().__init__(
            generator=generator,
            pixel_loss=pixel_loss,
            train_cfg=None,
            test_cfg=test_cfg,
            init_cfg=init_cfg,
            data_preprocessor=data_preprocessor)
        test_cfg = test_cfg or {}
        self.tile = test_cfg.get('tile', None)
        self.tile_overlap = test_cfg.get('tile_overlap', (2, 20, 20))

    def forward_train(self,
                      inputs: Tensor,
                      data_samples: Optional[DataSample] = None,
                      **kwargs) -> dict:
        """Pixel loss on every frame of the clip."""
        outputs = self.forward_tensor(inputs, data_samples, **kwargs)
        loss = self.pixel_loss(outputs, data_samples.gt_img)
        self.step_counter += 1
        return dict(loss=loss)

    def forward_tensor(self,
                       inputs: Tensor,
                       data_samples: Optional[DataSample] = None,
                       **kwargs) -> Tensor:
        """Restore ``inputs`` (n, t, c, h, w), tiled at test time if set."""
        inputs = append_noise_map(self.generator, inputs, data_samples)
        if self.training or not self.tile:
            return self.generator(inputs, **kwargs)
        with torch.no_grad():
            return tiled_forward(self.generator, inputs, self.tile,
                                 self.tile_overlap,
                                 self.generator.upscale_factor)
