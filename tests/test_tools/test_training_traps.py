# Copyright (c) mmjffra contributors. All rights reserved.
"""Traps of train.py, test.py and publish_model.py a new user hit."""
import logging
import os
import re

import pytest
import torch
from conftest import REPO, run_tool
from mmengine.config import Config
from tiny_datasets import data_options, schedule_options

DEMO = REPO / 'configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py'


@pytest.fixture(autouse=True)
def unformatted_config_text(monkeypatch):
    import mmengine.config.config as config_module
    monkeypatch.setattr(config_module, 'FormatCode', lambda text, **kwargs:
                        (text, None))
    # the in-process runs' loggers keep the stderr of an earlier test's
    # capture: its closed stream must not print logging's error reports
    monkeypatch.setattr(logging, 'raiseExceptions', False)


def _train(work, opts, iters, *extra):
    run_tool('tools/train.py', DEMO, '--work-dir', work, *extra,
             '--cfg-options', *opts, *schedule_options(iters, iters))


def test_resume_never_deletes_another_runs_best(tiny_data, tmp_path):
    opts = data_options(Config.fromfile(DEMO), tiny_data)
    run_a, run_b = tmp_path / 'a', tmp_path / 'b'
    # --resume in a new, empty work dir: trains from the start
    _train(run_a, opts, 2, '--resume')
    [best_a] = run_a.glob('best_*.pth')
    # run b resumes from run a's checkpoint (MMagic's --resume + load_from)
    _train(run_b, opts + [f'load_from={run_a}/iter_2.pth'], 4, '--resume')
    assert best_a.is_file(), 'run b deleted run a\'s best checkpoint'
    assert len(list(run_b.glob('best_*_iter_4.pth'))) == 1
    ckpt = torch.load(run_b / 'iter_4.pth', weights_only=True)
    assert ckpt['message_hub']['runtime_info']['iter'] == 3  # resumed
    # the same with a checkpoint copied into a new work dir
    run_c = tmp_path / 'c'
    run_c.mkdir()
    (run_c / 'iter_2.pth').write_bytes((run_a / 'iter_2.pth').read_bytes())
    _train(run_c, opts, 3, '--resume')
    assert best_a.is_file()
    assert len(list(run_c.glob('best_*_iter_3.pth'))) == 1


def test_resume_past_a_truncated_checkpoint(tiny_data, tmp_path):
    opts = data_options(Config.fromfile(DEMO), tiny_data)
    work = tmp_path / 'w'
    work.mkdir()
    (work / 'iter_5.pth').write_bytes(b'PK\x03\x04 truncated')
    (work / 'last_checkpoint').write_text(str(work / 'iter_5.pth'))
    _train(work, opts, 1, '--resume')  # logged, then from the start
    assert (work / 'iter_1.pth').is_file()


def test_test_refuses_weights_of_another_model(tiny_data, tmp_path, capsys):
    from mmagic.registry import MODELS
    other = MODELS.build(
        dict(type='BasicVSRNet', mid_channels=8, num_blocks=1))
    ckpt = tmp_path / 'other.pth'
    torch.save({'state_dict': other.state_dict()}, ckpt)
    opts = data_options(Config.fromfile(DEMO), tiny_data)
    run_tool(
        'tools/test.py',
        DEMO,
        ckpt,
        '--work-dir',
        tmp_path / 't',
        '--cfg-options',
        *opts,
        code=2)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and 'does not match the model of' in err[0], err
    assert str(ckpt) in err[0] and 'missing keys' in err[0]


class _RunsCode:

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


def test_publish_model_refuses_a_checkpoint_that_runs_code(tmp_path, capsys):
    evil = _RunsCode()
    evil.marker = tmp_path / 'pwned'
    torch.save({'state_dict': {'generator.w': evil}}, tmp_path / 'evil.pth')
    with pytest.raises(
            AssertionError, match='refused the global posix.system'):
        run_tool('tools/model_converters/publish_model.py',
                 tmp_path / 'evil.pth', tmp_path / 'pub.pth')
    assert not evil.marker.exists()
    assert not list(tmp_path.glob('pub*'))


TYPOS = [
    ('model.generator.type=JFFRANett', 'JFFRANett is not in the mmagic::model'
     ' registry'),
    ('model.generator.mid_channelz=8', "unexpected keyword argument "
     "'mid_channelz'"),
    ('model.generator.flow_estimator.preset=ultrafats',
     "preset must be one of ['fast', 'medium', 'ultrafast'], got 'ultrafats'"),
]


@pytest.mark.parametrize('option, message', TYPOS)
def test_config_typos_are_one_line(option, message, tiny_data, tmp_path,
                                   capsys):
    opts = data_options(Config.fromfile(DEMO), tiny_data) + [option]
    ckpt = REPO / 'weights' / 'jffra-small-x4_skvideo-6589d868.pth'
    for tool, args in (('tools/train.py', [DEMO]), ('tools/test.py',
                                                    [DEMO, ckpt])):
        run_tool(
            tool,
            *args,
            '--work-dir',
            tmp_path / 'w',
            '--cfg-options',
            *opts,
            code=2)
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and message in err[0], (tool, err)
    from mmjffra.apis import VideoRestorer
    from mmjffra.errors import ConfigError
    with pytest.raises(ConfigError, match=re.escape(message)):
        VideoRestorer(
            str(DEMO), str(ckpt), cfg_options=dict([option.split('=')]))


