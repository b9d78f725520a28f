# JFFRA (paper preset) for non-blind video denoising: trained on DAVIS-2017
# (train + val, 90 sequences) with AWGN sigma drawn per clip from [0, 50],
# tested on DAVIS test-dev and Set8 at sigma 10/20/30/40/50 (Table 2). The
# noise level enters the network as a map channel (as VRT).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/jffra_paper.py',
    '../_base_/schedules/jffra_adam_700k.py',
    '../_base_/datasets/denoise_test_config.py',
    '../_base_/datasets/pipelines.py',
]

custom_imports = dict(imports=['mmjffra'], allow_failed_imports=False)
experiment_name = 'jffra_c64_8xb6-700k_davis-denoise'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(upscale_factor=1, with_noise_map=True))

train_dataloader = dict(
    num_workers=6,
    batch_size=6,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicFramesDataset',
        metainfo=dict(dataset_type='davis', task_name='denoise'),
        data_root='data/DAVIS/train',
        data_prefix=dict(img='GT', gt='GT'),
        ann_file='meta_info_DAVIS_train.txt',
        depth=1,
        num_input_frames={{_base_.num_train_frames}},
        pipeline={{_base_.davis_denoise_train_pipeline}}))

val_dataloader = {{_base_.denoise_val_dataloader}}  # Set8, sigma 30
val_evaluator = {{_base_.denoise_val_evaluator}}
test_dataloader = {{_base_.denoise_test_dataloaders}}
test_evaluator = {{_base_.denoise_test_evaluators}}
test_cfg = dict(type='MultiTestLoop')

# the key the validation above produces (see configs/_base_/default_runtime.py)
default_hooks = dict(checkpoint=dict(save_best='Set8-sigma30-RGB/PSNR'))
