# Copyright (c) mmjffra contributors. All rights reserved.
"""The one inference path: declarations, padding, tiles, windows, chunks."""
import itertools

import pytest
import torch
from conftest import REPO
from mmagic.registry import MODELS
from mmengine.config import Config
from torch import nn

from mmjffra.models.inference import (MMAGIC_ADAPTERS, ChunkSpan, ClipRestorer,
                                      InferenceSpec, check_padding, check_tile,
                                      get_inference_spec, run_tiled,
                                      tile_spans, window_indices,
                                      windows_for_memory)

JFFRA = str(REPO / 'configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py')
BASICVSR = str(REPO /
               'configs/demo/basicvsr_c16b4_1xb2-1000i_carphone-bix4.py')
EDVR = str(REPO / 'configs/demo/edvrm_c16_1xb2-1000i_carphone-bix4.py')


class WindowMean(nn.Module):
    """A window network: the mean of its 3 frames."""
    inference_spec = InferenceSpec('window', 1, num_frames=3)

    def forward(self, lqs):
        return lqs.mean(dim=1)


class ClipMean(nn.Module):
    """A sequence network whose outputs depend on the whole clip: each
    frame plus the mean of the clip."""
    inference_spec = InferenceSpec('sequence', 1)

    def forward(self, lqs):
        return lqs + lqs.mean(dim=1, keepdim=True)


def test_declarations_and_the_adapter_table():
    jffra = MODELS.build(Config.fromfile(JFFRA).model).generator
    spec = get_inference_spec(jffra)
    assert (spec.temporal, spec.num_frames, spec.scale) == ('window', 3, 4)
    # 8 px windows at the second level (stride 2): 16 input pixels
    assert spec.spatial_multiple == 16 and spec.whole_frame_flows
    edvr = MODELS.build(Config.fromfile(EDVR).model).generator
    assert get_inference_spec(edvr).num_frames == 5
    basicvsr = MODELS.build(Config.fromfile(BASICVSR).model).generator
    assert get_inference_spec(basicvsr).temporal == 'sequence'
    assert set(MMAGIC_ADAPTERS) == {
        'BasicVSRNet', 'IconVSRNet', 'BasicVSRPlusPlusNet', 'EDVRNet'
    }
    with pytest.raises(TypeError, match='Conv2d declares no inference_spec'):
        get_inference_spec(torch.nn.Conv2d(3, 3, 1))


