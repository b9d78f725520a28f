# RVRT for non-blind video denoising: trained on DAVIS-2017 with AWGN sigma
# drawn per clip from [0, 50] (16-frame clips, as the official recipe), the
# noise level as an input map channel; tested on DAVIS test-dev and Set8 at
# sigma 10/20/30/40/50, the same test sets as the JFFRA config. Features at
# 1/4 resolution (two stride-2 convolutions), flows on 1/4 images.
_base_ = [
    '../_base_/models/rvrt.py',
    '../_base_/schedules/rvrt_adam_cosine_600k.py',
    '../_base_/datasets/davis_denoise.py',
]

experiment_name = 'rvrt_8xb1-600k_davis-denoise'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    generator=dict(upscale_factor=1, with_noise_map=True),
    test_cfg=dict(chunk=None, tile=256, tile_overlap=20))
train_dataloader = dict(batch_size=1, dataset=dict(num_input_frames=16))
