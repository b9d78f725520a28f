# Copyright (c) mmjffra contributors. All rights reserved.
"""Peak memory of ``tools/restore_video.py`` against the clip length.

Writes clips of each ``--lengths`` frames (the frames of a real clip,
cycled) as MP4, restores each in its own process with the given config and
checkpoint, and reports the child's peak RSS and the run time. Streaming
restoration keeps memory flat: the peak should not grow with the length.

Example::

    python tools/prepare_demo_data.py --out-dir data/carphone
    python projects/jffra_study/tools/restore_memory.py \
        configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py CKPT \
        --frames-dir data/carphone/BIx4/carphone_val --lengths 20 200
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile
import time

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

_WRAPPER = ('import resource, subprocess, sys; '
            'rc = subprocess.run(sys.argv[1:]).returncode; '
            'print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); '
            'sys.exit(rc)')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument(
        '--frames-dir',
        default='data/carphone/BIx4/'
        'carphone_val',
        help='real frames to cycle')
    parser.add_argument('--lengths', type=int, nargs='+', default=[20, 200])
    parser.add_argument('--out', help='JSON file for the results')
    # options it does not know go on to restore_video.py (--tile ...)
    return parser.parse_known_args()


def write_clip(frames_dir, length, path):
    import av
    import cv2
    names = sorted(f for f in os.listdir(frames_dir) if f.endswith('.png'))
    imgs = [
        cv2.cvtColor(cv2.imread(osp.join(frames_dir, n)), cv2.COLOR_BGR2RGB)
        for n in names
    ]
    with av.open(path, 'w') as container:
        stream = container.add_stream('libx264', rate=25)
        stream.height, stream.width = imgs[0].shape[:2]
        stream.pix_fmt = 'yuv444p'
        stream.options = {'crf': '10'}
        for i in range(length):
            frame = av.VideoFrame.from_ndarray(imgs[i % len(imgs)], 'rgb24')
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def main():
    args, extra = parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for length in args.lengths:
            src = osp.join(tmp, f'clip{length}.mp4')
            write_clip(args.frames_dir, length, src)
            dst = osp.join(tmp, f'out{length}.mp4')
            start = time.perf_counter()
            # a wrapper process per run, so each peak RSS is its own
            proc = subprocess.run(
                [
                    sys.executable, '-c', _WRAPPER, sys.executable,
                    osp.join(REPO, 'tools', 'restore_video.py'), args.config,
                    args.checkpoint, src, dst, '--no-progress'
                ] + extra,
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True)
            if proc.returncode:
                raise RuntimeError(proc.stdout[-3000:])
            peak = int(proc.stdout.strip().splitlines()[-1])
            results.append(
                dict(
                    frames=length,
                    peak_rss_mb=peak / 1024,
                    seconds=time.perf_counter() - start))
            print(json.dumps(results[-1]), flush=True)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(results, f, indent=2)


if __name__ == '__main__':
    main()
