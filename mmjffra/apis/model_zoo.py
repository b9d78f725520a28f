# Copyright (c) mmjffra contributors. All rights reserved.
"""Find a shipped model by name in the model index (``model-index.yml``)."""
import os.path as osp
from typing import Dict, List, Tuple

from mmjffra.errors import UnknownModelError


def _roots() -> List[str]:
    """Where ``model-index.yml`` can be: the repository of an editable
    install, and ``mmjffra/.mim`` of an installed wheel (MIM's layout)."""
    package = osp.dirname(osp.dirname(osp.abspath(__file__)))
    return [osp.dirname(package), osp.join(package, '.mim')]


def list_models() -> Dict[str, Dict]:
    """Every model of the model index, read by the ``model-index`` package
    (MIM's reader): name -> its metafile entry, with ``Config`` and
    ``Weights`` made absolute."""
    from modelindex.load_model_index import load
    for root in _roots():
        index = osp.join(root, 'model-index.yml')
        if osp.isfile(index):
            break
    else:
        raise FileNotFoundError('model-index.yml not found in '
                                f'{_roots()}')
    models = {}
    for model in load(index).models:
        entry = dict(model.data)
        entry['Results'] = [
            dict(Task=r.task, Dataset=r.dataset, Metrics=r.metrics)
            for r in model.results or []
        ]
        entry['Config'] = osp.join(root, model.config)
        weights = model.weights or ''
        if weights and '://' not in weights:
            weights = osp.join(root, weights)
        entry['Weights'] = weights
        models[model.name] = entry
    return models


def shipped_models() -> List[str]:
    """Names of the models whose weights ship with mmjffra (local files)."""
    return sorted(n for n, m in list_models().items()
                  if m['Weights'] and '://' not in m['Weights'])


def describe_models() -> List[str]:
    """One line per model with weights: name, task, scale and where the
    weights are (the shipped file, or the URL to download once)."""
    lines = []
    for name, entry in sorted(list_models().items()):
        if not entry['Weights']:
            continue
        task = (entry.get('Results') or [{}])[0].get('Task', '?')
        meta = getattr(entry.get('Metadata'), 'data', None) or {}
        scale = f'x{meta["Scale"]}' if 'Scale' in meta else 'x?'
        where = (f'download {entry["Weights"]}, then give CONFIG FILE: '
                 f'{entry["Config"]}'
                 if '://' in entry['Weights'] else entry['Weights'])
        lines.append(f'{name}  [{task}, {scale}]  {where}')
    return lines


def find_model(name: str) -> Tuple[str, str]:
    """Config and weights of a shipped model, e.g. ``'jffra-small-x4'``.

    Nothing is downloaded: a model whose weights are only a URL (the
    released RVRT models) is refused with the URL and the command that
    takes the downloaded file.

    Raises:
        UnknownModelError: Not in the index, listed without weights, or
            with weights behind a URL; the message lists the shipped
            models.
    """
    models = list_models()
    shipped = shipped_models()
    entry = models.get(name)
    if entry is not None and '://' in entry['Weights']:
        raise UnknownModelError(
            f'the weights of {name!r} are not shipped and are never '
            f'downloaded: get {entry["Weights"]} where you have internet '
            'access and run tools/restore_video.py '
            f'{osp.relpath(entry["Config"])} <downloaded file> INPUT OUTPUT')
    if entry is None or not entry['Weights']:
        raise UnknownModelError(
            f'no shipped weights for model {name!r}; shipped models: '
            f'{", ".join(shipped) or "none"} (--list-models lists all)')
    return entry['Config'], entry['Weights']
