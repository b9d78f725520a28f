# Copyright (c) mmjffra contributors. All rights reserved.
"""Every config parses, and its model builds through MMagic's registry."""
import pytest
from conftest import REPO
from mmagic.registry import MODELS
from mmengine.config import Config

CONFIGS = sorted(
    str(p.relative_to(REPO)) for p in (REPO / 'configs').rglob('*.py')
    if '_base_' not in p.parts)


def test_configs_found():
    assert len(CONFIGS) >= 10


@pytest.mark.parametrize('path', CONFIGS)
def test_config_parses_and_builds(path):
    cfg = Config.fromfile(REPO / path)
    assert cfg.custom_imports['imports'] == ['mmjffra']
    assert cfg.default_scope == 'mmagic'
    assert cfg.experiment_name in path
    model_cfg = cfg.model.copy()
    gen = model_cfg.generator
    # weights behind URLs in MMagic's recipes are never downloaded
    assert not str(gen.get('spynet_pretrained') or '').startswith('http')
    assert 'http' not in str(gen.get('init_cfg') or '')
    model = MODELS.build(model_cfg)
    assert sum(p.numel() for p in model.parameters()) > 0
    if cfg.model.type == 'JFFRA':
        pipeline = cfg.train_dataloader.dataset.get('pipeline')
        if pipeline is None:  # ConcatDataset
            pipeline = cfg.train_dataloader.dataset.datasets[0].pipeline
        assert pipeline[-1]['type'] == 'PackInputs'
