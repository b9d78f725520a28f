# Copyright (c) mmjffra contributors. All rights reserved.
"""Errors of a restoration that the user's input, arguments or machine
cause (as opposed to a bug): a command-line tool reports them in one line.

Messages speak the library's terms: an argument is named as the Python
parameter (``noise_sigma``, ``overwrite``) and given in :attr:`argument`,
so that a command line can name its own option instead.
"""
from typing import Optional


class RestoreError(Exception):
    """Base of the errors a user can fix: the input, the arguments, the
    output location, the checkpoint or the config.

    Args:
        message (str): What is wrong, in one line.
        argument (str, optional): The parameter whose value the user can
            change to fix it, named in ``message``. Default: None.
    """

    def __init__(self, message: str, argument: Optional[str] = None) -> None:
        super().__init__(message)
        self.argument = argument


class ArgumentError(RestoreError, ValueError):
    """An argument outside its documented range or not for this model."""


class OutputError(RestoreError):
    """An output that cannot be written, or would replace data that no
    restoration wrote (the message names the path and the cause)."""


class OutputExistsError(OutputError, FileExistsError):
    """An output that exists, without ``overwrite``."""


class RestoreWarning(UserWarning):
    """Something the user should know about an output that is written
    anyway (a truncated input, frames cropped to an even size)."""


class ConfigError(RestoreError, ValueError):
    """A config that cannot be read, or a key of it that nothing reads."""


class CheckpointMismatchError(RestoreError, ValueError):
    """A checkpoint whose weights do not fit the model of a config."""


class RestorationError(RestoreError, RuntimeError):
    """A restoration that failed on one or more ranks."""
