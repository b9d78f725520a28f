# Shared test settings of synthetic video denoising (JFFRA Table 2, VRT's
# protocol): DAVIS-2017 test-dev (480p) and Set8, AWGN of sigma 10/20/30/40/50
# with a fixed seed, RGB PSNR/SSIM (and the warping error) on whole
# sequences. DAVIS frames stay JPEG (%08d.jpg links), Set8 PNG. Layouts: see
# tools/dataset_converters/README.md.
noise_levels = [10, 20, 30, 40, 50]


def _denoise_test_pipeline(sigma, ext):
    return [
        dict(
            type='GenerateSegmentIndices',
            interval_list=[1],
            filename_tmpl='{:08d}.' + ext),
        dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
        dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
        dict(type='AddGaussianNoise', keys=['img'], sigma=sigma, seed=0),
        dict(type='PackInputs', meta_keys=['noise_sigma'])
    ]


def _denoise_loader(name, data_root, ann_file, sigma, ext):
    return dict(
        num_workers=1,
        batch_size=1,
        persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='BasicFramesDataset',
            metainfo=dict(dataset_type=name, task_name='denoise'),
            data_root=data_root,
            data_prefix=dict(img='GT', gt='GT'),
            ann_file=ann_file,
            depth=1,
            pipeline=_denoise_test_pipeline(sigma, ext)))


def _denoise_evaluator(name, sigma):
    prefix = f'{name}-sigma{sigma}-RGB'
    return [
        dict(type='PSNR', prefix=prefix),
        dict(type='SSIM', prefix=prefix),
        dict(type='WarpingError', prefix=prefix),
    ]


davis_test_dataloaders = [
    _denoise_loader('davis', 'data/DAVIS/test', 'meta_info_DAVIS_test.txt', s,
                    'jpg') for s in noise_levels
]
davis_test_evaluators = [_denoise_evaluator('DAVIS', s) for s in noise_levels]
set8_test_dataloaders = [
    _denoise_loader('set8', 'data/Set8', 'meta_info_Set8.txt', s, 'png')
    for s in noise_levels
]
set8_test_evaluators = [_denoise_evaluator('Set8', s) for s in noise_levels]

# everything of Table 2, and Set8 at sigma 30 for validation during training
denoise_test_dataloaders = davis_test_dataloaders + set8_test_dataloaders
denoise_test_evaluators = davis_test_evaluators + set8_test_evaluators
denoise_val_dataloader = set8_test_dataloaders[2]
denoise_val_evaluator = dict(
    type='Evaluator', metrics=set8_test_evaluators[2])
