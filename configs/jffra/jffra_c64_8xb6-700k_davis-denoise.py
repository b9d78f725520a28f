# JFFRA (paper preset) for non-blind video denoising: trained on DAVIS-2017
# (train + val, 90 sequences) with AWGN sigma drawn per clip from [0, 50],
# tested on DAVIS test-dev and Set8 at sigma 10/20/30/40/50 (Table 2). The
# noise level enters the network as a map channel (as VRT).
_base_ = [
    '../_base_/models/jffra_paper.py',
    '../_base_/schedules/jffra_adam_700k.py',
    '../_base_/datasets/davis_denoise.py',
]

experiment_name = 'jffra_c64_8xb6-700k_davis-denoise'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(upscale_factor=1, with_noise_map=True))
