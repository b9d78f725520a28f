# Copyright (c) mmjffra contributors. All rights reserved.
import math

import pytest
import torch
from mmagic.registry import METRICS
from skimage import data as skdata
from skimage.transform import resize


def sequence(t=3):
    img = resize(skdata.coffee(), (48, 64), anti_aliasing=True) * 255.
    frame = torch.from_numpy(img).permute(2, 0, 1).float()
    return torch.stack([frame] * t)


def test_zero_for_consistent_static_sequence():
    metric = METRICS.build(dict(type='WarpingError'))
    gt = sequence()
    assert metric.sequence_error(gt, gt.clone()) == pytest.approx(0, abs=1e-6)


def test_flicker_is_measured():
    metric = METRICS.build(dict(type='WarpingError'))
    gt = sequence()
    pred = gt.clone()
    pred[1] += 10.  # frame 1 is 10 grey levels brighter: pairs (0,1), (1,2)
    assert metric.sequence_error(gt, pred) == pytest.approx(
        10 / 255., rel=1e-3)


def test_process_and_compute():
    metric = METRICS.build(dict(type='WarpingError', prefix='x'))
    gt = sequence()
    metric.process([], [dict(gt_img=gt, output=dict(pred_img=gt + 5.))])
    metric.process([], [dict(gt_img=gt[0], output=dict(pred_img=gt[0]))])
    assert len(metric.results) == 1  # single frames are skipped
    assert metric.compute_metrics(metric.results)['WarpingError'] == \
        pytest.approx(0, abs=1e-6)
    assert math.isnan(metric.compute_metrics([])['WarpingError'])
    with pytest.raises(ValueError, match='one shape'):
        metric.sequence_error(gt, gt[:2])
