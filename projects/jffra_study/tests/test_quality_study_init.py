# Copyright (c) mmjffra contributors. All rights reserved.
"""The study's iteration-0 checkpoints and its runs of the init options."""
import importlib.util
import os
import os.path as osp

import torch
from mmengine import Config

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
spec = importlib.util.spec_from_file_location(
    'quality_study',
    osp.join(REPO, 'projects/jffra_study/tools/quality_study.py'))
qs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(qs)


def test_initial_checkpoint_is_the_untrained_network_of_the_seed(tmp_path):
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py'))
    states = {}
    for seed in (0, 0, 1):
        work = tmp_path / f'run{len(states)}'
        work.mkdir()
        cfg.dump(str(work / 'config.py'))
        path = qs.initial_checkpoint(str(work), seed)
        assert path == str(work / 'iter_0.pth')
        assert sorted(os.listdir(work)) == ['config.py', 'iter_0.pth']
        states[len(states)] = torch.load(path, weights_only=True)['state_dict']
    first, again, other = states[0], states[1], states[2]
    proj = 'generator.encoder.0.jffr.attn.proj.weight'
    assert torch.count_nonzero(first[proj]) == 0  # residual_init='zero'
    conv = 'generator.temporal_context.0.weight'
    assert torch.equal(first[conv], again[conv])  # the seed's draw
    assert not torch.equal(first[conv], other[conv])


def test_init_runs_differ_from_their_reference_only_as_named():
    gen = 'model.generator.'
    _, fixed, _ = qs.RUNS['jffra-paper dis']
    _, default, _ = qs.RUNS['jffra-paper dis default init']
    assert set(default) - set(fixed) == {gen + 'residual_init=default'}
    for name in ('jffra-paper dis', 'jffra-paper dis default init',
                 'basicvsr-c64b30', 'edvr-m'):
        _, gpu, _ = qs.RUNS[name]
        _, cpu, _ = qs.RUNS[name + ' cpu']
        assert set(gpu) - set(cpu) == {
            'CROP=128', 'train_dataloader.batch_size=4'
        }
        assert set(cpu) - set(gpu) == {
            'CROP=64', 'train_dataloader.batch_size=2'
        }
    _, small_default, _ = qs.RUNS['jffra-small default init']
    assert small_default == [gen + 'residual_init=default']


def test_timing_runs_train_in_their_own_folder(tmp_path, monkeypatch):
    """--measure-timing leaves the study's seed-0 runs untouched."""
    import json
    from types import SimpleNamespace
    root = tmp_path / 'data'
    root.mkdir()
    for clip in ('carphone', 'bikes'):
        (root / f'meta_info_{clip}.txt').write_text(f'{clip} 5 (8,8,3)\n')
    works = []

    def fake_run(cmd, **kwargs):
        work = cmd[cmd.index('--work-dir') + 1]
        works.append(work)
        os.makedirs(osp.join(work, 'run', 'vis_data'))
        with open(osp.join(work, 'run', 'vis_data', 'scalars.json'), 'w') as f:
            for it in range(10, 31, 10):
                f.write(json.dumps(dict(iter=it, loss=1., time=0.1 * it)))
                f.write('\n')
        return SimpleNamespace(returncode=0)

    monkeypatch.setattr(qs.subprocess, 'run', fake_run)
    args = SimpleNamespace(
        work_dir=str(tmp_path / 'w'),
        data_root=str(root),
        clips=['carphone', 'bikes'],
        held_out=['bikes'],
        runs=['jffra-small'],
        iters=300,
        eval_every=100,
        threads=1,
        train_seconds=None,
        timing_iters=30,
        measure_timing=str(tmp_path / 'timing.json'))
    seed0 = qs.run_dir(args, 'bikes', 'jffra-small', 0)
    qs.measure_timing(args)
    assert works == [
        str(tmp_path / 'w' / 'timing' / 'bikes' / 'jffra-small' / 's0')
    ]
    assert not osp.exists(seed0)
    # the median of the iterations after the 10 warm-up ones: 2.0 and 3.0
    timing = json.load(open(tmp_path / 'timing.json'))
    assert timing['s_per_iter'] == {'jffra-small': 2.5}
    assert (args.work_dir, args.iters) == (str(tmp_path / 'w'), 300)
