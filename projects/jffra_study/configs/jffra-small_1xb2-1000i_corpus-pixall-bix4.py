# The shipped x4 recipe (configs/jffra/jffra-small_1xb2-4000i_corpus-bix4.py)
# with the pixel loss on all three restored windows
# (train_cfg.pixel_loss_frames='all') instead of the centre one, continued
# from the shipped jffra-small-x4 weights: Adam 2e-4 cosine over 1000
# iterations, validation on bikes every 500.
_base_ = '../../../configs/jffra/jffra-small_1xb2-4000i_corpus-bix4.py'

experiment_name = 'jffra-small_1xb2-1000i_corpus-pixall-bix4'
work_dir = f'./work_dirs/{experiment_name}'
load_from = 'weights/jffra-small-x4_corpus-a81b8b37.pth'

model = dict(train_cfg=dict(pixel_loss_frames='all'))
optim_wrapper = dict(optimizer=dict(lr=2e-4))
train_cfg = dict(max_iters=1000, val_interval=500)
param_scheduler = dict(periods=[1000])
default_hooks = dict(checkpoint=dict(interval=500))
