# Copyright (c) mmjffra contributors. All rights reserved.
"""Our RVRTNet (official layout) against the released RVRT network itself.

Not part of the test suite: the released code is not ours and is not
vendored. Give the path of a checkout of github.com/JingyunLiang/RVRT (only
``models/`` is read). Its ``models/op/deform_attn.py`` JIT-builds a CUDA
extension at import time (no CPU fallback); this harness hands it, in place
of ``torch.utils.cpp_extension.load``, a pure-PyTorch module implementing the
documented kernel (``reference_deform_attn_forward`` below, written after
``deform_attn_cuda_pt110.cpp``: modulated deformable im2col with unit masks,
i.e. bilinear sampling of the offset locations, zeros outside, then per head
the softmax of q.k over the sampled points and the weighted sum of v). It is
independent of ``mmjffra``'s implementation (explicit corner gathers, the
kernel's own loops and layouts; no ``grid_sample``).

For each task, the official ``RVRT`` is built with the arguments of its test
script, filled with random weights, the same weights are loaded into
``RVRTNet`` of ``configs/rvrt/rvrt_official-<task>.py`` (through the
released-checkpoint key map), and both restore the same random clip::

    python projects/jffra_study/tools/rvrt_official_equivalence.py \
        /path/to/RVRT

prints the largest absolute difference of the outputs per task.
"""
import argparse
import math
import sys
import types
from pathlib import Path

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

REPO = Path(__file__).resolve().parents[3]
TASKS = {
    '001': ('001_RVRT_videosr_bi_REDS_30frames', 'rvrt_official-001_reds4.py',
            (1, 6, 3, 40, 48)),
    '004': ('004_RVRT_videodeblurring_DVD_16frames',
            'rvrt_official-004_dvd-deblur.py', (1, 6, 3, 136, 136)),
    '006': ('006_RVRT_videodenoising_DAVIS_16frames',
            'rvrt_official-006_davis-denoise.py', (1, 6, 4, 136, 136)),
}


def bilinear_zeros(img, y, x):
    """The kernel's bilinear sample: img (C, H, W), y/x (L,) -> (C, L);
    0 unless -1 < y < H and -1 < x < W, corners outside count as 0."""
    c, h, w = img.shape
    inside = (y > -1) & (x > -1) & (y < h) & (x < w)
    y0, x0 = torch.floor(y), torch.floor(x)
    ly, lx = y - y0, x - x0
    flat = img.reshape(c, h * w)
    out = torch.zeros(c, y.numel(), dtype=img.dtype)
    for yy, wy in ((y0, 1 - ly), (y0 + 1, ly)):
        for xx, wx in ((x0, 1 - lx), (x0 + 1, lx)):
            ok = inside & (yy >= 0) & (yy <= h - 1) & (xx >= 0) & (xx <= w - 1)
            idx = (yy.clamp(0, h - 1) * w + xx.clamp(0, w - 1)).long()
            out += flat[:, idx] * (wy * wx * ok)
    return out


def im2col(data, offset, kh, kw, pad, stride, dil, groups):
    """Modulated deformable im2col with unit masks.

    data (C, H, W); offset (groups * kh * kw * 2, H * W), per group and
    kernel point (dy, dx). Returns columns (C * kh * kw, H * W), channel
    major.
    """
    c, h, w = data.shape
    ys, xs = torch.meshgrid(
        torch.arange(h, dtype=data.dtype),
        torch.arange(w, dtype=data.dtype),
        indexing='ij')
    ys, xs = ys.flatten(), xs.flatten()
    cg = c // groups
    cols = torch.zeros(c, kh * kw, h * w, dtype=data.dtype)
    for g in range(groups):
        for i in range(kh):
            for j in range(kw):
                p = i * kw + j
                dy = offset[(g * kh * kw + p) * 2]
                dx = offset[(g * kh * kw + p) * 2 + 1]
                y = ys * stride - pad + i * dil + dy
                x = xs * stride - pad + j * dil + dx
                cols[g * cg:(g + 1) * cg,
                     p] = bilinear_zeros(data[g * cg:(g + 1) * cg], y, x)
    return cols.reshape(c * kh * kw, h * w)


