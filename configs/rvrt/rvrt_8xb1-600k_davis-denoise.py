# RVRT for non-blind video denoising: trained on DAVIS-2017 with AWGN sigma
# drawn per clip from [0, 50] (16-frame clips, as the official recipe), the
# noise level as an input map channel; tested on DAVIS test-dev and Set8 at
# sigma 10/20/30/40/50, the same test sets as the JFFRA config. Features at
# 1/4 resolution (two stride-2 convolutions), flows on 1/4 images.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/rvrt.py',
    '../_base_/schedules/rvrt_adam_cosine_600k.py',
    '../_base_/datasets/denoise_test_config.py',
    '../_base_/datasets/pipelines.py',
]

custom_imports = dict(imports=['mmjffra'], allow_failed_imports=False)
experiment_name = 'rvrt_8xb1-600k_davis-denoise'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    generator=dict(upscale_factor=1, with_noise_map=True),
    test_cfg=dict(tile=(0, 256, 256), tile_overlap=(2, 20, 20)))

train_dataloader = dict(
    num_workers=6,
    batch_size=1,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicFramesDataset',
        metainfo=dict(dataset_type='davis', task_name='denoise'),
        data_root='data/DAVIS/train',
        data_prefix=dict(img='GT', gt='GT'),
        ann_file='meta_info_DAVIS_train.txt',
        depth=1,
        num_input_frames=16,
        pipeline={{_base_.davis_denoise_train_pipeline}}))

val_dataloader = {{_base_.denoise_val_dataloader}}  # Set8, sigma 30
val_evaluator = {{_base_.denoise_val_evaluator}}
test_dataloader = {{_base_.denoise_test_dataloaders}}
test_evaluator = {{_base_.denoise_test_evaluators}}
test_cfg = dict(type='MultiTestLoop')

# the key the validation above produces (see configs/_base_/default_runtime.py)
default_hooks = dict(checkpoint=dict(save_best='Set8-sigma30-RGB/PSNR'))
