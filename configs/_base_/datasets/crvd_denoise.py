# CRVD (Yue et al., CVPR 2020) real video denoising in sRGB: indoor scenes
# 1-6 train, 7-11 test, five ISO settings (1600-25600), one dataset per ISO
# (trained together, tested one by one; the highest ISO validates). Prepare
# with `tools/dataset_converters/prepare_video_dataset.py crvd`. RGB
# PSNR/SSIM. The JFFRA recipe's loader (batch 6 per GPU, 5-frame clips).
_base_ = ['../default_runtime.py', './pipelines.py']

isos = [1600, 3200, 6400, 12800, 25600]

train_dataloader = dict(
    num_workers=6,
    batch_size=6,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='ConcatDataset',
        datasets=[
            dict(
                type='BasicFramesDataset',
                metainfo=dict(dataset_type='crvd', task_name='denoise'),
                data_root=f'data/CRVD/train/ISO{iso}',
                data_prefix=dict(img='NOISY', gt='GT'),
                ann_file='meta_info_CRVD_train.txt',
                depth=1,
                pipeline=_base_.png_x1_train_pipeline,
                num_input_frames=_base_.num_train_frames) for iso in isos
        ]))

test_dataloader = [
    dict(
        num_workers=1,
        batch_size=1,
        persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='BasicFramesDataset',
            metainfo=dict(dataset_type='crvd', task_name='denoise'),
            data_root=f'data/CRVD/test/ISO{iso}',
            data_prefix=dict(img='NOISY', gt='GT'),
            ann_file='meta_info_CRVD_test.txt',
            depth=1,
            pipeline=_base_.png_test_pipeline)) for iso in isos
]
test_evaluator = [[
    dict(type='PSNR', prefix=f'CRVD-ISO{iso}-RGB'),
    dict(type='SSIM', prefix=f'CRVD-ISO{iso}-RGB'),
] for iso in isos]
test_cfg = dict(type='MultiTestLoop')

val_dataloader = test_dataloader[-1]
val_evaluator = dict(type='Evaluator', metrics=test_evaluator[-1])
# the key the validation above produces (see ../default_runtime.py)
default_hooks = dict(checkpoint=dict(save_best='CRVD-ISO25600-RGB/PSNR'))
