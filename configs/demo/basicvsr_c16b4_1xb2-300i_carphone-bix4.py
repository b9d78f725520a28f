# MMagic's BasicVSR on the embedded demo clip, at CPU size.
# Inherits MMagic's REDS4 recipe; only data, size and schedule change.
_base_ = [
    'mmagic::basicvsr/basicvsr_2xb4_reds4.py',
    '../_base_/datasets/carphone_demo_x4.py'
]

custom_imports = dict(imports=['mmjffra'], allow_failed_imports=False)
experiment_name = 'basicvsr_c16b4_1xb2-300i_carphone-bix4'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    generator=dict(
        mid_channels=16,
        num_blocks=4,
        # MMagic downloads SPyNet weights from a URL; no download here:
        # random initialisation (pass a local path to use real weights).
        spynet_pretrained=None))

train_dataloader = dict(
    num_workers=0,
    batch_size=2,
    dataset=dict(
        metainfo=dict(dataset_type='carphone', task_name='vsr'),
        data_root='data/carphone',
        data_prefix=dict(img='BIx4', gt='GT'),
        ann_file='meta_info_carphone_train.txt',
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
param_scheduler = dict(periods=[max_iters])
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=max_iters, out_dir=None, max_keep_ckpts=2))
custom_hooks = []
env_cfg = dict(dist_cfg=dict(backend='gloo'))
