# RVRT for x4 VSR trained on Vimeo-90K BI degradation (7 frames mirrored to
# 14, as the official recipe), tested on Vimeo-90K-T and Vid4 (Y channel)
# with MMagic's test settings.
_base_ = [
    '../_base_/default_runtime.py',
    'mmagic::_base_/datasets/basicvsr_test_config.py',
    '../_base_/models/rvrt.py',
    '../_base_/schedules/rvrt_adam_cosine_600k.py',
    '../_base_/datasets/pipelines.py',
]

custom_imports = dict(imports=['mmjffra'], allow_failed_imports=False)
# Vimeo-90K-T, Vid4 and UDM10 are tested on whole clips, as officially
model = dict(test_cfg=dict(tile=None))
experiment_name = 'rvrt_8xb1-600k_vimeo90k-bi'
work_dir = f'./work_dirs/{experiment_name}'

train_dataloader = dict(
    num_workers=6,
    batch_size=1,
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
        num_input_frames=7,
        pipeline={{_base_.vimeo_mirror_train_pipeline}}))

val_dataloader = {{_base_.vid4_bi_dataloader}}
val_evaluator = dict(type='Evaluator', metrics={{_base_.vid4_bi_evaluator}})

test_dataloader = [{{_base_.vimeo_90k_bi_dataloader}},
                   {{_base_.vid4_bi_dataloader}}]
test_evaluator = [{{_base_.vimeo_90k_bi_evaluator}},
                  {{_base_.vid4_bi_evaluator}}]

# the key the validation above produces (see configs/_base_/default_runtime.py)
default_hooks = dict(checkpoint=dict(save_best='VID4-BIx4-Y/PSNR'))
