# Copyright (c) mmjffra contributors. All rights reserved.
import numpy as np
import pytest
import torch
from mmagic.models.utils import flow_warp
from mmagic.registry import MODELS
from skimage import data as skdata
from skimage.transform import resize


def real_image(size=(96, 128)):
    """A real photograph (skimage's astronaut), RGB float in [0, 1]."""
    img = resize(skdata.astronaut(), size, anti_aliasing=True)
    return torch.from_numpy(img).permute(2, 0, 1)[None].float()


# estimators with weights (DIS has none); random weights said explicitly
LEARNED = [
    dict(
        type='RAFTFlowEstimator',
        arch='raft_small',
        num_flow_updates=2,
        pretrained='random'),
    dict(type='SPyNetFlowEstimator', pretrained='random'),
]


def test_flow_warp_by_integer_flow_equals_shift():
    img = real_image()
    dy, dx = 3, -2
    supp = torch.roll(img, shifts=(dy, dx), dims=(2, 3))
    flow = torch.zeros(1, 96, 128, 2)
    flow[..., 0], flow[..., 1] = dx, dy
    warped = flow_warp(supp, flow)
    assert torch.allclose(
        warped[..., 8:-8, 8:-8], img[..., 8:-8, 8:-8], atol=1e-5)


def test_dis_recovers_known_shift_of_real_image():
    estimator = MODELS.build(dict(type='DISFlowEstimator'))
    img = real_image()
    dy, dx = 2, -3
    supp = torch.roll(img, shifts=(dy, dx), dims=(2, 3))
    flow = estimator(img, supp)
    assert flow.shape == (1, 2, 96, 128)
    interior = flow[0, :, 12:-12, 12:-12]
    err_x = (interior[0] - dx).abs()
    err_y = (interior[1] - dy).abs()
    assert err_x.mean() < 0.5 and err_y.mean() < 0.5
    assert err_x.median() < 0.5 and err_y.median() < 0.5
    # grey input works too and gives the same kind of answer
    grey = img.mean(1, keepdim=True)
    flow_grey = estimator(grey, torch.roll(grey, (dy, dx), (2, 3)))
    assert (flow_grey[0, 0, 12:-12, 12:-12] - dx).abs().median() < 0.5


def test_dis_accepts_tiny_images():
    estimator = MODELS.build(dict(type='DISFlowEstimator'))
    img = real_image((8, 10))
    flow = estimator(img, img.clone())
    assert flow.shape == (1, 2, 8, 10)
    assert flow.abs().max() < 0.5


def test_dis_flow_of_a_pair_does_not_depend_on_the_batch():
    estimator = MODELS.build(dict(type='DISFlowEstimator'))
    img = real_image()
    supp = torch.roll(img, shifts=(1, 2), dims=(2, 3))
    alone = estimator(img, supp)
    batch = estimator(torch.cat([img, img, img]), torch.cat([img, supp, supp]))
    assert torch.equal(batch[1:2], alone) and torch.equal(batch[2:], alone)


@pytest.mark.parametrize('cfg', LEARNED)
def test_learned_estimators_return_input_size_for_small_inputs(cfg):
    torch.manual_seed(0)
    estimator = MODELS.build(cfg)
    ref, supp = torch.rand(2, 3, 40, 52), torch.rand(2, 3, 40, 52)
    flow = estimator(ref, supp)
    assert flow.shape == (2, 2, 40, 52)
    assert torch.isfinite(flow).all()
    assert not flow.requires_grad


@pytest.mark.parametrize('cfg', LEARNED)
def test_estimators_back_to_float32_in_a_half_model(cfg):
    from mmjffra.models.flow_estimators import flow_estimators_to_float32
    torch.manual_seed(0)
    estimator = MODELS.build(cfg)
    ref, supp = torch.rand(1, 3, 32, 40), torch.rand(1, 3, 32, 40)
    expected = estimator(ref, supp)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 3, 1), estimator).half()
    assert all(p.dtype == torch.float16 for p in estimator.parameters())
    assert flow_estimators_to_float32(net) is net
    assert net[0].weight.dtype == torch.float16
    assert all(p.dtype == torch.float32 for p in estimator.parameters())
    assert all(b.dtype == torch.float32 for b in estimator.buffers()
               if b.is_floating_point())
    # half inputs are estimated in float32: the same flow up to the
    # rounding of the inputs to half
    flow = estimator(ref.half(), supp.half())
    assert flow.dtype == torch.float32
    assert torch.allclose(flow,
                          estimator(ref.half().float(),
                                    supp.half().float()))
    assert (flow - expected).abs().max() < 0.05


