# RVRT for x4 VSR trained on Vimeo-90K BI degradation (7 frames mirrored to
# 14, as the official recipe), tested on Vimeo-90K-T and Vid4 (Y channel)
# with MMagic's test settings.
_base_ = [
    '../_base_/models/rvrt.py',
    '../_base_/schedules/rvrt_adam_cosine_600k.py',
    '../_base_/datasets/vimeo90k_bi_x4.py',
]

experiment_name = 'rvrt_8xb1-600k_vimeo90k-bi'
work_dir = f'./work_dirs/{experiment_name}'

# Vimeo-90K-T, Vid4 and UDM10 are tested on whole clips, as officially
model = dict(test_cfg=dict(chunk=None, tile=None))
train_dataloader = dict(
    batch_size=1,
    dataset=dict(
        num_input_frames=7, pipeline=_base_.vimeo_mirror_train_pipeline))
