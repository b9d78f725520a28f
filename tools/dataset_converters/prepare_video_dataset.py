# Copyright (c) mmjffra contributors. All rights reserved.
"""Lay out DAVIS, Set8, DVD and CRVD in MMagic's BasicFramesDataset format.

MMagic's own converters cover REDS, Vimeo-90K, Vid4 and UDM10. This script
covers the other datasets of the JFFRA paper. Frames are *linked* (no copy,
no re-encoding) as ``OUT/<split>/<KIND>/<sequence>/%08d.<ext>`` and an
annotation file ``meta_info_<NAME>_<split>.txt`` lists ``<sequence>
<num_frames>`` per line. Existing outputs are never overwritten: the script
stops with an error naming the first file that exists.

Subcommands::

    davis --trainval DAVIS-2017-trainval-480p/DAVIS \
          --testdev DAVIS-2017-test-dev-480p/DAVIS --out data/DAVIS
    set8  --src Set8 --out data/Set8
    dvd   --src DeepVideoDeblurring_Dataset/quantitative_datasets \
          --out data/DVD
    crvd  --src CRVD_dataset --out data/CRVD
    clips SRC [SRC ...] --holdout NAME [NAME ...] --name corpus \
          --out data/corpus [--downscale NAME=2 ...] [--noise-sigmas 15 30 50]

``clips`` lays out any set of frame folders and video files (one clip
each, named after the folder or the file) for x4 video super-resolution
and denoising: ``OUT/GT/<clip>/%08d.png`` (optionally downscaled first with
area interpolation, for compressed footage, then cropped at the bottom and
right to a multiple of ``--scale``), ``OUT/BIx<scale>/<clip>/%08d.png``
(MATLAB-like bicubic, as MMagic's own converters and BI datasets) and, with
``--noise-sigmas``, fixed AWGN inputs ``OUT/SIGMA<s>/<clip>/%08d.png`` (seed
from the clip name and sigma, so a rebuild gives the same pixels). Meta
files: ``meta_info_<clip>.txt`` per clip and ``meta_info_<name>_train.txt``
/ ``meta_info_<name>_test.txt`` (the ``--holdout`` clips), one line
``<clip> <num_frames> (<h>,<w>,3)`` per clip as MMagic's REDS files. The
clips are written into a hidden folder beside ``OUT`` and moved in when all
are complete; an existing ``OUT`` is refused.

CRVD is raw (GBRG Bayer, 12 bit): ``crvd`` converts it to sRGB with a basic
ISP (black level, demosaicing, grey-world white balance, gamma 2.2). The
paper used RViDeNet's learned ISP, which is not public as a standalone tool,
so CRVD results made this way are not comparable with Table 1.
"""
import argparse
import os
import os.path as osp
from typing import Dict, List

from mmjffra.apis.video_io import sorted_frames

# The standard DVD test split (Su et al., CVPR 2017).
DVD_TEST = [
    '720p_240fps_2', 'IMG_0003', 'IMG_0021', 'IMG_0030', 'IMG_0031',
    'IMG_0032', 'IMG_0033', 'IMG_0037', 'IMG_0039', 'IMG_0049'
]
CRVD_ISOS = [1600, 3200, 6400, 12800, 25600]
CRVD_TRAIN_SCENES = [1, 2, 3, 4, 5, 6]
CRVD_TEST_SCENES = [7, 8, 9, 10, 11]


def list_frames(folder: str) -> List[str]:
    """Image files of ``folder`` in natural order (frame2 before frame10);
    raise if there are none or their order is ambiguous."""
    if not osp.isdir(folder):
        raise FileNotFoundError(f'folder {folder!r} does not exist')
    frames = sorted_frames(folder)
    if not frames:
        raise FileNotFoundError(f'no frames in {folder!r}')
    return frames


