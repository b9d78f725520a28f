# Released RVRT 002_RVRT_videosr_bi_Vimeo_14frames (x4 BI, trained on
# Vimeo-90K): the released architecture, test sets of the Vimeo-90K BI config.
_base_ = [
    './rvrt_8xb1-600k_vimeo90k-bi.py', '../_base_/models/rvrt_official.py'
]

experiment_name = 'rvrt_official-002_vimeo90k-bi'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=_base_.rvrt_official_sr)
