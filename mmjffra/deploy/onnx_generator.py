# Copyright (c) mmjffra contributors. All rights reserved.
"""An exported model behind the generator's interface.

:class:`OnnxGenerator` is called as the PyTorch generator is
(``generator(lqs)``, ``generator(lqs, flows=...)``, ``compute_flows(lqs)``)
and declares the same :class:`~mmjffra.models.inference.InferenceSpec` (read
from the model's metadata), so the restoration around it (windows, tiles,
padding, streaming, outputs) is the one PyTorch models get. The network
runs in ONNX Runtime or OpenVINO on the CPU; a flow estimator outside the
graph (DIS) runs as in PyTorch, on the same frames.
"""
from typing import Dict, Optional

import numpy as np
import torch
from torch import Tensor

from mmjffra.errors import BackendError, ExportError
from mmjffra.models.inference import InferenceSpec
from .onnx_export import read_metadata

#: backend -> the Python package it needs
BACKENDS = {'onnxruntime': 'onnxruntime', 'openvino': 'openvino'}


def _session(path: str,
             backend: str,
             threads: Optional[int],
             static_shapes: bool = False):
    """A callable ``run(feeds) -> first output`` of the model on the CPU.

    ``static_shapes``: OpenVINO compiles the model once per input shape
    (kept for the next call of that shape). OpenVINO 2026.4 can return
    uninitialised values from a graph with ``Loop`` nodes compiled for
    dynamic shapes; compiled for the shape it is given, it is exact.
    """
    if backend not in BACKENDS:
        raise BackendError(f'unknown backend {backend!r}: choose one of '
                           f'{", ".join(BACKENDS)}')
    try:
        module = __import__(BACKENDS[backend])
    except ImportError as err:
        raise BackendError(
            f'backend {backend!r} is not installed: pip install -e '
            '".[deploy]" (onnx, onnxruntime, openvino)') from err
    try:
        if backend == 'onnxruntime':
            options = module.SessionOptions()
            if threads:
                options.intra_op_num_threads = threads
            session = module.InferenceSession(
                path, options, providers=['CPUExecutionProvider'])
            return lambda feeds: session.run(None, feeds)[0]
        # f32 as exported (the CPU plugin may otherwise run bf16 kernels)
        config = {'INFERENCE_PRECISION_HINT': 'f32'}
        if threads:
            config['INFERENCE_NUM_THREADS'] = str(threads)
        core = module.Core()
        if not static_shapes:
            compiled = core.compile_model(path, 'CPU', config)
            return lambda feeds: compiled(feeds)[compiled.output(0)]
        cache = {}

        def run(feeds):
            shapes = tuple((k, v.shape) for k, v in sorted(feeds.items()))
            if shapes not in cache:
                if len(cache) == 8:  # tiles and chunks take a few shapes
                    cache.pop(next(iter(cache)))
                model = core.read_model(path)
                model.reshape({k: list(shape) for k, shape in shapes})
                cache[shapes] = core.compile_model(model, 'CPU', config)
            compiled = cache[shapes]
            return compiled(feeds)[compiled.output(0)]

        core.read_model(path)  # an unreadable model fails here
        return run
    except Exception as err:
        if 'DeformConv' in str(err):  # OpenVINO reads no ONNX DeformConv
            raise BackendError(
                f'{backend} cannot run {path!r}: it reads no ONNX DeformConv '
                '(the deformable convolution of EDVR); use --backend '
                'onnxruntime') from err
        raise BackendError(f'{backend} cannot run {path!r}: '
                           f'{" ".join(str(err).split())[:300]}') from err


class OnnxGenerator:
    """Run an exported network as the PyTorch generator is run.

    Args:
        path (str): A model exported by
            :func:`~mmjffra.deploy.export_onnx` (its metadata is read).
        backend (str): ``'onnxruntime'`` or ``'openvino'``.
        threads (int, optional): CPU threads of the runtime. Default: None
            (PyTorch's, ``torch.get_num_threads()``).

    Raises:
        ExportError: The file is not one of our exported models.
        BackendError: The backend is missing or cannot load the model.
    """

    def __init__(self,
                 path: str,
                 backend: str = 'onnxruntime',
                 threads: Optional[int] = None) -> None:
        self.path = path
        self.backend = backend
        self.meta: Dict = read_metadata(path)
        meta = self.meta
        self.inference_spec = InferenceSpec(
            meta['temporal'],
            int(meta['scale']),
            num_frames=int(meta['num_frames']),
            spatial_multiple=int(meta['spatial_multiple']),
            min_size=int(meta['min_size']),
            input_multiple=int(meta['input_multiple']),
            whole_frame_flows=bool(meta['whole_frame_flows']))
        self.in_channels = int(meta['in_channels'])
        self.with_noise_map = bool(meta['with_noise_map'])
        self.num_frames = int(meta['num_frames'])
        self.dtype = np.float16 if meta.get('dtype') == 'float16' \
            else np.float32
        self.flow_estimator = None
        if meta.get('flow_estimator'):
            from mmagic.registry import MODELS
            self.flow_estimator = MODELS.build(dict(meta['flow_estimator']))
        self._run = _session(
            path,
            backend,
            threads or torch.get_num_threads(),
            static_shapes=meta['temporal'] == 'sequence')

    def compute_flows(self, lqs: Tensor) -> Tensor:
        """The initial flows the graph takes, as the PyTorch network
        computes them."""
        from mmjffra.models.editors.jffra.jffra_net import centre_flows
        return centre_flows(self.flow_estimator, lqs.float(),
                            self.in_channels).to(lqs.dtype)

    def __call__(self, lqs: Tensor, flows: Optional[Tensor] = None) -> Tensor:
        feeds = {'lqs': lqs.detach().cpu().numpy().astype(self.dtype)}
        if self.flow_estimator is not None:
            if flows is None:
                flows = self.compute_flows(lqs)
            feeds['flows'] = flows.detach().cpu().numpy().astype(self.dtype)
        out = self._run(feeds)
        return torch.from_numpy(np.asarray(out, np.float32)).to(lqs.dtype)


def load_onnx_model(path: str, backend: str):
    """An exported model and the config its metadata stands for."""
    from mmengine.config import Config

    from mmjffra.errors import ArgumentError
    try:
        model = OnnxGenerator(path, backend)
    except ExportError as err:
        raise ArgumentError(str(err), 'backend') from err
    noise = model.with_noise_map
    return model, Config(
        dict(model=dict(generator=dict(with_noise_map=noise))))
