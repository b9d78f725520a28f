# Training pipelines of JFFRA for x4 video super-resolution: samples of
# 2N+3 = 5 consecutive frames (the centre frame and its two neighbours are
# each restored from their own 3-frame window for the temporal loss), random
# 256x256 GT crops, flips and transposition as in MMagic's BasicVSR recipe.
scale = 4
gt_patch_size = 256
num_train_frames = 5

_augment = [
    dict(type='SetValues', dictionary=dict(scale=scale)),
    dict(type='PairedRandomCrop', gt_patch_size=gt_patch_size),
    dict(
        type='Flip',
        keys=['img', 'gt'],
        flip_ratio=0.5,
        direction='horizontal'),
    dict(
        type='Flip', keys=['img', 'gt'], flip_ratio=0.5, direction='vertical'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
    dict(type='PackInputs')
]

# REDS, Vid4-style folders of %08d.png frames
frames_train_pipeline = [
    dict(type='GenerateSegmentIndices', interval_list=[1]),
    dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
] + _augment

# Vimeo-90K septuplets: im1.png ... im7.png
vimeo_train_pipeline = [
    dict(
        type='GenerateSegmentIndices',
        interval_list=[1],
        start_idx=1,
        filename_tmpl='im{}.png'),
    dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
] + _augment
