# Copyright (c) mmjffra contributors. All rights reserved.
"""A/B timing of one JFFRA speed change: before vs after, interleaved.

Builds the preset's generator once (random weights, seeded; the flow head's
zero-initialised last conv is given random weights too, so that refined
flows differ from the initial ones and the whole network is compared), runs
one window of random LQ frames (initial flows included) through the
"before" and the "after" variant of ``--change`` in alternating order
(ABBA...), so that load from other processes hits both alike, and prints
the medians, the speed-up and the largest absolute difference between the
two outputs.

Changes (each "before" is the code as it was, kept here or switchable):

- ``conv3d-onednn``: the temporal context's Conv3d on oneDNN for batch 1
  (before: ``nn.Conv3d``, PyTorch's slow 3D kernel);
- ``channels-last``: ``JFFRANet.channels_last`` on vs off;
- ``cost-volume-buffer``: the cost volume's loop with one reused
  difference buffer and ``sum(out=...)`` then one division (after, kept
  here as ``_cost_volume_buffered``: tried and rejected) against the
  loop in the code (before);
- ``compile-blocks`` / ``compile-net``: ``torch.compile`` of the JFFR blocks
  or of the whole generator (before: eager; compile time reported apart).

Example::

    python research/speed_ab_jffra.py --change conv3d-onednn \\
        --preset small --size 64 112 --repeats 10
"""
import argparse
import contextlib
import json
import os
import os.path as osp
import statistics
import sys
import time

sys.path.insert(  # benchmark.py's model builder
    0,
    osp.join(
        osp.dirname(osp.dirname(osp.abspath(__file__))), 'tools',
        'analysis_tools'))

CHANGES = ('conv3d-onednn', 'channels-last', 'cost-volume-buffer',
           'compile-blocks', 'compile-net')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--change', required=True, choices=CHANGES)
    parser.add_argument(
        '--preset', default='small', choices=['small', 'paper'])
    parser.add_argument(
        '--size', nargs=2, type=int, default=[180, 320], metavar=('H', 'W'))
    parser.add_argument('--scale', type=int, default=4)
    parser.add_argument('--threads', type=int, default=0)
    parser.add_argument(
        '--flow',
        default=None,
        help="override the flow estimator's type, e.g. DISFlowEstimator")
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument(
        '--repeats', type=int, default=10, help='timed runs of each variant')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--json', help='append the result as a JSON line')
    return parser.parse_args(argv)


def _cost_volume_buffered(ctx, ref, src, radius):
    """``_L1CostVolumeFunction.forward`` with a reused buffer (rejected)."""
    import torch
    import torch.nn.functional as F

    from mmjffra.models.editors.jffra.cost_volume import _shifts
    n, c, h, w = ref.shape
    ref = ref.contiguous()
    src = src.contiguous()
    src_pad = F.pad(src, [radius] * 4)
    cost = ref.new_empty((n, (2 * radius + 1)**2, h, w))
    diff = torch.empty_like(ref)
    for k, l, m in _shifts(radius):
        shifted = src_pad[:, :, radius + l:radius + l + h,
                          radius + m:radius + m + w]
        torch.sub(ref, shifted, out=diff).abs_()
        torch.sum(diff, dim=1, out=cost[:, k])
    cost.div_(c)
    ctx.save_for_backward(ref, src)
    ctx.radius = radius
    return cost


