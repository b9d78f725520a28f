# Embedded demo data: the real clip ``carphone`` (176x144, 120 frames), x4
# bicubic (BI) degraded; prepared by ``python tools/prepare_demo_data.py``.
# Frames [0, 80) train, [80, 120) validate and test. Metrics on RGB, no
# border crop (as MMagic's REDS4 setting).
demo_data_root = 'data/carphone'
scale = 4

demo_val_pipeline = [
    dict(type='GenerateSegmentIndices', interval_list=[1]),
    dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
    dict(type='PackInputs')
]

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
        num_input_frames=40,
        pipeline=demo_val_pipeline))

demo_evaluator = dict(
    type='Evaluator',
    metrics=[
        dict(type='PSNR', prefix='carphone-BIx4-RGB'),
        dict(type='SSIM', prefix='carphone-BIx4-RGB'),
    ])

val_dataloader = demo_val_dataloader
val_evaluator = demo_evaluator
val_cfg = dict(type='ValLoop')
test_dataloader = demo_val_dataloader
test_evaluator = demo_evaluator
test_cfg = dict(type='TestLoop')
