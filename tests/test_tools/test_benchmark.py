# Copyright (c) mmjffra contributors. All rights reserved.
import json
import sys

import pytest
from conftest import run_cmd

JFFRA = 'configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py'
RVRT = 'configs/demo/rvrt-tiny_1xb2-1000i_carphone-bix4.py'


def test_benchmark_reports_ratios_against_basicvsr(tmp_path):
    out_file = tmp_path / 'bench.json'
    out = run_cmd([
        sys.executable, 'tools/analysis_tools/benchmark.py', JFFRA, RVRT,
        '--height', '24', '--width', '32', '--frames', '3', '--warmup', '0',
        '--repeats', '1', '--train-crop', '32', '--threads', '1',
        '--mem-frames', '2', '--backends', 'pytorch', 'onnxruntime', '--out',
        out_file
    ])
    # named by their configs; the reference (MMagic's BasicVSR) first
    results = {
        r['config']: r
        for r in json.loads(out_file.read_text())['results']
    }
    ref = results.pop('mmagic::basicvsr/basicvsr_2xb4_reds4.py')
    assert set(results) == {JFFRA, RVRT}
    jffra = results[JFFRA]
    assert jffra['model'] == 'jffra-small_1xb2-1000i_carphone-bix4'
    assert 'jffra-small_1xb2-1000i_carphone-bix4' in out
    # BasicVSR c64b30 has 6.29 M parameters (MMagic's figure)
    assert abs(ref['params_m'] - 6.29) < 0.01
    # each ratio is the model's figure over BasicVSR's of the same run
    for r in (jffra, results[RVRT]):
        for key in ('params_m', 'ms_per_frame', 'train_step_ms'):
            assert r[f'{key}_vs_ref'] == pytest.approx(r[key] / ref[key])
    assert results[RVRT]['params_m_vs_ref'] == pytest.approx(
        0.394 / 6.29, rel=0.01)
    assert 0 < jffra['params_m'] < ref['params_m']
    assert jffra['flow_ms_per_frame'] > 0
    assert jffra['gflops_per_frame'] > 0 and jffra['train_step_ms'] > 0
    rvrt = results[RVRT]
    # the tiny demo RVRT: 0.39 M parameters, DIS flow (no weights)
    assert abs(rvrt['params_m'] - 0.394) < 0.001
    assert rvrt['flow_ms_per_frame'] > 0 and rvrt['train_step_ms'] > 0
    assert 0 < jffra['flow_share'] < 1
    assert jffra['windows_per_forward'] == ref['windows_per_forward'] == 1
    # the same frames through ONNX Runtime: within a level of PyTorch's; a
    # sequence network with no graph form says why it is not exported
    for r in (ref, jffra):
        backends = r['backends']
        assert backends['onnxruntime']['max_level_diff'] <= 1
        assert backends['onnxruntime']['speedup_vs_pytorch'] == \
            pytest.approx(backends['pytorch']['ms_per_frame'] /
                          backends["onnxruntime"]["ms_per_frame"], rel=0.05)
    assert 'sequence network' in rvrt['backends']['onnxruntime']['error']
    assert 'restore (uint8 frames' in out
    # streamed peak memory, one process per model and clip length
    assert 'streamed restoration, by clip length' in out
    for r in list(results.values()) + [ref]:
        assert set(r['stream_peak_mem_mb']) == {'2'}
        assert all(v > 100 for v in r['stream_peak_mem_mb'].values())


def test_cfg_options_reach_the_configs_not_the_reference():
    from argparse import Namespace

    from test_inference_path import load_script
    bench = load_script('tools/analysis_tools/benchmark.py', 'benchmark')
    args = Namespace(
        cfg_options={
            'model.generator.mid_channels': 24,
            'model.test_cfg.max_windows_per_forward': 2
        })
    cfg = bench.load_cfg(JFFRA, args)
    assert cfg.model.generator.mid_channels == 24
    assert cfg.model.test_cfg.max_windows_per_forward == 2
    # MMagic's config: its SPyNet URL dropped, random weights said
    ref = bench.load_cfg(bench.REFERENCE, Namespace(cfg_options={}))
    assert ref.model.generator.spynet_pretrained is None
    assert ref.model.type == 'BasicVSR'
