# Copyright (c) mmjffra contributors. All rights reserved.
"""The released RVRT models: architecture, keys and loading.

``tests/data/rvrt_official/<task>.json`` are facts about the released
network (github.com/JingyunLiang/RVRT @ a5d406c, built on the CPU with the
arguments of its test script): parameter counts and the full state dict,
key and shape, in order.
"""
import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from conftest import REPO
from mmagic.models.utils import flow_warp
from mmagic.registry import MODELS
from mmengine.config import Config
from mmengine.runner.checkpoint import _load_checkpoint_to_model

from mmjffra.models.editors.rvrt import RVRTNet, chain_clip_flows
from mmjffra.models.editors.rvrt.clip_indexing import (pad_sequence_indices,
                                                       symmetric_pad)
from mmjffra.models.editors.rvrt.guided_deform_attn import \
    deformable_kv_attention
from mmjffra.models.editors.rvrt.official_keys import (mmjffra_to_official,
                                                       official_to_mmjffra,
                                                       released_rvrt_weights)

DATA = Path(__file__).parents[3] / 'data' / 'rvrt_official'
TASKS = {
    '001_RVRT_videosr_bi_REDS_30frames': 'rvrt_official-001_reds4.py',
    '002_RVRT_videosr_bi_Vimeo_14frames': 'rvrt_official-002_vimeo90k-bi.py',
    '003_RVRT_videosr_bd_Vimeo_14frames': 'rvrt_official-003_vimeo90k-bd.py',
    '004_RVRT_videodeblurring_DVD_16frames': 'rvrt_official-004_dvd-deblur.py',
    '005_RVRT_videodeblurring_GoPro_16frames':
    'rvrt_official-005_gopro-deblur.py',
    '006_RVRT_videodenoising_DAVIS_16frames':
    'rvrt_official-006_davis-denoise.py',
}


def facts(task):
    return json.loads((DATA / f'{task}.json').read_text())


def config(task):
    return Config.fromfile(REPO / 'configs' / 'rvrt' / TASKS[task])


def build_generator(task):
    torch.manual_seed(0)
    return MODELS.build(config(task).model.generator)


def random_official_state(task, seed=1):
    """A state dict in the released layout (keys, shapes, order), random."""
    gen = torch.Generator().manual_seed(seed)
    state = {}
    for key, shape in facts(task)['state_dict']:
        if key.endswith('relative_position_index'):
            state[key] = torch.randint(0, 100, shape, generator=gen)
        else:
            state[key] = torch.randn(shape, generator=gen)
    return state


@pytest.mark.parametrize('task', sorted(TASKS))
def test_official_configs_build_the_released_architecture(task):
    fact = facts(task)
    net = build_generator(task)
    params = sum(p.numel() for p in net.parameters())
    spynet = sum(p.numel() for p in net.flow_estimator.parameters())
    assert params == fact['params_total']
    assert spynet == fact['params_spynet'] == 1_440_300
    # one key to one key, equal shapes, buffers included
    released = {k: tuple(s) for k, s in fact['state_dict']}
    ours = mmjffra_to_official(net.state_dict())
    assert len(ours) == len(released) == fact['num_state_dict_entries']
    assert {k: tuple(v.shape) for k, v in ours.items()} == released
    assert list(official_to_mmjffra(ours)) == list(net.state_dict())


def test_parameter_counts_of_the_three_architectures():
    counts = {
        task[:3]: sum(p.numel() for p in build_generator(task).parameters())
        for task in sorted(TASKS)[::2]
    }
    assert counts == {'001': 10_782_295, '003': 10_782_295, '005': 13_573_159}
    denoise = build_generator('006_RVRT_videodenoising_DAVIS_16frames')
    assert sum(p.numel() for p in denoise.parameters()) == 12_786_919


