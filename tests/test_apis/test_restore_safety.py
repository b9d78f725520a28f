# Copyright (c) mmjffra contributors. All rights reserved.
"""restore_video never loses a user's data (issue 22).

Every test states the files on disk before and after a run: an overwrite
removes only what a previous restoration wrote, the input is never
replaced, a failed write (injected where CI cannot make the fault: a full
disk, a read-only folder, a container that fails to close) or a signal
leaves nothing behind and a previous output untouched, and arguments and
inputs are refused before the model is built, in one line with exit 2.
"""
import errno
import os
import signal
import subprocess
import sys
import time

import av
import cv2
import numpy as np
import pytest
from conftest import REPO
from mmagic.registry import MODELS
from test_inference_path import (JFFRA, frames_of, load_tool, mmagic_release,
                                 write_folder, write_video_with_audio)

from mmjffra.apis import FrameReader, FrameWriter, VideoRestorer
from mmjffra.apis import restore_output as restore_output_module
from mmjffra.apis import video_writer
from mmjffra.apis.restore_output import MANIFEST, write_manifest
from mmjffra.errors import OutputError, RestoreWarning, VideoInputError

DENOISE = str(REPO / 'configs/jffra/jffra-small_1xb2-1000i_skvideo-denoise.py')
SIZE = (48, 40)  # small frames: a run takes about a second on the CPU


@pytest.fixture(scope='module')
def tool():
    return load_tool()


@pytest.fixture(scope='module')
def ckpt(tmp_path_factory):
    path = tmp_path_factory.mktemp('ckpt') / 'jffra.pth'
    mmagic_release(JFFRA, path)
    return str(path)


@pytest.fixture
def clip(demo_data, tmp_path):
    """A folder of 4 small frames under tmp_path/in."""
    write_folder(tmp_path / 'in', frames_of(demo_data, 4, SIZE))
    return tmp_path / 'in'


@pytest.fixture
def no_model(monkeypatch):
    """Fail the test if a model is built: the check must come first."""

    def build(*args, **kwargs):
        raise AssertionError('the model was built before the check')

    monkeypatch.setattr(MODELS, 'build', build)


def snapshot(root):
    """Every path under ``root`` (hidden ones too) with size and mtime."""
    return {
        str(p.relative_to(root)) + ('/' if p.is_dir() else ''):
        None if p.is_dir() else (p.stat().st_size, p.stat().st_mtime_ns)
        for p in root.rglob('*')
    }


def run(tool, capsys, *args):
    """The tool in this process: (exit code, stdout, stderr)."""
    try:
        tool.main([str(a) for a in args] + ['--no-progress'])
        code = 0
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def fails(tool, capsys, args, code, message, root, partial=None):
    """The run exits ``code`` with one line matching ``message`` and the
    files under ``root`` are exactly as before (but for the ``partial``
    folder of a full disk, kept to resume)."""
    before = snapshot(root)
    got, _, err = run(tool, capsys, *args)
    lines = err.strip().splitlines()
    assert got == code, err
    assert len(lines) == 1 and lines[0].startswith('error: '), err
    assert message in lines[0], err
    after = snapshot(root)
    if partial:
        assert (partial + '/') in after, err
        assert lines[0].endswith(
            f'restored frames kept in {root / partial}: the same command '
            'with --resume continues from there (remove that folder to '
            'start over)'), err
        after = {k: v for k, v in after.items() if not k.startswith(partial)}
    assert after == before
    return lines[0]


def enospc(path=None):
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)


