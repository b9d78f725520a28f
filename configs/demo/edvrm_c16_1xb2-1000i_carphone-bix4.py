# MMagic's EDVR-M on the embedded demo clip, at CPU size: the same data,
# crop (64 px GT), batch, optimiser and iterations as the JFFRA and BasicVSR
# demo configs. Inherits MMagic's REDS recipe; only data, size and schedule
# change. EDVR restores one frame per sample: clips of 5 frames around each
# frame, reflection-circle padding at the ends.
_base_ = [
    'mmagic::edvr/edvrm_8xb4-600k_reds.py',
    '../_base_/datasets/carphone_demo_x4.py'
]

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

custom_imports = dict(imports=['mmjffra'], allow_failed_imports=False)
experiment_name = 'edvrm_c16_1xb2-1000i_carphone-bix4'
work_dir = f'./work_dirs/{experiment_name}'

train_dataloader = dict(
    num_workers=0,
    batch_size=2,
    dataset=dict(
        metainfo=dict(dataset_type='carphone', task_name='vsr'),
        data_root=_base_.demo_data_root,
        data_prefix=dict(img='BIx4', gt='GT'),
        ann_file='meta_info_carphone_train.txt',
        pipeline=[
            dict(
                type='GenerateFrameIndices',
                interval_list=[1],
                frames_per_clip=79)
        ] + _base_.demo_load_pair + _base_.demo_augment +
        [dict(type='PackInputs')]))
# frame-wise test: 5 frames around each frame
val_dataloader = dict(
    _base_.demo_val_dataloader,
    dataset=dict(
        _base_.demo_val_dataloader.dataset,
        depth=2,
        num_input_frames=5,
        num_output_frames=1,
        pipeline=[
            dict(
                type='GenerateFrameIndiceswithPadding',
                padding='reflection_circle')
        ] + _base_.demo_load_pair + [dict(type='PackInputs')]))
val_evaluator = _base_.demo_metrics
test_dataloader = [val_dataloader]
test_evaluator = [_base_.demo_metrics]

param_scheduler = _base_.demo_param_scheduler
optim_wrapper = dict(optimizer=_base_.demo_optimizer)
custom_hooks = []
default_hooks = _base_.demo_default_hooks
train_cfg = _base_.demo_train_cfg
