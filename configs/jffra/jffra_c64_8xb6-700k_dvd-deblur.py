# JFFRA (paper preset) for video deblurring on DVD (Su et al., CVPR 2017):
# 61 training and 10 test sequences of blurry/sharp 1280x720 frames (Table
# 4), RGB PSNR/SSIM on every test frame.
_base_ = [
    'mmagic::_base_/default_runtime.py',
    '../_base_/models/jffra_paper.py',
    '../_base_/schedules/jffra_adam_700k.py',
    '../_base_/datasets/pipelines.py',
]

custom_imports = dict(imports=['mmjffra'], allow_failed_imports=False)
experiment_name = 'jffra_c64_8xb6-700k_dvd-deblur'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(upscale_factor=1))


def _dvd_dataset(split, pipeline, **kwargs):
    return dict(
        type='BasicFramesDataset',
        metainfo=dict(dataset_type='dvd', task_name='deblur'),
        data_root=f'data/DVD/{split}',
        data_prefix=dict(img='BLUR', gt='GT'),
        ann_file=f'meta_info_DVD_{split}.txt',
        depth=1,
        pipeline=pipeline,
        **kwargs)


train_dataloader = dict(
    num_workers=6,
    batch_size=6,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=_dvd_dataset(
        'train',
        {{_base_.jpg_x1_train_pipeline}},
        num_input_frames={{_base_.num_train_frames}}))

dvd_test_dataloader = dict(
    num_workers=1,
    batch_size=1,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=_dvd_dataset('test', {{_base_.jpg_test_pipeline}}))
dvd_evaluator = [
    dict(type='PSNR', prefix='DVD-RGB'),
    dict(type='SSIM', prefix='DVD-RGB'),
    dict(type='WarpingError', prefix='DVD-RGB'),
]

val_dataloader = dvd_test_dataloader
val_evaluator = dict(type='Evaluator', metrics=dvd_evaluator)
test_dataloader = [dvd_test_dataloader]
test_evaluator = [dvd_evaluator]
test_cfg = dict(type='MultiTestLoop')
