# Copyright (c) mmjffra contributors. All rights reserved.
"""The one inference path: declarations, checkpoints, outputs, ranks."""
import importlib.util
import os
import re
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

JFFRA = str(REPO / 'configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py')
BASICVSR = str(REPO /
               'configs/demo/basicvsr_c16b4_1xb2-1000i_carphone-bix4.py')
EDVR = str(REPO / 'configs/demo/edvrm_c16_1xb2-1000i_carphone-bix4.py')


def load_script(path, name):
    """A tool of the repo as a module (its ``main`` runs in this process)."""
    spec = importlib.util.spec_from_file_location(name, REPO / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_tool():
    return load_script('tools/restore_video.py', 'restore_video_tool')


def frames_of(demo_data, n, size=None):
    out = []
    for i in range(n):
        img = cv2.imread(str(demo_data / f'BIx4/carphone_val/{i:08d}.png'))
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        if size:
            img = cv2.resize(img, size, interpolation=cv2.INTER_CUBIC)
        out.append(img)
    return out


def write_folder(folder, frames):
    folder.mkdir(parents=True, exist_ok=True)
    for i, f in enumerate(frames):
        cv2.imwrite(
            str(folder / f'{i:08d}.png'), cv2.cvtColor(f, cv2.COLOR_RGB2BGR))


def read_folder(folder):
    return [cv2.imread(str(p)) for p in sorted(folder.glob('*.png'))]


def mmagic_release(config, path, wrap_ddp=False):
    """A checkpoint in the format of MMagic's released weights: the whole
    model's state dict (``generator.*`` and wrapper buffers such as
    BasicVSR's ``step_counter``) under ``state_dict``, with ``meta``."""
    torch.manual_seed(0)
    cfg = Config.fromfile(config)
    cfg.model.generator.pop('spynet_pretrained', None)
    model = MODELS.build(cfg.model)
    state = model.state_dict()
    if wrap_ddp:
        state = {f'module.{k}': v for k, v in state.items()}
    torch.save(dict(meta=dict(mmagic_version='1.2.0'), state_dict=state), path)
    return model


# ----------------------------------------------------------- boundaries
def test_apis_names_no_network_class():
    names = ('JFFRANet', 'RVRTNet', 'EDVRNet', 'BasicVSRNet', 'IconVSR',
             'BasicVSRPlusPlus', 'center_frame_idx', 'window_size', "'http'",
             'step_counter')
    for path in (REPO / 'mmjffra/apis').glob('*.py'):
        code = path.read_text()
        code = re.sub(r'""".*?"""', '', code, flags=re.S)  # docstrings
        code = re.sub(r'#.*', '', code)
        for name in names:
            assert name not in code, f'{path.name} names {name}'


def test_auto_windows_per_forward_is_one_on_the_cpu():
    restorer = VideoRestorer(JFFRA, max_windows='auto')
    frame = np.zeros((16, 16, 3), np.uint8)
    assert restorer.windows_per_forward(frame) == 1
    assert len(list(restorer.restore_stream(iter([frame] * 3)))) == 3


def test_config_batch_setting_drives_restoration(demo_data):
    """model.test_cfg.max_windows_per_forward (tools/test.py's key) is read
    by VideoRestorer too, and batching does not change the result."""
    frames = frames_of(demo_data, 5)
    torch.manual_seed(0)
    one = VideoRestorer(JFFRA)
    four = VideoRestorer(
        JFFRA, cfg_options={'model.test_cfg.max_windows_per_forward': 4})
    four.model.load_state_dict(one.model.state_dict())
    assert four.clip.max_windows == 4 and one.clip.max_windows == 1
    a = list(one.restore_stream(iter(frames)))
    b = list(four.restore_stream(iter(frames)))
    for x, y in zip(a, b):
        assert np.abs(x.astype(int) - y.astype(int)).max() <= 1


# ----------------------------------------------------------- outputs
def test_failed_run_leaves_nothing_and_keeps_the_previous_output(
        demo_data, tmp_path):
    frames = frames_of(demo_data, 5)
    write_folder(tmp_path / 'in', frames)
    # random weights are enough: a config without checkpoint via the API
    restorer = VideoRestorer(JFFRA)
    restorer.restore_file(str(tmp_path / 'in'), str(tmp_path / 'out'))
    restorer.restore_file(str(tmp_path / 'in'), str(tmp_path / 'out.mp4'))
    bad = tmp_path / 'bad'
    write_folder(bad, frames)
    cv2.imwrite(str(bad / '00000003.png'), np.zeros((20, 30, 3), np.uint8))
    before = sorted(p.name for p in tmp_path.iterdir())
    stamp = (tmp_path / 'out.mp4').stat().st_mtime_ns
    for out in ('out', 'out.mp4', 'new.mp4', 'new'):
        with pytest.raises(ValueError, match='frame 3 .*change size'):
            restorer.restore_file(
                str(bad), str(tmp_path / out), overwrite=True)
    # no temporary sibling, no new output, the old ones untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / 'out.mp4').stat().st_mtime_ns == stamp
    assert len(read_folder(tmp_path / 'out')) == 5
    # and the same command works once the input is fixed
    cv2.imwrite(
        str(bad / '00000003.png'), cv2.cvtColor(frames[3], cv2.COLOR_RGB2BGR))
    assert restorer.restore_file(str(bad), str(tmp_path / 'new.mp4')) == 5


def write_video_with_audio(path,
                           frames,
                           fps=10,
                           seconds_of_audio=None,
                           times=None,
                           codec='libx264',
                           pix_fmt='yuv420p'):
    """A video (mp4 by default) of ``frames`` at ``fps`` (or at ``times``,
    seconds: a variable frame rate) with a 440 Hz tone as its audio."""
    from fractions import Fraction
    with av.open(str(path), 'w') as container:
        video = container.add_stream(codec, rate=fps)
        video.height, video.width = frames[0].shape[:2]
        video.pix_fmt = pix_fmt
        if times is not None:
            video.codec_context.time_base = Fraction(1, 90000)
        audio = container.add_stream('aac', rate=16000)
        audio.layout = 'mono'
        for i, img in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(
                img, format='rgb24').reformat(format=pix_fmt)
            if times is not None:
                frame.pts = round(times[i] * 90000)
                frame.time_base = Fraction(1, 90000)
            for packet in video.encode(frame):
                container.mux(packet)
        n = int(16000 * (seconds_of_audio or len(frames) / fps))
        tone = (0.3 * np.sin(np.arange(n) * 2 * np.pi * 440 / 16000)).astype(
            np.float32)[None]
        for start in range(0, n, 1024):
            frame = av.AudioFrame.from_ndarray(
                tone[:, start:start + 1024], format='fltp', layout='mono')
            frame.sample_rate = 16000
            frame.pts = start
            for packet in audio.encode(frame):
                container.mux(packet)
        for stream in (video, audio):
            for packet in stream.encode():
                container.mux(packet)


@pytest.fixture(scope='module')
def jffra_ckpt(tmp_path_factory):
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp('ckpt') / 'jffra.pth'
    torch.save(
        {
            'state_dict': MODELS.build(
                Config.fromfile(JFFRA).model).state_dict()
        }, path)
    return str(path)


def test_audio_is_copied_and_fps_is_kept_or_set(demo_data, tmp_path,
                                                jffra_ckpt):
    frames = frames_of(demo_data, 10, (48, 40))
    src = tmp_path / 'with_audio.mp4'
    write_video_with_audio(src, frames, fps=10)
    restorer = VideoRestorer(JFFRA)
    restorer.restore_file(str(src), str(tmp_path / 'out.mp4'))
    with av.open(str(tmp_path / 'out.mp4')) as c:
        assert len(c.streams.audio) == 1
        assert float(c.streams.video[0].average_rate) == 10
        audio = c.streams.audio[0]
        seconds = sum(p.duration or 0
                      for p in c.demux(audio)) * float(audio.time_base)
    assert abs(seconds - 1.0) < 0.15  # 10 frames at 10 fps
    # --no-audio, and frames 5-9 only: half a second of audio
    restorer.restore_file(str(src), str(tmp_path / 'mute.mp4'), audio=False)
    with av.open(str(tmp_path / 'mute.mp4')) as c:
        assert len(c.streams.audio) == 0
    restorer.restore_file(str(src), str(tmp_path / 'half.mp4'), start=5)
    with av.open(str(tmp_path / 'half.mp4')) as c:
        audio = c.streams.audio[0]
        seconds = sum(p.duration or 0
                      for p in c.demux(audio)) * float(audio.time_base)
    assert abs(seconds - 0.5) < 0.15
    # a frame folder is 25 fps unless --fps says otherwise
    write_folder(tmp_path / 'frames', frames[:4])
    restorer.restore_file(str(tmp_path / 'frames'), str(tmp_path / 'f.mp4'))
    load_tool().main([
        JFFRA, jffra_ckpt,
        str(tmp_path / 'frames'),
        str(tmp_path / 'f12.mp4'), '--fps', '12', '--no-progress'
    ])
    for name, fps in (('f.mp4', 25), ('f12.mp4', 12)):
        with av.open(str(tmp_path / name)) as c:
            assert float(c.streams.video[0].average_rate) == fps


def test_cli_device_and_out_of_memory_messages(demo_data, tmp_path,
                                               monkeypatch, capsys,
                                               jffra_ckpt):
    write_folder(tmp_path / 'in', frames_of(demo_data, 3))
    tool = load_tool()
    args = [JFFRA, jffra_ckpt, str(tmp_path / 'in'), str(tmp_path / 'out')]
    for device, match in (('gpu', 'unknown device'),
                          ('cuda:7', 'CUDA is not available|has 1')):
        with pytest.raises(SystemExit) as info:
            tool.main(args + ['--device', device])
        assert info.value.code == 2
        assert re.search(match, capsys.readouterr().err)
    with pytest.raises(SystemExit):
        tool.main(args + ['--batch', '0'])
    assert '--batch must be an integer >= 1 or "auto", got 0' in \
        capsys.readouterr().err

    def oom(*a, **k):
        raise torch.cuda.OutOfMemoryError('CUDA out of memory. Tried ...')

    monkeypatch.setattr(VideoRestorer, 'restore_file', oom)
    with pytest.raises(SystemExit) as info:
        tool.main(args)
    err = capsys.readouterr().err
    assert info.value.code == 3 and len(err.strip().splitlines()) == 1
    assert '--tile' in err and '--batch' in err and 'Traceback' not in err


# ----------------------------------------------------------- ranks
def test_two_ranks_equal_one_process(demo_data, tmp_path):
    """torchrun with 2 CPU (gloo) ranks through the tool: each restores a
    contiguous block of segments with context frames and rank 0 puts them
    in place, resuming the folder a killed one-process run left."""
    config, out, extra = JFFRA, 'out', ['--segment', '3']
    from test_resume import killed
    frames = frames_of(demo_data, 9)
    write_folder(tmp_path / 'in', frames)
    torch.manual_seed(0)
    cfg = Config.fromfile(config)
    cfg.model.generator.pop('spynet_pretrained', None)
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()},
               tmp_path / 'model.pth')
    args = [config, tmp_path / 'model.pth', tmp_path / 'in']
    one, two = tmp_path / f'one_{out}', tmp_path / f'two_{out}'
    # one thread in every run: the same float kernels
    run_cmd(
        [sys.executable, 'tools/restore_video.py'] + args +
        [one, '--no-progress'] + extra,
        env=dict(OMP_NUM_THREADS='1'))
    # segment 0 and one frame of segment 1 are left
    killed('frame', 5, args + [two] + extra, threads=1)
    log = run_cmd(
        [
            sys.executable, '-m', 'torch.distributed.run', '--nproc-per-node',
            '2', '--master-port',
            str(29500 + os.getpid() % 1000), 'tools/restore_video.py'
        ] + args + [two] + extra + ['--resume'],
        env=dict(OMP_NUM_THREADS='1'))
    assert 'at frame 4: 4 frames were restored before' in log, log
    assert 'wrote 9 frames' in log
    a = list(FrameReader(str(one)))
    b = list(FrameReader(str(two)))
    assert len(a) == len(b) == 9
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith('.')]


