# JFFRA (small preset) on the embedded demo clip, at CPU size: the same data,
# crop, batch, optimiser and iterations as the BasicVSR and EDVR demo configs.
# Training clips have 2N+3 = 5 frames: frames t-1, t, t+1 are each restored
# from their own 3-frame window for the temporal loss.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/jffra_small.py',
    '../_base_/datasets/carphone_demo_x4.py',
]

custom_imports = dict(imports=['mmjffra'], allow_failed_imports=False)
experiment_name = 'jffra-small_1xb2-1000i_carphone-bix4'
work_dir = f'./work_dirs/{experiment_name}'

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