def test_batch_size_from_free_memory():
    gib = 1 << 30
    assert windows_for_memory(10 * gib, gib) == 7  # 70% of the free memory
    assert windows_for_memory(gib // 2, gib) == 1
    assert windows_for_memory(1000 * gib, gib, cap=64) == 64


def test_one_padding_check():
    assert window_indices(5, 0, 2) == [2, 1, 0, 1, 2]
    assert window_indices(5, 4, 2, 'replicate') == [2, 3, 4, 4, 4]
    for call in (lambda: check_padding('circle'),
                 lambda: window_indices(5, 0, 2, 'circle'),
                 lambda: ClipRestorer(WindowMean(), padding='circle')):
        with pytest.raises(ValueError, match="one of .*got 'circle'"):
            call()


def test_one_tile_check():
    check_tile(32, 16, 16)
    check_tile((64, 1 << 30), (20, 60), 8)  # per axis
    with pytest.raises(
            ValueError,
            match=r'tile_overlap \(16\) must be '
            r'smaller than the tile \(16\)'):
        check_tile(16, 16)
    with pytest.raises(
            ValueError, match='tile - tile_overlap must be at '
            'least 16'):
        check_tile(32, 24, 16)
    # the same check guards tile_spans and ClipRestorer
    with pytest.raises(ValueError, match='at least 4'):
        tile_spans(40, 8, 6, 4)
    gen = MODELS.build(Config.fromfile(JFFRA).model).generator
    with pytest.raises(
            ValueError, match='tile - tile_overlap must be at '
            'least 16'):
        ClipRestorer(gen, tile=32, tile_overlap=24)


def test_tiles_equal_untiled_in_the_interior_for_any_network():
    # a fixed input: the blend's largest error depends on the values
    x = torch.rand(1, 3, 3, 40, 56, generator=torch.Generator().manual_seed(0))

    def net(lqs):  # 3x3 box filter of the centre frame, then x2 nearest
        c = torch.nn.functional.avg_pool2d(lqs[:, 1], 3, 1, 1)
        return torch.nn.functional.interpolate(c, scale_factor=2)

    whole = net(x)
    tiled = run_tiled(net, x, 2, tile=24, tile_overlap=8, multiple=4)
    # pixels inside one tile only are exact; in the overlaps the blend
    # gives little weight to a tile's border pixels (where the filter saw
    # the tile's edge)
    covered = torch.zeros(80, 112)
    for y0, y1 in tile_spans(40, 24, 8, 4):
        for x0, x1 in tile_spans(56, 24, 8, 4):
            covered[2 * y0:2 * y1, 2 * x0:2 * x1] += 1
    single = covered == 1
    assert single.float().mean() > 0.3
    diff = (tiled - whole).abs()[0, :]
    assert diff[:, single].max() < 1e-6
    assert 0 < diff.max() < 0.1
    assert torch.equal(run_tiled(net, x, 2), whole)


def test_windows_are_the_mean_of_their_padded_frames():
    lqs = torch.arange(5.).view(1, 5, 1, 1, 1).expand(1, 5, 1, 2, 2)
    clip = ClipRestorer(WindowMean(), max_windows=2)
    out = clip.restore(lqs)[0, :, 0, 0, 0]
    # reflection: frame 0's window is 1, 0, 1; frame 4's is 3, 4, 3
    assert out.tolist() == pytest.approx([2 / 3, 1, 2, 3, 10 / 3])
    # any batch gives the same; frames 2-3 from the frames 1-4 held
    held = lqs[:, 1:]
    for batch in (1, 3):
        part = clip.restore_windows(
            held, [2, 3], num_frames=5, offset=1, max_windows=batch)
        assert part[0, :, 0, 0, 0].tolist() == [2, 3]
    assert clip.window_start([0, 1], 5) == 0
    assert clip.window_start([3, 4], 5) == 2
    with pytest.raises(ValueError, match=r'frame 1 needs frames \[-1, 0, 1'):
        clip.restore_windows(held, [1], num_frames=5, offset=1)


def test_chunk_spans_are_the_one_chunking():
    clip = ClipRestorer(ClipMean(), chunk=3, chunk_overlap=2)
    assert list(clip.chunk_spans(0, 7)) == [(-2, 0, 3, 5), (1, 3, 6, 8),
                                            (4, 6, 7, 9)]
    # unbounded: a stream of unknown length
    spans = list(itertools.islice(clip.chunk_spans(2), 3))
    assert spans == [(0, 2, 5, 7), (3, 5, 8, 10), (6, 8, 11, 13)]
    assert ChunkSpan(-2, 0, 3, 5).within(4) == (0, 0, 3, 4)
    assert ChunkSpan(4, 6, 9, 11).within(7) == (4, 6, 7, 7)
    whole = ClipRestorer(ClipMean())
    assert list(whole.chunk_spans(1, 7)) == [(1, 1, 7, 7)]
    with pytest.raises(ValueError, match='unknown length needs chunks'):
        next(whole.chunk_spans(0))


def test_chunks_restore_with_their_context():
    lqs = torch.arange(7.).view(1, 7, 1, 1, 1)
    clip = ClipRestorer(ClipMean(), chunk=3, chunk_overlap=2)
    out = clip.restore(lqs)[0, :, 0, 0, 0]
    # [0, 3) from frames 0-4 (mean 2), [3, 6) from 1-6 (mean 3.5),
    # [6, 7) from 4-6 (mean 5)
    expected = [i + 2 for i in range(3)] + [i + 3.5 for i in range(3, 6)] + \
        [6 + 5]
    assert out.tolist() == expected
    span = ChunkSpan(1, 3, 6, 7)
    held = lqs[:, 1:]
    part = clip.restore_chunk(held, span, offset=1)
    assert part[0, :, 0, 0, 0].tolist() == [6.5, 7.5, 8.5]
    with pytest.raises(ValueError, match='beyond the 5 frames held from 2'):
        clip.restore_chunk(lqs[:, 2:], span, offset=2)
