# Copyright (c) mmjffra contributors. All rights reserved.
"""Restore a user's video of any length and size, frame by frame."""
import os
import os.path as osp
import sys
import time
from typing import Dict, Iterable, Iterator, List, Optional, Union

import numpy as np
import torch
from mmagic.registry import MODELS
from mmengine.config import Config
from torch import Tensor, nn

from mmjffra.models.editors.rvrt.official_keys import released_rvrt_weights
from mmjffra.models.flow_estimators import (
    flow_estimators_to_float32, random_weights_for_learned_estimators)
from mmjffra.models.utils import (ClipRestorer, auto_max_windows,
                                  get_inference_spec, noise_level_map,
                                  window_indices)
from .errors import ArgumentError, ConfigError, RestoreError
from .restore_output import is_video_path
from .video_io import VideoInputError

CONFIG_EXTS = ('.py', '.json', '.yaml', '.yml')


class CheckpointMismatchError(RestoreError, ValueError):
    """A checkpoint whose weights do not fit the model of a config."""


class RestorationError(RestoreError, RuntimeError):
    """A restoration that failed on one or more ranks."""


def load_config(config: str) -> Config:
    """Read a config file, refusing what is not one (e.g. CONFIG and
    CHECKPOINT given in the wrong order).

    Raises:
        FileNotFoundError: It does not exist.
        ConfigError: Not a .py/.json/.yaml file, or it cannot be read.
    """
    if not osp.isfile(config):
        raise FileNotFoundError(f'config {config!r} does not exist')
    if not config.lower().endswith(CONFIG_EXTS):
        raise ConfigError(
            f'config {config!r} is not a config file ({", ".join(CONFIG_EXTS)}'
            '): give CONFIG CHECKPOINT INPUT OUTPUT, in this order')
    try:
        return Config.fromfile(config)
    except Exception as err:  # the user's file: its error in one line
        raise ConfigError(f'cannot read config {config!r}: '
                          f'{type(err).__name__}: '
                          f'{" ".join(str(err).split())}') from err


def check_checkpoint_file(checkpoint: str) -> None:
    """Refuse a local checkpoint that is missing or clearly not one (a
    config, a text file) before a model is built.

    Raises:
        FileNotFoundError: It does not exist.
        CheckpointMismatchError: It is not a PyTorch checkpoint.
    """
    if '://' in checkpoint:
        return
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint {checkpoint!r} does not exist')
    if checkpoint.lower().endswith(CONFIG_EXTS):
        raise CheckpointMismatchError(
            f'checkpoint {checkpoint!r} is a config file: give CONFIG '
            'CHECKPOINT INPUT OUTPUT, in this order')
    with open(checkpoint, 'rb') as f:
        head = f.read(4)
    # torch.save writes a zip archive, or a pickle (protocol 2+: 0x80)
    if not head.startswith((b'PK\x03\x04', b'\x80')):
        raise CheckpointMismatchError(
            f'cannot read checkpoint {checkpoint!r}: it is not a PyTorch '
            'checkpoint (a file written by torch.save)')


