# Copyright (c) mmjffra contributors. All rights reserved.
"""Shipped weights: found by name, small, restoring better than bicubic;
the publishing and side-by-side tools."""
import importlib.util
import os

import cv2
import numpy as np
import pytest
import torch
from conftest import REPO
from mmagic.registry import MODELS
from mmengine.config import Config

from mmjffra.apis.model_zoo import find_model, list_models
from mmjffra.errors import UnknownModelError

JFFRA = str(REPO / 'configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py')
SHIPPED = ('jffra-small-x4', 'jffra-small-denoise')


def load(script):
    spec = importlib.util.spec_from_file_location(
        script.replace('/', '_'), REPO / script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('name', SHIPPED)
def test_shipped_weights_are_indexed_small_and_load(name):
    config, weights = find_model(name)
    assert os.path.isfile(config) and os.path.isfile(weights)
    assert os.path.getsize(weights) < 5e6
    from mmjffra.apis import VideoRestorer
    sigma = 30 if 'denoise' in name else None
    VideoRestorer(config, weights, noise_sigma=sigma)  # strict load
    entry = list_models()[name]
    metrics = entry['Results'][0]['Metrics']
    assert metrics and all(np.isfinite(v) for v in metrics.values())


def test_unknown_model_names_the_shipped_ones():
    with pytest.raises(UnknownModelError, match='jffra-small-x4'):
        find_model('jffra-huge')
    # listed, but without weights
    with pytest.raises(UnknownModelError):
        find_model('jffra_c64_8xb6-700k_reds4')


def test_url_weights_are_not_downloaded(tmp_path, capsys, monkeypatch):
    import torch.hub
    from conftest import run_tool
    monkeypatch.setattr(torch.hub, 'download_url_to_file',
                        lambda *a, **k: pytest.fail('downloaded'))
    with pytest.raises(UnknownModelError, match='never downloaded') as err:
        find_model('rvrt_official-001_reds4')
    assert 'https://github.com/JingyunLiang/RVRT/releases' in str(err.value)
    assert 'configs/rvrt/rvrt_official-001_reds4.py <downloaded file>' in \
        str(err.value)
    with pytest.raises(UnknownModelError) as err:
        find_model('jffra-huge')  # the URL-only models are not "shipped"
    assert 'rvrt_official' not in str(err.value)
    run_tool(
        'tools/restore_video.py',
        '--model',
        'rvrt_official-001_reds4',
        tmp_path / 'in.mp4',
        tmp_path / 'out.mp4',
        code=2)
    assert 'never downloaded' in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_list_models(capsys):
    from conftest import run_tool
    run_tool('tools/restore_video.py', '--list-models')
    lines = capsys.readouterr().out.strip().splitlines()
    names = [line.split()[0] for line in lines]
    assert set(SHIPPED) < set(names) and 'rvrt_official-006_davis-denoise' \
        in names
    x4 = lines[names.index('jffra-small-x4')]
    assert '[Video Super-Resolution, x4]' in x4 and x4.endswith('.pth')
    assert '[Video Denoising, x1]' in lines[names.index('jffra-small-denoise')]
    assert 'download https://' in lines[names.index('rvrt_official-001_reds4')]


def test_the_index_scale_is_the_configs():
    with_weights = {n: e for n, e in list_models().items() if e['Weights']}
    assert len(with_weights) >= 10
    for name, entry in with_weights.items():
        generator = Config.fromfile(entry['Config']).model.generator
        assert entry['Metadata'].data['Scale'] == \
            generator.upscale_factor, name


def test_shipped_x4_beats_bicubic_on_real_frames(demo_data, capsys, tmp_path):
    """The README's first command: the shipped model on real frames it did
    not train on (carphone is in its training set, so frames of the
    validation half are used only as a smoke check of the numbers' sign:
    the held-out figure is the metafile's)."""
    tool = load('tools/analysis_tools/side_by_side.py')
    tool.main([
        '--model', 'jffra-small-x4', '--lq',
        str(demo_data / 'BIx4/carphone_val'), '--gt',
        str(demo_data / 'GT/carphone_val'), '--frames', '4', '--out',
        str(tmp_path / 'crops.png'), '--gif',
        str(tmp_path / 'clip.gif')
    ])
    out = capsys.readouterr().out
    line = [x for x in out.splitlines() if 'PSNR' in x][0]
    bic = float(line.split('bicubic ')[1].split(' /')[0])
    model = float(line.split('model ')[1].split(' /')[0])
    assert model > bic, line
    crops = cv2.imread(str(tmp_path / 'crops.png'))
    # three 128 px crops zoomed x2 side by side, 4 px gaps, 22 px captions
    assert crops.shape == (2 * 128 + 22, 3 * 256 + 8, 3)
    from PIL import Image
    with Image.open(tmp_path / 'clip.gif') as gif:
        assert gif.n_frames == 4


def test_publish_model_keeps_the_generator_only(tmp_path):
    cfg = Config.fromfile(JFFRA)
    cfg.model.temporal_loss.flow_estimator = dict(
        type='SPyNetFlowEstimator', pretrained='random')
    model = MODELS.build(cfg.model)
    torch.save(
        dict(
            meta=dict(iter=7, seed=0),
            state_dict=model.state_dict(),
            optimizer=dict(state={}, param_groups=[])), tmp_path / 'ckpt.pth')
    tool = load('tools/model_converters/publish_model.py')
    import sys
    argv = sys.argv
    sys.argv = [
        'publish_model.py',
        str(tmp_path / 'ckpt.pth'),
        str(tmp_path / 'pub.pth')
    ]
    try:
        tool.main()
    finally:
        sys.argv = argv
    [published] = list(tmp_path.glob('pub-*.pth'))
    ckpt = torch.load(published, weights_only=True)
    assert set(ckpt) == {'meta', 'state_dict'}
    assert ckpt['meta'] == dict(iter=7, seed=0)
    assert all(k.startswith('generator.') for k in ckpt['state_dict'])
    assert len(ckpt['state_dict']) == len(model.generator.state_dict())
