# MMagic's BasicVSR beside jffra_c64_8xb6-700k_reds4.py: same REDS data,
# 256 px GT crops, 700k iterations, batch 48 (8 GPUs x 6) and REDS4
# evaluators (PSNR, SSIM, warping error). Everything else is MMagic's recipe
# (15-frame training clips, Adam 2e-4, cosine schedule).
_base_ = 'mmagic::basicvsr/basicvsr_2xb4_reds4.py'

custom_imports = dict(imports=['mmjffra'], allow_failed_imports=False)
experiment_name = 'basicvsr_c64b30_8xb6-700k_reds4'
work_dir = f'./work_dirs/{experiment_name}'

# MMagic's recipe starts SPyNet from weights behind a URL; weights are never
# downloaded here. Set a local path to MMagic's SPyNet checkpoint
# (spynet_20210409-c6c1bd09.pth) to reproduce the recipe exactly.
model = dict(generator=dict(spynet_pretrained=None))

train_dataloader = dict(batch_size=6)
max_iters = 700_000
train_cfg = dict(max_iters=max_iters)
param_scheduler = dict(periods=[max_iters])

reds4_evaluator = [
    dict(type='PSNR', prefix='REDS4-BIx4-RGB'),
    dict(type='SSIM', prefix='REDS4-BIx4-RGB'),
    dict(type='WarpingError', prefix='REDS4-BIx4-RGB')
]
val_evaluator = dict(type='Evaluator', metrics=reds4_evaluator)
test_dataloader = [_base_.reds_dataloader]
test_evaluator = [reds4_evaluator]

# checkpoints in the work dir, best by the key the validation produces
# (as configs/_base_/default_runtime.py for our own configs)
default_hooks = dict(
    checkpoint=dict(out_dir=None, save_best='REDS4-BIx4-RGB/PSNR'))