@contextlib.contextmanager
def _patched(obj, name, value):
    old = obj.__dict__[name]
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def variants(change, model):
    """(before, after): functions returning a context and the net to run."""
    import torch
    from torch import nn

    from mmjffra.models.editors.jffra.cost_volume import _L1CostVolumeFunction
    from mmjffra.models.editors.jffra.jffr_block import JFFRBlock
    from mmjffra.models.editors.jffra.jffra_net import _Conv3d
    net = model.generator
    eager = (contextlib.nullcontext, lambda: net)
    if change == 'conv3d-onednn':
        return ((lambda: _patched(_Conv3d, 'forward', nn.Conv3d.forward),
                 lambda: net), eager)
    if change == 'channels-last':
        return ((lambda: _patched(net, 'channels_last', False), lambda: net),
                (lambda: _patched(net, 'channels_last', True), lambda: net))
    if change == 'cost-volume-buffer':
        return eager, (lambda: _patched(_L1CostVolumeFunction, 'forward',
                                        staticmethod(_cost_volume_buffered)),
                       lambda: net)
    if change == 'compile-net':
        compiled = torch.compile(net)
        return eager, (contextlib.nullcontext, lambda: compiled)
    # compile-blocks: compiled forwards swapped in per call
    blocks = [m for m in net.modules() if isinstance(m, JFFRBlock)]
    compiled = [torch.compile(b.forward) for b in blocks]

    @contextlib.contextmanager
    def use_compiled():
        for b, f in zip(blocks, compiled):
            b.forward = f
        try:
            yield
        finally:
            for b in blocks:
                del b.forward

    return eager, (use_compiled, lambda: net)


def run(args):
    import torch
    from profile_jffra import build_model

    from mmjffra.models.editors.jffra import FlowHead
    if args.threads:
        torch.set_num_threads(args.threads)
    build_args = argparse.Namespace(
        preset=args.preset,
        scale=args.scale,
        flow=args.flow,
        device='cpu',
        channels_last=False,
        compile=None)
    torch.manual_seed(args.seed)
    model = build_model(build_args)
    net = model.generator
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, FlowHead):
                m.layers[-1].weight.normal_(0, 1e-2)
                m.layers[-1].bias.normal_(0, 1e-2)
    h, w = args.size
    lqs = torch.rand(1, net.num_frames, 3, h, w)
    pair = variants(args.change, model)
    names = ('before', 'after')
    times = {k: [] for k in names}
    outs = {}
    with torch.no_grad():
        first = {}
        for name, (ctx, get) in zip(names, pair):
            start = time.perf_counter()
            for _ in range(args.warmup):
                with ctx():
                    outs[name] = get()(lqs)
            first[name] = time.perf_counter() - start
        for r in range(args.repeats):
            order = zip(names, pair) if r % 2 == 0 else reversed(
                list(zip(names, pair)))
            for name, (ctx, get) in order:
                with ctx():
                    start = time.perf_counter()
                    get()(lqs)
                    times[name].append(time.perf_counter() - start)
    med = {k: statistics.median(v) * 1000 for k, v in times.items()}
    ratios = [b / a for a, b in zip(times['after'], times['before'])]
    diff = (outs['after'] - outs['before']).abs().max().item()
    result = dict(
        change=args.change,
        preset=args.preset,
        size=args.size,
        threads=torch.get_num_threads(),
        repeats=args.repeats,
        before_ms=med['before'],
        after_ms=med['after'],
        speedup=med['before'] / med['after'],
        time_saved=1 - med['after'] / med['before'],
        median_pair_speedup=statistics.median(ratios),
        max_abs_diff=diff,
        warmup_s=first,
        torch=torch.__version__)
    print(f'{args.change}: JFFRA-{args.preset} {h}x{w}, '
          f'{torch.get_num_threads()} threads, {args.repeats} interleaved '
          f'repeats: before {med["before"]:.1f} ms, after '
          f'{med["after"]:.1f} ms (medians): {100 * result["time_saved"]:.1f}'
          f'% less time (x{result["speedup"]:.3f}; median of pair ratios '
          f'x{result["median_pair_speedup"]:.3f}); max |diff| {diff:.2e}; '
          f'warm-up s {first["before"]:.1f} / {first["after"]:.1f}')
    if args.json:
        os.makedirs(osp.dirname(osp.abspath(args.json)), exist_ok=True)
        with open(args.json, 'a') as f:
            f.write(json.dumps(result) + '\n')
    return result


def main():
    run(parse_args())


if __name__ == '__main__':
    main()
