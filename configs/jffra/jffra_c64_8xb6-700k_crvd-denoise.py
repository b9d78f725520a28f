# JFFRA (paper preset) for real video denoising on CRVD (Yue et al., CVPR
# 2020) in sRGB (Table 1): indoor scenes 1-6 train, 7-11 test, five ISO
# settings (1600-25600). Prepare with
# `tools/dataset_converters/prepare_video_dataset.py crvd` (basic ISP; see
# its docstring for why the numbers are not comparable with the paper's).
_base_ = [
    '../_base_/models/jffra_paper.py',
    '../_base_/schedules/jffra_adam_700k.py',
    '../_base_/datasets/crvd_denoise.py',
]
# noisy sRGB frames in, clean frames of the same size out
model = dict(generator=dict(upscale_factor=1))

experiment_name = 'jffra_c64_8xb6-700k_crvd-denoise'
work_dir = f'./work_dirs/{experiment_name}'
