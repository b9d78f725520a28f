# Copyright (c) mmjffra contributors. All rights reserved.
"""``prepare_video_dataset.py clips``: any frame folders and videos in
MMagic's BasicFramesDataset layout (GT, x4 BI, fixed noisy pairs)."""
import sys
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / 'tools' / 'dataset_converters'))
import prepare_video_dataset as conv  # noqa: E402

sys.path.pop(0)


def _frames(demo_data, n, start=0):
    files = sorted((demo_data / 'GT' / 'carphone_train').glob('*.png'))
    return [cv2.imread(str(f)) for f in files[start:start + n]]


def _folder(path, frames, tmpl='img{:d}.png'):
    path.mkdir(parents=True)
    for i, img in enumerate(frames):
        assert cv2.imwrite(str(path / tmpl.format(i + 1)), img)
    return path


def _args(src, out, **kwargs):
    args = dict(
        src=[str(s) for s in src],
        out=str(out),
        name='corpus',
        holdout=[],
        downscale=[],
        scale=4,
        noise_sigmas=[])
    args.update(kwargs)
    return SimpleNamespace(**args)


def test_clips_layout(demo_data, tmp_path):
    # a clip of 70x66 frames (cropped to 68x64) and one downscaled by 2
    odd = _folder(tmp_path / 'src' / 'odd',
                  [f[:66, :70] for f in _frames(demo_data, 3)])
    big = _folder(tmp_path / 'src' / 'big', _frames(demo_data, 4, 10))
    out = tmp_path / 'corpus'
    conv.prepare_clips(
        _args([odd, big],
              out,
              holdout=['big'],
              downscale=['big=2'],
              noise_sigmas=[15.0]))
    gt = cv2.imread(str(out / 'GT' / 'odd' / '00000002.png'))
    src = cv2.imread(str(odd / 'img3.png'))
    np.testing.assert_array_equal(gt, src[:64, :68])  # bottom/right crop
    big_gt = cv2.imread(str(out / 'GT' / 'big' / '00000000.png'))
    area = cv2.resize(
        cv2.imread(str(big / 'img1.png')), (88, 72),
        interpolation=cv2.INTER_AREA)
    np.testing.assert_array_equal(big_gt, area)
    # BI: MATLAB's bicubic as MMagic's imresize computes it
    from mmagic.datasets.transforms import MATLABLikeResize
    lq = cv2.imread(str(out / 'BIx4' / 'odd' / '00000002.png'))
    ref = MATLABLikeResize(
        keys=['img'], scale=0.25)({
            'img': gt.astype(np.float32)
        })['img']
    assert lq.shape == (16, 17, 3)
    assert np.abs(lq - np.clip(np.round(ref), 0, 255)).max() == 0
    # fixed noisy pairs: sigma 15 on the 0-255 scale
    noisy = cv2.imread(str(out / 'SIGMA15' / 'big' / '00000003.png'))
    clean = cv2.imread(str(out / 'GT' / 'big' / '00000003.png'))
    diff = noisy.astype(float) - clean
    assert 13 < diff.std() < 16 and abs(diff.mean()) < 1
    assert (out / 'meta_info_odd.txt').read_text() == 'odd 3 (64,68,3)\n'
    assert (out / 'meta_info_corpus_train.txt').read_text() == \
        'odd 3 (64,68,3)\n'
    assert (out / 'meta_info_corpus_test.txt').read_text() == \
        'big 4 (72,88,3)\n'
    # a rebuild gives the same noisy pixels
    again = tmp_path / 'again'
    conv.prepare_clips(
        _args([big], again, downscale=['big=2'], noise_sigmas=[15.0]))
    np.testing.assert_array_equal(
        cv2.imread(str(again / 'SIGMA15' / 'big' / '00000003.png')), noisy)


def test_clips_refuses_and_leaves_nothing(demo_data, tmp_path):
    a = _folder(tmp_path / 'src' / 'a', _frames(demo_data, 3))
    out = tmp_path / 'out'
    with pytest.raises(ValueError, match="'b' is not one of the clips"):
        conv.prepare_clips(_args([a], out, holdout=['b']))
    with pytest.raises(ValueError, match='NAME=FACTOR'):
        conv.prepare_clips(_args([a], out, downscale=['a=x']))
    with pytest.raises(ValueError, match="clip name 'a'"):
        conv.prepare_clips(_args([a, tmp_path / 'src' / 'a'], out))
    with pytest.raises(FileNotFoundError, match='missing'):
        conv.prepare_clips(_args([a, tmp_path / 'missing'], out))
    # a corrupt frame in the second clip: nothing of the first is left
    b = _folder(tmp_path / 'src' / 'b', _frames(demo_data, 3))
    (b / 'img2.png').write_bytes(b'not a png')
    with pytest.raises(Exception, match='img2.png'):
        conv.prepare_clips(_args([a, b], out))
    assert sorted(p.name for p in tmp_path.iterdir()) == ['src']
    # an existing output is never touched
    out.mkdir()
    (out / 'mine.txt').write_text('keep')
    with pytest.raises(FileExistsError, match='not overwriting'):
        conv.prepare_clips(_args([a], out))
    assert [p.name for p in out.iterdir()] == ['mine.txt']
