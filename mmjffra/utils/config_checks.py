# Copyright (c) mmjffra contributors. All rights reserved.
"""One line for an error raised while a config's modules are built.

(Unknown ``model.test_cfg`` keys are refused by
:func:`mmjffra.models.inference.check_test_cfg`.)
"""
BUILD_ERRORS = (KeyError, TypeError, ValueError)


def build_error_line(err: BaseException) -> str:
    """One line for an error raised while a config's modules are built (a
    misspelt ``type``, an unknown argument, a value out of range): the
    registry's or the module's own message, whitespace folded."""
    text = err.args[0] if isinstance(err, KeyError) and err.args else err
    text = ' '.join(str(text).split())
    cut = text.find(' Please check whether')  # MMEngine's registry advice
    return text[:cut] if cut > 0 else text
