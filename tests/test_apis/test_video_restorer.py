# Copyright (c) mmjffra contributors. All rights reserved.
"""Streaming restoration of real footage (the demo clip) by API and CLI."""
import sys

import av
import cv2
import numpy as np
import pytest
import torch
from conftest import REPO, run_cmd
from mmagic.registry import MODELS
from mmengine.config import Config

from mmjffra.apis import FrameReader, VideoRestorer
from mmjffra.errors import VideoInputError
from mmjffra.models.inference import tile_spans

CONFIG = str(REPO / 'configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py')


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(CONFIG).model)
    path = tmp_path_factory.mktemp('ckpt') / 'jffra.pth'
    torch.save({'state_dict': model.state_dict()}, path)
    return str(path)


def lq_frames(demo_data, n=6):
    folder = demo_data / 'BIx4/carphone_val'
    return [
        cv2.cvtColor(
            cv2.imread(str(folder / f'{i:08d}.png')), cv2.COLOR_BGR2RGB)
        for i in range(n)
    ]


def write_mp4(path, frames):
    with av.open(str(path), 'w') as container:
        stream = container.add_stream('libx264', rate=25)
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = 'yuv444p'
        stream.options = {'qp': '0'}
        for img in frames:
            for packet in stream.encode(
                    av.VideoFrame.from_ndarray(img, format='rgb24')):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def test_stream_equals_whole_clip_restoration(demo_data, checkpoint):
    restorer = VideoRestorer(CONFIG, checkpoint)
    frames = lq_frames(demo_data)
    streamed = list(restorer.restore_stream(iter(frames)))
    assert len(streamed) == 6 and streamed[0].shape == (144, 176, 3)
    lqs = torch.stack([restorer.to_tensor(f)[0] for f in frames])[None]
    with torch.no_grad():
        # the model's own test mode (tools/test.py's path)
        whole = restorer.model.restore_frames(lqs)
    for i, out in enumerate(streamed):
        np.testing.assert_array_equal(out, restorer.to_image(whole[:, i]))


def test_tiles_match_untiled_output(demo_data, checkpoint):
    gt = cv2.imread(str(demo_data / 'GT/carphone_val/00000000.png'))
    frames = [
        cv2.cvtColor(
            cv2.imread(str(demo_data / f'GT/carphone_val/{i:08d}.png')),
            cv2.COLOR_BGR2RGB)[:96, :128] for i in range(3)
    ]
    assert gt is not None
    plain = VideoRestorer(CONFIG, checkpoint)
    tiled = VideoRestorer(CONFIG, checkpoint, tile=64, tile_overlap=32)
    assert tile_spans(128, 64, 32, tiled.spec.spatial_multiple) == [(0, 64),
                                                                    (32, 96),
                                                                    (64, 128)]
    lqs = torch.stack([plain.to_tensor(f)[0] for f in frames])[None]
    with torch.no_grad():
        full = plain.clip.restore_windows(lqs, [1]).float()
        tiles = tiled.clip.restore_windows(lqs, [1]).float()
    interior = (tiles - full)[..., 32:-32, 32:-32].abs()
    assert interior.max() < 0.5  # 0-255 scale: within 0.5/255


def test_cli_file_and_folder(demo_data, checkpoint, tmp_path):
    frames = lq_frames(demo_data, 5)
    video = tmp_path / 'lq.mp4'
    write_mp4(video, frames)
    assert len(list(FrameReader(str(video)))) == 5
    out_video = tmp_path / 'sr.mp4'
    out = run_cmd([
        sys.executable, 'tools/restore_video.py', CONFIG, checkpoint, video,
        out_video, '--no-progress'
    ])
    assert 'wrote 5 frames' in out
    restored = list(FrameReader(str(out_video)))
    assert len(restored) == 5 and restored[0].shape == (144, 176, 3)

    folder = demo_data / 'BIx4/carphone_val'
    out_dir = tmp_path / 'sr_frames'
    run_cmd([
        sys.executable, 'tools/restore_video.py', CONFIG, checkpoint, folder,
        out_dir, '--start', '2', '--end', '6', '--tile', '32',
        '--tile-overlap', '8'
    ])
    pngs = sorted(out_dir.glob('*.png'))
    # numbered as the input's frames: --start 2 --end 6 writes 2..5
    assert [p.name for p in pngs] == [f'{i:08d}.png' for i in range(2, 6)]
    assert cv2.imread(str(pngs[0])).shape == (144, 176, 3)
    # the output exists now: refused without --overwrite, nothing touched
    before = pngs[0].stat().st_mtime_ns
    with pytest.raises(AssertionError, match='--overwrite'):
        run_cmd([
            sys.executable, 'tools/restore_video.py', CONFIG, checkpoint,
            folder, out_dir
        ])
    assert pngs[0].stat().st_mtime_ns == before


