# Copyright (c) mmjffra contributors. All rights reserved.
"""MMCV's deformable convolutions on mmjffra's ``mmcv._ext`` stand-in.

The reference is written here from the definition (DCNv1/v2: each kernel
tap reads the input at its grid position plus a learned offset, by bilinear
interpolation with zeros outside the frame, times the modulation mask), in
float64, with autograd for the gradients.
"""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import mmcv
import pytest
import torch
from mmcv.ops import deform_conv2d, modulated_deform_conv2d

import mmjffra.ops
from mmjffra.ops import ext_finder

STAND_IN = Path(mmjffra.ops.__file__).parent / 'mmcv_ext.py'


def bilinear_zero(img, y, x):
    """img (n, c, h, w); y, x (n, ho, wo) -> (n, c, ho, wo), zeros outside."""
    n, c, h, w = img.shape
    y0, x0 = torch.floor(y), torch.floor(x)
    out = img.new_zeros(n, c, *y.shape[1:])
    for dy in (0, 1):
        for dx in (0, 1):
            yy, xx = y0 + dy, x0 + dx
            weight = (1 - (y - yy).abs()) * (1 - (x - xx).abs())
            inside = (yy >= 0) & (yy <= h - 1) & (xx >= 0) & (xx <= w - 1)
            yi = yy.clamp(0, h - 1).long()
            xi = xx.clamp(0, w - 1).long()
            flat = (yi * w + xi).view(n, 1, -1).expand(-1, c, -1)
            vals = img.flatten(2).gather(2, flat).view_as(out)
            out = out + vals * (weight * inside)[:, None]
    return out


