# Copyright (c) mmjffra contributors. All rights reserved.
"""A restore killed in any way resumes where it stopped (issue 30).

The runs are killed with SIGKILL in a subprocess (no clean-up code runs)
at each point of a restoration: mid-segment, before the first segment is
finished, while the segments are joined, while the audio is muxed, and
after the output is in place but before the partial folder is removed.
The same command with ``--resume`` then ends with the output of an
uninterrupted run: identical frames for a folder, the same frames, frame
times and audio for a video, and it restores only what was not yet
written (for a recurrent model, from the last whole chunk).
"""
import os
import os.path as osp
import signal
import subprocess
import sys

import av
import numpy as np
import pytest
import torch
from conftest import REPO
from mmagic.registry import MODELS
from mmengine.config import Config
from test_inference_path import (BASICVSR, JFFRA, frames_of, load_tool,
                                 mmagic_release, write_folder,
                                 write_video_with_audio)
from test_restore_safety import enospc, failing_open, snapshot

from mmjffra.apis import FrameReader, partial_output, video_writer
from mmjffra.apis.resumable import missing_runs, segment_length, share_runs
from mmjffra.utils.safe_files import Interrupted

SIZE = (48, 40)
N = 14  # frames; segments of 4: 4 + 4 + 4 + 2

# Run the tool with one function wrapped to SIGKILL the process at its
# n-th call: python -c KILLER POINT N ARGS...
KILLER = '''
import importlib.util, os, signal, sys
point, n, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
from mmjffra.apis import partial_output, video_writer
owner, name = {
    'frame': (partial_output.SegmentWriter, 'write'),
    'join': (partial_output, 'join_video_parts'),
    'audio': (video_writer, 'copy_audio'),
    'place': (partial_output.PartialOutput, 'discard'),
}[point]
real, calls = getattr(owner, name), [0]

def wrapped(*a, **k):
    calls[0] += 1
    if calls[0] == n:
        if point == 'join':  # a half-written joined file
            with open(a[1], 'wb') as f:
                f.write(b'half a video')
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*a, **k)

setattr(owner, name, wrapped)
spec = importlib.util.spec_from_file_location('tool', 'tools/restore_video.py')
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)
tool.main(args)
'''


@pytest.fixture(scope='module')
def tool():
    return load_tool()


@pytest.fixture(scope='module')
def ckpt(tmp_path_factory):
    path = tmp_path_factory.mktemp('ckpt') / 'jffra.pth'
    mmagic_release(JFFRA, path)
    return str(path)


@pytest.fixture(scope='module')
def inputs(demo_data, tmp_path_factory):
    """A folder of N small frames and the same as an mp4 with audio."""
    root = tmp_path_factory.mktemp('resume_in')
    frames = frames_of(demo_data, N, SIZE)
    write_folder(root / 'in', frames)
    write_video_with_audio(root / 'in.mp4', frames)
    return root


