# Copyright (c) mmjffra contributors. All rights reserved.
import json
import sys

import pytest
from conftest import run_cmd


def test_benchmark_reports_ratios_against_basicvsr(tmp_path):
    out_file = tmp_path / 'bench.json'
    out = run_cmd([
        sys.executable, 'tools/analysis_tools/benchmark.py', '--models',
        'jffra-small', 'rvrt-tiny', '--height', '24', '--width', '32',
        '--frames', '3', '--warmup', '0', '--repeats', '1', '--train-crop',
        '32', '--threads', '1', '--mem-frames', '2', '--jffra-windows', '2',
        '--backends', 'pytorch', 'onnxruntime', '--out', out_file
    ])
    assert 'jffra-small' in out and 'basicvsr' in out
    results = {
        r['model']: r
        for r in json.loads(out_file.read_text())['results']
    }
    assert set(results) == {'basicvsr', 'jffra-small', 'rvrt-tiny'}
    ref, jffra = results['basicvsr'], results['jffra-small']
    # BasicVSR c64b30 has 6.29 M parameters (MMagic's figure)
    assert abs(ref['params_m'] - 6.29) < 0.01
    # each ratio is the model's figure over BasicVSR's of the same run
    for r in (jffra, results['rvrt-tiny']):
        for key in ('params_m', 'ms_per_frame', 'train_step_ms'):
            assert r[f'{key}_vs_basicvsr'] == pytest.approx(r[key] / ref[key])
    assert results['rvrt-tiny']['params_m_vs_basicvsr'] == pytest.approx(
        0.322 / 6.29, rel=0.01)
    assert 0 < jffra['params_m'] < ref['params_m']
    assert jffra['flow_ms_per_frame'] > 0
    assert jffra['gflops_per_frame'] > 0 and jffra['train_step_ms'] > 0
    rvrt = results['rvrt-tiny']
    # the tiny demo RVRT: 0.32 M parameters, DIS flow (no weights)
    assert abs(rvrt['params_m'] - 0.322) < 0.001
    assert rvrt['flow_ms_per_frame'] > 0 and rvrt['train_step_ms'] > 0
    assert 0 < jffra['flow_share'] < 1
    assert jffra['windows_per_forward'] == 2  # --jffra-windows
    # the same frames through ONNX Runtime: within a level of PyTorch's; a
    # sequence network with no graph form says why it is not exported
    for model in ('basicvsr', 'jffra-small'):
        backends = results[model]['backends']
        assert backends['onnxruntime']['max_level_diff'] <= 1
        assert backends['onnxruntime']['speedup_vs_pytorch'] == \
            pytest.approx(backends['pytorch']['ms_per_frame'] /
                          backends["onnxruntime"]["ms_per_frame"], rel=0.05)
    assert 'sequence network' in rvrt['backends']['onnxruntime']['error']
    assert 'restore (uint8 frames' in out
    # streamed peak memory, one process per model and clip length
    assert 'streamed restoration, by clip length' in out
    for r in results.values():
        assert set(r['stream_peak_mem_mb']) == {'2'}
        assert all(v > 100 for v in r['stream_peak_mem_mb'].values())


def test_jffra_options_change_the_measured_network():
    import importlib.util
    from argparse import Namespace

    from conftest import REPO
    spec = importlib.util.spec_from_file_location(
        'benchmark', REPO / 'tools/analysis_tools/benchmark.py')
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    args = Namespace(scale=4, jffra_flow=None, jffra_options={})
    assert bench._generator_cfg('jffra-small', args).generator.mid_channels \
        == 16
    args.jffra_options = dict(mid_channels=24, num_res_blocks=2)
    gen = bench._generator_cfg('jffra-small', args).generator
    assert (gen.mid_channels, gen.num_res_blocks) == (24, 2)
