# Copyright (c) mmjffra contributors. All rights reserved.
"""Train and test JFFRA, its ablations, RVRT, BasicVSR and EDVR-M side by side.

All runs use the demo configs (same data, 64 px GT crops, 5-frame clips,
batch 2, Adam 1e-3 with cosine decay, same iterations) through
``tools/train.py`` and ``tools/test.py``, on a data root laid out by
``tools/prepare_demo_data.py`` (the embedded clip, or another one with
``--frames``/``--video``). Reports PSNR/SSIM (RGB), the warping error and
the mean training time per iteration, as a table and as JSON.

Example::

    python tools/prepare_demo_data.py --out-dir data/carphone
    python tools/analysis_tools/compare_demo.py --data-root data/carphone \
        --out work_dirs/compare_carphone.json
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
JFFRA = 'configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py'
RUNS = {
    'jffra-small': (JFFRA, []),
    'jffra-small w/o flow refinement':
    (JFFRA, ['model.generator.flow_refinement=False']),
    'jffra-small w/o temporal loss': (JFFRA, ['model.temporal_loss=None']),
    'basicvsr-c16b4':
    ('configs/demo/basicvsr_c16b4_1xb2-1000i_carphone-bix4.py', []),
    'edvr-m-c16': ('configs/demo/edvrm_c16_1xb2-1000i_carphone-bix4.py', []),
    'rvrt-tiny': ('configs/demo/rvrt-tiny_1xb2-1000i_carphone-bix4.py', []),
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data-root', default='data/carphone')
    parser.add_argument('--iters', type=int, default=1000)
    parser.add_argument('--work-dir', default='work_dirs/compare_demo')
    parser.add_argument('--runs', nargs='+', default=list(RUNS))
    parser.add_argument('--out', help='JSON file for the results')
    return parser.parse_args()


def run(cmd):
    proc = subprocess.run(
        cmd,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True)
    if proc.returncode:
        raise RuntimeError(f'{" ".join(cmd)} failed:\n{proc.stdout[-4000:]}')
    return proc.stdout


def seconds_per_iter(work_dir):
    """Mean of the 'time' entries MMEngine logged during training."""
    files = sorted(
        glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    times = []
    for path in files:
        with open(path) as f:
            for line in f:
                entry = json.loads(line)
                if 'loss' in entry and 'time' in entry:
                    times.append(entry['time'])
    return sum(times) / len(times) if times else float('nan')


def main():
    args = parse_args()
    data_root = osp.abspath(args.data_root)
    n = args.iters
    results = []
    for name in args.runs:
        config, extra = RUNS[name]
        work = osp.abspath(
            osp.join(args.work_dir,
                     name.replace(' ', '_').replace('/', '')))
        opts = [
            f'train_cfg.max_iters={n}', f'train_cfg.val_interval={n}',
            f'default_hooks.checkpoint.interval={n}',
            f'param_scheduler.periods=[{n}]',
            'default_hooks.logger.interval=10',
            f'train_dataloader.dataset.data_root={data_root}',
            f'val_dataloader.dataset.data_root={data_root}',
            f'test_dataloader.0.dataset.data_root={data_root}'
        ] + extra
        run([
            sys.executable, 'tools/train.py', config, '--work-dir', work,
            '--cfg-options'
        ] + opts)
        metrics_file = osp.join(work, 'test_metrics.json')
        run([
            sys.executable, 'tools/test.py', config,
            osp.join(work, f'iter_{n}.pth'), '--work-dir',
            osp.join(work, 'test'), '--out', metrics_file, '--cfg-options'
        ] + opts)
        with open(metrics_file) as f:
            metrics = json.load(f)
        row = dict(run=name, s_per_iter=seconds_per_iter(work))
        for key, value in metrics.items():
            row[key.split('/')[-1]] = value
        results.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)

    print(f'data_root={args.data_root} iters={n}')
    print(f'{"run":<34} {"PSNR":>7} {"SSIM":>7} {"WarpErr":>8} '
          f'{"s/iter":>7}')
    for r in results:
        print(f'{r["run"]:<34} {r.get("PSNR", float("nan")):7.3f} '
              f'{r.get("SSIM", float("nan")):7.4f} '
              f'{r.get("WarpingError", float("nan")):8.5f} '
              f'{r["s_per_iter"]:7.3f}')
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(dict(settings=vars(args), results=results), f, indent=2)


if __name__ == '__main__':
    main()
