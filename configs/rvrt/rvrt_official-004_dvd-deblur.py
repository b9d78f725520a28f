# Released RVRT 004_RVRT_videodeblurring_DVD_16frames (deblurring, trained
# on DVD): the released architecture, tested on DVD as the DVD config.
_base_ = [
    './rvrt_8xb1-600k_dvd-deblur.py', '../_base_/models/rvrt_official.py'
]

experiment_name = 'rvrt_official-004_dvd-deblur'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=_base_.rvrt_official_deblur)
