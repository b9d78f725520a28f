# Copyright (c) mmjffra contributors. All rights reserved.
import os
import os.path as osp
import shutil
import sys
import warnings

from setuptools import find_packages, setup


def readme():
    with open('README.md', encoding='utf-8') as f:
        return f.read()


def get_version():
    scope = {}
    with open(osp.join('mmjffra', 'version.py'), encoding='utf-8') as f:
        exec(compile(f.read(), 'mmjffra/version.py', 'exec'), scope)
    return scope['__version__']


def parse_requirements(fname):
    """Read a requirements file, dropping comments and blank lines."""
    reqs = []
    with open(fname, encoding='utf-8') as f:
        for line in f:
            line = line.split('#')[0].strip()
            if line:
                reqs.append(line)
    return reqs


def add_mim_extension():
    """Pack configs, tools, weights and model-index.yml into ``mmjffra/.mim``.

    As in MMagic: symlinks for an editable (develop) install, copies when a
    wheel or sdist is built, so that ``mim train mmjffra CONFIG`` finds them.
    """
    if 'develop' in sys.argv or 'editable_wheel' in sys.argv:
        mode = 'symlink'
    elif any(cmd in sys.argv for cmd in ('sdist', 'bdist_wheel', 'install',
                                         'build')):
        mode = 'copy'
    else:
        return

    filenames = ['tools', 'configs', 'weights', 'model-index.yml']
    repo_path = osp.dirname(osp.abspath(__file__))
    mim_path = osp.join(repo_path, 'mmjffra', '.mim')
    os.makedirs(mim_path, exist_ok=True)

    for filename in filenames:
        src_path = osp.join(repo_path, filename)
        tar_path = osp.join(mim_path, filename)
        if not osp.exists(src_path):
            continue
        if osp.isfile(tar_path) or osp.islink(tar_path):
            os.remove(tar_path)
        elif osp.isdir(tar_path):
            shutil.rmtree(tar_path)
        if mode == 'symlink':
            os.symlink(osp.relpath(src_path, mim_path), tar_path)
        elif osp.isfile(src_path):
            shutil.copyfile(src_path, tar_path)
        else:
            shutil.copytree(src_path, tar_path)
            if mode == 'copy':
                warnings.warn(f'copied {src_path} into {tar_path}')


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='mmjffra',
        version=get_version(),
        description='JFFRA and RVRT video restoration for OpenMMLab MMagic',
        long_description=readme(),
        long_description_content_type='text/markdown',
        keywords='computer vision, video restoration, super-resolution, '
        'denoising, deblurring, mmagic',
        packages=find_packages(exclude=('configs', 'tools', 'tests')),
        include_package_data=True,
        package_data={'mmjffra': ['.mim/**/*', '.mim/*']},
        python_requires='>=3.8',
        classifiers=[
            'Development Status :: 3 - Alpha',
            'License :: OSI Approved :: Apache Software License',
            'Operating System :: OS Independent',
            'Programming Language :: Python :: 3',
            'Topic :: Scientific/Engineering :: Image Processing',
        ],
        license='Apache License 2.0',
        install_requires=[
            r for r in parse_requirements('requirements/runtime.txt')
            if not r.startswith(('opencv-python-headless',
                                 'opencv-contrib-python'))
        ],
        extras_require={
            'tests': parse_requirements('requirements/tests.txt'),
            'deploy': parse_requirements('requirements/deploy.txt')
        },
        zip_safe=False)
