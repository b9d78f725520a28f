# Copyright (c) mmjffra contributors. All rights reserved.
"""Multi-head self-attention inside non-overlapping square windows."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmagic.registry import MODELS
from torch import Tensor, nn

from mmjffra.models.archs import (additive_mask, window_partition,
                                  window_reverse)


@MODELS.register_module()
class WindowAttention(nn.Module):
    """Window multi-head self-attention on a (n, c, h, w) feature map.

    Implements eq. 9-10 of the JFFRA paper: tokens are the pixels of a
    ``window_size`` x ``window_size`` window, ``Q, K, V`` are linear
    projections of the token features, the output is ``softmax(QK^T /
    sqrt(d)) V`` followed by a linear output projection. Inputs of any size
    are accepted: the map is padded up to a multiple of the window size, the
    padded keys are masked out of the softmax (so the result at a real pixel
    does not depend on the padding), and the output is cropped back.
    The attention itself runs through
    :func:`torch.nn.functional.scaled_dot_product_attention`.

    Args:
        embed_dims (int): Channels of the input and output.
        num_heads (int): Number of attention heads; must divide
            ``embed_dims``. Default: 1.
        window_size (int): Side of the square windows. Default: 8 (paper).
        qkv_bias (bool): Whether the Q/K/V projection has a bias.
            Default: True.
        out_channels (int, optional): Channels of the output projection.
            Defaults to ``embed_dims``.
        relative_position_bias (bool): Add a learned bias per head and
            relative offset ``(dy, dx)`` inside the window to the attention
            logits, as Swin Transformer. The paper's eq. 9-10 have none
            (default False).
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int = 1,
                 window_size: int = 8,
                 qkv_bias: bool = True,
                 out_channels: Optional[int] = None,
                 relative_position_bias: bool = False) -> None:
        super().__init__()
        if embed_dims % num_heads != 0:
            raise ValueError(f'embed_dims ({embed_dims}) must be divisible '
                             f'by num_heads ({num_heads})')
        if window_size < 1:
            raise ValueError(f'window_size must be >= 1, got {window_size}')
        self.embed_dims = embed_dims
        self.num_heads = num_heads
        self.window_size = window_size
        self.qkv = nn.Linear(embed_dims, embed_dims * 3, bias=qkv_bias)
        self.proj = nn.Linear(embed_dims, out_channels or embed_dims)
        self.relative_position_bias = relative_position_bias
        if relative_position_bias:
            ws = window_size
            self.relative_position_bias_table = nn.Parameter(
                torch.zeros((2 * ws - 1)**2, num_heads))
            nn.init.trunc_normal_(self.relative_position_bias_table, std=.02)
            ys, xs = torch.meshgrid(
                torch.arange(ws), torch.arange(ws), indexing='ij')
            ys, xs = ys.flatten(), xs.flatten()
            dy = ys[:, None] - ys[None, :] + ws - 1
            dx = xs[:, None] - xs[None, :] + ws - 1
            self.register_buffer(
                'relative_position_index',
                dy * (2 * ws - 1) + dx,
                persistent=False)

    def _position_bias(self) -> Tensor:
        """Bias (1, heads, L, L) of every query/key pair of a window."""
        length = self.window_size**2
        bias = self.relative_position_bias_table[
            self.relative_position_index.flatten()]
        return bias.view(length, length, -1).permute(2, 0, 1).unsqueeze(0)

    def _key_mask(self, h: int, w: int, hp: int, wp: int, device: torch.device,
                  dtype: torch.dtype) -> Tensor:
        """Additive mask (nw, 1, 1, ws*ws) of the padded keys
        (:mod:`mmjffra.models.archs.attention_mask`)."""
        padded = torch.ones((1, hp, wp, 1), dtype=torch.bool, device=device)
        padded[:, :h, :w] = False
        padded = window_partition(padded[:, None],
                                  (1, ) + (self.window_size, ) * 2)  # nw, L, 1
        return additive_mask(padded.squeeze(-1)[:, None, None, :], dtype)

    def forward(self, x: Tensor) -> Tensor:
        """Attend within windows.

        Args:
            x (Tensor): Features of shape (n, c, h, w) with c = embed_dims.

        Returns:
            Tensor: Output of shape (n, out_channels, h, w).
        """
        n, c, h, w = x.shape
        if c != self.embed_dims:
            raise ValueError(f'WindowAttention expects {self.embed_dims} '
                             f'channels, got input of shape {tuple(x.shape)}')
        ws = self.window_size
        pad_h, pad_w = (-h) % ws, (-w) % ws
        x = x.permute(0, 2, 3, 1)
        if pad_h or pad_w:
            x = F.pad(x, (0, 0, 0, pad_w, 0, pad_h))
        hp, wp = h + pad_h, w + pad_w

        tokens = window_partition(x[:, None], (1, ws, ws))  # (n*nw, L, c)
        b, length, _ = tokens.shape
        qkv = self.qkv(tokens).view(b, length, 3, self.num_heads,
                                    c // self.num_heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # (b, heads, L, d)

        mask = None
        if pad_h or pad_w:
            mask = self._key_mask(h, w, hp, wp, x.device, q.dtype)
            mask = mask.repeat(n, 1, 1, 1)  # (n*nw, 1, 1, L)
        if self.relative_position_bias:
            bias = self._position_bias().to(q.dtype)
            mask = bias if mask is None else mask + bias
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        out = out.transpose(1, 2).reshape(b, length, c)
        out = self.proj(out)

        out = window_reverse(out, (1, ws, ws), 1, hp, wp)[:, 0, :h, :w]
        return out.permute(0, 3, 1, 2).contiguous()

    def extra_repr(self) -> str:
        return (f'embed_dims={self.embed_dims}, num_heads={self.num_heads}, '
                f'window_size={self.window_size}, relative_position_bias='
                f'{self.relative_position_bias}')