@pytest.mark.parametrize('task', sorted(TASKS))
def test_released_state_dict_loads_strictly_and_round_trips(task):
    net = build_generator(task)
    released = random_official_state(task)
    net.load_state_dict(released_rvrt_weights({'params': released}))
    back = mmjffra_to_official(net.state_dict())
    assert list(back) != [] and back.keys() == released.keys()
    for key, value in released.items():
        assert torch.equal(back[key], value), key
    # the bare state dict (no 'params') is recognised too
    assert released_rvrt_weights(released).keys() == net.state_dict().keys()
    # our own checkpoints pass through untouched
    ours = {'state_dict': {'generator.x': torch.zeros(1)}}
    assert released_rvrt_weights(ours) is ours


def test_released_file_through_mmengine_load_from():
    """``tools/test.py`` sets ``load_from``: MMEngine's loader reads the
    released ``{'params': ...}`` into the RVRT model."""
    task = '006_RVRT_videodenoising_DAVIS_16frames'
    model = MODELS.build(config(task).model)
    released = random_official_state(task)
    _load_checkpoint_to_model(model, {'params': released}, strict=True)
    back = mmjffra_to_official(model.generator.state_dict())
    assert all(torch.equal(back[k], v) for k, v in released.items())
    # another task's file: an error naming the keys
    other = random_official_state('001_RVRT_videosr_bi_REDS_30frames')
    with pytest.raises(ValueError, match='missing keys.*downsample'):
        _load_checkpoint_to_model(model, {'params': other}, strict=False)


def test_released_file_through_the_restore_path(tmp_path):
    from mmjffra.apis.video_restorer import load_generator_checkpoint
    from mmjffra.errors import CheckpointMismatchError
    task = '004_RVRT_videodeblurring_DVD_16frames'
    net = build_generator(task)
    released = random_official_state(task)
    path = tmp_path / f'{task}.pth'
    torch.save({'params': released}, path)
    load_generator_checkpoint(net, str(path))
    back = mmjffra_to_official(net.state_dict())
    assert all(torch.equal(back[k], v) for k, v in released.items())
    sr = build_generator('001_RVRT_videosr_bi_REDS_30frames')
    with pytest.raises(CheckpointMismatchError, match='unexpected keys'):
        load_generator_checkpoint(sr, str(path))


def tiny_official(**kwargs):
    cfg = dict(
        embed_dims=12,
        num_heads=(2, 2, 2),
        num_blocks=(1, 1, 1),
        depths=(2, 2, 2),
        window_size=(2, 4, 4),
        feat_extract_window=(1, 4, 4),
        gda_heads=4,
        gda_groups=4,
        upsample_channels=8,
        flow_estimator=dict(type='SPyNetFlowEstimator', pretrained='random'))
    cfg.update(kwargs)
    torch.manual_seed(0)
    return RVRTNet(**cfg).eval()


def test_tiny_official_nets_restore_any_size():
    sr = tiny_official()
    with torch.no_grad():
        out = sr(torch.rand(1, 3, 3, 10, 13))  # padded to 4 frames, 12x16
    assert out.shape == (1, 3, 3, 40, 52) and torch.isfinite(out).all()
    denoise = tiny_official(upscale_factor=1, with_noise_map=True)
    with torch.no_grad():
        out = denoise(torch.rand(1, 4, 4, 16, 20))
    assert out.shape == (1, 4, 3, 16, 20) and torch.isfinite(out).all()


def test_untrained_official_denoiser_returns_its_input():
    """With a zero last convolution the output is the released base: the
    image channels of the input (the noise map left out)."""
    net = tiny_official(upscale_factor=1, with_noise_map=True)
    torch.nn.init.zeros_(net.conv_last.weight)
    torch.nn.init.zeros_(net.conv_last.bias)
    x = torch.rand(1, 3, 4, 10, 12)  # padded to 4 frames, 12 x 12
    with torch.no_grad():
        out = net(x)
    assert torch.allclose(out, x[:, :, :3], atol=1e-6)