def check_restorer_args(config: Config,
                        tile: Optional[int] = None,
                        tile_overlap: int = 32,
                        noise_sigma: Optional[float] = None,
                        chunk: int = 20,
                        chunk_overlap: int = 5,
                        max_windows: Optional[Union[int, str]] = None) -> None:
    """Check :class:`VideoRestorer`'s arguments against their documented
    ranges and the model of ``config``, before it is built.

    Raises:
        ArgumentError: The argument, its range and the value given.
        ConfigError: An unknown key under ``model.test_cfg``.
    """
    from mmjffra.utils.config_checks import (UnknownConfigKeyError,
                                             check_test_cfg)
    try:
        check_test_cfg(config.model)
    except UnknownConfigKeyError as err:
        raise ConfigError(str(err)) from err

    def integer(value, name, low):
        if not isinstance(value, int) or isinstance(value, bool) or \
                value < low:
            raise ArgumentError(f'{name} must be an integer >= {low}, got '
                                f'{value!r}')

    if tile is not None:
        integer(tile, 'tile', 1)
        integer(tile_overlap, 'tile_overlap', 0)
        if tile_overlap >= tile:
            raise ArgumentError(f'tile_overlap ({tile_overlap}) must be '
                                f'smaller than the tile ({tile})')
    integer(chunk, 'chunk', 0)
    integer(chunk_overlap, 'chunk_overlap', 0)
    if max_windows is not None and max_windows != 'auto':
        integer(max_windows, 'max_windows (--batch)', 1)
    denoiser = bool(config.model.get('generator', {}).get('with_noise_map'))
    if noise_sigma is not None:
        if not denoiser:
            raise ArgumentError(
                'this model takes no noise level (--noise-sigma): it is not '
                'a non-blind denoiser (with_noise_map)')
        if not 0 <= noise_sigma <= 255:
            raise ArgumentError('the noise level (--noise-sigma) is on the '
                                f'0-255 scale, got {noise_sigma}')
    elif denoiser:
        raise ArgumentError('this model denoises with a noise-level map: '
                            'give the noise level (--noise-sigma, 0-255)')


def _no_weight_downloads(gen_cfg: Dict) -> None:
    """Weights come from the checkpoint: drop every pre-trained weight
    reference of the generator (``init_cfg``, ``pretrained``,
    ``spynet_pretrained``, ...), so that building it never downloads."""
    for key in list(gen_cfg):
        if key == 'init_cfg' or key.endswith('pretrained'):
            gen_cfg[key] = None


def generator_state_dict(state: Dict) -> Dict:
    """The generator's weights of a checkpoint's state dict.

    Takes the ``generator.`` entries of a model checkpoint (ours, or
    MMagic's released BasicVSR/BasicVSR++/EDVR weights; DDP's ``module.``
    prefix dropped), leaving out the losses' modules and wrapper buffers
    such as BasicVSR's ``step_counter``; a bare generator state dict is
    taken as it is.
    """
    state = {
        (k[len('module.'):] if k.startswith('module.') else k): v
        for k, v in state.items()
    }
    if any(k.startswith('generator.') for k in state):
        return {
            k[len('generator.'):]: v
            for k, v in state.items() if k.startswith('generator.')
        }
    return state


def load_generator_checkpoint(generator: nn.Module,
                              checkpoint: str,
                              config_name: str = 'the config') -> None:
    """Load the generator's weights of a checkpoint, strictly.

    The file is read by MMEngine's ``CheckpointLoader`` (local paths, URLs
    and every backend MMEngine knows) and loaded by MMEngine's
    ``load_state_dict``; this function only picks the generator's entries.

    Raises:
        FileNotFoundError: A local checkpoint that does not exist.
        CheckpointMismatchError: An unreadable checkpoint, or one whose
            keys differ from the generator's (one line: the config, the
            checkpoint and the first missing/unexpected keys).
    """
    from mmengine.runner.checkpoint import CheckpointLoader, load_state_dict
    check_checkpoint_file(checkpoint)
    try:
        ckpt = CheckpointLoader.load_checkpoint(
            checkpoint, map_location='cpu', logger='silent')
    except Exception as err:
        raise CheckpointMismatchError(
            f'cannot read checkpoint {checkpoint!r}: '
            f'{str(err).splitlines()[0] if str(err) else type(err).__name__}'
        ) from err
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict) or not state:
        raise CheckpointMismatchError(f'{checkpoint!r} holds no state_dict')
    state = generator_state_dict(released_rvrt_weights(state))
    expected = set(generator.state_dict())
    missing = sorted(expected - set(state))
    unexpected = sorted(set(state) - expected)
    shapes = [
        k for k in sorted(expected & set(state))
        if tuple(state[k].shape) != tuple(generator.state_dict()[k].shape)
    ]
    if missing or unexpected or shapes:
        raise CheckpointMismatchError(
            f'checkpoint {checkpoint!r} does not match the model of '
            f'{config_name}: {len(missing)} missing keys {missing[:3]}, '
            f'{len(unexpected)} unexpected keys {unexpected[:3]}, '
            f'{len(shapes)} of other shapes {shapes[:3]}')
    load_state_dict(generator, state, strict=True, logger='silent')


