# JFFRA (paper preset) for x4 VSR trained on Vimeo-90K BD degradation,
# tested on Vimeo-90K-T, Vid4, UDM10 (Y channel), with MMagic's test settings.
_base_ = [
    '../_base_/models/jffra_paper.py',
    '../_base_/schedules/jffra_adam_700k.py',
    '../_base_/datasets/vimeo90k_bd_x4.py',
]

experiment_name = 'jffra_c64_8xb6-700k_vimeo90k-bd'
work_dir = f'./work_dirs/{experiment_name}'