def test_released_padding():
    assert pad_sequence_indices(5, 2) == [0, 1, 2, 3, 4, 4]
    assert pad_sequence_indices(4, 2) == [0, 1, 2, 3]
    assert pad_sequence_indices(4, 3) == [0, 1, 2, 3, 3, 2]
    assert pad_sequence_indices(1, 3) == [0, 0, 0]
    x = torch.arange(6.).view(1, 1, 2, 3)
    padded = symmetric_pad(x, 4)
    assert padded.tolist() == [[[[0, 1, 2, 2], [3, 4, 5, 5], [3, 4, 5, 5],
                                 [0, 1, 2, 2]]]]
    with pytest.raises(ValueError, match='too small'):
        symmetric_pad(torch.zeros(1, 1, 1, 1), 4)


def test_released_flow_chaining_order():
    torch.manual_seed(0)
    adjacent = torch.randn(1, 3, 2, 6, 7)  # 1->0, 2->1, 3->2
    n01, n12, n23 = adjacent.unbind(1)

    def warp(f, by):
        return flow_warp(f, by.permute(0, 2, 3, 1))

    n02 = n12 + warp(n01, n12)
    n13 = n23 + warp(n12, n23)
    n03 = n23 + warp(n02, n23)
    flows = chain_clip_flows(adjacent, 1, 2)
    expected = torch.stack(
        [torch.stack([n02, n12], 1),
         torch.stack([n03, n13], 1)], 1)
    assert torch.allclose(flows, expected, atol=1e-6)


def naive_kv_attention(q, k, v, offsets, heads, kernel):
    """Per-pixel loop: bilinear samples, softmax over them, weighted sum."""
    n, t, c, h, w = q.shape
    s, g, p = offsets.shape[2:5]
    kv = torch.cat([k, v], 2)
    cg, dh = 2 * c // g, c // heads
    out = torch.zeros_like(q)

    def sample(img, y, x):  # img (C, h, w), zeros outside
        y0, x0 = int(torch.floor(y)), int(torch.floor(x))
        val = torch.zeros(img.size(0))
        for yy, wy in ((y0, 1 - (y - y0)), (y0 + 1, y - y0)):
            for xx, wx in ((x0, 1 - (x - x0)), (x0 + 1, x - x0)):
                if 0 <= yy < h and 0 <= xx < w:
                    val += wy * wx * img[:, yy, xx]
        return val

    for b in range(n):
        for i in range(t):
            for y in range(h):
                for x in range(w):
                    samples = []  # (s * p) x 2c
                    for f in range(s):
                        for j in range(p):
                            by, bx = j // kernel[1] - 1, j % kernel[1] - 1
                            vals = []
                            for grp in range(g):
                                dx, dy = offsets[b, i, f, grp, j, :, y, x]
                                vals.append(
                                    sample(kv[b, f, grp * cg:(grp + 1) * cg],
                                           y + by + dy, x + bx + dx))
                            samples.append(torch.cat(vals))
                    samples = torch.stack(samples)
                    for hd in range(heads):
                        sl = slice(hd * dh, (hd + 1) * dh)
                        logit = samples[:, sl] @ q[b, i, sl, y, x] / dh**0.5
                        attn = F.softmax(logit, 0)
                        out[b, i, sl, y, x] = attn @ samples[:, c:][:, sl]
    return out


def test_deformable_kv_attention_against_a_loop():
    torch.manual_seed(0)
    n, t, s, c, h, w, g, heads = 1, 2, 2, 8, 4, 5, 4, 2
    q, k, v = (torch.randn(n, t if i == 0 else s, c, h, w) for i in range(3))
    offsets = 1.5 * torch.randn(n, t, s, g, 9, 2, h, w)
    out = deformable_kv_attention(q, k, v, offsets, heads, (3, 3))
    expected = naive_kv_attention(q, k, v, offsets, heads, (3, 3))
    assert torch.allclose(out, expected, atol=1e-5)
