# Copyright (c) mmjffra contributors. All rights reserved.
"""JFFRA network: joint flow and feature refinement using attention."""
import math
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmagic.models.archs import PixelShufflePack, ResidualBlockNoBN
from mmagic.models.utils import default_init_weights, make_layer
from mmagic.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmjffra.models.inference import InferenceSpec
from .flow_utils import resize_flow
from .jffr_block import JFFRBlock


class _Level(nn.Module):
    """One encoder/decoder level: a JFFR block and per-frame res blocks."""

    def __init__(self, channels: int, num_frames: int, num_heads: int,
                 num_res_blocks: int, **jffr_kwargs) -> None:
        super().__init__()
        self.jffr = JFFRBlock(channels, num_frames, num_heads, **jffr_kwargs)
        self.res_blocks = make_layer(
            ResidualBlockNoBN, num_res_blocks, mid_channels=channels)

    def forward(self, feats: Tensor, flows: Tensor) -> Tuple[Tensor, Tensor]:
        feats, flows = self.jffr(feats, flows)
        n, t, c, h, w = feats.shape
        feats = self.res_blocks(feats.reshape(n * t, c, h,
                                              w)).view(n, t, c, h, w)
        return feats, flows


def centre_flows(flow_estimator: nn.Module, lqs: Tensor,
                 in_channels: int) -> Tensor:
    """Initial flows from the centre frame of a window to every neighbour.

    Args:
        flow_estimator (nn.Module): ``flow_estimator(ref, supp)`` -> flows.
        lqs (Tensor): Input of shape (n, t, c, h, w); its first
            ``in_channels`` channels are the image.
        in_channels (int): Image channels.

    Returns:
        Tensor: Flows of shape (n, t-1, 2, h, w), neighbours in temporal
        order.
    """
    n, t, _, h, w = lqs.shape
    imgs = lqs[:, :, :in_channels]
    centre = t // 2
    nbr_idx = [i for i in range(t) if i != centre]
    ref = imgs[:, centre:centre + 1].expand(-1, t - 1, -1, -1, -1)
    supp = imgs[:, nbr_idx]
    flows = flow_estimator(
        ref.reshape(-1, in_channels, h, w),
        supp.reshape(-1, in_channels, h, w))
    return flows.view(n, t - 1, 2, h, w).to(lqs.dtype)


