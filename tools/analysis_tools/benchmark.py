# Copyright (c) mmjffra contributors. All rights reserved.
"""Speed, memory, parameters and FLOPs of restoration models, by config.

Each config (ours, or MMagic's as ``mmagic::<path>``) is built as
``tools/test.py`` builds it, with random weights (speed does not depend on
them; learned flow estimators too), and restores the same random clip
through its wrapper's test path -- :class:`mmjffra.models.inference.
ClipRestorer`, the one inference path: a window per output frame for
window networks (JFFRA, EDVR), chunks and tiles as the config's
``test_cfg`` says for sequence networks (whole clips by default). Every
model runs in its own subprocess (so host peak RSS is its own), and the
table reports each figure with its ratio to the reference (MMagic's
BasicVSR, always measured) in the same run:

- inference: ``--warmup`` runs, then the median of ``--repeats``, per
  output frame; the device is synchronised;
- the initial flows of a network that computes them apart
  (``compute_flows`` of each window, JFFRA; ``compute_adjacent_flows``,
  RVRT), timed alone;
- FLOPs per output frame: multiply-accumulates x 2 of convolutions, matrix
  products and attention (``torch.utils.flop_counter``; element-wise ops
  such as the cost volume's differences are not counted, as in fvcore);
- peak memory: host peak RSS (CPU) or ``torch.cuda.max_memory_allocated``;
- training: one ``train_step`` (forward, losses, backward, Adam) of the
  config's model on ``--train-crop`` GT crops, batch ``--train-batch``;
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
  not grow with the clip reads the same at every length.

``--cfg-options`` applies to every config but the reference (e.g.
``model.test_cfg.max_windows_per_forward=10``,
``model.generator.mid_channels=24``); RVRT's configs restore in chunks and
tiles (``model.test_cfg.chunk=None model.test_cfg.tile=None``: whole
clips).

Example::

    python tools/analysis_tools/benchmark.py \\
        configs/demo/basicvsr_c16b4_1xb2-1000i_carphone-bix4.py \\
        configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py \\
        --threads 1 --height 90 --width 160 --out work_dirs/bench.json
    python tools/analysis_tools/benchmark.py configs/_base_/models/\\
jffra_small.py --no-train --backends pytorch onnxruntime openvino
    python tools/analysis_tools/benchmark.py CONFIG --device cuda --fp16
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
#: MMagic's BasicVSR (c64, 30 blocks): every ratio is to it
REFERENCE = 'mmagic::basicvsr/basicvsr_2xb4_reds4.py'
DEFAULT_CONFIGS = [
    'configs/demo/basicvsr_c16b4_1xb2-1000i_carphone-bix4.py',
    'mmagic::basicvsr_pp/basicvsr-pp_c64n7_8xb1-600k_reds4.py',
    'mmagic::edvr/edvrm_8xb4-600k_reds.py',
    'configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py',
    'configs/jffra/jffra_c64_8xb6-700k_reds4.py',
    'configs/rvrt/rvrt_8xb1-600k_reds4.py',
    'configs/demo/rvrt-tiny_1xb2-1000i_carphone-bix4.py',
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'configs',
        nargs='*',
        metavar='CONFIG',
        help='model configs (mmagic::<path> for MMagic\'s; default: the '
        'demo configs, the paper presets and MMagic\'s BasicVSR++/EDVR-M); '
        'the reference is always added')
    parser.add_argument('--reference', default=REFERENCE)
    parser.add_argument('--height', type=int, default=180)
    parser.add_argument('--width', type=int, default=320)
    parser.add_argument('--frames', type=int, default=10)
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
        '--cfg-options',
        nargs='+',
        action=DictAction,
        default={},
        metavar='KEY=VALUE',
        help='config overrides applied to every config but the reference')
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
    return parser.parse_args(argv)


def model_name(path: str) -> str:
    """A config's name in the tables: its file name without ``.py``."""
    return osp.splitext(osp.basename(path))[0]


