# Released RVRT 001_RVRT_videosr_bi_REDS_30frames (x4 BI, trained on REDS):
# the architecture of the released file, tested on REDS4 as the REDS config.
_base_ = ['./rvrt_8xb1-600k_reds4.py', '../_base_/models/rvrt_official.py']

experiment_name = 'rvrt_official-001_reds4'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=_base_.rvrt_official_sr)