def test_every_container_restores_with_one_and_two_ranks(demo_data, tmp_path):
    """Each container of ``CONTAINERS``, restored by one process and by 2
    torchrun ranks (a sequence network on its chunk grid, 2 segments: the
    ranks write one each in the output's own container and rank 0 joins them
    by stream copy), decodes to the same 6 frames."""
    from mmjffra.apis.restore_output import CONTAINERS
    write_folder(tmp_path / 'in', frames_of(demo_data, 6, (32, 32)))
    torch.manual_seed(0)
    cfg = Config.fromfile(BASICVSR)
    cfg.model.generator.pop('spynet_pretrained', None)
    ckpt = tmp_path / 'model.pth'
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, ckpt)
    log = run_cmd(
        [
            sys.executable, '-m', 'torch.distributed.run', '--nproc-per-node',
            '2', '--master-port',
            str(29500 + (os.getpid() + 7) % 1000),
            str(REPO / 'tests/test_apis/rank_containers.py'), BASICVSR, ckpt,
            tmp_path / 'in', tmp_path
        ] + list(CONTAINERS),
        env=dict(OMP_NUM_THREADS='1'))
    restorer = VideoRestorer(BASICVSR, str(ckpt), chunk=3, chunk_overlap=1)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the ranks' float kernels
    try:
        for ext in CONTAINERS:
            assert f'wrote 6 frames to {tmp_path / f"two{ext}"}' in log, log
            one = tmp_path / f'one{ext}'
            assert restorer.restore_file(
                str(tmp_path / 'in'), str(one), segment=3) == 6
            a = list(FrameReader(str(one)))
            b = list(FrameReader(str(tmp_path / f'two{ext}')))
            assert len(a) == len(b) == 6, ext
            assert a[0].shape == (128, 128, 3), ext
            for x, y in zip(a, b):
                np.testing.assert_array_equal(x, y, err_msg=ext)
    finally:
        torch.set_num_threads(threads)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith('.')]