# ----------------------------------------------------------- overwrite
def test_overwrite_keeps_a_folder_that_holds_other_files(
        tool, capsys, ckpt, clip, tmp_path, no_model):
    out = tmp_path / 'out'
    (out / 'sub').mkdir(parents=True)
    (out / 'notes.txt').write_text('mine')
    (out / 'sub' / 'keep.txt').write_text('mine too')
    write_video_with_audio(out / 'clip.mp4', frames_of_clip(clip, 2))
    for extra in ([], ['--overwrite']):
        line = fails(
            tool, capsys, [JFFRA, ckpt, clip, out] + extra, 2,
            "holds 'clip.mp4' (and 2 more), which no restoration "
            'wrote', tmp_path)
        assert str(out) in line
    # a manifest does not cover files it does not list
    write_manifest(str(out), ['notes.txt'], 'x')
    fails(tool, capsys, [JFFRA, ckpt, clip, out, '--overwrite'], 2,
          "holds 'clip.mp4' (and 1 more)", tmp_path)


def frames_of_clip(folder, n):
    return [
        cv2.cvtColor(cv2.imread(str(p)), cv2.COLOR_BGR2RGB)
        for p in sorted(folder.glob('*.png'))[:n]
    ]


def test_overwrite_replaces_only_a_previous_restoration(
        tool, capsys, ckpt, clip, tmp_path, monkeypatch):
    from mmjffra.apis import video_io
    checks = []
    check = video_io.check_restore_paths
    monkeypatch.setattr(video_io, 'check_restore_paths',
                        lambda *a: checks.append(a) or check(*a))
    out = tmp_path / 'out'
    code, stdout, _ = run(tool, capsys, JFFRA, ckpt, clip, out, '--end', 3)
    assert code == 0 and 'wrote 3 frames' in stdout
    assert len(checks) == 1  # the paths are checked once per run
    monkeypatch.setattr(video_io, 'check_restore_paths', check)
    first = ['00000000.png', '00000001.png', '00000002.png']
    assert sorted(os.listdir(out)) == [MANIFEST] + first
    assert sorted(os.listdir(tmp_path)) == ['in', 'out']
    fails(tool, capsys, [JFFRA, ckpt, clip, out], 2,
          'a previous restoration, 3 files); pass --overwrite', tmp_path)
    # --start 1: frames 1-3, numbered as the input's; frame 0 was ours
    code, stdout, _ = run(tool, capsys, JFFRA, ckpt, clip, out, '--start', 1,
                          '--overwrite')
    assert code == 0 and 'wrote 3 frames' in stdout
    assert sorted(
        os.listdir(out)) == [MANIFEST] + [f'{i:08d}.png' for i in (1, 2, 3)]
    assert sorted(os.listdir(tmp_path)) == ['in', 'out']
    # a file the user put there: refused, naming it, nothing touched
    (out / 'notes.txt').write_text('mine')
    fails(tool, capsys, [JFFRA, ckpt, clip, out, '--overwrite'], 2,
          "holds 'notes.txt', which no restoration wrote", tmp_path)


def test_the_input_is_never_the_output(tool, capsys, ckpt, clip, tmp_path,
                                       no_model):
    video = tmp_path / 'box' / 'in.mp4'
    video.parent.mkdir()
    write_video_with_audio(video, frames_of_clip(clip, 2))
    for extra in ([], ['--overwrite']):
        fails(tool, capsys, [JFFRA, ckpt, video, video] + extra, 2,
              'is the input', tmp_path)
        fails(tool, capsys, [JFFRA, ckpt, clip, clip] + extra, 2,
              'is the input', tmp_path)
        fails(tool, capsys, [JFFRA, ckpt, video, video.parent] + extra, 2,
              'contains the input', tmp_path)


# ----------------------------------------------------------- failed writes
def failing_open(fail_at, error):
    """``open`` that raises ``error`` for the ``fail_at``-th PNG."""
    calls = []

    def fake(path, *args, **kwargs):
        if str(path).endswith(('.png', '.png.tmp')):
            calls.append(path)
            if len(calls) == fail_at:
                raise error
        return open(path, *args, **kwargs)

    return fake