def test_cli_bad_inputs(demo_data, checkpoint, tmp_path):

    def fails(args, match):
        with pytest.raises(AssertionError, match=match) as info:
            run_cmd([sys.executable, 'tools/restore_video.py'] + args)
        assert 'exited 2' in str(info.value)
        assert 'Traceback' not in str(info.value)

    out = tmp_path / 'out'
    fails([CONFIG, checkpoint, tmp_path / 'missing.mp4', out],
          'missing.mp4.*does not exist')
    corrupt = tmp_path / 'corrupt.mp4'
    corrupt.write_bytes(b'\x00' * 100)
    fails([CONFIG, checkpoint, corrupt, out], 'corrupt.mp4')
    mixed = tmp_path / 'mixed'
    mixed.mkdir()
    frames = lq_frames(demo_data, 3)
    for i, f in enumerate(frames):
        img = f if i != 2 else f[:20]
        cv2.imwrite(str(mixed / f'{i:08d}.png'), img)
    fails([CONFIG, checkpoint, mixed, out], 'frame 2.*change size')
    edvr_ckpt = tmp_path / 'edvr.pth'
    edvr_cfg = Config.fromfile(
        REPO / 'configs/demo/edvrm_c16_1xb2-1000i_carphone-bix4.py')
    torch.save({'state_dict': MODELS.build(edvr_cfg.model).state_dict()},
               edvr_ckpt)
    fails([CONFIG, edvr_ckpt, mixed, out], 'does not match')
    fails([CONFIG, tmp_path / 'nope.pth', mixed, out], 'nope.pth')


def test_reader_errors(tmp_path):
    with pytest.raises(VideoInputError, match='no image frames'):
        FrameReader(str(tmp_path))
    with pytest.raises(VideoInputError, match='frame range'):
        FrameReader(str(tmp_path), start=5, end=2)


def test_recurrent_model_in_chunks(demo_data):
    cfg = Config.fromfile(
        REPO / 'configs/demo/basicvsr_c16b4_1xb2-1000i_carphone-bix4.py')
    frames = lq_frames(demo_data, 7)
    whole = VideoRestorer(cfg, chunk=20)
    chunked = VideoRestorer(cfg, chunk=3, chunk_overlap=2)
    chunked.model.load_state_dict(whole.model.state_dict())
    a = list(whole.restore_stream(iter(frames)))
    b = list(chunked.restore_stream(iter(frames)))
    assert len(a) == len(b) == 7 and a[0].shape == (144, 176, 3)
    # one chunk holds the whole clip: identical to restoring it at once
    lqs = torch.stack([whole.to_tensor(f)[0] for f in frames])[None]
    with torch.no_grad():
        ref = whole.generator(lqs)
    for i in range(7):
        np.testing.assert_array_equal(a[i], whole.to_image(ref[:, i]))
    # chunks of 3 frames, each run with 2 context frames on both sides
    # (clipped at the ends): [0, 3) from frames 0-4, [3, 6) from 1-6,
    # [6, 7) from 4-6
    for (start, stop), (lo, hi) in [((0, 3), (0, 5)), ((3, 6), (1, 7)),
                                    ((6, 7), (4, 7))]:
        with torch.no_grad():
            part = whole.generator(lqs[:, lo:hi])
        for i in range(start, stop):
            np.testing.assert_array_equal(b[i], whole.to_image(part[:,
                                                                    i - lo]))
    # the recurrence does see less of the clip in chunks
    assert any(not np.array_equal(x, y) for x, y in zip(a, b))


def test_rvrt_restores_a_stream(demo_data):
    config = 'configs/demo/rvrt-tiny_1xb2-1000i_carphone-bix4.py'
    cfg = Config.fromfile(REPO / config)
    frames = lq_frames(demo_data, 5)
    restorer = VideoRestorer(cfg, chunk=20)
    assert restorer.spec.temporal == 'sequence'
    assert restorer.spec.spatial_multiple == 8
    out = list(restorer.restore_stream(iter(frames)))
    assert len(out) == 5 and out[0].shape == (144, 176, 3)
    lqs = torch.stack([restorer.to_tensor(f)[0] for f in frames])[None]
    with torch.no_grad():
        ref = restorer.generator(lqs)
    np.testing.assert_array_equal(out[4], restorer.to_image(ref[:, 4]))


