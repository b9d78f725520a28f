# Copyright (c) mmjffra contributors. All rights reserved.
"""model.test_cfg: one vocabulary, each wrapper's declaration of the keys
it reads, MMagic's adapter table, and the checks of keys and values."""
import re

import pytest
from mmagic.models.editors.basicvsr import BasicVSR

from mmjffra.errors import UnknownConfigKeyError
from mmjffra.models.editors.jffra.jffra import JFFRA
from mmjffra.models.editors.rvrt.rvrt import RVRT
from mmjffra.models.inference import (MMAGIC_ADAPTERS, TEST_OPTIONS,
                                      check_test_cfg, known_test_cfg_keys,
                                      parse_test_cfg)


def test_wrappers_declare_their_keys():
    assert JFFRA.test_cfg_keys == ('padding', 'max_windows_per_forward',
                                   'tile', 'tile_overlap')
    assert RVRT.test_cfg_keys == ('chunk', 'chunk_overlap', 'tile',
                                  'tile_overlap')
    # one vocabulary: every key a wrapper reads is one of ClipRestorer's
    assert set(JFFRA.test_cfg_keys + RVRT.test_cfg_keys) == set(TEST_OPTIONS)
    assert known_test_cfg_keys('JFFRA') == JFFRA.test_cfg_keys
    assert known_test_cfg_keys('mmagic.RVRT') == RVRT.test_cfg_keys
    # RVRT is a BasicVSR: its declaration wins over the adapter table
    assert issubclass(RVRT, BasicVSR) and known_test_cfg_keys(BasicVSR) == ()
    # ours are declared, never in the table
    wrappers = {a.wrapper for a in MMAGIC_ADAPTERS.values()}
    assert wrappers == {'BasicVSR', 'EDVR'}


def test_mmagic_wrappers_from_the_adapter_table():
    assert known_test_cfg_keys('EDVR') == ('max_windows_per_forward', )

    class OwnBasicVSR(BasicVSR):
        pass

    class Unknown:
        pass

    assert known_test_cfg_keys(OwnBasicVSR) == ()  # by its MRO

    assert known_test_cfg_keys(Unknown) is None
    assert known_test_cfg_keys('NoSuchModel') is None


def test_unknown_keys_are_refused_naming_the_known_ones():
    check_test_cfg(dict(type='JFFRA', test_cfg=dict(padding='replicate')))
    check_test_cfg(dict(type='NoSuchModel', test_cfg=dict(anything=1)))
    with pytest.raises(
            UnknownConfigKeyError,
            match='unknown key model.test_cfg.tiles for RVRT: the known '
            'keys are chunk, chunk_overlap, tile, tile_overlap$'):
        check_test_cfg(dict(type='RVRT', test_cfg=dict(tiles=(0, 64, 64))))
    with pytest.raises(UnknownConfigKeyError, match='known keys are none'):
        check_test_cfg(dict(type='BasicVSR', test_cfg=dict(tile=64)))


def test_values_are_checked_in_one_place_naming_the_key():
    keys = tuple(TEST_OPTIONS)
    assert parse_test_cfg(None, keys) == TEST_OPTIONS
    got = parse_test_cfg(dict(tile=[64, 48], tile_overlap=8), keys, chunk=5)
    assert got['tile'] == (64, 48) and got['chunk'] == 5
    assert parse_test_cfg(dict(padding='replicate'),
                          ('padding', )) == dict(padding='replicate')
    for cfg, words in (
        (dict(tile=(100, 128, 128)), 'frames per forward are test_cfg.chunk'),
        (dict(tile=0), 'test_cfg.tile must be an int >= 1'),
        (dict(tile=16, tile_overlap=16), 'must be smaller than the tile'),
        (dict(tile=16, tile_overlap=-1), 'test_cfg.tile_overlap'),
        (dict(chunk=0), 'test_cfg.chunk must be an int >= 1'),
        (dict(chunk_overlap=-2), 'test_cfg.chunk_overlap'),
        (dict(padding='zeros'), 'test_cfg.padding must be one of'),
        (dict(max_windows_per_forward=0), 'max_windows_per_forward'),
    ):
        with pytest.raises(ValueError, match=re.escape(words)):
            parse_test_cfg(cfg, keys)
    # the wrappers check at construction
    from conftest import REPO
    from mmagic.registry import MODELS
    from mmengine.config import Config
    cfg = Config.fromfile(REPO /
                          'configs/demo/rvrt-tiny_1xb2-1000i_carphone-bix4.py')
    cfg.model.test_cfg = dict(chunk=-1)
    with pytest.raises(ValueError, match='test_cfg.chunk must be'):
        MODELS.build(cfg.model)
