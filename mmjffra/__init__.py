# Copyright (c) mmjffra contributors. All rights reserved.
"""mmjffra: JFFRA and RVRT video restoration for OpenMMLab MMagic.

MMagic's runners reach a plugin only through ``custom_imports =
dict(imports=['mmjffra'])`` in a config, so whatever the plugin needs before
a runner builds anything happens on import. ``import mmjffra`` does exactly
five things (the README's "Set-up" section lists them too;
``tests/test_utils/test_import_effects.py`` checks them):

1. registers its models, transforms, datasets and metrics into MMagic's
   registries (importing :mod:`mmjffra.models` and the other subpackages);
2. appends :class:`mmjffra.ops.ext_finder.MMCVExtFinder` to the *end* of
   :data:`sys.meta_path`: with ``mmcv-lite`` (no compiled MMCV ops) it lets
   ``import mmcv._ext`` resolve to mmjffra's deformable-convolution stand-in
   (:mod:`mmjffra.ops`), which MMagic's EDVR and BasicVSR++ import; it acts
   on no other module name, and a compiled MMCV is found before it. It is
   installed before MMagic is imported, because MMagic imports ``mmcv.ops``
   at import time;
3. allow-lists, for ``torch.load(weights_only=True)`` (PyTorch >= 2.6's
   default), the exact globals an MMEngine runner checkpoint holds
   (:mod:`mmjffra.utils.torch_load_allowlist`: MMEngine's ``HistoryBuffer``,
   numpy's array/scalar reconstructors and the dtype classes it names, and a
   ``getattr`` restricted to ``HistoryBuffer`` statistics), so that
   ``tools/test.py`` and ``--resume`` read MMEngine checkpoints without
   turning ``weights_only`` off. Nothing else becomes loadable;
4. registers a loader of local ``.safetensors`` files with MMEngine's
   ``CheckpointLoader`` (:mod:`mmjffra.utils.safetensors_checkpoints`):
   weights-only files, no pickle;
5. hides one warning of a dependency, before MMagic imports it: the
   ``FutureWarning`` diffusers (which MMagic's models import) raises three
   times on import about a deprecated PyTorch function
   (``_register_pytree_node``), which no user can act on. One filter,
   matching that message from ``diffusers.utils.outputs`` only.
"""
import warnings as _warnings

_warnings.filterwarnings(
    'ignore',
    message=r'`torch\.utils\._pytree\._register_pytree_node` is deprecated',
    category=FutureWarning,
    module=r'diffusers\.utils\.outputs')

from .ops.ext_finder import install as _install_mmcv_ext_finder  # noqa: E402

_install_mmcv_ext_finder()

from .utils import register_checkpoint_safe_globals  # noqa: E402
from .utils import register_safetensors_loader  # noqa: E402
from .version import __version__, version_info  # noqa: E402

register_checkpoint_safe_globals()
register_safetensors_loader()

from . import apis, datasets, engine, evaluation, models  # noqa: E402,F401

__all__ = ['__version__', 'version_info', 'register_checkpoint_safe_globals']
