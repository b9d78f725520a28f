# Copyright (c) mmjffra contributors. All rights reserved.
"""MMagic's ``BasicVSRNet`` as a graph with a loop over the frames.

Tracing a recurrent network unrolls its propagation over the number of
frames it was traced with; a restoration feeds chunks of any length. The
module here runs the same computation as ``BasicVSRNet.forward`` with the
two propagations written as TorchScript loops over ``t``, which the
exporter turns into ONNX ``Loop`` nodes, so the exported graph takes any
number of frames, height and width. The layers inside the loops (residual
blocks, SPyNet's levels, the upsampling head) are the network's own modules,
traced: they have no size-dependent Python logic. What MMagic writes with
Python numbers of the input size (SPyNet's padding to a multiple of 32 and
its flow rescaling, ``flow_warp``'s grid) is written here with sizes the
graph reads, as the same arithmetic.
"""
import torch
import torch.nn.functional as F
from torch import Tensor, nn


@torch.jit.script
def _flow_warp(x: Tensor, flow: Tensor, padding_mode: str) -> Tensor:
    """``mmagic.models.utils.flow_warp`` (bilinear, ``align_corners=True``)
    with the grid built from the sizes of ``x``; ``flow`` is (n, 2, h, w).
    Scripted, so that a trace calling it keeps the sizes dynamic."""
    h, w = x.shape[2], x.shape[3]
    grid_y = torch.arange(0, h, dtype=x.dtype).view(1, h, 1).expand(1, h, w)
    grid_x = torch.arange(0, w, dtype=x.dtype).view(1, 1, w).expand(1, h, w)
    gx = 2.0 * (grid_x + flow[:, 0]) / float(max(w - 1, 1)) - 1.0
    gy = 2.0 * (grid_y + flow[:, 1]) / float(max(h - 1, 1)) - 1.0
    return F.grid_sample(
        x,
        torch.stack((gx, gy), dim=3),
        mode='bilinear',
        padding_mode=padding_mode,
        align_corners=True)


def _at_least_1(size):
    # a size is a tensor while tracing, an int when the trace is checked
    return size.clamp(min=1) if isinstance(size, Tensor) else max(size, 1)


class _Flows(nn.Module):
    """SPyNet's flows between neighbouring frames, both ways (MMagic's
    ``SPyNet.forward`` with the sizes read from the graph's input)."""

    def __init__(self, spynet: nn.Module) -> None:
        super().__init__()
        self.levels = spynet.basic_module
        self.mean, self.std = spynet.mean, spynet.std

    def spynet(self, ref: Tensor, supp: Tensor) -> Tensor:
        h, w = ref.shape[2], ref.shape[3]
        h_up, w_up = (h + 31) // 32 * 32, (w + 31) // 32 * 32
        refs = [(F.interpolate(
            ref, size=(h_up, w_up), mode='bilinear', align_corners=False) -
                 self.mean) / self.std]
        supps = [(F.interpolate(
            supp, size=(h_up, w_up), mode='bilinear', align_corners=False) -
                  self.mean) / self.std]
        for _ in range(5):
            refs.insert(
                0, F.avg_pool2d(refs[0], 2, stride=2, count_include_pad=False))
            supps.insert(
                0,
                F.avg_pool2d(supps[0], 2, stride=2, count_include_pad=False))
        flow = torch.zeros_like(refs[0][:, :2])
        for level, module in enumerate(self.levels):
            if level > 0:
                flow = F.interpolate(
                    flow, scale_factor=2., mode='bilinear',
                    align_corners=True) * 2.0
            warped = _flow_warp(supps[level], flow, 'border')
            flow = flow + module(torch.cat([refs[level], warped, flow], 1))
        flow = F.interpolate(
            flow, size=(h, w), mode='bilinear', align_corners=False)
        return torch.cat([flow[:, :1] * (w / w_up), flow[:, 1:] * (h / h_up)],
                         dim=1)

    def forward(self, lqs: Tensor):
        n, t, c, h, w = lqs.shape
        # one pair at least: a graph cannot reshape to a zero-size batch (0
        # is "keep this dim" to ONNX's Reshape); a one-frame clip gets a
        # pair of its frame with itself, which no propagation reads
        pairs = _at_least_1(t - 1)
        first = lqs[:, :pairs].reshape(n * pairs, c, h, w)
        rest = lqs[:, t - pairs:].reshape(n * pairs, c, h, w)
        backward = self.spynet(first, rest).view(n, pairs, 2, h, w)
        forward = self.spynet(rest, first).view(n, pairs, 2, h, w)
        return backward[:, :t - 1], forward[:, :t - 1]


