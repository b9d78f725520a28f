# JFFRA (paper preset) for real video denoising on CRVD (Yue et al., CVPR
# 2020) in sRGB (Table 1): indoor scenes 1-6 train, 7-11 test, five ISO
# settings (1600-25600). Prepare with
# `tools/dataset_converters/prepare_video_dataset.py crvd` (basic ISP; see
# its docstring for why the numbers are not comparable with the paper's).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/jffra_paper.py',
    '../_base_/schedules/jffra_adam_700k.py',
    '../_base_/datasets/pipelines.py',
]

custom_imports = dict(imports=['mmjffra'], allow_failed_imports=False)
experiment_name = 'jffra_c64_8xb6-700k_crvd-denoise'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(upscale_factor=1))
isos = [1600, 3200, 6400, 12800, 25600]


def _crvd(split, iso, pipeline, **kwargs):
    return dict(
        type='BasicFramesDataset',
        metainfo=dict(dataset_type='crvd', task_name='denoise'),
        data_root=f'data/CRVD/{split}/ISO{iso}',
        data_prefix=dict(img='NOISY', gt='GT'),
        ann_file=f'meta_info_CRVD_{split}.txt',
        depth=1,
        pipeline=pipeline,
        **kwargs)


train_dataloader = dict(
    num_workers=6,
    batch_size=6,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='ConcatDataset',
        datasets=[
            _crvd('train', iso, {{_base_.png_x1_train_pipeline}},
                  num_input_frames={{_base_.num_train_frames}})
            for iso in isos
        ]))

crvd_test_dataloaders = [
    dict(
        num_workers=1,
        batch_size=1,
        persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=_crvd('test', iso, {{_base_.png_test_pipeline}}))
    for iso in isos
]
crvd_test_evaluators = [[
    dict(type='PSNR', prefix=f'CRVD-ISO{iso}-RGB'),
    dict(type='SSIM', prefix=f'CRVD-ISO{iso}-RGB'),
] for iso in isos]

val_dataloader = crvd_test_dataloaders[-1]
val_evaluator = dict(type='Evaluator', metrics=crvd_test_evaluators[-1])
test_dataloader = crvd_test_dataloaders
test_evaluator = crvd_test_evaluators
test_cfg = dict(type='MultiTestLoop')

# the key the validation above produces (see configs/_base_/default_runtime.py)
default_hooks = dict(checkpoint=dict(save_best='CRVD-ISO25600-RGB/PSNR'))
