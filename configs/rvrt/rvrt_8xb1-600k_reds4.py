# RVRT for x4 bicubic (BI) VSR on REDS, tested on REDS4 (RGB) with MMagic's
# REDS4 test setting: 30-frame training clips, 256 px GT crops, official
# schedule. Same data and evaluators as configs/jffra and configs/baselines.
_base_ = [
    '../_base_/models/rvrt.py',
    '../_base_/schedules/rvrt_adam_cosine_600k.py',
    '../_base_/datasets/reds4_x4.py',
]

experiment_name = 'rvrt_8xb1-600k_reds4'
work_dir = f'./work_dirs/{experiment_name}'

train_dataloader = dict(batch_size=1, dataset=dict(num_input_frames=30))
