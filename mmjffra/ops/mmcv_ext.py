# Copyright (c) mmjffra contributors. All rights reserved.
"""Stand-in for MMCV's compiled extension ``mmcv._ext`` (``mmcv-lite``).

Imported as ``mmcv._ext`` by :mod:`mmjffra.ops.ext_finder` when MMCV has no
compiled extension. It implements the five functions behind
``mmcv.ops.DeformConv2d`` and ``mmcv.ops.ModulatedDeformConv2d`` (used by
MMagic's EDVR and BasicVSR++), with their MMCV signatures, on top of
:func:`torchvision.ops.deform_conv2d` (compiled for CPU and CUDA inside the
torchvision wheel). MMCV and torchvision share the offset layout of the
original DCN (per deformable group and kernel point, ``(dy, dx)``) and the
mask layout, so tensors pass through unchanged.

MMCV's autograd functions call ``*_forward`` with an output buffer to fill
and ``*_backward*`` with gradient buffers; the backward functions here
recompute the forward under autograd and write
:func:`torch.autograd.grad`'s results into those buffers.

Any other attribute (``nms``, ``roi_align_forward``, ...) is a function that
raises :class:`NotImplementedError` naming the op when called: MMagic
imports all of ``mmcv.ops`` and MMCV's loader only checks that the names
exist, so importing works and only a real use of a missing op fails.

This module imports torch and torchvision only (no mmcv, no mmjffra).
"""
from typing import Optional, Tuple

import torch
from torchvision.ops import deform_conv2d

FULL_MMCV_HINT = (
    'mmjffra set up MMCV without compiled ops (mmcv-lite; its stand-in '
    'for mmcv._ext has deformable convolution only). For other MMCV ops '
    'install the compiled MMCV: MMJFFRA_MMCV=full bash scripts/setup.sh '
    '(or build mmcv==2.1.0 with ops, see MMCV\'s installation guide).')


class MissingMMCVOpError(NotImplementedError):
    """An MMCV op that only the compiled MMCV provides was called."""


def get_compiler_version() -> str:
    return 'none (mmjffra stand-in for mmcv._ext, torchvision ops)'


def get_compiling_cuda_version() -> str:
    return 'not available'


def _deform(input: torch.Tensor, offset: torch.Tensor,
            mask: Optional[torch.Tensor], weight: torch.Tensor,
            bias: Optional[torch.Tensor], stride: Tuple[int, int],
            padding: Tuple[int, int], dilation: Tuple[int, int], group: int,
            deformable_group: int) -> torch.Tensor:
    """torchvision's deformable convolution with MMCV's arguments checked.

    torchvision infers the groups from the shapes; MMCV passes them: a
    disagreement would silently compute something else, so it raises.
    """
    kh, kw = weight.shape[2:]
    if input.shape[1] != weight.shape[1] * group:
        raise ValueError(f'deform conv: input has {input.shape[1]} channels, '
                         f'weight {tuple(weight.shape)} with {group} groups '
                         f'expects {weight.shape[1] * group}')
    if offset.shape[1] != 2 * deformable_group * kh * kw:
        raise ValueError(
            f'deform conv: offset has {offset.shape[1]} channels, '
            f'{deformable_group} deformable groups of a {kh}x{kw} kernel '
            f'need {2 * deformable_group * kh * kw}')
    return deform_conv2d(
        input,
        offset,
        weight,
        bias=bias,
        stride=stride,
        padding=padding,
        dilation=dilation,
        mask=mask)


def _grads(outputs_fn, inputs, grad_output):
    """Gradients of ``outputs_fn(*inputs)`` against ``grad_output``."""
    with torch.enable_grad():
        leaves = [x.detach().requires_grad_(True) for x in inputs]
        out = outputs_fn(*leaves)
        return torch.autograd.grad(out, leaves, grad_output)


# -- DeformConv2d (DCNv1), mmcv/ops/csrc/pytorch/deform_conv.cpp ------------
def deform_conv_forward(input, weight, offset, output, columns, ones, kW, kH,
                        dW, dH, padW, padH, dilationW, dilationH, group,
                        deformable_group, im2col_step):
    output.copy_(
        _deform(input, offset, None, weight, None, (dH, dW), (padH, padW),
                (dilationH, dilationW), group, deformable_group))


def _dcn_v1(stride, padding, dilation, group, deformable_group):
    return lambda x, off, w: _deform(x, off, None, w, None, stride, padding,
                                     dilation, group, deformable_group)


def deform_conv_backward_input(input, offset, gradOutput, gradInput,
                               gradOffset, weight, columns, kW, kH, dW, dH,
                               padW, padH, dilationW, dilationH, group,
                               deformable_group, im2col_step):
    fn = _dcn_v1((dH, dW), (padH, padW), (dilationH, dilationW), group,
                 deformable_group)
    g_in, g_off, _ = _grads(fn, (input, offset, weight), gradOutput)
    gradInput.copy_(g_in)
    gradOffset.copy_(g_off)


def deform_conv_backward_parameters(input, offset, gradOutput, gradWeight,
                                    columns, ones, kW, kH, dW, dH, padW, padH,
                                    dilationW, dilationH, group,
                                    deformable_group, scale, im2col_step):
    fn = _dcn_v1((dH, dW), (padH, padW), (dilationH, dilationW), group,
                 deformable_group)
    # MMCV passes no weight here: the output is linear in the weight, so its
    # gradient does not depend on it and any weight of that shape serves
    weight = torch.zeros_like(gradWeight)
    _, _, g_w = _grads(fn, (input, offset, weight), gradOutput)
    gradWeight.add_(g_w, alpha=scale)  # MMCV accumulates scale * grad


# -- ModulatedDeformConv2d (DCNv2), modulated_deform_conv.cpp --------------
def modulated_deform_conv_forward(input, weight, bias, ones, offset, mask,
                                  output, columns, kernel_h, kernel_w,
                                  stride_h, stride_w, pad_h, pad_w, dilation_h,
                                  dilation_w, group, deformable_group,
                                  with_bias):
    output.copy_(
        _deform(input, offset, mask, weight, bias if with_bias else None,
                (stride_h, stride_w), (pad_h, pad_w), (dilation_h, dilation_w),
                group, deformable_group))


def modulated_deform_conv_backward(input, weight, bias, ones, offset, mask,
                                   columns, grad_input, grad_weight, grad_bias,
                                   grad_offset, grad_mask, grad_output,
                                   kernel_h, kernel_w, stride_h, stride_w,
                                   pad_h, pad_w, dilation_h, dilation_w, group,
                                   deformable_group, with_bias):
    args = ((stride_h, stride_w), (pad_h, pad_w), (dilation_h, dilation_w),
            group, deformable_group)
    if with_bias:
        grads = _grads(lambda x, off, m, w, b: _deform(x, off, m, w, b, *args),
                       (input, offset, mask, weight, bias), grad_output)
        grad_bias.copy_(grads[4])
    else:
        grads = _grads(lambda x, off, m, w: _deform(x, off, m, w, None, *args),
                       (input, offset, mask, weight), grad_output)
    for buf, grad in zip((grad_input, grad_offset, grad_mask, grad_weight),
                         grads):
        buf.copy_(grad)


def _missing(name: str):

    def op(*args, **kwargs):
        raise MissingMMCVOpError(f'MMCV op {name!r} is not available: '
                                 f'{FULL_MMCV_HINT}')

    op.__name__ = name
    return op


def __getattr__(name: str):
    # MMCV's ext_loader.load_ext only checks hasattr() at import time
    if name.startswith('__'):
        raise AttributeError(name)
    return _missing(name)
