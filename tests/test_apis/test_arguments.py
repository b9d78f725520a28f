# Copyright (c) mmjffra contributors. All rights reserved.
"""A restoration's arguments: refused in the library's terms, with the
parameter named, and translated into options by the command line."""
import pytest
from mmengine.config import Config
from test_inference_path import JFFRA, load_tool

from mmjffra.apis.arguments import (check_restorer_args,
                                    configured_max_windows, parse_device,
                                    parse_max_windows)
from mmjffra.apis.messages import one_line, one_line_warnings, what_was_kept
from mmjffra.errors import ArgumentError, ConfigError, OutputExistsError


def refused(call, argument, match):
    with pytest.raises(ArgumentError, match=match) as info:
        call()
    assert info.value.argument == argument
    assert '--' not in str(info.value)  # no command-line option
    return info.value


def test_arguments_are_refused_naming_the_parameter():
    cfg = Config.fromfile(JFFRA)
    check_restorer_args(cfg, tile=64, tile_overlap=16, max_windows='auto')
    for kwargs, argument, match in [
        (dict(tile=0), 'tile', 'tile must be an integer >= 1, got 0'),
        (dict(tile=16, tile_overlap=16), 'tile_overlap',
         r'tile_overlap \(16\) must be smaller than the tile \(16\)'),
        (dict(chunk=0), 'chunk', 'chunk must be an integer >= 1'),
        (dict(max_windows=0), 'max_windows', 'max_windows must be an'),
        (dict(noise_sigma=30), 'noise_sigma', 'takes no noise level'),
    ]:
        refused(lambda: check_restorer_args(cfg, **kwargs), argument, match)
    cfg.model.test_cfg = dict(max_windows_per_forwrd=2)
    with pytest.raises(ConfigError, match='max_windows_per_forwrd'):
        check_restorer_args(cfg)


def test_windows_per_forward_of_the_config_or_the_argument():
    cfg = Config.fromfile(JFFRA)
    assert configured_max_windows(cfg) == 1
    assert configured_max_windows(cfg, 'auto') == 'auto'
    cfg.model.test_cfg = dict(max_windows_per_forward=4)
    assert configured_max_windows(cfg) == 4
    assert configured_max_windows(cfg, 2) == 2
    refused(lambda: configured_max_windows(cfg, 'many'), 'max_windows',
            "got 'many'")


def test_devices():
    assert parse_device('cpu').type == 'cpu'
    with pytest.raises(ArgumentError, match="unknown device 'gpu'"):
        parse_device('gpu')
    refused(lambda: parse_device('cuda:64'), 'device',
            'device cuda:64 asked, but')


def test_the_command_line_names_its_options():
    tool = load_tool()
    cases = [
        (ArgumentError(
            'the noise level (noise_sigma) is on the 0-255 '
            'scale, got 300', 'noise_sigma'),
         'the noise level (--noise-sigma) is on the 0-255 scale, got 300'),
        (ArgumentError('max_windows must be an integer >= 1, got 0',
                       'max_windows'),
         '--batch must be an integer >= 1, got 0'),
        (ArgumentError(
            'tile_overlap (16) must be smaller than the tile '
            '(16)', 'tile_overlap'),
         '--tile-overlap (16) must be smaller than the tile (16)'),
        (OutputExistsError(
            "output 'out' exists; pass overwrite to replace "
            'it', 'overwrite'),
         "output 'out' exists; pass --overwrite to replace it"),
        (ArgumentError("unknown device 'gpu':\n  bad"),
         "unknown device 'gpu': bad"),
    ]
    for err, line in cases:
        assert one_line(err, tool.OPTIONS) == line
    assert one_line(ArgumentError('max_windows < 1', 'max_windows')) == \
        '--max-windows < 1'


def test_batch_text_and_what_a_stopped_run_kept():
    cfg = Config.fromfile(JFFRA)
    assert [parse_max_windows(t) for t in (None, 'auto', '3')] == \
        [None, 'auto', 3]
    for text in ('0', '-2', 'two', '1.5'):  # one check: the restorer's
        refused(lambda: configured_max_windows(cfg, parse_max_windows(text)),
                'max_windows',
                'max_windows must be an integer >= 1 or "auto", got')
    err = OSError('disk full')
    assert what_was_kept(err) == 'nothing written'
    err.partial = ('/v/.out.mp4.partial', 40)
    assert what_was_kept(err) == (
        '40 restored frames kept in /v/.out.mp4.partial: the same command '
        'with --resume continues from there (remove that folder to start '
        'over)')


def test_restore_warnings_are_one_line_and_others_pass_on(capsys):
    import warnings

    from mmjffra.errors import RestoreWarning
    others = []
    show = one_line_warnings(lambda *a, **k: others.append(a[0]),
                             {'max_windows': '--batch'})
    with warnings.catch_warnings():
        warnings.simplefilter('always')
        warnings.showwarning = show
        warnings.warn('audio\n  dropped', RestoreWarning)
        warnings.warn('old API', DeprecationWarning)
    assert capsys.readouterr().err == 'warning: audio dropped\n'
    assert [str(m) for m in others] == ['old API']
