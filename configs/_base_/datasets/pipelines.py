# Training pipelines of the task configs, as plain lists. A training sample
# holds 2N+3 = 5 consecutive frames for JFFRA (frames t-1, t, t+1 are each
# restored from their own 3-frame window for the temporal loss); random
# 256x256 GT crops, flips and transposition as MMagic's BasicVSR recipe. The
# crop is step 4 of every training pipeline.
num_train_frames = 5

load_pair = [
    dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
]
crop_flip_transpose = [
    dict(type='PairedRandomCrop', gt_patch_size=256),
    dict(
        type='Flip',
        keys=['img', 'gt'],
        flip_ratio=0.5,
        direction='horizontal'),
    dict(
        type='Flip', keys=['img', 'gt'], flip_ratio=0.5, direction='vertical'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
]
x4_augment = [dict(type='SetValues', dictionary=dict(scale=4))
              ] + crop_flip_transpose
x1_augment = [dict(type='SetValues', dictionary=dict(scale=1))
              ] + crop_flip_transpose
pack = [dict(type='PackInputs')]

png_frames = [
    dict(
        type='GenerateSegmentIndices',
        interval_list=[1],
        start_idx=0,
        filename_tmpl='{:08d}.png')
] + load_pair
jpg_frames = [
    dict(
        type='GenerateSegmentIndices',
        interval_list=[1],
        start_idx=0,
        filename_tmpl='{:08d}.jpg')
] + load_pair
vimeo_frames = [
    dict(
        type='GenerateSegmentIndices',
        interval_list=[1],
        start_idx=1,
        filename_tmpl='im{}.png')
] + load_pair

# x4 super-resolution: REDS-style %08d.png folders, Vimeo-90K septuplets
frames_train_pipeline = png_frames + x4_augment + pack
vimeo_train_pipeline = vimeo_frames + x4_augment + pack
# Vimeo-90K for recurrent models (RVRT): the 7 frames mirrored to 14, as
# MMagic's BasicVSR and the official RVRT recipes do
vimeo_mirror_train_pipeline = vimeo_frames + x4_augment + [
    dict(type='MirrorSequence', keys=['img', 'gt'])
] + pack

# x1 restoration (deblurring, real denoising)
jpg_x1_train_pipeline = jpg_frames + x1_augment + pack
png_x1_train_pipeline = png_frames + x1_augment + pack
jpg_test_pipeline = jpg_frames + pack
png_test_pipeline = png_frames + pack

# synthetic denoising: AWGN with sigma drawn per clip from [0, 50] after the
# crop, the sigma packed for the noise-level map
davis_denoise_train_pipeline = jpg_frames + x1_augment + [
    dict(type='AddGaussianNoise', keys=['img'], sigma_range=(0, 50)),
    dict(type='PackInputs', meta_keys=['noise_sigma'])
]
