# Copyright (c) mmjffra contributors. All rights reserved.
"""The paper configs' pipelines run on small real-image datasets laid out
as the configs and tools/dataset_converters expect."""
import cv2
import numpy as np
import torch
from conftest import REPO
from mmagic.registry import DATASETS, MODELS
from mmengine.config import Config
from skimage import data as skdata

TINY_GENERATOR = dict(
    mid_channels=8,
    channel_multipliers=(1, ),
    num_heads=(1, ),
    num_res_blocks=0,
    num_reconstruction_blocks=1)


def frames(n, size=64):
    img = skdata.astronaut()
    return [
        np.ascontiguousarray(img[40 + 2 * i:40 + 2 * i + size,
                                 150:150 + size, ::-1]) for i in range(n)
    ]


def write(folder, imgs, names):
    folder.mkdir(parents=True, exist_ok=True)
    for img, name in zip(imgs, names):
        cv2.imwrite(str(folder / name), img)


def tiny_model(cfg, **gen):
    model_cfg = cfg.model.copy()
    model_cfg.pop('temporal_loss')
    model_cfg.generator.update(TINY_GENERATOR, **gen)
    # replace (not merge) the paper preset's RAFT
    model_cfg.generator.flow_estimator = dict(
        type='DISFlowEstimator', preset='ultrafast')
    return MODELS.build(model_cfg).eval()


def set_crop(dataset_cfg, size):
    """Set the GT crop of a training pipeline (its PairedRandomCrop)."""
    crops = [
        step for step in dataset_cfg.pipeline
        if step.type == 'PairedRandomCrop'
    ]
    assert len(crops) == 1
    crops[0].gt_patch_size = size


def collate(sample):
    return dict(
        inputs=[sample['inputs']], data_samples=[sample['data_samples']])


def test_vimeo90k_bi_config(tmp_path):
    cfg = Config.fromfile(REPO / 'configs/jffra/'
                          'jffra_c64_8xb6-700k_vimeo90k-bi.py')
    names = [f'im{i}.png' for i in range(1, 8)]
    gt = frames(7)
    write(tmp_path / 'GT/00001/0001', gt, names)
    write(tmp_path / 'BIx4/00001/0001',
          [cv2.resize(f, (16, 16), interpolation=cv2.INTER_AREA) for f in gt],
          names)
    for split in ('train', 'test'):
        (tmp_path / f'meta_info_Vimeo90K_{split}_GT.txt'
         ).write_text('00001/0001 7 (64,64,3)\n')

    train = cfg.train_dataloader.dataset
    train.data_root = str(tmp_path)
    set_crop(train, 32)
    sample = DATASETS.build(train)[0]
    assert sample['inputs'].shape == (5, 3, 8, 8)
    assert sample['data_samples'].gt_img.shape == (5, 3, 32, 32)

    test = cfg.test_dataloader[0].dataset  # Vimeo-90K-T, MMagic's setting
    test.data_root = str(tmp_path)
    sample = DATASETS.build(test)[0]
    assert sample['inputs'].shape[0] == 14  # MirrorSequence for BasicVSR
    model = tiny_model(cfg)
    out = model.val_step(collate(sample))[0]
    assert out.output.pred_img.shape == (3, 64, 64)


def test_davis_denoise_config(tmp_path):
    cfg = Config.fromfile(REPO / 'configs/jffra/'
                          'jffra_c64_8xb6-700k_davis-denoise.py')
    names = [f'{i:08d}.jpg' for i in range(6)]
    for split in ('train', 'test'):
        write(tmp_path / split / 'GT/bear', frames(6), names)
        (tmp_path / split /
         f'meta_info_DAVIS_{split}.txt').write_text('bear 6\n')
    train = cfg.train_dataloader.dataset
    train.data_root = str(tmp_path / 'train')
    set_crop(train, 32)
    sample = DATASETS.build(train)[0]
    sigma = sample['data_samples'].metainfo['noise_sigma']
    assert 0 <= sigma <= 50
    noise = sample['inputs'] - sample['data_samples'].gt_img
    assert abs(noise.std().item() - sigma) < 0.2 * sigma + 0.5

    test = cfg.test_dataloader[2].dataset  # DAVIS, sigma 30
    test.data_root = str(tmp_path / 'test')
    sample = DATASETS.build(test)[0]
    assert sample['data_samples'].metainfo['noise_sigma'] == 30
    again = DATASETS.build(test)[0]
    assert torch.equal(sample['inputs'], again['inputs'])  # fixed seed
    model = tiny_model(cfg)
    assert model.generator.with_noise_map
    out = model.val_step(collate(sample))[0]
    assert out.output.pred_img.shape == (6, 3, 64, 64)