def parse_device(device: Union[str, torch.device]) -> torch.device:
    """``'cpu'``, ``'cuda'`` or ``'cuda:N'``, checked against the machine."""
    try:
        dev = torch.device(device)
    except RuntimeError as err:
        raise ArgumentError(f'unknown device {device!r}: {err}') from err
    if dev.type == 'cuda':
        if not torch.cuda.is_available():
            raise ArgumentError(f'--device {device} asked, but CUDA is not '
                                'available')
        count = torch.cuda.device_count()
        if dev.index is not None and dev.index >= count:
            raise ArgumentError(f'--device {device} asked, but this machine '
                                f'has {count} CUDA device(s)')
    elif dev.type != 'cpu':
        raise ArgumentError(
            f'device must be cpu, cuda or cuda:N, got {device!r}')
    return dev


class VideoRestorer:
    """Restore videos with a trained JFFRA, RVRT or MMagic video model.

    Frames stream through the model: each output frame is produced as soon
    as the frames it needs have been read and is handed back at once, so
    host and device memory stay flat whatever the length of the video.
    What the network needs is read from its declaration
    (:func:`mmjffra.models.utils.get_inference_spec`) and every forward
    goes through the project's one inference path
    (:class:`mmjffra.models.utils.ClipRestorer`), as the models' test modes:

    - window networks (JFFRA, EDVR): one window of ``2N+1`` frames per
      output frame, the clip ends padded as the model's test setting
      (reflection), ``max_windows`` windows per forward;
    - sequence networks (BasicVSR, BasicVSR++, IconVSR, RVRT): temporal
      chunks of ``chunk`` frames with ``chunk_overlap`` context frames on
      each side.

    Spatial tiles (``tile`` LQ pixels, ``tile_overlap``) bound the memory
    of large frames: they start on multiples of the network's spatial
    multiple, JFFRA's initial flows are computed on the whole frame and
    cropped per tile, and overlaps are blended with linear ramps.

    Args:
        config (str | Config): Model config (e.g. a JFFRA task config).
        checkpoint (str, optional): Checkpoint: of any of our configs'
            trainings, or MMagic's released weights format. Default: None
            (random weights, for tests).
        device (str): 'cpu', 'cuda' or 'cuda:N'. Default: 'cpu'.
        fp16 (bool): Half precision (CUDA only). Default: False.
        tile (int, optional): Tile side in LQ pixels. Default: None.
        tile_overlap (int): Tile overlap in LQ pixels. Default: 32.
        noise_sigma (float, optional): Noise level (0-255) for non-blind
            denoising models (``with_noise_map``). Default: None.
        chunk (int): Frames per chunk of a sequence network. Default: 20.
        chunk_overlap (int): Context frames on each side of a chunk.
            Default: 5.
        max_windows (int | str, optional): Windows per forward of a window
            network, or ``'auto'`` (as many as fit 70% of the free GPU
            memory; 1 on the CPU). Default: None, the config's
            ``model.test_cfg.max_windows_per_forward`` (the key
            ``tools/test.py`` uses) or 1.
        cfg_options (dict, optional): Overrides merged into the config.
    """

    def __init__(self,
                 config: Union[str, Config],
                 checkpoint: Optional[str] = None,
                 device: str = 'cpu',
                 fp16: bool = False,
                 tile: Optional[int] = None,
                 tile_overlap: int = 32,
                 noise_sigma: Optional[float] = None,
                 chunk: int = 20,
                 chunk_overlap: int = 5,
                 max_windows: Optional[Union[int, str]] = None,
                 cfg_options: Optional[Dict] = None) -> None:
        from mmengine.registry import init_default_scope
        if isinstance(config, str):
            config = load_config(config)
        if cfg_options:
            config.merge_from_dict(cfg_options)
        init_default_scope(config.get('default_scope', 'mmagic'))
        # everything is checked before the model is built
        check_restorer_args(config, tile, tile_overlap, noise_sigma, chunk,
                            chunk_overlap, max_windows)
        self.device = parse_device(device)
        if fp16 and self.device.type != 'cuda':
            raise ArgumentError('half precision (fp16) needs --device cuda')
        if checkpoint is not None:
            check_checkpoint_file(checkpoint)
        model_cfg = config.model.copy()
        _no_weight_downloads(model_cfg.generator)
        # learned flow estimators take their weights from the checkpoint
        # (the strict load below checks it), not from the training config's
        # weight file, which a user restoring a video need not have
        random_weights_for_learned_estimators(model_cfg.generator)
        # training-only parts (the temporal loss and its flow estimator)
        model_cfg.pop('temporal_loss', None)
        model = MODELS.build(model_cfg)
        self.model = model.eval()
        self.generator = self.model.generator
        self.spec = get_inference_spec(self.generator)
        self.scale = self.spec.scale
        self.noise_sigma = noise_sigma
        if max_windows is None:
            max_windows = (config.model.get('test_cfg')
                           or {}).get('max_windows_per_forward', 1)
        if max_windows != 'auto' and (not isinstance(max_windows, int)
                                      or max_windows < 1):
            raise ArgumentError('max_windows must be a positive int or '
                                f'"auto", got {max_windows!r}')
        self.max_windows = max_windows
        try:  # tiles the network cannot take: before the weights load
            self.clip = ClipRestorer(
                self.generator,
                self.spec,
                padding=getattr(self.model, 'test_padding', 'reflection'),
                max_windows=1 if max_windows == 'auto' else max_windows,
                chunk=chunk,
                chunk_overlap=chunk_overlap,
                tile=tile,
                tile_overlap=tile_overlap)
        except ValueError as err:
            raise ArgumentError(str(err)) from err
        if checkpoint is not None:
            load_generator_checkpoint(
                self.generator, checkpoint,
                getattr(config, 'filename', None) or 'the config')
        self.model.to(self.device)
        if fp16:
            flow_estimators_to_float32(self.generator.half())
        self.dtype = torch.float16 if fp16 else torch.float32
        pre = self.model.data_preprocessor
        self.mean = pre.mean.view(1, -1, 1, 1).to(self.device, self.dtype) \
            if getattr(pre, 'mean', None) is not None else None
        self.std = pre.std.view(1, -1, 1, 1).to(self.device, self.dtype) \
            if getattr(pre, 'std', None) is not None else None

    # ----------------------------------------------------------- tensors
    def to_tensor(self, frame: np.ndarray) -> Tensor:
        """(h, w, 3) RGB uint8 -> normalised (1, c, h, w) on the device,
        with the noise-level map of a non-blind denoiser appended."""
        if frame.ndim != 3 or frame.shape[2] != 3:
            raise ValueError(f'expected an (h, w, 3) RGB frame, got shape '
                             f'{frame.shape}')
        x = torch.from_numpy(np.ascontiguousarray(frame)).to(self.device)
        x = x.permute(2, 0, 1)[None].to(self.dtype)
        if self.mean is not None:
            x = (x - self.mean) / self.std
        if getattr(self.generator, 'with_noise_map', False):
            x = noise_level_map(x[:, None], self.noise_sigma or 0.)[:, 0]
        return x

    def to_image(self, x: Tensor) -> np.ndarray:
        """(1, 3, H, W) model output -> (H, W, 3) RGB uint8."""
        if self.mean is not None:
            x = x * self.std + self.mean
        x = x.float().clamp(0, 255).round().to(torch.uint8)
        return x[0].permute(1, 2, 0).cpu().numpy()

    def _first_frame(self, x: Tensor) -> None:
        """Checks and settings that need the first frame."""
        try:
            self.clip.check_size(x[:, None])
        except ValueError as err:  # a frame the network cannot take
            raise VideoInputError(str(err)) from err
        if self.max_windows == 'auto' and self.spec.temporal == 'window':
            sample = x[:, None].expand(-1, self.spec.num_frames, -1, -1,
                                       -1).contiguous()
            self.clip.max_windows = auto_max_windows(self.generator, sample)

    # ----------------------------------------------------------- streams
    @torch.no_grad()
    def restore_stream(self,
                       frames: Iterable[np.ndarray],
                       skip: int = 0,
                       count: Optional[int] = None) -> Iterator[np.ndarray]:
        """Restore a stream of frames, yielding each output frame.

        Args:
            frames (Iterable[np.ndarray]): RGB uint8 frames (h, w, 3).
            skip (int): The first ``skip`` frames are context only: no
                output (a segment of a longer clip). Default: 0.
            count (int, optional): Stop after this many outputs (the frames
                after them are context). Default: None, to the end.

        Yields:
            np.ndarray: Restored RGB uint8 frames (s*h, s*w, 3), in order.
        """
        stream = self._windows if self.spec.temporal == 'window' else \
            self._chunks
        stop = None if count is None else skip + count
        for out in stream(iter(frames), skip, stop):
            yield self.to_image(out[None])

    def _read(self, frames, buf: List[Tensor]) -> bool:
        frame = next(frames, None)
        if frame is None:
            return False
        x = self.to_tensor(frame)
        if not buf and not getattr(self, '_checked', False):
            self._first_frame(x)
            self._checked = True
        buf.append(x[0])
        return True

    def _windows(self, frames, skip, stop):
        """Window networks: restore frame i once frames up to i + r are
        read (or the clip has ended), ``max_windows`` at a time."""
        self._checked = False
        r = self.spec.radius
        buf: List[Tensor] = []
        first = 0  # clip index of buf[0]
        nxt = skip
        ended = False
        while True:
            ended = ended or not self._read(frames, buf)
            seen = first + len(buf)
            limit = seen if ended else seen - r
            if stop is not None:
                limit = min(limit, stop)
                if nxt >= stop:
                    return
            ready = list(range(nxt, limit))
            if not ended and len(ready) < self.clip.max_windows:
                continue
            if not ready:
                if ended:
                    return
                continue
            ready = ready[:self.clip.max_windows]
            lo = min(
                min(window_indices(seen, i, r, self.clip.padding))
                for i in ready)
            lqs = torch.stack(buf[lo - first:])[None]
            out = self.clip.restore_windows(
                lqs, ready, num_frames=seen, offset=lo)
            yield from out[0]
            nxt = ready[-1] + 1
            drop = max(0, nxt - r - first)
            buf, first = buf[drop:], first + drop

    def _chunks(self, frames, skip, stop):
        """Sequence networks: chunks [a, b) start at ``skip``; each runs
        once ``chunk_overlap`` frames after it are read (or the end)."""
        self._checked = False
        size = self.clip.chunk or (1 << 62)
        ctx = self.clip.chunk_overlap
        buf: List[Tensor] = []
        first = 0
        a = skip
        ended = False
        while True:
            ended = ended or not self._read(frames, buf)
            seen = first + len(buf)
            if not ended and seen < a + size + ctx and (
                    stop is None or seen < min(a + size, stop) + ctx):
                continue
            if a >= seen or (stop is not None and a >= stop):
                return
            b = min(a + size, seen, stop or seen)
            lo = max(first, a - ctx)
            hi = min(seen, b + ctx)
            lqs = torch.stack(buf[lo - first:hi - first])[None]
            out = self.clip.run(lqs)
            yield from out[0, a - lo:b - lo]
            a = b
            drop = max(0, a - ctx - first)
            buf, first = buf[drop:], first + drop
            if ended and a >= seen:
                return

    # ----------------------------------------------------------- files
    def restore_file(self,
                     src: str,
                     dst: str,
                     start: int = 0,
                     end: Optional[int] = None,
                     codec: Optional[str] = None,
                     crf: int = 18,
                     overwrite: bool = False,
                     progress: bool = False,
                     fps: Optional[float] = None,
                     audio: bool = True) -> int:
        """Restore a video file or frame folder into a video or folder.

        The output is written to a hidden sibling and put in place at the
        end: an error (or a signal, see
        :func:`mmjffra.utils.safe_files.signals_as_exceptions`) leaves
        nothing behind and a previous output untouched. The input is never
        replaced, and a folder is replaced only if it holds nothing but a
        previous restoration's frames (see :class:`FrameWriter`). Under
        ``torchrun`` (an initialised process group) each rank restores a
        contiguous segment with context frames at its edges and rank 0
        joins the parts (a video without re-encoding).

        Args:
            src (str): Input video file or folder of frames (natural order).
            dst (str): Output video file (by extension) or folder of PNGs,
                numbered as the input's frames (the first is ``start``).
            start (int): First frame. Default: 0.
            end (int, optional): Stop before this frame. Default: None.
            codec (str, optional): Codec of a video output. Default: the
                container's (libx264; libvpx-vp9 for .webm, rawvideo for
                .y4m).
            crf (int): Quality of a video output. Default: 18.
            overwrite (bool): Replace an existing output. Default: False.
            progress (bool): Report progress (a live bar on a terminal,
                periodic lines otherwise). Default: False.
            fps (float, optional): Frame rate of a video output; default
                the input video's, 25 for a frame folder.
            audio (bool): Copy the input's audio into a video output.
                Default: True.

        Returns:
            int: Number of frames written (by all ranks).
        """
        from mmengine.dist import get_dist_info

        from .video_io import FrameWriter, check_restore_paths
        reader = check_restore_paths(src, dst, start, end, overwrite, codec,
                                     fps, crf)
        fps = fps or reader.fps
        audio_from = src if audio else None
        audio_start = start / reader.fps
        _, world = get_dist_info()
        if world > 1:
            return self._restore_file_ranks(reader, dst, codec, crf, progress,
                                            fps, audio_from, audio_start)
        bar = Progress(reader.total, progress)
        with FrameWriter(
                dst,
                fps,
                codec,
                crf,
                overwrite,
                audio_from=audio_from,
                audio_start=audio_start,
                first_index=start,
                src=src) as writer:
            for frame in self.restore_stream(reader):
                writer.write(frame)
                bar.update()
        bar.close()
        return writer.count

    def segments(self, total: int, parts: int) -> List[tuple]:
        """Contiguous segments ``(a, b)`` of ``total`` frames for ``parts``
        ranks; for sequence networks they start on the chunk grid, so that
        the joined output equals that of one process."""
        grid = 1
        if self.spec.temporal == 'sequence' and self.clip.chunk:
            grid = self.clip.chunk
        cuts = [
            min(total,
                int(round(total * k / parts / grid)) * grid)
            for k in range(parts + 1)
        ]
        cuts[-1] = total
        return [(cuts[k], cuts[k + 1]) for k in range(parts)]

    def _restore_file_ranks(self, reader, dst, codec, crf, progress, fps,
                            audio_from, audio_start) -> int:
        import torch.distributed as dist
        from mmengine.dist import get_dist_info

        from mmjffra.utils.safe_files import (remove_quietly, replace_durably,
                                              temp_sibling)
        from .restore_output import swap_folder, write_manifest
        from .video_io import FrameReader, FrameWriter, join_video_parts
        rank, world = get_dist_info()
        total = reader.total
        if total is None:  # a container without a frame count: count them
            total = sum(1 for _ in reader)
        is_video = is_video_path(dst)
        names = [temp_sibling(dst, 'parts') if rank == 0 else None]
        dist.broadcast_object_list(names, src=0)
        work = names[0]
        if rank == 0:
            os.makedirs(work, exist_ok=True)
        dist.barrier()
        a, b = self.segments(total, world)[rank]
        ctx = self.spec.radius if self.spec.temporal == 'window' else \
            self.clip.chunk_overlap
        lo, hi = max(0, a - ctx), min(total, b + ctx)
        error = None
        count = 0
        try:
            if b > a:
                part = osp.join(work, f'part_{rank:04d}.mp4') if is_video \
                    else work
                writer = FrameWriter(
                    part,
                    fps,
                    codec,
                    crf,
                    first_index=reader.start + a,
                    b_frames=False,
                    direct=True)
                bar = Progress(b - a, progress and rank == 0)
                frames = FrameReader(reader.path, reader.start + lo,
                                     reader.start + hi)
                for frame in self.restore_stream(frames, a - lo, b - a):
                    writer.write(frame)
                    bar.update()
                writer.close()
                bar.close()
                count = writer.count
        except Exception as err:  # every rank must reach the gather
            error = f'rank {rank}: {type(err).__name__}: {err}'
        except BaseException:  # a signal: leave nothing
            if rank == 0:
                remove_quietly(work)
            raise
        results = [None] * world
        dist.all_gather_object(results, (count, error))
        errors = [e for _, e in results if e]
        written = sum(c for c, _ in results)
        if rank == 0:
            try:
                if not errors:
                    if is_video:
                        parts = sorted(
                            osp.join(work, f) for f in os.listdir(work))
                        tmp = temp_sibling(dst, 'tmp')
                        try:
                            join_video_parts(parts, tmp, fps, audio_from,
                                             audio_start)
                            replace_durably(tmp, dst)
                        finally:
                            remove_quietly(tmp)
                    else:
                        write_manifest(work, sorted(os.listdir(work)),
                                       reader.path)
                        swap_folder(work, dst)
            finally:
                remove_quietly(work)
        dist.barrier()
        if errors:
            raise RestorationError('restoration failed on ' +
                                   '; '.join(errors))
        return written