def link_sequence(frames: List[str], dst_dir: str) -> int:
    """Symlink ``frames`` as ``dst_dir/%08d.<ext>``; return their number."""
    os.makedirs(dst_dir, exist_ok=True)
    for i, src in enumerate(frames):
        ext = osp.splitext(src)[1].lower()
        dst = osp.join(dst_dir, f'{i:08d}{ext}')
        if osp.lexists(dst):
            raise FileExistsError(f'{dst} exists; not overwriting')
        os.symlink(osp.abspath(src), dst)
    return len(frames)


def write_ann(path: str, lengths: Dict[str, int]) -> None:
    if osp.exists(path):
        raise FileExistsError(f'{path} exists; not overwriting')
    with open(path, 'w') as f:
        for seq, n in lengths.items():
            f.write(f'{seq} {n}\n')


def sequences(root: str) -> List[str]:
    if not osp.isdir(root):
        raise FileNotFoundError(f'folder {root!r} does not exist')
    return sorted(d for d in os.listdir(root) if osp.isdir(osp.join(root, d)))


def prepare_davis(args):
    for split, root in (('train', args.trainval), ('test', args.testdev)):
        src = osp.join(root, 'JPEGImages', '480p')
        out = osp.join(args.out, split)
        lengths = {
            seq:
            link_sequence(
                list_frames(osp.join(src, seq)), osp.join(out, 'GT', seq))
            for seq in sequences(src)
        }
        write_ann(osp.join(out, f'meta_info_DAVIS_{split}.txt'), lengths)
        print(f'DAVIS {split}: {len(lengths)} sequences')


def prepare_set8(args):
    lengths = {
        seq:
        link_sequence(
            list_frames(osp.join(args.src, seq)),
            osp.join(args.out, 'GT', seq))
        for seq in sequences(args.src)
    }
    write_ann(osp.join(args.out, 'meta_info_Set8.txt'), lengths)
    print(f'Set8: {len(lengths)} sequences')


def prepare_dvd(args):
    seqs = sequences(args.src)
    missing = [s for s in DVD_TEST if s not in seqs]
    if missing:
        raise FileNotFoundError(f'DVD test sequences missing in {args.src}: '
                                f'{missing}')
    for split in ('train', 'test'):
        chosen = [s for s in seqs if (s in DVD_TEST) == (split == 'test')]
        lengths = {}
        for seq in chosen:
            for kind, sub in (('BLUR', 'input'), ('GT', 'GT')):
                lengths[seq] = link_sequence(
                    list_frames(osp.join(args.src, seq, sub)),
                    osp.join(args.out, split, kind, seq))
        write_ann(
            osp.join(args.out, split, f'meta_info_DVD_{split}.txt'), lengths)
        print(f'DVD {split}: {len(lengths)} sequences')


def crvd_raw_to_srgb(raw, black_level=240, white_level=4095):
    """Basic ISP: GBRG Bayer uint16 -> sRGB uint8 (see module docstring)."""
    import cv2
    import numpy as np
    x = (raw.astype(np.float32) - black_level) / (white_level - black_level)
    x = np.clip(x, 0, 1)
    bayer = np.round(x * 65535).astype(np.uint16)
    # OpenCV names a Bayer pattern by the second row's first two pixels:
    # a GBRG mosaic (row 0: G B, row 1: R G) is COLOR_BayerRG2RGB.
    rgb = cv2.cvtColor(bayer, cv2.COLOR_BayerRG2RGB).astype(np.float32)
    rgb /= 65535.
    means = rgb.reshape(-1, 3).mean(0)
    rgb = np.clip(rgb * (means[1] / np.maximum(means, 1e-6)), 0, 1)
    return np.round(rgb**(1 / 2.2) * 255).astype(np.uint8)


