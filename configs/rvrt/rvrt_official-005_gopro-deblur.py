# Released RVRT 005_RVRT_videodeblurring_GoPro_16frames (deblurring, trained
# on GoPro): the architecture of 004. mmjffra has no GoPro dataset converter,
# so the data settings are the DVD config's; restore_video.py takes any video.
_base_ = [
    './rvrt_8xb1-600k_dvd-deblur.py', '../_base_/models/rvrt_official.py'
]

experiment_name = 'rvrt_official-005_gopro-deblur'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=_base_.rvrt_official_deblur)
