# Copyright (c) mmjffra contributors. All rights reserved.
"""The research harnesses import, and the two that run on a CPU in seconds
produce what they report."""
import importlib.util

import pytest
from conftest import REPO

SCRIPTS = sorted(
    p.name for p in (REPO / 'projects' / 'jffra_study' / 'tools').glob('*.py'))


def load(name):
    spec = importlib.util.spec_from_file_location(
        f'research_{name[:-3]}',
        REPO / 'projects' / 'jffra_study' / 'tools' / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('name', SCRIPTS)
def test_imports(name):
    assert callable(load(name).main)


def test_profile_jffra_groups_the_time():
    profile = load('profile_jffra.py')
    args = profile.parse_args([
        '--size', '32', '32', '--warmup', '0', '--repeats', '1',
        '--profile-runs', '1', '--threads', '1'
    ])
    assert args.preset == 'small' and args.scale == 4 and args.compile is None
    res = profile.run(args)
    assert res['settings']['frames'] == 3  # the small preset's window
    groups = res['groups']
    assert list(groups) == list(profile.GROUPS)
    assert sum(g['share'] for g in groups.values()) == pytest.approx(1.0)
    # every module group the script brackets ran (DIS flow, 2 levels)
    for name in ('initial flow estimator', 'cost volume', 'window attention',
                 'warping (flow_warp/grid_sample)', 'convolutions'):
        assert groups[name]['ms'] > 0, name
    assert len(res['run_times_ms']) == 1


def test_conv3d_forms_agree(monkeypatch, capsys):
    conv3d = load('conv3d_forms.py')
    monkeypatch.setattr('sys.argv', [
        'conv3d_forms.py', '--threads', '1', '--repeats', '1', '--size', '6',
        '7'
    ])
    conv3d.main()
    rows = capsys.readouterr().out.strip().splitlines()[1:]
    assert [tuple(map(int,
                      r.split()[:2])) for r in rows] == [(3, 16), (16, 16),
                                                         (3, 64), (64, 64)]
    # FrameStackConv3d computes nn.Conv3d's result
    assert all(float(r.split()[-1]) < 1e-4 for r in rows)


def test_the_variant_configs_build():
    from mmagic.registry import MODELS
    from mmengine.config import Config
    configs = REPO / 'projects' / 'jffra_study' / 'configs'
    for path in configs.glob('*tail16*.py'):
        cfg = Config.fromfile(path)
        model = MODELS.build(cfg.model)
        # the tail the config names (the features' width), not the preset's
        assert model.generator.conv_last[0].in_channels == 16
        assert model.pixel_loss_frames == 'centre'
    # the corpus stages: the shipped preset, continued from its weights
    stages = {p.name: Config.fromfile(p) for p in configs.glob('*corpus*.py')}
    assert len(stages) == 2
    for name, cfg in stages.items():
        model = MODELS.build(cfg.model)
        assert model.generator.conv_last[0].in_channels == 64
        assert cfg.load_from == 'weights/jffra-small-x4_corpus-a81b8b37.pth'
        assert model.pixel_loss_frames == ('all'
                                           if 'pixall' in name else 'centre')
    crop = stages['jffra-small_1xb2-1000i_corpus-crop176-bix4.py']
    assert crop.train_dataloader.dataset.pipeline[4].gt_patch_size == 176


def test_quality_speed_pairs_runs_with_benchmarked_configs(tmp_path):
    import json
    study = tmp_path / 'study.json'
    study.write_text(
        json.dumps(
            dict(results=[
                dict(
                    run='a',
                    seed=s,
                    fold='bikes',
                    **{'PSNR-Y': v},
                    bicubic={'PSNR-Y': 30.}) for s, v in ((0, 33.), (1, 35.))
            ])))
    bench = tmp_path / 'bench.json'
    bench.write_text(
        json.dumps(dict(results=[dict(config='a.py', ms_per_frame=12.5)])))
    tool = load('quality_speed.py')
    rows, bicubic = tool.points(
        tool.parse_args(
            ['--study',
             str(study), '--bench',
             str(bench), '--pair', 'a=a.py']))
    assert rows[0]['mean'] == 34. and rows[0]['seeds'] == 2
    assert rows[0]['std'] == pytest.approx(2**0.5)
    assert rows[0]['ms_per_frame'] == 12.5 and bicubic == {'bikes': 30.}