def run(tool, capsys, *args):
    try:
        tool.main([str(a) for a in args] + ['--no-progress'])
        code = 0
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def killed(point, n, args, threads=None):
    """Run the tool in a subprocess that SIGKILLs itself at ``point``."""
    threads = threads or torch.get_num_threads()
    proc = subprocess.run(
        [sys.executable, '-c', KILLER, point,
         str(n)] + [str(a) for a in args] + ['--no-progress'],
        cwd=REPO,
        # the threads of this process: the same float kernels
        env=dict(os.environ, OMP_NUM_THREADS=str(threads)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stdout[-3000:]


def video_facts(path):
    """Decoded frames, their times, and the audio packets of a video."""
    with av.open(str(path)) as container:
        frames, times = [], []
        for frame in container.decode(video=0):
            frames.append(frame.to_ndarray(format='rgb24'))
            times.append(float(frame.pts * frame.time_base))
    with av.open(str(path)) as container:
        audio = [(p.pts, bytes(p)) for p in container.demux(audio=0) if p.size]
    return frames, times, audio


def assert_same(a, b):
    if a.suffix:
        fa, ta, aa = video_facts(a)
        fb, tb, ab = video_facts(b)
        assert len(fa) == len(fb) == N
        assert ta == tb and aa == ab and len(aa) > 0
    else:
        assert sorted(os.listdir(a)) == sorted(os.listdir(b))
        fa, fb = list(FrameReader(str(a))), list(FrameReader(str(b)))
        assert len(fa) == N
    for x, y in zip(fa, fb):
        np.testing.assert_array_equal(x, y)


@pytest.fixture(scope='module')
def reference(tool, ckpt, inputs, tmp_path_factory):
    """Uninterrupted runs: a folder and an mkv (with the input's audio)."""
    root = tmp_path_factory.mktemp('resume_ref')
    for src, out in (('in', 'out'), ('in.mp4', 'out.mkv')):
        tool.main([
            str(a) for a in (JFFRA, ckpt, inputs / src, root / out,
                             '--segment', '4', '--no-progress')
        ])
    return root


@pytest.mark.parametrize(
    'src,out,point,n,resumed_at',
    [
        ('in', 'out', 'frame', 7, 6),  # mid-segment: whole frames are kept
        ('in.mp4', 'out.mkv', 'frame', 3, 2),  # before the first segment
        ('in.mp4', 'out.mkv', 'join', 1, None),  # joining the segments
        ('in.mp4', 'out.mkv', 'audio', 1, None),  # muxing the audio
        ('in.mp4', 'out.mkv', 'place', 1, None),  # in place, partial not gone
    ])
def test_a_killed_restore_resumes_to_the_uninterrupted_output(
        tool, capsys, ckpt, inputs, reference, tmp_path, src, out, point, n,
        resumed_at):
    dst = tmp_path / out
    args = [JFFRA, ckpt, inputs / src, dst, '--segment', '4']
    killed(point, n, args)
    partial = tmp_path / f'.{out}.partial'
    assert partial.is_dir()
    # without --resume: one line, nothing changes
    before = snapshot(tmp_path)
    code, _, err = run(tool, capsys, *args)
    assert code == 2 and '--resume' in err and str(partial) in err, err
    assert len(err.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before
    # --resume: only the rest is restored, the output equals the reference
    try:
        tool.main([str(a) for a in args] + ['--resume'])
    except SystemExit as exit:
        assert exit.code == 0
    out_text, err = capsys.readouterr()
    assert f'wrote {N} frames' in out_text, err
    if resumed_at is not None:
        assert f'at frame {resumed_at}:' in err, err
        assert f'restored {N - resumed_at}/{N - resumed_at} frames' in err
    assert sorted(os.listdir(tmp_path)) == [out]
    assert_same(dst, reference / out)


def test_a_recurrent_model_resumes_on_its_chunk_grid(tool, capsys, inputs,
                                                     tmp_path):
    torch.manual_seed(0)
    cfg = Config.fromfile(BASICVSR)
    cfg.model.generator.pop('spynet_pretrained', None)
    ckpt = tmp_path / 'basicvsr.pth'
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, ckpt)
    args = [
        BASICVSR, ckpt, inputs / 'in', tmp_path / 'out', '--chunk', '3',
        '--chunk-overlap', '2', '--segment', '6'
    ]
    ref = tmp_path / 'ref'
    code, _, err = run(tool, capsys, *args[:3], ref, *args[4:])
    assert code == 0, err
    killed('frame', 11, args)  # 10 frames written: segment 0 and 4 more
    tool.main([str(a) for a in args] + ['--resume'])
    _, err = capsys.readouterr()
    assert 'at frame 9:' in err, err  # the last whole chunk: 9 = 3 * 3
    assert_same(tmp_path / 'out', ref)


def test_resume_refuses_another_command_and_redoes_a_corrupt_segment(
        tool, capsys, ckpt, inputs, reference, tmp_path, monkeypatch):
    """A run with --resume keeps its partial when SIGTERM stops it; a
    partial from another command (another option, input or model) is
    refused in one line and left as it is; a segment whose file was
    truncated or changed is found by its hash and redone."""
    dst = tmp_path / 'out.mkv'
    args = [JFFRA, ckpt, inputs / 'in.mp4', dst, '--segment', '4']
    real, calls = partial_output.SegmentWriter.write, [0]

    def stopped(self, frame):
        calls[0] += 1
        if calls[0] == 11:
            raise Interrupted(signal.SIGTERM)
        real(self, frame)

    monkeypatch.setattr(partial_output.SegmentWriter, 'write', stopped)
    code, _, err = run(tool, capsys, *args, '--resume')
    monkeypatch.undo()
    partial = tmp_path / '.out.mkv.partial'
    assert code == 143 and err.strip().splitlines()[-1] == (
        f'error: interrupted by SIGTERM: 8 restored frames kept in {partial}: '
        'the same command with --resume continues from there (remove that '
        'folder to start over)'), err
    before = snapshot(tmp_path)
    for other, where in (
        (['--tile', '32', '--tile-overlap',
          '8'], 'options.tile: None in the partial, 32 now'),
        (['--crf', '20'], 'options.crf: 18 in the partial, 20 now'),
        (['--start', '1'], 'options.start'),
    ):
        code, _, err = run(tool, capsys, *args, '--resume', *other)
        assert code == 2 and where in err and '--resume' in err, err
        assert len(err.strip().splitlines()) == 1
    other_ckpt = tmp_path.parent / f'{tmp_path.name}_other.pth'
    mmagic_release(JFFRA, other_ckpt)
    with open(other_ckpt, 'ab') as f:
        f.write(b'\0')
    code, _, err = run(tool, capsys, JFFRA, other_ckpt, *args[2:], '--resume')
    assert code == 2 and 'model.checkpoint_sha256' in err, err
    # another input: the frame folder the mp4 was made from
    code, _, err = run(tool, capsys, JFFRA, ckpt, inputs / 'in', *args[3:],
                       '--resume')
    assert code == 2 and 'input' in err and '--resume' in err, err
    assert len(err.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before
    # the last finished segment truncated, the first one changed
    seg1 = partial / 'seg_000001.mkv'
    seg1.write_bytes(seg1.read_bytes()[:100])
    seg0 = partial / 'seg_000000.mkv'
    data = bytearray(seg0.read_bytes())
    data[len(data) // 2] ^= 0xff
    seg0.write_bytes(bytes(data))
    code, _, err = run(tool, capsys, *args, '--resume')
    assert code == 0, err
    assert_same(dst, reference / 'out.mkv')


def test_a_full_disk_keeps_a_resumable_partial(tool, capsys, ckpt, inputs,
                                               reference, tmp_path,
                                               monkeypatch):
    dst = tmp_path / 'out'
    args = [JFFRA, ckpt, inputs / 'in', dst, '--segment', '4']
    monkeypatch.setattr(
        video_writer, 'open', failing_open(6, enospc()), raising=False)
    code, _, err = run(tool, capsys, *args)
    monkeypatch.undo()
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert 'No space left on device' in lines[0]
    assert '--resume' in lines[0] and 'frames kept in' in lines[0]
    code, _, err = run(tool, capsys, *args, '--resume')
    assert code == 0, err
    assert_same(dst, reference / 'out')


def test_each_segment_is_flushed_to_the_disk(tool, capsys, ckpt, inputs,
                                             reference, tmp_path, monkeypatch):
    """A segment's frames, their folder and its record are fsynced when
    it ends: a power cut loses at most the segment being written."""
    from mmjffra.apis import segment_writer
    synced, records = [], []
    sync, record = segment_writer.fsync_path, segment_writer.write_json_durably
    monkeypatch.setattr(segment_writer, 'fsync_path',
                        lambda path: synced.append(path) or sync(path))
    monkeypatch.setattr(
        segment_writer, 'write_json_durably',
        lambda path, data: records.append(data) or record(path, data))
    dst = tmp_path / 'out'
    code, _, err = run(tool, capsys, JFFRA, ckpt, inputs / 'in', dst,
                       '--segment', '4')
    assert code == 0, err
    names = [osp.basename(p) for p in synced]
    assert sorted(n for n in names if n.endswith('.png')) == sorted(
        n for n in os.listdir(dst) if n.endswith('.png'))  # every frame
    assert names.count('frames') == 4  # 4 + 4 + 4 + 2 frames
    assert [r['frames'] for r in records] == [4, 4, 4, 2]
    assert_same(dst, reference / 'out')


def test_segments_and_their_shares():
    # rounded up to the chunk grid, at most a rank's share
    assert segment_length(100, 1, None, 1) == 100
    assert segment_length(100, 20, 50, 1) == 100
    assert segment_length(10, 3, None, 1) == 12
    assert segment_length(100, 1, 9, 2) == 5
    assert segment_length(100, 3, 9, 2) == 6
    # what is missing, with a known and an unknown frame count
    assert missing_runs({}, 10, 4) == [[0, 1, 2]]
    assert missing_runs({0: 4, 2: 2}, 10, 4) == [[1]]
    assert missing_runs({0: 4, 1: 4}, None, 4) == [[2]]  # on to the end
    assert missing_runs({0: 4, 1: 2}, None, 4) == []  # the input ended
    assert missing_runs({1: 4}, None, 4) == [[0], [2]]
    # contiguous blocks per rank
    runs = [[0, 1], [3, 4, 5]]
    assert share_runs(runs, 0, 2) == [[0, 1], [3]]
    assert share_runs(runs, 1, 2) == [[4, 5]]
    assert share_runs([[0]], 1, 2) == []


def test_a_folder_in_the_way_of_the_partial_is_left_alone(
        tool, capsys, ckpt, inputs, tmp_path):
    """A folder named like the partial that no restoration wrote (no
    manifest, files in it) is refused in one line and kept as it is."""
    mine = tmp_path / '.out.partial'
    mine.mkdir()
    (mine / 'notes.txt').write_text('not a restoration')
    before = snapshot(tmp_path)
    code, _, err = run(tool, capsys, JFFRA, ckpt, inputs / 'in',
                       tmp_path / 'out', '--resume')
    assert code == 2 and 'is in the way of the partial' in err, err
    assert len(err.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before


# frames at uneven times (a variable frame rate), 1.9 s in all
VFR_TIMES = [0., .1, .2, .5, .55, .6, .9, 1., 1.1, 1.4, 1.45, 1.5, 1.8, 1.9]


@pytest.fixture(scope='module')
def vfr_input(demo_data, tmp_path_factory):
    path = tmp_path_factory.mktemp('vfr') / 'vfr.mp4'
    write_video_with_audio(
        path,
        frames_of(demo_data, N, SIZE),
        seconds_of_audio=2.,
        times=VFR_TIMES)
    return path


def test_a_variable_frame_rate_input_keeps_its_frame_times(
        tool, capsys, ckpt, vfr_input, inputs, tmp_path):
    reader = FrameReader(str(vfr_input))
    assert reader.frame_times() == pytest.approx(VFR_TIMES, abs=1e-4)
    assert FrameReader(str(vfr_input), start=3, end=6).frame_times() == \
        pytest.approx(VFR_TIMES[3:6], abs=1e-4)
    assert FrameReader(str(inputs / 'in.mp4')).frame_times() is None
    args = (JFFRA, ckpt, vfr_input, tmp_path / 'out.mkv', '--segment', '4')
    assert run(tool, capsys, *args)[0] == 0
    frames, times, audio = video_facts(tmp_path / 'out.mkv')
    # the segments joined at their frames' own times (mkv: 1 ms ticks)
    assert len(frames) == N
    assert times == pytest.approx(VFR_TIMES, abs=1e-3)
    # the audio until the last frame ends (1.9 + 0.1 s), not N / mean rate
    with av.open(str(tmp_path / 'out.mkv')) as container:
        tb = container.streams.audio[0].time_base
    assert float(audio[-1][0] * tb) > 1.9
    # killed mid-segment and resumed: the same output
    resumed = tmp_path / 'resumed.mkv'
    killed('frame', 7, args[:3] + (resumed, '--segment', '4', '--resume'))
    code, _, err = run(tool, capsys, *args[:3], resumed, '--segment', '4',
                       '--resume')
    assert code == 0, err
    r_frames, r_times, r_audio = video_facts(resumed)
    assert r_times == times and r_audio == audio
    for x, y in zip(frames, r_frames):
        np.testing.assert_array_equal(x, y)
    # a cut starts at its first frame's time, audio included
    code, _, err = run(tool, capsys, *args[:3], tmp_path / 'cut.mp4',
                       '--start', '3', '--end', '9')
    assert code == 0, err
    _, cut_times, _ = video_facts(tmp_path / 'cut.mp4')
    assert cut_times == pytest.approx(
        [t - VFR_TIMES[3] for t in VFR_TIMES[3:9]], abs=1e-3)


def test_a_variable_frame_rate_into_one_rate_container_says_so(
        tool, capsys, ckpt, vfr_input, tmp_path):
    code, _, err = run(tool, capsys, JFFRA, ckpt, vfr_input,
                       tmp_path / 'out.y4m', '--no-audio')
    assert code == 0, err
    assert 'variable frame rate' in err and 'average' in err
    with av.open(str(tmp_path / 'out.y4m')) as container:
        assert sum(1 for _ in container.decode(video=0)) == N
