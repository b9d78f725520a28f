# JFFRA (small preset) on the embedded demo clip, at CPU size: the same data,
# crop, batch and iterations as basicvsr_c16b4_1xb2-300i_carphone-bix4.py.
_base_ = [
    'mmagic::_base_/default_runtime.py',
    '../_base_/models/jffra_small.py',
    '../_base_/datasets/carphone_demo_x4.py',
]

custom_imports = dict(imports=['mmjffra'], allow_failed_imports=False)
experiment_name = 'jffra-small_1xb2-300i_carphone-bix4'
work_dir = f'./work_dirs/{experiment_name}'

train_dataloader = dict(
    num_workers=0,
    batch_size=2,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicFramesDataset',
        metainfo=dict(dataset_type='carphone', task_name='vsr'),
        data_root='data/carphone',
        data_prefix=dict(img='BIx4', gt='GT'),
        ann_file='meta_info_carphone_train.txt',
        depth=1,
        # 2N+3 frames: frames t-1, t, t+1 are each restored from their own
        # window of 2N+1 = 3 frames for the temporal loss.
        num_input_frames=5,
        pipeline=[
            dict(type='GenerateSegmentIndices', interval_list=[1]),
            dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
            dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
            dict(type='SetValues', dictionary=dict(scale=4)),
            dict(type='PairedRandomCrop', gt_patch_size=64),
            dict(
                type='Flip',
                keys=['img', 'gt'],
                flip_ratio=0.5,
                direction='horizontal'),
            dict(
                type='Flip',
                keys=['img', 'gt'],
                flip_ratio=0.5,
                direction='vertical'),
            dict(
                type='RandomTransposeHW',
                keys=['img', 'gt'],
                transpose_ratio=0.5),
            dict(type='PackInputs')
        ]))

max_iters = 300
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(
    constructor='DefaultOptimWrapperConstructor',
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-3, betas=(0.9, 0.99)))
param_scheduler = dict(
    type='CosineRestartLR',
    by_epoch=False,
    periods=[max_iters],
    restart_weights=[1],
    eta_min=1e-5)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(
        interval=max_iters, out_dir=None, max_keep_ckpts=2, save_best=None))
custom_hooks = []
env_cfg = dict(dist_cfg=dict(backend='gloo'))
