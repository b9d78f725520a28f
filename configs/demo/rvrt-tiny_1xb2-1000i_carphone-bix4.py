# RVRT, tiny size, on the embedded demo clip at CPU size: the same data, crop,
# 5-frame clips, batch, optimiser and iterations as the JFFRA, BasicVSR and
# EDVR demo configs. 16 channels, one RSTB per stage, 2-frame clips, DIS flow
# (needs no weights).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/rvrt.py',
    '../_base_/datasets/carphone_demo_x4.py',
]

custom_imports = dict(imports=['mmjffra'], allow_failed_imports=False)
experiment_name = 'rvrt-tiny_1xb2-1000i_carphone-bix4'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    generator=dict(
        embed_dims=16,
        depths=(2, 2, 2),
        num_heads=(2, 2, 2),
        num_blocks=(1, 1, 1),
        window_size=(2, 8, 8),
        num_refinement_rounds=1,
        gda_heads=4,
        gda_groups=4,
        upsample_channels=16,
        flow_estimator=dict(
            _delete_=True, type='DISFlowEstimator', preset='ultrafast')),
    test_cfg=dict(tile=None))

train_dataloader = {{_base_.demo_train_dataloader}}
val_dataloader = {{_base_.demo_val_dataloader}}
val_evaluator = dict(type='Evaluator', metrics={{_base_.demo_metrics}})
test_dataloader = [{{_base_.demo_val_dataloader}}]
test_evaluator = [{{_base_.demo_metrics}}]

train_cfg = dict(
    type='IterBasedTrainLoop',
    max_iters={{_base_.demo_max_iters}},
    val_interval={{_base_.demo_max_iters}})
val_cfg = dict(type='MultiValLoop')
test_cfg = dict(type='MultiTestLoop')
optim_wrapper = dict(
    constructor='DefaultOptimWrapperConstructor',
    type='OptimWrapper',
    optimizer={{_base_.demo_optimizer}})
param_scheduler = {{_base_.demo_param_scheduler}}
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(
        interval={{_base_.demo_max_iters}},
        max_keep_ckpts=2,
        save_best='carphone-BIx4-RGB/PSNR'))
custom_hooks = []