def reference_deform_attn_forward(q, kv, offset, output, columns, attns,
                                  mask_ones, kernel_h, kernel_w, stride_h,
                                  stride_w, pad_h, pad_w, dilation_h,
                                  dilation_w, attn_head, deform_group,
                                  clip_size):
    """``deform_attn_ext.deform_attn_forward`` in pure PyTorch."""
    batch = q.size(0)
    kv_channels, height, width = kv.shape[2:]
    channels = kv_channels // 2
    area = height * width
    dim = channels // attn_head
    size = kernel_h * kernel_w
    qs = q.reshape(batch, 1, attn_head, dim, area).permute(0, 2, 4, 1, 3)
    qs = qs * dim**-0.5
    offset = offset.reshape(batch, clip_size, -1, area)
    out = torch.zeros(batch, attn_head, dim, height, width, dtype=q.dtype)
    for b in range(batch):
        cols = torch.stack([
            im2col(kv[b // clip_size][(n + b) % clip_size], offset[b][n],
                   kernel_h, kernel_w, pad_h, stride_h, dilation_h,
                   deform_group) for n in range(clip_size)
        ])
        cols = cols.view(clip_size, 2, attn_head, dim, size, area)
        cols = cols.permute(1, 2, 5, 3, 0, 4).flatten(4)
        attn = torch.softmax(qs[b] @ cols[0], -1)
        out[b] = (attn @ cols[1].transpose(2, 3)).transpose(1, 3).reshape(
            attn_head, dim, height, width)
    output.copy_(out.view(output.shape))


def import_official(checkout: Path):
    """``models.network_rvrt`` of the checkout, its extension replaced."""
    import torch.utils.cpp_extension as cpp_extension
    ext = types.ModuleType('deform_attn')
    ext.deform_attn_forward = reference_deform_attn_forward
    load = cpp_extension.load
    cpp_extension.load = lambda *args, **kwargs: ext
    sys.path.insert(0, str(checkout))
    try:
        from models import network_rvrt
    finally:
        cpp_extension.load = load
        sys.path.remove(str(checkout))
    return network_rvrt


def official_args(task: str) -> dict:
    import json
    facts = REPO / 'tests' / 'data' / 'rvrt_official' / f'{task}.json'
    return json.loads(facts.read_text())['args']


def randomize(net: torch.nn.Module, seed: int) -> None:
    """Random weights in place (buffers kept): N(0, 1/fan_in) weights,
    N(0, 0.05) biases and norms around 1, so activations stay O(1)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in net.named_parameters():
            if p.dim() > 1:
                fan_in = p[0].numel() if 'bias_table' not in name else 1
                std = 1 / math.sqrt(fan_in) if fan_in > 1 else 0.1
            else:
                std = 0.05
            p.copy_(torch.randn(p.shape, generator=gen) * std)
            if name.endswith('weight') and p.dim() == 1:  # LayerNorm
                p.add_(1)


def compare(network_rvrt, key: str, seed: int = 0) -> tuple:
    from mmagic.registry import MODELS

    from mmjffra.models.editors.rvrt.official_keys import released_rvrt_weights
    task, cfg_name, shape = TASKS[key]
    official = network_rvrt.RVRT(**official_args(task)).eval()
    randomize(official, seed)
    cfg = Config.fromfile(REPO / 'configs' / 'rvrt' / cfg_name)
    ours = MODELS.build(cfg.model.generator).eval()
    ours.load_state_dict(
        released_rvrt_weights({'params': official.state_dict()}))
    gen = torch.Generator().manual_seed(seed + 1)
    lqs = torch.rand(shape, generator=gen)
    if shape[2] == 4:  # noise level map, sigma 30
        lqs[:, :, 3] = 30 / 255
    with torch.no_grad():
        expected = official(lqs)
        out = ours(lqs)
    return (task, tuple(lqs.shape), (out - expected).abs().max().item(),
            expected.abs().max().item())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('official', help='checkout of JingyunLiang/RVRT')
    parser.add_argument(
        '--tasks', nargs='+', default=sorted(TASKS), choices=sorted(TASKS))
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    init_default_scope('mmagic')
    import mmjffra  # noqa: F401  (registers RVRTNet)
    network_rvrt = import_official(Path(args.official))
    for key in args.tasks:
        task, shape, diff, scale = compare(network_rvrt, key)
        print(f'{task}: input {shape}, max |ours - official| = {diff:.3g} '
              f'(outputs up to {scale:.3g})')


if __name__ == '__main__':
    main()
