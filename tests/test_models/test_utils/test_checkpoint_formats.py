# Copyright (c) mmjffra contributors. All rights reserved.
"""Checkpoint formats are registered by their editors; the generic loader
names none."""
from conftest import REPO

from mmjffra.models.editors.rvrt.official_keys import released_rvrt_weights
from mmjffra.models.utils.checkpoint_formats import (
    CHECKPOINT_FORMATS, register_checkpoint_format, to_generator_weights)


def test_editors_register_their_formats_and_the_loader_knows_none():
    assert released_rvrt_weights in CHECKPOINT_FORMATS
    loader = (REPO / 'mmjffra/apis/inference_model.py').read_text()
    assert 'rvrt' not in loader.lower().replace('released rvrt files', '')


def test_converters_apply_in_order_and_pass_what_they_do_not_know():
    state = {'generator.conv.weight': 1}
    assert to_generator_weights(state) == state  # no format claims it

    def renamed(s):
        return {'renamed': s['x']} if 'x' in s else s

    register_checkpoint_format(renamed)
    register_checkpoint_format(renamed)  # once only
    try:
        assert CHECKPOINT_FORMATS.count(renamed) == 1
        assert to_generator_weights({'x': 2}) == {'renamed': 2}
    finally:
        CHECKPOINT_FORMATS.remove(renamed)