def test_a_locked_output_is_refused_on_every_rank(demo_data, tmp_path):
    """Under torchrun rank 0 takes the output's lock and tells the other
    ranks: a second restore of the same output is refused on every rank
    (none waits forever for rank 0)."""
    import subprocess

    from mmjffra.utils.safe_files import lock_path
    write_folder(tmp_path / 'in', frames_of(demo_data, 3, (32, 32)))
    mmagic_release(JFFRA, tmp_path / 'model.pth')
    out = tmp_path / 'out'
    lock = lock_path(str(out))
    holder = subprocess.Popen([
        sys.executable, '-c', 'import fcntl, os, time; '
        f'fd = os.open({lock!r}, os.O_RDWR | os.O_CREAT); '
        'fcntl.flock(fd, fcntl.LOCK_EX); print("held", flush=True); '
        'time.sleep(300)'
    ],
                              stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == 'held'
        proc = subprocess.run([
            sys.executable, '-m', 'torch.distributed.run', '--nproc-per-node',
            '2', '--master-port',
            str(29600 + os.getpid() % 1000), 'tools/restore_video.py', JFFRA,
            tmp_path / 'model.pth', tmp_path / 'in', out, '--no-progress'
        ],
                              cwd=REPO,
                              env=dict(os.environ, OMP_NUM_THREADS='1'),
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              text=True,
                              timeout=240)
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode != 0
    assert proc.stdout.count('is being written by another restore') == 2, \
        proc.stdout[-3000:]
    assert not out.exists()


def test_mmagic_inferencer_with_our_config(demo_data, tmp_path, jffra_ckpt):
    """MMagic's MMagicInferencer restores a folder with our config (the
    ``demo_pipeline`` of our runtime base; 'basicvsr' only picks MMagic's
    video restoration task) like VideoRestorer."""
    from mmagic.apis import MMagicInferencer
    frames = frames_of(demo_data, 4)
    write_folder(tmp_path / 'in', frames)
    inferencer = MMagicInferencer(
        'basicvsr', model_config=JFFRA, model_ckpt=jffra_ckpt, device='cpu')
    inferencer.infer(
        video=str(tmp_path / 'in'), result_out_dir=str(tmp_path / 'out'))
    got = read_folder(tmp_path / 'out')
    expected = list(VideoRestorer(JFFRA, jffra_ckpt).restore_stream(frames))
    assert len(got) == 4
    for g, e in zip(got, expected):
        diff = np.abs(g.astype(int) - cv2.cvtColor(e, cv2.COLOR_RGB2BGR))
        assert diff.max() <= 1


def test_sizes_a_network_cannot_take_are_padded():
    """EDVR asserts multiples of 4: 34x80 frames are padded (edge pixels
    repeated) and the output cropped back."""
    torch.manual_seed(0)
    restorer = VideoRestorer(EDVR)
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (34, 80, 3), np.uint8) for _ in range(5)]
    out = list(restorer.restore_stream(frames))
    assert len(out) == 5 and out[0].shape == (136, 320, 3)
    padded = [np.pad(f, ((0, 2), (0, 0), (0, 0)), mode='edge') for f in frames]
    ref = list(restorer.restore_stream(padded))
    np.testing.assert_array_equal(out[2], ref[2][:136])


