# RVRT for video deblurring on DVD: 16-frame training clips, 256 px crops,
# official schedule; tested on the 10 DVD test sequences (RGB), the same data
# and evaluators as configs/jffra/jffra_c64_8xb6-700k_dvd-deblur.py. Features
# at 1/4 resolution (two stride-2 convolutions), flows on 1/4 images.
_base_ = [
    '../_base_/models/rvrt.py',
    '../_base_/schedules/rvrt_adam_cosine_600k.py',
    '../_base_/datasets/dvd_deblur.py',
]

experiment_name = 'rvrt_8xb1-600k_dvd-deblur'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    generator=dict(upscale_factor=1),
    test_cfg=dict(chunk=None, tile=256, tile_overlap=20))
train_dataloader = dict(batch_size=1, dataset=dict(num_input_frames=16))
