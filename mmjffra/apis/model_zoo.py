# Copyright (c) mmjffra contributors. All rights reserved.
"""Find a shipped model by name in the model index (``model-index.yml``)."""
import os.path as osp
from typing import Dict, List, Tuple

import yaml


class UnknownModelError(ValueError):
    """A model name the model index does not list (or lists without
    weights)."""


def _roots() -> List[str]:
    """Where ``model-index.yml`` can be: the repository of an editable
    install, and ``mmjffra/.mim`` of an installed wheel (MIM's layout)."""
    package = osp.dirname(osp.dirname(osp.abspath(__file__)))
    return [osp.dirname(package), osp.join(package, '.mim')]


def list_models() -> Dict[str, Dict]:
    """Every model of the model index: name -> its metafile entry, with
    ``Config`` and ``Weights`` made absolute."""
    for root in _roots():
        index = osp.join(root, 'model-index.yml')
        if osp.isfile(index):
            break
    else:
        raise FileNotFoundError('model-index.yml not found in '
                                f'{_roots()}')
    with open(index) as f:
        imports = yaml.safe_load(f).get('Import', [])
    models = {}
    for meta in imports:
        with open(osp.join(root, meta)) as f:
            for entry in yaml.safe_load(f).get('Models', []):
                entry = dict(entry)
                entry['Config'] = osp.join(root, entry['Config'])
                weights = entry.get('Weights') or ''
                if weights and '://' not in weights:
                    weights = osp.join(root, weights)
                entry['Weights'] = weights
                models[entry['Name']] = entry
    return models


def find_model(name: str) -> Tuple[str, str]:
    """Config and weights of a shipped model, e.g. ``'jffra-small-x4'``.

    Raises:
        UnknownModelError: Not in the index, or listed without weights; the
            message lists the models that have weights.
    """
    models = list_models()
    shipped = sorted(n for n, m in models.items() if m['Weights'])
    entry = models.get(name)
    if entry is None or not entry['Weights']:
        raise UnknownModelError(
            f'no shipped weights for model {name!r}; models with weights: '
            f'{", ".join(shipped) or "none"}')
    return entry['Config'], entry['Weights']