@pytest.mark.skipif(
    torch.cuda.is_available(), reason='the refusal of a CPU-only machine')
def test_amp_on_the_cpu_is_one_line(tmp_path, capsys):
    run_tool('tools/train.py', DEMO, '--amp', '--work-dir', tmp_path, code=2)
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        'error: --amp needs a CUDA GPU (mixed precision); this '
        'machine has none'
    ]


@pytest.mark.parametrize('tool', ['tools/train.py', 'tools/test.py'])
def test_help_comes_before_the_toolbox_imports(tool):
    result, out, _ = _tool_in_a_fresh_process(tool, '--help')
    assert 'usage:' in out and result == '0 []', out


def _tool_in_a_fresh_process(tool, *args):
    """``'<exit code> <the toolbox's packages imported>'`` when ``tool``
    exited, its stdout and its stderr."""
    import subprocess
    import sys
    probe = ('import runpy, sys\n'
             f'sys.argv = [{tool!r}] + {[str(a) for a in args]!r}\n'
             'code = 0\n'
             'try:\n'
             f'    runpy.run_path({tool!r}, run_name="__main__")\n'
             'except SystemExit as err:\n'
             '    code = err.code\n'
             'print(code, sorted(m for m in ("torch", "mmagic", "mmjffra") '
             'if m in sys.modules))\n')
    done = subprocess.run([sys.executable, '-c', probe],
                          cwd=REPO,
                          capture_output=True,
                          text=True)
    return (done.stdout.strip().splitlines()[-1], done.stdout,
            done.stderr.strip())


def test_paths_are_checked_before_the_toolbox_imports(tmp_path):
    ckpt = REPO / 'weights' / 'jffra-small-x4_skvideo-6589d868.pth'
    out, _, err = _tool_in_a_fresh_process('tools/test.py', ckpt, DEMO)
    assert out == '2 []'
    assert err == (f"error: '{ckpt}' is not a config (.py, .json, .yaml or "
                   ".yml); the order is CONFIG CHECKPOINT")
    out, _, err = _tool_in_a_fresh_process('tools/test.py', DEMO,
                                           tmp_path / 'none.pth')
    assert out == '2 []' and err == \
        f"error: checkpoint '{tmp_path / 'none.pth'}' does not exist"
    out, _, err = _tool_in_a_fresh_process('tools/train.py',
                                           tmp_path / 'none.py')
    assert out == '2 []' and err == \
        f"error: config '{tmp_path / 'none.py'}' does not exist"


def test_a_file_that_is_not_a_config_is_one_line(tmp_path, capsys):
    ckpt = REPO / 'weights' / 'jffra-small-x4_skvideo-6589d868.pth'
    notes = tmp_path / 'notes.txt'
    notes.write_text('not a config')
    run_tool('tools/test.py', notes, ckpt, code=2)
    assert capsys.readouterr().err.strip() == \
        f"error: '{notes}' is not a config (.py, .json, .yaml or .yml)"
    broken = tmp_path / 'broken.py'
    broken.write_text('model = dict(type=\n')
    run_tool('tools/test.py', broken, ckpt, code=2)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(
        f"error: cannot read config '{broken}': "), err
    run_tool('tools/train.py', broken, code=2)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(
        f"error: cannot read config '{broken}': "), err
    script = tmp_path / 'script.py'
    script.write_text('x = 1\n')
    run_tool('tools/test.py', script, ckpt, code=2)
    assert capsys.readouterr().err.strip() == \
        f"error: '{script}' is not a model config: it defines no model"


@pytest.mark.parametrize('tool', ['tools/train.py', 'tools/test.py'])
def test_ctrl_c_in_the_start_up_is_one_line(tool, monkeypatch, capsys):
    from mmengine.config import Config as MMEngineConfig

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(MMEngineConfig, 'fromfile', interrupted)
    ckpt = REPO / 'weights' / 'jffra-small-x4_skvideo-6589d868.pth'
    args = (DEMO, ) if tool.endswith('train.py') else (DEMO, ckpt)
    run_tool(tool, *args, code=130)
    assert capsys.readouterr().err.strip() == 'error: interrupted'


def test_restore_checks_its_paths_before_the_toolbox_imports(tmp_path):
    ckpt = REPO / 'weights' / 'jffra-small-x4_skvideo-6589d868.pth'
    for args, role, missing in (
        ((DEMO, ckpt, tmp_path / 'in', tmp_path / 'out'), 'input',
         tmp_path / 'in'),
        ((DEMO, tmp_path / 'w.pth', tmp_path, tmp_path / 'out'), 'checkpoint',
         tmp_path / 'w.pth'),
        ((tmp_path / 'c.py', ckpt, tmp_path, tmp_path / 'out'), 'config',
         tmp_path / 'c.py'),
    ):
        out, _, err = _tool_in_a_fresh_process('tools/restore_video.py', *args)
        assert out == '2 []', (out, err)
        assert err == f"error: {role} '{missing}' does not exist"
