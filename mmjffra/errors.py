# Copyright (c) mmjffra contributors. All rights reserved.
"""The errors of the package: what a user's input, arguments, files or
machine cause (as opposed to a bug). A command-line tool reports each in
one line.

Messages speak the library's terms: an argument is named as the Python
parameter (``noise_sigma``, ``overwrite``) and given in
:attr:`RestoreError.argument`, so that a command line can name its own
option instead. This module imports nothing of the package. The one error
defined elsewhere is ``MissingMMCVOpError`` of :mod:`mmjffra.ops.mmcv_ext`,
which is loaded by file as ``mmcv._ext`` before the package exists.
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


class ConfigError(RestoreError, ValueError):
    """A config that cannot be read, or a key of it that nothing reads."""


class UnknownConfigKeyError(KeyError):
    """A config key that nothing reads (a misspelling, most likely)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class CheckpointMismatchError(RestoreError, ValueError):
    """A checkpoint whose weights do not fit the model of a config."""


class UnknownModelError(ValueError):
    """A model name the model index does not list (or lists without
    weights)."""


class VideoInputError(RestoreError, ValueError):
    """An input video or frame folder that cannot be read as asked."""


class DatasetNotFoundError(FileNotFoundError):
    """A dataset folder or annotation file of a config does not exist."""


class OutputError(RestoreError):
    """An output that cannot be written, or would replace data that no
    restoration wrote (the message names the path and the cause)."""


class OutputExistsError(OutputError, FileExistsError):
    """An output that exists, without ``overwrite``."""


class OutputLockedError(OSError):
    """Another process is writing the same output."""


class PartialExistsError(OutputError):
    """A partial restoration of the output exists and ``resume`` was not
    asked."""


class PartialMismatchError(OutputError):
    """``resume`` of a partial restoration that another command made."""


class RestorationError(RestoreError, RuntimeError):
    """A restoration that failed on one or more ranks."""


class ExportError(ValueError):
    """A network that cannot be exported to ONNX, or a file that is not one
    of our exported models (the message names the reason)."""


class BackendError(ExportError):
    """A backend that is unknown, not installed, or cannot run the model."""


class RestoreWarning(UserWarning):
    """Something the user should know about an output that is written
    anyway (a truncated input, frames cropped to an even size)."""