def test_frame_folder_in_natural_order(tmp_path):
    # frame<i>.png holds the value i: text order would read 1, 10, 11, 2
    for i in range(1, 12):
        cv2.imwrite(
            str(tmp_path / f'frame{i}.png'), np.full((4, 6, 3), i, np.uint8))
    values = [int(f[0, 0, 0]) for f in FrameReader(str(tmp_path))]
    assert values == list(range(1, 12))
    # 1.png and 01.png: no order, a clear error naming both
    other = tmp_path / 'ambiguous'
    other.mkdir()
    for name in ('1.png', '01.png', '2.png'):
        cv2.imwrite(str(other / name), np.zeros((4, 6, 3), np.uint8))
    with pytest.raises(
            VideoInputError, match="'01.png' and '1.png'|"
            "'1.png' and '01.png'"):
        FrameReader(str(other))


def test_a_cut_reads_its_context(demo_data, checkpoint, tmp_path):
    """--start/--end restore the cut's first and last frames with their
    neighbours, as in the whole clip (not as clip ends)."""
    folder = demo_data / 'BIx4/carphone_val'
    restorer = VideoRestorer(CONFIG, checkpoint)
    restorer.restore_file(str(folder), str(tmp_path / 'all'), end=8)
    restorer.restore_file(str(folder), str(tmp_path / 'cut'), start=3, end=6)
    cut = sorted((tmp_path / 'cut').glob('*.png'))
    assert [p.name for p in cut] == [f'{i:08d}.png' for i in range(3, 6)]
    for path in cut:
        whole = cv2.imread(str(tmp_path / 'all' / path.name))
        np.testing.assert_array_equal(cv2.imread(str(path)), whole)


def test_a_folder_output_keeps_the_input_numbers(demo_data, checkpoint,
                                                 tmp_path):
    """ffmpeg's 1-based names and gaps (1, 2, 6, 10) are kept."""
    src = tmp_path / 'in'
    src.mkdir()
    files = sorted((demo_data / 'BIx4/carphone_val').glob('*.png'))[:4]
    for number, f in zip((1, 2, 6, 10), files):
        (src / f'{number:05d}.png').write_bytes(f.read_bytes())
    restorer = VideoRestorer(CONFIG, checkpoint)
    restorer.restore_file(str(src), str(tmp_path / 'out'))
    assert sorted(p.name for p in (tmp_path / 'out').glob('*.png')) == [
        f'{n:08d}.png' for n in (1, 2, 6, 10)
    ]
    # --start/--end count by position: the 2nd and 3rd frames
    restorer.restore_file(str(src), str(tmp_path / 'cut'), start=1, end=3)
    assert sorted(p.name for p in (tmp_path / 'cut').glob('*.png')) == [
        '00000002.png', '00000006.png'
    ]
    assert FrameReader(str(src), 1, 3).frame_numbers() == [2, 6]
    assert FrameReader(str(src)).frame_numbers() == [1, 2, 6, 10]


def test_a_frame_that_would_not_fit_is_refused_before_any_work(
        checkpoint, tmp_path, monkeypatch, capsys):
    """restore_video.py: one line naming the frame, the memory and the
    --tile that fits, exit 2, nothing written (the probes measure the
    network on this machine; the memory left is made small)."""
    from test_inference_path import load_tool, write_folder

    from mmjffra.models.inference import memory
    if memory.peak_bytes(lambda: None, torch.device('cpu')) is None:
        pytest.skip('no /proc/self/clear_refs here')
    src = tmp_path / 'big'
    rng = np.random.default_rng(0)
    write_folder(src, rng.integers(0, 256, (3, 150, 200, 3), dtype=np.uint8))
    monkeypatch.setattr(memory, 'available_bytes', lambda device: 300 * 2**20)
    with pytest.raises(SystemExit) as exit:
        load_tool().main([
            CONFIG, checkpoint,
            str(src),
            str(tmp_path / 'out'), '--no-progress'
        ])
    code = exit.value.code
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith('error: frames of 200x150 need about '), err
    assert '300 MiB is available: restore with --tile ' in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ['big']