def load_cfg(path: str, args, overrides: bool = True):
    """The config of ``path`` with random weights and (``overrides``)
    ``--cfg-options``."""
    from mmengine.config import Config

    from mmjffra.models.flow_estimators import \
        random_weights_for_learned_estimators
    if path.startswith('mmagic::'):
        import mmagic
        path = osp.join(
            osp.dirname(mmagic.__file__), '.mim', 'configs',
            path[len('mmagic::'):])
    elif not osp.isabs(path):
        path = osp.join(REPO, path)
    cfg = Config.fromfile(path)
    if overrides:
        cfg.merge_from_dict(args.cfg_options)
    gen = cfg.model.generator
    if 'spynet_pretrained' in gen:
        gen.spynet_pretrained = None  # a URL in MMagic's configs
    gen.pop('init_cfg', None)
    # speed does not depend on the weights: learned flow estimators (RAFT,
    # SPyNet; the temporal loss's too) run with random weights, said
    # explicitly (None is refused)
    random_weights_for_learned_estimators(cfg.model)
    return cfg


def _sync(device):
    import torch
    if device == 'cuda':
        torch.cuda.synchronize()


def build(cfg, args, train=False):
    """The config's model (wrapper) on ``--device``."""
    import torch
    from mmagic.registry import MODELS
    from mmagic.utils import register_all_modules

    import mmjffra  # noqa: F401
    register_all_modules(init_default_scope=True)
    if args.threads:
        torch.set_num_threads(args.threads)
    model = MODELS.build(cfg.model).to(args.device)
    if train:
        return model.train()
    model = model.eval()
    if args.fp16:  # flow estimators estimate in float32
        from mmjffra.models.flow_estimators import flow_estimators_to_float32
        model = flow_estimators_to_float32(model.half())
    return model


def clip_restorer(model, lqs):
    """The wrapper's test path: ours configure it by ``test_cfg``; MMagic's
    get windows (EDVR, the ends padded by reflection as JFFRA's) or whole
    clips (BasicVSR, BasicVSR++)."""
    from mmjffra.models.inference import ClipRestorer
    if hasattr(model, 'clip_restorer'):
        return model.clip_restorer(lqs)
    return ClipRestorer(model.generator)


def restore_stream(restorer, lqs):
    """Yield the restored frames (1, c, H, W) as the network gives them."""
    if restorer.spec.temporal == 'window':
        for i in range(lqs.size(1)):
            yield restorer.restore_windows(lqs, [i])[:, 0]
    else:
        yield from restorer.restore(lqs).unbind(1)


def _peak_memory_mb(device):
    import torch
    if device == 'cuda':
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _clip(args, frames=None):
    import torch
    torch.manual_seed(0)
    return torch.rand(
        1,
        frames or args.frames,
        3,
        args.height,
        args.width,
        device=args.device,
        dtype=torch.float16 if args.fp16 else torch.float32)


def memory_worker(path, frames, args):
    """Peak memory of one streamed restoration of ``frames`` frames."""
    import torch
    model = build(load_cfg(path, args, path != args.reference), args)
    lqs = _clip(args, frames)
    if args.device == 'cuda':
        torch.cuda.reset_peak_memory_stats()
    count = 0
    with torch.no_grad():
        for out in restore_stream(clip_restorer(model, lqs), lqs):
            out.clamp(0, 1).mul(255).round().byte().cpu().numpy()
            count += 1
    assert count == frames, (count, frames)
    result = dict(frames=frames, peak_mem_mb=_peak_memory_mb(args.device))
    print('RESULT ' + json.dumps(result), flush=True)


def _count_flops(restorer, lqs):
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        restorer.restore(lqs)
    return counter.get_total_flops()


