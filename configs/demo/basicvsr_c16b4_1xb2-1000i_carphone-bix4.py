# MMagic's BasicVSR on the embedded demo clip, at CPU size. Inherits MMagic's
# REDS4 recipe; only data, size and schedule change: the same data, crop
# (64 px GT), 5-frame clips, batch, optimiser and iterations as the JFFRA and
# EDVR demo configs.
_base_ = [
    'mmagic::basicvsr/basicvsr_2xb4_reds4.py',
    '../_base_/datasets/carphone_demo_x4.py'
]

custom_imports = dict(imports=['mmjffra'], allow_failed_imports=False)
experiment_name = 'basicvsr_c16b4_1xb2-1000i_carphone-bix4'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    generator=dict(
        mid_channels=16,
        num_blocks=4,
        # MMagic downloads SPyNet weights from a URL; no download here:
        # random initialisation (pass a local path to use real weights).
        spynet_pretrained=None),
    # SPyNet starts from random weights here, so it must learn from the
    # first iteration (MMagic's fix_iter=5000 freezes a pre-trained SPyNet
    # for longer than this whole run; at lr x 0.125 as MMagic's recipe)
    train_cfg=dict(fix_iter=0))

train_dataloader = _base_.demo_train_dataloader
val_dataloader = _base_.demo_val_dataloader
val_evaluator = dict(type='Evaluator', metrics=_base_.demo_metrics)
test_dataloader = [_base_.demo_val_dataloader]
test_evaluator = [_base_.demo_metrics]

train_cfg = _base_.demo_train_cfg
optim_wrapper = dict(optimizer=_base_.demo_optimizer)
param_scheduler = _base_.demo_param_scheduler
default_hooks = _base_.demo_default_hooks
custom_hooks = []
