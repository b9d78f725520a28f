# Copyright (c) mmjffra contributors. All rights reserved.
"""Key map between the released RVRT checkpoints and :class:`RVRTNet`.

The released files (github.com/JingyunLiang/RVRT, ``model_zoo/rvrt``) hold
``{'params': state_dict}`` of the official ``RVRT`` module. An
:class:`RVRTNet` has the same parameters and buffers with the same shapes,
under our module names; the map is a renaming,
one key to one key, values untouched:

========================================  ====================================
released                                   ``RVRTNet``
========================================  ====================================
``spynet.basic_module.i.basic_module.2j``  ``flow_estimator.spynet.basic_module
                                           .i.basic_module.j.conv`` (MMagic's)
``spynet.mean`` / ``std``                  ``flow_estimator.spynet.mean`` / ...
``feat_extract.1.`` / ``.3.`` (x1)         ``downsample.0.`` / ``.2.``
``feat_extract[.6]``                       ``feat_extract``
``backbone.backward_1`` / ``forward_1`` /  ``refine.0`` / ``1`` / ...
``deform_align.backward_1`` / ...          ``align.0`` / ...
``<rstb>.main.1`` / ``main.3`` /           ``<rstb>.conv`` / ``norm_in`` /
``main.7``                                 ``norm_out``
``<rstb>.main.5.i.residual_group.blocks``  ``<rstb>.blocks.i.blocks``
``<rstb>.main.5.i.linear``                 ``<rstb>.blocks.i.linear``
``attn.qkv_self``                          ``attn.qkv``
``<gda>.proj_q.1`` (k, v, proj, mlp)       ``<gda>.proj_q`` (...)
``conv_before_upsampler.0``                ``conv_before_upsample``
``upsampler.0`` / ``5`` / ``10``           ``upsample.0`` / ``1`` / ``2``
========================================  ====================================
"""
import re
from collections import OrderedDict
from typing import Callable, Dict, List, Tuple

from mmjffra.models.utils.checkpoint_formats import (
    register_checkpoint_format, state_dict_mismatch)

RULES = List[Tuple[str, object]]

TO_OURS: RULES = [
    (r'^spynet\.basic_module\.(\d+)\.basic_module\.(\d+)\.',
     lambda m: f'flow_estimator.spynet.basic_module.{m[1]}.basic_module.'
     f'{int(m[2]) // 2}.conv.'),
    (r'^spynet\.', 'flow_estimator.spynet.'),
    (r'^feat_extract\.1\.', 'downsample.0.'),
    (r'^feat_extract\.3\.', 'downsample.2.'),
    (r'^feat_extract\.6\.', 'feat_extract.'),
    (r'^backbone\.(backward|forward)_(\d+)\.',
     lambda m: f'refine.{module_index(m[1], m[2])}.'),
    (r'^deform_align\.(backward|forward)_(\d+)\.',
     lambda m: f'align.{module_index(m[1], m[2])}.'),
    (r'\.main\.1\.', '.conv.'),
    (r'\.main\.3\.', '.norm_in.'),
    (r'\.main\.5\.(\d+)\.residual_group\.blocks\.', r'.blocks.\1.blocks.'),
    (r'\.main\.5\.(\d+)\.linear\.', r'.blocks.\1.linear.'),
    (r'\.main\.7\.', '.norm_out.'),
    (r'\.attn\.qkv_self\.', '.attn.qkv.'),
    (r'^(align\.\d+\.(proj_q|proj_k|proj_v|proj|mlp))\.1\.', r'\1.'),
    (r'^conv_before_upsampler\.0\.', 'conv_before_upsample.'),
    (r'^upsampler\.(\d+)\.', lambda m: f'upsample.{int(m[1]) // 5}.'),
]

