# Copyright (c) mmjffra contributors. All rights reserved.
"""mmjffra: JFFRA and RVRT video restoration for OpenMMLab MMagic.

Importing the package (``custom_imports = dict(imports=['mmjffra'])`` in a
config) registers its models, transforms, datasets and metrics into MMagic's
registries and allow-lists the globals of MMEngine checkpoints for
``torch.load(weights_only=True)``.
"""
from .utils import register_checkpoint_safe_globals
from .version import __version__, version_info

register_checkpoint_safe_globals()

from . import apis, datasets, evaluation, models  # noqa: E402,F401

__all__ = ['__version__', 'version_info', 'register_checkpoint_safe_globals']
