# The CPU demo recipe's data and schedule, as named pieces: the real clip
# ``carphone`` (176x144, 120 frames), x4 bicubic (BI) degraded, prepared by
# ``python tools/prepare_demo_data.py``. Frames [0, 80) train, [80, 120)
# validate and test. Metrics on RGB, no border crop (as MMagic's REDS4
# setting), plus the warping error. Names are prefixed with ``demo_`` so
# that this file can be a base next to MMagic's recipes (configs/demo/
# basicvsr_*, edvrm_*), which pick the pieces as ``_base_.demo_...``; our
# own models take them all through ../demo_recipe.py.
demo_data_root = 'data/carphone'

# training clips of 5 consecutive frames, 64x64 GT crops (step 4)
demo_load_pair = [
    dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
]
demo_flip_transpose = [
    dict(
        type='Flip',
        keys=['img', 'gt'],
        flip_ratio=0.5,
        direction='horizontal'),
    dict(
        type='Flip', keys=['img', 'gt'], flip_ratio=0.5, direction='vertical'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
]
demo_augment = [
    dict(type='SetValues', dictionary=dict(scale=4)),
    dict(type='PairedRandomCrop', gt_patch_size=64),
] + demo_flip_transpose
demo_train_pipeline = [
    dict(type='GenerateSegmentIndices', interval_list=[1])
] + demo_load_pair + demo_augment + [dict(type='PackInputs')]

demo_train_dataloader = dict(
    num_workers=0,
    batch_size=2,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicFramesDataset',
        metainfo=dict(dataset_type='carphone', task_name='vsr'),
        data_root=demo_data_root,
        data_prefix=dict(img='BIx4', gt='GT'),
        ann_file='meta_info_carphone_train.txt',
        depth=1,
        num_input_frames=5,
        pipeline=demo_train_pipeline))

demo_val_pipeline = [dict(type='GenerateSegmentIndices', interval_list=[1])
                     ] + demo_load_pair + [dict(type='PackInputs')]

demo_val_dataloader = dict(
    num_workers=0,
    batch_size=1,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicFramesDataset',
        metainfo=dict(dataset_type='carphone', task_name='vsr'),
        data_root=demo_data_root,
        data_prefix=dict(img='BIx4', gt='GT'),
        ann_file='meta_info_carphone_val.txt',
        depth=1,
        num_input_frames=None,  # the whole test clip, whatever its length
        fixed_seq_len=None,  # MMagic's REDS4 base sets 100
        pipeline=demo_val_pipeline))

demo_metrics = [
    dict(type='PSNR', prefix='carphone-BIx4-RGB'),
    dict(type='SSIM', prefix='carphone-BIx4-RGB'),
    dict(type='WarpingError', prefix='carphone-BIx4-RGB'),
]

# schedule shared by the demo configs of every model
demo_max_iters = 1000
demo_train_cfg = dict(
    type='IterBasedTrainLoop',
    max_iters=demo_max_iters,
    val_interval=demo_max_iters)
demo_optimizer = dict(type='Adam', lr=1e-3, betas=(0.9, 0.99))
demo_param_scheduler = dict(
    type='CosineRestartLR',
    by_epoch=False,
    periods=[demo_max_iters],
    restart_weights=[1],
    eta_min=1e-5)
demo_default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(
        interval=demo_max_iters,
        out_dir=None,  # in the work dir (MMagic's recipes: ./work_dirs)
        max_keep_ckpts=2,
        save_best='carphone-BIx4-RGB/PSNR'))
