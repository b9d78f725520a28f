# Copyright (c) mmjffra contributors. All rights reserved.
"""Export to ONNX and restore through ONNX Runtime or OpenVINO.

- :mod:`.onnx_export`: a generator exported with its inference facts in
  the ONNX model's metadata (no config is needed to run it);
- :mod:`.onnx_generator`: an exported model behind the generator's
  interface, so that :class:`~mmjffra.models.inference.ClipRestorer` (windows,
  tiles, padding) and :class:`~mmjffra.apis.VideoRestorer` (streaming,
  audio, atomic and resumable outputs) run it as they run PyTorch.
"""
from .onnx_export import METADATA_KEY, export_onnx, read_metadata
from .onnx_generator import BACKENDS, OnnxGenerator

__all__ = [
    'export_onnx', 'read_metadata', 'METADATA_KEY', 'OnnxGenerator', 'BACKENDS'
]