class FrameStackConv3d(nn.Conv3d):
    """A 3D convolution computed as a 2D convolution over stacked frames.

    The temporal context's 3x3x3 convolutions (stride 1, zero padding) are
    evaluated as one 2D convolution: each frame is stacked along channels
    with its ``kt - 1`` temporal neighbours (zero frames beyond the ends)
    and convolved with the kernel's temporal slices laid side by side. The
    parameters, state-dict keys and results (to float rounding) are those of
    :class:`torch.nn.Conv3d`. On every device this is one ``conv2d`` over
    ``n * t`` images; on the CPU PyTorch's ``conv3d`` of a batch-1 input
    takes a slow im2col kernel instead (``docs/jffra_engineering_notes.md``,
    "Temporal convolutions").
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.stride[0] != 1 or self.dilation[0] != 1 or \
                self.groups != 1 or self.padding_mode != 'zeros' or \
                isinstance(self.padding, str):
            raise ValueError('FrameStackConv3d takes temporal stride and '
                             'dilation 1, groups 1 and numeric zero padding')

    def forward(self, x: Tensor) -> Tensor:
        """(n, c, t, h, w) -> (n, c_out, t_out, h_out, w_out)."""
        n, c, t = x.shape[:3]
        kt, pt = self.kernel_size[0], self.padding[0]
        x = F.pad(x, (0, 0, 0, 0, pt, pt))
        t_out = t + 2 * pt - kt + 1
        # (n, t_out, kt * c, h, w), channels ordered [temporal tap][channel]
        stacked = torch.cat([x[:, :, i:i + t_out] for i in range(kt)], 1)
        stacked = stacked.transpose(1, 2).reshape(n * t_out, kt * c,
                                                  *x.shape[3:])
        # static sizes: an exported graph keeps a kernel of known shape
        weight = self.weight.transpose(1, 2).reshape(self.out_channels,
                                                     kt * self.in_channels,
                                                     *self.kernel_size[1:])
        y = F.conv2d(stacked, weight, self.bias, self.stride[1:],
                     self.padding[1:], self.dilation[1:])
        return y.view(n, t_out, *y.shape[1:]).transpose(1, 2)


def _per_frame(module: nn.Module, x: Tensor) -> Tensor:
    """Apply a 2D module to every frame of (n, t, c, h, w)."""
    n, t = x.shape[:2]
    y = module(x.flatten(0, 1))
    return y.view(n, t, *y.shape[1:])


def _resize_flows(flows: Tensor, size: Tuple[int, int]) -> Tensor:
    n, k = flows.shape[:2]
    return resize_flow(flows.flatten(0, 1), size).view(n, k, 2, *size)


@MODELS.register_module()
class JFFRANet(BaseModule):
    """JFFRA network for video super-resolution, denoising and deblurring.

    Paper: Joint Flow And Feature Refinement Using Attention For Video
    Restoration (Merugu, Suhail, Sarashetti, Reddem, Bajpai, Unde).

    Restores the centre frame of a window of ``2N+1`` low-quality frames:

    1. temporal context: two 3D convolutions over the frames give per-frame
       features ``F^0`` (section 3.2);
    2. initial flow from the centre frame to each neighbour, computed on the
       LQ frames by a frozen flow estimator built from ``flow_estimator``
       (RAFT in the paper; SPyNet or DIS here too);
    3. a U-shaped encoder-decoder of JFFR blocks (section 3.3): at every
       level flows and features are refined jointly; between levels the
       features are down/up-sampled per frame and the flows are resized and
       rescaled; encoder features reach the decoder by skip connections;
    4. reconstruction from the centre frame's features: residual blocks,
       pixel-shuffle upsampling for ``upscale_factor > 1`` plus the bilinearly
       upsampled centre input (as MMagic's BasicVSR); for
       ``upscale_factor == 1`` a residual on the centre input.

    Choices the paper does not state: the number of levels and channels (see
    the presets in ``configs/_base_/models/``), per-frame residual blocks
    after each JFFR block (``num_res_blocks``; 0 removes them), strided 3x3
    convs to go down and bilinear resize + 3x3 conv to go up (any input size
    works), skip fusion by concatenation + 1x1 conv, and the noise map of
    non-blind denoising given as an extra input channel (as VRT).

    Args:
        in_channels (int): Channels of an image. Default: 3.
        out_channels (int): Channels of the output. Default: 3.
        num_frames (int): Input frames ``2N+1``; odd. Default: 3 (paper).
        mid_channels (int): Channels of the first level. Default: 64.
        channel_multipliers (Sequence[int]): Channels of each level as
            multiples of ``mid_channels``; the last level is the bottleneck.
            Default: (1, 2, 4).
        num_heads (Sequence[int]): Attention heads per level. Default:
            (1, 2, 4).
        num_res_blocks (int): Per-frame residual blocks after each JFFR
            block. Default: 1.
        num_reconstruction_blocks (int): Residual blocks before upsampling.
            Default: 5.
        window_size (int): Attention window side. Default: 8 (paper).
        search_radius (int): Cost-volume radius. Default: 4 (9x9, paper).
        upscale_factor (int): 1, 2 or 4. Default: 4.
        flow_refinement (bool): Use the cost volume and flow head (False is
            the paper's ablation without flow refinement). Default: True.
        with_noise_map (bool): Inputs carry a noise-level map as an extra
            last channel per frame (non-blind denoising). Default: False.
        alignment (str): Neighbour alignment of every JFFR block, the
            paper's Table 5 variants (see :class:`JFFRBlock`): 'flow',
            'none' or 'learned_offset'. Default: 'flow'.
        relative_position_bias (bool): Relative position bias in the window
            attention (not in the paper). Default: False.
        flow_skip (bool): Skip-connect the flows across the U (not in the
            paper, which leaves the decoder's flow input unstated): a
            decoder level starts from the flows the encoder refined at its
            resolution plus the upsampled *change* the lower levels made,
            instead of the upsampled coarse flows alone. Default: False.
        residual_init (str | float): Initial size of the residual branches,
            which the paper does not state. Every JFFR block's attention
            residual (see :class:`JFFRBlock`): ``'zero'``, ``'default'``
            (PyTorch's init) or a LayerScale value. Unless ``'default'``,
            the last conv of the reconstruction tail (whose output is added
            to the upsampled input) is also initialised as MMagic's residual
            blocks (Kaiming x 0.1, zero bias), so that an untrained network
            restores close to its bilinear base. ``'default'`` is the
            network as PyTorch's init leaves it.
            Default: 'zero'.
        max_flow_update (float, optional): Bound, in pixels of each level,
            of every JFFR block's flow update (see :class:`JFFRBlock`); the
            paper bounds nothing. Default: None.
        reconstruction_channels (int, optional): Channels of the
            reconstruction tail (residual blocks, upsampling and the last
            convs). The paper does not state them; None keeps the first
            level's channels (``mid_channels``). BasicVSR and EDVR use 64;
            a 1x1 conv then maps the centre frame's features to them.
            Default: None.
        flow_estimator (dict): Config of the frozen flow estimator.
            Default: ``dict(type='DISFlowEstimator')``.
        init_cfg (dict, optional): Initialisation config. Default: None.
    """

    def __init__(self,
                 in_channels: int = 3,
                 out_channels: int = 3,
                 num_frames: int = 3,
                 mid_channels: int = 64,
                 channel_multipliers: Sequence[int] = (1, 2, 4),
                 num_heads: Sequence[int] = (1, 2, 4),
                 num_res_blocks: int = 1,
                 num_reconstruction_blocks: int = 5,
                 window_size: int = 8,
                 search_radius: int = 4,
                 upscale_factor: int = 4,
                 flow_refinement: bool = True,
                 with_noise_map: bool = False,
                 alignment: str = 'flow',
                 relative_position_bias: bool = False,
                 flow_skip: bool = False,
                 residual_init: Union[str, float] = 'zero',
                 max_flow_update: Optional[float] = None,
                 reconstruction_channels: Optional[int] = None,
                 flow_estimator: Optional[Dict] = None,
                 init_cfg: Optional[Union[Dict, List[Dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_frames < 3 or num_frames % 2 == 0:
            raise ValueError(f'num_frames must be odd and >= 3, got '
                             f'{num_frames}')
        if upscale_factor not in (1, 2, 4):
            raise ValueError(f'upscale_factor must be 1, 2 or 4, got '
                             f'{upscale_factor}')
        if len(num_heads) != len(channel_multipliers):
            raise ValueError('num_heads and channel_multipliers need one '
                             f'entry per level, got {tuple(num_heads)} and '
                             f'{tuple(channel_multipliers)}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.num_frames = num_frames
        self.upscale_factor = upscale_factor
        self.with_noise_map = with_noise_map
        self.flow_skip = flow_skip
        channels = [mid_channels * m for m in channel_multipliers]
        self.channels = channels
        self.window_size = window_size

        self.flow_estimator = MODELS.build(
            flow_estimator if flow_estimator is not None else dict(
                type='DISFlowEstimator'))

        # 1. temporal context (3D convs over the 2N+1 frames)
        in_ch = in_channels + int(with_noise_map)
        self.temporal_context = nn.Sequential(
            FrameStackConv3d(in_ch, channels[0], 3, 1, 1),
            nn.LeakyReLU(negative_slope=0.1, inplace=True),
            FrameStackConv3d(channels[0], channels[0], 3, 1, 1))

        # 2. encoder, bottleneck and decoder
        jffr_kwargs = dict(
            window_size=window_size,
            search_radius=search_radius,
            flow_refinement=flow_refinement,
            alignment=alignment,
            relative_position_bias=relative_position_bias,
            residual_init=residual_init,
            max_flow_update=max_flow_update)
        level_args = [(c, num_frames, h, num_res_blocks)
                      for c, h in zip(channels, num_heads)]
        self.encoder = nn.ModuleList(
            [_Level(*args, **jffr_kwargs) for args in level_args])
        self.downsamplers = nn.ModuleList([
            nn.Conv2d(channels[i], channels[i + 1], 3, 2, 1)
            for i in range(len(channels) - 1)
        ])
        self.upsamplers = nn.ModuleList([
            nn.Conv2d(channels[i + 1], channels[i], 3, 1, 1)
            for i in range(len(channels) - 1)
        ])
        self.skip_fusions = nn.ModuleList([
            nn.Conv2d(2 * channels[i], channels[i], 1)
            for i in range(len(channels) - 1)
        ])
        self.decoder = nn.ModuleList(
            [_Level(*args, **jffr_kwargs) for args in level_args[:-1]])

        # 3. reconstruction of the centre frame
        rec = reconstruction_channels or channels[0]
        # only when the widths differ, so that default checkpoints keep
        # their keys
        self.reconstruction_in = nn.Conv2d(channels[0], rec, 1) \
            if rec != channels[0] else nn.Identity()
        self.reconstruction = make_layer(
            ResidualBlockNoBN, num_reconstruction_blocks, mid_channels=rec)
        self.upsample = nn.Sequential(*[
            nn.Sequential(
                PixelShufflePack(rec, rec, 2, upsample_kernel=3),
                nn.LeakyReLU(negative_slope=0.1, inplace=True))
            for _ in range(int(math.log2(upscale_factor)))
        ])
        self.conv_last = nn.Sequential(
            nn.Conv2d(rec, rec, 3, 1, 1),
            nn.LeakyReLU(negative_slope=0.1, inplace=True),
            nn.Conv2d(rec, out_channels, 3, 1, 1))
        if residual_init != 'default':
            # the tail's output is a residual on the upsampled input: start
            # it small, as MMagic's residual blocks start theirs
            default_init_weights(self.conv_last[-1], 0.1)

    @property
    def inference_spec(self) -> InferenceSpec:
        """InferenceSpec: a window of ``num_frames``; tiles keep attention
        windows of the coarsest level on the whole frame's grid; initial
        flows can be computed on the whole frame (``compute_flows``)."""
        return InferenceSpec(
            'window',
            self.upscale_factor,
            num_frames=self.num_frames,
            spatial_multiple=self.window_size * 2**(len(self.channels) - 1),
            whole_frame_flows=True)

    @property
    def expected_channels(self) -> int:
        """int: Channels per input frame (image + optional noise map)."""
        return self.in_channels + int(self.with_noise_map)

    def check_inputs(self, lqs: Tensor) -> None:
        """Raise a clear error for inputs the network cannot take.

        Args:
            lqs (Tensor): Input of shape (n, t, c, h, w).
        """
        if not isinstance(lqs, Tensor):
            raise TypeError(f'JFFRANet expects a Tensor, got {type(lqs)}')
        if not lqs.is_floating_point():
            raise ValueError('JFFRANet expects floating-point frames in '
                             f'[0, 1], got dtype {lqs.dtype}')
        if lqs.dim() != 5:
            raise ValueError('JFFRANet expects input of shape (n, t, c, h, w)'
                             f', got {tuple(lqs.shape)}')
        n, t, c, h, w = lqs.shape
        if t != self.num_frames:
            raise ValueError(f'JFFRANet expects {self.num_frames} frames, got '
                             f'input of shape {tuple(lqs.shape)}')
        if c != self.expected_channels:
            noise = ' (image + noise map)' if self.with_noise_map else ''
            raise ValueError(f'JFFRANet expects {self.expected_channels} '
                             f'channels{noise} per frame, got input of shape '
                             f'{tuple(lqs.shape)}')

    def compute_flows(self, lqs: Tensor) -> Tensor:
        """Initial flows from the centre frame to every neighbour (see
        :func:`centre_flows`)."""
        return centre_flows(self.flow_estimator, lqs, self.in_channels)

    def forward(
        self,
        lqs: Tensor,
        flows: Optional[Tensor] = None,
        return_flows: bool = False
    ) -> Union[Tensor, Tuple[Tensor, Tensor, Tensor]]:
        """Restore the centre frame.

        Args:
            lqs (Tensor): Low-quality frames (n, t, c, h, w) in [0, 1];
                with ``with_noise_map`` the last channel is the noise map.
            flows (Tensor, optional): Precomputed initial flows
                (n, t-1, 2, h, w), e.g. reused across sliding windows. When
                None they are computed by the flow estimator.
            return_flows (bool): Also return the initial flows and the
                refined flows at full resolution. Default: False.

        Returns:
            Tensor | tuple: The restored centre frame (n, out_channels,
            s*h, s*w); with ``return_flows`` also the initial and final
            flows, each (n, t-1, 2, h, w).
        """
        self.check_inputs(lqs)
        n, t, _, h, w = lqs.shape
        if flows is None:
            flows = self.compute_flows(lqs)
        elif flows.shape != (n, t - 1, 2, h, w):
            raise ValueError(f'flows must have shape {(n, t - 1, 2, h, w)}, '
                             f'got {tuple(flows.shape)}')
        init_flows = flows

        feats = self.temporal_context(lqs.transpose(1, 2))
        feats = feats.transpose(1, 2).contiguous()

        skips, flow_skips = [], []
        for i, level in enumerate(self.encoder):
            feats, flows = level(feats, flows)
            if i < len(self.downsamplers):
                skips.append(feats)
                feats = _per_frame(self.downsamplers[i], feats)
                flow_skips.append(
                    (flows, _resize_flows(flows, feats.shape[-2:])))
                flows = flow_skips[-1][1]
        for i in reversed(range(len(self.decoder))):
            skip = skips[i]
            size = skip.shape[-2:]
            up = F.interpolate(
                feats.flatten(0, 1),
                size=size,
                mode='bilinear',
                align_corners=False)
            up = self.upsamplers[i](up).view(n, t, -1, *size)
            feats = _per_frame(self.skip_fusions[i], torch.cat([up, skip], 2))
            if self.flow_skip:
                # encoder flows at this size + what the lower levels changed
                enc_flows, sent_down = flow_skips[i]
                flows = enc_flows + _resize_flows(flows - sent_down, size)
            else:
                flows = _resize_flows(flows, size)
            feats, flows = self.decoder[i](feats, flows)

        out = self.reconstruction(self.reconstruction_in(feats[:, t // 2]))
        out = self.conv_last(self.upsample(out))
        base = lqs[:, t // 2, :self.out_channels]
        if self.upscale_factor > 1:
            base = F.interpolate(
                base,
                scale_factor=self.upscale_factor,
                mode='bilinear',
                align_corners=False)
        out = (out + base).contiguous()
        if return_flows:
            return out, init_flows, flows
        return out
