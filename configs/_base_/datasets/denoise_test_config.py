# Test settings of synthetic video denoising (JFFRA Table 2, VRT's protocol):
# DAVIS-2017 test-dev (480p) and Set8, AWGN of sigma 10/20/30/40/50 with a
# fixed seed, RGB PSNR/SSIM (and the warping error) on whole sequences;
# Set8 at sigma 30 validates during training. DAVIS frames stay JPEG
# (%08d.jpg links), Set8 PNG. Layouts: see tools/dataset_converters/README.md.
_base_ = '../default_runtime.py'

noise_levels = [10, 20, 30, 40, 50]
# (name in the metric prefix, metainfo name, data root, annotation file,
# frame extension)
denoise_test_sets = [
    ('DAVIS', 'davis', 'data/DAVIS/test', 'meta_info_DAVIS_test.txt', 'jpg'),
    ('Set8', 'set8', 'data/Set8', 'meta_info_Set8.txt', 'png'),
]

test_dataloader = [
    dict(
        num_workers=1,
        batch_size=1,
        persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='BasicFramesDataset',
            metainfo=dict(dataset_type=name, task_name='denoise'),
            data_root=root,
            data_prefix=dict(img='GT', gt='GT'),
            ann_file=ann_file,
            depth=1,
            pipeline=[
                dict(
                    type='GenerateSegmentIndices',
                    interval_list=[1],
                    filename_tmpl='{:08d}.' + ext),
                dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
                dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
                dict(
                    type='AddGaussianNoise', keys=['img'], sigma=sigma,
                    seed=0),
                dict(type='PackInputs', meta_keys=['noise_sigma'])
            ])) for _, name, root, ann_file, ext in denoise_test_sets
    for sigma in noise_levels
]
test_evaluator = [[
    dict(type='PSNR', prefix=f'{prefix}-sigma{sigma}-RGB'),
    dict(type='SSIM', prefix=f'{prefix}-sigma{sigma}-RGB'),
    dict(type='WarpingError', prefix=f'{prefix}-sigma{sigma}-RGB'),
] for prefix, *_ in denoise_test_sets for sigma in noise_levels]
test_cfg = dict(type='MultiTestLoop')

# Set8 at sigma 30
val_dataloader = test_dataloader[7]
val_evaluator = dict(type='Evaluator', metrics=test_evaluator[7])
# the key the validation above produces (see ../default_runtime.py)
default_hooks = dict(checkpoint=dict(save_best='Set8-sigma30-RGB/PSNR'))
