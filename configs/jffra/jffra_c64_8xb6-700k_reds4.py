# JFFRA (paper preset) for x4 bicubic (BI) VSR on REDS, tested on REDS4 (RGB)
# with MMagic's REDS4 test setting.
_base_ = [
    '../_base_/models/jffra_paper.py',
    '../_base_/schedules/jffra_adam_700k.py',
    '../_base_/datasets/reds4_x4.py',
]

experiment_name = 'jffra_c64_8xb6-700k_reds4'
work_dir = f'./work_dirs/{experiment_name}'