def prepare_crvd(args):
    import cv2
    for split, scenes in (('train', CRVD_TRAIN_SCENES), ('test',
                                                         CRVD_TEST_SCENES)):
        for iso in CRVD_ISOS:
            out = osp.join(args.out, split, f'ISO{iso}')
            lengths = {}
            for scene in scenes:
                seq = f'scene{scene}'
                pairs = []
                for frame in range(1, 8):
                    noisy = osp.join(
                        args.src, 'indoor_raw_noisy', seq, f'ISO{iso}',
                        f'frame{frame}_noisy{args.noisy_index}'
                        '.tiff')
                    clean = osp.join(
                        args.src, 'indoor_raw_gt', seq, f'ISO{iso}',
                        f'frame{frame}_clean_and_slightly_denoised.tiff')
                    pairs.append((noisy, clean))
                for i, (noisy, clean) in enumerate(pairs):
                    for kind, src in (('NOISY', noisy), ('GT', clean)):
                        raw = cv2.imread(src, cv2.IMREAD_UNCHANGED)
                        if raw is None:
                            raise FileNotFoundError(
                                f'cannot read CRVD frame {src!r}')
                        dst = osp.join(out, kind, seq, f'{i:08d}.png')
                        if osp.exists(dst):
                            raise FileExistsError(
                                f'{dst} exists; not overwriting')
                        os.makedirs(osp.dirname(dst), exist_ok=True)
                        cv2.imwrite(
                            dst,
                            cv2.cvtColor(
                                crvd_raw_to_srgb(raw), cv2.COLOR_RGB2BGR))
                lengths[seq] = len(pairs)
            write_ann(osp.join(out, f'meta_info_CRVD_{split}.txt'), lengths)
        print(f'CRVD {split}: {len(scenes)} scenes x {len(CRVD_ISOS)} ISOs')


def _clip_name(src: str) -> str:
    src = src.rstrip('/\\')
    return osp.basename(src) if osp.isdir(src) else osp.splitext(
        osp.basename(src))[0]


def parse_downscale(items: List[str]) -> Dict[str, int]:
    """``['bedroom=2']`` -> ``{'bedroom': 2}`` (clip name -> factor)."""
    out = {}
    for item in items:
        name, sep, factor = item.partition('=')
        if not sep or not factor.isdigit() or int(factor) < 1:
            raise ValueError(f'--downscale {item!r}: expected NAME=FACTOR '
                             'with an integer factor >= 1')
        out[name] = int(factor)
    return out


def write_png(path: str, rgb) -> None:
    import cv2
    if not cv2.imwrite(path, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)):
        raise OSError(f'cannot write {path!r}')


def noisy_copy(gt, sigma: float, seed: int):
    """``gt`` (uint8) plus AWGN of ``sigma`` (0-255 scale), rounded."""
    import numpy as np
    rng = np.random.default_rng(seed)
    noisy = gt.astype(np.float64) + rng.normal(0, sigma, gt.shape)
    return np.clip(np.round(noisy), 0, 255).astype(np.uint8)


