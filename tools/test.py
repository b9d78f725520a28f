# Copyright (c) mmjffra contributors. All rights reserved.
"""Test a checkpoint with MMEngine's Runner, as MMagic's ``tools/test.py``.

Same arguments as MMagic's script; ``mmjffra`` is imported first so that
checkpoints written by MMEngine's runner load with ``weights_only=True`` on
PyTorch >= 2.6, and ``--launcher pytorch`` also works without a GPU.
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import DictAction

OUT_EXTS = ('.json', '.yaml', '.yml', '.pkl', '.pickle')
CONFIG_EXTS = ('.py', '.json', '.yaml', '.yml')


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out',
        type=str,
        help='a file (.json, .yaml or .pkl) to write the test metrics to')
    parser.add_argument(
        '--work-dir',
        help='the directory to save the file containing evaluation metrics')
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
    # the paths, before the toolbox's imports
    if not args.config.lower().endswith(CONFIG_EXTS):
        order = '; the order is CONFIG CHECKPOINT' if \
            args.checkpoint.lower().endswith(CONFIG_EXTS) else ''
        fail(f'{args.config!r} is not a config (.py, .json, .yaml or .yml)'
             f'{order}')
    for role, path in (('config', args.config), ('checkpoint',
                                                 args.checkpoint)):
        if not osp.isfile(path):
            fail(f'{role} {path!r} does not exist')
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def fail(message: str, code: int = 2) -> None:
    print(f'error: {message}', file=sys.stderr)
    sys.exit(code)


def check_out(out: str, *inputs: str) -> None:
    """``--out`` must be a metrics file in a writable folder, neither the
    config nor the checkpoint (it is replaced only when complete)."""
    if not out.lower().endswith(OUT_EXTS):
        fail(f'--out {out!r}: give a .json, .yaml or .pkl file')
    from mmjffra.utils.safe_files import remove_quietly, temp_sibling
    if any(osp.realpath(out) == osp.realpath(p) for p in inputs):
        fail(f'--out {out!r} is an input of this test: give another file')
    if osp.isdir(out):
        fail(f'--out {out!r} is a folder')
    folder = osp.dirname(osp.abspath(out))
    probe = temp_sibling(out, 'probe')
    try:
        os.makedirs(folder, exist_ok=True)
        with open(probe, 'w') as f:
            f.write('{}')
    except OSError as err:
        fail(f'cannot write --out {out!r}: {err.strerror or err}')
    finally:
        remove_quietly(probe)


def main():
    args = parse_args()  # --help and argument errors before the imports

    import torch
    from mmagic.utils import print_colored_log
    from mmengine.hooks import Hook
    from mmengine.runner import Runner

    from mmjffra.datasets import check_dataset_paths
    from mmjffra.errors import DatasetNotFoundError, UnknownConfigKeyError
    from mmjffra.models.inference import check_test_cfg
    from mmjffra.utils import setup_cpu_distributed
    from mmjffra.utils.config_checks import BUILD_ERRORS, build_error_line
    from mmjffra.utils.safe_files import (Interrupted, atomic_output,
                                          signals_as_exceptions)

    if args.out:
        check_out(args.out, args.config, args.checkpoint)

    from mmjffra.apis.inference_model import load_config
    from mmjffra.errors import ConfigError
    try:  # not Python, or not a config: one line
        cfg = load_config(args.config)
    except ConfigError as err:
        fail(str(err))
    if not isinstance(cfg.get('model'), dict):
        fail(f'{args.config!r} is not a model config: it defines no model')
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    try:  # a misspelt model.test_cfg key would be silently ignored
        from mmengine.registry import init_default_scope
        init_default_scope(cfg.get('default_scope', 'mmagic'))
        check_test_cfg(cfg.model)
    except UnknownConfigKeyError as err:
        fail(str(err))

    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    cfg.load_from = args.checkpoint
    try:  # one line naming the path, not a traceback from the runner
        check_dataset_paths(cfg, ('test_dataloader', ))
    except DatasetNotFoundError as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)

    try:  # the runner's own load is not strict: a foreign model would score
        from mmjffra.apis.inference_model import (build_inference_model,
                                                  load_generator_checkpoint)
        from mmjffra.errors import CheckpointMismatchError, ConfigError
        load_generator_checkpoint(
            build_inference_model(cfg).generator, args.checkpoint, args.config)
    except (CheckpointMismatchError, ConfigError) as err:
        fail(str(err))

    setup_cpu_distributed(cfg)

    try:  # a misspelt type or argument: one line, not a traceback
        runner = Runner.from_cfg(cfg)
    except BUILD_ERRORS as err:
        fail(f'cannot build the run of {args.config}: '
             f'{build_error_line(err)}')

    print_colored_log(f'Working directory: {cfg.work_dir}')
    print_colored_log(f'Log directory: {runner._log_dir}')

    if args.out:

        class SaveMetricHook(Hook):

            def after_test_epoch(self, _, metrics=None):
                if metrics is not None:
                    from mmengine.fileio import dump

                    # complete or absent: written beside, then renamed
                    with atomic_output(args.out) as tmp:
                        dump(
                            metrics,
                            tmp,
                            file_format=osp.splitext(
                                args.out)[1].lstrip('.').replace(
                                    'yml', 'yaml'))

        runner.register_hook(SaveMetricHook(), 'LOWEST')

    try:
        with signals_as_exceptions():
            runner.test()
    except Interrupted as err:
        fail(f'{err}: nothing written', err.exit_code)
    # every rank leaves the process group before exiting (gloo's threads
    # otherwise may abort the interpreter's shutdown)
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:  # Ctrl-C, in the start-up too: one line
        print('error: interrupted', file=sys.stderr)
        sys.exit(130)
