# The official RVRT schedule: Adam (lr 4e-4, betas 0.9/0.99), cosine
# annealing to 1e-7 over 600k iterations, total batch 8 (8 GPUs x 1 clip).
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=600_000, val_interval=5000)
val_cfg = dict(type='MultiValLoop')

optim_wrapper = dict(
    constructor='DefaultOptimWrapperConstructor',
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=4e-4, betas=(0.9, 0.99)))

param_scheduler = dict(
    type='CosineRestartLR',
    by_epoch=False,
    periods=[600_000],
    restart_weights=[1],
    eta_min=1e-7)

# lr 4e-4 is for a total batch of 8; `--auto-scale-lr` rescales it.
auto_scale_lr = dict(enable=False, base_batch_size=8)
