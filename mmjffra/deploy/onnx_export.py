# Copyright (c) mmjffra contributors. All rights reserved.
"""Export a restoration network to ONNX with what a runtime needs to know.

The graph takes the network's input as the PyTorch model does: frames
``lqs`` of shape (n, t, c, h, w), float, normalised by the data
preprocessor's ``mean``/``std`` (with a non-blind denoiser's noise-level map
as the last channel), and returns the restored frames (window networks: the
centre frame (n, c, s*h, s*w); sequence networks: every frame (n, t, c,
s*h, s*w)). Batch, height and width are dynamic, and the number of frames
of a sequence network (MMagic's BasicVSR: its propagation is a graph loop,
:mod:`.basicvsr_graph`). A
learned flow estimator is part of the graph; one that is not a tensor
operation (DIS, OpenCV) is computed outside it and fed as a second input
``flows`` (n, t-1, 2, h, w), the runtime computing it as PyTorch does.
MMCV's modulated deformable convolution (EDVR) becomes ONNX's
``DeformConv`` (opset 19).

The facts a runtime needs are written as JSON into the model's metadata
under :data:`METADATA_KEY`: the inference spec (window or sequence, scale,
frames per window, spatial and input multiples), the normalisation, the
noise-map flag, the flow input and the window padding.
"""
import contextlib
import json
import os
import os.path as osp
import tempfile
import warnings
from typing import Dict, Iterator, Optional

import torch
from torch import Tensor, nn

from mmjffra.errors import ExportError
from mmjffra.models.inference import InferenceSpec
from .basicvsr_graph import basicvsr_graph

METADATA_KEY = 'mmjffra'
#: sequence networks with a graph form: class name -> its scripted module
SEQUENCE_GRAPHS = {'BasicVSRNet': basicvsr_graph}
FORMAT = 1
#: the opset of the exported graphs (ONNX Runtime >= 1.14, OpenVINO 2023+)
OPSET = 17
#: the opset of ONNX's ``DeformConv`` (graphs with a deformable convolution)
DEFORM_CONV_OPSET = 19
#: MMCV's deformable convolutions that map to ``DeformConv``
DEFORM_CONVS = ('ModulatedDeformConv2d', )


def _pair(value) -> list:
    return list(value) if isinstance(value, (tuple, list)) else [value] * 2


def _deform_conv_symbolic(g, input, offset, mask, weight, bias, stride,
                          padding, dilation, groups, deform_groups):
    """MMCV's modulated deformable convolution (DCNv2) as ONNX's
    ``DeformConv`` (opset 19): the same sampling (offsets as (dy, dx) per
    kernel point, the mask multiplying each sample)."""
    if bias is None or bias.node().mustBeNone():
        out_channels = weight.type().sizes()[0]
        bias = g.op('Constant', value_t=torch.zeros(out_channels))
    pads = _pair(padding)
    return g.op(
        'DeformConv',
        input,
        weight,
        offset,
        bias,
        mask,
        strides_i=_pair(stride),
        pads_i=pads + pads,
        dilations_i=_pair(dilation),
        group_i=groups,
        offset_group_i=deform_groups)


@contextlib.contextmanager
def deform_conv_as_onnx() -> Iterator[None]:
    """MMCV's ``ModulatedDeformConv2dFunction`` exports as ONNX's
    ``DeformConv`` instead of MMCV's own custom op, which no runtime
    reads."""
    from mmcv.ops.modulated_deform_conv import \
        ModulatedDeformConv2dFunction as Function
    symbolic = Function.__dict__['symbolic']
    Function.symbolic = staticmethod(_deform_conv_symbolic)
    try:
        yield
    finally:
        Function.symbolic = symbolic


class _Exported(nn.Module):
    """The generator with its flows as an input or computed inside."""

    def __init__(self, generator: nn.Module, flows_input: bool) -> None:
        super().__init__()
        self.generator = generator
        self.flows_input = flows_input

    def forward(self, lqs: Tensor, flows: Optional[Tensor] = None) -> Tensor:
        if self.flows_input:
            return self.generator(lqs, flows=flows)
        return self.generator(lqs)


