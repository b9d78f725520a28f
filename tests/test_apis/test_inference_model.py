# Copyright (c) mmjffra contributors. All rights reserved.
"""Models for inference from a config and a checkpoint: the weights that
load are the ones saved, and a wrong file is refused in one line."""
import re

import pytest
import torch
from mmagic.registry import MODELS
from mmengine.config import Config
from test_inference_path import (BASICVSR, EDVR, JFFRA, frames_of,
                                 mmagic_release)

from mmjffra.apis import VideoRestorer
from mmjffra.apis.inference_model import (build_inference_model,
                                          generator_state_dict,
                                          load_generator_checkpoint)
from mmjffra.errors import CheckpointMismatchError, ConfigError


def assert_same_weights(generator, saved):
    """Every tensor of ``generator`` equals the saved one of that name."""
    loaded = generator.state_dict()
    assert set(loaded) == set(saved)
    for key, value in saved.items():
        assert torch.equal(loaded[key], value), key


def test_generator_entries_of_a_state_dict():
    one, two = torch.ones(1), torch.zeros(1)
    state = {
        'module.generator.conv.weight': one,
        'module.step_counter': two,
        'module.pixel_loss.weight': two
    }
    assert generator_state_dict(state) == {'conv.weight': one}
    assert generator_state_dict({'conv.weight': one}) == {'conv.weight': one}


def test_the_inference_model_downloads_nothing_and_drops_training_parts():
    cfg = Config.fromfile(BASICVSR)
    # as MMagic's released configs: a URL (no network here)
    cfg.model.generator.spynet_pretrained = 'https://example.invalid/s.pth'
    model = build_inference_model(cfg)
    assert not model.training
    cfg = Config.fromfile(JFFRA)
    assert cfg.model.get('temporal_loss')
    assert getattr(build_inference_model(cfg), 'temporal_loss', None) is None


def test_checkpoints_of_our_config_with_a_learned_temporal_loss(
        demo_data, tmp_path):
    cfg = Config.fromfile(JFFRA)
    cfg.model.temporal_loss.flow_estimator = dict(
        type='SPyNetFlowEstimator', pretrained='random')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    assert any(k.startswith('temporal_loss.') for k in model.state_dict())
    path = tmp_path / 'jffra.pth'
    torch.save(dict(meta=dict(), state_dict=model.state_dict()), path)
    restorer = VideoRestorer(JFFRA, str(path))
    assert_same_weights(restorer.generator, model.generator.state_dict())
    assert len(list(restorer.restore_stream(frames_of(demo_data, 3)))) == 3


def test_ddp_prefix_and_bare_generator_state_dicts(tmp_path):
    model = mmagic_release(EDVR, tmp_path / 'ddp.pth', wrap_ddp=True)
    saved = model.generator.state_dict()
    torch.manual_seed(1)  # other random weights than the saved ones
    restorer = VideoRestorer(EDVR, str(tmp_path / 'ddp.pth'))
    assert_same_weights(restorer.generator, saved)
    torch.save(saved, tmp_path / 'bare.pth')
    generator = MODELS.build(Config.fromfile(EDVR).model).generator
    assert not torch.equal(generator.conv_first.weight,
                           saved['conv_first.weight'])
    load_generator_checkpoint(generator, str(tmp_path / 'bare.pth'))
    assert_same_weights(generator, saved)


def test_mismatch_is_one_line_naming_config_checkpoint_and_keys(tmp_path):
    mmagic_release(EDVR, tmp_path / 'edvr.pth')
    with pytest.raises(CheckpointMismatchError) as info:
        VideoRestorer(JFFRA, str(tmp_path / 'edvr.pth'))
    msg = str(info.value)
    assert '\n' not in msg
    assert 'edvr.pth' in msg and 'jffra-small_1xb2' in msg
    assert re.search(r"\d+ missing keys \['\w+", msg)
    assert re.search(r"100 unexpected keys \['conv_first", msg)
    (tmp_path / 'junk.pth').write_bytes(b'not a checkpoint')
    with pytest.raises(CheckpointMismatchError, match='cannot read.*junk'):
        VideoRestorer(JFFRA, str(tmp_path / 'junk.pth'))
    # a config and a checkpoint in the wrong order
    with pytest.raises(
            ConfigError, match='the config comes before the '
            'checkpoint'):
        VideoRestorer(str(tmp_path / 'edvr.pth'), JFFRA)
    with pytest.raises(CheckpointMismatchError, match='is a config file'):
        VideoRestorer(JFFRA, JFFRA)
