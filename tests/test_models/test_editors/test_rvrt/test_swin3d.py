# Copyright (c) mmjffra contributors. All rights reserved.
import math

import pytest
import torch

from mmjffra.models.editors.rvrt.swin3d import (RSTBWithInputConv,
                                                SwinTransformerBlock3D,
                                                effective_window)


def _region(p, length, win, sft):
    if sft == 0:
        return 0
    return 0 if p < length - win else (1 if p < length - sft else 2)


def _reference_attend(block, x):
    """Token-by-token shifted-window attention with relative bias, as the
    released RVRT computes it.

    The input is padded with zero tokens to a multiple of the window; every
    token of the query's window of the cyclically shifted map is a key,
    those of another shift region with -100 added to their logit. The bias
    of tokens ``l`` and ``m`` (flat positions in a window, shrunk or not) is
    that of the full window's tokens ``l`` and ``m``.
    """
    _, d, h, w, c = x.shape
    size = (d, h, w)
    window, shift = effective_window(size, block.window_size, block.shift_size)
    padded = [math.ceil(s / win) * win for s, win in zip(size, window)]
    tokens = torch.zeros(*padded, c)
    tokens[:d, :h, :w] = x[0]
    attn = block.attn
    heads, dh = attn.num_heads, c // attn.num_heads
    q, k, v = attn.qkv(tokens).double().split(c, dim=-1)
    wd, wh, ww = attn.window_size
    table = attn.relative_position_bias_table.double()

    def full_window_coords(flat):
        return flat // (wh * ww), flat // ww % wh, flat % ww

    def flat(pos):  # flat position within its (effective) window
        z, y, xx = [p % win for p, win in zip(pos, window)]
        return (z * window[1] + y) * window[2] + xx

    coords = [(z, y, xx) for z in range(padded[0]) for y in range(padded[1])
              for xx in range(padded[2])]

    def rolled(pos):
        return [(p - s) % length for p, s, length in zip(pos, shift, padded)]

    out = torch.zeros(d, h, w, c, dtype=torch.float64)
    for pos_q in coords:
        if any(p >= s for p, s in zip(pos_q, size)):
            continue
        rq = rolled(pos_q)
        wq = [p // win for p, win in zip(rq, window)]
        reg_q = [
            _region(p, L, win, s)
            for p, L, win, s in zip(rq, padded, window, shift)
        ]
        keys, bias_idx, masked = [], [], []
        for pos_k in coords:
            rk = rolled(pos_k)
            if [p // win for p, win in zip(rk, window)] != wq:
                continue
            reg_k = [
                _region(p, L, win, s)
                for p, L, win, s in zip(rk, padded, window, shift)
            ]
            a = full_window_coords(flat(rq))
            b = full_window_coords(flat(rk))
            rel = [i - j for i, j in zip(a, b)]
            keys.append(pos_k)
            masked.append(-100. if reg_k != reg_q else 0.)
            bias_idx.append((rel[0] + wd - 1) * (2 * wh - 1) * (2 * ww - 1) +
                            (rel[1] + wh - 1) * (2 * ww - 1) + rel[2] + ww - 1)
        kk = torch.stack([k[p] for p in keys])
        vv = torch.stack([v[p] for p in keys])
        res = []
        for hi in range(heads):
            sl = slice(hi * dh, (hi + 1) * dh)
            logits = kk[:, sl] @ q[pos_q][sl] / math.sqrt(dh)
            logits = logits + table[bias_idx, hi] + torch.tensor(
                masked, dtype=torch.float64)
            res.append(torch.softmax(logits, 0) @ vv[:, sl])
        out[pos_q] = torch.cat(res)
    proj = attn.proj
    return out @ proj.weight.double().t() + proj.bias.double()


@pytest.mark.parametrize('size,shift', [((3, 5, 6), True), ((3, 5, 6), False),
                                        ((2, 3, 9), True), ((1, 8, 8), True)])
def test_window_attention_matches_token_reference(size, shift):
    torch.manual_seed(0)
    block = SwinTransformerBlock3D(8, 2, (2, 4, 4), shift=shift)
    x = torch.randn(1, *size, 8)
    with torch.no_grad():
        out = block._attend(x)
        ref = _reference_attend(block, x)
    assert torch.allclose(out.double(), ref[None], atol=1e-5)


def test_rstb_with_input_conv_shapes_and_errors():
    torch.manual_seed(2)
    net = RSTBWithInputConv(
        5,
        12,
        num_blocks=2,
        depth=2,
        num_heads=3,
        window_size=(2, 4, 4),
        groups=1)
    out = net(torch.randn(2, 3, 5, 9, 11))
    assert out.shape == (2, 3, 12, 9, 11)
    out.mean().backward()
    assert all(p.grad is not None for p in net.parameters())
    with pytest.raises(ValueError, match=r'\(n, t, 5, h, w\).*\(2, 3, 4'):
        net(torch.randn(2, 3, 4, 9, 11))