def external_flow_estimator(generator: nn.Module) -> Optional[Dict]:
    """The config of the generator's flow estimator if it is not a tensor
    operation (``learned = False``: DIS, OpenCV), else None."""
    estimator = getattr(generator, 'flow_estimator', None)
    if estimator is None or getattr(estimator, 'learned', True):
        return None
    return dict(
        type=type(estimator).__name__,
        preset=estimator.preset,
        variational_refinement_iters=estimator.variational_refinement_iters)


def trace_size(spec: InferenceSpec) -> tuple:
    """The (h, w) the graph is traced at: a multiple of the input multiple
    and not of any level's window, so that every size-dependent padding is
    in the graph."""
    m = max(spec.input_multiple, 4)
    h = max(spec.min_size, 68)
    w = max(spec.min_size, 76)
    return h + (-h) % m, w + (-w) % m


def export_onnx(generator: nn.Module,
                spec: InferenceSpec,
                path: str,
                mean: Optional[Tensor] = None,
                std: Optional[Tensor] = None,
                flow_estimator: Optional[Dict] = None,
                padding: str = 'reflection',
                name: str = '',
                opset: int = OPSET) -> Dict:
    """Export ``generator`` to ``path`` (written complete or not at all).

    Args:
        generator (nn.Module): The network (eval mode is set).
        spec (InferenceSpec): Its inference spec.
        path (str): The ``.onnx`` file.
        mean (Tensor, optional): The data preprocessor's mean (per channel).
        std (Tensor, optional): Its std.
        flow_estimator (dict, optional): Config of a flow estimator that is
            not a tensor operation (``DISFlowEstimator``): its flows become
            the input ``flows``. Default: None (flows, if any, in the graph).
        padding (str): How windows are padded at the clip ends.
        name (str): The model's name, recorded in the metadata.
        opset (int): ONNX opset. Default: :data:`OPSET`.

    Returns:
        dict: The metadata written.

    Raises:
        ExportError: A deformable convolution other than MMCV's modulated
            one (:data:`DEFORM_CONVS`), a sequence network with no graph
            form (:data:`SEQUENCE_GRAPHS`), or an exporter failure
            (its reason).
    """
    import onnx
    deform = [{base.__name__
               for base in type(m).__mro__} for m in generator.modules()
              if any(
                  'DeformConv' in base.__name__ for base in type(m).__mro__)]
    unmapped = sorted({
        name
        for names in deform if not names & set(DEFORM_CONVS) for name in names
        if 'DeformConv' in name
    })
    if unmapped:
        raise ExportError(
            f'{type(generator).__name__} uses a deformable convolution '
            f'({", ".join(unmapped)}) that this exporter does not map to '
            f'ONNX\'s DeformConv (it maps {", ".join(DEFORM_CONVS)}): not '
            'exported')
    if deform:
        opset = max(opset, DEFORM_CONV_OPSET)
    sequence = spec.temporal == 'sequence'
    if sequence and type(generator).__name__ not in SEQUENCE_GRAPHS:
        raise ExportError(
            f'{type(generator).__name__} is a sequence network whose '
            'recurrence has no graph form here (tracing would unroll it '
            'over a fixed number of frames); exported sequence networks: '
            f'{", ".join(SEQUENCE_GRAPHS)}')
    flows_input = flow_estimator is not None
    generator = generator.eval()
    dtype = torch.float32
    module = SEQUENCE_GRAPHS[type(generator).__name__](generator) \
        if sequence else _Exported(generator, flows_input)
    # MMagic's networks take RGB and have no in_channels
    in_channels = int(getattr(generator, 'in_channels', 3))
    c = in_channels + int(getattr(generator, 'with_noise_map', False))
    h, w = trace_size(spec)
    lqs = torch.rand(1, 3 if sequence else spec.num_frames, c, h, w)
    args = (lqs, )
    names = ['lqs']
    if sequence:  # any number of frames
        axes = {
            'lqs': {
                0: 'n',
                1: 't',
                3: 'h',
                4: 'w'
            },
            'out': {
                0: 'n',
                1: 't',
                3: 'H',
                4: 'W'
            }
        }
    else:
        axes = {
            'lqs': {
                0: 'n',
                3: 'h',
                4: 'w'
            },
            'out': {
                0: 'n',
                2: 'H',
                3: 'W'
            }
        }
    if flows_input:
        args += (generator.compute_flows(lqs.float()).to(dtype), )
        names.append('flows')
        axes['flows'] = {0: 'n', 3: 'h', 4: 'w'}
    meta = dict(
        format=FORMAT,
        name=name,
        network=type(generator).__name__,
        temporal=spec.temporal,
        scale=spec.scale,
        num_frames=spec.num_frames,
        spatial_multiple=spec.spatial_multiple,
        min_size=spec.min_size,
        input_multiple=spec.input_multiple,
        whole_frame_flows=spec.whole_frame_flows and flows_input,
        in_channels=in_channels,
        with_noise_map=bool(getattr(generator, 'with_noise_map', False)),
        layout='lqs: (n, t, c, h, w) float, (x - mean) / std; out: ' +
        ('(n, t, c, s*h, s*w)' if sequence else '(n, c, s*h, s*w)'),
        mean=None if mean is None else [float(v) for v in mean.flatten()],
        std=None if std is None else [float(v) for v in std.flatten()],
        flow_estimator=flow_estimator,
        padding=padding,
        opset=opset,
        dtype='float32')
    folder = osp.dirname(osp.abspath(path))
    fd, tmp = tempfile.mkstemp(suffix='.onnx', dir=folder, prefix='.export')
    os.close(fd)
    try:
        with torch.no_grad(), warnings.catch_warnings(), \
                deform_conv_as_onnx():
            warnings.simplefilter('ignore')
            torch.onnx.export(
                module,
                args,
                tmp,
                input_names=names,
                output_names=['out'],
                dynamic_axes=axes,
                opset_version=opset,
                dynamo=False)
        model = onnx.load(tmp)
        onnx.checker.check_model(model)
        entry = model.metadata_props.add()
        entry.key, entry.value = METADATA_KEY, json.dumps(meta)
        onnx.save(model, tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as a file the user writes
        os.replace(tmp, path)
    except Exception as err:
        if osp.exists(tmp):
            os.remove(tmp)
        if isinstance(err, (OSError, ExportError)):
            raise
        raise ExportError(f'cannot export {type(generator).__name__} to '
                          f'ONNX: {" ".join(str(err).split())[:300]}') from err
    return meta


def read_metadata(path: str) -> Dict:
    """The metadata of a model exported by :func:`export_onnx`.

    Raises:
        ExportError: The file is not an ONNX model, or not ours.
    """
    import onnx
    try:
        model = onnx.load(path, load_external_data=False)
    except Exception as err:
        raise ExportError(f'{path!r} is not an ONNX model: '
                          f'{" ".join(str(err).split())[:200]}') from err
    props = {p.key: p.value for p in model.metadata_props}
    if METADATA_KEY not in props:
        raise ExportError(
            f'{path!r} has no {METADATA_KEY!r} metadata: export it with '
            'tools/deployment/pytorch2onnx.py (the runtime needs the scale, '
            'window, multiples and normalisation it records)')
    try:
        meta = json.loads(props[METADATA_KEY])
        if meta.get('format') != FORMAT:
            raise ValueError(f'format {meta.get("format")!r}')
    except ValueError as err:
        raise ExportError(f'{path!r}: unreadable {METADATA_KEY!r} metadata '
                          f'({err})') from err
    return meta