def test_estimators_are_frozen_and_stay_in_eval_mode():
    estimator = MODELS.build(
        dict(type='SPyNetFlowEstimator', pretrained='random'))
    assert all(not p.requires_grad for p in estimator.parameters())
    estimator.train()
    assert not estimator.training
    assert not any(m.training for m in estimator.modules())


def test_estimator_input_errors(tmp_path):
    estimator = MODELS.build(dict(type='DISFlowEstimator'))
    with pytest.raises(ValueError, match='same shape'):
        estimator(torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 9))
    with pytest.raises(ValueError, match='1- or 3-channel'):
        estimator(torch.rand(1, 2, 8, 8), torch.rand(1, 2, 8, 8))
    with pytest.raises(ValueError, match='preset'):
        MODELS.build(dict(type='DISFlowEstimator', preset='slow'))
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        MODELS.build(
            dict(type='SPyNetFlowEstimator', pretrained='missing.pth'))
    corrupt = tmp_path / 'corrupt.pth'
    corrupt.write_bytes(b'not a checkpoint')
    with pytest.raises(ValueError, match='corrupt.pth'):
        MODELS.build(dict(type='RAFTFlowEstimator', pretrained=str(corrupt)))


def test_spynet_loads_local_weights(tmp_path):
    src = MODELS.build(dict(type='SPyNetFlowEstimator', pretrained='random'))
    path = tmp_path / 'spynet.pth'
    torch.save(src.spynet.state_dict(), path)
    dst = MODELS.build(dict(type='SPyNetFlowEstimator', pretrained=str(path)))
    for a, b in zip(src.parameters(), dst.parameters()):
        assert torch.equal(a, b)
    np.testing.assert_array_equal(
        src(
            torch.rand(1, 3, 32, 32).fill_(0.5), torch.full((1, 3, 32, 32),
                                                            0.5)).numpy(),
        dst(torch.full((1, 3, 32, 32), 0.5), torch.full((1, 3, 32, 32),
                                                        0.5)).numpy())


@pytest.mark.parametrize('cfg, url', [
    (dict(type='RAFTFlowEstimator',
          arch='raft_large'), 'raft_large_C_T_SKHT_V2'),
    (dict(type='SPyNetFlowEstimator'), 'spynet_20210409-c6c1bd09.pth'),
])
def test_learned_estimator_without_weights_is_refused(cfg, url):
    # a 700k-iteration run on noise flows must not start silently
    with pytest.raises(ValueError) as err:
        MODELS.build(cfg)
    msg = str(err.value)
    assert url in msg
    assert 'model.generator.flow_estimator.pretrained' in msg
    assert "pretrained='random'" in msg
    est = MODELS.build(dict(cfg, pretrained='random'))
    assert est.random_weights
    assert not MODELS.build(dict(type='DISFlowEstimator')).random_weights


def test_random_weights_only_for_learned_estimators():
    from mmjffra.models.flow_estimators import \
        random_weights_for_learned_estimators
    cfg = dict(
        type='JFFRA',
        generator=dict(
            type='JFFRANet',
            flow_estimator=dict(type='RAFTFlowEstimator', pretrained=None)),
        temporal_loss=dict(
            type='OcclusionAwareTemporalLoss',
            flow_estimator=dict(type='DISFlowEstimator')),
        extra=[dict(type='SPyNetFlowEstimator', pretrained='w.pth')])
    random_weights_for_learned_estimators(cfg)
    assert cfg['generator']['flow_estimator']['pretrained'] == 'random'
    assert cfg['extra'][0]['pretrained'] == 'random'
    assert 'pretrained' not in cfg['temporal_loss']['flow_estimator']
    assert 'pretrained' not in cfg['generator']
