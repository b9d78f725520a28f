# Copyright (c) mmjffra contributors. All rights reserved.
"""L1 cost volume over a local search window (JFFRA eq. 3-4)."""
import torch
import torch.nn.functional as F
from mmagic.registry import MODELS
from torch import Tensor, nn


def _shifts(radius: int):
    """Yield ``(k, l, m)``: channel index and (vertical, horizontal) shift."""
    k = 0
    for l in range(-radius, radius + 1):  # noqa: E741
        for m in range(-radius, radius + 1):
            yield k, l, m
            k += 1


class _L1CostVolumeFunction(torch.autograd.Function):
    """Memory-lean L1 cost volume.

    The forward pass loops over the ``(2r+1)^2`` displacements and keeps only
    the output; the backward pass recomputes each displacement's difference.
    Peak memory is therefore O(n*c*h*w) instead of the O(81*n*c*h*w) an
    ``unfold`` or autograd-recorded loop would take.
    """

    @staticmethod
    def forward(ctx, ref: Tensor, src: Tensor, radius: int) -> Tensor:
        n, c, h, w = ref.shape
        # The loop is fastest on (n, c, h, w)-contiguous tensors (channels-
        # last or mixed layouts: 1.2-2x slower); a no-op for those.
        ref = ref.contiguous()
        src = src.contiguous()
        src_pad = F.pad(src, [radius] * 4)
        cost = ref.new_empty((n, (2 * radius + 1)**2, h, w))
        for k, l, m in _shifts(radius):
            shifted = src_pad[:, :, radius + l:radius + l + h,
                              radius + m:radius + m + w]
            cost[:, k] = (ref - shifted).abs_().mean(dim=1)
        ctx.save_for_backward(ref, src)
        ctx.radius = radius
        return cost

    @staticmethod
    def backward(ctx, grad_cost: Tensor):
        ref, src = ctx.saved_tensors
        radius = ctx.radius
        n, c, h, w = ref.shape
        src_pad = F.pad(src, [radius] * 4)
        grad_ref = torch.zeros_like(ref) if ctx.needs_input_grad[0] else None
        grad_src_pad = torch.zeros_like(src_pad) \
            if ctx.needs_input_grad[1] else None
        grad_cost = grad_cost / c
        for k, l, m in _shifts(radius):
            rows = slice(radius + l, radius + l + h)
            cols = slice(radius + m, radius + m + w)
            g = (ref - src_pad[:, :, rows, cols]).sign_().mul_(
                grad_cost[:, k:k + 1])
            if grad_ref is not None:
                grad_ref.add_(g)
            if grad_src_pad is not None:
                grad_src_pad[:, :, rows, cols].sub_(g)
        grad_src = None
        if grad_src_pad is not None:
            grad_src = grad_src_pad[:, :, radius:radius + h, radius:radius + w]
        return grad_ref, grad_src, None


def l1_cost_volume(ref: Tensor, src: Tensor, radius: int = 4) -> Tensor:
    """L1 matching cost of ``ref`` against ``src`` shifted in a window.

    ``cost[:, k, y, x] = mean_c |ref[:, c, y, x] - src[:, c, y + l, x + m]|``
    with ``k = (l + radius) * (2 * radius + 1) + (m + radius)`` and
    ``l, m`` in ``[-radius, radius]`` (eq. 4 of the JFFRA paper, with the L1
    norm divided by the number of channels so that the cost's scale does not
    depend on the feature width). Positions outside ``src`` read zeros, as in
    the correlation layers of PWC-Net and RAFT.

    Args:
        ref (Tensor): Reference (centre) features of shape (n, c, h, w).
        src (Tensor): Projected neighbour features of shape (n, c, h, w).
        radius (int): Search radius; 4 gives the paper's 9x9 window.
            Default: 4.

    Returns:
        Tensor: Cost volume of shape (n, (2*radius+1)**2, h, w).
    """
    if ref.dim() != 4 or ref.shape != src.shape:
        raise ValueError('l1_cost_volume expects two (n, c, h, w) tensors of '
                         f'the same shape, got {tuple(ref.shape)} and '
                         f'{tuple(src.shape)}')
    if radius < 0:
        raise ValueError(f'radius must be >= 0, got {radius}')
    if torch.onnx.is_in_onnx_export():
        # the same costs out of place: an exported graph keeps no writes
        # into an uninitialised tensor
        h, w = ref.shape[-2:]
        src_pad = F.pad(src, [radius] * 4)
        return torch.stack(
            [(ref - src_pad[:, :, radius + l:radius + l + h,
                            radius + m:radius + m + w]).abs().mean(dim=1)
             for _, l, m in _shifts(radius)], 1)
    return _L1CostVolumeFunction.apply(ref, src, radius)


@MODELS.register_module()
class L1CostVolume(nn.Module):
    """Module form of :func:`l1_cost_volume`.

    Args:
        radius (int): Search radius; the window is ``2*radius+1`` square.
            Default: 4 (9x9, as in the paper).
    """

    def __init__(self, radius: int = 4) -> None:
        super().__init__()
        self.radius = radius

    @property
    def out_channels(self) -> int:
        """int: Number of displacements, ``(2*radius+1)**2``."""
        return (2 * self.radius + 1)**2

    def forward(self, ref: Tensor, src: Tensor) -> Tensor:
        """Compute the cost volume.

        Args:
            ref (Tensor): Reference features of shape (n, c, h, w).
            src (Tensor): Projected neighbour features of shape (n, c, h, w).

        Returns:
            Tensor: Cost volume of shape (n, (2*radius+1)**2, h, w).
        """
        return l1_cost_volume(ref, src, self.radius)

    def extra_repr(self) -> str:
        return f'radius={self.radius}'
