# Released RVRT 006_RVRT_videodenoising_DAVIS_16frames (non-blind
# denoising, trained on DAVIS): the released architecture, tested on DAVIS
# and Set8 as the DAVIS config (noise level map from the noise sigma).
_base_ = [
    './rvrt_8xb1-600k_davis-denoise.py', '../_base_/models/rvrt_official.py'
]

experiment_name = 'rvrt_official-006_davis-denoise'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=_base_.rvrt_official_denoise)
