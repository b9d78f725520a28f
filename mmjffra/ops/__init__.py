# Copyright (c) mmjffra contributors. All rights reserved.
"""MMCV ops without compiling MMCV.

MMagic imports ``mmcv.ops`` at import time, and every module of ``mmcv.ops``
loads the compiled extension ``mmcv._ext``, which the pure-Python
``mmcv-lite`` wheel lacks. :mod:`mmjffra.ops.mmcv_ext` stands in for that
extension: (modulated) deformable convolution, the only MMCV ops our
configs use (MMagic's EDVR and BasicVSR++), computed by
:func:`torchvision.ops.deform_conv2d` on CPU and CUDA; every other op
raises one line naming it. :mod:`mmjffra.ops.ext_finder` makes
``import mmcv._ext`` find it whenever MMCV has no compiled extension of its
own. Nothing here is imported by the models.
"""
