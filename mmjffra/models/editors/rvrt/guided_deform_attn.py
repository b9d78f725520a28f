# Copyright (c) mmjffra contributors. All rights reserved.
"""Guided deformable attention (GDA) of RVRT, in pure PyTorch.

RVRT's official implementation needs a CUDA extension for this operation;
here the sampling is done with :func:`torch.nn.functional.grid_sample`
(bilinear, zeros outside the frame, ``align_corners=True``: the sampling
convention of :func:`mmagic.models.utils.flow_warp`), so it runs on any
device, supports autograd and half precision.
"""
import math
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmagic.models.utils import flow_warp
from mmagic.registry import MODELS
from torch import Tensor, nn


def kernel_base_offsets(kernel_size: Sequence[int],
                        device: Optional[torch.device] = None) -> Tensor:
    """(P, 2) (dx, dy) offsets of the sampling points of a kh x kw kernel.

    Point ``i * kw + j`` sits at ``(j - kw // 2, i - kh // 2)`` from the
    reference location, as the taps of a (deformable) convolution.
    """
    kh, kw = kernel_size
    ys, xs = torch.meshgrid(
        torch.arange(kh, device=device, dtype=torch.float32) - kh // 2,
        torch.arange(kw, device=device, dtype=torch.float32) - kw // 2,
        indexing='ij')
    return torch.stack([xs.flatten(), ys.flatten()], dim=1)


def guided_deformable_attention(query: Tensor,
                                key: Tensor,
                                value: Tensor,
                                offsets: Tensor,
                                num_heads: int,
                                kernel_size: Sequence[int] = (1, 1),
                                scale: Optional[float] = None) -> Tensor:
    """Attend from each query location to deformably sampled keys/values.

    For a query at pixel ``p`` of target frame ``t`` and each support frame
    ``s``, deformable group ``g`` and kernel point ``k``, keys and values of
    the channels of group ``g`` are sampled bilinearly from frame ``s`` at
    ``p + base_k + offsets[t, s, g, k]`` (``base_k`` from
    :func:`kernel_base_offsets`). Each head then attends over the
    ``S * P`` sampled points: ``softmax(q . k_i * scale)`` weights the
    sampled values. Heads and groups are independent splits of the
    channels (head ``c // (C / num_heads)``, group ``c // (C / G)``).

    All target frames share the support keys/values: they are sampled in one
    ``grid_sample`` call per (support frame, group) without copying them per
    target, and the attention runs on the sampled layout directly (no
    permuted copies of the samples).

    Args:
        query (Tensor): Queries (b, t, c, h, w), or (b, c, h, w) for t = 1.
        key (Tensor): Keys of the support frames (b, s, c, h, w).
        value (Tensor): Values of the support frames (b, s, c, h, w).
        offsets (Tensor): Displacements (b, t, s, g, p, 2, h, w), or
            (b, s, g, p, 2, h, w) for a 4D query, in pixels, (dx, dy) order,
            relative to each point's kernel base position; ``p = kh * kw``.
        num_heads (int): Attention heads; must divide c.
        kernel_size (tuple[int]): (kh, kw) of the sampling kernel.
            Default: (1, 1).
        scale (float, optional): Logit scale. Default: 1/sqrt(c/num_heads).

    Returns:
        Tensor: (b, t, c, h, w), or (b, c, h, w) for a 4D query.
    """
    single = query.dim() == 4
    if single:
        query, offsets = query[:, None], offsets[:, None]
    if query.dim() != 5:
        raise ValueError('query must be (b, t, c, h, w) or (b, c, h, w), got '
                         f'{tuple(query.shape)}')
    b, t, c, h, w = query.shape
    if key.dim() != 5 or key.shape[0] != b or key.shape[2:] != (c, h, w):
        raise ValueError(f'key must be (b, s, {c}, {h}, {w}) for a query of '
                         f'shape {tuple(query.shape)}, got {tuple(key.shape)}')
    if value.shape != key.shape:
        raise ValueError(f'value shape {tuple(value.shape)} != key shape '
                         f'{tuple(key.shape)}')
    s = key.size(1)
    if offsets.dim() != 8 or offsets.shape[:3] != (b, t, s) or \
            offsets.shape[5:] != (2, h, w):
        raise ValueError(f'offsets must be (b, t, s, g, p, 2, h, w) = '
                         f'({b}, {t}, {s}, g, p, 2, {h}, {w}), got '
                         f'{tuple(offsets.shape)}')
    g, p = offsets.shape[3:5]
    if p != kernel_size[0] * kernel_size[1]:
        raise ValueError(f'offsets have {p} points, kernel {kernel_size} '
                         f'has {kernel_size[0] * kernel_size[1]}')
    if c % g or c % num_heads:
        raise ValueError(f'channels ({c}) must be divisible by the groups '
                         f'({g}) and heads ({num_heads})')
    cg, heads, dh = c // g, num_heads, c // num_heads
    scale = 1. / math.sqrt(dh) if scale is None else scale

    # absolute sampling positions, normalised for grid_sample; always in
    # float32 (half precision has 0.5 px steps beyond 1024 px)
    dtype = torch.float32
    offsets = offsets.float().permute(0, 2, 3, 1, 4, 5, 6, 7)  # b,s,g,t,p,..
    base = kernel_base_offsets(kernel_size, offsets.device).to(dtype)
    ys, xs = torch.meshgrid(
        torch.arange(h, device=offsets.device, dtype=dtype),
        torch.arange(w, device=offsets.device, dtype=dtype),
        indexing='ij')
    pos_x = xs + base[:, 0, None, None] + offsets[..., 0, :, :]
    pos_y = ys + base[:, 1, None, None] + offsets[..., 1, :, :]
    grid = torch.stack(
        [2. * pos_x / max(w - 1, 1) - 1., 2. * pos_y / max(h - 1, 1) - 1.],
        dim=-1)  # b, s, g, t, p, h, w, 2
    grid = grid.view(1, b * s * g, t * p * h, w, 2)
    grid = grid.expand(2, -1, -1, -1, -1).reshape(-1, t * p * h, w, 2)

    # keys and values of a group share their sampling positions; both go
    # through one call, in float32 (as autocast does for grid_sample)
    kv = torch.stack([key, value]).view(2 * b * s * g, cg, h, w)
    sampled = F.grid_sample(
        kv.float(),
        grid,
        mode='bilinear',
        padding_mode='zeros',
        align_corners=True).to(key.dtype)
    # (2, b, s, g, cg, t, p, h, w) -> channels (g, cg) = (heads, dh): views
    sampled = sampled.view(2, b, s, heads, dh, t, p, h, w)
    k_s, v_s = sampled[0], sampled[1]

    q = query.permute(0, 2, 1, 3, 4).reshape(b, 1, heads, dh, t, 1, h, w)
    logits = (q * k_s).sum(3) * scale  # b, s, heads, t, p, h, w
    logits = logits.permute(0, 2, 3, 1, 4, 5,
                            6).reshape(b, heads, t, s * p, h, w)
    attn = torch.softmax(logits, dim=3).view(b, heads, t, s, p, h, w)
    attn = attn.permute(0, 3, 1, 2, 4, 5, 6).unsqueeze(3)  # b,s,heads,1,t,p
    out = (attn * v_s).sum(dim=(1, 5))  # b, heads, dh, t, h, w
    out = out.reshape(b, c, t, h, w).transpose(1, 2)
    return out[:, 0] if single else out


