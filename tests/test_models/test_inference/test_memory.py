# Copyright (c) mmjffra contributors. All rights reserved.
"""A frame that would not fit the memory left is refused before any work,
with the tile that fits; tiles report progress within a frame."""
import pytest
import torch
from torch import nn

from mmjffra.errors import ArgumentError
from mmjffra.models.inference import (ClipRestorer, InferenceSpec, MemoryModel,
                                      fit_memory_model)
from mmjffra.models.inference import memory as memory_module
from mmjffra.models.inference import peak_bytes, run_tiled

CPU = torch.device('cpu')
MIB = 2**20


def measurable():
    return peak_bytes(lambda: None, CPU) is not None


class Wide(nn.Module):
    """A sequence network holding 256 floats per input pixel and frame."""
    inference_spec = InferenceSpec('sequence', 1)

    def forward(self, x):
        wide = x.repeat(1, 1, 256 // x.size(2), 1, 1) + 1  # touched
        return wide[:, :, :x.size(2)] - 1


def test_the_peak_is_linear_in_the_pixels():
    if not measurable():
        pytest.skip('no /proc/self/clear_refs here')

    def run(side):  # 1 KiB per pixel, touched
        torch.ones(side * side, 256).sum()

    model = fit_memory_model(run, CPU, (256, 512))
    assert model.per_pixel == pytest.approx(1024, rel=0.2)
    assert model.bytes(1024, 1024) == pytest.approx(2**30, rel=0.25)
    m = MemoryModel(fixed=10 * MIB, per_pixel=1024)
    assert m.largest_side(10 * MIB + 1024 * 300**2) == 300


def test_a_frame_too_large_is_refused_with_the_tile_that_fits(monkeypatch):
    if not measurable():
        pytest.skip('no /proc/self/clear_refs here')
    clip = ClipRestorer(Wide(), chunk=2)
    frame = torch.rand(1, 3, 600, 600)
    # about 2 frames x 256 x 4 B = 2 KiB per pixel and forward: 600x600
    # needs ~0.7 GiB (x chunk factor); 200 MiB is left
    monkeypatch.setattr(memory_module, 'available_bytes',
                        lambda device: 200 * MIB)
    with pytest.raises(ArgumentError) as err:
        memory_module.check_frame_memory(clip, frame)
    text = str(err.value)
    assert err.value.argument == 'tile'
    assert text.startswith('frames of 600x600 need about ')
    assert '200 MiB is available: restore with tile ' in text
    side = int(text.split('restore with tile ')[1])
    assert 64 <= side < 600 and side % 8 == 0
    # that tile fits; a frame no larger than the probes is not measured
    memory_module.check_frame_memory(
        ClipRestorer(Wide(), chunk=2, tile=side, tile_overlap=8), frame)
    memory_module.check_frame_memory(clip, torch.rand(1, 3, 100, 100))
    # nothing fits: say so
    monkeypatch.setattr(memory_module, 'available_bytes', lambda device: MIB)
    with pytest.raises(ArgumentError, match='even tiles of 64 px would need'):
        memory_module.check_frame_memory(clip, frame)


def test_tiles_report_progress_within_a_frame():
    calls = []
    x = torch.rand(1, 1, 3, 20, 30)
    out = run_tiled(
        lambda t: t,
        x,
        1,
        tile=12,
        tile_overlap=4,
        on_tile=lambda done, total: calls.append((done, total)))
    assert torch.allclose(out, x)
    total = calls[0][1]
    assert total > 1 and calls == [(k, total) for k in range(1, total + 1)]
    assert run_tiled(lambda t: t, x, 1, on_tile=calls.append) is not None
    assert len(calls) == total  # untiled: no calls