def test_audio_the_container_cannot_hold_is_dropped_with_a_warning(
        demo_data, tmp_path):
    from mmjffra.errors import RestoreWarning
    frames = frames_of(demo_data, 4, (48, 40))
    src = tmp_path / 'with_audio.mp4'
    write_video_with_audio(src, frames, fps=10)
    restorer = VideoRestorer(JFFRA)
    for name in ('out.y4m', 'out.webm', 'out.mpg'):
        with pytest.warns(RestoreWarning, match='without audio'):
            assert restorer.restore_file(str(src), str(tmp_path / name)) == 4
        assert len(list(FrameReader(str(tmp_path / name)))) == 4
    with av.open(str(tmp_path / 'out.mpg')) as c:  # mpeg: no AAC
        assert len(c.streams.audio) == 0
    # mkv holds AAC: copied, no warning
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('error', RestoreWarning)
        restorer.restore_file(str(src), str(tmp_path / 'out.mkv'))
    with av.open(str(tmp_path / 'out.mkv')) as c:
        assert len(c.streams.audio) == 1


def test_a_video_cut_mid_packet_restores_what_decodes(tmp_path):
    from mmjffra.errors import RestoreWarning
    full, cut = tmp_path / 'full.mp4', tmp_path / 'cut.mp4'
    rng = np.random.default_rng(0)
    with av.open(str(full), 'w', options={'movflags': 'faststart'}) as c:
        stream = c.add_stream('libx264', rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, 'yuv420p'
        for _ in range(12):
            img = rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)
            c.mux(stream.encode(av.VideoFrame.from_ndarray(img, 'rgb24')))
        c.mux(stream.encode())
    data = full.read_bytes()
    cut.write_bytes(data[:int(len(data) * 0.7)])  # inside a packet
    with pytest.warns(RestoreWarning, match='truncated') as record:
        frames = list(FrameReader(str(cut)))
    assert 0 < len(frames) < 12
    assert len([w for w in record if w.category is RestoreWarning]) == 1


