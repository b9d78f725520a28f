# Pipelines shared by the JFFRA task configs. Training samples hold 2N+3 = 5
# consecutive frames (frames t-1, t, t+1 are each restored from their own
# 3-frame window for the temporal loss), random 256x256 GT crops, flips and
# transposition as in MMagic's BasicVSR recipe.
num_train_frames = 5


def _load(tmpl, start_idx=0):
    return [
        dict(
            type='GenerateSegmentIndices',
            interval_list=[1],
            start_idx=start_idx,
            filename_tmpl=tmpl),
        dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
        dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
    ]


def _augment(scale):
    return [
        dict(type='SetValues', dictionary=dict(scale=scale)),
        dict(type='PairedRandomCrop', gt_patch_size=256),
        dict(
            type='Flip',
            keys=['img', 'gt'],
            flip_ratio=0.5,
            direction='horizontal'),
        dict(
            type='Flip',
            keys=['img', 'gt'],
            flip_ratio=0.5,
            direction='vertical'),
        dict(
            type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
    ]


_pack = [dict(type='PackInputs')]

# x4 super-resolution: REDS-style %08d.png folders, Vimeo-90K septuplets
frames_train_pipeline = _load('{:08d}.png') + _augment(4) + _pack
vimeo_train_pipeline = _load('im{}.png', start_idx=1) + _augment(4) + _pack

# x1 restoration (deblurring, real denoising)
jpg_x1_train_pipeline = _load('{:08d}.jpg') + _augment(1) + _pack
png_x1_train_pipeline = _load('{:08d}.png') + _augment(1) + _pack
jpg_test_pipeline = _load('{:08d}.jpg') + _pack
png_test_pipeline = _load('{:08d}.png') + _pack

# synthetic denoising: AWGN with sigma drawn per clip from [0, 50] after the
# crop, the sigma packed for the noise-level map
davis_denoise_train_pipeline = _load('{:08d}.jpg') + _augment(1) + [
    dict(type='AddGaussianNoise', keys=['img'], sigma_range=(0, 50)),
    dict(type='PackInputs', meta_keys=['noise_sigma'])
]

# Vimeo-90K for recurrent models (RVRT): the 7 frames mirrored to 14, as
# MMagic's BasicVSR and the official RVRT recipes do
vimeo_mirror_train_pipeline = _load(
    'im{}.png', start_idx=1) + _augment(4) + [
        dict(type='MirrorSequence', keys=['img', 'gt'])
    ] + _pack
