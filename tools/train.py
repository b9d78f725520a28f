# Copyright (c) mmjffra contributors. All rights reserved.
"""Train a model with MMEngine's Runner, as MMagic's ``tools/train.py``.

Same arguments as MMagic's script. Differences: ``mmjffra`` is imported (its
modules are registered and MMEngine checkpoints load with
``weights_only=True``), and ``--launcher pytorch`` also works on machines
without a GPU (gloo process group, see
:func:`mmjffra.utils.setup_cpu_distributed`).
"""
import argparse
import logging
import os
import os.path as osp
import sys

from mmengine.config import DictAction


def parse_args():
    parser = argparse.ArgumentParser(description='Train a editor')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume', action='store_true', help='Whether to resume checkpoint.')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic-mixed-precision training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='enable automatically scaling LR.')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file. If the value to '
        'be overwritten is a list, it should be like key="[a,b]" or key=a,b '
        'It also allows nested list/tuple values, e.g. key="[(a,b),(c,d)]" '
        'Note that the quotation marks are necessary and that no white space '
        'is allowed.')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if not osp.isfile(args.config):  # before the toolbox's imports
        parser.exit(2, f'error: config {args.config!r} does not exist\n')
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main():
    args = parse_args()  # --help and argument errors before the imports

    import torch
    from mmagic.utils import print_colored_log
    from mmengine.registry import RUNNERS, init_default_scope

    from mmjffra.apis.inference_model import load_config
    from mmjffra.datasets import check_dataset_paths
    from mmjffra.errors import ConfigError, DatasetNotFoundError
    from mmjffra.utils import setup_cpu_distributed
    from mmjffra.utils.atomic_checkpoints import set_resume
    from mmjffra.utils.config_checks import BUILD_ERRORS, build_error_line
    try:  # not Python, or not a config: one line
        cfg = load_config(args.config)
    except ConfigError as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)

    # work_dir is determined in this priority: CLI > segment in file > name
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    if args.amp and not torch.cuda.is_available():
        print(
            'error: --amp needs a CUDA GPU (mixed precision); this '
            'machine has none',
            file=sys.stderr)
        sys.exit(2)
    if args.amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper == 'AmpOptimWrapper':
            print_colored_log(
                'AMP training is already enabled in your config.',
                logging.WARNING)
        else:
            assert optim_wrapper == 'OptimWrapper', (
                '`--amp` is only supported when the optimizer wrapper type is '
                f'`OptimWrapper` but got {optim_wrapper}.')
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.loss_scale = 'dynamic'

    if args.auto_scale_lr:
        if 'auto_scale_lr' in cfg and 'enable' in cfg.auto_scale_lr and \
                'base_batch_size' in cfg.auto_scale_lr:
            cfg.auto_scale_lr.enable = True
        else:
            raise RuntimeError('Can not find "auto_scale_lr" or '
                               '"auto_scale_lr.enable" or '
                               '"auto_scale_lr.base_batch_size" in your'
                               ' configuration file.')

    if args.resume:
        set_resume(cfg, 'load_from' in (args.cfg_options or {}),
                   lambda msg: print_colored_log(msg, logging.WARNING))

    try:  # one line naming the path, not a traceback from the runner
        check_dataset_paths(cfg, ('train_dataloader', 'val_dataloader'))
    except DatasetNotFoundError as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)

    setup_cpu_distributed(cfg)
    # a resumed checkpoint's best path of another work dir is not deleted
    hooks = cfg.get('custom_hooks') or []
    if not any(h.get('type') == 'ConfineBestCheckpointHook' for h in hooks):
        cfg.custom_hooks = list(hooks) + [
            dict(type='ConfineBestCheckpointHook')
        ]

    # checkpoints complete or absent (a killed save leaves none)
    cfg.setdefault('runner_type', 'AtomicCheckpointRunner')
    init_default_scope(cfg.get('default_scope', 'mmagic'))  # our runner
    try:  # a misspelt type or argument: one line, not a traceback
        runner = RUNNERS.build(cfg)
    except BUILD_ERRORS as err:
        print(
            f'error: cannot build the run of {args.config}: '
            f'{build_error_line(err)}',
            file=sys.stderr)
        sys.exit(2)

    print_colored_log(f'Working directory: {cfg.work_dir}')
    print_colored_log(f'Log directory: {runner._log_dir}')

    runner.train()
    # every rank leaves the process group before exiting (gloo's threads
    # otherwise may abort the interpreter's shutdown)
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()

    print_colored_log(f'Log saved under {runner._log_dir}')
    print_colored_log(f'Checkpoint saved under {cfg.work_dir}')


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:  # Ctrl-C, in the start-up too: one line
        print('error: interrupted', file=sys.stderr)
        sys.exit(130)
