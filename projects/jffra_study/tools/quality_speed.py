# Copyright (c) mmjffra contributors. All rights reserved.
"""Held-out quality against CPU speed: one point per model.

Quality: PSNR-Y on the held-out clip at the last iteration of each run of
``quality_study.py`` (mean and sample std over seeds; the JSONs it wrote).
Speed: ms per output frame of ``tools/analysis_tools/benchmark.py`` (one
run, every model measured in it). ``--pair RUN=CONFIG`` names which study
run each benchmarked config stands for.

Example::

    python projects/jffra_study/tools/quality_speed.py \\
        --study projects/jffra_study/results/main_bikes*.json \\
        --bench projects/jffra_study/results/speed_90x160_1thread.json \\
        --pair "basicvsr-c16b4=$BASICVSR_C16B4_CONFIG" ... \\
        --out docs/figures/quality_vs_speed.png

(the full command: ``projects/jffra_study/quality_study.md``, "Quality
against speed").
"""
import argparse
import collections
import json
import statistics
import sys


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--study', nargs='+', required=True)
    parser.add_argument('--bench', required=True)
    parser.add_argument(
        '--pair',
        nargs='+',
        required=True,
        metavar='RUN=CONFIG',
        help='a study run and the benchmarked config of its network')
    parser.add_argument('--metric', default='PSNR-Y')
    parser.add_argument('--title', default='', help='the figure\'s title')
    parser.add_argument('--out', help='the figure (PNG)')
    parser.add_argument('--json', help='the points as JSON')
    return parser.parse_args(argv)


def quality(paths, metric):
    """run -> (values by seed, bicubic) at the last iteration of each run
    (a seed measured twice keeps its last file's value)."""
    runs, bicubic = collections.defaultdict(dict), {}
    for path in paths:
        with open(path) as f:
            for r in json.load(f)['results']:
                runs[r['run']][r['seed']] = r[metric]
                if isinstance(r.get('bicubic'), dict):
                    bicubic[r['fold']] = r['bicubic'].get(metric)
    return runs, bicubic


def points(args):
    runs, bicubic = quality(args.study, args.metric)
    with open(args.bench) as f:
        bench = {r['config']: r for r in json.load(f)['results']}
    out = []
    for pair in args.pair:
        run, config = pair.split('=', 1)
        if run not in runs or config not in bench:
            raise SystemExit(f'{pair}: no study run {run!r} or no benchmark '
                             f'of {config!r}')
        values = [runs[run][s] for s in sorted(runs[run])]
        out.append(
            dict(
                run=run,
                config=config,
                seeds=len(values),
                mean=statistics.mean(values),
                std=statistics.stdev(values) if len(values) > 1 else 0.,
                ms_per_frame=bench[config]['ms_per_frame'],
                gflops_per_frame=bench[config].get('gflops_per_frame')))
    return out, bicubic


def plot(rows, bicubic, metric, path, title=''):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for r in rows:
        color = 'tab:red' if r['run'].startswith('jffra') else 'tab:blue'
        ax.errorbar(
            r['ms_per_frame'],
            r['mean'],
            yerr=r['std'],
            fmt='o',
            color=color,
            capsize=3)
        ax.annotate(
            f'{r["run"]} ({r["seeds"]} seeds)', (r['ms_per_frame'], r['mean']),
            textcoords='offset points',
            xytext=(6, 4),
            fontsize=8)
    for fold, value in bicubic.items():
        if value:
            ax.axhline(value, color='grey', ls='--', lw=0.8)
            ax.annotate(
                f'bicubic ({fold})', (ax.get_xlim()[0], value),
                textcoords='offset points',
                xytext=(4, 3),
                fontsize=8,
                color='grey')
    ax.set_xlabel('CPU ms per output frame (benchmark.py, one run)')
    ax.set_ylabel(f'held-out {metric} (dB), mean +- std over seeds')
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv=None):
    args = parse_args(argv)
    rows, bicubic = points(args)
    for r in rows:
        print(f'{r["run"]:<28} {r["mean"]:.2f} +- {r["std"]:.2f} dB '
              f'({r["seeds"]} seeds)  {r["ms_per_frame"]:8.1f} ms/frame')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(points=rows, bicubic=bicubic), f, indent=1)
    if args.out:
        plot(rows, bicubic, args.metric, args.out, args.title)


if __name__ == '__main__':
    sys.exit(main())
