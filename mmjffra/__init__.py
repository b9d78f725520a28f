# Copyright (c) mmjffra contributors. All rights reserved.
"""mmjffra: JFFRA and RVRT video restoration for OpenMMLab MMagic.

Importing the package (``custom_imports = dict(imports=['mmjffra'])`` in a
config) registers its models, transforms, datasets and metrics into MMagic's
registries and allow-lists the globals of MMEngine checkpoints for
``torch.load(weights_only=True)``. With ``mmcv-lite`` (no compiled MMCV
ops), it first lets ``mmcv._ext`` resolve to mmjffra's deformable-convolution
stand-in (:mod:`mmjffra.ops`), before anything imports ``mmcv.ops``.
"""
from .ops.ext_finder import install as _install_mmcv_ext_finder

_install_mmcv_ext_finder()

from .utils import register_checkpoint_safe_globals  # noqa: E402
from .version import __version__, version_info  # noqa: E402

register_checkpoint_safe_globals()

from . import apis, datasets, evaluation, models  # noqa: E402,F401

__all__ = ['__version__', 'version_info', 'register_checkpoint_safe_globals']
