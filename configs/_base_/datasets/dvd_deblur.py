# DVD (Su et al., CVPR 2017) video deblurring: 61 training and 10 test
# sequences of blurry/sharp 1280x720 frames, prepared by
# tools/dataset_converters/prepare_video_dataset.py dvd. RGB PSNR/SSIM (and
# warping error) on every test frame. The JFFRA recipe's loader (batch 6 per
# GPU, 5-frame clips); a model's config overrides what its recipe changes.
_base_ = ['../default_runtime.py', './pipelines.py']

train_dataloader = dict(
    num_workers=6,
    batch_size=6,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicFramesDataset',
        metainfo=dict(dataset_type='dvd', task_name='deblur'),
        data_root='data/DVD/train',
        data_prefix=dict(img='BLUR', gt='GT'),
        ann_file='meta_info_DVD_train.txt',
        depth=1,
        pipeline=_base_.jpg_x1_train_pipeline,
        num_input_frames=_base_.num_train_frames))

val_dataloader = dict(
    num_workers=1,
    batch_size=1,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicFramesDataset',
        metainfo=dict(dataset_type='dvd', task_name='deblur'),
        data_root='data/DVD/test',
        data_prefix=dict(img='BLUR', gt='GT'),
        ann_file='meta_info_DVD_test.txt',
        depth=1,
        pipeline=_base_.jpg_test_pipeline))
dvd_evaluator = [
    dict(type='PSNR', prefix='DVD-RGB'),
    dict(type='SSIM', prefix='DVD-RGB'),
    dict(type='WarpingError', prefix='DVD-RGB'),
]
val_evaluator = dict(type='Evaluator', metrics=dvd_evaluator)
test_dataloader = [val_dataloader]
test_evaluator = [dvd_evaluator]
test_cfg = dict(type='MultiTestLoop')

# the key the validation above produces (see ../default_runtime.py)
default_hooks = dict(checkpoint=dict(save_best='DVD-RGB/PSNR'))
