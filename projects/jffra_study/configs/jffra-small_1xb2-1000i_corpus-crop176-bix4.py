# The shipped x4 recipe (configs/jffra/jffra-small_1xb2-4000i_corpus-bix4.py)
# at 176 px GT crops (44 px input patches), continued from the shipped
# jffra-small-x4 weights: Adam 2e-4 cosine over 1000 iterations, validation
# on bikes every 500 (the crop-size stage of projects/jffra_study/README.md).
# carphone (176x144) is smaller than the crop: the training clips are the
# other 10, listed by
#   grep -v '^carphone' data/corpus/meta_info_corpus_train.txt \
#       > data/corpus/meta_info_corpus_train_min176.txt
_base_ = '../../../configs/jffra/jffra-small_1xb2-4000i_corpus-bix4.py'

experiment_name = 'jffra-small_1xb2-1000i_corpus-crop176-bix4'
work_dir = f'./work_dirs/{experiment_name}'
load_from = 'weights/jffra-small-x4_corpus-a81b8b37.pth'

train_dataloader = dict(
    dataset=dict(
        ann_file='meta_info_corpus_train_min176.txt',
        pipeline=[dict(type='GenerateSegmentIndices', interval_list=[1])] +
        _base_.demo_load_pair + [
            dict(type='SetValues', dictionary=dict(scale=4)),
            dict(type='PairedRandomCrop', gt_patch_size=176),
        ] + _base_.demo_flip_transpose + [
            dict(
                type='TemporalReverse', keys=['img', 'gt'], reverse_ratio=0.5),
            dict(type='PackInputs')
        ]))
optim_wrapper = dict(optimizer=dict(lr=2e-4))
train_cfg = dict(max_iters=1000, val_interval=500)
param_scheduler = dict(periods=[1000])
default_hooks = dict(checkpoint=dict(interval=500))