def _flow_seconds(generator, restorer, lqs, args):
    """Seconds of the initial flows a network computes apart, or None."""
    import torch

    from mmjffra.models.inference import window_indices
    spec = restorer.spec
    window = spec.temporal == 'window' and hasattr(generator, 'compute_flows')
    if not window and not hasattr(generator, 'compute_adjacent_flows'):
        return None
    _sync(args.device)
    start = time.perf_counter()
    with torch.no_grad():
        if window:  # each window's initial flows
            t = lqs.size(1)
            for i in range(t):
                generator.compute_flows(lqs[:,
                                            window_indices(t, i, spec.radius)])
        else:
            generator.compute_adjacent_flows(lqs)
    _sync(args.device)
    return time.perf_counter() - start


def _train_step_ms(cfg, spec, args):
    """One ``train_step`` of the config's model on random crops."""
    import torch
    from mmagic.models.editors.edvr import EDVR
    from mmagic.structures import DataSample
    from mmengine.optim import OptimWrapper
    model = build(cfg, args, train=True)
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-4))
    crop = args.train_crop
    lq = crop // spec.scale
    dataset = cfg.get('train_dataloader', {}).get('dataset', {})
    frames = dataset.get('num_input_frames') or (
        spec.num_frames + 2 * bool(cfg.model.get('temporal_loss'))
        if spec.temporal == 'window' else 5)
    gt_frames = 1 if isinstance(model, EDVR) else frames
    data = dict(inputs=[], data_samples=[])
    for _ in range(args.train_batch):
        data['inputs'].append(torch.rand(frames, 3, lq, lq) * 255)
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


def _backend_speeds(cfg, lqs, args):
    """The clip restored through each of ``--backends``
    (:func:`mmjffra.deploy.speed.backend_speeds`)."""
    from mmjffra.deploy.speed import backend_speeds
    if args.device != 'cpu':
        return {
            b: dict(error='the runtimes run on the CPU')
            for b in args.backends
        }
    frames = [(f.permute(1, 2, 0).float().numpy() * 255).astype('uint8')
              for f in lqs[0]]
    return backend_speeds(cfg, None, frames, args.backends, args.repeats)


def worker(path, args):
    """Measure one config; print a JSON line."""
    import torch
    cfg = load_cfg(path, args, path != args.reference)
    model = build(cfg, args)
    lqs = _clip(args)
    restorer = clip_restorer(model, lqs)
    net = model.generator
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
            out = restorer.restore(lqs)
            _sync(args.device)
            if i >= args.warmup:
                times.append(time.perf_counter() - start)
    assert out.shape[1] == args.frames, out.shape
    result = dict(
        model=model_name(path),
        config=path,
        params_m=params / 1e6,
        trainable_params_m=trainable / 1e6,
        ms_per_frame=statistics.median(times) * 1000 / args.frames,
        peak_mem_mb=_peak_memory_mb(args.device),
        windows_per_forward=restorer.max_windows)
    if args.device == 'cpu':
        result['rss_before_run_mb'] = rss_before / 1024
    flows = [
        _flow_seconds(net, restorer, lqs, args) for _ in range(args.repeats)
    ]
    if flows[0] is not None:
        result['flow_ms_per_frame'] = statistics.median(
            flows) * 1000 / args.frames
        result['flow_share'] = (
            result['flow_ms_per_frame'] / result['ms_per_frame'])
    if args.device == 'cpu' or not args.fp16:
        frames = min(args.frames, 5)
        result['gflops_per_frame'] = _count_flops(
            restorer, lqs[:, :frames]) / 1e9 / frames
    if not args.no_train:
        result['train_step_ms'] = _train_step_ms(cfg, restorer.spec, args)
    if args.backends:
        result['backends'] = _backend_speeds(cfg, lqs, args)
    print('RESULT ' + json.dumps(result), flush=True)


def _run_worker(extra, argv):
    """Run this script as a worker process (it measures ``--worker`` and
    ignores the configs of ``argv``); its RESULT dict or None."""
    cmd = [sys.executable, osp.abspath(__file__)] + extra + argv
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


def _fmt(v, spec):
    if isinstance(v, (int, float)):
        return format(v, spec)
    return '-'.rjust(int(spec.split('.')[0]))


