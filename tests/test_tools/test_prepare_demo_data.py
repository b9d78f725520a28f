# Copyright (c) mmjffra contributors. All rights reserved.
import sys

import av
import cv2
import numpy as np
import pytest
from conftest import run_cmd
from skimage import data as skdata


def test_demo_data_layout(demo_data):
    for key, length in (('carphone_train', 80), ('carphone_val', 40)):
        gt = sorted((demo_data / 'GT' / key).glob('*.png'))
        lq = sorted((demo_data / 'BIx4' / key).glob('*.png'))
        assert [p.name for p in gt] == [f'{i:08d}.png' for i in range(length)]
        assert [p.name for p in lq] == [p.name for p in gt]
        assert cv2.imread(str(gt[0])).shape == (144, 176, 3)
        assert cv2.imread(str(lq[0])).shape == (36, 44, 3)
        ann = (demo_data / f'meta_info_{key}.txt').read_text().split()
        assert ann == [key, str(length), '(144,176,3)']
    # the LQ frame is the bicubic downsampling of the GT frame
    gt0 = cv2.imread(str(demo_data / 'GT/carphone_val/00000000.png'))
    lq0 = cv2.imread(str(demo_data / 'BIx4/carphone_val/00000000.png'))
    area = cv2.resize(gt0, (44, 36), interpolation=cv2.INTER_AREA)
    assert np.abs(area.astype(float) - lq0).mean() < 6
    # consecutive frames are different frames of a real video
    gt1 = cv2.imread(str(demo_data / 'GT/carphone_val/00000001.png'))
    assert 0.5 < np.abs(gt0.astype(float) - gt1).mean() < 30


def _write_video(path, frames):
    with av.open(str(path), 'w') as container:
        stream = container.add_stream('libx264', rate=10)
        stream.width, stream.height = frames[0].shape[1], frames[0].shape[0]
        stream.pix_fmt = 'yuv420p'
        for img in frames:
            frame = av.VideoFrame.from_ndarray(img, format='rgb24')
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def test_prepare_from_local_video(tmp_path):
    img = skdata.astronaut()[:64, :96]
    frames = [np.roll(img, i, axis=1) for i in range(6)]
    video = tmp_path / 'clip.mp4'
    _write_video(video, frames)
    out = tmp_path / 'out'
    run_cmd([
        sys.executable, 'tools/prepare_demo_data.py', '--video', video,
        '--out-dir', out, '--split', '4'
    ])
    assert len(list((out / 'GT/carphone_train').glob('*.png'))) == 4
    assert len(list((out / 'BIx4/carphone_val').glob('*.png'))) == 2
    assert cv2.imread(str(
        out / 'BIx4/carphone_val/00000000.png')).shape == (16, 24, 3)


@pytest.mark.parametrize('content', [None, b'not a video'])
def test_prepare_rejects_missing_or_corrupt_video(tmp_path, content):
    video = tmp_path / 'clip.mp4'
    if content is not None:
        video.write_bytes(content)
    with pytest.raises(AssertionError, match='clip.mp4'):
        run_cmd([
            sys.executable, 'tools/prepare_demo_data.py', '--video', video,
            '--out-dir', tmp_path / 'out'
        ])
    assert not (tmp_path / 'out').exists()
