# REDS x4 bicubic (BI): training on the REDS training clips without REDS4,
# validation and test on REDS4 with MMagic's REDS4 test setting; RGB
# PSNR/SSIM and the warping error. The JFFRA recipe's loader (batch 6 per GPU,
# 5-frame clips); a model's config overrides what its recipe changes.
_base_ = [
    '../default_runtime.py',
    'mmagic::_base_/datasets/basicvsr_test_config.py',
    './pipelines.py',
]

train_dataloader = dict(
    num_workers=6,
    batch_size=6,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicFramesDataset',
        metainfo=dict(dataset_type='reds_reds4', task_name='vsr'),
        data_root='data/REDS',
        data_prefix=dict(img='train_sharp_bicubic/X4', gt='train_sharp'),
        ann_file='meta_info_reds4_train.txt',
        depth=1,
        num_input_frames=_base_.num_train_frames,
        pipeline=_base_.frames_train_pipeline))

reds4_evaluator = [
    dict(type='PSNR', prefix='REDS4-BIx4-RGB'),
    dict(type='SSIM', prefix='REDS4-BIx4-RGB'),
    dict(type='WarpingError', prefix='REDS4-BIx4-RGB')
]
val_dataloader = _base_.reds_dataloader
val_evaluator = dict(type='Evaluator', metrics=reds4_evaluator)
test_dataloader = [_base_.reds_dataloader]
test_evaluator = [reds4_evaluator]

# the key the validation above produces (see ../default_runtime.py)
default_hooks = dict(checkpoint=dict(save_best='REDS4-BIx4-RGB/PSNR'))
