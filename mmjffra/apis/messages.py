# Copyright (c) mmjffra contributors. All rights reserved.
"""A restoration's errors and warnings as a command line reports them.

Errors and warnings of :mod:`mmjffra.apis` name the parameter of
:class:`~mmjffra.apis.VideoRestorer` they are about (their ``argument``);
a command line shows them in one line each, naming its own option instead
(``noise_sigma`` -> ``--noise-sigma``, or a mapping of its own).
"""
import re
import sys
from typing import Callable, Mapping, Optional

from mmjffra.errors import RestoreWarning


def option_name(argument: str,
                options: Optional[Mapping[str, str]] = None) -> str:
    """The command-line option of a parameter: ``options[argument]``, else
    ``--`` and the name with dashes."""
    return (options or {}).get(argument, '--' + argument.replace('_', '-'))


def one_line(err: BaseException,
             options: Optional[Mapping[str, str]] = None) -> str:
    """``err`` (or a warning message) in one line, the parameter it names
    (its ``argument``) written as the command's option.

    Args:
        err (BaseException): The error or warning message.
        options (Mapping[str, str], optional): Parameters whose option is
            not ``--`` and their name with dashes, e.g.
            ``{'max_windows': '--batch'}``. Default: None.
    """
    text = ' '.join(str(err).split()) or type(err).__name__
    argument = getattr(err, 'argument', None)
    if argument:
        text = re.sub(rf'\b{re.escape(argument)}\b',
                      option_name(argument, options), text)
    return text


def one_line_warnings(show_other: Callable,
                      options: Optional[Mapping[str, str]] = None) -> Callable:
    """A ``warnings.showwarning`` that prints a restoration's warnings
    (:class:`~mmjffra.errors.RestoreWarning`) as ``warning: <one line>`` on
    standard error and passes the others (a library's deprecation) on to
    ``show_other``."""

    def show(message, category, *args, **kwargs):
        if issubclass(category, RestoreWarning):
            print(
                f'warning: {one_line(message, options)}',
                file=sys.stderr,
                flush=True)
        else:
            show_other(message, category, *args, **kwargs)

    return show


def what_was_kept(err: BaseException) -> str:
    """What a stopped restoration left: nothing, or the finished segments
    that the same command with ``--resume`` continues from (the
    ``partial`` of :func:`~mmjffra.apis.resumable.restore_resumable`'s
    errors)."""
    partial = getattr(err, 'partial', None)
    if not partial:
        return 'nothing written'
    path, frames = partial
    return (f'{frames} restored frames kept in {path}: the same command '
            'with --resume continues from there (remove that folder to '
            'start over)')


__all__ = ['option_name', 'one_line', 'one_line_warnings', 'what_was_kept']
