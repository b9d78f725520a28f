# Copyright (c) mmjffra contributors. All rights reserved.
"""Profile JFFRA inference with ``torch.profiler`` (CPU or CUDA).

Builds the model of a preset (``configs/_base_/models/jffra_<preset>.py``,
random weights, as ``tools/analysis_tools/benchmark.py`` does), restores
one window of ``--frames`` random LQ frames (initial flows included)
``--warmup`` times, times ``--repeats`` unprofiled runs, then profiles
``--profile-runs`` more.

Prints the top ops by self CPU time and a breakdown of the self CPU time by
module group. Groups come from ``record_function`` ranges that this script
opens around the flow estimator, the cost volumes, the window attentions and
every ``flow_warp`` call (hooks and a wrapper, so the network code is not
touched); convolutions and ``grid_sample`` outside those ranges are grouped
by op name, everything else (layer norms, resizes, concatenations, Python
overhead between ops...) is "other". An op belongs to the innermost range it
runs in, so e.g. RAFT's convolutions count as "initial flow estimator".

With more frames than the preset's window, the clip is restored one window
per frame by the model wrapper (flows of each frame pair computed once).

Example::

    python projects/jffra_study/tools/profile_jffra.py --preset small
    python projects/jffra_study/tools/profile_jffra.py --preset paper \\
        --size 64 112 --json work_dirs/profile.json
"""
import argparse
import collections
import functools
import json
import os
import os.path as osp
import statistics
import time

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
# quiet the profiler's (Kineto's) start/stop and missing-GPU log lines
os.environ.setdefault('KINETO_LOG_LEVEL', '5')

GROUPS = ('initial flow estimator', 'cost volume', 'window attention',
          'warping (flow_warp/grid_sample)', 'convolutions', 'other')
_LABEL = 'jffra_profile::'
CONV_OPS = ('aten::conv2d', 'aten::conv3d', 'aten::convolution',
            'aten::_convolution', 'aten::mkldnn_convolution',
            'aten::_nnpack_spatial_convolution', 'aten::thnn_conv2d',
            'aten::_slow_conv2d_forward', 'aten::slow_conv3d',
            'aten::slow_conv3d_forward', 'aten::cudnn_convolution',
            'aten::conv_transpose2d')
WARP_OPS = ('aten::grid_sampler', 'aten::grid_sampler_2d')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--preset', default='small', choices=['small', 'paper'])
    parser.add_argument(
        '--size',
        nargs=2,
        type=int,
        default=[180, 320],
        metavar=('H', 'W'),
        help='LQ frame size (default 180 320)')
    parser.add_argument(
        '--frames',
        type=int,
        default=None,
        help="frames of the clip (default: the preset's num_frames, i.e. "
        'one window)')
    parser.add_argument('--scale', type=int, default=4)
    parser.add_argument(
        '--threads',
        type=int,
        default=0,
        help='torch CPU threads (0: torch default)')
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument(
        '--compile',
        nargs='?',
        const='blocks',
        default=None,
        choices=['blocks', 'net'],
        help='torch.compile the JFFR blocks (default) or the whole network')
    parser.add_argument(
        '--flow',
        default=None,
        help="override the flow estimator's type, e.g. DISFlowEstimator")
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument(
        '--repeats', type=int, default=3, help='unprofiled timed runs')
    parser.add_argument('--profile-runs', type=int, default=1)
    parser.add_argument(
        '--row-limit', type=int, default=15, help='rows of the op table')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--json', help='write the results as JSON here')
    return parser.parse_args(argv)


def build_model(args):
    """The JFFRA wrapper of the preset (eval mode, random weights)."""
    from mmagic.registry import MODELS
    from mmagic.utils import register_all_modules
    from mmengine.config import Config

    import mmjffra  # noqa: F401
    from mmjffra.models.flow_estimators import \
        random_weights_for_learned_estimators
    register_all_modules(init_default_scope=True)
    model_cfg = Config.fromfile(
        osp.join(REPO, 'configs', '_base_', 'models',
                 f'jffra_{args.preset}.py')).model
    model_cfg.pop('temporal_loss', None)  # not used to restore
    model_cfg.generator.upscale_factor = args.scale
    if args.flow:
        model_cfg.generator.flow_estimator = dict(type=args.flow)
    # time does not depend on the weights: RAFT/SPyNet with random ones
    random_weights_for_learned_estimators(model_cfg.generator)
    model = MODELS.build(model_cfg).to(args.device).eval()
    net = model.generator
    if args.compile:
        import torch

        from mmjffra.models.editors.jffra.jffr_block import JFFRBlock
        if args.compile == 'net':
            model.generator = torch.compile(net)
        else:
            for module in net.modules():
                if isinstance(module, JFFRBlock):
                    module.forward = torch.compile(module.forward)
    return model


def sync(device):
    """Wait for the device's queued work (CUDA), so that timings are real."""
    import torch
    if device == 'cuda':
        torch.cuda.synchronize()


def _open_range(label, stack, *_):
    from torch.autograd.profiler import record_function
    rf = record_function(_LABEL + label)
    rf.__enter__()
    stack.append(rf)


def _close_range(stack, *_):
    stack.pop().__exit__(None, None, None)