def reference_dcn(x, offset, mask, weight, bias, stride, padding, dilation,
                  groups, deform_groups):
    n, cin, h, w = x.shape
    cout, cpg, kh, kw = weight.shape
    ho = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (w + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    base_y = (torch.arange(ho, dtype=x.dtype) * stride[0] - padding[0]).view(
        1, ho, 1).expand(n, ho, wo)
    base_x = (torch.arange(wo, dtype=x.dtype) * stride[1] - padding[1]).view(
        1, 1, wo).expand(n, ho, wo)
    cols = []  # (n, cin, kh*kw, ho, wo)
    for k in range(kh * kw):
        i, j = divmod(k, kw)
        taps = []
        for g in range(deform_groups):
            ch = slice(g * cin // deform_groups,
                       (g + 1) * cin // deform_groups)
            dy = offset[:, 2 * (g * kh * kw + k)]
            dx = offset[:, 2 * (g * kh * kw + k) + 1]
            tap = bilinear_zero(x[:, ch], base_y + i * dilation[0] + dy,
                                base_x + j * dilation[1] + dx)
            if mask is not None:
                tap = tap * mask[:, g * kh * kw + k][:, None]
            taps.append(tap)
        cols.append(torch.cat(taps, 1))
    cols = torch.stack(cols, 2)
    out = []
    opg = cout // groups
    for g in range(groups):
        col = cols[:, g * cpg:(g + 1) * cpg].flatten(1, 2)
        wg = weight[g * opg:(g + 1) * opg].flatten(1)
        out.append(torch.einsum('ok,nkhw->nohw', wg, col))
    out = torch.cat(out, 1)
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return out


CASES = [
    # (cin, cout, k, stride, padding, dilation, groups, deform_groups)
    (4, 6, 3, 1, 1, 1, 1, 1),
    (4, 6, 3, 2, 1, 1, 2, 2),
    (6, 4, 3, 1, 2, 2, 1, 3),
    (4, 4, 1, 1, 0, 1, 1, 2),
]


def make_inputs(cin, cout, k, groups, deform_groups, ho, wo, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(2, cin, 7, 9, generator=g, dtype=torch.float64)
    # offsets up to +-6 px: many taps fall partly or wholly outside the frame
    offset = (torch.rand(
        2, 2 * deform_groups * k * k, ho, wo, generator=g, dtype=torch.float64)
              - 0.5) * 12
    mask = torch.rand(
        2, deform_groups * k * k, ho, wo, generator=g, dtype=torch.float64)
    weight = torch.randn(
        cout, cin // groups, k, k, generator=g, dtype=torch.float64)
    bias = torch.randn(cout, generator=g, dtype=torch.float64)
    return x, offset, mask, weight, bias


def out_size(size, k, stride, padding, dilation):
    return (size + 2 * padding - dilation * (k - 1) - 1) // stride + 1


def test_mmcv_ext_is_the_stand_in():
    # the default set-up (mmcv-lite): MMCV's ops resolve to our module
    ext = sys.modules['mmcv._ext']
    if not ext.__file__.endswith('.py'):
        pytest.skip('compiled MMCV installed (MMJFFRA_MMCV=full)')
    assert Path(ext.__file__) == STAND_IN
    assert ext_finder.is_installed()


@pytest.mark.parametrize('case', CASES)
@pytest.mark.parametrize('modulated', [True, False])
def test_deform_conv_matches_reference(case, modulated):
    cin, cout, k, stride, padding, dilation, groups, dg = case
    ho = out_size(7, k, stride, padding, dilation)
    wo = out_size(9, k, stride, padding, dilation)
    tensors = make_inputs(cin, cout, k, groups, dg, ho, wo, seed=sum(case))
    x, offset, mask, weight, bias = [
        t.clone().requires_grad_(True) for t in tensors
    ]
    if not modulated:
        mask = bias = None
    args = ((stride, stride), (padding, padding), (dilation, dilation), groups,
            dg)
    ref = reference_dcn(x, offset, mask, weight, bias, *args)
    if modulated:
        out = modulated_deform_conv2d(x, offset, mask, weight, bias, stride,
                                      padding, dilation, groups, dg)
    else:
        out = deform_conv2d(x, offset, weight, stride, padding, dilation,
                            groups, dg)
    torch.testing.assert_close(out, ref, rtol=1e-10, atol=1e-10)

    grad_out = torch.randn_like(ref)
    leaves = [t for t in (x, offset, mask, weight, bias) if t is not None]
    g_ref = torch.autograd.grad(ref, leaves, grad_out)
    g_out = torch.autograd.grad(out, leaves, grad_out)
    for name, a, b in zip(['input', 'offset', 'mask', 'weight', 'bias'], g_out,
                          g_ref):
        # offsets sit on integer grid lines with probability 0, where the
        # bilinear derivative is discontinuous
        torch.testing.assert_close(a, b, rtol=1e-8, atol=1e-8, msg=name)


def test_deform_conv_modules_train_float32():
    # as EDVR's and BasicVSR++'s layers use them: float32 module + backward
    from mmcv.ops import ModulatedDeformConv2d
    torch.manual_seed(0)
    layer = ModulatedDeformConv2d(4, 8, 3, padding=1, deform_groups=2)
    x = torch.rand(1, 4, 6, 6, requires_grad=True)
    offset = torch.randn(1, 36, 6, 6)
    mask = torch.rand(1, 18, 6, 6)
    out = layer(x, offset, mask)
    ref = reference_dcn(x.double(), offset.double(), mask.double(),
                        layer.weight.double(), layer.bias.double(), (1, 1),
                        (1, 1), (1, 1), 1, 2)
    torch.testing.assert_close(out.double(), ref, rtol=1e-5, atol=1e-5)
    out.sum().backward()
    assert layer.weight.grad is not None and x.grad.abs().sum() > 0


def test_other_mmcv_ops_raise_one_line():
    ext = sys.modules['mmcv._ext']
    if not ext.__file__.endswith('.py'):
        pytest.skip('compiled MMCV installed (MMJFFRA_MMCV=full)')
    with pytest.raises(NotImplementedError) as err:
        ext.nms(torch.zeros(1, 4), torch.zeros(1), 0.5, 0)
    msg = str(err.value)
    assert "'nms'" in msg and 'MMJFFRA_MMCV=full' in msg and '\n' not in msg
    with pytest.raises(AttributeError):
        ext.__wrapped__


def _python(code, env=None):
    proc = subprocess.run([sys.executable, '-c', code],
                          capture_output=True,
                          text=True,
                          env=dict(os.environ, **(env or {})),
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_import_orders_in_fresh_processes():
    if not sys.modules['mmcv._ext'].__file__.endswith('.py'):
        pytest.skip('compiled MMCV installed (MMJFFRA_MMCV=full)')
    # MMagic first (no mmjffra import at all): the site-packages hook
    out = _python('import mmagic.models, mmcv._ext as e; print(e.__file__)')
    assert out.strip() == str(STAND_IN)
    # EDVR's modulated DCN pack through MMagic only
    out = _python(
        'import torch; from mmagic.models.editors.edvr.edvr_net import '
        'ModulatedDCNPack as P; m = P(4, 4, 3, padding=1, deform_groups=2);'
        'print(tuple(m(torch.rand(1, 4, 5, 5), torch.rand(1, 4, 5, 5))'
        '.shape))')
    assert out.strip() == '(1, 4, 5, 5)'


def test_compiled_mmcv_is_found_first(tmp_path):
    # a package with its own mmcv._ext: the finder (last in sys.meta_path)
    # never replaces it
    fake = tmp_path / 'mmcv'
    fake.mkdir()
    (fake / '__init__.py').write_text('')
    (fake / '_ext.py').write_text('COMPILED = True\n')
    # (the finder is loaded by path as the .pth does: mmjffra would import
    # MMagic, which this fake mmcv cannot serve)
    out = _python('import sys, importlib; sys.path.insert(0, %r);' %
                  str(tmp_path) + ext_finder.pth_line().strip() +
                  '; e = importlib.import_module("mmcv._ext");'
                  'print(e.COMPILED)')
    assert out.strip() == 'True'


def test_pth_hook_written_and_loadable(tmp_path):
    dst = ext_finder.write_pth(str(tmp_path))
    line = Path(dst).read_text()
    assert line.startswith('import ') and line.count('\n') == 1
    # site.addpackage executes such a line: do the same in a fresh process
    out = _python(
        'import sys; sys.meta_path[:] = [f for f in sys.meta_path if not '
        'getattr(f, "mmjffra_mmcv_ext_finder", False)];' + line.strip() +
        '; print(sum(getattr(f, "mmjffra_mmcv_ext_finder", False) '
        'for f in sys.meta_path))')
    assert out.strip() == '1'
    ext_finder.remove_pth(str(tmp_path))
    assert not Path(dst).exists()


def test_stand_in_equals_compiled_mmcv():
    """With the compiled MMCV (MMJFFRA_MMCV=full), both give one result."""
    compiled = sys.modules['mmcv._ext']
    if compiled.__file__.endswith('.py'):
        pytest.skip('compiled MMCV not installed (default set-up)')
    spec = importlib.util.spec_from_file_location('stand_in', STAND_IN)
    stand_in = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(stand_in)
    x, offset, mask, weight, bias = [
        t.float() for t in make_inputs(4, 6, 3, 2, 2, 4, 5, seed=3)
    ]
    outs = []
    for ext in (compiled, stand_in):
        out = x.new_empty(2, 6, 4, 5)
        ext.modulated_deform_conv_forward(
            x,
            weight,
            bias,
            x.new_empty(0),
            offset,
            mask,
            out,
            x.new_empty(0),
            kernel_h=3,
            kernel_w=3,
            stride_h=2,
            stride_w=2,
            pad_h=1,
            pad_w=1,
            dilation_h=1,
            dilation_w=1,
            group=2,
            deformable_group=2,
            with_bias=True)
        outs.append(out)
    torch.testing.assert_close(outs[0], outs[1], rtol=1e-5, atol=1e-5)
    assert mmcv.__version__ == '2.1.0'


def test_basicvsr_plusplus_trains_on_the_default_path():
    """MMagic's BasicVSR++ (second-order deformable alignment: MMCV's
    ModulatedDeformConv2d) forward and backward on the stand-in. No demo
    config: BasicVSR++ needs LR frames of 64 px at least, the carphone demo
    clip is 44x36 at x4."""
    from mmagic.models.editors import BasicVSRPlusPlusNet
    torch.manual_seed(0)
    net = BasicVSRPlusPlusNet(
        mid_channels=8,
        num_blocks=1,
        is_low_res_input=True,
        spynet_pretrained=None)
    lqs = torch.rand(1, 3, 3, 64, 64)
    out = net(lqs)
    assert out.shape == (1, 3, 3, 256, 256) and torch.isfinite(out).all()
    out.mean().backward()
    for name, module in net.deform_align.items():
        assert module.weight.grad.abs().sum() > 0, name  # the DCN weight
        # offsets and masks come from conv_offset: its gradient flows back
        # through the stand-in's offset/mask gradients
        assert module.conv_offset[-1].weight.grad.abs().sum() > 0, name