class Progress:
    """Progress of a restoration: a live bar (rich) when stderr is a
    terminal, a plain line every 10% (or 30 s) otherwise, e.g. in a log.

    Args:
        total (int, optional): Frames to restore, if known.
        enabled (bool): Report at all. Default: True.
    """

    def __init__(self, total: Optional[int], enabled: bool = True) -> None:
        self.total = total
        self.enabled = enabled
        self.done = 0
        self.start = time.perf_counter()
        self.last = self.start
        self.next_line = 0
        self.printed = 0
        self._bar = None
        if enabled and sys.stderr.isatty():
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress,
                                       TimeRemainingColumn)
            self._bar = Progress(
                '[progress.description]{task.description}',
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                transient=False)
            self._task = self._bar.add_task('restoring', total=total)
            self._bar.start()

    def line(self) -> str:
        elapsed = time.perf_counter() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.
        msg = f'restored {self.done}'
        if self.total:
            msg += f'/{self.total}'
        msg += f' frames, {rate:.2f} frames/s'
        if self.total and rate:
            eta = (self.total - self.done) / rate
            msg += f', ETA {int(eta // 60)}:{int(eta % 60):02d}'
        return msg

    def update(self) -> None:
        self.done += 1
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(self._task, advance=1)
            return
        now = time.perf_counter()
        step = max(1, (self.total or 10) // 10)
        if self.done >= self.next_line or now - self.last >= 30:
            print(self.line(), file=sys.stderr, flush=True)
            self.next_line = self.done + step
            self.last = now
            self.printed = self.done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif self.enabled and self.done != self.printed:
            print(self.line(), file=sys.stderr, flush=True)
