# MMagic's EDVR-M on the embedded demo clip, at CPU size: the same data,
# crop (64 px GT), batch, optimiser and iterations as the JFFRA and BasicVSR
# demo configs. Inherits MMagic's REDS recipe; only data, size and schedule
# change.
_base_ = [
    'mmagic::edvr/edvrm_8xb4-600k_reds.py',
    '../_base_/datasets/carphone_demo_x4.py'
]

custom_imports = dict(imports=['mmjffra'], allow_failed_imports=False)
experiment_name = 'edvrm_c16_1xb2-1000i_carphone-bix4'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    generator=dict(
        mid_channels=16,
        deform_groups=4,
        num_blocks_extraction=2,
        num_blocks_reconstruction=4,
        # MMagic initialises EDVR-M from a checkpoint URL; no download here.
        init_cfg=None),
    # train every module from the start (the recipe trains only TSA for the
    # first 5000 iterations because it starts from a pre-trained model)
    train_cfg=dict(tsa_iter=0))

_edvr_val_pipeline = [
    dict(type='GenerateFrameIndiceswithPadding', padding='reflection_circle'),
    dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
    dict(type='PackInputs')
]
_edvr_val_dataloader = dict(
    num_workers=0,
    batch_size=1,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicFramesDataset',
        metainfo=dict(dataset_type='carphone', task_name='vsr'),
        data_root='data/carphone',
        data_prefix=dict(img='BIx4', gt='GT'),
        ann_file='meta_info_carphone_val.txt',
        depth=2,
        num_input_frames=5,
        num_output_frames=1,
        pipeline=_edvr_val_pipeline))

train_dataloader = dict(
    num_workers=0,
    batch_size=2,
    dataset=dict(
        metainfo=dict(dataset_type='carphone', task_name='vsr'),
        data_root='data/carphone',
        data_prefix=dict(img='BIx4', gt='GT'),
        ann_file='meta_info_carphone_train.txt',
        pipeline=[
            dict(
                type='GenerateFrameIndices',
                interval_list=[1],
                frames_per_clip=79),
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
val_dataloader = _edvr_val_dataloader
val_evaluator = {{_base_.demo_metrics}}
test_dataloader = [_edvr_val_dataloader]
test_evaluator = [{{_base_.demo_metrics}}]

train_cfg = dict(
    type='IterBasedTrainLoop',
    max_iters={{_base_.demo_max_iters}},
    val_interval={{_base_.demo_max_iters}})
optim_wrapper = dict(optimizer={{_base_.demo_optimizer}})
param_scheduler = {{_base_.demo_param_scheduler}}
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(
        interval={{_base_.demo_max_iters}},
        out_dir=None,  # in the work dir (MMagic's recipe: ./work_dirs)
        max_keep_ckpts=2,
        save_best='carphone-BIx4-RGB/PSNR'))
custom_hooks = []
