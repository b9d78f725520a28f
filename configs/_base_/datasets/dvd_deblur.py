# DVD (Su et al., CVPR 2017) video deblurring: 61 training and 10 test
# sequences of blurry/sharp 1280x720 frames, prepared by
# tools/dataset_converters/prepare_video_dataset.py dvd. RGB PSNR/SSIM (and
# warping error) on every test frame. Shared by the JFFRA and RVRT configs.
_base_ = './pipelines.py'


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
