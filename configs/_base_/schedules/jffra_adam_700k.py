# The JFFRA paper's schedule (section 4.1): Adam, 700k iterations, learning
# rate 1e-4 decreased to 1e-6 by a step scheduler, mini-batches of 48 (8 GPUs
# x 6). The paper does not give the steps: we divide by 10 at 400k and 600k.
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=700_000, val_interval=5000)
val_cfg = dict(type='MultiValLoop')

optim_wrapper = dict(
    constructor='DefaultOptimWrapperConstructor',
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.99)))

param_scheduler = dict(
    type='MultiStepLR',
    by_epoch=False,
    milestones=[400_000, 600_000],
    gamma=0.1)

# lr 1e-4 is for a total batch of 48; `--auto-scale-lr` rescales it.
auto_scale_lr = dict(enable=False, base_batch_size=48)
