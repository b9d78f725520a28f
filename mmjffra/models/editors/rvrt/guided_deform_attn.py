# Copyright (c) mmjffra contributors. All rights reserved.
"""Guided deformable attention (GDA) of RVRT, in pure PyTorch.

The computation of the released RVRT models (their code needs a CUDA
extension for it); here the sampling is done with
:func:`torch.nn.functional.grid_sample` (bilinear, zeros outside the frame,
``align_corners=True``: the sampling convention of
:func:`mmagic.models.utils.flow_warp`), so it runs on any device, supports
autograd and half precision.

- queries, keys and values are projected to ``2 * C`` channels (linear
  layers), the attention output back to ``C``;
- the deformable groups split the *concatenated* keys and values
  (``2 * 2C`` channels): the first half of the groups samples the keys, the
  second half the values, each at its own learned locations;
- the offsets are the flows plus bounded residuals of an offset network
  with four 3x3 layers, read per (support chunk, group, point) as (dy, dx);
- target frame ``i`` of a clip reads the support frames in the order
  ``i, i + 1, ...`` (modulo the clip size): the chunks of the offset
  network's input and output follow that order.
"""
import math
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmagic.models.utils import flow_warp
from mmagic.registry import MODELS
from torch import Tensor, nn

from .swin3d import FrameConv3d, GELUMlp


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


