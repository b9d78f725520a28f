# Copyright (c) mmjffra contributors. All rights reserved.
from mmjffra.apis import RestoreProgress


def test_progress_is_plain_lines_off_a_terminal(capsys):
    bar = RestoreProgress(40)
    assert not bar.live  # stderr is captured: not a terminal
    for _ in range(40):
        bar.update()
    bar.close()
    err = capsys.readouterr().err
    assert '\r' not in err
    lines = err.strip().splitlines()
    # one line every 10%: after frames 1, 5, ..., 37, and the last
    assert len(lines) == 11
    assert lines[0].startswith('restored 1/40 frames, ')
    assert lines[4].startswith('restored 17/40 frames, ')
    assert lines[-1].startswith('restored 40/40 frames, ')
    assert bar.task.completed == 40


def test_a_disabled_progress_prints_nothing(capsys):
    bar = RestoreProgress(None, enabled=False)
    for _ in range(5):
        bar.update()
    bar.close()
    assert capsys.readouterr().err == ''
    assert bar.task.completed == 5


def test_tiles_show_progress_within_a_frame(capsys):
    bar = RestoreProgress(3, line_seconds=0.)
    bar.update()
    capsys.readouterr()
    bar.tile(2, 6)
    assert bar.task.description == 'restoring (tile 2/6)'
    assert capsys.readouterr().err.strip().endswith('frame 2: tile 2/6')
    bar.tile(6, 6)  # the frame is done: the count says it
    assert bar.task.description == 'restoring'
    assert capsys.readouterr().err == ''
    RestoreProgress(3, enabled=False).tile(1, 2)
    assert capsys.readouterr().err == ''
