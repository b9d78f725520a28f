# Copyright (c) mmjffra contributors. All rights reserved.
"""``import mmjffra`` does what its docstring lists, and no more."""
import json
import subprocess
import sys

import numpy as np

from mmjffra.utils import checkpoint_safe_globals

PROBE = r'''
import json, sys
import torch.serialization as ser
# what MMagic and torch register themselves, first
import mmagic.models, mmengine.runner, torch._dynamo  # noqa
# the set-up's start-up hook (.pth) may have installed the finder already
sys.meta_path[:] = [
    f for f in sys.meta_path if not hasattr(f, 'mmjffra_mmcv_ext_finder')]
before_path = list(sys.meta_path)
before_safe = set(map(repr, ser.get_safe_globals()))
import mmjffra
added_path = [type(f).__name__ for f in sys.meta_path if f not in before_path]
added_safe = sorted(set(map(repr, ser.get_safe_globals())) - before_safe)
finder = sys.meta_path[-1]
print(json.dumps(dict(
    added_path=added_path, last=type(finder).__name__,
    only_ext=finder.find_spec('mmcv.ops') is None
    and finder.find_spec('numpy') is None
    and finder.find_spec('mmcv._ext') is not None,
    n_safe=len(added_safe))))
'''


def test_import_adds_one_finder_and_the_listed_globals():
    out = subprocess.run([sys.executable, '-c', PROBE],
                         check=True,
                         capture_output=True,
                         text=True).stdout
    res = json.loads(out.strip().splitlines()[-1])
    assert res['added_path'] == ['MMCVExtFinder']
    assert res['last'] == 'MMCVExtFinder'  # after the regular finders
    assert res['only_ext']
    # HistoryBuffer, restricted getattr, _reconstruct, scalar, ndarray,
    # dtype and six dtype classes
    assert res['n_safe'] == 12 == len(checkpoint_safe_globals())


def test_allow_list_names_exact_dtypes():
    dtypes = [
        g for g in checkpoint_safe_globals()
        if isinstance(g, type) and g.__module__ == 'numpy.dtypes'
    ]
    assert sorted(d.__name__ for d in dtypes) == [
        'BoolDType', 'Float16DType', 'Float32DType', 'Float64DType',
        'Int32DType', 'Int64DType'
    ]
    # far fewer than numpy offers: no module wildcard
    assert len(dtypes) < len(
        [n for n in dir(np.dtypes) if n.endswith('DType')]) // 2


def test_import_hides_only_the_diffusers_pytree_warning():
    probe = r'''
import json, warnings
before = list(warnings.filters)
import mmjffra
print(json.dumps([
    [f[0], f[1] and f[1].pattern, f[2].__name__, f[3] and f[3].pattern]
    for f in warnings.filters
    if f not in before and f[2] is FutureWarning]))
'''
    run = subprocess.run([sys.executable, '-c', probe],
                         check=True,
                         capture_output=True,
                         text=True)
    assert '_register_pytree_node' not in run.stderr
    added = json.loads(run.stdout.strip().splitlines()[-1])
    # the one FutureWarning filter: this message, from this module
    assert added == [[
        'ignore', r'`torch\.utils\._pytree\._register_pytree_node` is '
        'deprecated', 'FutureWarning', r'diffusers\.utils\.outputs'
    ]]
