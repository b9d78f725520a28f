# Copyright (c) mmjffra contributors. All rights reserved.
"""Restore a user's video of any length and size, frame by frame."""
import math
import os.path as osp
from typing import Dict, Iterable, Iterator, List, Optional, Union

import numpy as np
import torch
from mmagic.registry import MODELS
from mmengine.config import Config
from torch import Tensor

from mmjffra.models.editors.jffra import JFFRANet, temporal_indices
from mmjffra.models.editors.rvrt import RVRTNet
from mmjffra.models.flow_estimators import (
    flow_estimators_to_float32, random_weights_for_learned_estimators)
from mmjffra.models.utils import noise_level_map


class CheckpointMismatchError(ValueError):
    """A checkpoint whose weights do not fit the model of a config."""


def _strip_weight_urls(gen_cfg: Dict) -> None:
    """Weights are loaded from the checkpoint: never download in __init__."""
    for key in ('spynet_pretrained', 'init_cfg', 'pretrained'):
        if key in gen_cfg and isinstance(gen_cfg[key], (str, dict)) and \
                'http' in str(gen_cfg[key]):
            gen_cfg[key] = None


class VideoRestorer:
    """Restore videos with a trained JFFRA (or MMagic video) model.

    Frames stream through the model: each output frame is produced as soon
    as the frames of its window have been read and is handed back at once,
    so host and device memory stay flat whatever the length of the video.

    - Sliding-window nets (JFFRA, EDVR): one window of ``2N+1`` frames per
      output frame, the sequence ends padded by reflection (as JFFRA's
      test setting).
    - Recurrent nets (BasicVSR, BasicVSR++, RVRT): overlapping temporal
      chunks of ``chunk`` frames with ``chunk_overlap`` context frames on
      each side.

    Spatial tiling (``tile`` LQ pixels, ``tile_overlap``) bounds the memory
    of large frames: tiles start on multiples of the network's alignment
    (JFFRA's attention windows stay where they are in the whole frame),
    JFFRA's initial flows are computed once on the whole frame and cropped
    per tile, and overlapping tiles are blended with linear ramps.

    Args:
        config (str | Config): Model config (e.g. a JFFRA task config).
        checkpoint (str, optional): Checkpoint of the model. Default: None
            (random weights, for tests).
        device (str): 'cpu' or 'cuda'. Default: 'cpu'.
        fp16 (bool): Half precision (CUDA only). Default: False.
        tile (int, optional): Tile side in LQ pixels. Default: None.
        tile_overlap (int): Overlap of tiles in LQ pixels. Default: 32.
        noise_sigma (float, optional): Noise level (0-255) for non-blind
            denoising models (``with_noise_map``). Default: None.
        chunk (int): Frames per chunk of a recurrent net. Default: 20.
        chunk_overlap (int): Context frames on each side of a chunk.
            Default: 5.
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
                 cfg_options: Optional[Dict] = None) -> None:
        from mmengine.registry import init_default_scope
        if isinstance(config, str):
            if not osp.isfile(config):
                raise FileNotFoundError(f'config {config!r} does not exist')
            config = Config.fromfile(config)
        if cfg_options:
            config.merge_from_dict(cfg_options)
        init_default_scope(config.get('default_scope', 'mmagic'))
        if device == 'cuda' and not torch.cuda.is_available():
            raise ValueError('--device cuda asked, but CUDA is not available')
        if fp16 and device != 'cuda':
            raise ValueError('half precision (fp16) needs --device cuda')
        model_cfg = config.model.copy()
        _strip_weight_urls(model_cfg.generator)
        # learned flow estimators take their weights from the checkpoint
        # (the strict load below checks it), not from the training config's
        # weight file, which a user restoring a video need not have
        random_weights_for_learned_estimators(model_cfg.generator)
        # training-only parts (the temporal loss and its flow estimator)
        model_cfg.pop('temporal_loss', None)
        model = MODELS.build(model_cfg)
        if checkpoint is not None:
            self._load(model, checkpoint, config)
        self.model = model.to(device).eval()
        self.generator = self.model.generator
        if fp16:
            flow_estimators_to_float32(self.generator.half())
        self.device = device
        self.dtype = torch.float16 if fp16 else torch.float32
        self.tile = tile
        self.tile_overlap = tile_overlap
        self.chunk = chunk
        self.chunk_overlap = chunk_overlap
        self.noise_sigma = noise_sigma
        self.padding = getattr(self.model, 'test_padding', 'reflection')

        gen = self.generator
        if isinstance(gen, JFFRANet):
            self.kind, self.radius = 'window', gen.num_frames // 2
            levels = len(gen.channels)
            window = gen.encoder[0].jffr.attn.window_size
            self.align = window * 2**(levels - 1)
        elif isinstance(gen, RVRTNet):
            # clips of a recurrent chunk; tiles keep attention windows put
            self.kind, self.radius = 'recurrent', 0
            self.align = gen.window_size[1] * gen.feat_stride
        elif hasattr(gen, 'center_frame_idx'):  # EDVRNet
            self.kind, self.radius = 'window', gen.center_frame_idx
            self.align = 4
        else:
            self.kind, self.radius, self.align = 'recurrent', 0, 4
        if tile is not None and tile - tile_overlap < self.align:
            raise ValueError(f'tile - tile_overlap must be at least '
                             f'{self.align} (the alignment of this network), '
                             f'got tile={tile}, tile_overlap={tile_overlap}')
        if getattr(gen, 'with_noise_map', False) and noise_sigma is None:
            raise ValueError('this model denoises with a noise-level map: '
                             'give the noise level (--noise-sigma, 0-255)')
        pre = self.model.data_preprocessor
        self.mean = pre.mean.view(1, -1, 1, 1).to(device, self.dtype) \
            if getattr(pre, 'mean', None) is not None else None
        self.std = pre.std.view(1, -1, 1, 1).to(device, self.dtype) \
            if getattr(pre, 'std', None) is not None else None
        self.scale = self._infer_scale()

    @staticmethod
    def _load(model, checkpoint: str, config) -> None:
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(f'checkpoint {checkpoint!r} does not '
                                    'exist')
        try:
            ckpt = torch.load(
                checkpoint, map_location='cpu', weights_only=True)
        except Exception as err:
            raise CheckpointMismatchError(
                f'cannot read checkpoint {checkpoint!r}: {err}') from err
        state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) \
            else None
        if not isinstance(state, dict):
            raise CheckpointMismatchError(
                f'{checkpoint!r} holds no state_dict')
        # the generator only: a training checkpoint also holds the losses'
        # modules (JFFRA's temporal loss and its flow estimator)
        # (a bare generator state_dict is taken as it is)
        if any(k.startswith('generator.') for k in state):
            state = {
                k[len('generator.'):]: v
                for k, v in state.items() if k.startswith('generator.')
            }
        result = model.generator.load_state_dict(state, strict=False)
        missing = result.missing_keys
        if missing or result.unexpected_keys:
            name = getattr(config, 'filename', None) or 'the config'
            raise CheckpointMismatchError(
                f'checkpoint {checkpoint!r} does not match the model of '
                f'{name}: {len(missing)} missing keys '
                f'{missing[:5]}, {len(result.unexpected_keys)} unexpected '
                f'keys {result.unexpected_keys[:5]}')

    def _infer_scale(self) -> int:
        frames = 2 * self.radius + 1 if self.kind == 'window' else 2
        probe = torch.rand(
            1, frames, 3, 16, 16, device=self.device, dtype=self.dtype)
        with torch.no_grad():
            out = self._run(self._with_noise_map(probe))
        return out.shape[-1] // 16

    # ----------------------------------------------------------- tensors
    def to_tensor(self, frame: np.ndarray) -> Tensor:
        """(h, w, 3) RGB uint8 -> normalised (1, 3, h, w) on the device."""
        if frame.ndim != 3 or frame.shape[2] != 3:
            raise ValueError(f'expected an (h, w, 3) RGB frame, got shape '
                             f'{frame.shape}')
        x = torch.from_numpy(np.ascontiguousarray(frame)).to(self.device)
        x = x.permute(2, 0, 1)[None].to(self.dtype)
        if self.mean is not None:
            x = (x - self.mean) / self.std
        return x

    def to_image(self, x: Tensor) -> np.ndarray:
        """(1, 3, H, W) model output -> (H, W, 3) RGB uint8."""
        if self.mean is not None:
            x = x * self.std + self.mean
        x = x.float().clamp(0, 255).round().to(torch.uint8)
        return x[0].permute(1, 2, 0).cpu().numpy()

    def _with_noise_map(self, lqs: Tensor) -> Tensor:
        if not getattr(self.generator, 'with_noise_map', False):
            return lqs
        return noise_level_map(lqs, self.noise_sigma or 0.)

    def _run(self, lqs: Tensor, flows: Optional[Tensor] = None) -> Tensor:
        if flows is not None:
            return self.generator(lqs, flows=flows)
        return self.generator(lqs)

    # ----------------------------------------------------------- tiling
    def _spans(self, size: int) -> List[tuple]:
        """Tile spans ``(start, end)`` covering ``size`` LQ pixels.

        Starts are multiples of ``align``; neighbours overlap by at least
        ``tile_overlap``; the last tile ends at the border (it may exceed
        ``tile`` by less than ``align``).
        """
        if size <= self.tile:
            return [(0, size)]
        step = max(self.align,
                   (self.tile - self.tile_overlap) // self.align * self.align)
        last = (size - self.tile) // self.align * self.align
        starts = list(range(0, last, step))
        return [(s, min(s + self.tile, size)) for s in starts] + [(last, size)]

    def _ramp(self, length: int, start: int, end: int, size: int) -> Tensor:
        """1D blending weights of a tile: ramps only at interior edges."""
        w = torch.ones(length)
        ramp = max(1, self.tile_overlap // 2)
        steps = torch.arange(1, ramp + 1, dtype=torch.float32) / (ramp + 1)
        n = min(ramp, length)
        if start > 0:
            w[:n] = torch.minimum(w[:n], steps[:n])
        if end < size:
            w[-n:] = torch.minimum(w[-n:], steps[:n].flip(0))
        return w

    def restore_window(self, lqs: Tensor) -> Tensor:
        """Restore the centre frame of one window, tiled if asked.

        Args:
            lqs (Tensor): Window (1, t, c, h, w), normalised.

        Returns:
            Tensor: Restored centre frame (1, c, s*h, s*w).
        """
        lqs = self._with_noise_map(lqs)
        h, w = lqs.shape[-2:]
        if self.tile is None or (h <= self.tile and w <= self.tile):
            return self._run(lqs)
        flows = None
        if isinstance(self.generator, JFFRANet):
            flows = self.generator.compute_flows(lqs)  # whole-frame flow
        s = self.scale
        out = None
        weight = torch.zeros(1, 1, s * h, s * w, device=lqs.device)
        for y0, y1 in self._spans(h):
            for x0, x1 in self._spans(w):
                tile_flows = None if flows is None else \
                    flows[..., y0:y1, x0:x1]
                res = self._run(lqs[..., y0:y1, x0:x1], tile_flows).float()
                if out is None:
                    out = torch.zeros(
                        1, res.size(1), s * h, s * w, device=lqs.device)
                wy = self._ramp(s * (y1 - y0), y0, y1, h).to(lqs.device)
                wx = self._ramp(s * (x1 - x0), x0, x1, w).to(lqs.device)
                tile_w = (wy[:, None] * wx[None, :])[None, None]
                out[..., s * y0:s * y1, s * x0:s * x1] += res * tile_w
                weight[..., s * y0:s * y1, s * x0:s * x1] += tile_w
        return (out / weight).to(self.dtype)

    # ----------------------------------------------------------- streams
    @torch.no_grad()
    def restore_stream(self,
                       frames: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
        """Restore a stream of frames, yielding each output frame.

        Args:
            frames (Iterable[np.ndarray]): RGB uint8 frames (h, w, 3).

        Yields:
            np.ndarray: Restored RGB uint8 frames (s*h, s*w, 3), in order.
        """
        if self.kind == 'window':
            yield from self._stream_windows(frames)
        else:
            yield from self._stream_chunks(frames)

    def _stream_windows(self, frames):
        buf: Dict[int, Tensor] = {}
        r = self.radius
        nxt = 0
        count = 0
        for idx, frame in enumerate(frames):
            buf[idx] = self.to_tensor(frame)
            count = idx + 1
            while nxt + r <= idx:
                yield self._restore_index(buf, nxt, None)
                nxt += 1
                for k in [k for k in buf if k < nxt - r]:
                    del buf[k]
        while nxt < count:
            yield self._restore_index(buf, nxt, count)
            nxt += 1

    def _restore_index(self, buf, i, total):
        # before the end is known, windows never reach past it
        t = total if total is not None else i + self.radius + 1
        idx = temporal_indices(t, i, self.radius, self.padding)
        lqs = torch.stack([buf[j][0] for j in idx])[None]
        return self.to_image(self.restore_window(lqs))

    def _stream_chunks(self, frames):
        size, ctx = self.chunk, self.chunk_overlap
        buf: List[Tensor] = []
        first = 0  # index of buf[0]
        done = 0  # frames emitted
        for frame in frames:
            buf.append(self.to_tensor(frame))
            if len(buf) - (done - first) >= size + ctx:
                yield from self._emit_chunk(buf, first, done, done + size)
                done += size
                drop = max(0, done - ctx - first)
                buf, first = buf[drop:], first + drop
        if buf:
            end = first + len(buf)
            while done < end:
                stop = min(done + size, end)
                yield from self._emit_chunk(buf, first, done, stop)
                done = stop

    def _emit_chunk(self, buf, first, start, stop):
        lo = max(first, start - self.chunk_overlap)
        hi = min(first + len(buf), stop + self.chunk_overlap)
        lqs = torch.stack([b[0] for b in buf[lo - first:hi - first]])[None]
        lqs = self._with_noise_map(lqs)
        out = self._run_tiled_sequence(lqs)
        for k in range(start - lo, stop - lo):
            yield self.to_image(out[:, k])

    def _run_tiled_sequence(self, lqs):
        h, w = lqs.shape[-2:]
        if self.tile is None or (h <= self.tile and w <= self.tile):
            return self._run(lqs)
        s = self.scale
        out = weight = None
        for y0, y1 in self._spans(h):
            for x0, x1 in self._spans(w):
                res = self._run(lqs[..., y0:y1, x0:x1]).float()
                if out is None:
                    out = torch.zeros(
                        *res.shape[:3], s * h, s * w, device=lqs.device)
                    weight = torch.zeros(
                        1, 1, 1, s * h, s * w, device=lqs.device)
                wy = self._ramp(s * (y1 - y0), y0, y1, h).to(lqs.device)
                wx = self._ramp(s * (x1 - x0), x0, x1, w).to(lqs.device)
                tile_w = (wy[:, None] * wx[None, :])[None, None, None]
                out[..., s * y0:s * y1, s * x0:s * x1] += res * tile_w
                weight[..., s * y0:s * y1, s * x0:s * x1] += tile_w
        return (out / weight).to(self.dtype)

    def restore_file(self,
                     src: str,
                     dst: str,
                     start: int = 0,
                     end: Optional[int] = None,
                     codec: str = 'libx264',
                     crf: int = 18,
                     overwrite: bool = False,
                     progress: bool = False) -> int:
        """Restore a video file or frame folder into a video or folder.

        Args:
            src (str): Input video file or folder of frames.
            dst (str): Output video file (by extension) or folder of PNGs.
            start (int): First frame. Default: 0.
            end (int, optional): Stop before this frame. Default: None.
            codec (str): Codec of a video output. Default: 'libx264'.
            crf (int): Quality of a video output. Default: 18.
            overwrite (bool): Replace an existing output. Default: False.
            progress (bool): Print frames/s and ETA. Default: False.

        Returns:
            int: Number of frames written.
        """
        from .video_io import FrameReader, FrameWriter
        reader = FrameReader(src, start, end)
        writer = FrameWriter(dst, reader.fps, codec, crf, overwrite)
        bar = _Progress(reader.total) if progress else None
        with writer:
            for frame in self.restore_stream(reader):
                writer.write(frame)
                if bar:
                    bar.update()
        if bar:
            bar.close()
        return writer.count


class _Progress:
    """A one-line progress report: frames, frames/s and ETA."""

    def __init__(self, total: Optional[int]) -> None:
        import time
        self.time = time.perf_counter
        self.total = total
        self.done = 0
        self.start = self.time()

    def update(self) -> None:
        import sys
        self.done += 1
        elapsed = self.time() - self.start
        fps = self.done / elapsed if elapsed > 0 else 0.
        msg = f'\r{self.done}'
        if self.total:
            eta = (self.total - self.done) / fps if fps else math.inf
            msg += (f'/{self.total} frames, {fps:.2f} frames/s, ETA '
                    f'{int(eta // 60):d}:{int(eta % 60):02d}')
        else:
            msg += f' frames, {fps:.2f} frames/s'
        sys.stderr.write(msg)
        sys.stderr.flush()

    def close(self) -> None:
        import sys
        sys.stderr.write('\n')
