# Copyright (c) mmjffra contributors. All rights reserved.
"""Speed, memory, parameters and FLOPs of JFFRA and RVRT beside MMagic's nets.

Every model runs in its own subprocess (so host peak RSS is its own), on the
same random clip, and the table reports each figure with its ratio to
BasicVSR measured in the same run.

- inference: restore a clip of ``--frames`` frames of ``--height`` x
  ``--width`` (x``--scale``) as a user would: recurrent nets (BasicVSR,
  BasicVSR++) in one call, sliding-window nets (EDVR-M, JFFRA) one window
  per output frame (JFFRA through its model wrapper, flows of each
  neighbour pair computed once and reused across windows when
  ``--reuse-flows``), RVRT on the whole clip in one call (its config's
  test tiles with ``--rvrt-tiles``); ``--warmup`` runs, then the median
  of ``--repeats``; the device is synchronised;
- JFFRA's initial-flow and RVRT's flow estimator times are reported
  separately;
- FLOPs per output frame: multiply-accumulates x 2 of convolutions, matrix
  products and attention (``torch.utils.flop_counter``; element-wise ops
  such as the cost volume's differences are not counted, as in fvcore);
- peak memory: host peak RSS (CPU) or ``torch.cuda.max_memory_allocated``;
- training: one ``train_step`` (forward, losses, backward, Adam) of the demo
  configs (``--train-crop`` GT crop, batch ``--train-batch``);
- backends (``--backends pytorch onnxruntime openvino``, CPU): the clip as
  uint8 frames restored through ``VideoRestorer.restore_stream`` (what
  ``tools/restore_video.py`` runs) by PyTorch and by each ONNX runtime, the
  model exported as ``tools/deployment/pytorch2onnx.py`` does; ms per
  frame, speed-up over PyTorch and the largest difference from PyTorch's
  frames (levels of 255); a model that does not export says why;
- peak memory against clip length (``--mem-frames``): one streamed
  restoration per length, each in its own process; every output frame
  leaves as uint8 on the host as soon as the model gives it (as
  ``tools/restore_video.py`` writes a video), so a model whose memory does
  not grow with the clip reads the same at every length. Recurrent nets and
  RVRT return the whole clip from one call (that is how they run).

Example::

    python tools/analysis_tools/benchmark.py --out work_dirs/bench.json
    python tools/analysis_tools/benchmark.py --device cuda --fp16
    python tools/analysis_tools/benchmark.py --device cuda --jffra-windows 10
    python tools/analysis_tools/benchmark.py --mem-frames 10 20
    python tools/analysis_tools/benchmark.py --models jffra-small \
        jffra-paper --threads 2 --frames 6 --no-train \
        --backends pytorch onnxruntime openvino
"""
import argparse
import json
import os
import os.path as osp
import resource
import statistics
import subprocess
import sys
import time

from mmengine.config import DictAction

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