class _Head(nn.Module):
    """BasicVSR's fusion and x4 upsampling of one frame."""

    def __init__(self, gen: nn.Module) -> None:
        super().__init__()
        self.fusion = gen.fusion
        self.upsample1 = gen.upsample1
        self.upsample2 = gen.upsample2
        self.conv_hr = gen.conv_hr
        self.conv_last = gen.conv_last
        self.img_upsample = gen.img_upsample
        self.lrelu = nn.LeakyReLU(negative_slope=0.1)

    def forward(self, backward: Tensor, forward: Tensor, lq: Tensor) -> Tensor:
        out = self.lrelu(self.fusion(torch.cat([backward, forward], dim=1)))
        out = self.lrelu(self.upsample1(out))
        out = self.lrelu(self.upsample2(out))
        out = self.lrelu(self.conv_hr(out))
        return self.conv_last(out) + self.img_upsample(lq)


class ScriptedBasicVSR(nn.Module):
    """``BasicVSRNet`` with its propagation as loops over the frames.

    Args:
        gen (nn.Module): An MMagic ``BasicVSRNet`` (its modules are shared,
            not copied).
    """

    def __init__(self, gen: nn.Module) -> None:
        super().__init__()
        gen = gen.eval()
        c = gen.mid_channels
        feat = torch.rand(1, c + 3, 16, 16)
        with torch.no_grad():
            self.backward_blocks = torch.jit.trace(gen.backward_resblocks,
                                                   feat)
            self.forward_blocks = torch.jit.trace(gen.forward_resblocks, feat)
            self.flows = torch.jit.trace(
                _Flows(gen.spynet).eval(), torch.rand(1, 2, 3, 36, 44))
            self.head = torch.jit.trace(
                _Head(gen).eval(), (feat[:, :c], feat[:, :c], feat[:, :3]))
        self.mid_channels = c

    def forward(self, lqs: Tensor) -> Tensor:
        n, t, c, h, w = lqs.shape
        backward_flows, forward_flows = self.flows(lqs)
        feat = lqs.new_zeros(n, self.mid_channels, h, w)
        # loop-carried tensors, not lists (OpenVINO reads no ONNX sequences)
        backward = lqs.new_zeros(n, t, self.mid_channels, h, w)
        for k in range(t):
            i = t - 1 - k
            if k > 0:
                feat = _flow_warp(feat, backward_flows[:, i], 'zeros')
            feat = self.backward_blocks(torch.cat([lqs[:, i], feat], dim=1))
            backward[:, i] = feat
        feat = torch.zeros_like(feat)
        outputs = lqs.new_zeros(n, t, c, 4 * h, 4 * w)
        for i in range(t):
            if i > 0:
                feat = _flow_warp(feat, forward_flows[:, i - 1], 'zeros')
            feat = self.forward_blocks(torch.cat([lqs[:, i], feat], dim=1))
            out = self.head(backward[:, i], feat, lqs[:, i])
            outputs[:, i] = out
        return outputs


def basicvsr_graph(gen: nn.Module) -> torch.jit.ScriptModule:
    """The scripted form of an MMagic ``BasicVSRNet`` for export."""
    return torch.jit.script(ScriptedBasicVSR(gen))
