# Vimeo-90K x4 bicubic (BI): training on the Vimeo-90K septuplets,
# validation on Vid4, test on Vimeo-90K-T and Vid4 (Y channel) with MMagic's
# test settings. The JFFRA recipe's loader (batch 6 per GPU, 5 of the 7
# frames); a model's config overrides what its recipe changes.
_base_ = [
    '../default_runtime.py',
    'mmagic::_base_/datasets/basicvsr_test_config.py',
    './pipelines.py',
]

train_dataloader = dict(
    num_workers=6,
    batch_size=6,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicFramesDataset',
        metainfo=dict(dataset_type='vimeo90k_seq', task_name='vsr'),
        data_root='data/vimeo90k',
        data_prefix=dict(img='BIx4', gt='GT'),
        ann_file='meta_info_Vimeo90K_train_GT.txt',
        depth=2,
        # the 7 frames of a septuplet (without it, the sequence length is
        # the number of septuplets in the folder: frames that do not exist)
        fixed_seq_len=7,
        num_input_frames=_base_.num_train_frames,
        pipeline=_base_.vimeo_train_pipeline))

val_dataloader = _base_.vid4_bi_dataloader
val_evaluator = dict(type='Evaluator', metrics=_base_.vid4_bi_evaluator)
test_dataloader = [_base_.vimeo_90k_bi_dataloader, _base_.vid4_bi_dataloader]
test_evaluator = [_base_.vimeo_90k_bi_evaluator, _base_.vid4_bi_evaluator]

# the key the validation above produces (see ../default_runtime.py)
default_hooks = dict(checkpoint=dict(save_best='VID4-BIx4-Y/PSNR'))
