# Copyright (c) mmjffra contributors. All rights reserved.
"""CPU speed of one restoration through PyTorch and the ONNX runtimes.

The model is exported as ``tools/deployment/pytorch2onnx.py`` exports it
(into a temporary folder) and the same frames are restored through
:meth:`mmjffra.apis.VideoRestorer.restore_stream` -- what
``tools/restore_video.py`` runs -- with each backend, all on
``torch.get_num_threads()`` threads. Used by
``tools/analysis_tools/benchmark.py --backends``.
"""
import os.path as osp
import statistics
import tempfile
import time
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.config import Config


def time_restore(restorer, frames: Sequence[np.ndarray],
                 repeats: int) -> Tuple[float, List[np.ndarray]]:
    """Median ms per frame of ``repeats`` passes over ``frames``, after a
    warm-up pass (a runtime compiles on its first shapes), and the output
    of the last pass."""
    list(restorer.restore_stream(frames))
    times, out = [], []
    for _ in range(max(repeats, 1)):
        start = time.perf_counter()
        out = list(restorer.restore_stream(frames))
        times.append((time.perf_counter() - start) * 1000 / len(frames))
    return statistics.median(times), out


def backend_speeds(config: Union[str, Config],
                   checkpoint: Optional[str],
                   frames: Sequence[np.ndarray],
                   backends: Sequence[str],
                   repeats: int = 2) -> Dict[str, Dict]:
    """ms per frame of each backend, on the same frames.

    Args:
        config (str | Config): The model's config.
        checkpoint (str, optional): Its weights (None: the config's
            initialisation; speed does not depend on the weights).
        frames (Sequence[ndarray]): RGB uint8 input frames.
        backends (Sequence[str]): ``'pytorch'``, ``'onnxruntime'``,
            ``'openvino'``.
        repeats (int): Timed passes per backend (the median is kept).

    Returns:
        dict: backend -> ``ms_per_frame``, ``speedup_vs_pytorch`` and
        ``max_level_diff`` (from PyTorch's output, levels of 255) when
        PyTorch was measured; or ``error`` (why the model does not export
        or the runtime cannot run it).
    """
    from mmjffra.apis import VideoRestorer
    from mmjffra.errors import ArgumentError, ExportError
    from .onnx_export import export_onnx, external_flow_estimator
    torch_restorer = VideoRestorer(config, checkpoint)
    results, reference = {}, None
    with tempfile.TemporaryDirectory() as tmp:
        path, export_error = osp.join(tmp, 'model.onnx'), None
        if any(b != 'pytorch' for b in backends):
            gen = torch_restorer.generator
            try:
                export_onnx(
                    gen,
                    torch_restorer.spec,
                    path,
                    mean=torch_restorer.mean,
                    std=torch_restorer.std,
                    flow_estimator=external_flow_estimator(gen),
                    padding=torch_restorer.clip.padding)
            except ExportError as err:
                export_error = ' '.join(str(err).split())
        for backend in backends:
            if backend != 'pytorch' and export_error:
                results[backend] = dict(error=export_error)
                continue
            try:
                restorer = torch_restorer if backend == 'pytorch' else \
                    VideoRestorer(path, backend=backend)
            except ArgumentError as err:  # a runtime that is missing
                results[backend] = dict(error=' '.join(str(err).split()))
                continue
            ms, out = time_restore(restorer, frames, repeats)
            row = dict(ms_per_frame=round(ms, 1))
            if backend == 'pytorch':
                reference = out
            elif reference is not None:
                row['max_level_diff'] = int(
                    max(
                        np.abs(a.astype(int) - b).max()
                        for a, b in zip(out, reference)))
            results[backend] = row
    base = results.get('pytorch', {}).get('ms_per_frame')
    for row in results.values():
        if base and 'ms_per_frame' in row:
            row['speedup_vs_pytorch'] = round(base / row['ms_per_frame'], 2)
    return results
