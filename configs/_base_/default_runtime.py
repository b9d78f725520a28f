# MMagic's runtime with what every mmjffra config needs:
# - `custom_imports`: MMagic's runners (tools/train.py, mim) reach mmjffra's
#   models, datasets and metrics through this import;
# - checkpoints go to the work dir (`--work-dir` or `work_dir`): MMagic's
#   `out_dir='./work_dirs'` makes MMEngine write them to
#   `./work_dirs/<basename of the work dir>` instead;
# - `save_best` is not MMagic's bare 'PSNR': our validation metrics carry
#   the dataset's prefix ('REDS4-BIx4-RGB/PSNR'), so each dataset base names
#   the key its validation really produces, `<val prefix>/PSNR`
#   (tests/test_configs.py checks it).
_base_ = 'mmagic::_base_/default_runtime.py'

custom_imports = dict(imports=['mmjffra'], allow_failed_imports=False)
# checkpoints written beside their name and renamed when complete
runner_type = 'AtomicCheckpointRunner'
default_hooks = dict(checkpoint=dict(out_dir=None, save_best=None))

# What MMagic's VideoRestorationInferencer (MMagicInferencer) reads to load a
# folder of frames (it drops the two loading steps for a video file); the
# same pipeline as MMagic's BasicVSR configs.
demo_pipeline = [
    dict(type='GenerateSegmentIndices', interval_list=[1]),
    dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
    dict(type='PackInputs')
]
