# Copyright (c) mmjffra contributors. All rights reserved.
"""Convert a released RVRT file into an mmjffra checkpoint.

The released files (github.com/JingyunLiang/RVRT/releases, e.g.
``001_RVRT_videosr_bi_REDS_30frames.pth``) hold ``{'params': ...}`` of the
official network. ``tools/restore_video.py`` and ``tools/test.py`` read them
as they are with a ``configs/rvrt/rvrt_official-*`` config; this tool writes
the same weights under our keys (``generator.*``, the key map of
``mmjffra/models/editors/rvrt/official_keys.py``), e.g. to publish or to
fine-tune from them. With ``--config`` the weights are checked strictly
against that config's generator first.

Example::

    python tools/model_converters/rvrt_official_to_mmjffra.py \\
        001_RVRT_videosr_bi_REDS_30frames.pth rvrt_official-001_reds4.pth \\
        --config configs/rvrt/rvrt_official-001_reds4.py
"""
import argparse
import os
import os.path as osp
import sys

import torch


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('released', help='released RVRT .pth file')
    parser.add_argument('out', help='output checkpoint')
    parser.add_argument(
        '--config', help='check the weights against this config first')
    return parser.parse_args()


def main():
    args = parse_args()
    from mmjffra.models.editors.rvrt.official_keys import (
        check_released_weights, is_official_rvrt, released_rvrt_weights)
    if osp.abspath(args.out) == osp.abspath(args.released):
        sys.exit('error: the output would replace the released file')
    if not osp.isfile(args.released):
        sys.exit(f'error: {args.released!r} does not exist')
    state = torch.load(args.released, map_location='cpu', weights_only=True)
    params = state.get('params', state) if isinstance(state, dict) else None
    if not isinstance(params, dict) or not is_official_rvrt(params):
        sys.exit(f'error: {args.released!r} is not a released RVRT file '
                 "(no 'params' with the official network's keys)")
    weights = released_rvrt_weights(params)
    if args.config:
        from mmagic.registry import MODELS
        from mmengine.config import Config
        from mmengine.registry import init_default_scope

        import mmjffra  # noqa: F401
        init_default_scope('mmagic')
        gen = MODELS.build(Config.fromfile(args.config).model.generator)
        try:
            check_released_weights(gen, weights)
        except ValueError as err:
            sys.exit(f'error: {err}')
    tmp = f'{args.out}.tmp-{os.getpid()}'
    try:
        torch.save(
            {
                'state_dict': {
                    f'generator.{k}': v
                    for k, v in weights.items()
                },
                'meta': dict(source=osp.basename(args.released))
            }, tmp)
        os.replace(tmp, args.out)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
    print(f'{args.out}: {len(weights)} generator entries')


if __name__ == '__main__':
    main()
