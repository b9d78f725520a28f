# Copyright (c) mmjffra contributors. All rights reserved.
"""Residual Swin transformer blocks with 3D (time x height x width) windows.

These are the building blocks of RVRT's shallow feature extraction,
recurrent feature refinement and reconstruction: a window covers ``wd``
frames x ``wh`` x ``ww`` pixels, so every frame of a clip attends to itself
and to the other frames of the clip at the same time.
"""
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F
from mmagic.registry import MODELS
from mmengine.utils import to_ntuple
from torch import Tensor, nn

from mmjffra.models.archs import window_partition, window_reverse

#: masked logit of the released RVRT's shifted windows
SHIFT_MASK_VALUE = -100.


def as_tuple(value, length: int, name: str) -> tuple:
    """``value`` repeated ``length`` times if an int (MMEngine's
    ``to_ntuple``), else checked to hold ``length`` values."""
    value = tuple(int(v) for v in to_ntuple(length)(value))
    if len(value) != length:
        raise ValueError(f'{name} needs {length} values, got {value}')
    return value


def effective_window(size: Sequence[int], window: Sequence[int],
                     shift: Sequence[int]) -> Tuple[tuple, tuple]:
    """Shrink the window (and drop the shift) along axes the input fits in.

    As in the Video Swin transformer: an axis of the input no longer than the
    window is one window, without shift.
    """
    win, sft = list(window), list(shift)
    for i, s in enumerate(size):
        if s <= window[i]:
            win[i], sft[i] = s, 0
    return tuple(win), tuple(sft)


def shifted_window_mask(padded: Sequence[int], window: Sequence[int],
                        shift: Sequence[int], device: torch.device) -> Tensor:
    """Additive attention mask (num_windows, L, L) of shifted windows.

    As the released RVRT: a key is masked for a query when it lies in
    another region of the cyclically shifted map (the usual shifted-window
    mask), with the logit ``SHIFT_MASK_VALUE``. Tokens padding the input to
    a multiple of the window are zeros that take part in the attention.

    Args:
        padded (tuple): Padded (d, h, w), multiples of ``window``.
        window (tuple): Window size (wd, wh, ww).
        shift (tuple): Shift (sd, sh, sw) of the windows.
        device (torch.device): Device of the mask.
    """
    region = torch.zeros(padded, dtype=torch.long, device=device)
    count = 0
    slices = []
    for length, win, sft in zip(padded, window, shift):
        if sft > 0:
            slices.append(
                (slice(0, length - win), slice(length - win, length - sft),
                 slice(length - sft, length)))
        else:
            slices.append((slice(0, length), ))
    for sd in slices[0]:
        for sh in slices[1]:
            for sw in slices[2]:
                region[sd, sh, sw] = count
                count += 1
    region = window_partition(region[None, ..., None], window)[..., 0]
    masked = region[:, :, None] != region[:, None, :]
    return masked.float() * SHIFT_MASK_VALUE