TO_OFFICIAL: RULES = [
    (r'^flow_estimator\.spynet\.basic_module\.(\d+)\.basic_module\.(\d+)\.'
     r'conv\.', lambda m: f'spynet.basic_module.{m[1]}.basic_module.'
     f'{2 * int(m[2])}.'),
    (r'^flow_estimator\.spynet\.', 'spynet.'),
    (r'^downsample\.0\.', 'feat_extract.1.'),
    (r'^downsample\.2\.', 'feat_extract.3.'),
    (r'^refine\.(\d+)\.', lambda m: f'backbone.{module_name(int(m[1]))}.'),
    (r'^align\.(\d+)\.', lambda m: f'deform_align.{module_name(int(m[1]))}.'),
    (r'\.conv\.', '.main.1.'),
    (r'\.norm_in\.', '.main.3.'),
    (r'\.blocks\.(\d+)\.blocks\.', r'.main.5.\1.residual_group.blocks.'),
    (r'\.blocks\.(\d+)\.linear\.', r'.main.5.\1.linear.'),
    (r'\.norm_out\.', '.main.7.'),
    (r'\.attn\.qkv\.', '.attn.qkv_self.'),
    (r'^(deform_align\.\w+\.(proj_q|proj_k|proj_v|proj|mlp))\.', r'\1.1.'),
    (r'^conv_before_upsample\.', 'conv_before_upsampler.0.'),
    (r'^upsample\.(\d+)\.', lambda m: f'upsampler.{5 * int(m[1])}.'),
]


def module_index(direction: str, round_: str) -> int:
    """Index in ``RVRTNet.refine``/``align`` of a released module name."""
    return 2 * (int(round_) - 1) + (direction == 'forward')


def module_name(index: int) -> str:
    """Released name (``backward_1``, ``forward_1``, ...) of module i."""
    return f"{'forward' if index % 2 else 'backward'}_{index // 2 + 1}"


def _rename(key: str, rules: RULES) -> str:
    for pattern, repl in rules:
        key = re.sub(pattern, repl, key)
    return key


def _convert(state: Dict, rename: Callable[[str], str]) -> OrderedDict:
    out = OrderedDict()
    for key, value in state.items():
        new = rename(key)
        if new in out:
            raise ValueError(f'keys map onto one key {new!r}: {key!r}')
        out[new] = value
    return out


def official_to_mmjffra(state: Dict) -> OrderedDict:
    """A released RVRT state dict with our ``RVRTNet`` keys.

    Args:
        state (dict): The official module's state dict (``params``).

    Returns:
        OrderedDict: The same values under ``RVRTNet`` keys, in order.
    """
    return _convert(state, lambda key: _rename(key, TO_OURS))


def mmjffra_to_official(state: Dict) -> OrderedDict:
    """An :class:`RVRTNet` state dict with released keys.

    Args:
        state (dict): The generator's state dict.

    Returns:
        OrderedDict: The same values under the official module's keys.
    """
    stride4 = any(k.startswith('downsample.') for k in state)

    def rename(key: str) -> str:
        if key.startswith('feat_extract.') and stride4:
            key = 'feat_extract.6.' + key[len('feat_extract.'):]
        if key.startswith('flow_estimator.'):
            return _rename(key, TO_OFFICIAL[:2])
        return _rename(key, TO_OFFICIAL[2:])

    return _convert(state, rename)


def is_official_rvrt(state: Dict) -> bool:
    """Whether ``state`` is a state dict of the released RVRT module."""
    return 'spynet.basic_module.0.basic_module.0.weight' in state and any(
        k.startswith('deform_align.') for k in state)


@register_checkpoint_format
def released_rvrt_weights(state: Dict) -> Dict:
    """The ``RVRTNet`` weights of a released RVRT checkpoint, else ``state``.

    A released file holds ``{'params': <official state dict>}`` (or the bare
    official state dict); it becomes our generator's state dict
    (:func:`official_to_mmjffra`). Any other checkpoint is returned as it
    is. Registered with
    :func:`~mmjffra.models.utils.checkpoint_formats.register_checkpoint_format`,
    so that the generic loader reads released files.

    Args:
        state (dict): A checkpoint's content (or its ``state_dict``).

    Returns:
        dict: The converted generator state dict, or ``state``.
    """
    params = state.get('params')
    if isinstance(params, dict) and is_official_rvrt(params):
        return official_to_mmjffra(params)
    if is_official_rvrt(state):
        return official_to_mmjffra(state)
    return state


def check_released_weights(generator, state: Dict) -> None:
    """Raise a ValueError naming the keys if ``state`` does not fit.

    Args:
        generator (nn.Module): The ``RVRTNet`` receiving the weights.
        state (dict): Converted released weights (our keys).
    """
    mismatch = state_dict_mismatch(generator, state)
    if mismatch:
        raise ValueError(
            'released RVRT weights do not match the generator (a '
            f'configs/rvrt/rvrt_official-* config of the same task?): '
            f'{mismatch}')
