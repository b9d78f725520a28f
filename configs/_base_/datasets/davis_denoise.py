# Synthetic video denoising trained on DAVIS-2017 (train + val, 90
# sequences) with AWGN sigma drawn per clip from [0, 50], tested as
# ./denoise_test_config.py. The JFFRA recipe's loader (batch 6 per GPU,
# 5-frame clips); a model's config overrides what its recipe changes.
_base_ = ['./denoise_test_config.py', './pipelines.py']

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
        num_input_frames=_base_.num_train_frames,
        pipeline=_base_.davis_denoise_train_pipeline))
