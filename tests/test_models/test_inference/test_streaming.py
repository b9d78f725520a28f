# Copyright (c) mmjffra contributors. All rights reserved.
"""The streaming scheduler equals whole-clip restoration, holds few
frames, and keeps each stream's state to itself."""
import cv2
import numpy as np
import pytest
import torch
from conftest import REPO
from test_models.test_inference.test_clip_restorer import ClipMean, WindowMean

from mmjffra.apis import VideoRestorer
from mmjffra.models.inference import (ClipRestorer, FrameBuffer, stream_chunks,
                                      stream_windows)

JFFRA = str(REPO / 'configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py')
BASICVSR = str(REPO /
               'configs/demo/basicvsr_c16b4_1xb2-1000i_carphone-bix4.py')


class Counted:
    """Frames (values 0, 1, ...) that count how many were read."""

    def __init__(self, count):
        self.frames = [torch.full((1, 2, 2), float(i)) for i in range(count)]
        self.read = 0

    def __iter__(self):
        for frame in self.frames:
            self.read += 1
            yield frame


def values(outputs):
    return [round(float(out[0, 0, 0]), 4) for out in outputs]


@pytest.mark.parametrize('length', [1, 2, 3, 7])
@pytest.mark.parametrize('batch', [1, 2, 3])
def test_windows_stream_equals_the_whole_clip(length, batch):
    clip = ClipRestorer(WindowMean())
    source = Counted(length)
    whole = clip.restore(torch.stack(source.frames)[None])[0]
    for start, stop in ((0, None), (1, length - 1), (0, 1)):
        buffer = FrameBuffer(iter(source))
        got = values(stream_windows(clip, buffer, start, stop, batch))
        assert got == values(whole[start:stop])
        # never more than a batch of windows is held
        assert len(buffer.held) <= batch + 2 * clip.spec.radius


def test_windows_are_restored_as_soon_as_their_frames_are_read():
    clip = ClipRestorer(WindowMean())
    source = Counted(7)
    outputs = stream_windows(clip, FrameBuffer(iter(source)), max_windows=2)
    next(outputs)
    assert source.read == 3  # frames 0-2: the windows of frames 0 and 1
    next(outputs)
    next(outputs)
    assert source.read == 5


@pytest.mark.parametrize('length', [1, 4, 7, 9])
def test_chunk_stream_equals_chunked_restoration(length):
    clip = ClipRestorer(ClipMean(), chunk=3, chunk_overlap=2)
    source = Counted(length)
    lqs = torch.stack(source.frames)[None]
    for start, stop in ((0, None), (1, length - 1), (3, length)):
        buffer = FrameBuffer(iter(source))
        got = values(stream_chunks(clip, buffer, start, stop))
        expected = clip.restore_sequence(lqs, start, stop)[0] if \
            start < (stop or length) else []
        assert got == values(expected)
        assert len(buffer.held) <= 3 + 2 * 2


def test_dropped_frames_are_refused():
    buffer = FrameBuffer(iter(Counted(5)))
    assert buffer.read_until(4) == 4 and not buffer.ended
    buffer.drop_before(2)
    assert buffer.since(2)[0, :, 0, 0, 0].tolist() == [2, 3]
    with pytest.raises(ValueError, match='frame 1 was dropped'):
        buffer.since(1)
    assert buffer.read_until(10) == 5 and buffer.ended


def demo_frames(demo_data, indices, flip=False):
    frames = []
    for i in indices:
        img = cv2.imread(str(demo_data / f'BIx4/carphone_val/{i:08d}.png'))
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)[:32, :48]
        frames.append(np.ascontiguousarray(img[:, ::-1]) if flip else img)
    return frames


@pytest.mark.parametrize('config,options', [
    (JFFRA, dict(max_windows=2)),
    (BASICVSR, dict(chunk=2, chunk_overlap=1)),
])
def test_interleaved_streams_equal_each_alone(demo_data, config, options):
    """Two streams of one restorer, advanced in turn (clips of different
    lengths and content), give the frames each gives alone."""
    torch.manual_seed(0)
    restorer = VideoRestorer(config, **options)
    first = demo_frames(demo_data, range(5))
    second = demo_frames(demo_data, range(3, 10), flip=True)
    alone = [list(restorer.restore_stream(clip)) for clip in (first, second)]
    streams = [restorer.restore_stream(clip) for clip in (first, second)]
    together = [[], []]
    active = [0, 1]
    while active:
        for k in list(active):
            frame = next(streams[k], None)
            if frame is None:
                active.remove(k)
            else:
                together[k].append(frame)
    assert [len(x) for x in together] == [5, 7]
    for got, expected in zip(together, alone):
        for x, y in zip(got, expected):
            np.testing.assert_array_equal(x, y)