@pytest.mark.parametrize('previous', [False, True])
def test_a_full_disk_while_writing_frames(tool, capsys, ckpt, clip, tmp_path,
                                          monkeypatch, previous):
    out = tmp_path / 'out'
    if previous:  # a previous restoration's frames, to be kept
        out.mkdir()
        (out / '00000000.png').write_bytes(b'old frame')
        write_manifest(str(out), ['00000000.png'], str(clip))
    monkeypatch.setattr(
        video_writer, 'open', failing_open(3, enospc()), raising=False)
    line = fails(tool, capsys, [JFFRA, ckpt, clip, out, '--overwrite'], 2,
                 'cannot write frame 00000002.png to', tmp_path,
                 '.out.partial')
    assert "/.out.partial/frames': No space left on device; 0 " in line


class FailingContainer:
    """An output container whose ``mux`` (at packet ``at``) or ``close``
    fails with ENOSPC."""

    def __init__(self, real, at):
        self._real, self._at, self._packets = real, at, 0

    def __getattr__(self, name):
        return getattr(self._real, name)

    def mux(self, packet):
        self._packets += 1
        if self._at == self._packets:
            raise enospc(self._real.name)
        self._real.mux(packet)

    def close(self):
        self._real.close()
        if self._at == 'close':
            raise enospc(self._real.name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@pytest.mark.parametrize('name,at,codec,message', [
    ('out.mkv', 2, 'ffv1', 'cannot write frame 1 to'),
    ('out.mp4', 'close', 'libx264', 'cannot finish'),
])
def test_a_full_disk_while_writing_a_video(tool, capsys, ckpt, clip, tmp_path,
                                           monkeypatch, name, at, codec,
                                           message):
    out = tmp_path / name
    out.write_bytes(b'previous output')
    real_open = av.open

    def fake_open(path, *args, **kwargs):
        container = real_open(path, *args, **kwargs)
        if '.partial/seg_' in str(path) and 'w' in args[:1]:
            return FailingContainer(container, at)
        return container

    monkeypatch.setattr(av, 'open', fake_open)
    line = fails(tool, capsys,
                 [JFFRA, ckpt, clip, out, '--overwrite', '--codec', codec], 2,
                 message, tmp_path, f'.{name}.partial')
    assert f"seg_000000{out.suffix}': No space left on device; 0 " in line
    assert out.read_bytes() == b'previous output'


def test_an_unwritable_output_location(tool, capsys, ckpt, clip, tmp_path,
                                       monkeypatch, no_model):
    real = os.fsync

    def read_only(fd):  # the probe's write reaches the disk at fsync
        real(fd)
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(restore_output_module.os, 'fsync', read_only)
    fails(tool, capsys, [JFFRA, ckpt, clip, tmp_path / 'new' / 'out.mp4'], 2,
          f"cannot write to {str(tmp_path)!r}: Read-only file system",
          tmp_path)
    monkeypatch.undo()
    (tmp_path / 'afile').write_text('x')
    fails(tool, capsys, [JFFRA, ckpt, clip, tmp_path / 'afile' / 'out'], 2,
          'is a file, not a folder', tmp_path)


# ----------------------------------------------------------- checks first
def test_arguments_are_checked_before_the_model_is_built(
        tool, capsys, ckpt, clip, tmp_path, no_model):
    out = tmp_path / 'out'
    text = tmp_path / 'notes.pth'
    text.write_text('not weights')
    for args, message in [
        ([DENOISE, ckpt, clip, out, '--noise-sigma', 1000], '0-255 scale'),
        ([DENOISE, ckpt, clip, out], 'give the noise level'),
        ([JFFRA, ckpt, clip, out, '--noise-sigma',
          30], 'takes no noise level'),
        ([JFFRA, ckpt, clip, out, '--fps', 0], '--fps must be within 1-1000'),
        ([JFFRA, ckpt, clip, out, '--fps', 'inf'], 'got inf'),
        ([JFFRA, ckpt, clip, out, '--fps', 'nan'], 'got nan'),
        ([JFFRA, ckpt, clip, out, '--fps', 1e9], '--fps must be within'),
        ([JFFRA, ckpt, clip, out, '--fps', 0.001], '--fps must be within'),
        ([JFFRA, ckpt, clip, out, '--crf', 99], '--crf must be within 0-51'),
        ([JFFRA, ckpt, clip, tmp_path / 'o.webm', '--crf',
          99], '--crf must be within 0-63'),
        ([JFFRA, ckpt, clip, out, '--chunk', 0], '--chunk must be an'),
        ([JFFRA, ckpt, clip, out, '--tile', 0], 'tile must be an integer'),
        ([JFFRA, ckpt, clip, out, '--tile', 16, '--tile-overlap',
          16], 'smaller than the tile'),
        ([JFFRA, ckpt, clip, out, '--batch',
          0], '--batch must be an integer >= 1 or "auto"'),
        ([
            JFFRA, ckpt, clip, out, '--cfg-options',
            'model.test_cfg.max_windows_per_forwrd=2'
        ], 'unknown key model.test_cfg.max_windows_per_forwrd for JFFRA: the '
         'known keys are padding, max_windows_per_forward, tile, '
         'tile_overlap'),
        ([ckpt, JFFRA, clip, out], 'is not a config file'),
        ([JFFRA, text, clip, out], 'not a PyTorch checkpoint'),
        ([JFFRA, ckpt, clip,
          tmp_path / 'out.gif'], "'.gif' is not a video format"),
        ([JFFRA, ckpt, clip, tmp_path / 'out.y4m', '--codec',
          'libx264'], "with codec 'libx264'"),
        ([JFFRA, ckpt, tmp_path / 'missing', out], 'does not exist'),
    ]:
        fails(tool, capsys, args, 2, message, tmp_path)


def test_containers_get_their_codec(demo_data, clip, tmp_path):
    restorer = VideoRestorer(JFFRA)
    for name in ('out.webm', 'out.y4m'):
        assert restorer.restore_file(
            str(clip), str(tmp_path / name), end=2) == 2
        assert len(list(FrameReader(str(tmp_path / name)))) == 2
    assert sorted(os.listdir(tmp_path)) == ['in', 'out.webm', 'out.y4m']


def test_frame_names_that_give_no_order(tmp_path):
    frame = np.zeros((8, 8, 3), np.uint8)
    for names, ok in [
        (['00000001.png', '00000002.png', '._00000001.png'], True),
        (['cat.png', 'dog.png', 'eel.png'], False),
        (['frame1.png', 'clip10.png'], False),
    ]:
        folder = tmp_path / names[0][:3]
        folder.mkdir()
        for name in names:
            if name.startswith('._'):  # macOS metadata, not an image
                (folder / name).write_bytes(b'\0\5\26\7')
            else:
                cv2.imwrite(str(folder / name), frame)
        if ok:
            assert len(list(FrameReader(str(folder)))) == 2
        else:
            with pytest.raises(VideoInputError, match='give no order'):
                FrameReader(str(folder))


def test_a_truncated_video_and_an_odd_size_are_said(tool, capsys, ckpt,
                                                    demo_data, tmp_path):
    full = tmp_path / 'full.mkv'
    with FrameWriter(str(full)) as writer:
        for frame in frames_of(demo_data, 12, SIZE):
            writer.write(frame)
    data = full.read_bytes()
    cut = tmp_path / 'cut.mkv'
    cut.write_bytes(data[:len(data) * 9 // 10])  # 6 of 12 frames
    with pytest.warns(RestoreWarning, match='of the 12 frames its header'):
        n = len(list(FrameReader(str(cut))))
    assert 0 < n < 12
    code, out, err = run(tool, capsys, JFFRA, ckpt, cut, tmp_path / 'sr')
    assert code == 0 and f'wrote {n} frames' in out
    assert err.strip().startswith('warning: ') and \
        'a truncated file?' in err and len(err.strip().splitlines()) == 1
    with pytest.warns(RestoreWarning, match='cropped to 14x12'):
        with FrameWriter(str(tmp_path / 'odd.mp4')) as writer:
            writer.write(np.zeros((13, 15, 3), np.uint8))
    with pytest.raises(
            OutputError,
            match='frames of 1x1 are too small for '
            'a video output .* write a folder output'):
        with FrameWriter(str(tmp_path / 'tiny.mp4')) as writer:
            writer.write(np.zeros((1, 1, 3), np.uint8))
    assert sorted(
        os.listdir(tmp_path)) == ['cut.mkv', 'full.mkv', 'odd.mp4', 'sr']


# ----------------------------------------------------------- signals
@pytest.mark.parametrize('signum', [signal.SIGINT, signal.SIGTERM])
def test_a_signal_mid_run_leaves_nothing(demo_data, ckpt, tmp_path, signum):
    frames = frames_of(demo_data, 4, SIZE)
    write_folder(tmp_path / 'in', frames * 25)  # 100 frames
    out = tmp_path / 'out'
    out.mkdir()  # a previous restoration, to be kept as it is
    (out / '00000000.png').write_bytes(b'old frame')
    write_manifest(str(out), ['00000000.png'], 'in')
    before = snapshot(tmp_path)
    proc = subprocess.Popen([
        sys.executable, 'tools/restore_video.py', JFFRA, ckpt, tmp_path / 'in',
        out, '--overwrite', '--no-progress'
    ],
                            cwd=REPO,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE,
                            text=True)
    deadline = time.time() + 120
    while not list(tmp_path.glob('.out.partial/frames/*.png')):  # mid-run
        assert proc.poll() is None and time.time() < deadline
        time.sleep(0.05)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    name = signal.Signals(signum).name
    assert proc.returncode == 128 + signum, err
    assert err.strip().splitlines()[-1] == \
        f'error: interrupted by {name}: nothing written'
    assert 'Traceback' not in err
    assert snapshot(tmp_path) == before


# ----------------------------------------------------------- one writer
def test_a_second_writer_of_the_same_output_is_refused(tool, capsys, ckpt,
                                                       clip, tmp_path):
    from mmjffra.utils.safe_files import lock_path
    out = tmp_path / 'new' / 'out'
    lock = lock_path(str(out))
    # another process restoring into out holds the lock beside it
    os.makedirs(os.path.dirname(lock))
    holder = subprocess.Popen([
        sys.executable, '-c', 'import fcntl, os, sys, time; '
        f'fd = os.open({lock!r}, os.O_RDWR | os.O_CREAT); '
        'fcntl.flock(fd, fcntl.LOCK_EX); print("held", flush=True); '
        'time.sleep(120)'
    ],
                              stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == 'held'
        fails(tool, capsys, [JFFRA, ckpt, clip, out], 2,
              'is being written by another restore', tmp_path)
        # killed (no clean-up): the kernel frees the lock, no stale lock
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        code, _, err = run(tool, capsys, JFFRA, ckpt, clip, out, '--end', 2)
        assert code == 0, err
        assert sorted(os.listdir(out.parent)) == ['out']  # lock removed
    finally:
        holder.kill()
        holder.wait()


def test_temporary_names_are_hidden_new_and_never_shared(
        tmp_path, monkeypatch):
    """Two processes with the same id (PID 1 in two containers writing to
    one volume) get different names; the extension is kept and nothing is
    created."""
    from mmjffra.utils.safe_files import temp_sibling
    monkeypatch.setattr(os, 'getpid', lambda: 1)
    names = {temp_sibling(str(tmp_path / 'video.mp4')) for _ in range(50)}
    assert len(names) == 50
    for name in names:
        folder, base = os.path.split(name)
        assert folder == str(tmp_path) and base.startswith('.video.tmp1-')
        assert base.endswith('.mp4') and not os.path.exists(name)
    (tmp_path / 'frames').mkdir()
    base = os.path.basename(temp_sibling(str(tmp_path / 'frames'), 'old'))
    assert base.startswith('.frames.old1-') and '.' not in base[13:]