def test_alpha_and_16_bit_are_said(tmp_path):
    from mmjffra.errors import RestoreWarning
    for i in range(2):
        assert cv2.imwrite(
            str(tmp_path / f'{i}.png'),
            np.full((8, 8, 4), 4000 * (i + 1), np.uint16))
    with pytest.warns(RestoreWarning, match='alpha channel and 16-bit'):
        frames = list(FrameReader(str(tmp_path)))
    assert frames[0].dtype == np.uint8 and frames[0].shape == (8, 8, 3)
    assert frames[1][0, 0, 0] == round(8000 / 257)  # as IMREAD_COLOR gives


def test_the_tool_says_each_dropped_part_in_one_line(demo_data, tmp_path,
                                                     jffra_ckpt, capsys):
    """A 10-bit video with alpha and AAC audio restored into a .y4m (no
    audio there): the depth, the alpha and the audio are each said once, in
    one line; the frames are restored."""
    frames = frames_of(demo_data, 3, (48, 40))
    src = tmp_path / 'deep.mkv'
    write_video_with_audio(src, frames, codec='ffv1', pix_fmt='yuva420p10le')
    read = list(FrameReader(str(src)))
    assert np.abs(read[0].astype(int) - frames[0]).mean() < 3
    load_tool().main([
        JFFRA, jffra_ckpt,
        str(src),
        str(tmp_path / 'out.y4m'), '--no-progress'
    ])
    out, err = capsys.readouterr()
    assert 'wrote 3 frames' in out
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    depth = (f"warning: {str(src)!r} (yuva420p10le): its alpha channel and "
             '10-bit depth are not restored; frames are read and written as '
             '8-bit RGB')
    assert depth in lines, err
    audio, = [line for line in lines if line != depth]
    assert audio.startswith('warning: the audio of') and \
        'without audio' in audio and '--no-audio' in audio
    assert len(list(FrameReader(str(tmp_path / 'out.y4m')))) == 3


def test_help_says_what_start_and_end_count(capsys):
    with pytest.raises(SystemExit) as info:
        load_tool().parse_args(['--help'])
    assert info.value.code == 0
    text = ' '.join(capsys.readouterr().out.split())
    assert ('--start START first frame, counted by position from 0 (the '
            'first frame of the video, or of the folder in natural order); '
            "a folder output keeps the input frames' own numbers") in text
    assert '--end END stop before this frame (by position)' in text