def deformable_kv_attention(query: Tensor, key: Tensor, value: Tensor,
                            offsets: Tensor, num_heads: int,
                            kernel: Sequence[int]) -> Tensor:
    """Attention over keys and values sampled at deformable locations.

    The operation of the released RVRT's deformable attention kernel. Keys
    and values of the support frames are concatenated to ``2C`` channels and
    split into ``g`` deformable groups; group ``j`` of support frame ``s``
    is sampled bilinearly (zeros outside the frame) at
    ``p + base_k + offsets[:, t, s, j, k]`` for the query pixel ``p`` of
    target frame ``t`` and kernel point ``k``. Each of ``num_heads`` heads
    (channel slices of the queries, sampled keys and sampled values) takes
    the softmax of ``q . k / sqrt(C / num_heads)`` over all ``s * kh * kw``
    samples and sums the sampled values with these weights.

    Args:
        query (Tensor): (n, t, C, h, w).
        key (Tensor): (n, s, C, h, w).
        value (Tensor): (n, s, C, h, w).
        offsets (Tensor): (n, t, s, g, kh * kw, 2, h, w) in pixels, (dx, dy),
            relative to each point's kernel position; ``2C`` divisible by g.
        num_heads (int): Attention heads; divides C.
        kernel (tuple[int]): Kernel (kh, kw) of the points.

    Returns:
        Tensor: (n, t, C, h, w).
    """
    n, t, c, h, w = query.shape
    s = key.size(1)
    g, p = offsets.shape[3:5]
    if key.shape != (n, s, c, h, w) or value.shape != key.shape:
        raise ValueError(f'key and value must be (n, s, {c}, {h}, {w}) for '
                         f'a query of shape {tuple(query.shape)}, got '
                         f'{tuple(key.shape)} and {tuple(value.shape)}')
    if offsets.shape != (n, t, s, g, p, 2, h, w) or (2 * c) % g or \
            c % num_heads or p != kernel[0] * kernel[1]:
        raise ValueError(f'offsets must be (n, t, s, g, kh*kw, 2, h, w) = '
                         f'({n}, {t}, {s}, g, {kernel[0]}*'
                         f'{kernel[1]}, 2, {h}, {w}) with g dividing '
                         f'{2 * c}, got {tuple(offsets.shape)}')
    dh = c // num_heads
    base = kernel_base_offsets(kernel, query.device)
    ys, xs = torch.meshgrid(
        torch.arange(h, device=query.device, dtype=torch.float32),
        torch.arange(w, device=query.device, dtype=torch.float32),
        indexing='ij')
    off = offsets.float().permute(0, 2, 3, 1, 4, 5, 6, 7)  # n, s, g, t, p
    pos_x = xs + base[:, 0, None, None] + off[..., 0, :, :]
    pos_y = ys + base[:, 1, None, None] + off[..., 1, :, :]
    grid = torch.stack(
        [2. * pos_x / max(w - 1, 1) - 1., 2. * pos_y / max(h - 1, 1) - 1.],
        dim=-1).view(n * s * g, t * p * h, w, 2)
    kv = torch.cat([key, value], dim=2).reshape(n * s * g, 2 * c // g, h, w)
    sampled = F.grid_sample(
        kv.float(),
        grid,
        mode='bilinear',
        padding_mode='zeros',
        align_corners=True).to(query.dtype)
    sampled = sampled.view(n, s, 2, num_heads, dh, t, p, h, w)
    k_s, v_s = sampled[:, :, 0], sampled[:, :, 1]  # n, s, heads, dh, t, p
    q = query.view(n, t, num_heads, dh, h, w).permute(0, 2, 3, 1, 4, 5)
    logits = (q[:, None, :, :, :, None] * k_s).sum(3) / math.sqrt(dh)
    logits = logits.permute(0, 2, 3, 5, 6, 1, 4)  # n, heads, t, h, w, s, p
    attn = logits.reshape(n, num_heads, t, h, w, s * p).softmax(-1)
    attn = attn.view(n, num_heads, t, h, w, s, p)
    attn = attn.permute(0, 5, 1, 2, 6, 3, 4)  # n, s, heads, t, p, h, w
    out = (attn[:, :, :, None] * v_s).sum(dim=(1, 5))  # n, heads, dh, t, h, w
    return out.reshape(n, c, t, h, w).transpose(1, 2)


@MODELS.register_module()
class GuidedDeformableAttention(nn.Module):
    """Clip-to-clip alignment of RVRT: guided deformable attention (GDA).

    The module names and weight shapes are the released ones up to the key
    map of :mod:`.official_keys` (its ``nn.Sequential`` wrappers of the
    linear layers dropped).

    Args:
        embed_dims (int): Channels C of features and hidden states.
        clip_size (int): Frames per support clip. Default: 2.
        num_heads (int): Attention heads over the ``2C`` projected channels.
            Default: 12.
        num_groups (int): Deformable groups over the concatenated ``2 * 2C``
            key and value channels. Default: 12.
        kernel_size (tuple[int]): Sampling points (kh, kw). Default: (3, 3).
        max_residue_magnitude (float): Bound of the learned offsets.
            Default: 10.
        offset_channels (int): Channels of the offset network. Default: 64.
    """

    def __init__(self,
                 embed_dims: int,
                 clip_size: int = 2,
                 num_heads: int = 12,
                 num_groups: int = 12,
                 kernel_size: Tuple[int, int] = (3, 3),
                 max_residue_magnitude: float = 10.,
                 offset_channels: int = 64) -> None:
        super().__init__()
        proj = 2 * embed_dims
        if proj % num_heads or (2 * proj) % num_groups:
            raise ValueError(f'2 * embed_dims ({proj}) must be divisible by '
                             f'num_heads ({num_heads}) and 4 * embed_dims by '
                             f'num_groups ({num_groups})')
        self.embed_dims = embed_dims
        self.clip_size = clip_size
        self.num_heads = num_heads
        self.num_groups = num_groups
        self.kernel_size = tuple(kernel_size)
        self.num_points = self.kernel_size[0] * self.kernel_size[1]
        self.max_residue_magnitude = max_residue_magnitude
        # state dict order of the release: proj_q/k/v, mlp, conv_offset, proj
        self.proj_q = nn.Linear(embed_dims, proj)
        self.proj_k = nn.Linear(embed_dims, proj)
        self.proj_v = nn.Linear(embed_dims, proj)
        self.mlp = GELUMlp(embed_dims, 2 * embed_dims)
        in_offset = embed_dims * (1 + clip_size) + 2 * clip_size
        layers = [FrameConv3d(in_offset, offset_channels, 1)]
        for _ in range(4):
            layers += [
                nn.LeakyReLU(0.1, inplace=True),
                FrameConv3d(offset_channels, offset_channels, 3, padding=1)
            ]
        layers += [
            nn.LeakyReLU(0.1, inplace=True),
            FrameConv3d(offset_channels,
                        clip_size * num_groups * self.num_points * 2, 1)
        ]
        self.conv_offset = nn.Sequential(*layers)
        nn.init.zeros_(self.conv_offset[-1].weight)
        nn.init.zeros_(self.conv_offset[-1].bias)
        self.proj = nn.Linear(proj, embed_dims)

    def chunk_order(self, t: int) -> Tuple[Tensor, Tensor]:
        """Chunk order of the released code, as two (t, s) index tables.

        Returns:
            tuple[Tensor, Tensor]: ``order[i, j]``, the support frame read by
            chunk j of target frame i, and ``inverse[i, f]``, the chunk of
            target frame i that reads support frame f.
        """
        s = self.clip_size
        steps = torch.arange(t)[:, None]
        return (steps + torch.arange(s)) % s, (torch.arange(s) - steps) % s

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
            flows (Tensor): Flows (dx, dy) from each target to each support
                frame (n, t, s, 2, h, w).
            return_offsets (bool): Also return the mean offset per (target,
                support) pair (n, t, s, 2, h, w). Default: False.

        Returns:
            Tensor | tuple[Tensor, Tensor]: Aligned hidden state
            (n, t, c, h, w) [, refined flows].
        """
        n, t, c, h, w = query.shape
        s, g, p = self.clip_size, self.num_groups, self.num_points
        if key.shape != (n, s, c, h, w) or value.shape != key.shape:
            raise ValueError(f'support key/value must be {(n, s, c, h, w)}, '
                             f'got {tuple(key.shape)} / {tuple(value.shape)}')
        if flows.shape != (n, t, s, 2, h, w):
            raise ValueError(f'flows must be {(n, t, s, 2, h, w)}, got '
                             f'{tuple(flows.shape)}')
        order, inverse = [i.to(query.device) for i in self.chunk_order(t)]
        targets = torch.arange(t, device=query.device)[:, None]
        warped = value_warped.view(n, t, s, c, h, w)[:, targets, order]
        chunk_flows = flows[:, targets, order]  # n, t, s (chunks), 2, h, w
        x = torch.cat(
            [query, warped.flatten(2, 3),
             chunk_flows.flatten(2, 3)], 2).flatten(0, 1)
        residual = self.max_residue_magnitude * torch.tanh(
            self.conv_offset(x)).view(n, t, s, g * p, 2, h, w)
        # the network's channels are (dy, dx); flows (dx, dy)
        offsets = residual.flip(4) + chunk_flows[:, :, :, None]
        by_support = offsets[:, targets, inverse]

        q = self.proj_q(query.permute(0, 1, 3, 4, 2))
        k = self.proj_k(key.permute(0, 1, 3, 4, 2))
        v = self.proj_v(value.permute(0, 1, 3, 4, 2))
        out = deformable_kv_attention(
            q.permute(0, 1, 4, 2, 3), k.permute(0, 1, 4, 2, 3),
            v.permute(0, 1, 4, 2, 3), by_support.view(n, t, s, g, p, 2, h, w),
            self.num_heads, self.kernel_size)
        out = self.proj(out.permute(0, 1, 3, 4, 2))
        out = (out + self.mlp(out)).permute(0, 1, 4, 2, 3).contiguous()
        if return_offsets:
            return out, by_support.mean(dim=3)
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
