# Copyright (c) mmjffra contributors. All rights reserved.
"""Run by ``torchrun`` from ``test_inference_path.py``: every rank restores
the same input into one output per container, in turn, through
``VideoRestorer.restore_file`` (one launch for all containers).

    python -m torch.distributed.run --nproc-per-node 2 rank_containers.py \
        CONFIG CHECKPOINT INPUT OUT_DIR EXT [EXT ...]
"""
import os.path as osp
import sys


def main(config, checkpoint, src, out_dir, *exts):
    import torch.distributed as dist

    from mmjffra.apis import VideoRestorer
    from mmjffra.utils.dist_utils import init_torchrun_group
    init_torchrun_group('cpu')
    restorer = VideoRestorer(config, checkpoint, chunk=3, chunk_overlap=1)
    for ext in exts:
        dst = osp.join(out_dir, f'two{ext}')
        count = restorer.restore_file(src, dst, segment=3)
        if dist.get_rank() == 0:
            print(f'wrote {count} frames to {dst}', flush=True)
    dist.destroy_process_group()


if __name__ == '__main__':
    main(*sys.argv[1:])
