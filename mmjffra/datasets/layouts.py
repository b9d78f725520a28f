# Copyright (c) mmjffra contributors. All rights reserved.
"""Check a config's dataset folders before a run builds its datasets.

MMEngine builds datasets lazily, deep inside ``runner.train()``; a missing
folder or annotation file then ends in a traceback from MMagic's
``BasicFramesDataset`` that names neither the dataset nor how to make it.
:func:`check_dataset_paths` looks at every dataset a run will read, before
the runner starts, and raises :class:`DatasetNotFoundError` with one line:
the missing path, the layout expected there and the converter that writes
it. ``tools/train.py`` and ``tools/test.py`` call it.
"""
import os.path as osp
from typing import Dict, Iterator, Tuple

from mmjffra.errors import DatasetNotFoundError

_MMAGIC_CONVERTERS = ('MMagic\'s tools/dataset_converters/'
                      '{}  (in mmagic/.mim/tools of the mmagic package)')
_OURS = 'python tools/dataset_converters/prepare_video_dataset.py {}'

#: metainfo.dataset_type -> (dataset, expected layout, how to make it)
LAYOUTS: Dict[str, Tuple[str, str, str]] = {
    'reds_reds4':
    ('REDS', 'train_sharp/<clip>/%08d.png, train_sharp_bicubic/X4/<clip>/'
     '%08d.png, meta_info_reds4_{train,val}.txt',
     _MMAGIC_CONVERTERS.format('reds/preprocess_reds_dataset.py '
                               '--root-path data/REDS')),
    'vimeo90k_seq':
    ('Vimeo-90K', '{GT,BIx4,BDx4}/<00001>/<0001>/im1.png..im7.png, '
     'meta_info_Vimeo90K_{train,test}_GT.txt',
     _MMAGIC_CONVERTERS.format('vimeo90k/preprocess_vimeo90k_dataset.py')),
    'vid4': ('Vid4', '{GT,BIx4,BDx4}/<clip>/%08d.png, meta_info_Vid4_GT.txt',
             _MMAGIC_CONVERTERS.format('vid4/preprocess_vid4_dataset.py')),
    'udm10': ('UDM10', '{GT,BDx4}/<clip>/%04d.png (no annotation file)',
              'download UDM10 and arrange it as shown'),
    'davis': ('DAVIS-2017', '{train,test}/GT/<sequence>/%08d.jpg, '
              '{train,test}/meta_info_DAVIS_{train,test}.txt',
              _OURS.format('davis --trainval DAVIS-2017-trainval-480p/DAVIS '
                           '--testdev DAVIS-2017-test-dev-480p/DAVIS '
                           '--out data/DAVIS')),
    'set8': ('Set8', 'GT/<sequence>/%08d.png, meta_info_Set8.txt',
             _OURS.format('set8 --src Set8 --out data/Set8')),
    'dvd': ('DVD', '{train,test}/{BLUR,GT}/<sequence>/%08d.jpg, '
            '{train,test}/meta_info_DVD_{train,test}.txt',
            _OURS.format('dvd --src DeepVideoDeblurring_Dataset/'
                         'quantitative_datasets --out data/DVD')),
    'crvd': ('CRVD', '{train,test}/ISO<iso>/{NOISY,GT}/scene<n>/%08d.png, '
             'meta_info_CRVD_{train,test}.txt in each ISO folder',
             _OURS.format('crvd --src CRVD_dataset --out data/CRVD')),
    'corpus': ('the real-footage corpus', '{GT,BIx4}/<clip>/%08d.png, '
               'meta_info_<clip>.txt, meta_info_corpus_{train,test}.txt',
               'the command in configs/jffra/README.md, "Training corpus" '
               '(prepare_video_dataset.py clips ...)'),
    'carphone': ('the demo clip', '{GT,BIx4}/carphone_{train,val}/%08d.png, '
                 'meta_info_carphone_{train,val}.txt',
                 'python tools/prepare_demo_data.py --out-dir data/carphone'),
}


def _datasets(cfg, loader_names) -> Iterator[Tuple[str, dict]]:
    for name in loader_names:
        loaders = cfg.get(name)
        if loaders is None:
            continue
        if not isinstance(loaders, (list, tuple)):
            loaders = [loaders]
        for loader in loaders:
            ds = loader.get('dataset', {})
            for sub in ds.get('datasets', [ds]):
                yield name, sub


def check_dataset_paths(
    cfg,
    loader_names=('train_dataloader', 'val_dataloader', 'test_dataloader')
) -> None:
    """Raise :class:`DatasetNotFoundError` for the first missing path.

    Args:
        cfg (Config): A run's config (after ``--cfg-options``).
        loader_names (tuple[str]): The dataloaders the run will use.
    """
    for name, ds in _datasets(cfg, loader_names):
        root = ds.get('data_root') or ''
        paths = [('folder', root)] if root else []
        for key, prefix in (ds.get('data_prefix') or {}).items():
            if isinstance(prefix, str) and prefix:
                paths.append((f'{key} folder', osp.join(root, prefix)))
        ann = ds.get('ann_file')
        if ann:
            paths.append(('annotation file', osp.join(root, ann)))
        kind = (ds.get('metainfo') or {}).get('dataset_type')
        dataset, layout, how = LAYOUTS.get(
            kind, (kind or ds.get('type', 'dataset'), 'see the config',
                   'see the config\'s comments'))
        for what, path in paths:
            if path and not osp.exists(path):
                raise DatasetNotFoundError(
                    f'{name}: {dataset} {what} {path!r} does not exist; '
                    f'expected under {root!r}: {layout}; make it with: {how}')
        if ann and ds.get('type') == 'BasicFramesDataset':
            _check_clips(name, ds, osp.join(root, ann),
                         [p for what, p in paths if what.endswith(' folder')])


def _check_clips(name: str, ds: dict, ann: str, folders) -> None:
    """Each clip an annotation file names (``<clip> [<frames>] ...``, or a
    frame of it, as MMagic's converters write them) is under every data
    prefix, with at least the frames one sample reads
    (``num_input_frames``)."""
    need = ds.get('num_input_frames')
    with open(ann) as f:
        for number, line in enumerate(f, 1):
            tokens = line.split()
            if not tokens:
                continue
            clip = tokens[0]
            for folder in folders:
                if not osp.exists(osp.join(folder, clip)):
                    raise DatasetNotFoundError(
                        f'{name}: {ann!r} line {number} names clip {clip!r}, '
                        f'which is not in {folder!r}')
            frames = tokens[1] if len(tokens) > 1 else ''
            if isinstance(need, int) and frames.isdigit() and \
                    int(frames) < need:
                raise DatasetNotFoundError(
                    f'{name}: clip {clip!r} of {ann!r} has {frames} frames, '
                    f'fewer than the {need} of one sample (num_input_frames)')
