# Copyright (c) mmjffra contributors. All rights reserved.
"""RVRT: recurrent video restoration transformer (Liang et al., NeurIPS 2022).

The architecture and computation of the released RVRT models
(github.com/JingyunLiang/RVRT), in pure PyTorch (no CUDA extension); see
:class:`RVRTNet`.
"""
import math
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmagic.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmjffra.models.inference import InferenceSpec
from .clip_indexing import (chain_clip_flows, pad_sequence_indices,
                            symmetric_pad)
from .guided_deform_attn import GuidedDeformableAttention, warp_to_targets
from .swin3d import FrameConv3d, RSTBWithInputConv, as_tuple


@MODELS.register_module()
class RVRTNet(BaseModule):
    """Recurrent video restoration transformer with guided deformable attn.

    Shape contract of MMagic's recurrent nets: ``(n, t, c, h, w)`` in,
    ``(n, t, out_channels, s*h, s*w)`` out.

    1. Shallow features: a per-frame convolution (for ``upscale_factor=1``, two
       stride-2 convolutions first, so features live at 1/4 resolution) and
       RSTBs whose 3D windows span the frames of a clip.
    2. Recurrent feature refinement: the (padded) sequence is cut into clips
       of ``clip_size`` (N) frames. Each of the ``2 * num_refinement_rounds``
       refinement modules walks over the clips, reversing the sequence in
       every other module (backward, forward, backward, ...). For clip i, the
       hidden state of clip i-1 is aligned to every frame of clip i by guided
       deformable attention (offsets = flow from the frozen flow estimator +
       learned residuals), then updated with an RSTB (3D windows of
       ``window_size``) that sees the clip's features from all earlier
       modules and the aligned state. N=1 makes it a recurrent net, N=T a
       transformer over the whole clip.
    3. Reconstruction: RSTBs on the concatenated features of all modules,
       pixel-shuffle upsampling, plus the (bilinearly upsampled) input.

    This is the released models' architecture, whose checkpoints load
    through the key map of :mod:`mmjffra.models.editors.rvrt.official_keys`,
    and their computation where the paper does not speak:

    - plain GELU MLPs in the Swin blocks; the released GDA
      (:class:`GuidedDeformableAttention`); an upsampler of [conv, pixel
      shuffle, lrelu] steps ending in a 3x3 convolution; per-frame
      convolutions with ``nn.Conv3d`` weights (:class:`FrameConv3d`); the
      full-window ``relative_position_index`` buffers;
    - flows are estimated between neighbouring frames at feature resolution
      (bicubic 1/4 images, not clamped, for ``upscale_factor=1``) and
      chained in the released order to reach the other frames of the
      previous clip (:func:`chain_clip_flows`). The flow estimator is
      frozen (the official training fine-tunes SPyNet after 30k
      iterations);
    - ``update_flows``: the refinement modules of later rounds are guided by
      the offsets the first round learned (mean over groups and points)
      instead of the raw flows;
    - a clip is padded as the released test script pads it: frames
      mirrored at the end to a multiple of ``clip_size``, rows and columns
      mirrored to a multiple of the window (``window_size[1:]``, input
      resolution); the output is cropped back. Window tokens padding the
      features further are attended, as released;
    - the base added to the output is the bilinear (trilinear over
      frames of the same count) resize of the padded clip's first 3
      channels.

    Layer sizes follow the released REDS model by default: 144 channels,
    6 heads, depths (2, 2, 2), RSTBs (1, 2, 1), windows (2, 8, 8) in the
    refinement and (1, 8, 8) in the shallow features and reconstruction,
    12 GDA heads/groups, 3x3 sampling points, residual offsets bounded by
    10 px. The GDA MLP's ratio is fixed at 2, as released.

    Args:
        in_channels (int): Image channels. Default: 3.
        with_noise_map (bool): Inputs carry a noise-level map as an extra
            last channel (non-blind denoising). Default: False.
        out_channels (int): Output channels. Default: 3.
        upscale_factor (int): 1, 2 or 4. Default: 4.
        clip_size (int): Frames per clip N. Default: 2.
        embed_dims (int): Feature channels. Default: 144.
        depths (Sequence[int]): Swin blocks per RSTB in feature extraction,
            refinement and reconstruction. Default: (2, 2, 2).
        num_heads (Sequence[int]): Heads of those RSTBs. Default: (6, 6, 6).
        num_blocks (Sequence[int]): RSTBs of those stages. Default: (1, 2, 1).
        window_size (Sequence[int]): 3D window (t, h, w) of the refinement
            RSTBs. Default: (2, 8, 8).
        feat_extract_window (Sequence[int], optional): Window of the shallow
            RSTBs. Default: (1, h, w) of ``window_size``.
        reconstruction_window (Sequence[int], optional): Window of the
            reconstruction RSTBs. Default: (1, h, w) of ``window_size``.
        inputconv_groups (Sequence[int]): Groups of the input convolutions of
            feature extraction, each refinement module and reconstruction
            (``2 * num_refinement_rounds + 2`` values). Default: all 1.
        num_refinement_rounds (int): Backward+forward module pairs.
            Default: 2.
        gda_heads (int): Heads of GDA. Default: 12.
        gda_groups (int): Deformable groups of GDA. Default: 12.
        gda_kernel (Sequence[int]): Sampling kernel of GDA. Default: (3, 3).
        max_residue_magnitude (float): Bound of learned offsets. Default: 10.
        mlp_ratio (float): MLP ratio of the RSTBs. Default: 2.
        update_flows (bool): Guide later rounds with the offsets learned by
            the first. Default: True.
        upsample_channels (int): Channels of the pixel-shuffle upsampler.
            Default: 64.
        flow_estimator (dict): Frozen flow estimator config.
            Default: ``dict(type='SPyNetFlowEstimator')``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int = 3,
                 with_noise_map: bool = False,
                 out_channels: int = 3,
                 upscale_factor: int = 4,
                 clip_size: int = 2,
                 embed_dims: int = 144,
                 depths: Sequence[int] = (2, 2, 2),
                 num_heads: Sequence[int] = (6, 6, 6),
                 num_blocks: Sequence[int] = (1, 2, 1),
                 window_size: Sequence[int] = (2, 8, 8),
                 feat_extract_window: Optional[Sequence[int]] = None,
                 reconstruction_window: Optional[Sequence[int]] = None,
                 inputconv_groups: Sequence[int] = 1,
                 num_refinement_rounds: int = 2,
                 gda_heads: int = 12,
                 gda_groups: int = 12,
                 gda_kernel: Sequence[int] = (3, 3),
                 max_residue_magnitude: float = 10.,
                 mlp_ratio: float = 2.,
                 update_flows: bool = True,
                 upsample_channels: int = 64,
                 flow_estimator: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if upscale_factor not in (1, 2, 4):
            raise ValueError('upscale_factor must be 1, 2 or 4, got '
                             f'{upscale_factor}')
        if clip_size < 1 or num_refinement_rounds < 1:
            raise ValueError('clip_size and num_refinement_rounds must be '
                             f'>= 1, got {clip_size}, {num_refinement_rounds}')
        self.in_channels = in_channels
        self.with_noise_map = with_noise_map
        self.out_channels = out_channels
        self.upscale_factor = upscale_factor
        self.clip_size = clip_size
        self.embed_dims = embed_dims
        self.update_flows = update_flows
        self.feat_stride = 4 if upscale_factor == 1 else 1
        self.num_modules = 2 * num_refinement_rounds
        depths = as_tuple(depths, 3, 'depths')
        num_heads = as_tuple(num_heads, 3, 'num_heads')
        num_blocks = as_tuple(num_blocks, 3, 'num_blocks')
        groups = as_tuple(inputconv_groups, self.num_modules + 2,
                          'inputconv_groups')
        window_size = tuple(window_size)
        feat_extract_window = tuple(
            feat_extract_window or (1, ) + window_size[1:])
        reconstruction_window = tuple(
            reconstruction_window or (1, ) + window_size[1:])
        self.window_size = window_size
        c = embed_dims
        in_total = self.expected_channels

        self.flow_estimator = MODELS.build(
            flow_estimator or dict(type='SPyNetFlowEstimator'))

        # shallow feature extraction
        if self.feat_stride > 1:
            self.downsample = nn.Sequential(
                FrameConv3d(in_total, c, 3, 2, 1),
                nn.LeakyReLU(0.1, inplace=True), FrameConv3d(c, c, 3, 2, 1),
                nn.LeakyReLU(0.1, inplace=True))
            extract_in = c
        else:
            self.downsample = None
            extract_in = in_total
        self.feat_extract = RSTBWithInputConv(
            extract_in,
            c,
            num_blocks=num_blocks[0],
            depth=depths[0],
            num_heads=num_heads[0],
            window_size=feat_extract_window,
            groups=groups[0],
            mlp_ratio=mlp_ratio)

        # recurrent feature refinement
        self.align = nn.ModuleList()
        self.refine = nn.ModuleList()
        gda = dict(
            clip_size=clip_size,
            num_heads=gda_heads,
            num_groups=gda_groups,
            kernel_size=tuple(gda_kernel),
            max_residue_magnitude=max_residue_magnitude)
        for m in range(self.num_modules):
            self.align.append(GuidedDeformableAttention(c, **gda))
            self.refine.append(
                RSTBWithInputConv(
                    (m + 2) * c,
                    c,
                    num_blocks=num_blocks[1],
                    depth=depths[1],
                    num_heads=num_heads[1],
                    window_size=window_size,
                    groups=groups[m + 1],
                    mlp_ratio=mlp_ratio))

        # reconstruction
        self.reconstruction = RSTBWithInputConv(
            (self.num_modules + 1) * c,
            c,
            num_blocks=num_blocks[2],
            depth=depths[2],
            num_heads=num_heads[2],
            window_size=reconstruction_window,
            groups=groups[-1],
            mlp_ratio=mlp_ratio)
        up = upsample_channels
        self.conv_before_upsample = FrameConv3d(c, up, 1)
        steps = int(math.log2(upscale_factor * self.feat_stride))
        # [conv, pixel shuffle, lrelu] x steps, then a conv
        self.upsample = nn.ModuleList(
            [FrameConv3d(up, 4 * up, 3, padding=1)
             for _ in range(steps)] + [FrameConv3d(up, up, 3, padding=1)])
        self.conv_last = FrameConv3d(up, out_channels, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(0.1, inplace=True)

    @property
    def expected_channels(self) -> int:
        """int: Channels of an input frame (image + noise map)."""
        return self.in_channels + int(self.with_noise_map)

    @property
    def inference_spec(self) -> InferenceSpec:
        """InferenceSpec: a sequence network; tiles keep its attention
        windows (at feature resolution) on the whole frame's grid."""
        return InferenceSpec(
            'sequence',
            self.upscale_factor,
            spatial_multiple=self.window_size[1] * self.feat_stride)

    def check_inputs(self, lqs: Tensor) -> None:
        """Raise a ValueError naming the shape if ``lqs`` cannot be taken."""
        if lqs.dim() != 5:
            raise ValueError('RVRTNet takes (n, t, c, h, w) clips, got shape '
                             f'{tuple(lqs.shape)}')
        if lqs.size(2) != self.expected_channels:
            noise = ' (image + noise map)' if self.with_noise_map else ''
            raise ValueError(f'RVRTNet was built for {self.expected_channels} '
                             f'input channels{noise}, got shape '
                             f'{tuple(lqs.shape)}')
        if min(lqs.shape[1:]) < 1:
            raise ValueError(f'empty input of shape {tuple(lqs.shape)}')

    def compute_adjacent_flows(self, lqs: Tensor) -> tuple:
        """Flows between neighbouring frames at feature resolution.

        Args:
            lqs (Tensor): (n, t, c, h, w) frames (first 3 channels used).

        Returns:
            tuple[Tensor, Tensor]: ``forward`` (n, t-1, 2, h', w'), flow from
            frame i+1 to frame i, and ``backward``, flow from frame i to i+1.
        """
        n, t = lqs.shape[:2]
        images = lqs[:, :, :3].flatten(0, 1).float()
        if self.feat_stride > 1:
            images = F.interpolate(
                images,
                scale_factor=1. / self.feat_stride,
                mode='bicubic',
                align_corners=False)
        images = images.view(n, t, *images.shape[1:])
        first = images[:, :-1].flatten(0, 1)
        second = images[:, 1:].flatten(0, 1)
        size = images.shape[-2:]
        fwd = self.flow_estimator(second, first).view(n, t - 1, 2, *size)
        bwd = self.flow_estimator(first, second).view(n, t - 1, 2, *size)
        return fwd, bwd

    def _refine(self, m: int, feats: List[Tensor], adjacent: Tensor,
                store: Dict[int, Tensor]) -> Tensor:
        """One refinement module over the clips, in processing order.

        Args:
            m (int): Module index.
            feats (list[Tensor]): Shallow features and outputs of the earlier
                modules (n, T, c, h, w), already in processing order.
            adjacent (Tensor | None): Adjacent flows in processing order.
            store (dict): Flows refined by the first round, per clip.
        """
        n_clip = self.clip_size
        last = feats[-1]
        num_clips = last.size(1) // n_clip
        first_round = m < 2
        outputs = []
        prop = torch.zeros_like(last[:, :n_clip])
        for i in range(num_clips):
            cur = slice(i * n_clip, (i + 1) * n_clip)
            if i > 0:
                prev = slice((i - 1) * n_clip, i * n_clip)
                if first_round or not self.update_flows:
                    flows = chain_clip_flows(adjacent, i, n_clip)
                else:
                    flows = store[i]
                warped = warp_to_targets(prop, flows)
                prop, refined = self.align[m](
                    last[:, cur],
                    last[:, prev],
                    prop,
                    warped,
                    flows,
                    return_offsets=True)
                if first_round and self.update_flows:
                    store[i] = refined
            inputs = torch.cat([f[:, cur] for f in feats] + [prop], dim=2)
            prop = prop + self.refine[m](inputs)
            outputs.append(prop)
        return torch.cat(outputs, dim=1)

    def forward(self, lqs: Tensor) -> Tensor:
        """Restore a clip.

        Args:
            lqs (Tensor): (n, t, c, h, w) input frames.

        Returns:
            Tensor: (n, t, out_channels, s*h, s*w).
        """
        self.check_inputs(lqs)
        n, t, _, h, w = lqs.shape
        x = symmetric_pad(lqs[:, pad_sequence_indices(t, self.clip_size)],
                          self.window_size[1])
        total = x.size(1)

        adjacent = None
        if total > self.clip_size:
            adjacent = self.compute_adjacent_flows(x)
            adjacent = [a.to(x.dtype) for a in adjacent]

        frames = x.flatten(0, 1)
        if self.downsample is not None:
            frames = self.downsample(frames)
        shallow = self.feat_extract(frames.view(n, total, *frames.shape[1:]))

        feats = [shallow]
        stores: List[Dict[int, Tensor]] = [{}, {}]
        for m in range(self.num_modules):
            if m % 2 == 0:  # backward in time: run on the reversed sequence
                ordered = [f.flip(1) for f in feats]
                adj = None if adjacent is None else adjacent[1].flip(1)
                out = self._refine(m, ordered, adj, stores[0]).flip(1)
            else:
                adj = None if adjacent is None else adjacent[0]
                out = self._refine(m, feats, adj, stores[1])
            feats.append(out)

        hr = self.reconstruction(torch.cat(feats, dim=2)).flatten(0, 1)
        hr = self.lrelu(self.conv_before_upsample(hr))
        for up in self.upsample[:-1]:
            hr = self.lrelu(F.pixel_shuffle(up(hr), 2))
        hr = self.conv_last(self.upsample[-1](hr))
        hr = hr.view(n, total, self.out_channels, *hr.shape[-2:])
        hr = hr + F.interpolate(
            x[:, :, :3],
            size=hr.shape[-3:],
            mode='trilinear',
            align_corners=False)
        return hr[:, :t, :, :h * self.upscale_factor, :w * self.upscale_factor]
