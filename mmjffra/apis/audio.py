# Copyright (c) mmjffra contributors. All rights reserved.
"""The audio of a restored video: whether the output's container can hold
the input's audio, and its packets copied without re-encoding."""
import os
import os.path as osp
import warnings

from mmjffra.errors import RestoreWarning


def audio_streams(path: str) -> int:
    """Number of audio streams of a video file (0 for a folder)."""
    if osp.isdir(path):
        return 0
    import av
    try:
        with av.open(path) as container:
            return len(container.streams.audio)
    except av.error.FFmpegError:
        return 0


def audio_fits(src: str, dst: str) -> bool:
    """Whether a video output of ``dst``'s container can hold the first
    audio stream of ``src`` as it is (stream copy): a probe file of that
    container in the temporary folder gets the stream and one packet."""
    import tempfile

    import av
    fd, probe = tempfile.mkstemp(suffix=osp.splitext(dst)[1])
    os.close(fd)
    try:
        with av.open(src) as inp:
            stream = inp.streams.audio[0]
            packet = next((p for p in inp.demux(stream) if p.size), None)
            with av.open(probe, 'w') as out:
                copy = out.add_stream_from_template(stream)
                if packet is not None:
                    packet.stream = copy
                    out.mux(packet)
        return True
    except (av.error.FFmpegError, ValueError, TypeError):
        return False
    finally:
        os.remove(probe)


def audio_kept(src: str, dst: str) -> bool:
    """Whether a video output ``dst`` gets the audio of ``src``: it has
    audio, and ``dst``'s container holds it as it is (else a warning)."""
    if not audio_streams(src):
        return False
    if audio_fits(src, dst):
        return True
    warnings.warn(
        RestoreWarning(
            f'the audio of {src!r} cannot go into a '
            f'{osp.splitext(dst)[1]} file without re-encoding: {dst!r} is '
            'written without audio (an .mkv or .mp4 output keeps it; '
            '--no-audio silences this warning)'))
    return False


def copy_audio(src, out, stream, start: float, seconds: float) -> None:
    """Mux the audio packets of ``src`` (an open input container) from
    ``start`` for ``seconds`` into ``stream`` of ``out``, shifted to start
    at 0 (no re-encoding)."""
    audio = src.streams.audio[0]
    tb = audio.time_base
    shift = int(round(start / tb))
    for packet in src.demux(audio):
        if packet.pts is None or packet.size == 0:
            continue
        t = float(packet.pts * tb)
        if t < start - 1e-6:
            continue
        if t >= start + seconds:
            break
        packet.pts -= shift
        if packet.dts is not None:
            packet.dts -= shift
        packet.stream = stream
        out.mux(packet)