class WindowAttention3D(nn.Module):
    """Multi-head self-attention in 3D windows with relative position bias.

    Args:
        embed_dims (int): Channels of the tokens.
        num_heads (int): Attention heads; must divide ``embed_dims``.
        window_size (tuple[int]): Largest window (wd, wh, ww): the size of the
            relative position bias table. Smaller windows reuse the table.
        qkv_bias (bool): Whether Q/K/V have a bias. Default: True.

    As the released RVRT, the index of the full window into the bias table
    is a persistent buffer ``relative_position_index`` (it is in the
    released checkpoints), and a shrunken window (an input smaller than the
    window) uses its top-left block.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 window_size: Sequence[int],
                 qkv_bias: bool = True) -> None:
        super().__init__()
        if embed_dims % num_heads != 0:
            raise ValueError(f'embed_dims ({embed_dims}) must be divisible '
                             f'by num_heads ({num_heads})')
        self.embed_dims = embed_dims
        self.num_heads = num_heads
        self.window_size = as_tuple(window_size, 3, 'window_size (t, h, w)')
        wd, wh, ww = self.window_size
        self.relative_position_bias_table = nn.Parameter(
            torch.zeros((2 * wd - 1) * (2 * wh - 1) * (2 * ww - 1), num_heads))
        nn.init.trunc_normal_(self.relative_position_bias_table, std=.02)
        self.qkv = nn.Linear(embed_dims, embed_dims * 3, bias=qkv_bias)
        self.proj = nn.Linear(embed_dims, embed_dims)
        self.register_buffer('relative_position_index',
                             self._window_index(self.window_size))

    def _window_index(self, window: Sequence[int]) -> Tensor:
        """(L, L) indices into the bias table of the tokens of ``window``."""
        coords = torch.stack(
            torch.meshgrid(*[torch.arange(s) for s in window],
                           indexing='ij')).flatten(1)  # 3, L
        rel = coords[:, :, None] - coords[:, None, :]  # 3, L, L
        wd, wh, ww = self.window_size
        return ((rel[0] + wd - 1) * (2 * wh - 1) * (2 * ww - 1) +
                (rel[1] + wh - 1) * (2 * ww - 1) + (rel[2] + ww - 1))

    def position_index(self, window: Sequence[int]) -> Tensor:
        """(L, L) indices into the bias table for a window <= window_size."""
        length = window[0] * window[1] * window[2]
        return self.relative_position_index[:length, :length]

    def forward(self,
                x: Tensor,
                window: Sequence[int],
                mask: Tensor = None) -> Tensor:
        """Attend within windows.

        Args:
            x (Tensor): Tokens (n, num_windows, L, c).
            window (tuple[int]): Window these tokens come from.
            mask (Tensor, optional): Additive mask (num_windows, L, L).

        Returns:
            Tensor: (n, num_windows, L, c).
        """
        n, nw, length, c = x.shape
        heads = self.num_heads
        qkv = self.qkv(x).view(n, nw, length, 3, heads, c // heads)
        q, k, v = qkv.permute(3, 0, 1, 4, 2, 5).unbind(0)  # n, nw, h, L, d
        index = self.position_index(window)
        bias = self.relative_position_bias_table[index.reshape(-1)]
        bias = bias.view(length, length, heads).permute(2, 0, 1)
        bias = bias.to(q.dtype)
        if mask is not None:
            bias = bias[None] + mask[:, None].to(q.dtype)  # nw, h, L, L
            bias = bias.expand(n, -1, -1, -1, -1).flatten(0, 1)
        # 4D inputs take the fused CPU kernel (3x faster than 5D here)
        out = F.scaled_dot_product_attention(
            q.flatten(0, 1), k.flatten(0, 1), v.flatten(0, 1), attn_mask=bias)
        out = out.view(n, nw, heads, length, -1).transpose(2, 3)
        out = out.reshape(n, nw, length, c)
        return self.proj(out)


class GELUMlp(nn.Module):
    """Feed-forward layer ``fc2(gelu(fc1(x)))`` (the released RVRT's MLP).

    Args:
        embed_dims (int): Input and output channels.
        hidden_dims (int): Hidden channels.
    """

    def __init__(self, embed_dims: int, hidden_dims: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(embed_dims, hidden_dims)
        self.fc2 = nn.Linear(hidden_dims, embed_dims)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class SwinTransformerBlock3D(nn.Module):
    """Pre-norm Swin block with (shifted) 3D window attention and an MLP.

    Args:
        embed_dims (int): Channels.
        num_heads (int): Attention heads.
        window_size (tuple[int]): Window (wd, wh, ww).
        shift (bool): Whether the windows are shifted by half a window.
        mlp_ratio (float): Hidden channels of the MLP / embed_dims.
            Default: 2.
        qkv_bias (bool): Default: True.

    As the released RVRT, tokens padding the input to a multiple of the
    window are zeros that take part in the attention; only the
    shifted-window regions are masked (:func:`shifted_window_mask`).
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 window_size: Sequence[int],
                 shift: bool = False,
                 mlp_ratio: float = 2.,
                 qkv_bias: bool = True) -> None:
        super().__init__()
        self.window_size = as_tuple(window_size, 3, 'window_size (t, h, w)')
        self.shift_size = tuple(s // 2 if shift else 0
                                for s in self.window_size)
        self.norm1 = nn.LayerNorm(embed_dims)
        self.attn = WindowAttention3D(embed_dims, num_heads, self.window_size,
                                      qkv_bias)
        self.norm2 = nn.LayerNorm(embed_dims)
        self.mlp = GELUMlp(embed_dims, int(embed_dims * mlp_ratio))

    def _attend(self, x: Tensor) -> Tensor:
        n, d, h, w, c = x.shape
        window, shift = effective_window((d, h, w), self.window_size,
                                         self.shift_size)
        pads = [(-s) % win for s, win in zip((d, h, w), window)]
        if any(pads):
            x = F.pad(x, (0, 0, 0, pads[2], 0, pads[1], 0, pads[0]))
        padded = (d + pads[0], h + pads[1], w + pads[2])
        if any(shift):
            x = torch.roll(x, shifts=tuple(-s for s in shift), dims=(1, 2, 3))
        mask = None
        if any(shift):
            mask = shifted_window_mask(padded, window, shift, x.device)
        windows = window_partition(x, window)
        windows = windows.view(n, -1, *windows.shape[1:])
        windows = self.attn(windows, window, mask)
        x = window_reverse(windows.flatten(0, 1), window, *padded)
        if any(shift):
            x = torch.roll(x, shifts=shift, dims=(1, 2, 3))
        return x[:, :d, :h, :w]

    def forward(self, x: Tensor) -> Tensor:
        """Forward (n, d, h, w, c) -> (n, d, h, w, c)."""
        x = x + self._attend(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class RSTB3D(nn.Module):
    """Residual Swin transformer block: ``x + linear(blocks(x))``.

    Args:
        embed_dims (int): Channels.
        depth (int): Swin blocks; every second one has shifted windows.
        num_heads (int): Attention heads.
        window_size (tuple[int]): Window (wd, wh, ww).
        mlp_ratio (float): Default: 2.
    """

    def __init__(self,
                 embed_dims: int,
                 depth: int,
                 num_heads: int,
                 window_size: Sequence[int],
                 mlp_ratio: float = 2.) -> None:
        super().__init__()
        self.blocks = nn.Sequential(*[
            SwinTransformerBlock3D(
                embed_dims,
                num_heads,
                window_size,
                shift=i % 2 == 1,
                mlp_ratio=mlp_ratio) for i in range(depth)
        ])
        self.linear = nn.Linear(embed_dims, embed_dims)

    def forward(self, x: Tensor) -> Tensor:
        """Forward (n, d, h, w, c) -> (n, d, h, w, c)."""
        return x + self.linear(self.blocks(x))


class FrameConv3d(nn.Conv3d):
    """A ``1 x k x k`` ``nn.Conv3d`` run frame by frame as a 2D convolution.

    Holds the weight of the released RVRT's per-frame 3D convolutions
    (out, in / groups, 1, k, k), so their checkpoints load as they are, and
    computes ``conv2d`` on (N, C, H, W) frames: the same result, the fast
    path on every device.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Spatial kernel size k.
        stride (int): Spatial stride. Default: 1.
        padding (int): Spatial padding. Default: 0.
        groups (int): Groups. Default: 1.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int,
                 stride: int = 1,
                 padding: int = 0,
                 groups: int = 1) -> None:
        super().__init__(
            in_channels,
            out_channels, (1, kernel_size, kernel_size),
            stride=(1, stride, stride),
            padding=(0, padding, padding),
            groups=groups)

    def forward(self, x: Tensor) -> Tensor:
        """Forward (N, C, H, W) -> (N, out_channels, H', W')."""
        return F.conv2d(x, self.weight[:, :, 0], self.bias, self.stride[1:],
                        self.padding[1:], 1, self.groups)


@MODELS.register_module()
class RSTBWithInputConv(nn.Module):
    """Input convolution, then residual Swin transformer blocks (3D windows).

    ``(n, t, c_in, h, w) -> (n, t, embed_dims, h, w)``: a per-frame
    ``kernel_size`` x ``kernel_size`` convolution (RVRT's 1 x k x k 3D
    convolution, :class:`FrameConv3d`, run as a 2D one on the flattened
    frames) maps ``c_in`` to ``embed_dims`` channels, followed by
    LayerNorm, ``num_blocks`` :class:`RSTB3D` and a final LayerNorm.

    Args:
        in_channels (int): Input channels.
        embed_dims (int): Output channels.
        num_blocks (int): Number of RSTBs. Default: 2.
        depth (int): Swin blocks per RSTB. Default: 2.
        num_heads (int): Attention heads. Default: 6.
        window_size (tuple[int]): 3D window. Default: (2, 8, 8).
        kernel_size (int): Kernel of the input convolution. Default: 3.
        groups (int): Groups of the input convolution. Default: 1.
        mlp_ratio (float): Default: 2.
    """

    def __init__(self,
                 in_channels: int,
                 embed_dims: int,
                 num_blocks: int = 2,
                 depth: int = 2,
                 num_heads: int = 6,
                 window_size: Sequence[int] = (2, 8, 8),
                 kernel_size: int = 3,
                 groups: int = 1,
                 mlp_ratio: float = 2.) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.conv = FrameConv3d(
            in_channels,
            embed_dims,
            kernel_size,
            padding=kernel_size // 2,
            groups=groups)
        self.norm_in = nn.LayerNorm(embed_dims)
        self.blocks = nn.Sequential(*[
            RSTB3D(embed_dims, depth, num_heads, window_size, mlp_ratio)
            for _ in range(num_blocks)
        ])
        self.norm_out = nn.LayerNorm(embed_dims)

    def forward(self, x: Tensor) -> Tensor:
        """Forward (n, t, c_in, h, w) -> (n, t, embed_dims, h, w)."""
        if x.dim() != 5 or x.size(2) != self.in_channels:
            raise ValueError(f'{type(self).__name__} expects (n, t, '
                             f'{self.in_channels}, h, w), got '
                             f'{tuple(x.shape)}')
        n, t = x.shape[:2]
        x = self.conv(x.flatten(0, 1))
        x = x.view(n, t, *x.shape[1:]).permute(0, 1, 3, 4, 2)  # n,t,h,w,c
        x = self.norm_in(x)
        x = self.norm_out(self.blocks(x))
        return x.permute(0, 1, 4, 2, 3).contiguous()
