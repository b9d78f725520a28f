# Copyright (c) mmjffra contributors. All rights reserved.
"""Restore a user's video of any length and size, frame by frame."""
import itertools
import os.path as osp
from typing import Callable, Dict, Iterable, Iterator, Optional, Union

import numpy as np
import torch
from mmengine.config import Config
from torch import Tensor

from mmjffra.errors import (ArgumentError, CheckpointMismatchError,
                            VideoInputError)
from mmjffra.models.flow_estimators import flow_estimators_to_float32
from mmjffra.models.inference import (ClipRestorer, FrameBuffer,
                                      auto_max_windows, check_frame_memory,
                                      get_inference_spec, stream_chunks,
                                      stream_windows)
from mmjffra.models.utils import noise_level_map
from .arguments import (check_restorer_args, configured_max_windows,
                        parse_device)
from .inference_model import (build_inference_model, check_checkpoint_file,
                              load_config, load_generator_checkpoint)

__all__ = [
    'VideoRestorer', 'CheckpointMismatchError', 'load_generator_checkpoint'
]


class VideoRestorer:
    """Restore videos with a trained JFFRA, RVRT or MMagic video model.

    Frames stream through the model: each output frame is produced as soon
    as the frames it needs have been read, so memory stays flat whatever
    the length of the video. What the network needs is read from its
    declaration (:func:`mmjffra.models.inference.get_inference_spec`) and
    every forward goes through the one inference path
    (:class:`mmjffra.models.inference.ClipRestorer`), as the models' test
    modes: window networks (JFFRA, EDVR) restore one window of ``2N+1``
    frames per output frame (clip ends padded as in the test setting),
    ``max_windows`` per forward; sequence networks (BasicVSR, BasicVSR++,
    IconVSR, RVRT) chunks of ``chunk`` frames with ``chunk_overlap``
    context frames on each side. Tiles (``tile`` LQ pixels,
    ``tile_overlap``) bound the memory of large frames. Each stream keeps
    its own state: streams may interleave.

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
            memory, measured on each stream's first frame; 1 on the CPU).
            Default: None, the config's
            ``model.test_cfg.max_windows_per_forward`` (the key
            ``tools/test.py`` uses) or 1.
        cfg_options (dict, optional): Overrides merged into the config.
        backend (str): ``'pytorch'`` (``config`` and ``checkpoint``), or
            ``'onnxruntime'``/``'openvino'``: ``config`` is then a model
            exported by ``tools/deployment/pytorch2onnx.py`` (its metadata
            replaces the config) and runs on the CPU. Default: 'pytorch'.
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
                 cfg_options: Optional[Dict] = None,
                 backend: str = 'pytorch') -> None:
        from mmengine.registry import init_default_scope
        onnx = isinstance(config, str) and config.lower().endswith('.onnx')
        if onnx != (backend != 'pytorch'):
            raise ArgumentError(
                f'backend {backend!r} runs an exported .onnx model and '
                'pytorch a config with its checkpoint' if not onnx else
                f'{config!r} is an ONNX model: give backend onnxruntime or '
                'openvino', 'backend')
        self.onnx = None
        if onnx:
            if checkpoint is not None or cfg_options:
                raise ArgumentError('an ONNX model takes no checkpoint and '
                                    'no cfg_options')
            from mmjffra.deploy.onnx_generator import load_onnx_model
            self.onnx, config = load_onnx_model(config, backend)
            checkpoint = self.onnx.path  # hashed as the resume identity
        elif isinstance(config, str):
            config = load_config(config)
        if cfg_options:
            config.merge_from_dict(cfg_options)
        init_default_scope(config.get('default_scope', 'mmagic'))
        # everything is checked before the model is built
        check_restorer_args(config, tile, tile_overlap, noise_sigma, chunk,
                            chunk_overlap, max_windows)
        self.max_windows = configured_max_windows(config, max_windows)
        self.device = parse_device(device)
        if fp16 and self.device.type != 'cuda':
            raise ArgumentError('half precision (fp16) needs a CUDA device',
                                'fp16')
        if self.onnx is not None:
            if self.device.type != 'cpu':
                raise ArgumentError(
                    f'the {backend} backend runs on the CPU (device cpu), '
                    f'got {device}', 'device')
            self.model = None
            self.generator = self.onnx
        else:
            if checkpoint is not None:
                check_checkpoint_file(checkpoint)
            self.model = build_inference_model(config)
            self.generator = self.model.generator
        self.spec = get_inference_spec(self.generator)
        self.scale = self.spec.scale
        self.noise_sigma = noise_sigma
        self.config = config
        self.checkpoint = checkpoint
        # the settings that change the pixels of an output (see identity)
        self.options = dict(
            fp16=fp16,
            device=self.device.type,
            tile=tile,
            tile_overlap=tile_overlap,
            noise_sigma=noise_sigma,
            chunk=chunk,
            chunk_overlap=chunk_overlap,
            max_windows=max_windows,
            backend=backend)
        try:  # tiles the network cannot take: before the weights load
            self.clip = ClipRestorer(
                self.generator,
                self.spec,
                padding=self.onnx.meta['padding'] if self.onnx else getattr(
                    self.model, 'test_padding', 'reflection'),
                max_windows=1
                if self.max_windows == 'auto' else self.max_windows,
                chunk=chunk,
                chunk_overlap=chunk_overlap,
                tile=tile,
                tile_overlap=tile_overlap)
        except ValueError as err:
            raise ArgumentError(str(err), 'tile') from err
        if self.onnx is None and checkpoint is not None:
            load_generator_checkpoint(
                self.generator, checkpoint,
                getattr(config, 'filename', None) or 'the config')
        if self.model is not None:
            self.model.to(self.device)
        if fp16:
            flow_estimators_to_float32(self.generator.half())
        self.dtype = torch.float16 if fp16 else torch.float32
        self.mean, self.std = (
            self._normalisation(name) for name in ('mean', 'std'))

    def _normalisation(self, name: str) -> Optional[Tensor]:
        """The data preprocessor's ``mean`` or ``std`` as (1, c, 1, 1)."""
        value = self.onnx.meta.get(name) if self.onnx is not None else \
            getattr(self.model.data_preprocessor, name, None)
        if value is None:
            return None
        return torch.as_tensor(value).view(1, -1, 1,
                                           1).to(self.device, self.dtype)

    def identity(self, src: str, **output) -> Dict:
        """What makes an output (see
        :func:`mmjffra.apis.resumable.restoration_identity`)."""
        from .resumable import restoration_identity
        return restoration_identity(self.config, self.checkpoint, self.options,
                                    src, **output)

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

    def windows_per_forward(self, frame: Union[np.ndarray, Tensor]) -> int:
        """Windows per forward of a stream that begins with ``frame`` (an
        (h, w, 3) RGB frame, or (1, c, h, w) from :meth:`to_tensor`):
        ``max_windows``, or with ``'auto'`` as many as fit the free GPU
        memory for frames of this size (1 on the CPU, and for sequence
        networks)."""
        if self.max_windows != 'auto' or self.spec.temporal != 'window':
            return self.clip.max_windows
        if isinstance(frame, np.ndarray):
            frame = self.to_tensor(frame)
        sample = frame[:, None].expand(-1, self.spec.num_frames, -1, -1, -1)
        return auto_max_windows(self.generator, sample.contiguous())

    # ----------------------------------------------------------- streams
    @torch.no_grad()
    def restore_stream(
        self,
        frames: Iterable[np.ndarray],
        skip: int = 0,
        count: Optional[int] = None,
        on_tile: Optional[Callable[[int, int], None]] = None
    ) -> Iterator[np.ndarray]:
        """Restore a stream of frames, yielding each output frame.

        A frame that would not fit the memory left is refused first
        (:func:`~mmjffra.models.inference.check_frame_memory`).

        Args:
            frames (Iterable[np.ndarray]): RGB uint8 frames (h, w, 3).
            skip (int): The first ``skip`` frames are context only: no
                output (a segment of a longer clip). Default: 0.
            count (int, optional): Stop after this many outputs (the frames
                after them are context). Default: None, to the end.
            on_tile (callable, optional): ``on_tile(done, total)`` after
                each tile of a tiled frame (progress within a frame).

        Yields:
            np.ndarray: Restored RGB uint8 frames (s*h, s*w, 3), in order;
            :class:`VideoInputError` for a size the network cannot take,
            :class:`ArgumentError` (``tile``) for one that would not fit.
        """
        tensors = (self.to_tensor(frame)[0] for frame in frames)
        first = next(tensors, None)
        if first is None:
            return
        try:
            self.clip.check_size(first[None, None])
        except ValueError as err:  # a frame the network cannot take
            raise VideoInputError(str(err)) from err
        check_frame_memory(self.clip, first[None])
        self.clip.on_tile = on_tile
        buffer = FrameBuffer(itertools.chain([first], tensors))
        stop = None if count is None else skip + count
        if self.spec.temporal == 'window':
            outputs = stream_windows(self.clip, buffer, skip, stop,
                                     self.windows_per_forward(first[None]))
        else:
            outputs = stream_chunks(self.clip, buffer, skip, stop)
        for out in outputs:
            yield self.to_image(out[None])

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
                     audio: bool = True,
                     resume: bool = False,
                     segment: int = 100,
                     reader=None) -> int:
        """Restore a video file or frame folder into a video or folder.

        The output is written in segments into a hidden sibling and put in
        place at the end (:mod:`mmjffra.apis.resumable`): an error or a
        signal leaves nothing behind and a previous output untouched,
        unless ``resume`` was asked or the disk is full: then the same call
        with ``resume=True`` continues, redoing at most one segment, with
        the output an uninterrupted run gives. The input is never replaced,
        nor a folder that holds anything but a previous restoration's
        frames. Under ``torchrun`` the ranks restore contiguous blocks of
        segments and rank 0 joins them.

        Args:
            src (str): Input video file or folder of frames (natural order).
            dst (str): Output video file (by extension) or folder of PNGs,
                numbered as the input's frames (the first is ``start``).
            start (int): First frame. Default: 0.
            end (int, optional): Stop before this frame. Default: None.
            codec (str, optional): Codec of a video output. Default: the
                container's (libx264; libvpx-vp9 .webm, rawvideo .y4m).
            crf (int): Quality of a video output. Default: 18.
            overwrite (bool): Replace an existing output. Default: False.
            progress (bool): Report progress (a live bar on a terminal,
                periodic lines otherwise). Default: False.
            fps (float, optional): Frame rate of a video output; default
                the input video's (a variable frame rate input: each frame
                keeps its time, in the containers that hold one per
                frame), 25 for a frame folder.
            audio (bool): Copy the input's audio into a video output.
                Default: True.
            resume (bool): Continue the partial restoration of ``dst`` that
                an interrupted run of the same call left, and keep this
                run's if it is interrupted too. Default: False.
            segment (int): Frames per segment (the most a power cut or a
                SIGKILL loses; rounded up to a multiple of a sequence
                network's chunk). Default: 100.
            reader (FrameReader, optional): ``check_restore_paths``' result
                for these arguments, if the caller checked them: they are
                not checked again. Default: None.

        Returns:
            int: Number of frames written (by all ranks).

        Raises:
            OutputError: ``dst`` is locked by another restore, a write
                failed, or a partial is there without ``resume`` (or is
                another call's).
        """
        import contextlib

        from mmengine.dist import broadcast_object_list, get_rank

        from mmjffra.errors import OutputError, OutputLockedError
        from mmjffra.utils.safe_files import output_lock
        from .video_io import check_restore_paths
        if segment < 1:
            raise ArgumentError(f'segment must be >= 1, got {segment}',
                                'segment')
        if reader is None:
            reader = check_restore_paths(src, dst, start, end, overwrite,
                                         codec, fps, crf, resume)
        # one writer per output: a second restore of dst is refused
        with contextlib.ExitStack() as stack:
            refused = [None]  # under torchrun: rank 0 tells every rank
            if get_rank() == 0:
                try:
                    stack.enter_context(output_lock(dst))
                except OutputLockedError as err:
                    refused[0] = str(err)
            broadcast_object_list(refused, src=0)
            if refused[0]:
                raise OutputError(refused[0])
            return self._restore_file(reader, src, dst, start, codec, crf,
                                      progress, fps, audio, resume, segment)

    def _restore_file(self, reader, src: str, dst: str, start: int,
                      codec: Optional[str], crf: int, progress: bool,
                      fps: Optional[float], audio: bool, resume: bool,
                      segment: int) -> int:
        from .audio import audio_kept
        from .restore_output import (VideoOptions, default_codec,
                                     is_video_path, output_times)
        from .resumable import restore_resumable
        video = is_video_path(dst)
        times = output_times(dst, reader.frame_times(), src,
                             reader.fps) if video and not fps else None
        fps = fps or reader.fps
        audio = audio and is_video_path(dst) and audio_kept(src, dst)
        codec = (codec or default_codec(dst)) if video else None
        identity = self.identity(
            src,
            start=start,
            end=reader.end,
            output=osp.splitext(dst)[1].lower() if video else 'frames',
            codec=codec,
            crf=crf if video else None,
            fps=fps if video else None,
            audio=audio and video,
            # frames at their own times (a variable frame rate input)
            **(dict(frame_times=True) if times else {}))
        # a segment reads the context frames around it (a cut too), so that
        # its first and last frames are restored as in the whole clip
        context = self.spec.radius if self.spec.temporal == 'window' \
            else self.clip.chunk_overlap
        grid = self.clip.chunk if self.spec.temporal == 'sequence' and \
            self.clip.chunk else 1
        options = VideoOptions(
            fps,
            codec,
            crf,
            audio_from=src if audio else None,
            audio_start=times[0] if times else start / reader.fps,
            times=times)
        return restore_resumable(self.restore_stream, reader, dst, identity,
                                 resume, segment, grid, context, options,
                                 progress)
