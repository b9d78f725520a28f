# Released RVRT 003_RVRT_videosr_bd_Vimeo_14frames (x4 BD, trained on
# Vimeo-90K): the released architecture, test sets of the Vimeo-90K BD config.
_base_ = [
    './rvrt_8xb1-600k_vimeo90k-bd.py', '../_base_/models/rvrt_official.py'
]

experiment_name = 'rvrt_official-003_vimeo90k-bd'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=_base_.rvrt_official_sr)
