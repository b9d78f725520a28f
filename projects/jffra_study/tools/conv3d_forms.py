# Copyright (c) mmjffra contributors. All rights reserved.
"""Time JFFRA's temporal-context convolutions: nn.Conv3d vs FrameStackConv3d.

The shapes of JFFRA's temporal context at the benchmark size (180x320 x4:
45x80 LR frames, a 3-frame window, batch 1): the first conv (3 -> C) and the
second (C -> C) of the small (C = 16) and paper (C = 64) presets.

    python projects/jffra_study/tools/conv3d_forms.py --threads 2 --repeats 20
"""
import argparse
import time

import torch

from mmjffra.models.editors.jffra.jffra_net import FrameStackConv3d


def timed(fn, repeats):
    fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=20)
    parser.add_argument('--size', type=int, nargs=2, default=(45, 80))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    h, w = args.size
    print('cin cout  nn.Conv3d ms  FrameStackConv3d ms  speed-up  max diff')
    for cin, cout in ((3, 16), (16, 16), (3, 64), (64, 64)):
        torch.manual_seed(0)
        plain = torch.nn.Conv3d(cin, cout, 3, 1, 1)
        stacked = FrameStackConv3d(cin, cout, 3, 1, 1)
        stacked.load_state_dict(plain.state_dict())
        x = torch.rand(1, cin, 3, h, w)
        with torch.no_grad():
            a = timed(lambda: plain(x), args.repeats)
            b = timed(lambda: stacked(x), args.repeats)
            diff = (plain(x) - stacked(x)).abs().max().item()
        print(f'{cin:3d} {cout:4d}  {a:12.2f}  {b:19.2f}  {a / b:8.2f}x  '
              f'{diff:.1e}')


if __name__ == '__main__':
    main()
