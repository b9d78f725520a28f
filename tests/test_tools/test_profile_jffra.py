# Copyright (c) mmjffra contributors. All rights reserved.
import importlib.util
import json

from conftest import REPO

GROUPS = ('initial flow estimator', 'cost volume', 'window attention',
          'warping (flow_warp/grid_sample)', 'convolutions', 'other')


def _tool(name):
    path = REPO / 'tools' / 'analysis_tools' / f'{name}.py'
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_profile_breaks_the_time_down_by_group(tmp_path, capsys):
    tool = _tool('profile_jffra')
    out_file = tmp_path / 'profile.json'
    tool.run(
        tool.parse_args([
            '--preset', 'small', '--size', '16', '24', '--warmup', '0',
            '--repeats', '1', '--channels-last', '--json',
            str(out_file)
        ]))
    assert 'self CPU' in capsys.readouterr().out
    result = json.loads(out_file.read_text())
    assert result['settings']['frames'] == 3  # the small preset's window
    assert tuple(result['groups']) == GROUPS
    assert abs(sum(g['share'] for g in result['groups'].values()) - 1) < 1e-6
    for group in GROUPS[:5]:
        assert result['groups'][group]['ms'] > 0, group
    assert result['top_ops'] and result['ms_per_run'] > 0
    # the ranges are removed after profiling
    from mmagic.models.utils import flow_warp

    from mmjffra.models.editors.jffra import jffr_block
    assert jffr_block.flow_warp is flow_warp


def test_speed_ab_compares_outputs(tmp_path):
    tool = _tool('speed_ab_jffra')
    out_file = tmp_path / 'ab.jsonl'
    tool.run(
        tool.parse_args([
            '--change', 'conv3d-onednn', '--size', '16', '24', '--repeats',
            '2', '--json',
            str(out_file)
        ]))
    result = json.loads(out_file.read_text().splitlines()[-1])
    assert result['change'] == 'conv3d-onednn' and result['repeats'] == 2
    assert result['max_abs_diff'] < 1e-4
    assert result['before_ms'] > 0 and result['after_ms'] > 0