@MODELS.register_module()
class GuidedDeformableAttention(nn.Module):
    """Clip-to-clip alignment of RVRT with guided deformable attention.

    Aligns the hidden state ``v`` of a support clip (``S`` frames) to each
    of the ``T`` frames of a target clip. For target frame ``t`` and support
    frame ``s`` the optical flow ``flows[t, s]`` guides the sampling: every
    deformable group samples ``kh * kw`` points around
    ``p + flow + residual``, the residuals predicted by a small conv net from
    the target features, the flow-warped support hidden states and the
    flows, bounded by ``max_residue_magnitude * tanh`` (zero at init: the
    last layer is zero-initialised, so GDA starts as flow-guided sampling).
    Queries come from the target features, keys from the support features,
    values from the support hidden state (all after 1x1 projections); the
    multi-head attention over the ``S * kh * kw`` samples is followed by an
    output projection and a residual MLP.

    Args:
        embed_dims (int): Channels of features and hidden states.
        clip_size (int): Frames per support clip (S). Default: 2.
        num_heads (int): Attention heads. Default: 12.
        num_groups (int): Deformable groups (own offsets). Default: 12.
        kernel_size (tuple[int]): Sampling points per group and frame, as a
            (kh, kw) kernel around the guided location. Default: (3, 3).
        max_residue_magnitude (float): Bound of the learned residual offsets
            in pixels. Default: 10.
        offset_channels (int): Channels of the offset network. Default: 64.
        mlp_ratio (float): Hidden channels of the MLP / embed_dims.
            Default: 2.
    """

    def __init__(self,
                 embed_dims: int,
                 clip_size: int = 2,
                 num_heads: int = 12,
                 num_groups: int = 12,
                 kernel_size: Union[int, Tuple[int, int]] = (3, 3),
                 max_residue_magnitude: float = 10.,
                 offset_channels: int = 64,
                 mlp_ratio: float = 2.) -> None:
        super().__init__()
        if isinstance(kernel_size, int):
            kernel_size = (kernel_size, kernel_size)
        if embed_dims % num_heads or embed_dims % num_groups:
            raise ValueError(f'embed_dims ({embed_dims}) must be divisible '
                             f'by num_heads ({num_heads}) and num_groups '
                             f'({num_groups})')
        self.embed_dims = embed_dims
        self.clip_size = clip_size
        self.num_heads = num_heads
        self.num_groups = num_groups
        self.kernel_size = tuple(kernel_size)
        self.num_points = kernel_size[0] * kernel_size[1]
        self.max_residue_magnitude = max_residue_magnitude

        in_offset = embed_dims * (1 + clip_size) + 2 * clip_size
        out_offset = clip_size * num_groups * self.num_points * 2
        self.conv_offset = nn.Sequential(
            nn.Conv2d(in_offset, offset_channels, 1),
            nn.LeakyReLU(0.1, inplace=True),
            nn.Conv2d(offset_channels, offset_channels, 3, padding=1),
            nn.LeakyReLU(0.1, inplace=True),
            nn.Conv2d(offset_channels, offset_channels, 3, padding=1),
            nn.LeakyReLU(0.1, inplace=True),
            nn.Conv2d(offset_channels, offset_channels, 3, padding=1),
            nn.LeakyReLU(0.1, inplace=True),
            nn.Conv2d(offset_channels, out_offset, 1),
        )
        nn.init.zeros_(self.conv_offset[-1].weight)
        nn.init.zeros_(self.conv_offset[-1].bias)
        # 1x1 convolutions = per-pixel linear layers on (n, c, h, w)
        self.proj_q = nn.Conv2d(embed_dims, embed_dims, 1)
        self.proj_k = nn.Conv2d(embed_dims, embed_dims, 1)
        self.proj_v = nn.Conv2d(embed_dims, embed_dims, 1)
        self.proj = nn.Conv2d(embed_dims, embed_dims, 1)
        hidden = int(embed_dims * mlp_ratio)
        self.mlp = nn.Sequential(
            nn.Conv2d(embed_dims, hidden, 1), nn.GELU(),
            nn.Conv2d(hidden, embed_dims, 1))

    def forward(self,
                query: Tensor,
                key: Tensor,
                value: Tensor,
                value_warped: Tensor,
                flows: Tensor,
                return_offsets: bool = False):
        """Align ``value`` (support clip) to every frame of the target clip.

        Args:
            query (Tensor): Target clip features (n, t, c, h, w).
            key (Tensor): Support clip features (n, s, c, h, w).
            value (Tensor): Support clip hidden state (n, s, c, h, w).
            value_warped (Tensor): ``value`` flow-warped to each target frame
                (n, t, s * c, h, w), support frame major.
            flows (Tensor): Flows from each target to each support frame
                (n, t, s, 2, h, w).
            return_offsets (bool): Also return the mean guided offset per
                (target, support) pair (n, t, s, 2, h, w): the flow refined by
                the learned residuals. Default: False.

        Returns:
            Tensor | tuple[Tensor, Tensor]: Aligned hidden state
            (n, t, c, h, w) [, refined flows].
        """
        n, t, c, h, w = query.shape
        s = key.size(1)
        if s != self.clip_size or value.shape != key.shape or \
                key.shape[2:] != (c, h, w):
            raise ValueError(
                f'support key/value must be (n, {self.clip_size}, {c}, {h}, '
                f'{w}), got {tuple(key.shape)} / {tuple(value.shape)}')
        if flows.shape != (n, t, s, 2, h, w):
            raise ValueError(f'flows must be {(n, t, s, 2, h, w)}, got '
                             f'{tuple(flows.shape)}')
        g, p = self.num_groups, self.num_points
        x = torch.cat([
            query.flatten(0, 1),
            value_warped.flatten(0, 1),
            flows.flatten(0, 1).flatten(1, 2)
        ],
                      dim=1)
        residual = self.max_residue_magnitude * torch.tanh(self.conv_offset(x))
        offsets = residual.view(n * t, s, g, p, 2, h, w) + \
            flows.flatten(0, 1)[:, :, None, None]

        q = self.proj_q(query.flatten(0, 1)).view(n, t, c, h, w)
        k = self.proj_k(key.flatten(0, 1)).view(n, s, c, h, w)
        v = self.proj_v(value.flatten(0, 1)).view(n, s, c, h, w)
        out = guided_deformable_attention(q, k, v,
                                          offsets.view(n, t, s, g, p, 2, h,
                                                       w), self.num_heads,
                                          self.kernel_size).flatten(0, 1)
        out = self.proj(out)
        out = (out + self.mlp(out)).view(n, t, c, h, w)
        if return_offsets:
            refined = offsets.mean(dim=(2, 3)).view(n, t, s, 2, h, w)
            return out, refined
        return out


def warp_to_targets(value: Tensor, flows: Tensor) -> Tensor:
    """Warp each support frame to each target frame with its flow.

    Args:
        value (Tensor): Support clip (n, s, c, h, w).
        flows (Tensor): (n, t, s, 2, h, w) flows from targets to supports.

    Returns:
        Tensor: (n, t, s * c, h, w), support frame major.
    """
    n, t, s = flows.shape[:3]
    c, h, w = value.shape[2:]
    v = value[:, None].expand(n, t, s, c, h, w).reshape(-1, c, h, w)
    warped = flow_warp(v, flows.reshape(-1, 2, h, w).permute(0, 2, 3, 1))
    return warped.view(n, t, s * c, h, w)
