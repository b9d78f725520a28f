# Copyright (c) mmjffra contributors. All rights reserved.
"""CPU ms per frame of a restoration through PyTorch, ONNX Runtime and
OpenVINO, measured in one run.

Each model is exported to ONNX (``tools/deployment/pytorch2onnx.py``'s
export, in a temporary folder) and the same frames are restored through
:meth:`mmjffra.apis.VideoRestorer.restore_stream` (what
``tools/restore_video.py`` runs) with each backend, every one on
``--threads`` CPU threads. The first pass of each backend is a warm-up;
then the median of ``--repeats`` passes. The outputs of the runtimes are
compared with PyTorch's (max difference in levels of 255).

Example (the shipped x4 model, 180x320 input, 2 threads)::

    python tools/analysis_tools/backend_speed.py --model jffra-small-x4 \\
        --size 180 320 --frames 6 --threads 2 --out work_dirs/backends.json
"""
import argparse
import json
import os
import os.path as osp
import statistics
import sys
import tempfile
import time


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--model',
        nargs='+',
        default=['jffra-small-x4'],
        help='shipped models by name, or CONFIG=CHECKPOINT pairs (a config '
        'alone: random weights)')
    parser.add_argument(
        '--input', help='LQ video or frame folder (default: --size noise)')
    parser.add_argument(
        '--size', type=int, nargs=2, default=[180, 320], metavar=('H', 'W'))
    parser.add_argument('--frames', type=int, default=6)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=2)
    parser.add_argument(
        '--backends',
        nargs='+',
        default=['pytorch', 'onnxruntime', 'openvino'])
    parser.add_argument('--out', help='JSON of the results')
    return parser.parse_args(argv)


def model_paths(name: str):
    from mmjffra.apis.model_zoo import find_model
    if '=' in name:
        config, ckpt = name.split('=', 1)
        return config, ckpt or None
    if name.endswith('.py'):
        return name, None
    return find_model(name)


def frames_of(args):
    import numpy as np

    from mmjffra.apis.video_io import FrameReader
    if args.input:
        return list(FrameReader(args.input, end=args.frames))
    rng = np.random.default_rng(0)
    h, w = args.size
    base = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    return [np.roll(base, 2 * i, axis=1) for i in range(args.frames)]


def time_backend(restorer, frames, repeats):
    list(restorer.restore_stream(frames))  # warm-up (a runtime compiles)
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = list(restorer.restore_stream(frames))
        times.append((time.perf_counter() - start) * 1000 / len(frames))
    return statistics.median(times), out


def main(argv=None):
    args = parse_args(argv)
    os.environ['OMP_NUM_THREADS'] = str(args.threads)
    import numpy as np
    import torch
    torch.set_num_threads(args.threads)

    from mmjffra.apis import VideoRestorer
    from mmjffra.deploy.onnx_export import export_onnx, external_flow_estimator
    frames = frames_of(args)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.model:
            config, ckpt = model_paths(name)
            torch_restorer = VideoRestorer(config, ckpt)
            gen = torch_restorer.generator
            outside = external_flow_estimator(gen)
            path = osp.join(tmp, f'{len(rows)}.onnx')
            start = time.perf_counter()
            export_onnx(
                gen,
                torch_restorer.spec,
                path,
                mean=torch_restorer.mean,
                std=torch_restorer.std,
                flow_estimator=outside,
                padding=torch_restorer.clip.padding)
            export_s = time.perf_counter() - start
            reference = None
            for backend in args.backends:
                if backend == 'pytorch':
                    restorer = torch_restorer
                else:  # on torch.get_num_threads() threads too
                    restorer = VideoRestorer(path, backend=backend)
                ms, out = time_backend(restorer, frames, args.repeats)
                row = dict(
                    model=name,
                    backend=backend,
                    ms_per_frame=round(ms, 1),
                    threads=args.threads,
                    input=f'{frames[0].shape[0]}x{frames[0].shape[1]}',
                    frames=len(frames),
                    export_s=round(export_s, 1))
                if backend == 'pytorch':
                    reference = out
                elif reference is not None:
                    row['max_level_diff'] = int(
                        max(
                            np.abs(a.astype(int) - b).max()
                            for a, b in zip(out, reference)))
                rows.append(row)
                print(json.dumps(row), flush=True)
    base = {
        r['model']: r['ms_per_frame']
        for r in rows if r['backend'] == 'pytorch'
    }
    print(f'\n{"model":<28} {"backend":<12} {"ms/frame":>9} {"speed-up":>9}')
    for r in rows:
        ratio = base.get(r['model'], 0) / r['ms_per_frame']
        r['speedup_vs_pytorch'] = round(ratio, 2)
        print(f'{r["model"]:<28} {r["backend"]:<12} '
              f'{r["ms_per_frame"]:>9.1f} {ratio:>8.2f}x')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(rows, f, indent=1)


if __name__ == '__main__':
    sys.exit(main())
