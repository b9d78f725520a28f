# JFFRA (paper preset) for video deblurring on DVD (Su et al., CVPR 2017):
# 61 training and 10 test sequences of blurry/sharp 1280x720 frames (Table
# 4), RGB PSNR/SSIM on every test frame.
_base_ = [
    '../_base_/models/jffra_paper.py',
    '../_base_/schedules/jffra_adam_700k.py',
    '../_base_/datasets/dvd_deblur.py',
]

experiment_name = 'jffra_c64_8xb6-700k_dvd-deblur'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(upscale_factor=1))