def print_tables(results, args):
    width = max([12] + [len(r['model']) for r in results])
    print(f'device={args.device} fp16={args.fp16} input={args.height}x'
          f'{args.width} frames={args.frames} '
          f'threads={args.threads or "default"} reference={args.reference}')
    if not args.mem_only:
        print(f'{"model":<{width}} {"params(M)":>10} {"GFLOPs/fr":>10} '
              f'{"ms/frame":>9} {"x ref":>7} {"flow ms/fr":>10} '
              f'{"flow %":>6} {"peak MB":>8} {"x ref":>7} {"train ms":>9} '
              f'{"x ref":>7}')
        for r in results:
            print(f'{r["model"]:<{width}} {_fmt(r["params_m"], "10.2f")} '
                  f'{_fmt(r.get("gflops_per_frame"), "10.1f")} '
                  f'{_fmt(r["ms_per_frame"], "9.1f")} '
                  f'{_fmt(r.get("ms_per_frame_vs_ref"), "7.2f")} '
                  f'{_fmt(r.get("flow_ms_per_frame"), "10.1f")} '
                  f'{_fmt(r.get("flow_share", 0) * 100 or None, "6.1f")} '
                  f'{_fmt(r["peak_mem_mb"], "8.0f")} '
                  f'{_fmt(r.get("peak_mem_mb_vs_ref"), "7.2f")} '
                  f'{_fmt(r.get("train_step_ms"), "9.1f")} '
                  f'{_fmt(r.get("train_step_ms_vs_ref"), "7.2f")}')
    if args.backends:
        print('restore (uint8 frames, VideoRestorer.restore_stream) by '
              'backend:')
        print(f'{"model":<{width}} {"backend":<12} {"ms/frame":>9} '
              f'{"x PyTorch":>9} {"max diff":>8}')
        for r in results:
            for backend, row in r.get('backends', {}).items():
                if 'error' in row:
                    print(f'{r["model"]:<{width}} {backend:<12} '
                          f'{row["error"]}')
                    continue
                print(f'{r["model"]:<{width}} {backend:<12} '
                      f'{_fmt(row["ms_per_frame"], "9.1f")} '
                      f'{_fmt(row.get("speedup_vs_pytorch"), "9.2f")} '
                      f'{_fmt(row.get("max_level_diff"), "8.0f")}')
    if args.mem_frames:
        print('peak memory (MB) of a streamed restoration, by clip length:')
        print(f'{"model":<{width}} ' + ' '.join(f'{f"{f} frames":>10}'
                                                for f in args.mem_frames))
        for r in results:
            mem = r.get('stream_peak_mem_mb', {})
            print(f'{r["model"]:<{width}} ' + ' '.join(
                _fmt(mem.get(str(f)), '10.0f') for f in args.mem_frames))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.worker and args.mem_worker:
        memory_worker(args.worker, args.mem_worker, args)
        return
    if args.worker:
        worker(args.worker, args)
        return
    configs = args.configs or DEFAULT_CONFIGS
    paths = [args.reference] + [c for c in configs if c != args.reference]
    results = []
    for path in paths:
        result = dict(model=model_name(path), config=path) \
            if args.mem_only else _run_worker(['--worker', path], argv)
        if result is None:
            continue
        for frames in args.mem_frames:
            mem = _run_worker(['--worker', path, '--mem-worker',
                               str(frames)], argv)
            if mem is not None:
                result.setdefault('stream_peak_mem_mb',
                                  {})[str(frames)] = mem['peak_mem_mb']
        results.append(result)
        print(f'measured {path}', file=sys.stderr, flush=True)
    ref = next((r for r in results if r['config'] == args.reference), None)
    for r in results:
        for k in ('params_m', 'gflops_per_frame', 'ms_per_frame',
                  'peak_mem_mb', 'train_step_ms'):
            if ref and r.get(k) and ref.get(k):
                r[f'{k}_vs_ref'] = r[k] / ref[k]
    print_tables(results, args)
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(dict(settings=vars(args), results=results), f, indent=2)


if __name__ == '__main__':
    main()
