# Copyright (c) mmjffra contributors. All rights reserved.
"""The joint flow and feature refinement (JFFR) block, JFFRA section 3.3."""
from typing import Optional, Tuple, Union

import torch
from mmagic.models.utils import flow_warp
from mmagic.registry import MODELS
from torch import Tensor, nn

from .cost_volume import L1CostVolume
from .flow_head import FlowHead
from .window_attention import WindowAttention

ALIGNMENTS = ('flow', 'none', 'learned_offset')
RESIDUAL_INITS = ('default', 'zero')


@MODELS.register_module()
class JFFRBlock(nn.Module):
    """Joint flow and feature refinement block (JFFRA eq. 1-11).

    For every neighbour ``j`` of the centre frame ``t``:

    1. project: ``P_j = T(F_j, D_j)`` by bilinear warping (eq. 2);
    2. cost volume ``C_j`` = L1 distance between ``F_t`` and ``P_j`` over a
       ``(2r+1)^2`` search window (eq. 3-4);
    3. refine the flow ``D_j' = D_j + FlowHead(C_j, F_t, P_j)`` (eq. 5);
    4. re-warp ``U_j = T(F_j, D_j')`` (eq. 6-7).

    Then ``[F_t, U_j...]`` are concatenated (eq. 8), layer-normalised,
    projected to Q/K/V and attended in windows (eq. 9-10); the output is
    split into one residual per frame and added to that frame's features
    (eq. 11).

    Choices the paper leaves open (all documented here):

    - The flow head sees the *projected* neighbour features ``P_j`` (aligned
      with ``F_t``, so the cost volume and the features describe the same
      pixel) instead of the unwarped ``F_j`` of eq. 5.
    - A pre-attention LayerNorm, as in every windowed transformer block.
    - Residuals of neighbours are added to their unwarped features, as
      eq. 11 writes.
    - The attention residual starts at zero (``residual_init='zero'``: the
      output projection of eq. 10 is zero-initialised, as the last layer of
      a residual branch in ESRGAN/ViT practice), so that a block is the
      identity at initialisation. The paper states no initialisation;
      ``'default'`` keeps PyTorch's ``nn.Linear`` init
      (``configs/jffra/README.md``, "Initialisation").

    Args:
        channels (int): Channels ``C`` of each frame's features.
        num_frames (int): Frames ``2N+1`` in the window.
        num_heads (int): Attention heads; must divide ``num_frames*C``.
            Default: 1.
        window_size (int): Attention window side. Default: 8.
        search_radius (int): Cost-volume search radius. Default: 4 (9x9).
        flow_refinement (bool): If False, skip steps 1-3 (ablation "attention
            without refined flow"): features are aligned with the incoming
            flow. Default: True.
        alignment (str): How neighbours are aligned before the attention,
            the variants of the paper's Table 5: ``'flow'`` (warping by the
            (refined) flow, the paper's JFFR block), ``'none'`` ("temporal
            mutual self-attention" without parallel warping, as VRT: the
            unwarped neighbour features are attended; flows pass through)
            or ``'learned_offset'`` ("attention with learnable offset":
            neighbours are warped by an offset a 3x3 conv predicts from the
            centre and neighbour features, zero at initialisation; flows
            pass through). The latter two need ``flow_refinement=False``.
            Default: 'flow'.
        relative_position_bias (bool): See :class:`WindowAttention`.
            Default: False.
        residual_init (str | float): Initial size of the attention
            residual: ``'zero'`` (zero-initialised output projection),
            ``'default'`` (PyTorch's default init, full size) or a float
            ``s``: a learnable per-channel scale initialised to ``s`` on the
            residual (LayerScale, CaiT), the projection left at its default
            init. Default: 'zero'.
        max_flow_update (float, optional): Bound of the flow update of eq. 5
            in pixels of this level: the flow head's output ``d`` becomes
            ``m * tanh(d / m)`` (smooth, identity for small ``d``). The paper
            bounds nothing (None). Default: None.
    """

    def __init__(self,
                 channels: int,
                 num_frames: int,
                 num_heads: int = 1,
                 window_size: int = 8,
                 search_radius: int = 4,
                 flow_refinement: bool = True,
                 alignment: str = 'flow',
                 relative_position_bias: bool = False,
                 residual_init: Union[str, float] = 'zero',
                 max_flow_update: Optional[float] = None) -> None:
        super().__init__()
        if alignment not in ALIGNMENTS:
            raise ValueError(f'alignment must be one of {ALIGNMENTS}, got '
                             f'{alignment!r}')
        if alignment != 'flow' and flow_refinement:
            raise ValueError(f'alignment={alignment!r} uses no flow: set '
                             'flow_refinement=False')
        self.channels = channels
        self.num_frames = num_frames
        self.flow_refinement = flow_refinement
        self.alignment = alignment
        if alignment == 'learned_offset':
            self.offset_conv = nn.Conv2d(2 * channels, 2, 3, 1, 1)
            nn.init.zeros_(self.offset_conv.weight)
            nn.init.zeros_(self.offset_conv.bias)
        if flow_refinement:
            self.cost_volume = L1CostVolume(search_radius)
            self.flow_head = FlowHead(self.cost_volume.out_channels, channels,
                                      channels)
        embed_dims = num_frames * channels
        self.norm = nn.LayerNorm(embed_dims)
        self.attn = WindowAttention(
            embed_dims,
            num_heads,
            window_size,
            relative_position_bias=relative_position_bias)
        if max_flow_update is not None and max_flow_update <= 0:
            raise ValueError('max_flow_update must be positive or None, got '
                             f'{max_flow_update}')
        self.max_flow_update = max_flow_update
        self.residual_init = residual_init
        if isinstance(residual_init, str):
            if residual_init not in RESIDUAL_INITS:
                raise ValueError(f'residual_init must be one of '
                                 f'{RESIDUAL_INITS} or a float, got '
                                 f'{residual_init!r}')
            self.layer_scale = None
        else:
            self.layer_scale = nn.Parameter(
                torch.full((embed_dims, ), float(residual_init)))
        self.init_residual()

    def init_residual(self) -> None:
        """Initialise the attention residual as ``residual_init`` says."""
        if self.residual_init == 'zero':
            nn.init.zeros_(self.attn.proj.weight)
            nn.init.zeros_(self.attn.proj.bias)
        elif self.layer_scale is not None:
            nn.init.constant_(self.layer_scale, float(self.residual_init))

    def forward(self, feats: Tensor, flows: Tensor) -> Tuple[Tensor, Tensor]:
        """Refine flows, then features.

        Args:
            feats (Tensor): Features of shape (n, t, c, h, w), centre frame at
                index t // 2.
            flows (Tensor): Flows from the centre to each neighbour, in
                temporal order without the centre, shape (n, t-1, 2, h, w).

        Returns:
            tuple[Tensor, Tensor]: Refined features (n, t, c, h, w) and
            refined flows (n, t-1, 2, h, w).
        """
        n, t, c, h, w = feats.shape
        centre = t // 2
        nbr_idx = [i for i in range(t) if i != centre]
        ref = feats[:, centre]
        nbrs = feats[:, nbr_idx].reshape(n * (t - 1), c, h, w)
        flows = flows.reshape(n * (t - 1), 2, h, w)

        if self.flow_refinement or self.alignment == 'learned_offset':
            ref_rep = ref.unsqueeze(1).expand(-1, t - 1, -1, -1, -1).reshape(
                n * (t - 1), c, h, w)
        if self.flow_refinement:
            proj = flow_warp(nbrs, flows.permute(0, 2, 3, 1))
            cost = self.cost_volume(ref_rep, proj)
            delta = self.flow_head(cost, ref_rep, proj)
            if self.max_flow_update is not None:
                bound = self.max_flow_update
                delta = bound * torch.tanh(delta / bound)
            flows = flows + delta

        if self.alignment == 'flow':
            aligned = flow_warp(nbrs, flows.permute(0, 2, 3, 1))
        elif self.alignment == 'learned_offset':
            offset = self.offset_conv(torch.cat([ref_rep, nbrs], dim=1))
            aligned = flow_warp(nbrs, offset.permute(0, 2, 3, 1))
        else:
            aligned = nbrs
        concat = torch.cat([ref, aligned.view(n, (t - 1) * c, h, w)], dim=1)
        concat = self.norm(concat.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        res = self.attn(concat)
        if self.layer_scale is not None:
            res = res * self.layer_scale.view(1, -1, 1, 1)
        res = res.view(n, t, c, h, w)
        # res[:, 0] belongs to the centre frame, res[:, 1:] to the neighbours
        # in temporal order: put it back into frame order.
        order = [centre] + nbr_idx
        inverse = [order.index(i) for i in range(t)]
        feats = feats + res[:, inverse]
        return feats, flows.view(n, t - 1, 2, h, w)