def add_ranges(model):
    """Label the groups with ``record_function`` ranges (hooks, a wrapper).

    Returns a function that removes them.
    """
    from mmjffra.models.editors.jffra import (L1CostVolume, WindowAttention,
                                              jffr_block)
    net = getattr(model.generator, '_orig_mod', model.generator)
    labels = [(net.flow_estimator, GROUPS[0])]
    for module in net.modules():
        if isinstance(module, L1CostVolume):
            labels.append((module, GROUPS[1]))
        elif isinstance(module, WindowAttention):
            labels.append((module, GROUPS[2]))
    stack = []
    handles = []
    for module, label in labels:
        handles.append(
            module.register_forward_pre_hook(
                functools.partial(_open_range, label, stack)))
        handles.append(
            module.register_forward_hook(
                functools.partial(_close_range, stack)))
    warp = jffr_block.flow_warp

    @functools.wraps(warp)
    def labelled_warp(*a, **k):
        from torch.autograd.profiler import record_function
        with record_function(_LABEL + GROUPS[3]):
            return warp(*a, **k)

    jffr_block.flow_warp = labelled_warp

    def remove():
        for h in handles:
            h.remove()
        jffr_block.flow_warp = warp

    return remove


def restore(model, lqs):
    """One window through the generator, or the clip window by window."""
    if lqs.size(1) == model.generator.num_frames:
        return model.generator(lqs)
    return model.restore_frames(lqs)


def group_of(event):
    """Group of a profiler event: its innermost range, else its op name."""
    conv = warp = False
    e = event
    while e is not None:
        if e.name.startswith(_LABEL):
            return e.name[len(_LABEL):]
        conv = conv or e.name in CONV_OPS
        warp = warp or e.name in WARP_OPS
        e = e.cpu_parent
    if conv:
        return GROUPS[4]
    if warp:
        return GROUPS[3]
    return GROUPS[5]


def breakdown(events):
    """Self CPU time (us) per group and per op, over all events."""
    groups = collections.OrderedDict((g, 0.) for g in GROUPS)
    ops = collections.defaultdict(lambda: [0., 0, collections.Counter()])
    for e in events:
        if e.device_type.name != 'CPU':
            continue
        t = e.self_cpu_time_total
        g = group_of(e)
        groups[g] += t
        if not e.name.startswith(_LABEL):
            ops[e.name][0] += t
            ops[e.name][1] += 1
            ops[e.name][2][g] += t
    return groups, ops


def run(args):
    import torch
    from torch.profiler import ProfilerActivity, profile
    if args.threads:
        torch.set_num_threads(args.threads)
    model = build_model(args)
    net = model.generator
    frames = args.frames or net.num_frames
    h, w = args.size
    torch.manual_seed(args.seed)
    lqs = torch.rand(1, frames, 3, h, w, device=args.device)

    compile_s = None
    with torch.no_grad():
        start = time.perf_counter()
        for _ in range(args.warmup):
            restore(model, lqs)
            sync(args.device)
        if args.compile:
            compile_s = time.perf_counter() - start
        times = []
        for _ in range(args.repeats):
            sync(args.device)
            start = time.perf_counter()
            restore(model, lqs)
            sync(args.device)
            times.append(time.perf_counter() - start)

        remove = add_ranges(model)
        activities = [ProfilerActivity.CPU]
        if args.device == 'cuda':
            activities.append(ProfilerActivity.CUDA)
        with profile(activities=activities) as prof:
            for _ in range(args.profile_runs):
                restore(model, lqs)
                sync(args.device)
        remove()

    groups, ops = breakdown(prof.events())
    total = sum(groups.values())
    runs = args.profile_runs
    ms_run = statistics.median(times) * 1000 if times else None
    print(f'JFFRA-{args.preset}: input 1x{frames}x3x{h}x{w}, x{args.scale}, '
          f'device={args.device}, threads={torch.get_num_threads()}, '
          f'compile={args.compile}, '
          f'torch {torch.__version__}')
    if ms_run is not None:
        print(f'unprofiled: median {ms_run:.1f} ms per run over '
              f'{args.repeats} runs ({ms_run / frames:.1f} ms/frame)')
    if compile_s is not None:
        print(f'warm-up incl. compilation: {compile_s:.1f} s')
    print(f'profiled: {total / 1000 / runs:.1f} ms self CPU per run '
          f'({runs} run(s))\n')

    top = sorted(ops.items(), key=lambda kv: -kv[1][0])[:args.row_limit]
    print(f'{"op":<40} {"self CPU ms":>11} {"%":>6} {"calls":>6}  group')
    for name, (t, calls, by_group) in top:
        print(f'{name[:40]:<40} {t / 1000 / runs:11.2f} '
              f'{100 * t / total:6.1f} {calls // runs:6d}  '
              f'{by_group.most_common(1)[0][0]}')
    print(f'\n{"group":<32} {"self CPU ms":>11} {"%":>6}')
    for g, t in groups.items():
        print(f'{g:<32} {t / 1000 / runs:11.2f} {100 * t / total:6.1f}')

    result = dict(
        settings=dict(
            vars(args),
            frames=frames,
            torch=torch.__version__,
            threads=torch.get_num_threads()),
        ms_per_run=ms_run,
        run_times_ms=[t * 1000 for t in times],
        compile_s=compile_s,
        profiled_ms_per_run=total / 1000 / runs,
        groups={
            g: dict(ms=t / 1000 / runs, share=t / total if total else 0.)
            for g, t in groups.items()
        },
        top_ops=[
            dict(
                op=name,
                ms=t / 1000 / runs,
                share=t / total,
                calls=calls // runs,
                group=by_group.most_common(1)[0][0])
            for name, (t, calls, by_group) in top
        ])
    if args.json:
        os.makedirs(osp.dirname(osp.abspath(args.json)), exist_ok=True)
        with open(args.json, 'w') as f:
            json.dump(result, f, indent=2)
    return result


def main():
    run(parse_args())


if __name__ == '__main__':
    main()
