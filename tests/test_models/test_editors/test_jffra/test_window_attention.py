# Copyright (c) mmjffra contributors. All rights reserved.
import pytest
import torch
from mmagic.registry import MODELS


def reference_window_attention(module, x):
    """Plain loop: each window attends over its own real pixels only."""
    n, c, h, w = x.shape
    ws, heads = module.window_size, module.num_heads
    d = c // heads
    out = torch.zeros(n, module.proj.out_features, h, w)
    for b in range(n):
        for y0 in range(0, h, ws):
            for x0 in range(0, w, ws):
                patch = x[b, :, y0:y0 + ws, x0:x0 + ws]
                ph, pw = patch.shape[1:]
                tokens = patch.reshape(c, -1).t()  # (L, c)
                q, k, v = module.qkv(tokens).chunk(3, dim=-1)
                outs = []
                for i in range(heads):
                    sl = slice(i * d, (i + 1) * d)
                    attn = (q[:, sl] @ k[:, sl].t()) / d**0.5
                    outs.append(attn.softmax(-1) @ v[:, sl])
                res = module.proj(torch.cat(outs, -1))
                out[b, :, y0:y0 + ph, x0:x0 + pw] = res.t().reshape(-1, ph, pw)
    return out


@pytest.mark.parametrize('size', [(8, 16), (11, 13), (3, 5)])
def test_window_attention_matches_reference(size):
    torch.manual_seed(0)
    module = MODELS.build(
        dict(
            type='WindowAttention', embed_dims=12, num_heads=3, window_size=4))
    x = torch.randn(2, 12, *size)
    out = module(x)
    assert out.shape == (2, 12, *size)
    with torch.no_grad():
        expected = reference_window_attention(module, x)
    assert torch.allclose(out, expected, atol=1e-5)


def test_window_attention_keeps_shape_for_non_multiples_of_8():
    module = MODELS.build(dict(type='WindowAttention', embed_dims=8))
    out = module(torch.randn(1, 8, 17, 23))
    assert out.shape == (1, 8, 17, 23)
    assert torch.isfinite(out).all()


def test_window_attention_errors():
    with pytest.raises(ValueError, match='divisible'):
        MODELS.build(dict(type='WindowAttention', embed_dims=10, num_heads=3))
    module = MODELS.build(dict(type='WindowAttention', embed_dims=8))
    with pytest.raises(ValueError, match='8 channels'):
        module(torch.randn(1, 4, 8, 8))