MODELS = {
    'basicvsr':
    dict(
        config='mmagic::basicvsr/basicvsr_2xb4_reds4.py',
        kind='recurrent',
        demo='configs/demo/basicvsr_c16b4_1xb2-1000i_carphone-bix4.py'),
    # the width the quality study compares JFFRA-small with
    'basicvsr-c16b4':
    dict(
        config='configs/demo/basicvsr_c16b4_1xb2-1000i_carphone-bix4.py',
        kind='recurrent',
        demo='configs/demo/basicvsr_c16b4_1xb2-1000i_carphone-bix4.py'),
    'basicvsr++':
    dict(
        config='mmagic::basicvsr_pp/basicvsr-pp_c64n7_8xb1-600k_reds4.py',
        kind='recurrent',
        demo=None),
    'edvr-m':
    dict(
        config='mmagic::edvr/edvrm_8xb4-600k_reds.py',
        kind='window',
        demo='configs/demo/edvrm_c16_1xb2-1000i_carphone-bix4.py'),
    'jffra-small':
    dict(
        config='configs/_base_/models/jffra_small.py',
        kind='jffra',
        demo='configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py'),
    'jffra-paper':
    dict(
        config='configs/_base_/models/jffra_paper.py', kind='jffra',
        demo=None),
    'rvrt':
    dict(config='configs/_base_/models/rvrt.py', kind='rvrt', demo=None),
    'rvrt-tiny':
    dict(
        config='configs/demo/rvrt-tiny_1xb2-1000i_carphone-bix4.py',
        kind='rvrt',
        demo='configs/demo/rvrt-tiny_1xb2-1000i_carphone-bix4.py'),
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--models',
        nargs='+',
        default=list(MODELS),
        choices=list(MODELS),
        help='models to measure (basicvsr is always added: the reference)')
    parser.add_argument('--height', type=int, default=180)
    parser.add_argument('--width', type=int, default=320)
    parser.add_argument('--frames', type=int, default=10)
    parser.add_argument('--scale', type=int, default=4)
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--fp16', action='store_true', help='half (CUDA)')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument(
        '--threads',
        type=int,
        default=0,
        help='torch CPU threads (0: torch default)')
    parser.add_argument('--train-crop', type=int, default=64)
    parser.add_argument('--train-batch', type=int, default=2)
    parser.add_argument('--no-train', action='store_true')
    parser.add_argument(
        '--jffra-flow',
        default=None,
        help="override JFFRA's flow estimator type, e.g. DISFlowEstimator")
    parser.add_argument(
        '--jffra-options',
        nargs='+',
        action=DictAction,
        default={},
        metavar='KEY=VALUE',
        help='JFFRANet arguments over the preset\'s, e.g. mid_channels=24')
    parser.add_argument(
        '--jffra-windows',
        type=int,
        default=None,
        help="JFFRA windows batched in one forward (test_cfg's "
        "max_windows_per_forward; default: the config's, 1). More windows "
        'keep a GPU busy; peak memory grows with it, not with the clip')
    parser.add_argument(
        '--rvrt-tiles',
        action='store_true',
        help="run RVRT with its config's test tiles (default: whole clip)")
    parser.add_argument(
        '--mem-frames',
        type=int,
        nargs='*',
        default=[],
        help='also measure the peak memory of a streamed restoration at '
        'these clip lengths (one run each, in its own process)')
    parser.add_argument(
        '--mem-only',
        action='store_true',
        help='only the --mem-frames measurements (no timing, FLOPs, training)')
    parser.add_argument(
        '--backends',
        nargs='+',
        default=[],
        choices=['pytorch', 'onnxruntime', 'openvino'],
        help='also restore the clip (uint8 frames, as restore_video.py) '
        'through these backends in the same process, the model exported to '
        'ONNX: ms/frame, speed-up and max difference from PyTorch (CPU)')
    parser.add_argument('--out', help='write the results as JSON here')
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    parser.add_argument('--mem-worker', type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def _sync(device):
    import torch
    if device == 'cuda':
        torch.cuda.synchronize()


def _generator_cfg(name, args):
    from mmengine.config import Config
    spec = MODELS[name]
    path = spec['config']
    if path.startswith('mmagic::'):
        import mmagic
        path = osp.join(
            osp.dirname(mmagic.__file__), '.mim', 'configs',
            path[len('mmagic::'):])
    else:
        path = osp.join(REPO, path)
    model = Config.fromfile(path).model
    gen = model.generator
    if 'spynet_pretrained' in gen:
        gen.spynet_pretrained = None  # a URL in MMagic's configs
    gen.pop('init_cfg', None)
    if spec['kind'] == 'jffra':
        model.generator.upscale_factor = args.scale
        if args.jffra_flow:
            model.generator.flow_estimator = dict(type=args.jffra_flow)
        model.generator.update(getattr(args, 'jffra_options', {}))
    # speed does not depend on the weights: learned flow estimators (RAFT,
    # SPyNet) run with random weights, said explicitly (None is refused)
    from mmjffra.models.flow_estimators import \
        random_weights_for_learned_estimators
    random_weights_for_learned_estimators(gen)
    if spec['kind'] == 'rvrt':
        model.generator.upscale_factor = args.scale
    return model


def _build(name, args):
    import torch
    from mmagic.registry import MODELS as REG
    from mmagic.utils import register_all_modules

    import mmjffra  # noqa: F401
    register_all_modules(init_default_scope=True)
    if getattr(args, 'threads', 0):  # also called by profile_jffra.py
        torch.set_num_threads(args.threads)
    model_cfg = _generator_cfg(name, args)
    if MODELS[name]['kind'] == 'jffra':
        model_cfg.pop('temporal_loss', None)
        model = REG.build(model_cfg)
        if getattr(args, 'jffra_windows', None):
            model.max_windows_per_forward = args.jffra_windows
    elif MODELS[name]['kind'] == 'rvrt':
        model = REG.build(model_cfg)
        if not args.rvrt_tiles:
            model.test_options.update(chunk=None, tile=None)
    else:
        model = REG.build(model_cfg.generator)
    model = model.to(args.device).eval()
    if args.fp16:  # flow estimators estimate in float32
        from mmjffra.models.flow_estimators import flow_estimators_to_float32
        model = flow_estimators_to_float32(model.half())
    return model, torch


def _restore(name, model, lqs):
    """Restore every frame of ``lqs`` (1, t, c, h, w) as a user would."""
    kind = MODELS[name]['kind']
    t = lqs.size(1)
    if kind == 'recurrent':
        return model(lqs)
    if kind == 'jffra':
        return model.restore_frames(lqs)
    if kind == 'rvrt':
        return model.forward_tensor(lqs)
    # EDVR: one 5-frame window per frame, the ends padded by reflection (as
    # JFFRA; MMagic's EDVR test pipeline pads by reflection_circle), through
    # the project's one inference path
    from mmjffra.models.inference import ClipRestorer
    return ClipRestorer(model).restore_windows(lqs, list(range(t)))


def _restore_stream(name, model, lqs):
    """Yield the restored frames (1, c, H, W) one at a time."""
    kind = MODELS[name]['kind']
    t = lqs.size(1)
    if kind == 'jffra':
        for i in range(t):
            yield model.restore_frames(lqs, [i])[:, 0]
    elif kind == 'window':
        from mmjffra.models.inference import ClipRestorer
        clip = ClipRestorer(model)
        for i in range(t):
            yield clip.restore_windows(lqs, [i])[:, 0]
    else:
        yield from _restore(name, model, lqs).unbind(1)


def _peak_memory_mb(device):
    import torch
    if device == 'cuda':
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_worker(name, frames, args):
    """Peak memory of one streamed restoration of ``frames`` frames."""
    model, torch = _build(name, args)
    dtype = torch.float16 if args.fp16 else torch.float32
    torch.manual_seed(0)
    lqs = torch.rand(
        1, frames, 3, args.height, args.width, device=args.device, dtype=dtype)
    if args.device == 'cuda':
        torch.cuda.reset_peak_memory_stats()
    count = 0
    with torch.no_grad():
        for out in _restore_stream(name, model, lqs):
            out.clamp(0, 1).mul(255).round().byte().cpu().numpy()
            count += 1
    assert count == frames, (count, frames)
    result = dict(
        model=name, frames=frames, peak_mem_mb=_peak_memory_mb(args.device))
    print('RESULT ' + json.dumps(result), flush=True)


def _count_flops(name, model, lqs):
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        _restore(name, model, lqs)
    return counter.get_total_flops()


def _flow_time(model, lqs, args, kind):
    """Time JFFRA's initial flows over the clip's windows / RVRT's flows."""
    import torch

    from mmjffra.models.inference import window_indices as temporal_indices
    _sync(args.device)
    start = time.perf_counter()
    with torch.no_grad():
        if kind == 'jffra':  # each window's initial flows
            t = lqs.size(1)
            for i in range(t):
                model.generator.compute_flows(
                    lqs[:,
                        temporal_indices(t, i, model.num_input_frames // 2)])
        else:
            model.generator.compute_adjacent_flows(lqs)
    _sync(args.device)
    return time.perf_counter() - start


def _train_step_time(name, args):
    import torch
    from mmagic.registry import MODELS as REG
    from mmagic.structures import DataSample
    from mmengine.config import Config
    from mmengine.optim import OptimWrapper
    demo = MODELS[name]['demo']
    if demo is None:
        return None
    cfg = Config.fromfile(osp.join(REPO, demo))
    model = REG.build(cfg.model).to(args.device).train()
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-4))
    crop = args.train_crop
    lq = crop // args.scale
    frames = cfg.train_dataloader.dataset.get('num_input_frames', 5)
    data = dict(inputs=[], data_samples=[])
    for _ in range(args.train_batch):
        data['inputs'].append(torch.rand(frames, 3, lq, lq) * 255)
        gt_frames = 1 if MODELS[name]['kind'] == 'window' else frames
        gt = torch.rand(gt_frames, 3, crop, crop) * 255
        data['data_samples'].append(
            DataSample(gt_img=gt[0] if gt_frames == 1 else gt))
    times = []
    for i in range(args.warmup + args.repeats):
        _sync(args.device)
        start = time.perf_counter()
        model.train_step(data, optim)
        _sync(args.device)
        if i >= args.warmup:
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def worker(name, args):
    """Measure one model; print a JSON line."""
    model, torch = _build(name, args)
    dtype = torch.float16 if args.fp16 else torch.float32
    torch.manual_seed(0)
    lqs = torch.rand(
        1,
        args.frames,
        3,
        args.height,
        args.width,
        device=args.device,
        dtype=dtype)
    kind = MODELS[name]['kind']
    net = model.generator if kind in ('jffra', 'rvrt') else model
    params = sum(p.numel() for p in net.parameters())
    trainable = sum(p.numel() for p in net.parameters() if p.requires_grad)
    if args.device == 'cuda':
        torch.cuda.reset_peak_memory_stats()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times = []
    with torch.no_grad():
        for i in range(args.warmup + args.repeats):
            _sync(args.device)
            start = time.perf_counter()
            out = _restore(name, model, lqs)
            _sync(args.device)
            if i >= args.warmup:
                times.append(time.perf_counter() - start)
    assert out.shape[1] == args.frames, out.shape
    result = dict(
        model=name,
        params_m=params / 1e6,
        trainable_params_m=trainable / 1e6,
        ms_per_frame=statistics.median(times) * 1000 / args.frames,
    )
    result['peak_mem_mb'] = _peak_memory_mb(args.device)
    if args.device == 'cpu':
        result['rss_before_run_mb'] = rss_before / 1024
    if kind == 'jffra':
        result['windows_per_forward'] = model.max_windows_per_forward
    if kind in ('jffra', 'rvrt'):
        flow_s = statistics.median(
            [_flow_time(model, lqs, args, kind) for _ in range(args.repeats)])
        result['flow_ms_per_frame'] = flow_s * 1000 / args.frames
        result['flow_share'] = (
            result['flow_ms_per_frame'] / result['ms_per_frame'])
    if args.device == 'cpu' or not args.fp16:
        result['gflops_per_frame'] = _count_flops(
            name, model, lqs[:, :min(args.frames, 5)]) / 1e9 / min(
                args.frames, 5)
    if not args.no_train:
        result['train_step_ms'] = _train_step_time(name, args)
    if args.backends:
        result['backends'] = _backend_speeds(name, args, lqs)
    print('RESULT ' + json.dumps(result), flush=True)


def _backend_speeds(name, args, lqs):
    """The clip restored through each of ``--backends``
    (:func:`mmjffra.deploy.speed.backend_speeds`)."""
    from mmengine.config import Config

    from mmjffra.deploy.speed import backend_speeds
    if args.device != 'cpu':
        return {
            b: dict(error='the runtimes run on the CPU')
            for b in args.backends
        }
    path = MODELS[name]['config']
    if path.startswith('mmagic::'):
        import mmagic
        path = osp.join(
            osp.dirname(mmagic.__file__), '.mim', 'configs',
            path[len('mmagic::'):])
    cfg = Config.fromfile(path if osp.isabs(path) else osp.join(REPO, path))
    cfg.model = _generator_cfg(name, args)
    frames = [(f.permute(1, 2, 0).float().numpy() * 255).astype('uint8')
              for f in lqs[0]]
    return backend_speeds(cfg, None, frames, args.backends, args.repeats)


def _run_worker(extra):
    """Run this script as a worker process; its RESULT dict or None."""
    cmd = [sys.executable, osp.abspath(__file__)] + extra + sys.argv[1:]
    proc = subprocess.run(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO,
        env=dict(
            os.environ,
            PYTHONPATH=os.pathsep.join(
                p for p in (REPO, os.environ.get('PYTHONPATH')) if p)))
    lines = [
        line for line in proc.stdout.splitlines() if line.startswith('RESULT ')
    ]
    if proc.returncode or not lines:
        print(
            f'{" ".join(extra)}: failed\n{proc.stdout[-3000:]}',
            file=sys.stderr)
        return None
    return json.loads(lines[-1][len('RESULT '):])


def main():
    args = parse_args()
    if args.worker and args.mem_worker:
        memory_worker(args.worker, args.mem_worker, args)
        return
    if args.worker:
        worker(args.worker, args)
        return
    names = ['basicvsr'] + [m for m in args.models if m != 'basicvsr']
    results = []
    for name in names:
        result = dict(
            model=name) if args.mem_only else _run_worker(['--worker', name])
        if result is None:
            continue
        for frames in args.mem_frames:
            mem = _run_worker(['--worker', name, '--mem-worker', str(frames)])
            if mem is not None:
                result.setdefault('stream_peak_mem_mb',
                                  {})[str(frames)] = mem['peak_mem_mb']
        results.append(result)
        print(f'measured {name}', file=sys.stderr, flush=True)
    ref = next((r for r in results if r['model'] == 'basicvsr'), None)
    keys = [
        'params_m', 'gflops_per_frame', 'ms_per_frame', 'peak_mem_mb',
        'train_step_ms'
    ]
    for r in results:
        for k in keys:
            if ref and r.get(k) and ref.get(k):
                r[f'{k}_vs_basicvsr'] = r[k] / ref[k]
    # the issue's second reference: EDVR-M's speed, when it was measured
    edvr = next((r for r in results if r['model'] == 'edvr-m'), None)
    for r in results:
        if edvr and 'ms_per_frame' in edvr and 'ms_per_frame' in r:
            r['ms_per_frame_vs_edvr-m'] = r['ms_per_frame'] / edvr[
                'ms_per_frame']
    header = (f'{"model":<12} {"params(M)":>10} {"GFLOPs/fr":>10} '
              f'{"ms/frame":>9} {"x BVSR":>7} {"x EDVR":>7} '
              f'{"flow ms/fr":>10} {"flow %":>6} '
              f'{"peak MB":>8} {"x BVSR":>7} {"train ms":>9} {"x BVSR":>7}')
    print(f'device={args.device} fp16={args.fp16} input={args.height}x'
          f'{args.width} x{args.scale} frames={args.frames} '
          f'threads={args.threads or "default"}')
    if not args.mem_only:
        print(header)

    def fmt(v, spec):
        if isinstance(v, (int, float)):
            return format(v, spec)
        return '-'.rjust(int(spec.split('.')[0]))

    for r in results if not args.mem_only else []:
        print(f'{r["model"]:<12} {fmt(r["params_m"], "10.2f")} '
              f'{fmt(r.get("gflops_per_frame"), "10.1f")} '
              f'{fmt(r["ms_per_frame"], "9.1f")} '
              f'{fmt(r.get("ms_per_frame_vs_basicvsr"), "7.2f")} '
              f'{fmt(r.get("ms_per_frame_vs_edvr-m"), "7.2f")} '
              f'{fmt(r.get("flow_ms_per_frame"), "10.1f")} '
              f'{fmt(r.get("flow_share", 0) * 100 or None, "6.1f")} '
              f'{fmt(r["peak_mem_mb"], "8.0f")} '
              f'{fmt(r.get("peak_mem_mb_vs_basicvsr"), "7.2f")} '
              f'{fmt(r.get("train_step_ms"), "9.1f")} '
              f'{fmt(r.get("train_step_ms_vs_basicvsr"), "7.2f")}')
    if args.backends:
        print('restore (uint8 frames, VideoRestorer.restore_stream) by '
              'backend:')
        print(f'{"model":<12} {"backend":<12} {"ms/frame":>9} '
              f'{"x PyTorch":>9} {"max diff":>8}')
        for r in results:
            for backend, row in r.get('backends', {}).items():
                if 'error' in row:
                    print(f'{r["model"]:<12} {backend:<12} {row["error"]}')
                    continue
                print(f'{r["model"]:<12} {backend:<12} '
                      f'{fmt(row["ms_per_frame"], "9.1f")} '
                      f'{fmt(row.get("speedup_vs_pytorch"), "9.2f")} '
                      f'{fmt(row.get("max_level_diff"), "8.0f")}')
    if args.mem_frames:
        print('peak memory (MB) of a streamed restoration, by clip length:')
        print(f'{"model":<12} ' + ' '.join(f'{f"{f} frames":>10}'
                                           for f in args.mem_frames))
        for r in results:
            mem = r.get('stream_peak_mem_mb', {})
            print(f'{r["model"]:<12} ' + ' '.join(
                fmt(mem.get(str(f)), '10.0f') for f in args.mem_frames))
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(dict(settings=vars(args), results=results), f, indent=2)


if __name__ == '__main__':
    main()
