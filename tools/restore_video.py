# Copyright (c) mmjffra contributors. All rights reserved.
"""Restore a video file or a folder of frames with a trained model.

Frames are read, restored and written one by one: memory stays flat
whatever the length of the video; ``--tile`` bounds it for large frames.

Examples::

    python tools/restore_video.py CONFIG CKPT input.mp4 output.mp4
    python tools/restore_video.py CONFIG CKPT frames_dir/ out_dir/ --tile 128
    python tools/restore_video.py DENOISE_CONFIG CKPT noisy.mp4 clean.mkv \
        --noise-sigma 30 --device cuda --fp16
"""
import argparse
import sys

from mmengine.config import DictAction


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help='checkpoint of the model')
    parser.add_argument('input', help='video file or folder of frames')
    parser.add_argument(
        'output', help='video file (.mp4, .mkv, ...) or folder for PNGs')
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument(
        '--fp16', action='store_true', help='half precision (CUDA)')
    parser.add_argument(
        '--tile', type=int, help='tile side in input pixels (large frames)')
    parser.add_argument(
        '--tile-overlap', type=int, default=32, help='tile overlap (pixels)')
    parser.add_argument(
        '--noise-sigma',
        type=float,
        help='noise level (0-255) for non-blind denoising models')
    parser.add_argument('--start', type=int, default=0, help='first frame')
    parser.add_argument('--end', type=int, help='stop before this frame')
    parser.add_argument('--codec', default='libx264', help='video codec')
    parser.add_argument(
        '--crf', type=int, default=18, help='x264/x265 quality (lower=better)')
    parser.add_argument(
        '--chunk',
        type=int,
        default=20,
        help='frames per chunk of recurrent models (BasicVSR)')
    parser.add_argument(
        '--overwrite', action='store_true', help='replace an existing output')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, help='config overrides')
    parser.add_argument(
        '--no-progress', action='store_true', help='no progress line')
    return parser.parse_args()


def main():
    args = parse_args()
    from mmjffra.apis import (CheckpointMismatchError, VideoInputError,
                              VideoRestorer)
    try:
        restorer = VideoRestorer(
            args.config,
            args.checkpoint,
            device=args.device,
            fp16=args.fp16,
            tile=args.tile,
            tile_overlap=args.tile_overlap,
            noise_sigma=args.noise_sigma,
            chunk=args.chunk,
            cfg_options=args.cfg_options)
        count = restorer.restore_file(
            args.input,
            args.output,
            start=args.start,
            end=args.end,
            codec=args.codec,
            crf=args.crf,
            overwrite=args.overwrite,
            progress=not args.no_progress)
    except (VideoInputError, CheckpointMismatchError, FileNotFoundError,
            FileExistsError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)
    print(f'wrote {count} frames to {args.output}')


if __name__ == '__main__':
    main()
