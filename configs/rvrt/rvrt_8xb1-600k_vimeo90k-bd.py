# RVRT for x4 VSR trained on Vimeo-90K BD degradation, tested on Vimeo-90K-T,
# Vid4 and UDM10 (Y channel): the recipe of the BI config on the BD data and
# test sets.
_base_ = [
    '../_base_/models/rvrt.py',
    '../_base_/schedules/rvrt_adam_cosine_600k.py',
    '../_base_/datasets/vimeo90k_bd_x4.py',
]

experiment_name = 'rvrt_8xb1-600k_vimeo90k-bd'
work_dir = f'./work_dirs/{experiment_name}'

# 7 frames mirrored to 14 and whole test clips, as the BI config
train_dataloader = dict(
    batch_size=1,
    dataset=dict(
        num_input_frames=7, pipeline=_base_.vimeo_mirror_train_pipeline))
model = dict(test_cfg=dict(chunk=None, tile=None))