def layout_clip(src: str, name: str, out: str, scale: int, down: int,
                sigmas: List[float]) -> str:
    """Write one clip's GT, BI and noisy frames under ``out``; return its
    meta line."""
    import zlib

    import cv2

    from mmjffra.apis.video_io import FrameReader
    from mmjffra.datasets.transforms import bicubic_downsample
    kinds = ['GT', f'BIx{scale}'] + [f'SIGMA{s:g}' for s in sigmas]
    for kind in kinds:
        os.makedirs(osp.join(out, kind, name))
    count, shape = 0, None
    for i, frame in enumerate(FrameReader(src)):
        if down > 1:
            h, w = frame.shape[:2]
            frame = cv2.resize(
                frame, (w // down, h // down), interpolation=cv2.INTER_AREA)
        h, w = frame.shape[:2]
        gt = frame[:h - h % scale, :w - w % scale]
        if gt.shape[0] < scale or gt.shape[1] < scale:
            raise ValueError(f'{src}: frame {i} is {w}x{h}, smaller than '
                             f'the scale {scale}')
        shape = gt.shape
        write_png(osp.join(out, 'GT', name, f'{i:08d}.png'), gt)
        write_png(
            osp.join(out, f'BIx{scale}', name, f'{i:08d}.png'),
            bicubic_downsample(gt, scale))
        for s in sigmas:
            seed = zlib.crc32(f'{name}/{s:g}/{i}'.encode())
            write_png(
                osp.join(out, f'SIGMA{s:g}', name, f'{i:08d}.png'),
                noisy_copy(gt, s, seed))
        count += 1
    return f'{name} {count} ({shape[0]},{shape[1]},3)'


def prepare_clips(args):
    import shutil
    import tempfile
    names = [_clip_name(s) for s in args.src]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f'two sources give the clip name {dup[0]!r}; '
                         'rename one')
    for src in args.src:
        if not osp.exists(src):
            raise FileNotFoundError(f'source {src!r} does not exist')
    down = parse_downscale(args.downscale)
    unknown = sorted((set(down) | set(args.holdout)) - set(names))
    if unknown:
        raise ValueError(f'--downscale/--holdout name {unknown[0]!r} is not '
                         f'one of the clips {names}')
    if osp.lexists(args.out):
        raise FileExistsError(f'{args.out} exists; not overwriting')
    parent = osp.dirname(osp.abspath(args.out))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(
        prefix=f'.{osp.basename(osp.abspath(args.out))}.', dir=parent)
    try:
        lines = {}
        for src, name in zip(args.src, names):
            lines[name] = layout_clip(src, name, tmp, args.scale,
                                      down.get(name, 1), args.noise_sigmas)
            with open(osp.join(tmp, f'meta_info_{name}.txt'), 'w') as f:
                f.write(lines[name] + '\n')
            print(f'{name}: {lines[name].split(" ", 1)[1]}')
        for split in ('train', 'test'):
            chosen = [
                n for n in names if (n in args.holdout) == (split == 'test')
            ]
            with open(
                    osp.join(tmp, f'meta_info_{args.name}_{split}.txt'),
                    'w') as f:
                f.writelines(lines[n] + '\n' for n in chosen)
        os.rename(tmp, args.out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(f'{args.out}: {len(names) - len(args.holdout)} training clips, '
          f'{len(args.holdout)} held out ({", ".join(args.holdout)})')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='dataset', required=True)
    p = sub.add_parser('davis')
    p.add_argument('--trainval', required=True)
    p.add_argument('--testdev', required=True)
    p.add_argument('--out', default='data/DAVIS')
    p.set_defaults(func=prepare_davis)
    p = sub.add_parser('set8')
    p.add_argument('--src', required=True)
    p.add_argument('--out', default='data/Set8')
    p.set_defaults(func=prepare_set8)
    p = sub.add_parser('dvd')
    p.add_argument('--src', required=True)
    p.add_argument('--out', default='data/DVD')
    p.set_defaults(func=prepare_dvd)
    p = sub.add_parser('crvd')
    p.add_argument('--src', required=True)
    p.add_argument('--out', default='data/CRVD')
    p.add_argument('--noisy-index', type=int, default=0)
    p.set_defaults(func=prepare_crvd)
    p = sub.add_parser('clips')
    p.add_argument('src', nargs='+', help='frame folders or video files')
    p.add_argument('--out', required=True)
    p.add_argument('--name', default='corpus', help='meta file prefix')
    p.add_argument(
        '--holdout',
        nargs='*',
        default=[],
        help='clips for meta_info_<name>_test.txt (the rest train)')
    p.add_argument(
        '--downscale',
        nargs='*',
        default=[],
        metavar='NAME=FACTOR',
        help='area-downscale these clips before they are ground truth')
    p.add_argument('--scale', type=int, default=4)
    p.add_argument('--noise-sigmas', nargs='*', type=float, default=[])
    p.set_defaults(func=prepare_clips)
    args = parser.parse_args()
    args.func(args)


if __name__ == '__main__':
    main()
