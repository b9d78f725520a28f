# Copyright (c) mmjffra contributors. All rights reserved.
"""Let ``import mmcv._ext`` find mmjffra's stand-in when MMCV has none.

:class:`MMCVExtFinder` is appended to the *end* of :data:`sys.meta_path`, so
the regular path finder runs first: with a compiled MMCV (``mmcv`` built
with ops) the real ``mmcv/_ext*.so`` is imported and the finder never acts.
Only when no ``mmcv._ext`` exists (``mmcv-lite``) does it load
``mmcv_ext.py`` from this folder under the name ``mmcv._ext``.

Installed two ways, so that every import order works:

* ``import mmjffra`` calls :func:`install` before it imports MMagic;
* ``scripts/setup.sh`` (or ``python -m mmjffra.ops.ext_finder install``)
  writes a ``.pth`` file into site-packages that calls :func:`install` at
  interpreter start-up, so ``import mmagic`` first, ``mim`` and ``torchrun``
  workers see the stand-in too (the way ``setuptools`` installs its
  ``distutils-precedence.pth``).

This file uses the standard library only: the ``.pth`` loads it by path,
without importing the ``mmjffra`` package (which imports MMagic).
"""
import importlib.abc
import importlib.util
import os.path as osp
import sys
import sysconfig

TARGET = 'mmcv._ext'
STAND_IN = osp.join(osp.dirname(osp.abspath(__file__)), 'mmcv_ext.py')
PTH_NAME = 'mmjffra-mmcv-ext.pth'
# marks our finder in sys.meta_path, whichever copy of this file made it
MARKER = 'mmjffra_mmcv_ext_finder'


class MMCVExtFinder(importlib.abc.MetaPathFinder):
    """Find ``mmcv._ext`` in ``mmjffra/ops/mmcv_ext.py`` (last resort)."""

    def __init__(self, path: str = STAND_IN):
        self.path = path
        setattr(self, MARKER, True)

    def find_spec(self, fullname, path=None, target=None):
        if fullname != TARGET or not osp.isfile(self.path):
            return None
        return importlib.util.spec_from_file_location(fullname, self.path)


def is_installed() -> bool:
    return any(getattr(f, MARKER, False) for f in sys.meta_path)


def install() -> None:
    """Append the finder to :data:`sys.meta_path` (once per process)."""
    if not is_installed():
        sys.meta_path.append(MMCVExtFinder())


def pth_line(path: str = __file__) -> str:
    """The ``.pth`` line that loads this file by path and installs."""
    path = osp.abspath(path)
    return ('import sys, importlib.util as u; '
            f"s = u.spec_from_file_location('{MARKER}', {path!r}); "
            'm = u.module_from_spec(s); sys.modules[s.name] = m; '
            's.loader.exec_module(m); m.install()\n')


def write_pth(site_dir: str = None) -> str:
    """Write the ``.pth`` file into ``site_dir`` (default: purelib)."""
    site_dir = site_dir or sysconfig.get_paths()['purelib']
    dst = osp.join(site_dir, PTH_NAME)
    with open(dst, 'w') as f:
        f.write(pth_line())
    return dst


def remove_pth(site_dir: str = None) -> None:
    site_dir = site_dir or sysconfig.get_paths()['purelib']
    dst = osp.join(site_dir, PTH_NAME)
    if osp.exists(dst):
        import os
        os.remove(dst)


def main(argv=None) -> None:
    import argparse
    parser = argparse.ArgumentParser(
        description='Install or remove the start-up hook that lets '
        'mmcv-lite import mmjffra\'s deformable-convolution stand-in.')
    parser.add_argument('action', choices=['install', 'uninstall'])
    parser.add_argument('--site-dir', help='default: this Python\'s purelib')
    args = parser.parse_args(argv)
    if args.action == 'install':
        print(f'wrote {write_pth(args.site_dir)}')
    else:
        remove_pth(args.site_dir)


if __name__ == '__main__':
    main()
